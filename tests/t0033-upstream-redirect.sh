#!/bin/sh
# 3xx is not followed (the key must not travel): 502 naming the status.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"status": 302, "headers": {"Location": "/auth/login?continue=/api/jobs"}}}'
fake_start
cgi GET /
expect_error 502 "IMMICH_URL answered HTTP 302, a redirect to $FAKE_URL/auth/login" 302
check "says it is not Immich's API" grep -qF "not Immich's API" "$T/body"
check "says redirects are not followed" grep -qF "redirects are not followed" "$T/body"
check "the redirect target was not requested" [ "$(fake_requests /auth/login?continue=/api/jobs)" = 0 ]
# 304 is not a redirect: just a status the proxy cannot use, with no
# Immich error in it.
spec '{"/api/jobs": {"status": 304}}'
cgi GET /
expect_error 502 "HTTP 304 from something in front of Immich" 304
check "304 is not called a redirect" sh -c "! grep -q redirect '$T/body'"
no_leak
finish
