#!/bin/sh
# An Immich that listens on [::1] only, IMMICH_URL=http://[::1]:PORT: 200.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start --bind ::1
check "the fake listens on [::1] (FAKE_URL $FAKE_URL)" [ "$FAKE_URL" = "http://[::1]:$FAKE_PORT" ]
check "and not on 127.0.0.1" sh -c "! curl -s -o /dev/null http://127.0.0.1:$FAKE_PORT/"
cgi GET / IMMICH_URL="http://[::1]:$FAKE_PORT" IMMICH_JOBS_TIMEOUT=$FAULT_TIMEOUT
check "exit code 0" [ "$CGI_RC" = 0 ]
check "status 200" [ "$STATUS" = 200 ]
check "totals match the fixture README" [ "$(json '[j[k] for k in ("active","waiting","failed","queues")]')" = "[16, 2960, 9, 19]" ]
check "one request to Immich" [ "$(fake_requests /api/jobs)" = 1 ]
check "Host header names [::1]" grep -qF "\"Host\": \"[::1]:$FAKE_PORT\"" "$T/fake.log"
within_bound $FAULT_TIMEOUT
no_leak
finish
