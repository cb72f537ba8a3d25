#!/bin/sh
# by_queue: one entry per queue, busiest first (active desc, waiting desc,
# failed desc, name), waiting = waiting + delayed + paused, Immich's title
# and a summary per row; queue: the same entries keyed by queue id.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-paused.json"}}'
fake_start
cgi GET /
check "200" [ "$STATUS" = 200 ]
check "one entry per queue" [ "$(json 'len(j["by_queue"]) == j["queues"] == 18')" = true ]
# The expected order, computed independently from the fixture itself.
"$PY" - "$FIX/jobs-paused.json" > "$T/expected" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
rows = []
for name, v in d.items():
    c = v["jobCounts"]
    w = c["waiting"] + c["delayed"] + c["paused"]
    rows.append((-c["active"], -w, -c["failed"], name, c, v["queueStatus"]["isPaused"], w))
rows.sort()
print(json.dumps([[r[3], -r[0], r[6], r[4]["failed"], r[5]] for r in rows]))
PYEOF
check "order and values match the fixture" [ "$(json '[[q["name"], q["active"], q["waiting"], q["failed"], q["is_paused"]] for q in j["by_queue"]]')" = "$(cat "$T/expected")" ]
check "sums of by_queue equal the totals" [ "$(json 'all(sum(q[k] for q in j["by_queue"]) == j[k] for k in ("active","waiting","failed","delayed","paused","completed"))')" = true ]
check "every row has every field" [ "$(json 'all(sorted(q) == sorted(["name","title","active","waiting","failed","delayed","paused","completed","is_paused","summary","rate","eta_seconds","eta","stalled","name_cut"]) for q in j["by_queue"])')" = true ]
check "the paused queue: summary 'paused · 2,417 waiting'" [ "$(json '[q["summary"] for q in j["by_queue"] if q["name"] == "smartSearch"][0]')" = '"paused \u00b7 2,417 waiting"' ]
check "a queue with only failures sorts above the idle ones" [ "$(json '[q["name"] for q in j["by_queue"]][3]')" = '"videoConversion"' ]
check "titles from Immich's web UI" [ "$(json '[j["queue"][k]["title"] for k in ("thumbnailGeneration", "smartSearch", "library")]')" = '["Generate Thumbnails", "Smart Search", "External Libraries"]' ]
check "queue holds every by_queue entry under its id" [ "$(json 'list(j["queue"]) == [q["name"] for q in j["by_queue"]] and all(j["queue"][q["name"]] == q for q in j["by_queue"])')" = true ]
check "the paused queue: is_paused, paused 2417, waiting 2417" [ "$(json '[(q["is_paused"], q["paused"], q["waiting"]) for q in j["by_queue"] if q["name"] == "smartSearch"][0]')" = '[true, 2417, 2417]' ]
check "a busy queue's summary" [ "$(json 'j["by_queue"][0]["summary"]')" = "\"$(json '"%d active \u00b7 %d waiting" % (j["by_queue"][0]["active"], j["by_queue"][0]["waiting"])' | tr -d '"')\"" ]
check "idle queues say idle" [ "$(json '[q["summary"] for q in j["by_queue"] if q["active"] == q["waiting"] == q["failed"] == 0 and not q["is_paused"]][0]')" = '"idle"' ]
check "queues_paused is 1" [ "$(json 'j["queues_paused"]')" = 1 ]
finish
