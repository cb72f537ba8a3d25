# tests/lib.sh - helpers for the numbered test scripts (tests/tNNNN-*.sh).
#
# Each script sources this file, runs checks and ends with `finish`.  A
# check prints TAP-style "ok - ..." or "not ok - ..."; tests/run.sh counts
# them.  Everything talks to loopback only.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
# The CGI: the front, which answers cache hits and execs the full program
# beside it for the rest (make check-valgrind runs the full program alone:
# memcheck cannot read a static front).
BIN=${CGI_BIN:-$BUILD/immich-jobs}
FULL=$BUILD/immich-jobs-full
FIX=$TOP/tests/fixtures
PY=${PYTHON:-/usr/bin/python3}
T=$(mktemp -d "${TMPDIR:-/tmp}/ijp-test.XXXXXX")
KEY="ijptestkey$$Zq8vW3rT"	# the secret that must never leak (Immich keys: letters, digits)
FAILED=0
PIDS=""
# Run the CGI under a wrapper, e.g. "valgrind --error-exitcode=99 ...".
CGI_WRAPPER=${CGI_WRAPPER:-}

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

ok() { echo "ok - $*"; }
fail() { echo "not ok - $*"; FAILED=$((FAILED + 1)); }

# check DESCRIPTION COMMAND...: one assertion.
check() {
	desc=$1; shift
	if "$@"; then ok "$desc"; else fail "$desc"; fi
}

finish() {
	[ "$FAILED" -eq 0 ]
	exit $?
}

# spec JSON: what the fake Immich answers (see tests/fake_immich.py).
spec() { printf '%s\n' "$1" > "$T/spec.json"; }

# wait_file FILE: wait (5 s at most) until FILE holds something; print it.
wait_file() {
	i=0
	while [ ! -s "$1" ] && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
	cat "$1"
}

# wait_http URL [SECONDS]: wait (SECONDS, default 10, at most) until URL
# answers HTTP, whatever the status.
wait_http() {
	_w=0
	while ! curl -s -o /dev/null "$1" && [ $_w -lt $((${2:-10} * 10)) ]; do
		sleep 0.1; _w=$((_w + 1))
	done
}

# run_server NAME SCRIPT [options]: start tests/SCRIPT (fake_immich.py,
# fake_proxy.py) logging to $T/NAME.log, on a free loopback port it writes
# to $T/NAME.port; waits for that, sets _PID and _PORT.
run_server() {
	_name=$1 _script=$2; shift 2
	: > "$T/$_name.log"
	rm -f "$T/$_name.port"
	"$PY" "$TOP/tests/$_script" --log "$T/$_name.log" \
	    --port-file "$T/$_name.port" "$@" &
	_PID=$!
	PIDS="$PIDS $_PID"
	_PORT=$(wait_file "$T/$_name.port")
}

# run_fake N [fake_immich.py options]: start tests/fake_immich.py answering
# as $T/specN.json, logging to $T/fakeN.log, on a free loopback port; sets
# _PID, _PORT and _URL (N is "" for the first fake, 2 for the second).
run_fake() {
	_n=$1; shift
	run_server "fake$_n" fake_immich.py --spec "$T/spec$_n.json" "$@"
	_URL=http://$(fake_host "$@"):$_PORT
}

# fake_start [fake_immich.py options]: start the fake Immich on a free
# loopback port; sets FAKE_PORT and FAKE_URL.  Requests go to $T/fake.log.
fake_start() {
	[ -f "$T/spec.json" ] || spec '{}'
	run_fake "" "$@"
	FAKE_PID=$_PID FAKE_PORT=$_PORT FAKE_URL=$_URL
}

