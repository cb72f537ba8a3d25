#!/bin/sh
# The Homepage snippets of docs/homepage.md (and README's, each one of them)
# show something true in every kind of answer without history: fresh,
# paused, idle, stale, and the errors of a misconfigured or unreachable
# Immich.  tests/homepage_snippets.py says what each check means; t0099
# does the same over every state of docs/homepage.md's table.
. "$(dirname "$0")/lib.sh"
# answer STATE [VAR=value...]: GET /homepage, status and body into $T/STATE.
answer() {
	state=$1; shift
	cgi GET /homepage "$@"
	{ echo "$STATUS"; cat "$T/body"; } > "$T/$state"
}
fixture() { spec '{"/api/jobs": {"body_file": "'"$FIX/$1"'"}}'; }
fake_start
fixture jobs-newest.json; answer fresh
fixture jobs-paused.json; answer paused
fixture real-v2.7.5/jobs-paused-delayed.json; answer real-paused
fixture real-v2.7.5/jobs-no-worker-waiting.json; answer real-no-worker
fixture jobs-idle.json; answer idle
# Stale: good counts cached, then Immich fails.
fixture jobs-newest.json
answer fresh-cached IMMICH_JOBS_CACHE_TTL=1
spec '{"/api/jobs": {"status": 500, "body": "{\"message\":\"Internal server error\"}"}}'
sleep 1.2
answer stale IMMICH_JOBS_CACHE_TTL=1 IMMICH_JOBS_STALE_TTL=60
check "stale answer: stale" [ "$(json 'j["stale"]')" = true ]
answer down IMMICH_URL=http://127.0.0.1:1
spec '{"/api/jobs": {"status": 401, "body": "{\"message\":\"Invalid API key\"}"}}'
answer misconfigured
"$PY" "$TOP/tests/homepage_snippets.py" "$TOP/docs/homepage.md" "$TOP/README.md" \
    fresh="$T/fresh" paused="$T/paused" real-paused="$T/real-paused" \
    real-no-worker="$T/real-no-worker" idle="$T/idle" stale="$T/stale" \
    down="$T/down" misconfigured="$T/misconfigured"
finish
