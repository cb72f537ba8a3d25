#!/bin/sh
# One deadline per request: time spent waiting for the cache lock is taken
# from IMMICH_JOBS_TIMEOUT, so a request that waited for another one (which
# then died without an answer) and then finds Immich silent still answers
# by the timeout, not the timeout plus its wait.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"silent": true, "delay": 30}}'
fake_start
# The lock is held for hold s and the timeout is 1 s more: taken from the
# one deadline, the answer comes by the timeout (+ 1 s, the documented
# bound); added to it, after hold + timeout s.  hold grows with
# TIME_SLACK_MS (valgrind, qemu) so that the two stay apart however slow
# the runs are.
slack=$((${TIME_SLACK_MS:-0} / 1000))
hold=$((2 + slack))
timeout=$((hold + 1))
cgi GET / IMMICH_JOBS_CACHE_TTL=1 IMMICH_JOBS_TIMEOUT=$timeout
expect_error 504 "timed out after $timeout s"
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
within_bound $timeout
check "and not before the lock was free (took ${ELAPSED_MS} ms)" \
    [ "$ELAPSED_MS" -ge $((hold * 1000 - 500)) ]
no_leak
finish
