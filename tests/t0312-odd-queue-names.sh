#!/bin/sh
# One odd queue never fails the answer.  Immich answers 300 queues, among
# them names in UTF-8, with a newline, quotes and a backslash, an empty
# one, two longer than the proxy keeps (alike in their first 100 bytes)
# and one with a byte that is not UTF-8: GET / gives 200 with the totals
# over all 300, names escaped as JSON, by_queue the 128 busiest and
# "queues_omitted":172; /metrics parses as Prometheus text (label values
# escaped) and immich_jobs plus immich_jobs_omitted add up to the totals.
. "$(dirname "$0")/lib.sh"
"$PY" - "$T" <<'PYEOF'
import json, sys
t = sys.argv[1]
names = ["vid\u00e9o \U0001F39E \u043a\u043e\u043d", "two\nlines \"q\" back\\slash",
         "", "x" * 100 + "1", "x" * 100 + "2", "BAD"]
names += ["q%d" % i for i in range(300 - len(names))]
queues, tot = [], dict(active=0, waiting=0, failed=0, busy=0)
for i, n in enumerate(names):
    # the odd ones busiest, so by_queue lists them
    s = {"active": 10 if i < 6 else i % 4, "waiting": i, "delayed": i % 2, "paused": 0,
         "failed": i % 5, "completed": 0}
    queues.append({"name": n, "isPaused": False, "statistics": s})
    tot["active"] += s["active"]
    tot["waiting"] += s["waiting"] + s["delayed"]
    tot["failed"] += s["failed"]
    tot["busy"] += s["active"] + s["waiting"] + s["delayed"] > 0
body = json.dumps(queues, ensure_ascii=False).encode()
body = body.replace(b'"BAD"', b'"bad \xff byte"')
open(t + "/odd.json", "wb").write(body)
json.dump(tot, open(t + "/odd-totals.json", "w"))
PYEOF
spec '{"/api/queues": {"body_file": "'"$T"'/odd.json"}}'
fake_start
want=$(json '[j["active"], j["waiting"], j["failed"], 300, j["busy"]]' "$T/odd-totals.json")
cgi GET / IMMICH_JOBS_API=queues
check "200 (got $STATUS)" [ "$STATUS" = 200 ]
check "totals over all 300 queues: $want" \
    [ "$(json '[j["active"], j["waiting"], j["failed"], j["queues"], j["queues_busy"]]')" = "$want" ]
check "by_queue lists 128, queues_omitted says 172 more" \
    [ "$(json '[len(j["by_queue"]), len(j["queue"]), j["queues_omitted"]]')" = "[128, 128, 172]" ]
check "the UTF-8 name is carried as it is" \
    [ "$(json '"vid\u00e9o \U0001F39E \u043a\u043e\u043d" in j["queue"]')" = true ]
check "the name with a newline, quotes and a backslash too" \
    [ "$(json '"two\nlines \"q\" back\\slash" in j["queue"]')" = true ]
check "the empty name too" [ "$(json '"" in j["queue"]')" = true ]
check "the byte that is not UTF-8 becomes U+FFFD" \
    [ "$(json '[n[:11] for n in j["queue"] if n.startswith("bad ")]')" = '["bad \ufffd byte~"]' ]
check "the two long names are cut, marked, and kept apart" \
    [ "$(json 'sorted((len(n.encode()) <= 63, n[:51] == "x" * 51, q["name_cut"]) for n, q in j["queue"].items() if n.startswith("xxx")) + [len(set(n for n in j["queue"] if n.startswith("xxx")))]')" = '[[true, true, true], [true, true, true], 2]' ]
check "the body is valid UTF-8 JSON" "$PY" -c 'import json,sys; json.loads(open(sys.argv[1], "rb").read().decode("utf-8", "strict"))' "$T/body"
# The same from the cache: a miss stores it, a hit gives it back whole.
cgi GET / IMMICH_JOBS_API=queues IMMICH_JOBS_CACHE_TTL=30
cp "$T/body" "$T/miss.json"
cgi GET / IMMICH_JOBS_API=queues IMMICH_JOBS_CACHE_TTL=30
check "from the cache (X-Cache: $(header X-Cache)): the same totals, queues_omitted and names" \
    [ "$(header X-Cache):$(json '[j["active"], j["waiting"], j["queues"], j["queues_omitted"], sorted(j["queue"])]')" = \
      "hit:$(json '[j["active"], j["waiting"], j["queues"], j["queues_omitted"], sorted(j["queue"])]' "$T/miss.json")" ]

cgi GET /metrics IMMICH_JOBS_API=queues
check "/metrics: 200 (got $STATUS)" [ "$STATUS" = 200 ]
"$PY" - "$T/body" "$T/odd-totals.json" > "$T/prom" 2>&1 <<'PYEOF'
import json, sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1], "rb").read().decode("utf-8", "strict")
tot = json.load(open(sys.argv[2]))
fams = {f.name: f for f in text_string_to_metric_families(text)}
def total(fam, state):
    return sum(s.value for s in fams[fam].samples if s.labels.get("state") == state)
queues = {s.labels["queue"] for s in fams["immich_jobs"].samples}
print("queues", len(queues), "omitted", int(fams["immich_jobs_queues_omitted"].samples[0].value))
print("active", int(total("immich_jobs", "active") + total("immich_jobs_omitted", "active")) == tot["active"])
print("failed", int(total("immich_jobs", "failed") + total("immich_jobs_omitted", "failed")) == tot["failed"])
w = sum(total(f, s) for f in ("immich_jobs", "immich_jobs_omitted") for s in ("waiting", "delayed", "paused"))
print("waiting", int(w) == tot["waiting"])
print("newline", "two\nlines \"q\" back\\slash" in queues)
print("cut", int(fams["immich_jobs_queue_names_cut"].samples[0].value))
PYEOF
check "/metrics parses as Prometheus text, 128 queues, 172 omitted" grep -qx "queues 128 omitted 172" "$T/prom"
check "/metrics: immich_jobs + immich_jobs_omitted = the totals" \
    [ "$(grep -c '^\(active\|failed\|waiting\) True$' "$T/prom")" = 3 ]
check "/metrics: the label value with a newline and quotes parses back" grep -qx "newline True" "$T/prom"
check "/metrics: 2 names cut" grep -qx "cut 2" "$T/prom"
[ "$FAILED" -eq 0 ] || { cat "$T/prom"; cat "$T/stderr" "$T/raw"; }
no_leak
finish
