#!/bin/sh
# httpoxy: a "Proxy:" request header becomes HTTP_PROXY in a CGI's
# environment, which libcurl would use as its proxy.  Through lighttpd and
# with the CGI alone (HTTP_PROXY, http_proxy, HTTPS_PROXY, ALL_PROXY set),
# the upstream call goes straight to IMMICH_URL: 200, and the would-be
# proxy (a second fake) receives nothing, so never the key.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
fake2_start
lighttpd_start IMMICH_JOBS_TIMEOUT=2
http GET / -H "Proxy: $FAKE2_URL"
check "through lighttpd: 200" [ "$STATUS" = 200 ]
check "through lighttpd: the totals" [ "$(json 'j["active"]')" = 16 ]
http GET /metrics -H "Proxy: $FAKE2_URL"
check "/metrics through lighttpd: immich_jobs_up 1" grep -q '^immich_jobs_up 1' "$T/body"
check "IMMICH_URL's fake got both" [ "$(fake_requests /api/jobs)" = 2 ]

cgi GET / HTTP_PROXY="$FAKE2_URL" http_proxy="$FAKE2_URL" \
    HTTPS_PROXY="$FAKE2_URL" https_proxy="$FAKE2_URL" ALL_PROXY="$FAKE2_URL" \
    all_proxy="$FAKE2_URL" IMMICH_JOBS_TIMEOUT=2
check "CGI alone with *_PROXY set: 200" [ "$STATUS" = 200 ]
check "CGI alone: the totals" [ "$(json 'j["active"]')" = 16 ]
check "IMMICH_URL's fake got it" [ "$(fake_requests /api/jobs)" = 3 ]
check "the would-be proxy got nothing" [ ! -s "$T/fake2.log" ]
no_leak
finish
