#!/bin/sh
# /healthz: 200 {"status":"ok"} when configured, without calling Immich;
# 500 with the configuration error otherwise.
. "$(dirname "$0")/lib.sh"
fake_start
cgi GET /healthz
check "200" [ "$STATUS" = 200 ]
check 'body {"status":"ok"}' [ "$(cat "$T/body")" = '{"status":"ok"}' ]
check "Immich got no request" [ "$(fake_requests)" = 0 ]
cgi GET /healthz IMMICH_JOBS_API_KEY=
expect_error 500 "no API key"
cgi GET /healthz IMMICH_JOBS_TIMEOUT=0
expect_error 500 "IMMICH_JOBS_TIMEOUT"
check "still no request to Immich" [ "$(fake_requests)" = 0 ]
finish
