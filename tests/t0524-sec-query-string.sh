#!/bin/sh
# The query string changes nothing: url=, IMMICH_URL=, the key, the CA
# file, the API and the timeout in it are ignored.  IMMICH_URL's fake gets
# the request with the configured key; a second fake on 127.0.0.2, the
# URL the query names, gets nothing.  Through lighttpd and the CGI alone.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
fake2_start --bind 127.0.0.2
lighttpd_start IMMICH_JOBS_TIMEOUT=2
q="url=$FAKE2_URL/&IMMICH_URL=$FAKE2_URL/&immich_url=$FAKE2_URL&IMMICH_JOBS_API_KEY=other-key&IMMICH_JOBS_API=queues&IMMICH_JOBS_CA_FILE=/etc/passwd&IMMICH_JOBS_TIMEOUT=60&x-api-key=other-key"
for p in "/?$q" "/metrics?$q" "/?url=$FAKE2_URL/api/jobs%23"; do
	http GET "$p"
	echo "# GET $(echo "$p" | cut -c1-60)..."
	check "200" [ "$STATUS" = 200 ]
done
check "IMMICH_URL's fake got the 3 requests, on /api/jobs" [ "$(fake_requests /api/jobs)" = 3 ]
check "all with the configured key" [ "$(grep -cF "\"x-api-key\": \"$KEY\"" "$T/fake.log")" = 3 ]
check "the query string was not passed on" sh -c "! grep -qF 'other-key' '$T/fake.log'"

cgi GET / QUERY_STRING="$q" IMMICH_JOBS_TIMEOUT=2
check "CGI alone: 200" [ "$STATUS" = 200 ]
check "CGI alone: the totals from IMMICH_URL" [ "$(json 'j["active"]')" = 16 ]
check "IMMICH_URL's fake got it" [ "$(fake_requests /api/jobs)" = 4 ]
check "the URL in the query got nothing" [ ! -s "$T/fake2.log" ]
no_leak
finish
