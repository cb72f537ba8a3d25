#!/bin/sh
# One deadline per request: time spent waiting for the cache lock is taken
# from IMMICH_JOBS_TIMEOUT, so a request that waited for another one (which
# then died without an answer) and then finds Immich silent still answers
# by the timeout, not the timeout plus its wait.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"silent": true, "delay": 30}}'
fake_start
# The lock is held for hold s and the timeout is 1 s more.  The first run,
# with no lock to wait for, times out after the timeout plus what a run
# costs on this machine (memcheck, qemu, load): the reference.  Taken from
# the one deadline, the wait leaves the second run about as long; added to
# it, hold s longer.  hold grows with TIME_SLACK_MS so that the two stay
# apart however noisy the runs' cost.
slack=$((${TIME_SLACK_MS:-0} / 1000))
hold=$((2 + slack))
timeout=$((hold + 1))
cgi GET / IMMICH_JOBS_CACHE_TTL=1 IMMICH_JOBS_TIMEOUT=$timeout
expect_error 504 "timed out after $timeout s"
reference_ms=$ELAPSED_MS
lock=$(ls "$T"/cache/*.lock)
sleep 1.1		# the remembered error expires
# Another request holds the lock for hold s and dies without writing;
# the CGI starts once it is held.
flock -x "$lock" sh -c ": > '$T/held'; sleep $hold" &
holder=$!
i=0
while [ ! -e "$T/held" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
cgi GET / IMMICH_JOBS_CACHE_TTL=1 IMMICH_JOBS_TIMEOUT=$timeout
wait "$holder"
expect_error 504 "timed out after $timeout s"
check "the wait is taken from the deadline: ${ELAPSED_MS} ms, at most $((hold * 500)) ms over the ${reference_ms} ms without a wait" \
    [ "$ELAPSED_MS" -le $((reference_ms + hold * 500)) ]
check "and not before the lock was free (took ${ELAPSED_MS} ms)" \
    [ "$ELAPSED_MS" -ge $((hold * 1000 - 500)) ]
no_leak
finish
