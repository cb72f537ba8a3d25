#!/bin/sh
# /healthz: 200 {"status":"ok"} when the service can work, without calling
# Immich; 500 with the configuration error otherwise; and, from what the
# last call to Immich stored in the cache, Immich's own error when it lasts
# until someone acts (a key Immich refuses, an address that is not Immich's
# API), but 200 while Immich is merely down, failing or slow.
. "$(dirname "$0")/lib.sh"
fake_start
cgi GET /healthz
check "200" [ "$STATUS" = 200 ]
check 'body {"status":"ok"}' [ "$(cat "$T/body")" = '{"status":"ok"}' ]
check "Immich got no request" [ "$(fake_requests)" = 0 ]
cgi GET /healthz IMMICH_JOBS_API_KEY=
expect_error 500 "no API key"
cgi GET /healthz IMMICH_JOBS_TIMEOUT=0
expect_error 500 "IMMICH_JOBS_TIMEOUT"
check "still no request to Immich" [ "$(fake_requests)" = 0 ]

# last SPEC: what GET / met (the cache on, as the service runs); then
# /healthz, also with the cache period over (the last call still stands).
last() {
	rm -rf "$T/cache"
	spec "$1"
	cgi GET / IMMICH_JOBS_CACHE_TTL=300 IMMICH_JOBS_TIMEOUT=$FAULT_TIMEOUT
	n=$(fake_requests)
	cgi GET /healthz IMMICH_JOBS_CACHE_TTL=300 IMMICH_JOBS_TIMEOUT=$FAULT_TIMEOUT
}
last '{"/api/jobs": {"status": 401, "body_file": "'"$FIX/error-401-invalid-key.json"'"}}'
expect_error 502 "Immich rejected the API key" 401
check "a refused key: /healthz did not call Immich" [ "$(fake_requests)" = "$n" ]
check "a refused key: not logged again by /healthz" [ ! -s "$T/stderr" ]
last '{"*": {"status": 404, "body_file": "'"$FIX"'/error-404-wrong-api-path.json"}}'
expect_error 502 "Immich has no /api/jobs or /api/queues" 404
last '{"on_connect": {"raw": "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"}}'
expect_error 502 "did not answer HTTP"
last '{"/api/jobs": {"status": 503, "body": "{\"message\": \"down\", \"statusCode\": 503}", "headers": {"Content-Type": "application/json"}}}'
check "Immich failing (503): /healthz 200 (got $STATUS)" [ "$STATUS" = 200 ]
last '{"/api/jobs": {"delay": 10, "body_file": "'"$FIX/jobs-newest.json"'"}}'
check "Immich slow (a timeout): /healthz 200 (got $STATUS)" [ "$STATUS" = 200 ]
kill "$FAKE_PID"
wait "$FAKE_PID" 2>/dev/null
last '{}'
check "Immich down (connection refused): /healthz 200 (got $STATUS)" [ "$STATUS" = 200 ]
fake_start
last '{"/api/jobs": {"body_file": "'"$FIX/jobs-newest.json"'"}}'
check "Immich answers: /healthz 200 (got $STATUS)" [ "$STATUS" = 200 ]
# A refused key, then Immich answers again (the key was fixed in Immich):
# healthy at once.
spec '{"/api/jobs": {"status": 401, "body_file": "'"$FIX/error-401-invalid-key.json"'"}}'
cgi GET / IMMICH_JOBS_CACHE_TTL=1
sleep 1.1
spec '{"/api/jobs": {"body_file": "'"$FIX/jobs-newest.json"'"}}'
cgi GET / IMMICH_JOBS_CACHE_TTL=1
cgi GET /healthz IMMICH_JOBS_CACHE_TTL=1
check "the key accepted again: /healthz 200 (got $STATUS)" [ "$STATUS" = 200 ]
# From a shell: exit 1 and the message on stderr.
spec '{"/api/jobs": {"status": 401, "body_file": "'"$FIX/error-401-invalid-key.json"'"}}'
rm -rf "$T/cache"
cgi GET / IMMICH_JOBS_CACHE_TTL=300
# (The configuration of `cgi`, timeout included: the cache entry is per
# configuration, and RUN_TIMEOUT grows under memcheck and qemu.)
env -i IMMICH_URL="$FAKE_URL" IMMICH_JOBS_API_KEY="$KEY" IMMICH_JOBS_CACHE_DIR="$T/cache" \
    IMMICH_JOBS_CACHE_TTL=300 IMMICH_JOBS_TIMEOUT=$RUN_TIMEOUT "$BIN" --healthz > "$T/out" 2> "$T/err"
check "immich-jobs --healthz exits 1 after a refused key (got $?)" [ $? = 1 ]
check "... and says why" grep -q "Immich rejected the API key" "$T/err"
no_leak
finish
