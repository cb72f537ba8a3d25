#!/bin/sh
# The key is in no process's command line: while a request through
# lighttpd waits on a silent Immich (so the CGI is running, inside libcurl),
# no /proc/*/cmdline holds it.  It travels in the environment only.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"silent": true}}'
fake_start
lighttpd_start IMMICH_JOBS_TIMEOUT=2
http GET / > /dev/null 2>&1 &
bg=$!
i=0
while [ "$(fake_requests /api/jobs)" = 0 ] && [ $i -lt 100 ]; do
	sleep 0.02; i=$((i + 1))
done
check "the CGI is waiting on Immich" [ "$(fake_requests /api/jobs)" = 1 ]
# The key goes to the scanner in its environment, not in its argv.
SCAN_KEY=$KEY "$PY" -c '
import os
key = os.environ["SCAN_KEY"].encode()
seen = hits = 0
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    try:
        argv = open("/proc/%s/cmdline" % pid, "rb").read()
    except OSError:
        continue
    seen += 1
    if key in argv:
        hits += 1
        print("# pid %s: %r" % (pid, argv[:80]))
print(seen, hits)' > "$T/scan"
check "a CGI process was running (immich-jobs in the process list)" \
    sh -c "grep -l immich-jobs /proc/[0-9]*/cmdline 2>/dev/null | grep -q ."
check "scanned the processes ($(tail -n 1 "$T/scan" | cut -d' ' -f1))" [ "$(tail -n 1 "$T/scan" | cut -d' ' -f1)" -gt 3 ]
check "no command line holds the key" [ "$(tail -n 1 "$T/scan" | cut -d' ' -f2)" = 0 ]
wait $bg
no_leak
finish
