#!/bin/sh
# IMMICH_JOBS_CACHE_TTL: a miss calls Immich, a hit within the TTL does not,
# after the TTL it is a miss again; TTL 0 calls Immich every time.  Each
# request reads the TTL and the entry does not depend on it, so the hits
# are asked for with a TTL far longer than a slow, busy machine (or
# valgrind) takes between two requests, and the expiry with a short one
# after sleeping it out: both hold however long a run takes.  The exact
# boundaries, to the second, are unit tests (test_counts.c).
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
cgi GET / IMMICH_JOBS_CACHE_TTL=60
check "first: miss" [ "$STATUS:$(header X-Cache):$(header Age)" = "200:miss:0" ]
cp "$T/body" "$T/first"
cgi GET / IMMICH_JOBS_CACHE_TTL=60
check "second: hit" [ "$STATUS:$(header X-Cache)" = "200:hit" ]
check "hit: same body" cmp -s "$T/body" "$T/first"
check "one request to Immich so far" [ "$(fake_requests)" = 1 ]
cgi GET /metrics IMMICH_JOBS_CACHE_TTL=60
check "/metrics: from the same cached counts" [ "$(header X-Cache):$(fake_requests)" = "hit:1" ]
check "/metrics: values from the cache" grep -qx 'immich_jobs{queue="thumbnailGeneration",state="waiting"} 902' "$T/body"
sleep 2.1
cgi GET / IMMICH_JOBS_CACHE_TTL=2
check "after the TTL: miss" [ "$(header X-Cache):$(fake_requests)" = "miss:2" ]
cgi GET / IMMICH_JOBS_CACHE_TTL=0
cgi GET / IMMICH_JOBS_CACHE_TTL=0
check "TTL 0: every request calls Immich" [ "$(fake_requests)" = 4 ]
check "TTL 0: no X-Cache header" [ -z "$(header X-Cache)" ]
finish
