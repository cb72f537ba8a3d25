#!/bin/sh
# Rate, ETA and stalled queues end to end: a fake Immich whose answers
# change with the clock, polled by the CGI for about 35 s, one cache
# directory per sequence (draining steadily, growing, stalled, paused,
# emptied, idle), each under its own path of the one fake.  The figures
# worked out by hand for each sequence are in tests/unit/test_history.c;
# here they must come through the cache, the body and /metrics.
. "$(dirname "$0")/lib.sh"
fake_start
start=$(date +%s)
# body SEQ ELAPSED: the /api/jobs answer of sequence SEQ, ELAPSED seconds in.
body() {
	"$PY" - "$1" "$2" "$FIX" <<'PYEOF'
import json, sys
seq, t, fix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def q(active=0, waiting=0, delayed=0, paused=0, is_paused=False):
    return {"jobCounts": {"active": active, "completed": 0, "failed": 0,
            "delayed": delayed, "waiting": waiting, "paused": paused},
            "queueStatus": {"isActive": active > 0, "isPaused": is_paused}}
if seq == "stalled":
    print(open(fix + "/real-v2.7.5/jobs-no-worker-waiting.json").read())
    sys.exit()
j = {"library": q()}
if seq == "draining":     # 4 jobs a second: 240 a minute
    j["thumbnailGeneration"] = q(4, 2000 - 4 * t)
elif seq == "growing":
    j["thumbnailGeneration"] = q(2, 500 + 3 * t)
elif seq == "paused":
    j["smartSearch"] = q(0, 0, 0, 2417, True)
elif seq == "emptied":    # draining, then emptied by hand at 20 s
    j["thumbnailGeneration"] = q(4, 2000 - 4 * t) if t < 20 else q()
print(json.dumps(j))
PYEOF
}
SEQS="draining growing stalled paused emptied idle"
poll() {	# poll SEQ: the CGI for SEQ, body in $T/SEQ.json
	cgi GET "${2:-/}" IMMICH_URL="$FAKE_URL/$1" IMMICH_JOBS_CACHE_TTL=1 \
	    IMMICH_JOBS_CACHE_DIR="$T/cache-$1" IMMICH_JOBS_STALL_AFTER=10
	cp "$T/body" "$T/$1${2:+.metrics}.json"
}
# First poll: one fetch is too little for an estimate.
write_spec
for s in $SEQS; do poll "$s"; done
key() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$T/$1.json" "$2"; }
check "draining, first fetch: collecting data" [ "$(key draining eta)" = "collecting data" ]
check "stalled, first fetch: no queue stalled yet" [ "$(key stalled queues_stalled)" = 0 ]
# Then a fetch every 2 s, and a last one at least 31 s after every
# sequence's first.
poll_for_history
# Each answer as of its own poll: under valgrind a round takes long.
for s in $SEQS; do write_spec; poll "$s" /metrics; done
el=$(( $(date +%s) - start ))
"$PY" - "$T" "$el" > "$T/check" 2>&1 <<'PYEOF'
import json, sys
from prometheus_client.parser import text_string_to_metric_families
d, el = sys.argv[1], int(sys.argv[2])
def body(s): return json.load(open("%s/%s.json" % (d, s)))
def row(b, name): return [q for q in b["by_queue"] if q["name"] == name][0]
def metric(s, name):
    fams = {f.name: f for f in text_string_to_metric_families(open("%s/%s.metrics.json" % (d, s)).read())}
    return {x.labels["queue"]: x.value for x in fams[name].samples}
def expect(cond, what): print(("ok - " if cond else "not ok - ") + what)

b = body("draining"); q = row(b, "thumbnailGeneration")
# 4 jobs/s: 240 a minute (whole-second clocks: within 15 %); ETA = backlog / 4.
expect(204 <= q["rate"] <= 276, "draining: rate %.1f/min is 240 within 15 %%" % q["rate"])
left = q["active"] + q["waiting"]
expect(abs(q["eta_seconds"] - left / 4) <= 0.15 * left / 4 + 1,
       "draining: eta_seconds %d is backlog %d / 4 within 15 %%" % (q["eta_seconds"], left))
expect(q["eta"].startswith("\u2248 ") and q["eta"].endswith("m"), "draining: eta text %r" % q["eta"])
expect(b["eta_seconds"] == q["eta_seconds"] and b["rate"] == q["rate"], "draining: the whole backlog is that queue's")
expect(q["stalled"] is False, "draining: not stalled")

q = row(body("growing"), "thumbnailGeneration")
expect(q["rate"] == 0 and q["eta_seconds"] == 0 and q["eta"] == "importing", "growing: rate 0, importing (%r)" % q)

b = body("stalled")
stalled = sorted(x["name"] for x in b["by_queue"] if x["stalled"])
want = sorted(["thumbnailGeneration", "metadataExtraction", "smartSearch", "duplicateDetection",
               "faceDetection", "sidecar", "library"])
expect(stalled == want, "stalled: exactly the 7 queues with waiting work (%s)" % stalled)
expect(b["queues_stalled"] == 7, "stalled: queues_stalled 7")
expect(all(x["stalled"] for x in b["by_queue"][:7]), "stalled: they sort first")
expect(row(b, "metadataExtraction")["summary"] == "stalled \u00b7 15 waiting", "stalled: summary %r" % row(b, "metadataExtraction")["summary"])
expect(row(b, "notifications")["stalled"] is False, "stalled: delayed jobs alone are no stall")
m = metric("stalled", "immich_queue_stalled")
expect(sorted(k for k, v in m.items() if v == 1) == want and len(m) == 18, "stalled: immich_queue_stalled")

b = body("paused")
expect(row(b, "smartSearch")["eta"] == "paused" and b["eta"] == "paused", "paused: eta paused, queue and whole backlog")
e = metric("paused", "immich_queue_eta_seconds")
expect(e["smartSearch"] == float("inf") and e["library"] == 0, "paused: immich_queue_eta_seconds +Inf, idle 0")

b = body("emptied")
q = row(b, "thumbnailGeneration")
expect(q["eta"] == "idle" and q["eta_seconds"] == 0 and q["rate"] >= 0, "emptied: idle, no ETA, no negative rate")
e = metric("draining", "immich_queue_eta_seconds")["thumbnailGeneration"]
c = {k[1]: v for k, v in ((("q", x.labels["state"]), x.value) for f in text_string_to_metric_families(
     open("%s/draining.metrics.json" % d).read()) if f.name == "immich_jobs" for x in f.samples
     if x.labels["queue"] == "thumbnailGeneration")}
left = c["active"] + c["waiting"]
expect(abs(e - left / 4) <= 0.15 * left / 4 + 1,
       "draining: immich_queue_eta_seconds %s is its backlog %d / 4 within 15 %%" % (e, left))

b = body("idle")
expect(b["eta"] == "idle" and b["rate"] == 0 and b["queues_stalled"] == 0, "idle: eta idle, rate 0")
PYEOF
cat "$T/check"
check "the checks ran" grep -q '^ok - idle' "$T/check"
check "no check failed" sh -c "! grep -q '^not ok\|Traceback' '$T/check'"
for s in $SEQS; do check "$s: no key in the history" sh -c "! grep -rqF '$KEY' '$T/cache-$s'"; done
no_leak
finish
