#!/bin/sh
# `make run`: with PORT or DEMO_PORT already taken it stops at once with a
# message naming the variable, announces no demo and sends nothing (no demo
# key) to whatever owns the port; otherwise it serves the demo totals over
# IPv4 and IPv6 on PORT, and Ctrl-C (SIGINT to its process group, as a
# terminal sends it) stops everything without a make error.
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

def make_run(port, demo_port, **kw):
    env = dict(os.environ, PORT=str(port), DEMO_PORT=str(demo_port))
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
p = make_run(port, demo_port)
def get(host, path="/"):
    try:
        with urllib.request.urlopen("http://%s:%d%s" % (host, port, path), timeout=10) as r:
            return r.status, r.read()
    except Exception as e:
        return None, str(e).encode()
deadline = time.monotonic() + 120	# make may build first
while time.monotonic() < deadline and get("127.0.0.1", "/healthz")[0] != 200 and p.poll() is None:
    time.sleep(0.2)
import json
for host in ("127.0.0.1", "[::1]"):
    status, body = get(host)
    try:
        j = json.loads(body)
        got = [j["active"], j["waiting"], j["failed"], j["queues"]]
    except Exception:
        got = body[:80]
    report(status == 200 and got == [16, 2960, 9, 19],
           "make run PORT=%d: GET http://%s:%d/ gives the demo totals (got %s %s)" % (port, host, port, status, got))
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
