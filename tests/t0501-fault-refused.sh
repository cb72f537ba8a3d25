#!/bin/sh
# Connection refused (a port nobody listens on, as while Immich starts,
# migrates its database or restarts): 502 naming those states, with the
# reason, well within the bound.
. "$(dirname "$0")/lib.sh"
port=$(free_port)
cgi GET / IMMICH_URL=http://127.0.0.1:$port IMMICH_JOBS_TIMEOUT=$FAULT_TIMEOUT
expect_error 502 "Immich at http://127.0.0.1:$port refuses connections"
check "says what a refusal means" grep -qF "it is starting up, migrating its database" "$T/body"
check "names the URL it tried" grep -qF "http://127.0.0.1:$port" "$T/body"
check "no upstream_status (Immich never answered)" [ "$(json '"upstream_status" in j')" = false ]
within_bound $FAULT_TIMEOUT
no_leak
finish
