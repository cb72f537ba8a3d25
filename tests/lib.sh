# tests/lib.sh - helpers for the numbered test scripts (tests/tNNNN-*.sh).
#
# Each script sources this file, runs checks and ends with `finish`.  A
# check prints TAP-style "ok - ..." or "not ok - ..."; tests/run.sh counts
# them.  Everything talks to loopback only.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
BIN=$BUILD/immich-jobs
FIX=$TOP/tests/fixtures
PY=${PYTHON:-/usr/bin/python3}
T=$(mktemp -d "${TMPDIR:-/tmp}/ijp-test.XXXXXX")
KEY="ijp-test-key-$$-Zq8vW3rT"	# the secret that must never leak
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

# fake_start [fake_immich.py options]: start the fake Immich on a free
# loopback port; sets FAKE_PORT and FAKE_URL.  Requests go to $T/fake.log.
fake_start() {
	[ -f "$T/spec.json" ] || spec '{}'
	: > "$T/fake.log"
	rm -f "$T/fake.port"
	"$PY" "$TOP/tests/fake_immich.py" --spec "$T/spec.json" \
	    --log "$T/fake.log" --port-file "$T/fake.port" "$@" &
	PIDS="$PIDS $!"
	FAKE_PID=$!
	i=0
	while [ ! -s "$T/fake.port" ] && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
	FAKE_PORT=$(cat "$T/fake.port")
	FAKE_URL=http://127.0.0.1:$FAKE_PORT
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
	    "$@" $CGI_WRAPPER "$BIN" > "$T/raw" 2> "$T/stderr"
	CGI_RC=$?
	ELAPSED_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
	split_response "$T/raw"
	cat "$T/raw" "$T/stderr" >> "$T/all-output"
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

# no_leak: the key appears in no output captured so far.
no_leak() {
	touch "$T/all-output"
	check "the API key appears in no output" \
	    sh -c "! grep -qsF -- '$KEY' '$T/all-output' '$T/headers' '$T/body' '$T/stderr'"
}

# lighttpd_start [VAR=value...]: start real lighttpd with the repo's
# lighttpd.conf (through cgi/serve.sh) on a free loopback port, the CGI from
# $BUILD; sets HTTP_URL.  lighttpd's stderr (its error log and the CGI's)
# goes to $T/lighttpd.log.
lighttpd_start() {
	LPORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	mkdir -p "$T/empty"
	cat > "$T/lighttpd.conf" <<EOC
include "$TOP/lighttpd.conf"
server.port := $LPORT
server.bind := "127.0.0.1"
server.document-root := "$T/empty"
alias.url := ( "/immich-jobs/" => "$BUILD/immich-jobs/" )
EOC
	env IMMICH_URL="${FAKE_URL:-}" IMMICH_JOBS_API_KEY="$KEY" \
	    IMMICH_JOBS_CACHE_DIR="$T/cache" IMMICH_JOBS_CACHE_TTL=0 "$@" \
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
# goes to $T/headers and $T/body as for cgi.
http() {
	method=$1; path=$2; shift 2
	if [ "$method" = HEAD ]; then set -- -I "$@"; else set -- -X "$method" "$@"; fi
	curl -s -i --max-time 30 "$@" "$HTTP_URL$path" > "$T/raw" 2>/dev/null
	split_response "$T/raw"
	cat "$T/raw" >> "$T/all-output"
}
