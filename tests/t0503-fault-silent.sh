#!/bin/sh
# Immich accepts the connection, reads the request and never answers:
# 504 after IMMICH_JOBS_TIMEOUT, not a hang.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"silent": true}}'
fake_start
cgi GET / IMMICH_JOBS_TIMEOUT=$FAULT_TIMEOUT
expect_error 504 "timed out after $FAULT_TIMEOUT s (IMMICH_JOBS_TIMEOUT): Immich at"
check "the request did reach the fake" [ "$(fake_requests /api/jobs)" = 1 ]
check "took the full timeout, not less (${ELAPSED_MS} ms)" [ "$ELAPSED_MS" -ge 1900 ]
within_bound $FAULT_TIMEOUT
no_leak
finish
