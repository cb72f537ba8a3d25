#!/bin/sh
# 301, 302, 307 and 308 to another host (127.0.0.2, a second fake that
# would answer with real counts): 502 saying redirects are not followed,
# and that host receives nothing, so never the key.
. "$(dirname "$0")/lib.sh"
fake2_start --bind 127.0.0.2
fake_start
for code in 301 302 307 308; do
	spec '{"/api/jobs": {"status": '$code', "headers": {"Location": "'"$FAKE2_URL"'/api/jobs"}}}'
	cgi GET / IMMICH_JOBS_TIMEOUT=$FAULT_TIMEOUT
	echo "# $code"
	expect_error 502 "IMMICH_URL answered HTTP $code, a redirect to $FAKE2_URL/api/jobs" $code
	check "$code: says redirects are not followed" grep -qF "redirects are not followed" "$T/body"
	within_bound $FAULT_TIMEOUT
done
check "IMMICH_URL's host got the 4 requests" [ "$(fake_requests /api/jobs)" = 4 ]
check "the other host got no request" [ ! -s "$T/fake2.log" ]
no_leak
finish
