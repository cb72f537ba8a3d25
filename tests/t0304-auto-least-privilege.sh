#!/bin/sh
# IMMICH_JOBS_API=auto with a least-privilege key: a 403 from /api/jobs
# naming a missing permission falls back to /api/queues as a 404 does; when
# both refuse, one message names both permissions and IMMICH_JOBS_API.
# Every message names the permission of the endpoint actually asked.
. "$(dirname "$0")/lib.sh"
R=$FIX/real-v2.7.5
# A key with queue.read only (real v2.7.5 answers).
spec '{"/api/jobs": {"http_file": "'"$R"'/error-403-missing-job-read.http"},
       "/api/queues": {"body_file": "'"$FIX"'/queues-newest.json"}}'
fake_start
cgi GET /
check "queue.read-only key: 200 through /api/queues" [ "$STATUS" = 200 ]
check "queue.read-only key: totals of queues-newest" [ "$(json '[j["active"], j["waiting"], j["failed"], j["queues"]]')" = "[16, 2960, 9, 19]" ]
check "both endpoints asked once" [ "$(fake_requests /api/jobs):$(fake_requests /api/queues)" = "1:1" ]

# A key with neither: one message, both permissions, IMMICH_JOBS_API.
spec '{"/api/jobs": {"http_file": "'"$R"'/error-403-missing-job-read.http"},
       "/api/queues": {"http_file": "'"$R"'/error-403-missing-queue-read.http"}}'
cgi GET /
expect_error 502 "the API key may read neither /api/jobs (job.read) nor /api/queues (queue.read) (Immich said: Missing required permission: queue.read; correlationId o41gsq2n): in Immich, give it queue.read (v2.4+, then IMMICH_JOBS_API=queues) or job.read (then IMMICH_JOBS_API=jobs)" 403

# An Immich before v2.4 (no /api/queues): the refusal of /api/jobs is why.
spec '{"/api/jobs": {"status": 403, "body_file": "'"$FIX"'/error-403-missing-permission.json"}}'
cgi GET /
expect_error 502 "the API key lacks the job.read permission (Immich said: Missing required permission: job.read; correlationId w1n8r5bd)" 403
check "pre-v2.4: not blamed on /api/queues' 404" sh -c "! grep -q 'Cannot GET' '$T/body'"

# A non-admin user's key: /api/queues would refuse the same; not asked.
spec '{"/api/jobs": {"http_file": "'"$R"'/error-403-non-admin.http"}}'
before=$(fake_requests /api/queues)
cgi GET /
expect_error 502 "its user is not an admin" 403
check "non-admin: no fallback" [ "$(fake_requests /api/queues)" = "$before" ]

# IMMICH_JOBS_API=queues: a 403 asks for queue.read, never job.read.
spec '{"/api/queues": {"http_file": "'"$R"'/error-403-missing-queue-read.http"}}'
cgi GET / IMMICH_JOBS_API=queues
expect_error 502 "the API key lacks the queue.read permission" 403
check "queues: job.read not named" sh -c "! grep -q job.read '$T/body'"
spec '{"/api/queues": {"http_file": "'"$R"'/error-403-non-admin.http"}}'
cgi GET / IMMICH_JOBS_API=queues
expect_error 502 "make the key as an admin user, with the queue.read permission" 403
# IMMICH_JOBS_API=jobs: no fallback on a 403.
spec '{"/api/jobs": {"http_file": "'"$R"'/error-403-missing-job-read.http"},
       "/api/queues": {"body_file": "'"$FIX"'/queues-newest.json"}}'
before=$(fake_requests /api/queues)
cgi GET / IMMICH_JOBS_API=jobs
expect_error 502 "the API key lacks the job.read permission" 403
check "jobs: /api/queues not asked" [ "$(fake_requests /api/queues)" = "$before" ]
no_leak
finish
