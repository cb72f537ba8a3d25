#!/bin/sh
# Mutual TLS: Immich behind a server that demands a TLS client
# certificate, over TLS 1.2 (refused in the handshake) and TLS 1.3
# (refused after it).  With IMMICH_JOBS_CLIENT_CERT and _KEY: 200 and the
# counts; with the certificate and key in one file: 200; with none: 502
# saying the server asks for a client certificate and none is set (not
# "another service" nor "plain http://"); with one from a CA the server
# does not trust: 502 saying it refused the certificate; with a key that
# is not the certificate's: 500 saying they could not be used.
. "$(dirname "$0")/lib.sh"
tls_certs
tls_client_certs
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
for v in 1.2 1.3; do
	fake_start --tls-cert "$T/tls/server.pem" --tls-key "$T/tls/server.key" \
	    --tls-client-ca "$T/tls/ca.pem" --tls-version $v
	url=https://127.0.0.1:$FAKE_PORT
	# Not a test of time: the handshakes (slow under memcheck or qemu) may
	# take the default whole timeout, connecting included.
	tls="IMMICH_URL=$url IMMICH_JOBS_TIMEOUT=$RUN_TIMEOUT IMMICH_JOBS_CONNECT_TIMEOUT=$RUN_TIMEOUT IMMICH_JOBS_CA_FILE=$T/tls/ca.pem"

	# shellcheck disable=SC2086
	cgi GET / $tls IMMICH_JOBS_CLIENT_CERT="$T/tls/client.pem" \
	    IMMICH_JOBS_CLIENT_KEY="$T/tls/client.key"
	check "TLS $v, certificate and key set: 200 (got $STATUS)" [ "$STATUS" = 200 ]
	check "TLS $v: the totals" [ "$(json 'j["active"]')" = 16 ]
	within_bound $RUN_TIMEOUT

	# shellcheck disable=SC2086
	cgi GET / $tls IMMICH_JOBS_CLIENT_CERT="$T/tls/both.pem"
	check "TLS $v, certificate and key in one file: 200 (got $STATUS)" [ "$STATUS" = 200 ]

	# shellcheck disable=SC2086
	cgi GET / $tls
	expect_error 502 "the server at $url asks for a TLS client certificate (mutual TLS) and none is set"
	check "TLS $v, none set: names both settings" \
	    grep -qF "set IMMICH_JOBS_CLIENT_CERT and IMMICH_JOBS_CLIENT_KEY" "$T/body"
	check "TLS $v, none set: blames no port" sh -c "! grep -q 'another service\|plain http' '$T/body'"
	within_bound $RUN_TIMEOUT

	# shellcheck disable=SC2086
	cgi GET / $tls IMMICH_JOBS_CLIENT_CERT="$T/tls/stranger.pem" \
	    IMMICH_JOBS_CLIENT_KEY="$T/tls/stranger.key"
	expect_error 502 "the server at $url refused the TLS client certificate of IMMICH_JOBS_CLIENT_CERT"

	# shellcheck disable=SC2086
	cgi GET / $tls IMMICH_JOBS_CLIENT_CERT="$T/tls/client.pem" \
	    IMMICH_JOBS_CLIENT_KEY="$T/tls/stranger.key"
	expect_error 500 "IMMICH_JOBS_CLIENT_CERT or IMMICH_JOBS_CLIENT_KEY could not be used"
	check "TLS $v: the key's PEM is in no answer" \
	    sh -c "! grep -qF \"\$(sed -n 2p '$T/tls/stranger.key')\" '$T/body' '$T/stderr'"
	kill "$FAKE_PID"
done
check "every request with a good certificate reached Immich" [ "$(fake_requests /api/jobs)" -ge 1 ]

# The key file: never blocks, must be a regular file, named when unreadable.
mkfifo "$T/key.fifo"
cgi GET / IMMICH_JOBS_CLIENT_CERT="$T/tls/client.pem" IMMICH_JOBS_CLIENT_KEY="$T/key.fifo"
expect_error 500 "IMMICH_JOBS_CLIENT_KEY $T/key.fifo is a named pipe (FIFO): give a regular file holding only the private key (PEM)"
within_bound $RUN_TIMEOUT
cgi GET / IMMICH_JOBS_CLIENT_CERT="$T/tls/nothing.pem"
expect_error 500 "IMMICH_JOBS_CLIENT_CERT $T/tls/nothing.pem does not exist"
cgi GET / IMMICH_JOBS_CLIENT_KEY="$T/tls/client.key"
expect_error 500 "IMMICH_JOBS_CLIENT_KEY is set but not IMMICH_JOBS_CLIENT_CERT"
no_leak
finish
