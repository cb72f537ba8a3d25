#!/bin/sh
# Stalls and pauses on a real Immich v3.1.0, replayed through the service
# as deployed (tests/fixtures/real-v3.1.0-import).  stall-no-worker: Immich
# without its job worker holds 50 metadataExtraction jobs, then restarts
# with it; with IMMICH_JOBS_STALL_AFTER=60 exactly that queue is flagged,
# 60 to 80 s after the upload's end, and cleared within one poll of the
# worker's return.  pause-resume: thumbnailGeneration paused for 2 minutes
# reads "paused" and is never stalled; after the resume no "not draining"
# while its jobs drain.  Both: rate 0 and no ETA 60 s after the work.
. "$(dirname "$0")/lib.sh"
R=$FIX/real-v3.1.0-import
for run in stall-no-worker pause-resume; do
	check "$run: replayed" replay "$R/$run/recording.jsonl" "$T/$run.jsonl" \
	    IMMICH_JOBS_STALL_AFTER=60
	"$PY" "$R/eta_score.py" "$R/$run/recording.jsonl" "$T/$run.jsonl" \
	    --no-accuracy > "$T/$run.score"
	sed 's/^/# /' "$T/$run.score"
	check "$run: rate 0 and no ETA from 60 s after the work" \
	    [ "$(tail -n 1 "$T/$run.score")" = PASS ]
done

# check_py DESCRIPTION RUN: the Python on stdin, given the recording's
# lines (rec), the answers (ans) and the marks (mark("what") -> t).
check_py() {
	{ cat <<'PYEOF'
import json, sys
d, run = sys.argv[1], sys.argv[2]
rec = [json.loads(l) for l in open("%s/%s/recording.jsonl" % (d, run)) if l.strip()]
ans = [json.loads(l)["answer"] for l in open(sys.argv[3])]
marks = [l.split(None, 1) for l in open("%s/%s/marks.txt" % (d, run))]
def mark(what):
    return next(float(t) for t, w in marks if w.strip() == what)
PYEOF
	cat; } > "$T/check.py"
	check "$1" "$PY" "$T/check.py" "$R" "$2" "$T/$2.jsonl"
}

check_py "stall-no-worker: only metadataExtraction is ever stalled" \
    stall-no-worker <<'PYEOF'
names = {q["name"] for a in ans if "by_queue" in a for q in a["by_queue"] if q["stalled"]}
assert names == {"metadataExtraction"}, names
assert all(a["queues_stalled"] == (1 if any(q["stalled"] for q in a["by_queue"]) else 0)
           for a in ans if "by_queue" in a)
PYEOF
check_py "stall-no-worker: flagged 60 to 80 s after the upload's end" \
    stall-no-worker <<'PYEOF'
first = next(r["t"] for r, a in zip(rec, ans) if a.get("queues_stalled"))
late = first - mark("upload end")
assert 60 <= late <= 80, late
PYEOF
check_py "stall-no-worker: cleared within one poll of the worker's return" \
    stall-no-worker <<'PYEOF'
back = mark("immich up with worker")
after = [a for r, a in zip(rec, ans) if r["t"] >= back]
assert after[0].get("queues_stalled") == 0 or after[1].get("queues_stalled") == 0
assert all(a.get("queues_stalled", 0) == 0 for a in after[1:])
PYEOF
check_py "pause-resume: paused, and never stalled, while paused" \
    pause-resume <<'PYEOF'
p0, p1 = mark("pause thumbnailGeneration"), mark("resume thumbnailGeneration")
during = [a for r, a in zip(rec, ans) if p0 < r["t"] < p1]
assert len(during) >= 10, len(during)
for a in during:
    q = a["queue"]["thumbnailGeneration"]
    assert q["eta"] == "paused" and q["stalled"] is False, q
    assert a["queues_stalled"] == 0
# the rest idle: the whole reads paused once the others are done
assert during[-1]["eta"] == "paused", during[-1]["eta"]
PYEOF
check_py "pause-resume: no 'not draining' while its jobs drain after the resume" \
    pause-resume <<'PYEOF'
p1 = mark("resume thumbnailGeneration")
seen = 0
for r, a in zip(rec, ans):
    c = r["jobs"]["thumbnailGeneration"]["jobCounts"]
    if r["t"] > p1 and c["active"] + c["waiting"] > 0:
        seen += 1
        for e in (a, a["queue"]["thumbnailGeneration"]):
            assert e["eta"] not in ("not draining", "collecting data", "paused"), e["eta"]
assert seen >= 2, seen
PYEOF
finish
