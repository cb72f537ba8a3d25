#!/bin/sh
# No IMMICH_URL (unset, or "" as lighttpd passes it): 500 naming it.
. "$(dirname "$0")/lib.sh"
FAKE_URL=
cgi GET /
expect_error 500 "IMMICH_URL is not set"
check "no upstream_status on a configuration error" [ "$(json '"upstream_status" in j')" = false ]
no_leak
finish
