#!/bin/sh
# GET / and /metrics over every body captured from a real Immich v2.7.5
# (tests/fixtures/real-v2.7.5/): the totals its README states
# (tests/fixtures/README.md), through the CGI exactly as lighttpd runs it.
. "$(dirname "$0")/lib.sh"
fake_start
R=$FIX/real-v2.7.5
while read -r file api active waiting failed queues busy paused; do
	spec '{"/api/'"$api"'": {"body_file": "'"$R/$file"'"}}'
	cgi GET / IMMICH_JOBS_API="$api"
	check "$file: 200" [ "$STATUS" = 200 ]
	check "$file: active $active waiting $waiting failed $failed queues $queues" \
	    [ "$(json '[j["active"], j["waiting"], j["failed"], j["queues"]]')" = "[$active, $waiting, $failed, $queues]" ]
	check "$file: $busy queues busy, $paused paused" \
	    [ "$(json '[j["queues_busy"], j["queues_paused"], len(j["by_queue"])]')" = "[$busy, $paused, $queues]" ]
	cgi GET /metrics IMMICH_JOBS_API="$api"
	check "$file: /metrics adds up to active $active, failed $failed" \
	    [ "$(awk '/^immich_jobs\{/ && /state="active"/ {a += $2} /^immich_jobs\{/ && /state="failed"/ {f += $2} END {print a + 0, f + 0}' "$T/body")" = "$active $failed" ]
done <<'EOT'
jobs-active-waiting.json jobs 3 80 0 18 4 0
jobs-idle.json jobs 0 0 0 18 0 0
jobs-no-worker-waiting.json jobs 0 23 0 18 8 0
jobs-paused-delayed.json jobs 0 15 0 18 5 4
queues-active-waiting.json queues 3 80 0 18 4 0
queues-idle.json queues 0 0 0 18 0 0
queues-paused-delayed.json queues 0 15 0 18 5 4
EOT
no_leak
finish
