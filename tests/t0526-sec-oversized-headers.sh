#!/bin/sh
# Oversized request headers (one 20 KB header; 300 headers of 100 bytes; a
# 20 KB URL) are refused by lighttpd with 431 and a JSON error before the
# CGI runs: Immich is not called, the key is in no answer, and lighttpd
# keeps serving.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
lighttpd_start IMMICH_JOBS_TIMEOUT=2
big=$(head -c 20480 /dev/zero | tr '\0' a)
http GET / -H "X-Big: $big"
echo "# one 20 KB header"
expect_error 431 "the request headers are too large"
within_bound 2
i=0; many=""
while [ $i -lt 300 ]; do
	many="${many}X-H$i: $(echo "$big" | cut -c1-90)\r\n"; i=$((i + 1))
done
http_raw "GET / HTTP/1.1\r\nHost: x\r\n${many}Connection: close\r\n\r\n"
check "300 headers of 100 bytes: 431 (got $STATUS)" [ "$STATUS" = 431 ]
http GET "/?q=$big"
check "a 20 KB URL: 431 (got $STATUS)" [ "$STATUS" = 431 ]
http GET "/$big"
check "a 20 KB path: 431 (got $STATUS)" [ "$STATUS" = 431 ]
check "none reached the CGI, so not Immich" [ "$(fake_requests)" = 0 ]
check "lighttpd logged the refusals" [ "$(grep -c 'oversized request-header' "$T/lighttpd.log")" -ge 3 ]
http GET /
check "lighttpd is still up: GET / 200" [ "$STATUS:$(json 'j["active"]')" = 200:16 ]
check "lighttpd did not crash" kill -0 "$LIGHTTPD_PID"
no_leak
finish
