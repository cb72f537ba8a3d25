#!/bin/sh
# Immich 401 (v2 and v3 bodies): 502, the key was rejected, upstream_status 401.
. "$(dirname "$0")/lib.sh"
for f in error-401-invalid-key.json error-401-invalid-key-v3.json error-401-invalid-key-pre-v1.106.json; do
	spec '{"/api/jobs": {"status": 401, "body_file": "'"$FIX/$f"'"}}'
	[ -n "${FAKE_PID:-}" ] || fake_start
	cgi GET /
	expect_error 502 "Immich rejected the API key (Immich said: Invalid API key" 401
	check "says to check the key variables" grep -qF "check IMMICH_JOBS_API_KEY or IMMICH_JOBS_API_KEY_FILE" "$T/body"
done
no_leak
finish
