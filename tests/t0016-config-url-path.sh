#!/bin/sh
# A path in IMMICH_URL that Immich does not serve, against the fake's
# copies of a real Immich's answers: a path prefix (/immich) gets Immich's
# web app, 406 "... only returns text/html" since we ask for JSON; an
# endpoint given as the base (/api/jobs) gets 404 "Cannot GET
# /api/jobs/api/queues".  Both messages say to remove the path and give the
# base address.
. "$(dirname "$0")/lib.sh"
spec '{}'
fake_start

cgi GET / IMMICH_URL="$FAKE_URL/immich"
expect_error 502 "IMMICH_URL leads to Immich's web app, not its API (Immich said: The route /immich/api/jobs was requested as application/json, but only returns text/html; correlationId " 406
check "/immich: says to remove the path, gives the base" grep -qF "IMMICH_URL must be Immich's base address, without a path: remove \\\"/immich\\\" (IMMICH_URL=$FAKE_URL)" "$T/body"

cgi GET / IMMICH_URL="$FAKE_URL/api/jobs"
expect_error 502 "Immich has no /api/jobs or /api/queues at $FAKE_URL/api/jobs (Immich said: Cannot GET /api/jobs/api/queues; correlationId " 404
check "/api/jobs: says to remove the path, gives the base" grep -qF "remove \\\"/api/jobs\\\" (IMMICH_URL=$FAKE_URL)" "$T/body"
check "/api/jobs: both endpoints tried under the path" [ "$(fake_requests /api/jobs/api/jobs):$(fake_requests /api/jobs/api/queues)" = "1:1" ]

cgi GET / IMMICH_URL="$FAKE_URL/api/jobs/" IMMICH_JOBS_API=queues
expect_error 502 "Immich has no /api/queues at $FAKE_URL/api/jobs (Immich said: Cannot GET /api/jobs/api/queues" 404
check "queues: says to remove the path" grep -qF "remove \\\"/api/jobs\\\"" "$T/body"

# An Immich before v2.6 answers its web app's HTML with 200 there.
spec '{"/immich/api/jobs": {"headers": {"Content-Type": "text/html; charset=utf-8"}, "body_file": "'"$FIX"'/webapp-index-illustrative.html"}}'
cgi GET / IMMICH_URL="$FAKE_URL/immich"
expect_error 502 "IMMICH_URL answered with an HTML page, not Immich's API" 200
check "HTML: says to remove the path" grep -qF "remove \\\"/immich\\\" (IMMICH_URL=$FAKE_URL)" "$T/body"

# The base address itself still works, so the advice is right.
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
cgi GET / IMMICH_URL="$FAKE_URL"
check "the base address answers 200" [ "$STATUS" = 200 ]
no_leak
finish
