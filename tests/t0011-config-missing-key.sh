#!/bin/sh
# No API key in either variable: 500 naming both.
. "$(dirname "$0")/lib.sh"
fake_start
cgi GET / IMMICH_JOBS_API_KEY=
expect_error 500 "set IMMICH_JOBS_API_KEY or IMMICH_JOBS_API_KEY_FILE"
check "Immich was not called" [ "$(fake_requests)" = 0 ]
finish
