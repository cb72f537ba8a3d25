#!/bin/sh
# HTTPS with a certificate from a private CA the system does not trust (a
# "self-signed" Immich), and then with IMMICH_JOBS_CA_FILE set to another,
# unrelated CA: 502 naming the certificate problem and IMMICH_JOBS_CA_FILE.
# Verification is never skipped, so no request (and no key) gets through.
. "$(dirname "$0")/lib.sh"
tls_certs
check "openssl made the certificates" [ -s "$T/tls/server.pem" ]
fake_start --tls-cert "$T/tls/server.pem" --tls-key "$T/tls/server.key"
url=https://127.0.0.1:$FAKE_PORT

cgi GET / IMMICH_URL=$url $TLS
echo "# no IMMICH_JOBS_CA_FILE"
expect_error 502 "TLS certificate problem talking to $url"
check "names the certificate problem" grep -qF "unable to get local issuer certificate" "$T/body"
check "mentions IMMICH_JOBS_CA_FILE" grep -qF "IMMICH_JOBS_CA_FILE" "$T/body"
within_bound $TLS_TIMEOUT

cgi GET / IMMICH_URL=$url $TLS IMMICH_JOBS_CA_FILE="$T/tls/other-ca.pem"
echo "# IMMICH_JOBS_CA_FILE of another CA"
expect_error 502 "TLS certificate problem talking to $url"
check "mentions IMMICH_JOBS_CA_FILE" grep -qF "IMMICH_JOBS_CA_FILE" "$T/body"
within_bound $TLS_TIMEOUT

check "no HTTP request got through the handshake" [ ! -s "$T/fake.log" ]
no_leak
finish
