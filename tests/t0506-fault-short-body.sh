#!/bin/sh
# Content-Length announces 100000 bytes, Immich sends the 2.8 KB fixture and
# closes: 502 naming the truncated transfer, not counts from a short body
# (the fixture alone would parse).
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json", "content_length": 100000}}'
fake_start
cgi GET / IMMICH_JOBS_TIMEOUT=$FAULT_TIMEOUT
expect_error 502 "the connection to Immich at $FAKE_URL failed"
check "says bytes were missing" grep -qF "bytes remaining to read" "$T/body"
within_bound $FAULT_TIMEOUT
no_leak
finish
