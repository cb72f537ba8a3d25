#!/bin/sh
# 301, 302, 307 and 308 to another path on the same host (absolute and
# relative Location), where the fake would answer with real counts: 502
# saying redirects are not followed; the target is never requested.
. "$(dirname "$0")/lib.sh"
fake_start
for code in 301 302 307 308; do
	for loc in "$FAKE_URL/moved/api/jobs" /moved/api/jobs; do
		spec '{"/api/jobs": {"status": '$code', "headers": {"Location": "'"$loc"'"}},
		       "/moved/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
		cgi GET / IMMICH_JOBS_TIMEOUT=$FAULT_TIMEOUT
		echo "# $code to $loc"
		expect_error 502 "IMMICH_URL answered HTTP $code, a redirect to $FAKE_URL/moved/api/jobs" $code
		check "$code: says redirects are not followed" grep -qF "redirects are not followed" "$T/body"
		within_bound $FAULT_TIMEOUT
	done
done
check "/api/jobs was asked 8 times" [ "$(fake_requests /api/jobs)" = 8 ]
check "the redirect target was never requested" [ "$(fake_requests /moved/api/jobs)" = 0 ]
check "nothing else was requested" [ "$(fake_requests)" = 8 ]
no_leak
finish
