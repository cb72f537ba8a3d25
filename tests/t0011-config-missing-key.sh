#!/bin/sh
# No API key in either variable: 500 naming both, and the permission of
# the endpoint IMMICH_JOBS_API asks.
. "$(dirname "$0")/lib.sh"
fake_start
cgi GET / IMMICH_JOBS_API_KEY=
expect_error 500 "set IMMICH_JOBS_API_KEY or IMMICH_JOBS_API_KEY_FILE to an Immich API key with the job.read or queue.read permission"
check "Immich was not called" [ "$(fake_requests)" = 0 ]
cgi GET / IMMICH_JOBS_API_KEY= IMMICH_JOBS_API=queues
expect_error 500 "an Immich API key with the queue.read permission"
check "queues: job.read not asked for" sh -c "! grep -q job.read '$T/body'"
cgi GET / IMMICH_JOBS_API_KEY= IMMICH_JOBS_API=jobs
expect_error 500 "an Immich API key with the job.read permission"
check "jobs: queue.read not asked for" sh -c "! grep -q queue.read '$T/body'"
finish
