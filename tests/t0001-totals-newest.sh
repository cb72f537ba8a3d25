#!/bin/sh
# GET / against Immich v3.2's /api/jobs: the totals Homepage shows.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start

cgi GET /
check "exit code 0" [ "$CGI_RC" = 0 ]
check "status 200" [ "$STATUS" = 200 ]
check "Content-Type is application/json" [ "$(header Content-Type)" = application/json ]
check "Cache-Control: no-store" [ "$(header Cache-Control)" = no-store ]
check "totals match the fixture README" [ "$(json '[j[k] for k in ("active","waiting","failed","queues","delayed","paused","completed","queues_busy","queues_paused")]')" = "[16, 2960, 9, 19, 1, 0, 0, 9, 0]" ]
check "no error key in a success body" [ "$(json '"error" in j')" = false ]
check "one request to Immich, GET /api/jobs" [ "$(fake_requests /api/jobs)" = 1 ]
check "x-api-key sent" grep -qF "\"x-api-key\": \"$KEY\"" "$T/fake.log"
check "Accept: application/json sent" grep -qF '"Accept": "application/json"' "$T/fake.log"
check "User-Agent names the project" grep -qF '"User-Agent": "immich-jobs-proxy/' "$T/fake.log"
no_leak
finish
