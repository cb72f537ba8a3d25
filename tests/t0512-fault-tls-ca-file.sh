#!/bin/sh
# HTTPS with a private CA and IMMICH_JOBS_CA_FILE pointing at that CA's PEM:
# 200 with the right totals, the key sent over TLS.
. "$(dirname "$0")/lib.sh"
tls_certs
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start --tls-cert "$T/tls/server.pem" --tls-key "$T/tls/server.key"
cgi GET / IMMICH_URL=https://127.0.0.1:$FAKE_PORT $TLS \
    IMMICH_JOBS_CA_FILE="$T/tls/ca.pem"
check "exit code 0" [ "$CGI_RC" = 0 ]
check "status 200" [ "$STATUS" = 200 ]
check "totals match the fixture README" [ "$(json '[j[k] for k in ("active","waiting","failed","queues","delayed","paused","completed","queues_busy","queues_paused")]')" = "[16, 2960, 9, 19, 1, 0, 0, 9, 0]" ]
check "one request to Immich, over TLS" [ "$(fake_requests /api/jobs)" = 1 ]
check "x-api-key sent to IMMICH_URL's host" grep -qF "\"x-api-key\": \"$KEY\"" "$T/fake.log"
within_bound $TLS_TIMEOUT
no_leak
finish
