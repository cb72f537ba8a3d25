#!/bin/sh
# The log says when Immich's state changes, once, not on every poll: a
# failure when it begins (with its cause and the last answer's time), a
# failure of another kind, and Immich answering again (after how long).
# /metrics answered 200 while Immich fails is never logged as a 502.
. "$(dirname "$0")/lib.sh"
OK='{"/api/jobs": {"body_file": "'"$FIX/jobs-newest.json"'"}}'
DOWN='{"/api/jobs": {"status": 503, "body": "{\"message\": \"down\", \"statusCode\": 503}", "headers": {"Content-Type": "application/json"}}}'
REFUSED='{"/api/jobs": {"status": 401, "body_file": "'"$FIX/error-401-invalid-key.json"'"}}'
spec "$OK"
fake_start
lighttpd_start IMMICH_JOBS_CACHE_TTL=1
# poll N: N polls of / and /metrics, each after the cache period, so each
# calls Immich.
poll() {
	i=0
	while [ $i -lt "$1" ]; do
		sleep 1.1
		http GET /
		http GET /metrics
		i=$((i + 1))
	done
}
lines() { grep -c "$1" "$T/lighttpd.log"; }
poll 2
check "Immich answering: no line about Immich" [ "$(lines 'Immich')" = 0 ]
spec "$DOWN"
n=$(fake_requests)
poll 4
check "Immich was called on every poll ($(( $(fake_requests) - n )) calls)" [ $(( $(fake_requests) - n )) -ge 4 ]
check "/metrics still answers 200 (got $STATUS)" [ "$STATUS" = 200 ]
check "Immich failing (4 polls): one line" [ "$(lines 'Immich fails since')" = 1 ]
check "... with the cause and the last answer's time" \
    grep -qE "Immich fails since 20[0-9-]+ [0-9:]+ UTC \(last answer 20[0-9-]+ [0-9:]+ UTC\): Immich answered HTTP 503" "$T/lighttpd.log"
check "no line says 502 for an answer that was 200 (/metrics), or repeats the failure" \
    sh -c "! grep -qE '50[24]:|answering with' '$T/lighttpd.log'"
spec "$REFUSED"
poll 2
check "failing another way (a refused key): one more line" \
    [ "$(lines 'Immich fails another way since .*Immich rejected the API key')" = 1 ]
spec "$OK"
poll 2
check "Immich answers again: one line, after how long" \
    [ "$(lines 'Immich answers again after [0-9]* s without an answer')" = 1 ]
check "three lines about Immich in all" [ "$(lines 'Immich')" = 3 ]
sed 's/^/# /' "$T/lighttpd.log"
no_leak
finish
