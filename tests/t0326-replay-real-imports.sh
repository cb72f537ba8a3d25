#!/bin/sh
# The service as deployed (the CGI, its cache, history and answer) replayed
# over two real imports into a real Immich v3.1.0 (tests/fixtures/
# real-v3.1.0-import: 2,020 files over 4 connections, machine learning off;
# 605 with machine learning slow as on a real CPU), scored by the fixture's
# eta_score.py from 30 s after the upload's end: for the whole and for each
# queue that drains for 10 polls or more from its peak, an ETA on at least
# 80 % of the polls, relative error median <= 0.25, 90th percentile <= 0.6,
# worst <= 1.0; no "not draining" or "collecting data" while the backlog
# falls; rate 0 and no ETA from 60 s after the work is done.
. "$(dirname "$0")/lib.sh"
R=$FIX/real-v3.1.0-import
for run in import-4-connections ml-slow-4-connections; do
	check "$run: replayed" replay "$R/$run/recording.jsonl" "$T/$run.jsonl"
	check "$run: one answer per poll, each at its poll's t" \
	    "$PY" - "$R/$run/recording.jsonl" "$T/$run.jsonl" <<'PYEOF'
import json, sys
rec = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ans = [json.loads(l) for l in open(sys.argv[2])]
assert len(rec) == len(ans), (len(rec), len(ans))
for r, a in zip(rec, ans):
    assert set(a) == {"t", "answer"} and a["t"] == r["t"], a.get("t")
    assert "eta_seconds" in a["answer"] and "queue" in a["answer"], a["answer"]
PYEOF
	"$PY" "$R/eta_score.py" "$R/$run/recording.jsonl" "$T/$run.jsonl" \
	    --from-upload-end "$R/$run/marks.txt" > "$T/$run.score"
	sed 's/^/# /' "$T/$run.score"
	check "$run: the progress goals hold (eta_score.py: PASS)" \
	    [ "$(tail -n 1 "$T/$run.score")" = PASS ]
done
# While machine learning's queues fill, the total backlog still rises: the
# whole already has an ETA, from the work still to come to them.
check "ml-slow-4-connections: an ETA for the whole while its backlog rises" \
    "$PY" - "$R/ml-slow-4-connections/recording.jsonl" \
    "$T/ml-slow-4-connections.jsonl" <<'PYEOF'
import json, sys
rec = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ans = [json.loads(l)["answer"] for l in open(sys.argv[2])]
def total(r):
    return sum(c["active"] + c["waiting"] + c["delayed"]
               for c in (e["jobCounts"] for e in r["jobs"].values()))
rising = [i for i in range(1, len(rec)) if total(rec[i]) > total(rec[i - 1])
          and ans[i]["eta_seconds"] > 0]
assert len(rising) >= 3, rising
PYEOF
finish
