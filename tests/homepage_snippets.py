#!/usr/bin/python3
"""Check Homepage snippets against the service's real answers.

    homepage_snippets.py [--table] DOCS README STATE=ANSWER ...

DOCS (docs/homepage.md) holds the snippets: every ```yaml block with a
customapi widget.  README's snippets must each be one of them, word for
word.  Each ANSWER is a file holding a line "<HTTP status>" and then the body
the service gave to GET /homepage in that STATE.  Every snippet is checked in
every state as Homepage (customapi, v1.12) would show it:

  - an answer with an "error" key is Homepage's red API Error box: it must be
    status 200 (an answer of 400 or more shows only "HTTP Error" and the body
    as one escaped string) with a sentence as the error;
  - otherwise each field a snippet maps (dot paths: queue.smartSearch.eta)
    exists; is never a boolean (shown blank) nor null; has the type its
    format needs: a number for number, float and percent, a number above 0
    for duration (0 is shown blank), an ISO 8601 time for relativeDate and
    date, a non-empty text (or a number) otherwise;
  - a dynamic-list's items are a non-empty list whose rows hold its name and
    label as non-empty texts; in the "idle" state one row;
  - in the "stale" state what the snippet shows says so: a block's first
    four tiles or a list's rows include a text with "stale", and each row of
    a dynamic-list says "stale".

With --table the states must be exactly those of the DOCS table "Each
snippet in each state" (first column), so no state of the table goes
unchecked.  Prints one TAP line per check.
"""
import datetime
import json
import re
import sys

NUMERIC = {"number", "float", "percent", "bytes"}
DATES = {"relativeDate", "date"}
failed = 0


def ok(cond, what):
    global failed
    print(("ok" if cond else "not ok") + " - " + what)
    if not cond:
        failed += 1


def snippets_of(text):
    return [s for s in re.findall(r"```yaml\n(.*?)```", text, re.S)
            if "customapi" in s]


def table_states(text):
    part = text.split("## Each snippet in each state", 1)
    if len(part) < 2:
        return []
    rows = re.findall(r"^\| ([^|`]+?) \|", part[1], re.M)
    return [r for r in rows if r not in ("state",) and not r.startswith("---")]


def lookup(obj, path):
    """Homepage's dot path (shvl.get): object keys and list indices."""
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
    try:
        datetime.datetime.strptime(v, "%Y-%m-%dT%H:%M:%SZ")
        return True
    except (TypeError, ValueError):
        return False


def shows(v, fmt):
    """Whether Homepage shows v under fmt as something, not blank or NaN."""
    if v is None or isinstance(v, bool):
        return False
    if fmt in NUMERIC:
        return is_number(v)
    if fmt == "duration":
        return is_number(v) and v > 0
    if fmt in DATES:
        return is_iso(v)
    return (isinstance(v, str) and v.strip() != "") or is_number(v)


def mappings(s):
    """(field, format) of each "- field:" item, in order."""
    out = []
    for item in re.split(r"^\s*- (?=field:)", s, flags=re.M)[1:]:
        field = re.match(r"field: (\S+)", item).group(1)
        m = re.search(r"^\s*format: (\S+)", item, re.M)
        out.append((field, m.group(1) if m else "text"))
    return out


def check(n, s, state, status, answer):
    name = "snippet %d in the %s state" % (n, state)
    ok(re.search(r"^\s*url: http://\S+/homepage$", s, re.M) is not None,
       "%s: it asks /homepage" % name)
    if "error" in answer:
        e = answer["error"]
        print("# snippet %d in the %s state shows: API Error: %s" % (n, state, e))
        ok(status == 200, "%s: error with status 200 (got %s)" % (name, status))
        ok(isinstance(e, str) and len(e) > 20 and " " in e,
           "%s: the red box's sentence: %s" % (name, json.dumps(e)[:160]))
        return
    ok(status == 200, "%s: status 200 (got %s)" % (name, status))
    display = re.search(r"^\s*display: (\S+)", s, re.M)
    display = display.group(1) if display else "block"
    if display == "dynamic-list":
        items = re.search(r"^\s*items: (\S+)", s, re.M).group(1)
        keys = [re.search(r"^\s*%s: (\S+)" % k, s, re.M).group(1)
                for k in ("name", "label")]
        try:
            rows = lookup(answer, items)
        except KeyError:
            rows = None
        ok(isinstance(rows, list) and len(rows) > 0,
           "%s: %s is a non-empty list" % (name, items))
        rows = rows if isinstance(rows, list) else []
        print("# snippet %d in the %s state shows: %s" % (n, state, " | ".join(
            "%s: %s" % (r.get(keys[0]), r.get(keys[1])) for r in rows[:5])))
        for k in keys:
            ok(all(shows(r.get(k), "text") for r in rows),
               "%s: every row's %s is a text (%s)" % (name, k,
               json.dumps([r.get(k) for r in rows], ensure_ascii=False)[:200]))
        if state == "idle":
            ok(len(rows) == 1, "%s: one row when all is idle (%d)" % (name, len(rows)))
        if state == "stale":
            ok(all("stale" in str(r.get(keys[1], "")) for r in rows),
               "%s: every row says stale" % name)
        return
    shown = mappings(s)
    if display == "block":
        shown = shown[:4]
    vals = []
    for field, _ in shown:
        try:
            vals.append(str(lookup(answer, field)))
        except KeyError:
            vals.append("(missing)")
    print("# snippet %d in the %s state shows: %s" % (n, state, " | ".join(vals)))
    texts = []
    for field, fmt in shown:
        try:
            v = lookup(answer, field)
        except KeyError:
            v = "(missing)"
        ok(v != "(missing)" and shows(v, fmt),
           "%s: %s (format %s): %s" % (name, field, fmt,
           json.dumps(v, ensure_ascii=False)))
        if isinstance(v, str):
            texts.append(v)
    if state == "stale":
        ok(any("stale" in t for t in texts),
           "%s: says the counts are stale (%s)" % (name, texts))


def main():
    args = sys.argv[1:]
    table = args[:1] == ["--table"]
    if table:
        args = args[1:]
    docs, readme = open(args[0]).read(), open(args[1]).read()
    answers = {}
    for a in args[2:]:
        state, path = a.split("=", 1)
        status, _, body = open(path).read().partition("\n")
        answers[state] = (int(status), json.loads(body))
    snips = snippets_of(docs)
    ok(len(snips) >= 6, "docs hold %d Homepage snippets" % len(snips))
    for s in snippets_of(readme):
        ok(s in snips, "README's snippet is one of the docs' (%s...)" % " ".join(s.split())[:60])
    if table:
        want = table_states(docs)
        ok(sorted(want) == sorted(answers),
           "every state of the table is checked: %s" % want)
    for n, s in enumerate(snips, 1):
        for state, (status, answer) in answers.items():
            check(n, s, state, status, answer)
    return 1 if failed else 0


sys.exit(main())
