#!/bin/sh
# lighttpd.conf as it ships (the installed service and the container use it
# with only the paths changed) listens on IPv6 and IPv4 on IMMICH_JOBS_PORT;
# `make run`'s configuration (demo/conf.sh with "[::]") does too.  A bad
# IMMICH_JOBS_PORT stops immich-jobs-proxy with a message naming it.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start

# both_families URL_PORT WHAT: GET /healthz over 127.0.0.1 and over ::1.
both_families() {
	for host in 127.0.0.1 '[::1]'; do
		out=$(curl -sg --max-time 10 "http://$host:$1/healthz")
		check "$2: GET http://$host:$1/healthz answers (got '$out')" [ "$out" = '{"status":"ok"}' ]
	done
}
# serve CONF [VAR=value...]: immich-jobs-proxy with CONF in the background;
# waits until something listens on $port over 127.0.0.1.
serve() {
	conf=$1; shift
	env IMMICH_URL="$FAKE_URL" IMMICH_JOBS_API_KEY="$KEY" \
	    IMMICH_JOBS_CACHE_DIR="$T/cache" "$@" \
	    sh "$TOP/cgi/serve.sh" "$conf" >> "$T/lighttpd.log" 2>&1 &
	SERVE_PID=$!
	PIDS="$PIDS $SERVE_PID"
	i=0
	while ! curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
}

# The shipped file with only its paths pointed at this checkout.
port=$(free_port)
sh "$TOP/demo/conf.sh" 1 127.0.0.1 "$T/paths.conf" "$BUILD"
grep -v '^server\.\(port\|bind\) :=' "$T/paths.conf" > "$T/shipped.conf"
serve "$T/shipped.conf" IMMICH_JOBS_PORT="$port"
both_families "$port" "IMMICH_JOBS_PORT=$port"
kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null

# make run's configuration: PORT, every interface.
port=$(free_port)
sh "$TOP/demo/conf.sh" "$port" "[::]" "$T/run.conf" "$BUILD"
serve "$T/run.conf"
both_families "$port" "make run's lighttpd.conf on PORT=$port"
kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null

# Unset, IMMICH_JOBS_PORT is 8085: what lighttpd is given, seen by a
# stand-in lighttpd (another service may own 8085 on this machine).
mkdir -p "$T/fakebin"
printf '#!/bin/sh\n[ "$1" != -p ] || exec %s "$@"\necho "port=$IMMICH_JOBS_PORT"\n' \
    "$(command -v lighttpd || echo /usr/sbin/lighttpd)" > "$T/fakebin/lighttpd"
chmod +x "$T/fakebin/lighttpd"
out=$(env -u IMMICH_JOBS_PORT PATH="$T/fakebin:$PATH" sh "$TOP/cgi/serve.sh" "$T/shipped.conf" 2>/dev/null)
check "IMMICH_JOBS_PORT unset: lighttpd gets 8085 (got '$out')" [ "$out" = port=8085 ]
out=$(env IMMICH_JOBS_PORT= PATH="$T/fakebin:$PATH" sh "$TOP/cgi/serve.sh" "$T/shipped.conf" 2>/dev/null)
check "IMMICH_JOBS_PORT empty: lighttpd gets 8085 (got '$out')" [ "$out" = port=8085 ]
# White space around it is dropped, as around every variable.
out=$(env IMMICH_JOBS_PORT=" 9000 " PATH="$T/fakebin:$PATH" sh "$TOP/cgi/serve.sh" "$T/shipped.conf" 2>/dev/null)
check "IMMICH_JOBS_PORT=' 9000 ': lighttpd gets 9000 (got '$out')" [ "$out" = port=9000 ]
for bad in 0 65536 80a -1 "80 85" 99999999999; do
	env IMMICH_JOBS_PORT="$bad" sh "$TOP/cgi/serve.sh" "$T/shipped.conf" > "$T/bad.out" 2>&1
	rc=$?
	check "IMMICH_JOBS_PORT='$bad': exit 2 (got $rc)" [ "$rc" = 2 ]
	check "IMMICH_JOBS_PORT='$bad': the message names it" grep -q "IMMICH_JOBS_PORT must be a port number" "$T/bad.out"
done
no_leak
finish
