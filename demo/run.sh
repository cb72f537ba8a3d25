#!/bin/sh
# demo/run.sh - what `make run` does: start lighttpd with the repo's
# lighttpd.conf on PORT (8085), IPv6 and IPv4, in the foreground, the CGI
# from build/.  With no IMMICH_URL in the environment it first starts the
# demo upstream (demo/upstream.conf) on 127.0.0.1:$DEMO_PORT (8086), which
# replays real Immich answers in a loop (demo/loop.py: one every
# DEMO_STEP seconds, 10, from DEMO_START, now), and points the service at
# it.  A port already in use stops it before anything
# starts (the demo key must never go to whatever owns DEMO_PORT); Ctrl-C
# stops everything and ends with status 0.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
port=${PORT:-8085}
run=$build/run
me=immich-jobs-proxy
py=/usr/bin/python3
[ -x "$py" ] || py=python3

# port_in_use NAME PORT ADDRESS: say so and exit when PORT cannot be bound
# on ADDRESS the way lighttpd binds it ("::" takes IPv4 too).
port_in_use() {
	case $2 in
	'' | *[!0-9]* | 0* | ??????*) echo "$me: $1 must be a port number from 1 to 65535 (got '$2')" >&2; exit 2 ;;
	esac
	[ "$2" -le 65535 ] || { echo "$me: $1 must be a port number from 1 to 65535 (got '$2')" >&2; exit 2; }
	if ! why=$("$py" - "$2" "$3" 2>&1 <<'EOF'
import socket, sys
port, host = int(sys.argv[1]), sys.argv[2]
family = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(family, socket.SOCK_STREAM)
if family == socket.AF_INET6:
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind((host, port))
except OSError as e:
    sys.exit(e.strerror)
EOF
	); then
		other=$(($2 + 1000)); [ "$other" -le 65535 ] || other=$(($2 - 1000))
		echo "$me: $1=$2 cannot be used ($why): another program listens there; stop it or choose another port, e.g. $1=$other make run" >&2
		exit 1
	fi
}

port_in_use PORT "$port" ::
if [ -z "${IMMICH_URL:-}" ]; then
	demo_port=${DEMO_PORT:-8086}
	if [ "$demo_port" = "$port" ]; then
		echo "$me: PORT and DEMO_PORT are both $port: give them different ports" >&2
		exit 1
	fi
	port_in_use DEMO_PORT "$demo_port" 127.0.0.1
	demo_step=${DEMO_STEP:-10} demo_start=${DEMO_START:-$(date +%s)}
	case $demo_step$demo_start in
	*[!0-9]*) echo "$me: DEMO_STEP and DEMO_START must be whole numbers of seconds (got '$demo_step', '$demo_start')" >&2; exit 2 ;;
	esac
	[ "$demo_step" -gt 0 ] || { echo "$me: DEMO_STEP must be at least 1 (got '$demo_step')" >&2; exit 2; }
fi

sh "$top/demo/conf.sh" "$port" "[::]" "$run/lighttpd.conf" "$build"
demo=
stop() {	# the demo upstream, waited for: nothing is left when make returns
	[ -z "$demo" ] || { kill "$demo" 2>/dev/null; wait "$demo" 2>/dev/null; } || true
	demo=
}
trap stop EXIT
# Ctrl-C reaches every process of the terminal's group: lighttpd stops by
# itself; this script only tidies up and ends well.
trap 'stop; echo "$me: stopped"; exit 0' INT TERM
if [ -z "${IMMICH_URL:-}" ]; then
	lighttpd=$(command -v lighttpd 2>/dev/null) || lighttpd=/usr/sbin/lighttpd
	"$py" "$top/demo/loop.py" "$top" "$run/demo-jobs.jsonl"
	export DEMO_PORT="$demo_port" DEMO_ROOT="$top/demo" DEMO_RUN="$run" \
	    DEMO_BODIES="$run/demo-jobs.jsonl" DEMO_STEP="$demo_step" \
	    DEMO_START="$demo_start"
	# Its own lighttpd messages ("server started") would read as ours.
	"$lighttpd" -D -f "$top/demo/upstream.conf" 2> "$run/demo-upstream.log" &
	demo=$!
	export IMMICH_URL=http://127.0.0.1:$DEMO_PORT
	export IMMICH_JOBS_API_KEY=demokeyNotCheckedByTheDemo
	# The recorded stall lasts 3 minutes: flag it after 1, not 5.
	export IMMICH_JOBS_STALL_AFTER="${IMMICH_JOBS_STALL_AFTER:-60}"
	n=$(wc -l < "$DEMO_BODIES")
	echo "$me: no IMMICH_URL set: serving the bundled demo upstream at $IMMICH_URL: a real Immich v3.1.0 replayed in a loop of $((n * demo_step / 60)) min, one recorded answer every $demo_step s (an import of 2,020 photos and videos rising and draining, a paused queue, a stalled one: IMMICH_JOBS_STALL_AFTER=$IMMICH_JOBS_STALL_AFTER; its log: $run/demo-upstream.log)"
fi
echo "$me: starting lighttpd on port $port, all interfaces, IPv6 and IPv4 (try: curl -i http://127.0.0.1:$port/ ; Ctrl-C stops)"
sh "$top/cgi/serve.sh" "$run/lighttpd.conf"
