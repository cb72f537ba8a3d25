#!/bin/sh
# The README's recipe for an Immich on a machine that sleeps: with a long
# IMMICH_JOBS_STALE_TTL the last counts stay on the dashboard, status says
# how old they are, and each miss costs IMMICH_JOBS_CONNECT_TIMEOUT, not
# IMMICH_JOBS_TIMEOUT.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
set -- IMMICH_JOBS_CACHE_TTL=1 IMMICH_JOBS_STALE_TTL=21600 \
    IMMICH_JOBS_CONNECT_TIMEOUT=1 IMMICH_JOBS_TIMEOUT=10
cgi GET / "$@"
check "awake: 200, status ok" [ "$STATUS:$(json 'j["status"]')" = '200:"ok"' ]
cp "$T/body" "$T/awake"
# The host goes to sleep: same address, every packet dropped.
kill "$FAKE_PID"
wait "$FAKE_PID" 2>/dev/null
blackhole_start "$FAKE_PORT"
sleep 2
cgi GET / "$@"
check "asleep: still 200 with the last counts" [ "$STATUS:$(json '[j["active"], j["waiting"], j["queues"]]')" = "200:[16, 2960, 19]" ]
check "X-Cache: stale" [ "$(header X-Cache)" = stale ]
check "stale, with its age" [ "$(json 'j["stale"] is True and j["age"] >= 2')" = true ]
check "status says how old: $(json 'j["status"]')" \
    [ "$(json 'j["status"] == "stale \u00b7 %d s old" % j["age"]')" = true ]
check "updated is still when Immich answered" [ "$(json 'j["updated"]')" = "$(json 'j["updated"]' "$T/awake")" ]
check "upstream_error names the connect bound" \
    [ "$(json '"IMMICH_JOBS_CONNECT_TIMEOUT" in j["upstream_error"]')" = true ]
check "the miss cost the connect bound, not the whole timeout (${ELAPSED_MS} ms)" \
    [ "$ELAPSED_MS" -le $((2500 + ${TIME_SLACK_MS:-0})) ]
no_leak
finish
