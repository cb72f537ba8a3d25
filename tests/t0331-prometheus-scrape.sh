#!/bin/sh
# A real Prometheus (Debian's package) on loopback scrapes the service
# through lighttpd, with the repo's alerting rules loaded; its HTTP API then
# gives back the per-queue values of the fixture Immich answered.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/real-v2.7.5/jobs-paused-delayed.json"}}'
fake_start
lighttpd_start IMMICH_JOBS_CACHE_TTL=1
PPORT=$(free_port)
cat > "$T/prometheus.yml" <<CONF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $TOP/contrib/prometheus/immich-jobs.rules.yml
scrape_configs:
  - job_name: immich-jobs
    static_configs:
      - targets: ["127.0.0.1:$LPORT"]
CONF
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/prom" \
    --web.listen-address="127.0.0.1:$PPORT" > "$T/prometheus.log" 2>&1 &
PIDS="$PIDS $!"
API=http://127.0.0.1:$PPORT/api/v1
# Until the first scrape is stored (at most 60 s on a loaded machine).
i=0
while [ $i -lt 120 ]; do
	curl -s "$API/query?query=immich_queue_stalled" > "$T/q" 2>/dev/null &&
	    grep -q '"queue"' "$T/q" && break
	sleep 0.5; i=$((i + 1))
done
check "Prometheus stored a scrape" grep -q '"queue"' "$T/q"
for m in immich_jobs immich_queue_paused immich_queue_stalled immich_jobs_up; do
	curl -s "$API/query?query=$m" > "$T/$m.json"
done
curl -s "$API/rules" > "$T/rules.json"
"$PY" - "$T" "$FIX/real-v2.7.5/jobs-paused-delayed.json" > "$T/check" 2>&1 <<'PYEOF'
import json, sys
d, fix = sys.argv[1], json.load(open(sys.argv[2]))
def res(m): return json.load(open("%s/%s.json" % (d, m)))["data"]["result"]
def expect(cond, what): print(("ok - " if cond else "not ok - ") + what)
got = {(r["metric"]["queue"], r["metric"]["state"]): float(r["value"][1]) for r in res("immich_jobs")}
want = {(q, s): float(v["jobCounts"][s]) for q, v in fix.items()
        for s in ("active", "waiting", "delayed", "paused", "failed", "completed")}
expect(got == want, "immich_jobs{queue,state}: the fixture's %d values, read back" % len(want))
paused = {r["metric"]["queue"]: float(r["value"][1]) for r in res("immich_queue_paused")}
expect(paused == {q: float(v["queueStatus"]["isPaused"]) for q, v in fix.items()}, "immich_queue_paused per queue")
stalled = {r["metric"]["queue"]: float(r["value"][1]) for r in res("immich_queue_stalled")}
expect(sorted(stalled) == sorted(fix) and set(stalled.values()) == {0.0}, "immich_queue_stalled: every queue, none stalled yet")
up = res("immich_jobs_up")
expect(len(up) == 1 and up[0]["value"][1] == "1" and up[0]["metric"]["job"] == "immich-jobs", "immich_jobs_up 1")
groups = json.load(open(d + "/rules.json"))["data"]["groups"]
rules = {r["name"]: r["health"] for g in groups for r in g["rules"]}
expect(sorted(rules) == ["ImmichJobsFailedGrowing", "ImmichJobsUpstreamDown", "ImmichQueueStalled"]
       and set(rules.values()) <= {"ok", "unknown"}, "the alerting rules are loaded and evaluate (%s)" % rules)
PYEOF
cat "$T/check"
check "the checks ran" grep -q '^ok - immich_jobs_up' "$T/check"
check "no check failed" sh -c "! grep -q '^not ok\|Traceback' '$T/check'"
no_leak
finish
