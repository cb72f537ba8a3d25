#!/bin/sh
# Slow clients cannot hold the service: five connections that send one
# header line every 5 s (and never end their request) are closed by
# lighttpd long before 45 s, while a request whose lines come 1 s apart is
# still answered; at most 64 connections are served at once (a 65th waits
# until one of them goes), and lighttpd keeps serving afterwards.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
lighttpd_start
"$PY" - "$LPORT" <<'PYEOF'
import socket, sys, threading, time
port = int(sys.argv[1])

def report(ok, what):
    print(("ok" if ok else "not ok") + " - " + what)

def slow(i, period, limit, out):
    """Send a request line, then a header line every PERIOD s, never the
    end of the headers; OUT[i] = seconds until lighttpd closed, or None."""
    s = socket.create_connection(("127.0.0.1", port), 5)
    t0 = time.monotonic()
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
    s.settimeout(0.2)
    n = 0
    while time.monotonic() - t0 < limit:
        try:
            if not s.recv(4096):
                break
        except socket.timeout:
            pass
        except OSError:
            break
        if time.monotonic() - t0 >= (n + 1) * period:
            n += 1
            try:
                s.sendall(b"X-Slow-%d: y\r\n" % n)
            except OSError:
                break
    else:
        out[i] = None
        s.close()
        return
    out[i] = time.monotonic() - t0
    s.close()

# Five slowloris connections; bounded: 30 s at most.
out = {}
ts = [threading.Thread(target=slow, args=(i, 5, 30, out)) for i in range(5)]
for t in ts:
    t.start()
for t in ts:
    t.join()
for i in range(5):
    d = out[i]
    report(d is not None and d < 20,
           "slow connection %d (a header line every 5 s) closed within 20 s (%s)"
           % (i, "open after 30 s" if d is None else "%.1f s" % d))

# A request whose header lines come 1 s apart is answered.
s = socket.create_connection(("127.0.0.1", port), 5)
s.settimeout(20)
for part in (b"GET /healthz HTTP/1.1\r\n", b"Host: x\r\n", b"Connection: close\r\n", b"\r\n"):
    s.sendall(part)
    time.sleep(1)
resp = b""
while True:
    c = s.recv(4096)
    if not c:
        break
    resp += c
report(resp.startswith(b"HTTP/1.1 200") and resp.endswith(b'{"status":"ok"}\n'),
       "a request sent in pieces 1 s apart: 200 (got %r)" % resp[:40])

# The cap: 64 connections kept busy (a header byte every 0.5 s), then a
# 65th with a whole request is not answered until they are gone.
hold = []
for i in range(64):
    h = socket.create_connection(("127.0.0.1", port), 5)
    h.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
    hold.append(h)
stop = threading.Event()
def drip():
    while not stop.wait(0.5):
        for h in hold:
            try:
                h.sendall(b"X")
            except OSError:
                pass
dt = threading.Thread(target=drip)
dt.start()
time.sleep(1)
extra = socket.create_connection(("127.0.0.1", port), 5)
extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
extra.settimeout(2)
try:
    early = extra.recv(4096)
except socket.timeout:
    early = None
report(early is None, "a 65th connection waits while 64 are open (got %r)" % (early or b"")[:40])
stop.set()
dt.join()
for h in hold:
    h.close()
extra.settimeout(20)
resp = early or b""
try:
    while True:
        c = extra.recv(4096)
        if not c:
            break
        resp += c
except OSError:
    pass
report(resp.startswith(b"HTTP/1.1 200"), "... and is answered once they close (got %r)" % resp[:40])
PYEOF
http GET /healthz
check "lighttpd still serves: /healthz 200" [ "$STATUS" = 200 ]
check "lighttpd did not crash" kill -0 "$LIGHTTPD_PID"
finish
