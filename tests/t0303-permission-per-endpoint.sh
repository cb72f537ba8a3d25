#!/bin/sh
# A 403 names the permission of the endpoint that refused: job.read for
# /api/jobs, queue.read for /api/queues.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"status": 404, "body_file": "'"$FIX"'/error-404-wrong-api-path-v3.json"},
       "/api/queues": {"status": 403, "body_file": "'"$FIX"'/error-403-missing-permission-queue-read-v3.json"}}'
fake_start
cgi GET /
expect_error 502 "lacks the queue.read permission" 403
check "Immich's message included" grep -qF "Missing required permission: queue.read" "$T/body"
spec '{"/api/jobs": {"status": 403, "body_file": "'"$FIX"'/error-403-missing-permission-v3.json"}}'
cgi GET /
expect_error 502 "lacks the job.read permission" 403
no_leak
finish
