#!/bin/sh
# Immich's own states without counts are named as such, never as a wrong
# IMMICH_URL: maintenance mode (v2.3+: a smaller server whose /api/jobs and
# /api/queues are 404 and whose /api/server/config says maintenanceMode),
# with what its status says it does; starting up, migrating the database
# and restarting (nothing listens: refused).  Answers made from Immich's
# source: tests/fixtures/immich-states/ (see tests/fixtures/README.md).
. "$(dirname "$0")/lib.sh"
S=$FIX/immich-states
# maintenance STATUS_FILE: the maintenance server, its status answer from
# STATUS_FILE (or a 404 when "none").
maintenance() {
	st='"status": 404'
	[ "$1" = none ] || st='"body_file": "'"$S/$1"'"'
	spec '{"/api/jobs": {"status": 404, "body_file": "'"$S"'/maintenance-jobs-404.json"},
	    "/api/queues": {"status": 404, "body_file": "'"$S"'/maintenance-queues-404.json"},
	    "/api/server/config": {"body_file": "'"$S"'/maintenance-server-config.json"},
	    "/api/admin/maintenance/status": {'"$st"'}}'
}
not_url() { check "not blamed on IMMICH_URL" sh -c "! grep -q 'check IMMICH_URL\|remove \"' '$T/body'"; }
fake_start
maintenance maintenance-status-start.json
for api in auto jobs queues; do
	cgi GET / IMMICH_JOBS_API=$api
	echo "# IMMICH_JOBS_API=$api"
	expect_error 503 "Immich is in maintenance mode (an admin is maintaining it)" 404
	check "Status line: 503 Service Unavailable" grep -q '^Status: 503 Service Unavailable' "$T/headers"
	not_url
done
cgi GET /homepage
expect_error 200 "Immich is in maintenance mode"
maintenance maintenance-status-restore-migrations.json
cgi GET /
expect_error 503 "Immich is in maintenance mode (restoring a database backup: migrating the database, 90 %)" 404
# A maintenance server without the status route: maintenance all the same.
maintenance none
cgi GET /
expect_error 503 "Immich is in maintenance mode (an admin is maintaining it)" 404
cgi GET /metrics
check "/metrics in maintenance: 200, immich_jobs_up 0" sh -c "[ '$STATUS' = 200 ] && grep -q '^immich_jobs_up 0' '$T/body'"

# A normal server with no job API at IMMICH_URL's path is still a path.
spec '{"/immich/api/jobs": {"status": 404, "body_file": "'"$FIX"'/error-404-wrong-api-path-v3.json"},
    "/immich/api/queues": {"status": 404, "body_file": "'"$FIX"'/error-404-wrong-api-path-v3.json"},
    "/immich/api/server/config": {"body_file": "'"$S"'/server-config-v3.json"}}'
cgi GET / IMMICH_URL="$FAKE_URL/immich"
expect_error 502 "without a path: remove" 404
check "a normal server is not in maintenance" sh -c "! grep -q maintenance '$T/body'"
check "it was asked" [ "$(fake_requests /immich/api/server/config)" = 1 ]

# Counts, then maintenance: the last counts, saying they are stale and why.
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
cgi GET / IMMICH_JOBS_CACHE_TTL=1
maintenance maintenance-status-start.json
sleep 1.2
cgi GET / IMMICH_JOBS_CACHE_TTL=1
check "maintenance after counts: 200, stale" [ "$STATUS:$(json 'j["stale"]')" = 200:true ]
check "upstream_error: maintenance mode" [ "$(json '"maintenance mode" in j["upstream_error"]')" = true ]
check "summary: stale · ..." [ "$(json 'j["summary"].startswith("stale · ")')" = true ]

# Starting up, migrating, restarting: nothing listens on the port.
port=$(free_port)
cgi GET / IMMICH_URL=http://127.0.0.1:$port
expect_error 502 "Immich at http://127.0.0.1:$port refuses connections"
for w in "starting up" "migrating its database" "restarting" "stopped"; do
	check "refused: names '$w'" grep -qF "$w" "$T/body"
done
not_url
cgi GET /homepage IMMICH_URL=http://127.0.0.1:$port
expect_error 200 "refuses connections"
no_leak
finish
