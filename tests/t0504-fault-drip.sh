#!/bin/sh
# Immich sends its headers at once, then the body one byte every 50 ms (the
# 2.8 KB fixture would take over 2 minutes): 504 within the bound, because
# IMMICH_JOBS_TIMEOUT bounds the whole exchange, not each read.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json", "drip": 0.05}}'
fake_start
cgi GET / IMMICH_JOBS_TIMEOUT=$FAULT_TIMEOUT
expect_error 504 "timed out after $FAULT_TIMEOUT s (IMMICH_JOBS_TIMEOUT): Immich at"
check "the request did reach the fake" [ "$(fake_requests /api/jobs)" = 1 ]
within_bound $FAULT_TIMEOUT
no_leak
finish
