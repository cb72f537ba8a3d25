#!/bin/sh
# Single-flight: 12 CGI runs at once against a slow Immich make exactly one
# upstream request and give 12 identical answers.  The timeout is the
# longest allowed: the test is about the lock, and 12 runs starting at once
# on a busy machine (or under valgrind) may take many seconds to get going.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"delay": 1.5, "body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
i=0
runs=""
while [ $i -lt 12 ]; do
	cgi_bg $i IMMICH_JOBS_CACHE_TTL=300 IMMICH_JOBS_TIMEOUT=60
	runs="$runs $BG_PID"
	i=$((i + 1))
done
wait $runs
check "exactly one request reached Immich" [ "$(fake_requests)" = 1 ]
i=0
while [ $i -lt 12 ]; do
	split_response "$T/out.$i"
	check "run $i: 200 with the totals" [ "$STATUS:$(json 'j["waiting"]')" = "200:2960" ]
	sed '/^Age:/d; /^X-Cache:/d' "$T/headers" > "$T/h.$i"
	cp "$T/body" "$T/b.$i"
	i=$((i + 1))
done
check "12 identical bodies" [ "$(cat "$T"/b.* | sort | uniq -c | wc -l)" = 1 ]
check "one miss, the rest hits" [ "$(grep -h '^X-Cache' "$T"/out.* | tr -d '\r' | sort | uniq -c | tr -s ' ' | tr '\n' ';')" = " 11 X-Cache: hit; 1 X-Cache: miss;" ]
finish
