#!/bin/sh
# Both IMMICH_JOBS_API_KEY and IMMICH_JOBS_API_KEY_FILE: 500, set only one.
. "$(dirname "$0")/lib.sh"
fake_start
printf '%s\n' "$KEY" > "$T/key"
cgi GET / IMMICH_JOBS_API_KEY_FILE="$T/key"
expect_error 500 "both IMMICH_JOBS_API_KEY and IMMICH_JOBS_API_KEY_FILE are set"
check "Immich was not called" [ "$(fake_requests)" = 0 ]
no_leak
finish
