#!/bin/sh
# Range requests do not cut the JSON: lighttpd applies "Range:" to the CGI's
# answer unless server.range-requests is disabled, which gives Homepage a
# 206 holding '{"acti' or an HTML 416.  Every answer is the whole JSON.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
lighttpd_start IMMICH_JOBS_TIMEOUT=2
for r in bytes=0-5 bytes=99999- bytes=-1 "bytes=0-1,5-9"; do
	http GET / -H "Range: $r"
	echo "# Range: $r"
	check "$r: 200 (got $STATUS)" [ "$STATUS" = 200 ]
	check "$r: the whole JSON" [ "$(json 'j["active"]')" = 16 ]
	check "$r: no Content-Range" [ -z "$(header Content-Range)" ]
done
http GET /
check "no Accept-Ranges advertised" [ -z "$(header Accept-Ranges)" ]
no_leak
finish
