#!/bin/sh
# Immich sends 100 bytes of the body, then resets the connection (TCP RST):
# 502 saying the connection failed and why; no partial counts.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json", "reset_after": 100}}'
fake_start
cgi GET / IMMICH_JOBS_TIMEOUT=$FAULT_TIMEOUT
expect_error 502 "the connection to Immich at $FAKE_URL failed"
check "says the connection was reset" grep -qiF "connection reset" "$T/body"
within_bound $FAULT_TIMEOUT
no_leak
finish
