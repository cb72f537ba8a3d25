#!/bin/sh
# demo/run.sh - what `make run` does: start lighttpd with the repo's
# lighttpd.conf on :8085 in the foreground, the CGI from build/.  With no
# IMMICH_URL in the environment it first starts the demo upstream (demo/
# upstream.conf) on 127.0.0.1:$DEMO_PORT and points the service at it.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
port=${PORT:-8085}
run=$build/run
sh "$top/demo/conf.sh" "$port" "[::]" "$run/lighttpd.conf" "$build"
if [ -z "${IMMICH_URL:-}" ]; then
	export DEMO_PORT=${DEMO_PORT:-8086} DEMO_ROOT="$top/demo"
	lighttpd -D -f "$top/demo/upstream.conf" &
	demo=$!
	trap 'kill $demo 2>/dev/null' EXIT INT TERM
	export IMMICH_URL=http://127.0.0.1:$DEMO_PORT
	export IMMICH_JOBS_API_KEY=demo-key-not-checked-by-the-demo
	echo "immich-jobs-proxy: no IMMICH_URL set: serving the bundled demo upstream at $IMMICH_URL (sample data of Immich v3.2)"
fi
echo "immich-jobs-proxy: starting lighttpd on port $port, all interfaces (try: curl -i http://127.0.0.1:$port/ ; Ctrl-C stops)"
sh "$top/cgi/serve.sh" "$run/lighttpd.conf"
