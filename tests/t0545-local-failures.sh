#!/bin/sh
# This machine's failures are this machine's: a missing
# immich-jobs-fetch.so, too few file descriptors (ulimit -n) or too little
# memory (ulimit -v) is a 500 that says what ran out here, never "is Immich
# running?" nor a 502/504, and is never stored in the shared cache as
# Immich's answer: a healthy process with the same configuration right
# after gets the counts.  (A copy of the binary without its module used to
# poison / and /metrics for a healthy one for the cache period.)
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
REAL_BIN=$BIN
REAL_WRAPPER=$CGI_WRAPPER
TTL=IMMICH_JOBS_CACHE_TTL=60

# healthy_after WHAT: a healthy CGI with the same configuration (and cache)
# gets the counts, not the failure before it.
healthy_after() {
	cgi GET / $TTL
	check "$1: a healthy process next gets the counts (status ${STATUS:-none}, X-Cache $(header X-Cache))" \
	    [ "$STATUS" = 200 ] && [ "$(json 'j["active"]')" = 16 ]
	rm -rf "$T/cache"
}

# local_only WHAT: the answer is 200, or a 500 that says this machine ran
# out of WHAT; prints "short" for the latter.
local_only() {
	case $STATUS in
	200) ;;
	500)
		check "$1: the 500 says what ran out here" \
		    grep -qF "this machine's problem, not Immich's" "$T/body"
		echo short > "$T/short" ;;
	*)	fail "$1: status $STATUS: $(head -c 300 "$T/body")" ;;
	esac
	check "$1: never blamed on Immich" sh -c "! grep -qiE 'is Immich running|could not be reached|refuses connections|timed out' '$T/body'"
}

# without SIBLING WHAT FRONT [PROGRAM]: FRONT copied as immich-jobs into
# a directory of its own, with PROGRAM but without SIBLING: /, /metrics
# and /healthz answer 500 (every request would fail) that say the
# installation is incomplete, and Immich is not asked.
without() {
	dir=$T/without-$1
	mkdir -p "$dir"
	cp "$3" "$dir/immich-jobs"
	[ -z "${4:-}" ] || cp "$4" "$dir/"
	BIN=$dir/immich-jobs
	cgi GET / $TTL
	expect_error 500 "this installation is incomplete: $1, which $2, is missing beside this program ($dir/$1)"
	cgi GET /metrics $TTL
	check "/metrics: 500 too, not immich_jobs_up 0 (Immich is fine)" [ "$STATUS" = 500 ]
	check "/metrics: the same message" grep -qF "is missing beside this program" "$T/body"
	cgi GET /healthz $TTL
	check "/healthz: 500, not ok: every request would fail" [ "$STATUS" = 500 ]
	check "/healthz: the same message" grep -qF "is missing beside this program" "$T/body"
	BIN=$REAL_BIN
	check "Immich was not asked" [ "$(fake_requests)" = 0 ]
}

echo "# immich-jobs-full missing beside the front"
if [ -n "${CGI_BIN:-}" ]; then
	echo "# SKIP: the full program runs alone here (CGI_BIN)"
else
	without immich-jobs-full "answers all but a cache hit" "$BIN"
fi

echo "# immich-jobs-fetch.so missing beside the binary"
if [ -n "${CGI_BIN:-}" ]; then
	without immich-jobs-fetch.so "calls Immich" "$BIN"
else
	without immich-jobs-fetch.so "calls Immich" "$BIN" "$FULL"
fi
cgi GET /metrics $TTL
check "/metrics of a healthy process: immich_jobs_up 1" grep -qx 'immich_jobs_up 1' "$T/body"
check "... fetched from Immich, not the failure from the cache" [ "$(header X-Cache)" = miss ]
rm -rf "$T/cache"

if [ -n "$REAL_WRAPPER" ] || readelf --dyn-syms "$BIN" | grep -q __asan_init; then
	echo "# SKIP: ulimit -n / -v runs need the bare binary (not under '$REAL_WRAPPER' or a sanitizer)"
	no_leak
	finish
fi

echo "# too few file descriptors: ulimit -n 4 to 16"
rm -f "$T/short"
for n in 4 5 6 7 8 9 10 12 16; do
	CGI_WRAPPER="prlimit --nofile=$n:$n"
	cgi GET / $TTL
	CGI_WRAPPER=$REAL_WRAPPER
	local_only "ulimit -n $n"
	if [ "$STATUS" = 500 ]; then
		check "ulimit -n $n: names file descriptors and the limit" \
		    grep -qF "ran out of file descriptors" "$T/body"
		check "ulimit -n $n: says how to raise it" grep -qF "(it may open $n: raise ulimit -n" "$T/body"
	fi
	healthy_after "ulimit -n $n"
done
check "some limit was too low (the checks above ran)" [ -e "$T/short" ]

# Under qemu-user (make check-cross) the limit binds the emulator, which
# needs more address space than the CGI, not the CGI.
if [ -n "${EMULATOR:-}" ]; then
	echo "# too little memory: under $EMULATOR ulimit -v limits the emulator: skipped"
else
	echo "# too little memory: ulimit -v 8 MiB to 24 MiB"
	rm -f "$T/short"
	for mb in 8 10 12 14 16 17 18 19 20 22 24; do
		CGI_WRAPPER="prlimit --as=$((mb * 1048576))"
		cgi GET / $TTL
		CGI_WRAPPER=$REAL_WRAPPER
		local_only "ulimit -v ${mb} MiB"
		if [ "$STATUS" = 500 ]; then
			check "ulimit -v ${mb} MiB: names memory" grep -qF "ran out of memory" "$T/body"
		fi
		healthy_after "ulimit -v ${mb} MiB"
	done
	check "some limit was too low (the checks above ran)" [ -e "$T/short" ]
fi
no_leak
finish
