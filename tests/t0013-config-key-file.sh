#!/bin/sh
# IMMICH_JOBS_API_KEY_FILE (Docker secrets): a byte-order mark and white
# space around the key dropped; a file that cannot be read is a 500 naming
# its path and the uid the service runs as.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-v2.0.json"}}'
fake_start
printf '%s\r\n\n' "$KEY" > "$T/key"
cgi GET / IMMICH_JOBS_API_KEY= IMMICH_JOBS_API_KEY_FILE="$T/key"
check "200 with the key from the file" [ "$STATUS" = 200 ]
check "totals of jobs-v2.0.json" [ "$(json '[j["active"], j["waiting"], j["failed"]]')" = "[3, 17, 8]" ]
check "the key was sent without CR/LF" grep -qF "\"x-api-key\": \"$KEY\"" "$T/fake.log"
# Saved by a Windows editor: a UTF-8 byte-order mark, CRLF, spaces around.
printf '\357\273\277  %s \r\n' "$KEY" > "$T/key"
: > "$T/fake.log"
cgi GET / IMMICH_JOBS_API_KEY= IMMICH_JOBS_API_KEY_FILE="$T/key"
check "BOM and white space: 200" [ "$STATUS" = 200 ]
check "the key was sent without BOM or spaces" grep -qF "\"x-api-key\": \"$KEY\"" "$T/fake.log"
cgi GET / IMMICH_JOBS_API_KEY= IMMICH_JOBS_API_KEY_FILE="$T/no-such-file"
expect_error 500 "IMMICH_JOBS_API_KEY_FILE $T/no-such-file does not exist (check the path, and that the file is mounted into the container or given to the service)"
no_leak
finish
