#!/bin/sh
# Two configurations (another key, another URL) never share a cache entry.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
cgi GET / IMMICH_JOBS_CACHE_TTL=60
cgi GET / IMMICH_JOBS_CACHE_TTL=60 IMMICH_JOBS_API_KEY=anotherkey0123456789
check "another key: miss" [ "$(header X-Cache)" = miss ]
cgi GET / IMMICH_JOBS_CACHE_TTL=60 IMMICH_URL="$FAKE_URL/api"
check "same base URL written another way: hit" [ "$(header X-Cache)" = hit ]
cgi GET / IMMICH_JOBS_CACHE_TTL=60 IMMICH_URL="http://localhost:$FAKE_PORT"
check "another URL: miss" [ "$(header X-Cache)" = miss ]
cgi GET / IMMICH_JOBS_CACHE_TTL=60
check "the first configuration: hit" [ "$(header X-Cache)" = hit ]
check "three requests to Immich" [ "$(fake_requests)" = 3 ]
check "three entries" [ "$(ls "$T/cache" | grep -vc '\.lock$\|\.hist$\|\.out$')" = 3 ]
finish
