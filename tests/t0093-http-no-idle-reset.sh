#!/bin/sh
# A client that keeps its connection and sends the next request after an
# idle time (Homepage polls this way) never meets a reset ("socket hang up"),
# whatever the idle time: 20 tries from 0 to 7 s, most of them between 5.2
# and 6 s, where lighttpd's 5 s keep-alive timer used to close the connection
# under the client.  They run side by side so the test takes about 7 s.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
lighttpd_start
"$PY" - "$LPORT" <<'PYEOF'
import http.client, sys, threading, time
port = int(sys.argv[1])
idles = [0, 0.5, 2, 4, 5.2, 5.25, 5.3, 5.4, 5.5, 5.55, 5.6, 5.7, 5.75, 5.8,
         5.9, 5.95, 6.0, 6.3, 6.5, 7.0]
results = {}

def one(i, idle):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request("GET", "/healthz")
        r = conn.getresponse()
        first = (r.status, r.read(), r.getheader("Connection"))
        time.sleep(idle)
        # The same HTTPConnection: it reuses its socket when the server
        # kept it open, or opens a new one when the answer said close.
        conn.request("GET", "/healthz")
        r = conn.getresponse()
        second = (r.status, r.read().strip())
        results[i] = (first, second, None)
    except Exception as e:
        results[i] = (None, None, "%s: %s" % (type(e).__name__, e))
    finally:
        conn.close()

threads = [threading.Thread(target=one, args=(i, d)) for i, d in enumerate(idles)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for i, idle in enumerate(idles):
    first, second, error = results[i]
    name = "request after %.2f s idle" % idle
    if error:
        print("not ok - %s: %s" % (name, error))
        continue
    print(("ok" if first[0] == 200 and second == (200, b'{"status":"ok"}')
           else "not ok") + " - %s: 200 both times (got %s, %s)" % (name, first[0], second[0]))
    print(("ok" if (first[2] or "").lower() == "close" else "not ok")
          + " - %s: the answer says Connection: close (got %s)" % (name, first[2]))
PYEOF
check "lighttpd is still running" kill -0 "$LIGHTTPD_PID"
finish
