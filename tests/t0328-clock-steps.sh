#!/bin/sh
# A step of the wall clock is no time that passed: a Raspberry Pi boots on
# an old saved time and steps when NTP syncs; clocks are set by hand.  The
# same polls (every 10 s: an import, then its drain, with Immich down for
# a while) replayed through the service twice, once with the wall clock
# stepped hours forward and back between requests: the answers are the
# same but for "updated".  No cache entry expires, no stale counts age, no
# stall and no ETA comes from a step.
. "$(dirname "$0")/lib.sh"
"$PY" - "$T" <<'PYEOF'
import json, sys
d = sys.argv[1]
def q(active=0, waiting=0):
    return {"jobCounts": {"active": active, "completed": 0, "failed": 0,
            "delayed": 0, "waiting": waiting, "paused": 0},
            "queueStatus": {"isActive": active > 0, "isPaused": False}}
t0, lines = 1800000000, []
steps = {8: 3 * 3600, 16: -5 * 3600, 24: 2 * 3600, 30: -9 * 3600}
step = 0
for i in range(40):
    thumbs = 100 * i if i <= 10 else max(0, 1000 - 40 * (i - 10))
    line = {"t": t0 + 10 * i}
    if 18 <= i <= 21:
        line["error"] = "connection refused"
    else:
        line["jobs"] = {"metadataExtraction": q(2 if i <= 10 else 0),
                        "thumbnailGeneration": q(3 if thumbs else 0, max(0, thumbs - 3)),
                        "library": q()}
    step = steps.get(i, step)
    lines.append(line)
    open(d + "/steady.jsonl", "a").write(json.dumps(line) + "\n")
    line = dict(line, wall=line["t"] + step)
    open(d + "/stepped.jsonl", "a").write(json.dumps(line) + "\n")
PYEOF
for run in steady stepped; do
	check "$run: replayed" replay "$T/$run.jsonl" "$T/$run.out" \
	    IMMICH_JOBS_CACHE_TTL=15 IMMICH_JOBS_STALE_TTL=60 \
	    IMMICH_JOBS_STALL_AFTER=30
done
check "the steady run: cache hits, stale counts that age, ETAs, no stall" \
    "$PY" - "$T/steady.jsonl" "$T/steady.out" <<'PYEOF'
import json, sys
rec = [json.loads(l) for l in open(sys.argv[1])]
ans = [json.loads(l)["answer"] for l in open(sys.argv[2])]
# a hit answers the counts of the poll before (TTL 15 s, polls 10 s apart)
hits = [i for i in range(1, len(rec)) if "jobs" in rec[i] and "jobs" in rec[i - 1]
        and ans[i]["waiting"] != sum(e["jobCounts"]["waiting"] for e in rec[i]["jobs"].values())]
assert len(hits) >= 10, hits
stale = [a["age"] for a in ans if a.get("stale")]
assert stale and stale == sorted(stale) and stale[-1] >= 30, stale
assert any(a.get("eta_seconds", 0) > 0 for a in ans)
assert all(a.get("queues_stalled", 0) == 0 for a in ans)
PYEOF
check "stepped wall clock: the same answers but for \"updated\"" \
    "$PY" - "$T/steady.out" "$T/stepped.out" <<'PYEOF'
import json, re, sys
# each replay's fake Immich has a port of its own
def load(f):
    return [json.loads(re.sub(r"127\.0\.0\.1:[0-9]+", "IMMICH", l))["answer"] for l in open(f)]
a, b = load(sys.argv[1]), load(sys.argv[2])
assert len(a) == len(b) == 40
for i, (x, y) in enumerate(zip(a, b)):
    x.pop("updated", None)
    y.pop("updated", None)
    assert x == y, (i, x, y)
PYEOF
finish
