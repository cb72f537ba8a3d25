#!/bin/sh
# An error remembered from the cache says so: X-Cache: hit and its Age,
# and Immich is not asked again within the TTL.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"status": 401, "body_file": "'"$FIX"'/error-401-invalid-key-v3.json"}}'
fake_start
# A TTL far longer than a busy machine takes for the two runs, and the Age
# between what the sleep guarantees and the seconds that passed between
# the first run's start and the second's end (1 or 2 on an idle machine).
began=$(date +%s)
cgi GET / IMMICH_JOBS_CACHE_TTL=60
expect_error 502 "Immich rejected the API key" 401
check "first: X-Cache: miss, Age: 0" [ "$(header X-Cache):$(header Age)" = "miss:0" ]
sleep 1.1
cgi GET / IMMICH_JOBS_CACHE_TTL=60
ended=$(date +%s)
expect_error 502 "Immich rejected the API key" 401
check "then: X-Cache: hit" [ "$(header X-Cache)" = hit ]
check "Age counts from the failure (1 to $((ended - began)) s, got $(header Age))" \
    sh -c "[ '$(header Age)' -ge 1 ] && [ '$(header Age)' -le $((ended - began)) ]"
check "Immich was asked once" [ "$(fake_requests)" = 1 ]
no_leak
finish
