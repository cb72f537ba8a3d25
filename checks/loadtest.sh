#!/bin/sh
# checks/loadtest.sh - `make loadtest`: wrk through real
# lighttpd and the CGI, 32 connections, LOAD_SECONDS (30) per phase:
#   1. healthy fake Immich, cache on (TTL 5): every answer 200 with the
#      totals, no socket error, and Immich asked about once per TTL;
#   2. flapping fake Immich, cache off, IMMICH_JOBS_TIMEOUT=2: answers in
#      turn ok / 500 / slow (3 s) / reset, and the fake is stopped and
#      restarted every 5 seconds (connection refused): every answer is
#      200, 502 or 504 with a JSON body, none slower than 2 s + 1 s;
#   3. the same flapping with the cache on (TTL 1, stale-if-error 60): the
#      same checks, and some answers are the last good counts, stale.
# Prints TAP-style "ok - ..." / "not ok - ..." and "N passed, N failed".
# Needs wrk and lighttpd; everything stays on 127.0.0.1.
. "$(dirname "$0")/../tests/lib.sh"

LOAD_SECONDS=${LOAD_SECONDS:-30}
CONNS=32
TIMEOUT=2			# IMMICH_JOBS_TIMEOUT in the flapping phases
BOUND_MS=$(( (TIMEOUT + 1) * 1000 ))
PASSED=0

pass() { ok "$*"; PASSED=$((PASSED + 1)); }
check() {
	desc=$1; shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}

if ! command -v wrk > /dev/null; then
	echo "not ok - wrk is not installed (apt-get install wrk)"
	echo "0 passed, 1 failed"
	exit 1
fi

# load NAME: run wrk against lighttpd, keep its output in $T/NAME.wrk and
# read the LOAD lines of checks/loadtest.lua into shell variables.
load() {
	wrk -t2 -c$CONNS -d"${LOAD_SECONDS}s" --timeout 10s \
	    -s "$TOP/checks/loadtest.lua" "$HTTP_URL/" > "$T/$1.wrk" 2>&1
	WRK_RC=$?
	get() { sed -n "s/^LOAD $1 //p" "$T/$name.wrk"; }
	name=$1
	REQUESTS=$(get requests); SOCKET_ERRORS=$(get socket_errors)
	NON2XX=$(get non2xx); LAT_MAX=$(get latency_max_ms)
	LAT_P99=$(get latency_p99_ms); BAD_BODY=$(get bad_body)
	BAD_TYPE=$(get bad_type); STATUSES=$(get statuses); STALE=$(get stale)
	echo "# $1: ${REQUESTS:-?} requests in $(get seconds) s, statuses: ${STATUSES:-?} (${STALE:-?} stale)," \
	    "max latency ${LAT_MAX:-?} ms (p99 ${LAT_P99:-?} ms), socket errors: $(get socket_detail)"
	[ -z "$(get sample)" ] || echo "# first bad body: $(get sample)"
}

# count STATUS: how many answers had that status in the last run.
count() {
	n=$(printf '%s\n' $STATUSES | sed -n "s/^$1=//p")
	echo "${n:-0}"
}

only_statuses() {	# only_statuses S...: no status outside the list
	for kv in $STATUSES; do
		case " $* " in *" ${kv%%=*} "*) ;; *) return 1 ;; esac
	done
}

common_checks() {	# what every phase asserts
	check "$1: wrk ran (exit $WRK_RC) and answered ${REQUESTS:-0} requests" \
	    [ "$WRK_RC" = 0 -a "${REQUESTS:-0}" -gt 0 ]
	check "$1: no socket error (connect, read, write, timeout)" \
	    [ "${SOCKET_ERRORS:-x}" = 0 ]
	check "$1: every body is JSON of the documented form" [ "${BAD_BODY:-x}" = 0 ]
	check "$1: every Content-Type is application/json" [ "${BAD_TYPE:-x}" = 0 ]
	check "$1: lighttpd is still running" kill -0 "$LIGHTTPD_PID"
}

