#!/bin/sh
# Every Homepage snippet of docs/homepage.md in every state of its table
# ("Each snippet in each state"), against real answers of GET /homepage to
# a fake Immich: fresh (the first answer), importing (a backlog rising while
# jobs run), draining, paused, stalled, idle, stale, Immich down, misconfigured
# (a key rejected) and maintenance (answers made from Immich's source).  The
# states with a history are polled for 30 s and more, as the ETA needs.
# tests/homepage_snippets.py --table says what each check means and that
# no state of the table goes unchecked.
. "$(dirname "$0")/lib.sh"
S=$FIX/immich-states
fake_start
start=$(date +%s)
# body SEQ ELAPSED: the /api/jobs answer of sequence SEQ, ELAPSED s in.
body() {
	"$PY" - "$1" "$2" "$FIX" <<'PYEOF'
import json, sys
seq, t, fix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
j = json.load(open(fix + "/jobs-idle.json"))
def q(name, active=0, waiting=0, paused=0, is_paused=False):
    j[name] = {"queueStatus": {"isPaused": is_paused, "isActive": active > 0},
               "jobCounts": {"active": active, "completed": 0, "failed": 0,
                             "delayed": 0, "waiting": waiting, "paused": paused}}
if seq == "importing":    # uploads arrive faster than thumbnails finish
    q("thumbnailGeneration", 4, 300 + 12 * t)
    q("metadataExtraction", 2, 3)
elif seq == "draining":   # 4 jobs a second: 240 a minute
    q("thumbnailGeneration", 4, 2000 - 4 * t)
elif seq == "stalled":    # no worker: waiting, never active
    q("metadataExtraction", 0, 50)
elif seq == "paused":     # all the work left sits in a paused queue
    q("smartSearch", 0, 0, 2417, True)
print(json.dumps(j))
PYEOF
}
SEQS="importing draining stalled"
# answer STATE [VAR=value...]: GET /homepage, status and body into $T/STATE.
answer() {
	state=$1; shift
	cgi GET /homepage "$@"
	{ echo "$STATUS"; cat "$T/body"; } > "$T/$state"
}
poll() {	# poll SEQ: one request of sequence SEQ, with its own cache
	answer "$1" IMMICH_URL="$FAKE_URL/$1" IMMICH_JOBS_CACHE_TTL=1 \
	    IMMICH_JOBS_CACHE_DIR="$T/cache-$1" IMMICH_JOBS_STALL_AFTER=10
}
write_spec
for s in $SEQS; do poll "$s"; done
poll_for_history

# The states without a history.  Fresh: the first answer, at the peak of a
# real import (Immich v3.1.0, tests/fixtures/real-v3.1.0-import/).
"$PY" -c 'import json, sys; print(json.dumps(json.loads(open(sys.argv[1]).readlines()[26])["jobs"]))' \
    "$FIX/real-v3.1.0-import/import-4-connections/recording.jsonl" > "$T/body-fresh.json"
for s in fresh paused idle; do
	[ "$s" = fresh ] || body "$s" 0 > "$T/body-$s.json"
	f=$T/body-$s.json
	spec '{"/api/jobs": {"body_file": "'"$f"'"}}'
	answer "$s" IMMICH_JOBS_CACHE_DIR="$T/cache-$s"
done
# Stale: counts cached, then Immich restarts (nothing listens).
printf '{"/api/jobs": {"body_file": "%s"}}\n' "$T/body-fresh.json" > "$T/spec2.json"
fake2_start
answer stale-before IMMICH_JOBS_CACHE_TTL=1 IMMICH_JOBS_CACHE_DIR="$T/cache-stale" \
    IMMICH_URL="$FAKE2_URL"
kill "$FAKE2_PID"; wait "$FAKE2_PID" 2>/dev/null
sleep 1.2
answer stale IMMICH_JOBS_CACHE_TTL=1 IMMICH_JOBS_CACHE_DIR="$T/cache-stale" \
    IMMICH_URL="$FAKE2_URL"
answer down IMMICH_URL=http://127.0.0.1:$(free_port)
spec '{"/api/jobs": {"status": 401, "body_file": "'"$FIX"'/error-401-invalid-key-v3.json"},
    "/api/queues": {"status": 401, "body_file": "'"$FIX"'/error-401-invalid-key-v3.json"}}'
answer misconfigured
spec '{"/api/jobs": {"status": 404, "body_file": "'"$S"'/maintenance-jobs-404.json"},
    "/api/queues": {"status": 404, "body_file": "'"$S"'/maintenance-queues-404.json"},
    "/api/server/config": {"body_file": "'"$S"'/maintenance-server-config.json"},
    "/api/admin/maintenance/status": {"body_file": "'"$S"'/maintenance-status-start.json"}}'
answer maintenance

# Each answer is the state it stands for.
is() {	# is STATE EXPR: EXPR holds of STATE's answer
	tail -n +2 "$T/$1" > "$T/$1.json"
	check "$1: $2" [ "$(json "$2" "$T/$1.json")" = true ]
}
is fresh 'j["eta"] == "collecting data" and j["waiting"] > 1000'
is importing 'j["waiting"] > 600 and j["active"] > 0'
is draining 'j["eta_seconds"] > 0 and j["eta"][0] in "≈<"'
is paused 'j["queues_paused"] == 1 and j["eta"] == "paused" and j["busy"][0]["summary"] == "paused · 2,417 waiting"'
is stalled 'j["queues_stalled"] == 1 and j["busy"][0]["summary"].startswith("stalled")'
is idle 'j["summary"] == "idle" and [q["title"] for q in j["busy"]] == ["All queues"]'
is stale 'j["stale"] and j["status"].startswith("stale") and "refuses connections" in j["upstream_error"]'
is down '"refuses connections" in j["error"] and "starting up" in j["error"]'
is misconfigured '"Immich rejected the API key" in j["error"]'
is maintenance '"Immich is in maintenance mode" in j["error"]'
set -- "Immich down=$T/down"
for s in fresh importing draining paused stalled idle stale misconfigured maintenance; do
	set -- "$@" "$s=$T/$s"
done
"$PY" "$TOP/tests/homepage_snippets.py" --table "$TOP/docs/homepage.md" \
    "$TOP/README.md" "$@"
finish
