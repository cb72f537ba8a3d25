#!/bin/sh
# GET /metrics: Prometheus text format 0.0.4, parsed with prometheus_client's
# own parser, values equal to the fixture's counts.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-paused.json"}}'
fake_start
cgi GET /metrics
check "200" [ "$STATUS" = 200 ]
check "Content-Type text/plain; version=0.0.4" sh -c "case '$(header Content-Type)' in 'text/plain; version=0.0.4'*) true;; *) false;; esac"
"$PY" - "$T/body" "$FIX/jobs-paused.json" > "$T/check" 2>&1 <<'PYEOF'
import json, sys
from prometheus_client.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
fix = json.load(open(sys.argv[2]))
ok = True
def expect(cond, what):
    global ok
    print(("ok - " if cond else "not ok - ") + what)
    ok = ok and cond
expect(fams["immich_jobs"].type == "gauge", "immich_jobs is a gauge")
got = {(s.labels["queue"], s.labels["state"]): s.value for s in fams["immich_jobs"].samples}
want = {(q, st): float(v["jobCounts"][st]) for q, v in fix.items() for st in ("active","waiting","delayed","paused","failed","completed")}
expect(got == want, "immich_jobs{queue,state} equals the fixture (%d samples)" % len(want))
paused = {s.labels["queue"]: s.value for s in fams["immich_queue_paused"].samples}
expect(paused == {q: float(v["queueStatus"]["isPaused"]) for q, v in fix.items()}, "immich_queue_paused per queue")
expect([s.value for s in fams["immich_jobs_up"].samples] == [1.0], "immich_jobs_up 1")
d = fams["immich_jobs_scrape_duration_seconds"].samples[0].value
expect(0 < d < 10, "scrape duration %.6f s is plausible" % d)
PYEOF
cat "$T/check"
check "parsed by prometheus_client" sh -c "! grep -q '^not ok\|Traceback\|Error' '$T/check'"
no_leak
finish
