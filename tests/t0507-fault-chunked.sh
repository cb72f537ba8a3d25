#!/bin/sh
# Immich (or a reverse proxy in front of it) sends the body with
# Transfer-Encoding: chunked and no Content-Length: the totals as usual.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json", "chunked": true}}'
fake_start
curl -s -D "$T/fake-headers" -o /dev/null "$FAKE_URL/api/jobs"
check "the fake sends it chunked" grep -qi "^Transfer-Encoding: chunked" "$T/fake-headers"
check "the fake sends no Content-Length" sh -c "! grep -qi '^Content-Length' '$T/fake-headers'"
cgi GET / IMMICH_JOBS_TIMEOUT=$FAULT_TIMEOUT
check "exit code 0" [ "$CGI_RC" = 0 ]
check "status 200" [ "$STATUS" = 200 ]
check "Content-Type is application/json" [ "$(header Content-Type)" = application/json ]
check "totals match the fixture README" [ "$(json '[j[k] for k in ("active","waiting","failed","queues","delayed","paused","completed","queues_busy","queues_paused")]')" = "[16, 2960, 9, 19, 1, 0, 0, 9, 0]" ]
check "no error key in a success body" [ "$(json '"error" in j')" = false ]
within_bound $FAULT_TIMEOUT
no_leak
finish
