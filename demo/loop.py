#!/usr/bin/python3
"""demo/loop.py TOP OUT: the bodies `make run`'s demo upstream replays.

Writes OUT with one Immich GET /api/jobs body per line, each standing for
one 10 s poll of a real Immich v3.1.0 (tests/fixtures/real-v3.1.0-import/):
an import of 2,020 photos and videos from its first upload until it has
drained, then 300 photos with thumbnailGeneration paused for 2 minutes and
resumed, then 50 photos waiting for a worker that is not running (a stall)
until it comes back, then a little idle time.  Polls where Immich did not
answer (it restarted) are left out: the demo upstream always answers.
"""
import json
import sys

# (run, first poll, polls): from the first poll with uploads in it.
CHAIN = (("import-4-connections", 4, 56),
         ("pause-resume", 4, 21),
         ("stall-no-worker", 4, 22))

top, out = sys.argv[1], sys.argv[2]
lines = []
for run, first, n in CHAIN:
    path = "%s/tests/fixtures/real-v3.1.0-import/%s/recording.jsonl" % (top, run)
    polls = [json.loads(l) for l in open(path)][first:first + n]
    lines += [json.dumps(p["jobs"], separators=(",", ":")) for p in polls if "jobs" in p]
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
