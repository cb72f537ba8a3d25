#!/bin/sh
# The README's Homepage snippets work in every kind of answer: each field a
# snippet maps (Homepage's dot paths: queue.smartSearch.waiting,
# by_queue.0.name) exists in a fresh, a stale, a paused and an idle answer,
# with the type its format needs (a number for number, float, percent,
# duration and bytes; an ISO 8601 text for relativeDate and date; a text or
# a number otherwise: Homepage shows NaN for a missing number and nothing
# for a boolean); a dynamic-list's items are a non-empty list whose entries
# all hold its name and label as text.
. "$(dirname "$0")/lib.sh"
answer() {	# answer KIND FIXTURE [VAR=value...]: a fresh answer into $T/KIND.json
	kind=$1; fixture=$2; shift 2
	spec '{"/api/jobs": {"body_file": "'"$FIX/$fixture"'"}}'
	cgi GET / "$@"
	check "$kind answer: 200" [ "$STATUS" = 200 ]
	cp "$T/body" "$T/$kind.json"
}
fake_start
answer fresh jobs-newest.json
answer paused jobs-paused.json
answer idle jobs-idle.json
answer real-paused real-v2.7.5/jobs-paused-delayed.json
answer real-no-worker real-v2.7.5/jobs-no-worker-waiting.json
# Stale: good counts cached, then Immich fails.
answer stale jobs-newest.json IMMICH_JOBS_CACHE_TTL=1
spec '{"/api/jobs": {"status": 500, "body": "{\"message\":\"Internal server error\"}"}}'
sleep 1.2
cgi GET / IMMICH_JOBS_CACHE_TTL=1 IMMICH_JOBS_STALE_TTL=60
check "stale answer: 200, stale" [ "$STATUS:$(json 'j["stale"]')" = "200:true" ]
cp "$T/body" "$T/stale.json"
"$PY" - "$TOP/README.md" "$T" fresh stale paused idle real-paused real-no-worker <<'PYEOF'
import datetime, json, re, sys
readme = open(sys.argv[1]).read()
kinds = sys.argv[3:]
answers = {k: json.load(open("%s/%s.json" % (sys.argv[2], k))) for k in kinds}
NUMERIC = {"number", "float", "percent", "duration", "bytes"}
DATES = {"relativeDate", "date"}

def ok(cond, what):
    print(("ok" if cond else "not ok") + " - " + what)

def lookup(obj, path):
    """Homepage's dot path: object keys and list indices."""
    for part in path.split("."):
        if isinstance(obj, dict) and part in obj:
            obj = obj[part]
        elif isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        else:
            raise KeyError(path)
    return obj

def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)

def is_iso(v):
    if not isinstance(v, str) or not v.endswith("Z"):
        return False
    try:
        datetime.datetime.strptime(v, "%Y-%m-%dT%H:%M:%SZ")
        return True
    except ValueError:
        return False

def fits(v, fmt):
    if fmt in NUMERIC:
        return is_number(v)
    if fmt in DATES:
        return is_iso(v)
    return isinstance(v, str) or is_number(v)

snippets = [s for s in re.findall(r"```yaml\n(.*?)```", readme, re.S) if "customapi" in s]
ok(len(snippets) >= 6, "README has %d Homepage snippets (block, paused, dynamic-list, list, pinned, asleep)" % len(snippets))
for n, s in enumerate(snippets, 1):
    # One mapping item per "- field:", up to the next one.
    items = re.split(r"^\s*- (?=field:)", s, flags=re.M)[1:]
    for item in items:
        field = re.match(r"field: (\S+)", item).group(1)
        m = re.search(r"^\s*format: (\S+)", item, re.M)
        fmt = m.group(1) if m else "text"
        for k in kinds:
            try:
                v = lookup(answers[k], field)
                good = fits(v, fmt)
            except KeyError:
                v, good = "(missing)", False
            ok(good, "snippet %d: %s (format %s) in the %s answer: %s" % (n, field, fmt, k, json.dumps(v, ensure_ascii=False)))
    m = re.search(r"^\s*items: (\S+)", s, re.M)
    if m:
        for k in kinds:
            try:
                rows = lookup(answers[k], m.group(1))
            except KeyError:
                rows = None
            ok(isinstance(rows, list) and len(rows) > 0, "snippet %d: items %s is a non-empty list in the %s answer" % (n, m.group(1), k))
            for key in ("name", "label"):
                f = re.search(r"^\s*%s: (\S+)" % key, s, re.M).group(1)
                ok(isinstance(rows, list) and all(isinstance(r.get(f), str) and r.get(f) for r in rows),
                   "snippet %d: %s: %s is a text in every %s entry (%s)" % (n, key, f, m.group(1), k))
PYEOF
finish
