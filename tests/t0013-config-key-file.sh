#!/bin/sh
# IMMICH_JOBS_API_KEY_FILE (Docker secrets): trailing CR/LF dropped; an
# unreadable file is a 500 naming the variable.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-v2.0.json"}}'
fake_start
printf '%s\r\n\n' "$KEY" > "$T/key"
cgi GET / IMMICH_JOBS_API_KEY= IMMICH_JOBS_API_KEY_FILE="$T/key"
check "200 with the key from the file" [ "$STATUS" = 200 ]
check "totals of jobs-v2.0.json" [ "$(json '[j["active"], j["waiting"], j["failed"]]')" = "[3, 17, 8]" ]
check "the key was sent without CR/LF" grep -qF "\"x-api-key\": \"$KEY\"" "$T/fake.log"
cgi GET / IMMICH_JOBS_API_KEY= IMMICH_JOBS_API_KEY_FILE="$T/no-such-file"
expect_error 500 "IMMICH_JOBS_API_KEY_FILE cannot be read"
no_leak
finish
