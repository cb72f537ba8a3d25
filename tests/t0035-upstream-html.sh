#!/bin/sh
# 200 with the web app's HTML (IMMICH_URL at the web app or a login page):
# 502 saying so, never echoing HTML.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"headers": {"Content-Type": "text/html; charset=utf-8"}, "body_file": "'"$FIX"'/webapp-index-illustrative.html"}}'
fake_start
cgi GET /
expect_error 502 "IMMICH_URL answered with an HTML page, not Immich's API: it may point at the web app" 200
check "no HTML echoed" sh -c "! grep -qi 'doctype' '$T/body'"
# The same HTML labelled as JSON is still recognised.
spec '{"/api/jobs": {"body_file": "'"$FIX"'/webapp-index-illustrative.html"}}'
cgi GET /
expect_error 502 "answered with an HTML page" 200
no_leak
finish
