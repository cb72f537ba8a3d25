#!/bin/sh
# Stale-if-error: when Immich fails and the last good counts are younger
# than IMMICH_JOBS_STALE_TTL, answer 200 with them plus stale, age and
# upstream_error (never "error"); older than that, the normal error.  A
# failure the user must act on (a key rejected) is the error at once.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
cgi GET / IMMICH_JOBS_CACHE_TTL=2
spec '{"/api/jobs": {"status": 500, "body": "{\"message\":\"Internal server error\"}"}}'
sleep 2.1
cgi GET / IMMICH_JOBS_CACHE_TTL=2 IMMICH_JOBS_STALE_TTL=60
check "200 while Immich fails" [ "$STATUS" = 200 ]
check "X-Cache: stale" [ "$(header X-Cache)" = stale ]
check "the last good totals" [ "$(json '[j["active"], j["waiting"], j["failed"], j["queues"]]')" = "[16, 2960, 9, 19]" ]
check "stale true, age >= 2, matches the Age header" [ "$(json 'j["stale"] is True and j["age"] >= 2')" = true ] 
check "Age header equals age" [ "$(header Age)" = "$(json 'j["age"]')" ]
check "upstream_error says what failed" [ "$(json '"Immich answered HTTP 500" in j["upstream_error"]')" = true ]
check "no error key" [ "$(json '"error" in j')" = false ]
check "Immich was asked again" [ "$(fake_requests)" = 2 ]
# The TTL is read per request: 60 s covers however long the last run took.
cgi GET / IMMICH_JOBS_CACHE_TTL=60 IMMICH_JOBS_STALE_TTL=60
check "the failure is remembered for the TTL (no new request)" [ "$(fake_requests):$STATUS:$(header X-Cache)" = "2:200:stale" ]
sleep 1.2
cgi GET / IMMICH_JOBS_CACHE_TTL=2 IMMICH_JOBS_STALE_TTL=1
expect_error 502 "Immich answered HTTP 500" 500
check "beyond the stale TTL: the normal error" [ "$(json '"stale" in j')" = false ]
# Good counts again, then the key is revoked: never hidden behind them.
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
sleep 2.1
cgi GET / IMMICH_JOBS_CACHE_TTL=2
check "counts again" [ "$STATUS:$(json 'j["stale"]')" = 200:false ]
spec '{"/api/jobs": {"status": 401, "body_file": "'"$FIX"'/error-401-invalid-key-v3.json"},
    "/api/queues": {"status": 401, "body_file": "'"$FIX"'/error-401-invalid-key-v3.json"}}'
sleep 2.1
cgi GET / IMMICH_JOBS_CACHE_TTL=2 IMMICH_JOBS_STALE_TTL=86400
expect_error 502 "Immich rejected the API key" 401
finish
