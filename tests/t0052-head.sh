#!/bin/sh
# HEAD / gives GET's headers and no body, also for errors.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
cgi GET /
cp "$T/headers" "$T/get-headers"
cgi HEAD /
check "status 200" [ "$STATUS" = 200 ]
check "same headers as GET" cmp -s "$T/headers" "$T/get-headers"
check "no body" [ ! -s "$T/body" ]
spec '{"/api/jobs": {"status": 401, "body_file": "'"$FIX"'/error-401-invalid-key-v3.json"}}'
cgi HEAD /
check "error status on HEAD" [ "$STATUS" = 502 ]
check "no body on HEAD error" [ ! -s "$T/body" ]
finish
