#!/bin/sh
# Immich 404 on /api/jobs (and on /api/queues in auto mode): 502, check
# IMMICH_URL.
. "$(dirname "$0")/lib.sh"
spec '{"*": {"status": 404, "body_file": "'"$FIX"'/error-404-wrong-api-path.json"}}'
fake_start
cgi GET / IMMICH_JOBS_API=jobs
expect_error 502 "Immich has no /api/jobs at $FAKE_URL" 404
check "message says to check IMMICH_URL" grep -qF "check IMMICH_URL" "$T/body"
cgi GET /
expect_error 502 "Immich has no /api/jobs or /api/queues at $FAKE_URL" 404
no_leak
finish
