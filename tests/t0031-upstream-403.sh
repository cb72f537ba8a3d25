#!/bin/sh
# Immich 403: 502, the key needs an admin user and job.read; Immich's own
# message is included.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"status": 403, "body_file": "'"$FIX"'/error-403-missing-permission.json"}}'
fake_start
cgi GET /
expect_error 502 "lacks permission (Immich said: Missing required permission: job.read): it must belong to an admin user and have the job.read permission" 403
spec '{"/api/jobs": {"status": 403, "body_file": "'"$FIX"'/error-403-not-admin-v3.json"}}'
cgi GET /
expect_error 502 "(Immich said: Forbidden): it must belong to an admin user" 403
no_leak
finish
