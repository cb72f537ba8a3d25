#!/bin/sh
# When the cache cannot be written (a full disk; here a directory stands
# where the entry file goes) the lock still works, but the leader's result
# never lands: the requests that waited for it must then ask Immich side by
# side, not one after another behind the lock until they time out.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
# Side by side, the waiters answer about 2 x delay after they start (the
# leader's call, then their own); one after another, the last would need
# runs_n x delay.  The timeout lies between: 2 x delay + margin, where the
# margin (1 s + TIME_SLACK_MS: valgrind, qemu) covers the runs' own time,
# and the delay grows with it so that runs_n x delay stays a delay above.
# Under valgrind (CGI_WRAPPER) each run that loads libcurl costs ~1 s of
# CPU: fewer runs.
runs_n=8
[ -z "$CGI_WRAPPER" ] || runs_n=4
margin=$((1 + ${TIME_SLACK_MS:-0} / 1000))
delay=$((margin / (runs_n - 3) + 1))
timeout=$((2 * delay + margin))
cgi GET / IMMICH_JOBS_CACHE_TTL=1 IMMICH_JOBS_TIMEOUT=$timeout
entry=$(ls "$T"/cache/* | grep -v '\.lock$\|\.hist$\|\.out$')
rm -f "$entry" && mkdir "$entry"
spec '{"/api/jobs": {"delay": '$delay', "body_file": "'"$FIX"'/jobs-newest.json"}}'
i=0
runs=""
while [ $i -lt $runs_n ]; do
	env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/ \
	    IMMICH_URL="$FAKE_URL" IMMICH_JOBS_API_KEY="$KEY" IMMICH_JOBS_CACHE_DIR="$T/cache" \
	    IMMICH_JOBS_CACHE_TTL=1 IMMICH_JOBS_STALE_TTL=0 IMMICH_JOBS_TIMEOUT=$timeout \
	    $CGI_WRAPPER "$BIN" > "$T/out.$i" 2> "$T/err.$i" &
	runs="$runs $!"
	i=$((i + 1))
done
wait $runs
i=0
while [ $i -lt $runs_n ]; do
	split_response "$T/out.$i"
	check "run $i: 200 with the totals (not a 504 behind the lock)" \
	    [ "$STATUS:$(json 'j["active"]')" = "200:16" ]
	i=$((i + 1))
done
check "the failed write is logged" grep -qh "cannot write the cache in $T/cache" "$T"/err.*
check "no more than one Immich request per run" [ "$(fake_requests)" -le $((runs_n + 1)) ]
finish
