#!/bin/sh
# Bad values are configuration errors (500) whose message names the variable
# and shows a refused number; white space around any value is dropped and
# IMMICH_JOBS_API takes any case.
. "$(dirname "$0")/lib.sh"
fake_start
cgi GET / IMMICH_JOBS_TIMEOUT=abc
expect_error 500 'IMMICH_JOBS_TIMEOUT must be a whole number of seconds from 1 to 60, not \"abc\"'
cgi GET / IMMICH_JOBS_TIMEOUT=61
expect_error 500 'IMMICH_JOBS_TIMEOUT must be a whole number of seconds from 1 to 60, not \"61\"'
cgi GET / IMMICH_JOBS_CACHE_TTL=" 5m "
expect_error 500 'IMMICH_JOBS_CACHE_TTL must be a whole number of seconds from 0 to 86400, not \"5m\"'
cgi GET / IMMICH_JOBS_API=v2
expect_error 500 'IMMICH_JOBS_API must be auto, jobs or queues, not \"v2\"'

cgi GET / IMMICH_URL=ftp://immich.local
expect_error 500 "IMMICH_URL must start with http:// or https://"
cgi GET / IMMICH_URL=immich.local:2283
expect_error 500 "IMMICH_URL must start with http:// or https://"
cgi GET / IMMICH_JOBS_CA_FILE="$T/missing.pem"
expect_error 500 "IMMICH_JOBS_CA_FILE cannot be read"
cgi GET / IMMICH_JOBS_API=v2
expect_error 500 "IMMICH_JOBS_API must be auto, jobs or queues"
cgi GET / IMMICH_URL=http://127.0.0.1:99999
expect_error 500 "IMMICH_URL has a bad port"
cgi GET / IMMICH_JOBS_API_KEY=shortkey
expect_error 500 "IMMICH_JOBS_API_KEY is too short for an Immich API key"
cgi GET / IMMICH_JOBS_CA_FILE=/tmp
expect_error 500 "IMMICH_JOBS_CA_FILE is not a file"
cgi GET / IMMICH_JOBS_CACHE_DIR=relative-cache
expect_error 500 "IMMICH_JOBS_CACHE_DIR must be an absolute path"
check "Immich was never called" [ "$(fake_requests)" = 0 ]
# One parsing rule: "5 " from a compose file works, as "AUTO" and " jobs".
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-v1.100.json"}}'
cgi GET / IMMICH_JOBS_TIMEOUT="5 " IMMICH_JOBS_CACHE_TTL=" 0" IMMICH_JOBS_API=AUTO
check "IMMICH_JOBS_TIMEOUT=\"5 \" and IMMICH_JOBS_API=AUTO: 200 (got $STATUS)" [ "$STATUS:$(json 'j["active"]')" = "200:14" ]
cgi GET / IMMICH_JOBS_API=" Jobs" IMMICH_JOBS_STALE_TTL="	30	"
check "IMMICH_JOBS_API=\" Jobs\": 200 (got $STATUS)" [ "$STATUS" = 200 ]
no_leak
finish
