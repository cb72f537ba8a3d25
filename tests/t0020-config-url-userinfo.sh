#!/bin/sh
# IMMICH_URL=http://user:p@ss@host (a raw '@' in the password): the check
# at configuration time and the request agree.  The last '@' before the
# host ends user:password, which goes to Immich as HTTP Basic
# authentication, set apart from the URL: the request's path is Immich's,
# and the password appears in no output.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-v1.100.json"}}'
fake_start
basic=$(printf '%s' 'user:p@ss' | base64)
for url in "http://user:p@ss@127.0.0.1:$FAKE_PORT" "http://us%65r:p%40ss@127.0.0.1:$FAKE_PORT/api/"; do
	: > "$T/fake.log"
	cgi GET / IMMICH_URL="$url"
	echo "# $url"
	check "200 with jobs-v1.100.json's totals (got $STATUS)" [ "$STATUS:$(json 'j["active"]')" = "200:14" ]
	check "Immich got Authorization: Basic of user:p@ss" \
	    grep -qF "\"Authorization\": \"Basic $basic\"" "$T/fake.log"
	check "the request went to /api/jobs" [ "$(fake_requests /api/jobs)" = 1 ]
	cgi GET /healthz IMMICH_URL="$url"
	check "/healthz agrees: 200 (got $STATUS)" [ "$STATUS" = 200 ]
done
check "the password is in no output" sh -c "! grep -qF 'p@ss' '$T/all-output'"
# "%00" cannot be sent: refused at configuration time, not by every request.
cgi GET /healthz IMMICH_URL="http://user:a%00b@127.0.0.1:$FAKE_PORT"
expect_error 500 "IMMICH_URL's user name or password holds %00"
no_leak
finish
