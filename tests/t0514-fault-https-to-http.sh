#!/bin/sh
# IMMICH_URL says https:// but Immich serves plain HTTP on that port: 502
# saying the TLS handshake failed and asking whether it is http://.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
cgi GET / IMMICH_URL="https://127.0.0.1:$FAKE_PORT" $TLS
expect_error 502 "the TLS handshake with https://127.0.0.1:$FAKE_PORT failed"
check "asks whether Immich serves plain http://" grep -qF "is Immich serving plain http:// on that port?" "$T/body"
within_bound $TLS_TIMEOUT
no_leak
finish
