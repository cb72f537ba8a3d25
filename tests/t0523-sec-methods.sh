#!/bin/sh
# Through real lighttpd: only GET and HEAD.  POST (with a body, and with
# Content-Length: 0), PUT, DELETE, PATCH and OPTIONS on every path of the
# service are the CGI's JSON 405 with "Allow: GET, HEAD", and none of them
# reaches Immich.  "OPTIONS *", which lighttpd answers itself, says
# "Allow: GET, HEAD" too (never POST).
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
lighttpd_start IMMICH_JOBS_TIMEOUT=2
for p in / /metrics /healthz; do
	for m in "POST -d x=1" "POST -H Content-Length:0" "PUT -d x=1" DELETE \
	    "PATCH -d x=1" OPTIONS; do
		set -- $m
		http "$1" "$p" ${2:+"$2"} ${3:+"$3"}
		echo "# $m $p"
		expect_error 405 "method not allowed: use GET or HEAD"
		check "$m $p: Allow: GET, HEAD" [ "$(header Allow)" = "GET, HEAD" ]
	done
done
for v in 1.1 1.0; do
	http_raw "OPTIONS * HTTP/$v\r\nHost: x\r\nConnection: close\r\n\r\n"
	check "OPTIONS * HTTP/$v: 200 (got $STATUS)" [ "$STATUS" = 200 ]
	check "OPTIONS * HTTP/$v: Allow: GET, HEAD (got '$(header Allow)')" [ "$(header Allow)" = "GET, HEAD" ]
	check "OPTIONS * HTTP/$v: one Allow header" [ "$(grep -ci '^Allow:' "$T/headers")" = 1 ]
	check "OPTIONS * HTTP/$v: no Server header" [ -z "$(header Server)" ]
done
check "none of them reached Immich" [ "$(fake_requests)" = 0 ]
http GET /
check "GET / still answers 200 with the totals" [ "$STATUS:$(json 'j["active"]')" = 200:16 ]
no_leak
finish
