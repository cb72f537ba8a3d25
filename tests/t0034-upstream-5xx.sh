#!/bin/sh
# Any other non-2xx: 502 with the status and Immich's message if JSON;
# an HTML error page is never echoed.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"status": 500, "body": "{\"message\":\"Internal server error\"}"}}'
fake_start
cgi GET /
expect_error 502 "Immich answered HTTP 500 (Immich said: Internal server error): Immich or a proxy in front of it failed; check its logs" 500
spec '{"/api/jobs": {"status": 503, "headers": {"Content-Type": "text/html"}, "body": "<html><body>Bad gateway from nginx</body></html>"}}'
cgi GET /
expect_error 502 "Immich answered HTTP 503" 503
check "no HTML echoed" sh -c "! grep -q '<' '$T/body'"
no_leak
finish
