#!/bin/sh
# Immich 403: 502; a key without job.read is told to get it, a non-admin
# user's key to be made by an admin; Immich's own message is included.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"status": 403, "body_file": "'"$FIX"'/error-403-missing-permission.json"}}'
fake_start
cgi GET /
expect_error 502 "the API key lacks the job.read permission (Immich said: Missing required permission: job.read; correlationId w1n8r5bd): in Immich, give the key job.read for /api/jobs" 403
spec '{"/api/jobs": {"status": 403, "body_file": "'"$FIX"'/error-403-not-admin-v3.json"}}'
cgi GET /
expect_error 502 "Immich refused the API key because its user is not an admin (Immich said: Forbidden): make the key as an admin user, with the job.read permission" 403
check "a non-admin key is not told it lacks a permission" sh -c "! grep -q lacks '$T/body'"
no_leak
finish
