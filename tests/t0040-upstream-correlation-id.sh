#!/bin/sh
# Immich's correlationId (in the body up to v2.x, in a header from v3) is in
# the message, so the matching line of Immich's log can be found; nothing
# else passes for one.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"status": 500, "body": "{\"message\":\"Internal server error\",\"error\":\"Internal Server Error\",\"statusCode\":500,\"correlationId\":\"k2j4h6g8\"}"}}'
fake_start
cgi GET / IMMICH_JOBS_API=jobs
expect_error 502 "Immich answered HTTP 500 (Immich said: Internal server error; correlationId k2j4h6g8): Immich failed; its log says why" 500
# v3: {message} only, the id in the x-immich-cid / X-Correlation-ID header.
spec '{"/api/jobs": {"status": 401, "headers": {"x-immich-cid": "z9y8x7w6"}, "body_file": "'"$FIX"'/error-401-invalid-key-v3.json"}}'
cgi GET / IMMICH_JOBS_API=jobs
expect_error 502 "(Immich said: Invalid API key; correlationId z9y8x7w6)" 401
spec '{"/api/jobs": {"status": 401, "headers": {"X-Correlation-ID": "m1n2b3v4"}, "body_file": "'"$FIX"'/error-401-invalid-key-v3.json"}}'
cgi GET / IMMICH_JOBS_API=jobs
expect_error 502 "(Immich said: Invalid API key; correlationId m1n2b3v4)" 401
# No id: none invented; a malformed one, or one on a proxy's page: left out.
spec '{"/api/jobs": {"status": 401, "body_file": "'"$FIX"'/error-401-invalid-key-pre-v1.106.json"}}'
cgi GET / IMMICH_JOBS_API=jobs
expect_error 502 "(Immich said: Invalid API key): check" 401
check "no correlationId without one" sh -c "! grep -q correlationId '$T/body'"
spec '{"/api/jobs": {"status": 401, "body": "{\"message\":\"Invalid API key\",\"correlationId\":\"<b>x y</b>\"}"}}'
cgi GET / IMMICH_JOBS_API=jobs
check "a malformed correlationId is left out" sh -c "! grep -q correlationId '$T/body'"
spec '{"/api/jobs": {"status": 502, "headers": {"Content-Type": "text/html", "x-immich-cid": "p0o9i8u7"}, "body": "<html><title>502 Bad Gateway</title></html>"}}'
cgi GET / IMMICH_JOBS_API=jobs
expect_error 502 "HTTP 502 from something in front of Immich" 502
check "a proxy's page gives no correlationId" sh -c "! grep -q p0o9i8u7 '$T/body'"
no_leak
finish
