#!/bin/sh
# IMMICH_JOBS_API=auto: /api/jobs answers 404 (gone in a future Immich), so
# /api/queues is used, giving the same JSON as /api/jobs did.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
cgi GET /
cp "$T/body" "$T/from-jobs"
spec '{"/api/jobs": {"status": 404, "body_file": "'"$FIX"'/error-404-wrong-api-path-v3.json"},
       "/api/queues": {"body_file": "'"$FIX"'/queues-newest.json"}}'
cgi GET /
check "200 from /api/queues" [ "$STATUS" = 200 ]
check "identical JSON to /api/jobs' answer" same_answer "$T/body" "$T/from-jobs"
check "both endpoints were asked" [ "$(fake_requests /api/jobs):$(fake_requests /api/queues)" = "2:1" ]
check "x-api-key sent to /api/queues too" [ "$(grep -F '"path": "/api/queues"' "$T/fake.log" | grep -cF "\"x-api-key\": \"$KEY\"")" = 1 ]
# A 404 from /api/queues as well: the message names both.
spec '{"*": {"status": 404, "body_file": "'"$FIX"'/error-404-wrong-api-path-v3.json"}}'
cgi GET /
expect_error 502 "Immich has no /api/jobs or /api/queues at" 404
no_leak
finish
