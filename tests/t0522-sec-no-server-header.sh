#!/bin/sh
# No Server header (nor X-Powered-By) on any answer: 200, HEAD, /metrics,
# /healthz, 404, 405, an upstream failure (502) and an error lighttpd makes
# itself (400 for a request without Host).
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
lighttpd_start IMMICH_JOBS_TIMEOUT=2
no_server_header() {	# NAME EXPECTED-STATUS
	check "$1: status $2 (got $STATUS)" [ "$STATUS" = "$2" ]
	check "$1: no Server header" [ -z "$(header Server)" ]
	check "$1: no X-Powered-By header" [ -z "$(header X-Powered-By)" ]
}
http GET /;		no_server_header "GET /" 200
http HEAD /;		no_server_header "HEAD /" 200
http GET /metrics;	no_server_header "GET /metrics" 200
http GET /healthz;	no_server_header "GET /healthz" 200
http GET /nope;		no_server_header "GET /nope" 404
http POST / -d x=1;	no_server_header "POST /" 405
spec '{"/api/jobs": {"status": 500, "body": "{}"}}'
http GET /;		no_server_header "GET / with Immich failing" 502
http_raw 'GET / HTTP/1.1\r\nConnection: close\r\n\r\n'
no_server_header "no Host (lighttpd's own error)" 400
no_leak
finish
