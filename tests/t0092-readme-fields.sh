#!/bin/sh
# The README's Homepage snippets use exactly the field names the service
# returns (Homepage shows NaN for a missing field).
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-paused.json"}}'
fake_start
cgi GET /
"$PY" - "$TOP/README.md" "$T/body" <<'PYEOF'
import json, re, sys
readme = open(sys.argv[1]).read()
body = json.load(open(sys.argv[2]))
snippets = [s for s in re.findall(r"```yaml\n(.*?)```", readme, re.S) if "customapi" in s]
print("ok - README has %d Homepage snippets" % len(snippets) if len(snippets) >= 3
      else "not ok - README has only %d Homepage snippets" % len(snippets))
for s in snippets:
    for f in re.findall(r"^\s*- field: (\S+)", s, re.M):
        print(("ok" if f in body and isinstance(body[f], int) else "not ok")
              + " - field %s is a number in the answer" % f)
    m = re.search(r"^\s*items: (\S+)", s, re.M)
    if m:
        items = body.get(m.group(1))
        print(("ok" if isinstance(items, list) and items else "not ok")
              + " - items %s is a list in the answer" % m.group(1))
        for k in ("name", "label"):
            f = re.search(r"^\s*%s: (\S+)" % k, s, re.M).group(1)
            print(("ok" if all(f in q for q in items) else "not ok")
                  + " - %s: %s is in every %s entry" % (k, f, m.group(1)))
PYEOF
finish
