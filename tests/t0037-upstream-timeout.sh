#!/bin/sh
# Immich slower than IMMICH_JOBS_TIMEOUT: 504 "timed out"-style message,
# and the CGI is done within the timeout plus 1 s.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"delay": 5, "body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
cgi GET / IMMICH_JOBS_TIMEOUT=1
expect_error 504 "timed out after 1 s (IMMICH_JOBS_TIMEOUT): Immich at"
within_bound 1	# 2000 ms, plus TIME_SLACK_MS under make check-valgrind
no_leak
finish
