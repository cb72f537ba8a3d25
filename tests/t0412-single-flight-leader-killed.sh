#!/bin/sh
# Single-flight when the leader dies: the request calling a slow Immich is
# killed (SIGKILL) while 40 others wait for its result.  One of them takes
# its place and the rest wait for that one: at most one more Immich call,
# and every waiter answers 200 with the totals.
. "$(dirname "$0")/lib.sh"
# The leader's call never ends before it is killed, however slow the
# machine (valgrind); the next call takes a second.
spec '{"/api/jobs": [{"delay": 120, "body_file": "'"$FIX"'/jobs-newest.json"},
    {"delay": 1, "body_file": "'"$FIX"'/jobs-newest.json"}]}'
fake_start
# Under valgrind (CGI_WRAPPER) each run costs a second of CPU or more.
waiters=40
[ -z "$CGI_WRAPPER" ] || waiters=8
timeout=$((20 + ${TIME_SLACK_MS:-0} / 1000))
# has_lock_open PID: the process has the cache's lock file open.
has_lock_open() {
	ls -l "/proc/$1/fd" 2>/dev/null | grep -q '\.lock$'
}
cgi_bg leader IMMICH_JOBS_TIMEOUT=$timeout
leader=$BG_PID
PIDS="$PIDS $leader"
i=0
while [ "$(fake_requests)" -lt 1 ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
check "the leader is calling Immich" [ "$(fake_requests)" = 1 ]
i=0
runs=""
while [ $i -lt $waiters ]; do
	cgi_bg $i IMMICH_JOBS_TIMEOUT=$timeout
	runs="$runs $BG_PID"
	i=$((i + 1))
done
# Kill the leader only once every waiter is waiting on the lock.
for p in $runs; do
	i=0
	while ! has_lock_open "$p" && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
done
check "the leader was still calling Immich when killed" kill -0 "$leader"
kill -KILL "$leader"
wait $runs
check "at most one more Immich call for all $waiters waiters (got $(($(fake_requests) - 1)))" \
    [ "$(fake_requests)" -le 2 ]
i=0
ok=0
while [ $i -lt $waiters ]; do
	split_response "$T/out.$i"
	[ "$STATUS:$(json 'j["waiting"]')" = "200:2960" ] && ok=$((ok + 1))
	i=$((i + 1))
done
check "all $waiters waiters: 200 with the totals (got $ok)" [ "$ok" = "$waiters" ]
finish
