#!/bin/sh
# The 401/403/404 answers captured from a real Immich v2.7.5 (status,
# headers, body: tests/fixtures/real-v2.7.5/*.http), each with the message
# its cause deserves and Immich's correlationId.
. "$(dirname "$0")/lib.sh"
R=$FIX/real-v2.7.5
serve() { spec '{"/api/jobs": {"http_file": "'"$R/$1"'"}, "/api/queues": {"http_file": "'"$R/${2:-$1}"'"}}'; }
serve error-401-no-key.http
fake_start

cgi GET /
echo "# 401, no key arrived"
expect_error 502 "Immich received no API key (Immich said: Authentication required; correlationId y4x0h4ok): something between here and Immich drops the x-api-key header" 401

serve error-401-wrong-key.http
cgi GET /
echo "# 401, wrong key"
expect_error 502 "Immich rejected the API key (Immich said: Invalid API key; correlationId cb3146z5): check IMMICH_JOBS_API_KEY or IMMICH_JOBS_API_KEY_FILE" 401

serve error-403-missing-job-read.http
cgi GET / IMMICH_JOBS_API=jobs
echo "# 403, a key with queue.read only, on /api/jobs"
expect_error 502 "the API key lacks the job.read permission (Immich said: Missing required permission: job.read; correlationId y6csff0j): in Immich, give the key job.read for /api/jobs" 403

serve error-403-missing-queue-read.http
cgi GET / IMMICH_JOBS_API=queues
echo "# 403, a key with job.read only, on /api/queues"
expect_error 502 "the API key lacks the queue.read permission (Immich said: Missing required permission: queue.read; correlationId o41gsq2n): in Immich, give the key queue.read for /api/queues" 403
check "names no other permission" sh -c "! grep -q job.read '$T/body'"

serve error-403-non-admin.http
before=$(fake_requests /api/queues)
cgi GET /
echo "# 403, a non-admin user's key"
expect_error 502 "Immich refused the API key because its user is not an admin (Immich said: Forbidden; correlationId l6o0tv5o): make the key as an admin user, with the job.read permission" 403
check "non-admin: not called a missing permission" sh -c "! grep -q lacks '$T/body'"
check "non-admin: /api/queues not asked (it refuses the same)" [ "$(fake_requests /api/queues)" = "$before" ]

serve error-404-unknown-api-path.http
cgi GET / IMMICH_JOBS_API=jobs
echo "# 404"
expect_error 502 "Immich has no /api/jobs at $FAKE_URL (Immich said: Cannot GET /api/nonexistent; correlationId ay8epuif): check IMMICH_URL" 404
no_leak
finish
