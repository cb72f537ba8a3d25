#!/bin/sh
# IMMICH_URL with a trailing "/", "/api" or "/api/" still calls <base>/api/jobs.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-v1.100.json"}}'
fake_start
for suffix in "" / /api /api/; do
	cgi GET / IMMICH_URL="$FAKE_URL$suffix"
	check "IMMICH_URL=...$suffix: 200 with jobs-v1.100.json's totals" \
	    [ "$STATUS:$(json 'j["active"]')" = "200:14" ]
done
check "all four went to /api/jobs" [ "$(fake_requests /api/jobs)" = 4 ]
check "nothing went to /api/api/jobs" [ "$(fake_requests /api/api/jobs)" = 0 ]
finish
