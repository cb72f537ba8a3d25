#!/bin/sh
# One deadline per request: time spent waiting for the cache lock is taken
# from IMMICH_JOBS_TIMEOUT, so a request that waited for another one (which
# then died without an answer) and then finds Immich silent still answers
# by the timeout, not the timeout plus its wait.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"silent": true, "delay": 30}}'
fake_start
cgi GET / IMMICH_JOBS_CACHE_TTL=1 IMMICH_JOBS_TIMEOUT=2
expect_error 504 "timed out after 2 s"
lock=$(ls "$T"/cache/*.lock)
sleep 1.1		# the remembered error expires
# Another request holds the lock for 1.5 s and dies without writing.
flock -x "$lock" sleep 1.5 &
holder=$!
sleep 0.1
cgi GET / IMMICH_JOBS_CACHE_TTL=1 IMMICH_JOBS_TIMEOUT=2
wait "$holder"
expect_error 504 "timed out after 2 s"
check "answered by the 2 s deadline, wait included (took ${ELAPSED_MS} ms)" \
    [ "$ELAPSED_MS" -le $((2300 + ${TIME_SLACK_MS:-0})) ]
check "and not before the lock was free" [ "$ELAPSED_MS" -ge 1300 ]
no_leak
finish
