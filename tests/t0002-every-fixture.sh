#!/bin/sh
# GET / over every success fixture, v1.100 to v3.2: the totals in
# tests/fixtures/README.md, through the CGI exactly as lighttpd runs it.
. "$(dirname "$0")/lib.sh"
fake_start
while read -r file api active waiting failed queues; do
	spec '{"/api/'"$api"'": {"body_file": "'"$FIX/$file"'"}}'
	cgi GET / IMMICH_JOBS_API="$api"
	check "$file: 200" [ "$STATUS" = 200 ]
	check "$file: active $active waiting $waiting failed $failed queues $queues" \
	    [ "$(json '[j["active"], j["waiting"], j["failed"], j["queues"]]')" = "[$active, $waiting, $failed, $queues]" ]
done <<'EOT'
jobs-v1.100.json jobs 14 1110 3 12
jobs-v1.106.json jobs 4 84 5 14
jobs-v1.1xx.json jobs 15 14636 23 15
jobs-v2.0.json jobs 3 17 8 15
jobs-v2.3.json jobs 3 3587 12 17
jobs-v2.x.json jobs 10 343 4 18
jobs-paused.json jobs 2 2438 1 18
jobs-newest.json jobs 16 2960 9 19
jobs-idle.json jobs 0 0 0 19
queues-v2.x.json queues 10 343 4 18
queues-newest.json queues 16 2960 9 19
queues-paused-newest.json queues 2 2438 1 19
EOT
no_leak
finish
