#!/bin/sh
# Real lighttpd with the repo's lighttpd.conf: GET /, HEAD /, 404 and 405.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
lighttpd_start
http GET /
check "GET /: 200" [ "$STATUS" = 200 ]
check "GET /: application/json" [ "$(header Content-Type)" = application/json ]
check "GET /: the totals of jobs-newest.json" [ "$(json '[j["active"], j["waiting"], j["failed"], j["queues"]]')" = "[16, 2960, 9, 19]" ]
check "no Server header" [ -z "$(header Server)" ]
cp "$T/body" "$T/get-body"
env -i PATH=/usr/bin:/bin IMMICH_URL="$FAKE_URL" IMMICH_JOBS_API_KEY="$KEY" IMMICH_JOBS_CACHE_TTL=0 "$BIN" > "$T/shell-body"
check "the shell prints the same body" same_answer "$T/shell-body" "$T/get-body"
http HEAD /
check "HEAD /: 200" [ "$STATUS" = 200 ]
check "HEAD /: no body" [ ! -s "$T/body" ]
http GET /nope
expect_error 404 "no such path"
http POST / -d x=1
expect_error 405 "method not allowed"
check "405 has Allow: GET, HEAD" [ "$(header Allow)" = "GET, HEAD" ]
http GET /healthz
check "GET /healthz: 200 {\"status\":\"ok\"}" [ "$STATUS:$(cat "$T/body")" = '200:{"status":"ok"}' ]
check "lighttpd's log has the CGI's 404 line" grep -qF "immich-jobs-proxy: 404" "$T/lighttpd.log"
check "the key is not in lighttpd's log" sh -c "! grep -qF '$KEY' '$T/lighttpd.log'"
no_leak
finish
