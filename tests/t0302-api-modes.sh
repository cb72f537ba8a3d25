#!/bin/sh
# IMMICH_JOBS_API=queues asks /api/queues only; =jobs asks /api/jobs only
# (no fallback on 404).  Both give the same answer for the same data.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-v2.x.json"}, "/api/queues": {"body_file": "'"$FIX"'/queues-v2.x.json"}}'
fake_start
cgi GET / IMMICH_JOBS_API=queues
cp "$T/body" "$T/q"
check "queues: 200" [ "$STATUS" = 200 ]
check "queues: only /api/queues asked" [ "$(fake_requests /api/jobs):$(fake_requests /api/queues)" = "0:1" ]
cgi GET / IMMICH_JOBS_API=jobs
check "jobs: same JSON as queues" same_answer "$T/body" "$T/q"
check "jobs: totals of v2.x" [ "$(json '[j["active"], j["waiting"], j["failed"], j["queues"]]')" = "[10, 343, 4, 18]" ]
spec '{"/api/jobs": {"status": 404, "body": "{\"message\":\"Cannot GET /api/jobs\"}"}, "/api/queues": {"body_file": "'"$FIX"'/queues-v2.x.json"}}'
cgi GET / IMMICH_JOBS_API=jobs
expect_error 502 "Immich has no /api/jobs at" 404
check "jobs: no fallback to /api/queues" [ "$(fake_requests /api/queues)" = 1 ]
no_leak
finish
