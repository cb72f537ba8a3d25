#!/bin/sh
# A name server that swallows every query: the answer (504) still comes
# within IMMICH_JOBS_TIMEOUT + 1 s and the CGI process is gone by then;
# libcurl's resolver thread, still waiting for the name server, must not
# hold the process up (it is joined at cleanup unless told not to).
#
# Run as root in private network and mount namespaces (unshare -n -m): a
# loopback name server that reads queries and never answers, bound over
# /etc/resolv.conf (timeout 30 s, one attempt, so a joined resolver would
# take 30 s), /etc/hosts and /etc/nsswitch.conf.  Nothing leaves the
# namespace.
if [ -z "${IJP_IN_NETNS:-}" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "# SKIP: needs root for a private network namespace (unshare -n -m)"
		echo "ok - skipped: not root"
		exit 0
	fi
	if ! unshare -n -m true 2>/dev/null; then
		echo "# SKIP: unshare -n -m refused here (no CAP_SYS_ADMIN in this container?)"
		echo "ok - skipped: no namespaces"
		exit 0
	fi
	IJP_IN_NETNS=1 exec unshare -n -m sh "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

# Loopback is down in a new network namespace.
"$PY" -c '
import fcntl, socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
# SIOCSIFFLAGS: IFF_UP | IFF_LOOPBACK | IFF_RUNNING
fcntl.ioctl(s, 0x8914, struct.pack("16sH14x", b"lo", 0x1 | 0x8 | 0x40))'
check "loopback is up in the namespace" "$PY" -c 'import socket; socket.socket().bind(("127.0.0.1", 0))'

printf 'nameserver 127.0.0.1\noptions timeout:30 attempts:1\n' > "$T/resolv.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' > "$T/hosts"
printf 'hosts: files dns\n' > "$T/nsswitch.conf"
for f in resolv.conf hosts nsswitch.conf; do
	mount --bind "$T/$f" "/etc/$f" || fail "bind-mount /etc/$f"
done

# The name server: counts queries in $T/dns.count, answers none.
"$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
open(sys.argv[1] + ".ready", "w").close()
n = 0
while True:
    s.recvfrom(4096)
    n += 1
    open(sys.argv[1], "w").write("%d\n" % n)' "$T/dns.count" &
PIDS="$PIDS $!"
i=0
while [ ! -e "$T/dns.count.ready" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done

cgi GET / IMMICH_URL=http://immich.swallowed.test:2283 IMMICH_JOBS_TIMEOUT=3
expect_error 504 "timed out after 3 s (IMMICH_JOBS_TIMEOUT)"
check "the name server got the query (and answered none)" [ "$(cat "$T/dns.count" 2>/dev/null || echo 0)" -ge 1 ]
# cgi returns when the process has exited, not when its output closed.
within_bound 3
no_leak
finish
