#!/bin/sh
# The hard cap: whatever blocks, the CGI answers by IMMICH_JOBS_TIMEOUT + 1 s
# and is gone by + 2 s, so it never holds the cache lock longer.  A copy of
# the CGI beside a fetch module that blocks for good (as a resolver that
# waits for a silent name server does under an older libcurl) stands in
# for whatever blocks.
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/stuck"
cp "$BIN" "$T/stuck/immich-jobs"
cp "$FULL" "$T/stuck/immich-jobs-full"
cat > "$T/stuck.c" <<'EOC'
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
/* Stands in for upstream_get: says who it is, then blocks for good. */
int upstream_get(void *c, void *deadline, void *j, void *e);
int
upstream_get(void *c, void *deadline, void *j, void *e)
{
	FILE *f = fopen(getenv("STUCK_PID_FILE"), "w");

	(void)c; (void)deadline; (void)j; (void)e;
	if (f != NULL) {
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
	}
	for (;;)
		pause();
}
EOC
check "a blocking fetch module builds" \
    ${CC:-cc} -shared -fPIC -o "$T/stuck/immich-jobs-fetch.so" "$T/stuck.c"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
REAL_BIN=$BIN

# stuck TIMEOUT [HEAD]: run the stuck CGI, answer in $T/headers, $T/body
# (killed after 20 s, should the cap fail).
REAL_WRAPPER=$CGI_WRAPPER
stuck() {
	BIN=$T/stuck/immich-jobs CGI_WRAPPER="timeout -s KILL 20 $REAL_WRAPPER"
	cgi "${2:-GET}" / IMMICH_JOBS_TIMEOUT=$1 STUCK_PID_FILE="$T/stuck.pid"
	BIN=$REAL_BIN CGI_WRAPPER=$REAL_WRAPPER
	[ -s "$T/stuck.pid" ] && PIDS="$PIDS $(cat "$T/stuck.pid")"
}

stuck 2
expect_error 504 "timed out after 2 s (IMMICH_JOBS_TIMEOUT): Immich at $FAKE_URL did not answer in time"
check "says the hard cap stopped it" grep -qF "the call was stopped by the hard cap (IMMICH_JOBS_TIMEOUT + 1 s)" "$T/body"
check "the fetch module did block (it wrote its pid)" [ -s "$T/stuck.pid" ]
check "not before the timeout (${ELAPSED_MS} ms)" [ "$ELAPSED_MS" -ge 2500 ]
within_bound 2
check "gone by the timeout + 2 s (${ELAPSED_MS} ms; cgi waits for the exit)" \
    [ "$ELAPSED_MS" -le $((4000 + ${TIME_SLACK_MS:-0})) ]
check "the process is gone" sh -c "! kill -0 $(cat "$T/stuck.pid" 2>/dev/null || echo 1) 2>/dev/null"
check "logged on stderr" grep -qF "immich-jobs-proxy: 504: timed out after 2 s (IMMICH_JOBS_TIMEOUT)" "$T/stderr"

echo "# HEAD: headers alone"
rm -f "$T/stuck.pid"
stuck 1 HEAD
check "HEAD: status 504" [ "$STATUS" = 504 ]
check "HEAD: no body" [ ! -s "$T/body" ]

echo "# the cache lock: a stuck leader holds it until the cap, no longer"
rm -f "$T/stuck.pid"
t0=$(date +%s%N)
BIN=$T/stuck/immich-jobs CGI_WRAPPER="timeout -s KILL 20 $REAL_WRAPPER" \
    cgi GET / IMMICH_JOBS_TIMEOUT=2 IMMICH_JOBS_CACHE_TTL=60 \
    STUCK_PID_FILE="$T/stuck.pid" > /dev/null 2>&1 &
leader=$!
PIDS="$PIDS $leader"
i=0
while [ ! -s "$T/stuck.pid" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$T/stuck.pid" ] && PIDS="$PIDS $(cat "$T/stuck.pid")"
lock=$(ls "$T"/cache/*.lock 2>/dev/null | head -n 1)
check "the stuck leader holds the cache lock" sh -c "[ -n '$lock' ] && ! flock -n '$lock' true"
freed=none
i=0
while [ $i -lt 100 ]; do
	if flock -n "$lock" true; then
		freed=$(( ($(date +%s%N) - t0) / 1000000 ))
		break
	fi
	sleep 0.1; i=$((i + 1))
done
check "the lock is free by the timeout + 2 s (after ${freed} ms)" \
    [ "$freed" != none ] && [ "$freed" -le $((4000 + ${TIME_SLACK_MS:-0})) ]
wait $leader
cgi GET / IMMICH_JOBS_TIMEOUT=2 IMMICH_JOBS_CACHE_TTL=60
check "the next request (a healthy CGI) gets the counts from Immich" \
    [ "$STATUS $(header X-Cache)" = "200 miss" ]
within_bound 2

echo "# reading the configuration blocks: a key file that is a pipe"
mkfifo "$T/key.fifo"
CGI_WRAPPER="timeout -s KILL 20 $REAL_WRAPPER" \
    cgi GET / IMMICH_JOBS_API_KEY= IMMICH_JOBS_API_KEY_FILE="$T/key.fifo" IMMICH_JOBS_TIMEOUT=1
if [ "$STATUS" = 500 ] && grep -qF "the hard cap" "$T/body"; then
	expect_error 500 "reading the configuration was stopped by the hard cap (IMMICH_JOBS_TIMEOUT + 1 s = 2 s)"
	within_bound 1
else
	# Key files are opened without blocking: refused at once instead.
	check "a pipe as key file: answered at once (${ELAPSED_MS} ms), status ${STATUS}" \
	    [ "$STATUS" = 500 ] && [ "$ELAPSED_MS" -le 2000 ]
fi
no_leak
finish