# fake_host [fake_immich.py options]: the host part of a URL for the
# fake's --bind address ("127.0.0.1" by default, "[::1]" for ::1).
fake_host() {
	_fh=127.0.0.1
	while [ $# -gt 0 ]; do
		[ "$1" = --bind ] && [ $# -gt 1 ] && _fh=$2
		shift
	done
	case $_fh in *:*) _fh="[$_fh]" ;; esac
	echo "$_fh"
}

# fake2_start [fake_immich.py options]: a second fake Immich, for what must
# get NO request (a redirect's target on another host, a would-be proxy):
# answers as $T/spec2.json (default: jobs-newest.json to anything), logs to
# $T/fake2.log (no_leak checks it); sets FAKE2_PORT and FAKE2_URL.  E.g.
# `fake2_start --bind 127.0.0.2` for another host on loopback.
fake2_start() {
	[ -f "$T/spec2.json" ] ||
	    printf '{"*": {"body_file": "%s/jobs-newest.json"}}\n' "$FIX" > "$T/spec2.json"
	run_fake 2 "$@"
	FAKE2_PID=$_PID FAKE2_PORT=$_PORT FAKE2_URL=$_URL
}

# write_spec: the fake answers GET /SEQ/api/jobs, for each SEQ in $SEQS,
# with what the test's `body SEQ ELAPSED` prints for the seconds since
# $start: counts that change with the clock (rate, ETA, stalls).
write_spec() {
	el=$(( $(date +%s) - start ))
	printf '{' > "$T/spec.new"
	sep=
	for w in $SEQS; do
		body "$w" "$el" > "$T/body-$w.json"
		printf '%s"/%s/api/jobs": {"body_file": "%s"}' "$sep" "$w" \
		    "$T/body-$w.json" >> "$T/spec.new"
		sep=,
	done
	printf '}\n' >> "$T/spec.new"
	mv "$T/spec.new" "$T/spec.json"
}

# poll_for_history: after a first round, poll each sequence of $SEQS with
# the test's `poll SEQ` every 2 s (slower under valgrind) until 31 s after
# that round, then once more each, as of its own write_spec: the history
# then spans 30 s or more, as an ETA needs.
poll_for_history() {
	_first=$(date +%s)
	while [ "$(date +%s)" -lt $((_first + 31)) ]; do
		sleep 2
		write_spec
		for _s in $SEQS; do poll "$_s"; done
	done
	# The last round's counts come from a later second than the round
	# before: a round quicker than a second (a fast machine) would repeat
	# them, and a growing backlog that stops growing is no import.
	_el=$el
	while [ $(( $(date +%s) - start )) -le "$_el" ]; do sleep 0.2; done
	for _s in $SEQS; do write_spec; poll "$_s"; done
}

# free_port: a loopback TCP port nobody listens on (bound, then closed).
free_port() {
	"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# RUN_TIMEOUT: the IMMICH_JOBS_TIMEOUT cgi and lighttpd_start give unless
# the test sets one: the default, 10 s, plus twice TIME_SLACK_MS, since under
# memcheck or qemu on a busy machine a run that loads libcurl can take most
# of 10 s by itself.
RUN_TIMEOUT=$((10 + 2 * ${TIME_SLACK_MS:-0} / 1000))

# FAULT_TIMEOUT: the short IMMICH_JOBS_TIMEOUT of the fault tests, 2 s,
# plus twice TIME_SLACK_MS: under memcheck or qemu, loading libcurl and
# connecting alone can take longer than 2 s on a busy machine, and the
# fault under test would turn into a timeout.
FAULT_TIMEOUT=$((2 + 2 * ${TIME_SLACK_MS:-0} / 1000))

# TLS_TIMEOUT: IMMICH_JOBS_TIMEOUT and IMMICH_JOBS_CONNECT_TIMEOUT (TLS)
# for HTTPS exchanges that must finish, not time out.  The handshake is
# part of connecting, and so is OpenSSL reading the system's CA bundle: a
# good part of a second on a busy machine, but tens of seconds under
# memcheck with both cores busy, and several under qemu (runs that set
# TIME_SLACK_MS), where the fixed 3 s connect timeout turned the TLS failure
# under test into a 504.  The failures under test are immediate: a budget
# that fits the slowest machine costs nothing when they are.
TLS_TIMEOUT=$((5 + 15 * ${TIME_SLACK_MS:-0} / 1000))
[ "$TLS_TIMEOUT" -le 60 ] || TLS_TIMEOUT=60
TLS="IMMICH_JOBS_TIMEOUT=$TLS_TIMEOUT IMMICH_JOBS_CONNECT_TIMEOUT=$TLS_TIMEOUT"

# within_bound TIMEOUT: the last cgi/http call took at most TIMEOUT + 1 s,
# the documented bound (plus TIME_SLACK_MS, which make check-valgrind sets).
within_bound() {
	check "answered within $1 s + 1 s (took ${ELAPSED_MS} ms)" \
	    [ "$ELAPSED_MS" -le $((($1 + 1) * 1000 + ${TIME_SLACK_MS:-0})) ]
}

# blackhole_start [PORT]: a loopback port (PORT, or a free one) that drops
# every connection attempt, as a host that sleeps or is switched off does:
# its listen backlog is full and never accepted, so Linux drops the SYNs
# and a client waits for its connect timeout.  Sets BH_PORT and BH_URL.
blackhole_start() {
	rm -f "$T/bh.port"
	"$PY" - "${1:-0}" "$T/bh.port" <<'PYEOF' &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(0)
port = s.getsockname()[1]
# Fill the accept queue (backlog 0 holds one) and never accept.
fill = []
for i in range(4):
    c = socket.socket()
    c.setblocking(False)
    try:
        c.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    fill.append(c)
time.sleep(0.3)
open(sys.argv[2], "w").write("%d\n" % port)
time.sleep(600)
PYEOF
	PIDS="$PIDS $!"
	BH_PORT=$(wait_file "$T/bh.port")
	BH_URL=http://127.0.0.1:$BH_PORT
}

# fake_requests [PATH]: how many requests the fake Immich got (for PATH).
fake_requests() {
	if [ $# -eq 0 ]; then
		wc -l < "$T/fake.log" | tr -d ' '
	else
		grep -c "\"path\": \"$1\"" "$T/fake.log"
	fi
}

# cgi METHOD PATH [VAR=value...]: run the binary the way lighttpd runs it:
# a clean environment with CGI variables, IMMICH_URL=$FAKE_URL and the key
# unless overridden, the cache in $T/cache.  Splits the output into
# $T/headers and $T/body, stderr in $T/stderr, exit code in CGI_RC,
# status in STATUS, time taken (ms) in ELAPSED_MS.
cgi() {
	method=$1; path=$2; shift 2
	t0=$(date +%s%N)
	env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 \
	    SERVER_PROTOCOL=HTTP/1.1 SERVER_SOFTWARE= REQUEST_METHOD="$method" \
	    PATH_INFO="$path" SCRIPT_NAME=/immich-jobs QUERY_STRING= \
	    REMOTE_ADDR=127.0.0.1 \
	    IMMICH_URL="${FAKE_URL:-}" IMMICH_JOBS_API_KEY="$KEY" \
	    IMMICH_JOBS_CACHE_DIR="$T/cache" IMMICH_JOBS_CACHE_TTL=0 \
	    IMMICH_JOBS_TIMEOUT=$RUN_TIMEOUT \
	    "$@" $CGI_WRAPPER "$BIN" > "$T/raw" 2> "$T/stderr"
	CGI_RC=$?
	ELAPSED_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
	split_response "$T/raw"
	cat "$T/raw" "$T/stderr" >> "$T/all-output"
}

# cgi_bg NAME [VAR=value...]: one CGI run of GET / in the background, as
# lighttpd runs it with the cache in $T/cache (TTL 30 s unless given):
# stdout to $T/out.NAME, stderr to $T/err.NAME, its pid in BG_PID.
cgi_bg() {
	_name=$1; shift
	env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/ \
	    IMMICH_URL="${FAKE_URL:-}" IMMICH_JOBS_API_KEY="$KEY" IMMICH_JOBS_CACHE_DIR="$T/cache" \
	    IMMICH_JOBS_CACHE_TTL=30 "$@" $CGI_WRAPPER "$BIN" > "$T/out.$_name" 2> "$T/err.$_name" &
	BG_PID=$!
}

# split_response FILE: headers (CRLF stripped) and body of a CGI or HTTP
# response into $T/headers and $T/body; STATUS from "Status:" or the
# status line.
split_response() {
	"$PY" - "$1" "$T/headers" "$T/body" <<'PYEOF'
import sys
raw = open(sys.argv[1], "rb").read()
head, sep, body = raw.partition(b"\r\n\r\n")
if not sep:
    head, body = raw, b""
open(sys.argv[2], "wb").write(head.replace(b"\r\n", b"\n") + b"\n")
open(sys.argv[3], "wb").write(body)
PYEOF
	STATUS=$(sed -n 's/^Status: \([0-9]*\).*/\1/p; s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$T/headers" | head -n 1)
}

# header NAME: the value of a response header in $T/headers ("" if none).
header() {
	grep -i "^$1:" "$T/headers" | head -n 1 | sed 's/^[^:]*: *//' | tr -d '\r'
}

# json EXPR [FILE]: evaluate a Python expression over the JSON body bound
# to "j" and print the result as JSON; exits 1 when it is not JSON.
json() {
	"$PY" - "$1" "${2:-$T/body}" <<'PYEOF'
import json, sys
try:
    j = json.load(open(sys.argv[2]))
except Exception as e:
    print("NOT JSON: %s" % e)
    sys.exit(1)
print(json.dumps(eval(sys.argv[1], {"j": j})))
PYEOF
}

# same_answer FILE1 FILE2: two JSON answers agree on everything but
# "updated" (the second each set of counts was fetched in, which differs
# between two fetches from Immich that straddle a second) and the rate and
# ETA (worked out from the fetches before each).
same_answer() {
	"$PY" - "$1" "$2" <<'PYEOF'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
# What depends on when the counts were fetched, not on what they are: the
# time, and the rate and ETA worked out from the fetches before (30 s into
# a slow run, "collecting data" becomes "not draining").
timed = ("updated", "rate", "eta", "eta_seconds")
def strip(x):
    if isinstance(x, dict):
        for k in timed:
            x.pop(k, None)
        for q in (x.get("by_queue", []) + x.get("busy", []) +
                  list(x.get("queue", {}).values())):
            for k in timed:
                q.pop(k, None)
for x in (a, b):
    strip(x)
sys.exit(0 if a == b else 1)
PYEOF
}

# is_json_error: the body is exactly {"error": str[, "upstream_status": int]}.
is_json_error() {
	[ "$(json 'sorted(j) in (["error"], ["error", "upstream_status"]) and isinstance(j["error"], str) and len(j["error"]) > 0')" = true ]
}

# expect_error STATUS SUBSTRING [UPSTREAM_STATUS]: the response is a JSON
# error with that HTTP status, a message that holds SUBSTRING and, when
# given, that upstream_status.
expect_error() {
	check "status is $1 (got ${STATUS:-none})" [ "${STATUS:-}" = "$1" ]
	check "Content-Type is application/json" [ "$(header Content-Type)" = application/json ]
	check "body is a JSON error" is_json_error
	check "message mentions '$2'" grep -qF -- "$2" "$T/body"
	if [ $# -ge 3 ]; then
		check "upstream_status is $3" [ "$(json 'j.get("upstream_status")')" = "$3" ]
	fi
}

# no_leak: the key appears in no output captured so far: the answers and
# stderr of cgi/http, lighttpd's log ($T/lighttpd.log) and whatever reached
# a second fake (fake2_start: a host other than IMMICH_URL's), when there.
no_leak() {
	touch "$T/all-output"
	check "the API key appears in no output" \
	    sh -c "! grep -qsF -- '$KEY' '$T/all-output' '$T/headers' '$T/body' '$T/stderr' '$T/lighttpd.log' '$T/fake2.log'"
}

# lighttpd_start [VAR=value...]: start real lighttpd with the repo's
# lighttpd.conf (through cgi/serve.sh) on a free loopback port, the CGI from
# $BUILD; sets HTTP_URL.  lighttpd's stderr (its error log and the CGI's)
# goes to $T/lighttpd.log.
lighttpd_start() {
	LPORT=$(free_port)
	sh "$TOP/demo/conf.sh" "$LPORT" 127.0.0.1 "$T/lighttpd.conf" "$BUILD"
	env IMMICH_URL="${FAKE_URL:-}" IMMICH_JOBS_API_KEY="$KEY" \
	    IMMICH_JOBS_CACHE_DIR="$T/cache" IMMICH_JOBS_CACHE_TTL=0 \
	    IMMICH_JOBS_TIMEOUT=$RUN_TIMEOUT "$@" \
	    sh "$TOP/cgi/serve.sh" "$T/lighttpd.conf" > "$T/lighttpd.log" 2>&1 &
	PIDS="$PIDS $!"
	LIGHTTPD_PID=$!
	HTTP_URL=http://127.0.0.1:$LPORT
	i=0
	while ! "$PY" -c "import socket; socket.create_connection(('127.0.0.1', $LPORT), 1)" 2>/dev/null; do
		sleep 0.05; i=$((i + 1))
		[ $i -lt 100 ] || break
	done
}

# http METHOD PATH [curl options]: a request through lighttpd; the response
# goes to $T/headers and $T/body as for cgi, the time taken to ELAPSED_MS.
http() {
	method=$1; path=$2; shift 2
	if [ "$method" = HEAD ]; then set -- -I "$@"; else set -- -X "$method" "$@"; fi
	t0=$(date +%s%N)
	curl -s -i --max-time 30 "$@" "$HTTP_URL$path" > "$T/raw" 2>/dev/null
	ELAPSED_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
	split_response "$T/raw"
	cat "$T/raw" >> "$T/all-output"
}

# tls_certs: make a test CA and a server certificate for 127.0.0.1 and ::1
# (IP SANs) signed by it, with openssl: $T/tls/ca.pem, $T/tls/server.pem,
# $T/tls/server.key; and an unrelated CA, $T/tls/other-ca.pem.
tls_certs() {
	mkdir -p "$T/tls"
	for ca in ca other-ca; do
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		    -nodes -days 2 -subj "/CN=immich-jobs-proxy test $ca" \
		    -addext basicConstraints=critical,CA:TRUE \
		    -addext keyUsage=critical,keyCertSign,cRLSign \
		    -keyout "$T/tls/$ca.key" -out "$T/tls/$ca.pem" 2>/dev/null
	done
	printf '%s\n' 'subjectAltName=IP:127.0.0.1,IP:::1' \
	    'basicConstraints=CA:FALSE' 'extendedKeyUsage=serverAuth' > "$T/tls/ext"
	tls_issue server ca "$T/tls/ext" /CN=127.0.0.1
}

# tls_issue NAME CA EXT SUBJECT: a key and a certificate for SUBJECT,
# $T/tls/NAME.key and NAME.pem, signed by $T/tls/CA.pem with the
# extensions in the file EXT.
tls_issue() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -subj "$4" -keyout "$T/tls/$1.key" -out "$T/tls/$1.csr" 2>/dev/null
	openssl x509 -req -in "$T/tls/$1.csr" -CA "$T/tls/$2.pem" \
	    -CAkey "$T/tls/$2.key" -CAcreateserial -days 2 \
	    -extfile "$3" -out "$T/tls/$1.pem" 2>/dev/null
}

# tls_client_certs: after tls_certs, client certificates (clientAuth):
# $T/tls/client.pem + client.key signed by the test CA, which a server
# demanding one (fake_start --tls-client-ca "$T/tls/ca.pem") accepts;
# $T/tls/stranger.pem + stranger.key signed by the unrelated CA, which it
# refuses; $T/tls/both.pem, the certificate and its key in one file.
tls_client_certs() {
	printf '%s\n' 'basicConstraints=CA:FALSE' 'extendedKeyUsage=clientAuth' > "$T/tls/client-ext"
	for c in client:ca stranger:other-ca; do
		n=${c%%:*} ca=${c#*:}
		tls_issue "$n" "$ca" "$T/tls/client-ext" "/CN=immich-jobs-proxy test $n"
	done
	cat "$T/tls/client.pem" "$T/tls/client.key" > "$T/tls/both.pem"
}

# proxy_start [--auth USER:PASSWORD]: start tests/fake_proxy.py (CONNECT
# and forward GET, to loopback only) on a free port; sets PROXY_PORT and
# PROXY_URL and PROXY_PID.  Requests go to $T/proxy.log.
proxy_start() {
	run_server proxy fake_proxy.py "$@"
	PROXY_PID=$_PID PROXY_PORT=$_PORT
	PROXY_URL=http://127.0.0.1:$PROXY_PORT
}

# http_raw REQUEST: send REQUEST (printf %b: write \r\n) to lighttpd as it
# is, for requests curl will not make (no Host, a bad version, huge
# headers), and read until lighttpd closes (5 s at most: send
# "Connection: close"); the answer goes to $T/headers, $T/body, STATUS and
# ELAPSED_MS as for http.
http_raw() {
	printf '%b' "$1" > "$T/request"
	t0=$(date +%s%N)
	"$PY" -c '
import socket, sys
req = open(sys.argv[2], "rb").read()
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.settimeout(5)
out = b""
try:
    s.sendall(req)
    while True:
        c = s.recv(65536)
        if not c:
            break
        out += c
except OSError:
    pass
sys.stdout.buffer.write(out)' "$LPORT" "$T/request" > "$T/raw"
	ELAPSED_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
	split_response "$T/raw"
	cat "$T/raw" >> "$T/all-output"
}

# replay REC OUT [VAR=value...]: the CGI over the recording REC as `make
# replay` runs it (tests/replay/replay.py: one GET / per line, the clocks
# set by tests/replay/clock_shim.c, built here with CC), with only VAR=value
# set beyond the defaults; the answers, one line per poll, into OUT.
replay() {
	_rec=$1 _out=$2; shift 2
	if [ ! -f "$T/clock_shim.so" ]; then
		${CC:-cc} -O2 -fPIC -shared -D_FILE_OFFSET_BITS=64 \
		    -D_TIME_BITS=64 -o "$T/clock_shim.so" \
		    "$TOP/tests/replay/clock_shim.c" -ldl || return 1
	fi
	env -i PATH=/usr/bin:/bin IJP_CLOCK_SHIM="$T/clock_shim.so" "$@" \
	    "$PY" "$TOP/tests/replay/replay.py" "$_rec" "$BUILD" > "$_out"
}
