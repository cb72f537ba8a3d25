#!/bin/sh
# Certificates from a CA that IMMICH_JOBS_CA_FILE makes trusted, but for
# another address, expired, or not valid yet: 502, each with its own
# message and none suggesting IMMICH_JOBS_CA_FILE (kept for an untrusted
# issuer, t0511).  No request gets through.
. "$(dirname "$0")/lib.sh"
tls_certs
# dated NAME START END: a certificate for 127.0.0.1 from the test CA,
# valid from START to END (openssl ca's YYYYMMDDHHMMSSZ).
dated() {
	d=$T/tls/$1.d
	mkdir -p "$d"
	: > "$d/index.txt"
	echo 01 > "$d/serial"
	printf '%s\n' '[ca]' 'default_ca = test' '[test]' "database = $d/index.txt" \
	    "new_certs_dir = $d" "serial = $d/serial" 'default_md = sha256' \
	    'policy = any' 'unique_subject = no' 'x509_extensions = ext' \
	    '[any]' 'commonName = supplied' '[ext]' \
	    'subjectAltName = IP:127.0.0.1,IP:::1' 'basicConstraints = CA:FALSE' \
	    'extendedKeyUsage = serverAuth' > "$d/ca.cnf"
	openssl ca -batch -notext -config "$d/ca.cnf" -cert "$T/tls/ca.pem" \
	    -keyfile "$T/tls/ca.key" -in "$T/tls/server.csr" -startdate "$2" \
	    -enddate "$3" -out "$T/tls/$1.pem" 2>/dev/null
}
dated expired 20200101000000Z 20200201000000Z
dated future 20400101000000Z 20400201000000Z
check "openssl made the dated certificates" [ -s "$T/tls/expired.pem" ] && [ -s "$T/tls/future.pem" ]
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
CA="IMMICH_JOBS_CA_FILE=$T/tls/ca.pem"

# tls_case WHAT CERT BIND PROBLEM ADVICE: the fake on BIND with CERT, asked
# with the test CA trusted: the message names PROBLEM and ADVICE, and not
# IMMICH_JOBS_CA_FILE.
tls_case() {
	fake_start --bind "$3" --tls-cert "$T/tls/$2.pem" --tls-key "$T/tls/server.key"
	url=https://$3:$FAKE_PORT
	cgi GET / IMMICH_URL=$url $TLS "$CA"
	echo "# $1"
	expect_error 502 "TLS certificate problem talking to $url: $4"
	check "$1: $5" grep -qF "$5" "$T/body"
	check "$1: no IMMICH_JOBS_CA_FILE hint" sh -c "! grep -q IMMICH_JOBS_CA_FILE '$T/body'"
	within_bound $TLS_TIMEOUT
}
# The certificate holds 127.0.0.1 and ::1; the server is asked as 127.0.0.2.
tls_case "another address" server 127.0.0.2 \
    "the certificate is for another host name or address" \
    "use in IMMICH_URL a name the certificate holds"
kill "$FAKE_PID"
tls_case expired expired 127.0.0.1 "the certificate has expired" \
    "this machine's clock says $(date -u +%Y-%m-%d)"
kill "$FAKE_PID"
tls_case "not valid yet" future 127.0.0.1 "the certificate is not valid yet" \
    "set this machine's clock right"

# Untrusted (no IMMICH_JOBS_CA_FILE): the only one with the hint.
cgi GET / IMMICH_URL=$url $TLS
echo "# untrusted issuer"
expect_error 502 "its issuer is not trusted here: for a self-signed certificate or a private CA set IMMICH_JOBS_CA_FILE"
check "no HTTP request got through a handshake" [ ! -s "$T/fake.log" ]
no_leak
finish
