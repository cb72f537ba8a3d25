#!/bin/sh
# A 2xx body over 1 MiB is not read: 502.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body": "[                                                                                                                               ", "repeat_body": 9000}}'
fake_start
cgi GET /
expect_error 502 "larger than 1 MiB" 200
no_leak
finish
