#!/bin/sh
# Any other non-2xx: 502 with the status and Immich's message when it is
# Immich's error; an HTML error page is a proxy's, never echoed.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"status": 500, "body": "{\"message\":\"Internal server error\"}"}}'
fake_start
cgi GET /
expect_error 502 "Immich answered HTTP 500 (Immich said: Internal server error): Immich failed; its log says why" 500
spec '{"/api/jobs": {"status": 503, "headers": {"Content-Type": "text/html"}, "body": "<html><body>Bad gateway from nginx</body></html>"}}'
cgi GET /
expect_error 502 "HTTP 503 from something in front of Immich (a reverse proxy, CDN or login gateway), not from Immich's API: an HTML page" 503
check "asks whether Immich runs behind it" grep -qF "is Immich running (it does not answer while it starts up, migrates its database or restarts), and does the proxy point at it?" "$T/body"
check "no HTML echoed" sh -c "! grep -q '<' '$T/body'"
no_leak
finish