stop_lighttpd() {
	kill "$LIGHTTPD_PID" 2>/dev/null
	wait "$LIGHTTPD_PID" 2>/dev/null
	cat "$T/lighttpd.log" >> "$T/all-output"
}

# --- 1. healthy -------------------------------------------------------------
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
lighttpd_start IMMICH_JOBS_CACHE_TTL=5
echo "# healthy: $CONNS connections for $LOAD_SECONDS s, cache TTL 5 s"
load healthy
common_checks healthy
check "healthy: every answer is 200 (non-2xx: ${NON2XX:-?})" \
    [ "${NON2XX:-x}" = 0 -a "$(count 200)" = "${REQUESTS:-0}" ]
check "healthy: no answer is stale (${STALE:-?})" [ "${STALE:-x}" = 0 ]
asked=$(fake_requests /api/jobs)
most=$((LOAD_SECONDS / 5 + 2))
check "healthy: Immich asked $asked times (at most $most: once per TTL)" \
    [ "$asked" -ge 1 -a "$asked" -le "$most" ]
stop_lighttpd
kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null

# --- 2 and 3. flapping -------------------------------------------------------
# The answers, in turn: ok, 500, slower than the timeout, reset mid-body.
spec '{"/api/jobs": [
  {"body_file": "'"$FIX"'/jobs-newest.json"},
  {"status": 500, "body": "{\"message\":\"Internal server error\"}"},
  {"body_file": "'"$FIX"'/jobs-newest.json", "delay": 3},
  {"body_file": "'"$FIX"'/jobs-newest.json", "reset_after": 10}]}'

# flap: stop the fake Immich and start it again on the same port, over
# and over (up 4 s, long enough for a slow answer to time out; down 1 s:
# connection refused).  Stops its fake on TERM.
flap() {
	fpid=$FAKE_PID
	trap 'kill $fpid 2>/dev/null; exit 0' TERM
	while :; do
		sleep 4
		kill "$fpid" 2>/dev/null
		wait "$fpid" 2>/dev/null
		sleep 1
		"$PY" "$TOP/tests/fake_immich.py" --spec "$T/spec.json" \
		    --log "$T/fake.log" --port-file "$T/fake.port2" \
		    --port "$FAKE_PORT" &
		fpid=$!
	done
}

flapping() {	# flapping NAME VAR=value...: one flapping phase
	name=$1; shift
	fake_start
	flap &
	FLAP_PID=$!
	PIDS="$PIDS $FLAP_PID"
	lighttpd_start IMMICH_JOBS_TIMEOUT=$TIMEOUT "$@"
	echo "# $name: $CONNS connections for $LOAD_SECONDS s, $*"
	load "$name"
	kill "$FLAP_PID"; wait "$FLAP_PID" 2>/dev/null
	kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null
	common_checks "$name"
	check "$name: every status is 200, 502 or 504 ($STATUSES)" \
	    only_statuses 200 502 504
	check "$name: slowest answer ${LAT_MAX:-?} ms <= $BOUND_MS ms (timeout + 1 s)" \
	    [ "${LAT_MAX:-99999}" -le "$BOUND_MS" ]
	check "$name: some answers are 200" [ "$(count 200)" -gt 0 ]
	stop_lighttpd
}

flapping flapping-uncached IMMICH_JOBS_CACHE_TTL=0
check "flapping-uncached: Immich's failures show as 502" [ "$(count 502)" -gt 0 ]
check "flapping-uncached: the slow answers show as 504" [ "$(count 504)" -gt 0 ]
flapping flapping-cached IMMICH_JOBS_CACHE_TTL=1 IMMICH_JOBS_STALE_TTL=60
check "flapping-cached: Immich's failures are answered with stale counts" \
    [ "${STALE:-0}" -gt 0 ]

check "the API key appears in no answer, log or wrk output" \
    sh -c "! grep -qF -- '$KEY' '$T/all-output' '$T'/*.wrk"
echo "$PASSED passed, $FAILED failed"
finish
