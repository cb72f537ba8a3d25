#!/bin/sh
# `make run`: with PORT or DEMO_PORT already taken it stops at once with a
# message naming the variable, announces no demo and sends nothing (no demo
# key) to whatever owns the port; otherwise it serves over IPv4 and IPv6 on
# PORT the totals of the demo upstream, which replays real Immich answers
# in a loop (one per DEMO_STEP seconds from DEMO_START), and Ctrl-C (SIGINT
# to its process group, as a terminal sends it) stops everything without a
# make error.
. "$(dirname "$0")/lib.sh"
"$PY" - "$TOP" <<'PYEOF'
import os, signal, socket, subprocess, sys, time, urllib.request
top = sys.argv[1]

def report(ok, what):
    print(("ok" if ok else "not ok") + " - " + what)

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p

def make_run(port, demo_port, extra={}, **kw):
    env = dict(os.environ, PORT=str(port), DEMO_PORT=str(demo_port), **extra)
    env.pop("IMMICH_URL", None)
    # A terminal's Ctrl-C reaches a make whose SIGINT is not ignored; a
    # suite started in the background (`make test &`, some CI runners)
    # inherits it ignored, and a shell cannot trap a signal ignored on entry.
    return subprocess.Popen(["make", "--no-print-directory", "-s", "-C", top, "run"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
                            **kw)

# --- a port already taken ---------------------------------------------------
for name in ("PORT", "DEMO_PORT"):
    port, demo_port = free_port(), free_port()
    taken = port if name == "PORT" else demo_port
    owner = socket.socket()
    owner.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    owner.bind(("127.0.0.1", taken))
    owner.listen(8)
    p = make_run(port, demo_port)
    try:
        out = p.communicate(timeout=120)[0].decode(errors="replace")
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out = p.communicate()[0].decode(errors="replace")
    for line in out.splitlines():
        print("# " + line)
    report(p.returncode not in (0, None), "%s taken: make run fails (status %s)" % (name, p.returncode))
    report("%s=%d cannot be used" % (name, taken) in out and "another program listens there" in out,
           "%s taken: the message names %s=%d" % (name, name, taken))
    report("serving the bundled demo" not in out and "starting lighttpd" not in out,
           "%s taken: nothing is announced" % name)
    owner.settimeout(0.5)
    try:
        c, _ = owner.accept()
        got = c.recv(65536)
        c.close()
    except socket.timeout:
        got = None
    report(got is None, "%s taken: its owner got no connection (got %r)" % (name, (got or b"")[:60]))
    owner.close()

# --- a number that is no port -----------------------------------------------
p = make_run(70000, free_port())
out = p.communicate(timeout=120)[0].decode(errors="replace")
report("must be a port number from 1 to 65535 (got '70000')" in out and "another program" not in out,
       "PORT=70000: said to be no port number, not a port in use (got %r)" % out[-160:])

# --- serving, then Ctrl-C ---------------------------------------------------
port, demo_port = free_port(), free_port()
start = int(time.time())
p = make_run(port, demo_port, {"DEMO_STEP": "1", "DEMO_START": str(start)})
def get(host, path="/", at=None):
    try:
        with urllib.request.urlopen("http://%s:%d%s" % (host, at or port, path), timeout=10) as r:
            return r.status, r.read()
    except Exception as e:
        return None, str(e).encode()
deadline = time.monotonic() + 120	# make may build first
while time.monotonic() < deadline and get("127.0.0.1", "/healthz")[0] != 200 and p.poll() is None:
    time.sleep(0.2)
import json
def totals(jobs):
    c = [q["jobCounts"] for q in jobs.values()]
    return [sum(x["active"] for x in c), sum(x["waiting"] + x["delayed"] + x["paused"] for x in c), len(c)]
try:
    bodies = open(os.path.join(os.environ.get("BUILD", os.path.join(top, "build")), "run/demo-jobs.jsonl")).read().splitlines()
    recorded = [json.loads(b) for b in bodies]
except OSError:
    bodies, recorded = [], []
# The loop: an import rising then draining, a paused queue, a stall, idle.
waits = [totals(r)[1] for r in recorded]
peak = waits.index(max(waits)) if waits else 0
report(len(bodies) > 60 and 0 < peak < len(waits) - 10 and waits[0] < waits[peak] / 4 and
       any(q["queueStatus"]["isPaused"] for r in recorded for q in r.values()) and 0 in waits,
       "the demo replays %d recorded answers: an import up to %s waiting and down, a paused queue, idle" % (len(bodies), max(waits or [0])))
for host in ("127.0.0.1", "[::1]"):
    status, body = get(host)
    try:
        j = json.loads(body)
        got = [j["active"], j["waiting"], j["queues"]]
    except Exception:
        got = body[:80]
    report(status == 200 and got in [totals(r) for r in recorded],
           "make run PORT=%d: GET http://%s:%d/ gives the totals of a recorded answer (got %s %s)" % (port, host, port, status, got))
# The demo upstream moves: at each moment the answer of its slot (or the
# next, when the second turns between the clock and the request).
seen = []
for k in range(2):
    slot = (int(time.time()) - start) % max(len(bodies), 1)
    status, body = get("127.0.0.1", "/api/jobs", demo_port)
    ok = status == 200 and bodies and json.loads(body) in (recorded[slot], recorded[(slot + 1) % len(bodies)])
    report(ok, "the demo upstream answers the recording's answer for its moment (slot %d, status %s)" % (slot, status))
    seen.append(slot)
    time.sleep(2.2)
report(seen[0] != seen[1], "the demo upstream moves on: slots %s" % seen)
t0 = time.monotonic()
os.killpg(p.pid, signal.SIGINT)
try:
    out = p.communicate(timeout=20)[0].decode(errors="replace")
except subprocess.TimeoutExpired:
    os.killpg(p.pid, signal.SIGKILL)
    out = p.communicate()[0].decode(errors="replace")
for line in out.splitlines():
    print("# " + line)
report(time.monotonic() - t0 < 10, "Ctrl-C: make run ends within 10 s (%.1f s)" % (time.monotonic() - t0))
report("make: ***" not in out and "Error" not in out and "Interrupt" not in out,
       "Ctrl-C: no make error")
report("immich-jobs-proxy: stopped" in out, "Ctrl-C: it says it stopped")
# make has returned: what it started must be gone (a little time for the
# kernel to tear the group down on a busy machine).
def group_alive():
    try:
        os.killpg(p.pid, 0)
        return True
    except ProcessLookupError:
        return False
deadline = time.monotonic() + 5
while group_alive() and time.monotonic() < deadline:
    time.sleep(0.1)
for name, pt in (("PORT", port), ("DEMO_PORT", demo_port)):
    s = socket.socket()
    free = s.connect_ex(("127.0.0.1", pt)) != 0
    s.close()
    report(free, "Ctrl-C: nothing listens on %s=%d any more" % (name, pt))
left = subprocess.run(["ps", "-o", "pid=,args=", "-g", str(p.pid)],
                      capture_output=True, text=True).stdout.strip()
report(not group_alive(), "Ctrl-C: no process of make run is left (%s)" % (left or "none"))
PYEOF
finish
