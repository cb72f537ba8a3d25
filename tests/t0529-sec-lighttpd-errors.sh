#!/bin/sh
# Requests lighttpd refuses itself, before the CGI runs: no Host (400), a
# NUL in the path (400), an unknown method (501), CONNECT (405), HTTP/2.0
# in an HTTP/1 request line (505), POST without a length (411), a body over
# server.max-request-size (413), a GET with a body (400).  Each gets its
# error status with a JSON {"error": ...} body (lighttpd.conf's
# server.errorfile-prefix, cgi/errors/), no Server header, no key; Immich is
# not called, and lighttpd keeps serving.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
lighttpd_start IMMICH_JOBS_TIMEOUT=2
body=$(head -c 5000 /dev/zero | tr '\0' a)
refused() {	# STATUS MESSAGE NAME REQUEST
	http_raw "$4"
	echo "# $3"
	expect_error "$1" "$2"
	check "$3: no Server header" [ -z "$(header Server)" ]
	within_bound 2
}
refused 400 "the request is malformed" "no Host" \
    'GET / HTTP/1.1\r\nConnection: close\r\n\r\n'
refused 400 "the request is malformed" "NUL in the path" \
    'GET /%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
refused 501 "use GET or HEAD" "unknown method" \
    'BREW / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
refused 405 "use GET or HEAD" "CONNECT" \
    "CONNECT 127.0.0.1:$FAKE_PORT HTTP/1.1\r\nHost: 127.0.0.1:$FAKE_PORT\r\nConnection: close\r\n\r\n"
refused 505 "HTTP version not supported" "HTTP/2.0 request line" \
    'GET / HTTP/2.0\r\nHost: x\r\nConnection: close\r\n\r\n'
refused 411 "use GET or HEAD" "POST without Content-Length" \
    'POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
refused 413 "this service takes no request body" "5000-byte body (max 1 KiB)" \
    "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 5000\r\n\r\n$body"
refused 400 "the request is malformed" "GET with a body" \
    'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 5\r\n\r\nabcde'
check "none reached the CGI: Immich was not called" [ "$(fake_requests)" = 0 ]
check "the CGI logged nothing" sh -c "! grep -q 'immich-jobs-proxy:' '$T/lighttpd.log'"
http GET /
check "lighttpd is still up: GET / 200" [ "$STATUS:$(json 'j["active"]')" = 200:16 ]
no_leak
finish
