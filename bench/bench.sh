#!/bin/sh
# bench/bench.sh - `make bench`: what one poll costs, against its floor and
# ceiling, in one run, printed as one table.
#
#   sh bench/bench.sh        (make bench builds first and runs this)
#
# Everything runs on loopback against two fake Immichs that both answer
# GET /api/jobs with tests/fixtures/jobs-newest.json: lighttpd serving the
# file (fast: the upstream of the miss run and of the callgrind runs, so the
# miss measures our cost, not the fake's) and tests/fake_immich.py (Python's
# http.server: it logs every request, so it counts the Immich calls at TTL
# 5, and its RSS stands for a persistent Python service).  The service is
# lighttpd with the repo's lighttpd.conf, included and overridden with `:=`
# as tests/lib.sh does.
#   requests/s, p50, p99  wrk --latency, BENCH_CONNS (16) connections,
#                         BENCH_SECONDS (10) s each: a static file and a
#                         hello-world CGI through the same lighttpd as our
#                         cache hit, our miss (IMMICH_JOBS_CACHE_TTL=0), both
#                         fake Immichs called directly
#   instructions          valgrind --tool=callgrind, total Ir of the CGI
#                         run directly with a CGI environment (median of 3)
#   Immich requests       counted at the Python fake during one wrk run
#                         against a service with TTL 5 and an empty cache
#   idle RSS              VmRSS of lighttpd with no request in flight
# Exits 0 and prints FAIL next to a missed target; BENCH_STRICT=1 makes a
# missed target exit 1.
# shellcheck disable=SC2154  # PORT_x, PID_x, RPS_x ... are set through eval
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
PY=${PYTHON:-/usr/bin/python3}
CC=${CC:-cc}
SECS=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNS:-16}
THREADS=${BENCH_THREADS:-2}
RUNS=3				# callgrind runs per program, median taken
W=$(mktemp -d "${TMPDIR:-/tmp}/ijp-bench.XXXXXX")
KEY="ijpbenchkey$$Zq8vW3rT"
PIDS=""

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "bench: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }

for tool in wrk valgrind lighttpd curl "$PY"; do
	command -v "$tool" >/dev/null 2>&1 ||
	    die "$tool is missing (Debian: apt-get install wrk valgrind lighttpd curl python3)"
done
if [ ! -x "$BUILD/immich-jobs" ] || [ ! -x "$BUILD/immich-jobs-full" ] ||
    [ ! -f "$BUILD/immich-jobs-fetch.so" ]; then
	die "build first: make"
fi

# --- the two reference programs -------------------------------------------
mkdir -p "$BUILD/bench" || exit 1
$CC -O2 -g -std=c11 -Wall -Wextra -o "$BUILD/bench/hello" "$TOP/bench/hello.c" ||
    die "cannot build bench/hello.c"
$CC -O2 -g -std=c11 -Wall -Wextra -o "$BUILD/bench/naive" "$TOP/bench/naive.c" \
    -lcurl -ljson-c || die "cannot build bench/naive.c"

# --- helpers ---------------------------------------------------------------
free_port() {
	"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_port PORT: until something listens on 127.0.0.1:PORT (at most 5 s).
wait_port() {
	i=0
	while ! "$PY" -c "import socket; socket.create_connection(('127.0.0.1', $1), 1)" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || die "nothing listens on port $1"
		sleep 0.05
	done
}

# rss_kb PID: VmRSS of a process, in kB.
rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# settle PID: wait (at most 5 s) until lighttpd has no CGI child left.
settle() {
	i=0
	while [ -n "$(ps -o pid= --ppid "$1" 2>/dev/null)" ] && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
	sleep 0.2
}

# lighttpd_up NAME TTL IMMICH_URL [EXTRA_CONF]: lighttpd with the repo's
# config on a free loopback port through cgi/serve.sh, the CGI from $BUILD,
# cache in $W/cache-NAME; sets PORT_<NAME> and PID_<NAME>.
lighttpd_up() {
	name=$1; ttl=$2; url=$3; extra=${4:-}
	port=$(free_port)
	sh "$TOP/demo/conf.sh" "$port" 127.0.0.1 "$W/$name.conf" "$BUILD"
	printf 'server.errorlog = "%s"\n%s\n' "$W/$name.log" "$extra" >> "$W/$name.conf"
	env IMMICH_URL="$url" IMMICH_JOBS_API_KEY="$KEY" \
	    IMMICH_JOBS_CACHE_DIR="$W/cache-$name" IMMICH_JOBS_CACHE_TTL="$ttl" \
	    IMMICH_JOBS_STALE_TTL= IMMICH_JOBS_API_KEY_FILE= \
	    sh "$TOP/cgi/serve.sh" "$W/$name.conf" > "$W/$name.out" 2>&1 &
	pid=$!	# serve.sh execs lighttpd: this is lighttpd's pid
	PIDS="$PIDS $pid"
	wait_port "$port"
	eval "PORT_$name=$port PID_$name=$pid"
}

# expect_ok URL HEADER: the URL answers 200 (and HEADER, if given).
expect_ok() {
	curl -s -i --max-time 10 "$1" > "$W/probe" 2>&1
	head -n 1 "$W/probe" | grep -q ' 200' || {
		note "$1 did not answer 200:"; head -n 20 "$W/probe" >&2; exit 1; }
	[ -z "${2:-}" ] || tr -d '\r' < "$W/probe" | grep -qi "^$2\$" || {
		note "$1: no '$2' header:"; head -n 20 "$W/probe" >&2; exit 1; }
}

# run_wrk NAME URL: BENCH_SECONDS of wrk; sets RPS_, P50_, P99_, N_, ERR_<NAME>.
run_wrk() {
	note "wrk $1 ($SECS s, $CONNS connections): $2"
	timeout $((SECS + 30)) wrk -t "$THREADS" -c "$CONNS" -d "${SECS}s" \
	    --timeout 10s --latency "$2" > "$W/wrk.$1" 2>&1 ||
	    { cat "$W/wrk.$1" >&2; die "wrk failed for $1"; }
	eval "$(awk -v n="$1" '
	function ms(v) {
		if (v ~ /us$/) return v / 1000
		if (v ~ /ms$/) return v + 0
		if (v ~ /m$/) return v * 60000
		if (v ~ /s$/) return v * 1000
		return v + 0
	}
	$1 == "50%" { p50 = ms($2) }
	$1 == "99%" { p99 = ms($2) }
	/requests in/ { reqs = $1 }
	/^Requests\/sec:/ { rps = $2 }
	/Non-2xx or 3xx responses:/ { err += $NF }
	/Socket errors:/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
	END {
		printf "RPS_%s=%s P50_%s=%.2f P99_%s=%.2f N_%s=%d ERR_%s=%d\n",
		    n, rps + 0, n, p50, n, p99, n, reqs, n, err + 0
	}' "$W/wrk.$1")"
}

CGI_ENV="GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 SERVER_SOFTWARE=
REQUEST_METHOD=GET PATH_INFO=/ SCRIPT_NAME=/immich-jobs QUERY_STRING=
REMOTE_ADDR=127.0.0.1 SERVER_NAME=127.0.0.1 SERVER_PORT=8085"

# cgi_env VAR=value... PROGRAM: run PROGRAM the way lighttpd does.
cgi_env() {
	# shellcheck disable=SC2086  # CGI_ENV is split on purpose
	env -i PATH=/usr/bin:/bin $CGI_ENV IMMICH_URL="$UP_URL" \
	    IMMICH_JOBS_API_KEY="$KEY" "$@"
}

# instructions NAME VAR=value... PROGRAM: median total Ir of RUNS callgrind
# runs; sets IR_<NAME>.  Each run must answer 200.  A run counts every
# process it is: the front and, on a miss, the full program it execs.
instructions() {
	name=$1; shift
	note "callgrind $name ($RUNS runs)"
	r=0
	: > "$W/ir.$name"
	while [ $r -lt $RUNS ]; do
		rm -f "$W"/cg.out.*
		cgi_env "$@" timeout 120 valgrind --tool=callgrind \
		    --trace-children=yes --dump-before=execve \
		    --callgrind-out-file="$W/cg.out.%p" \
		    "$PROG" > "$W/cg.stdout" 2> "$W/cg.stderr"
		grep -q '^Status: 200' "$W/cg.stdout" || {
			note "$name under callgrind did not answer 200:"
			head -n 12 "$W/cg.stdout" "$W/cg.stderr" >&2; exit 1; }
		awk '/^(summary|totals):/ { n += $2; nextfile } END { print n }' \
		    "$W"/cg.out.* >> "$W/ir.$name"
		r=$((r + 1))
	done
	eval "IR_$name=$(sort -n "$W/ir.$name" | sed -n "$(((RUNS + 1) / 2))p")"
}

# --- the fake Immichs ------------------------------------------------------
printf '{"/api/jobs": {"body_file": "%s"}}\n' \
    "$TOP/tests/fixtures/jobs-newest.json" > "$W/spec.json"
: > "$W/fake.log"
"$PY" "$TOP/tests/fake_immich.py" --spec "$W/spec.json" --log "$W/fake.log" \
    --port-file "$W/fake.port" &
FAKE_PID=$!
PIDS="$PIDS $FAKE_PID"
i=0
while [ ! -s "$W/fake.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$W/fake.port" ] || die "the Python fake Immich did not start"
FAKE_URL=http://127.0.0.1:$(cat "$W/fake.port")
fake_count() { wc -l < "$W/fake.log" | tr -d ' '; }

UP_PORT=$(free_port)
mkdir -p "$W/empty"
cat > "$W/upstream.conf" <<EOC
server.modules = ( "mod_alias" )
server.port = $UP_PORT
server.bind = "127.0.0.1"
server.document-root = "$W/empty"
server.errorlog = "$W/upstream.log"
server.tag = ""
mimetype.assign = ( ".json" => "application/json; charset=utf-8" )
alias.url = ( "/api/jobs" => "$TOP/tests/fixtures/jobs-newest.json" )
EOC
lighttpd -D -f "$W/upstream.conf" > "$W/upstream.out" 2>&1 &
PIDS="$PIDS $!"
wait_port "$UP_PORT"
UP_URL=http://127.0.0.1:$UP_PORT

# --- lighttpd: svc (hit, hello, static), miss (TTL 0), ttl5 -----------------
# svc also serves the references: /bench-hello/ (the hello CGI) and
# /bench-static/ (a file with the bytes of our answer), neither rewritten.
lighttpd_up svc 86400 "$UP_URL" "
\$HTTP[\"url\"] =^ \"/bench-hello/\" {
	alias.url = ( \"/bench-hello/\" => \"$BUILD/bench/hello/\" )
}
\$HTTP[\"url\"] =^ \"/bench-static/\" {
	alias.url = ( \"/bench-static/\" => \"$W/static/\" )
	cgi.assign = ( )
	static-file.exclude-extensions = ( )
}"
RSS_FRESH=$(rss_kb "$PID_svc")
FILE_FRESH=$(awk '/^RssFile:/ { print $2 }' "/proc/$PID_svc/status")
lighttpd_up miss 0 "$UP_URL"
lighttpd_up ttl5 5 "$FAKE_URL"
SVC=http://127.0.0.1:$PORT_svc

# The cache is filled once; every later request on svc is a hit.
expect_ok "$SVC/" "X-Cache: miss"
expect_ok "$SVC/" "X-Cache: hit"
mkdir -p "$W/static"
curl -s --max-time 10 "$SVC/" > "$W/static/answer.json"
expect_ok "$SVC/bench-static/answer.json"
expect_ok "$SVC/bench-hello/"
expect_ok "http://127.0.0.1:$PORT_miss/"
expect_ok "$UP_URL/api/jobs"
expect_ok "$FAKE_URL/api/jobs"
BODY_BYTES=$(wc -c < "$W/static/answer.json" | tr -d ' ')

# --- requests/s -------------------------------------------------------------
# The hits first: svc's memory after them is the service's after its load;
# the static-file and hello runs after them load lighttpd in ways the
# service never does (it serves no file).
run_wrk hit "$SVC/"
settle "$PID_svc"
RSS_LOADED=$(rss_kb "$PID_svc")
run_wrk static "$SVC/bench-static/answer.json"
run_wrk hello "$SVC/bench-hello/"
run_wrk miss "http://127.0.0.1:$PORT_miss/"
settle "$PID_miss"
run_wrk upstream "$UP_URL/api/jobs"

# --- Immich requests at TTL 5 (empty cache, nothing else calling) -----------
before=$(fake_count)
run_wrk ttl5 "http://127.0.0.1:$PORT_ttl5/"
settle "$PID_ttl5"
IMMICH_CALLS=$(($(fake_count) - before))
RSS_POLLED=$(rss_kb "$PID_ttl5")
run_wrk python "$FAKE_URL/api/jobs"
sleep 0.5
RSS_PY=$(rss_kb "$FAKE_PID")

# --- instructions -----------------------------------------------------------
PROG=$BUILD/bench/hello instructions hello
PROG=$BUILD/bench/naive instructions naive
cgi_env IMMICH_JOBS_CACHE_DIR="$W/cache-cg" IMMICH_JOBS_CACHE_TTL=86400 \
    "$BUILD/immich-jobs" > /dev/null 2>&1	# fill the cache
PROG=$BUILD/immich-jobs instructions hit IMMICH_JOBS_CACHE_DIR="$W/cache-cg" \
    IMMICH_JOBS_CACHE_TTL=86400
PROG=$BUILD/immich-jobs instructions miss IMMICH_JOBS_CACHE_TTL=0

# --- the table --------------------------------------------------------------
awk -v secs="$SECS" -v conns="$CONNS" -v bytes="$BODY_BYTES" \
    -v rps_static="$RPS_static" -v rps_hello="$RPS_hello" \
    -v rps_hit="$RPS_hit" -v rps_miss="$RPS_miss" \
    -v rps_up="$RPS_upstream" -v rps_py="$RPS_python" \
    -v p50_static="$P50_static" -v p50_hello="$P50_hello" \
    -v p50_hit="$P50_hit" -v p50_miss="$P50_miss" -v p50_up="$P50_upstream" \
    -v p50_py="$P50_python" \
    -v p99_static="$P99_static" -v p99_hello="$P99_hello" \
    -v p99_hit="$P99_hit" -v p99_miss="$P99_miss" -v p99_up="$P99_upstream" \
    -v p99_py="$P99_python" \
    -v err_static="$ERR_static" -v err_hello="$ERR_hello" \
    -v err_hit="$ERR_hit" -v err_miss="$ERR_miss" -v err_up="$ERR_upstream" \
    -v err_py="$ERR_python" -v err_ttl5="$ERR_ttl5" -v n_ttl5="$N_ttl5" \
    -v ir_hello="$IR_hello" -v ir_naive="$IR_naive" -v ir_hit="$IR_hit" \
    -v ir_miss="$IR_miss" -v calls="$IMMICH_CALLS" \
    -v rss_fresh="$RSS_FRESH" -v file_fresh="$FILE_FRESH" \
    -v rss_polled="$RSS_POLLED" -v rss_loaded="$RSS_LOADED" \
    -v rss_py="$RSS_PY" -v strict="${BENCH_STRICT:-0}" '
function row(what, value, p50, p99, errs, ref, ratio, target, result) {
	printf "%-36s %10s %8s %8s %6s  %-19s %8s  %-7s %s\n", what, value,
	    p50, p99, errs, ref, ratio, target, result
}
function verdict(ok) {
	if (!ok) failed++
	return ok ? "PASS" : "FAIL"
}
function r(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "-" }
function rate(v) { return sprintf("%.0f/s", v) }
function lat(v) { return sprintf("%.2f", v) }
BEGIN {
	printf "immich-jobs-proxy bench: wrk %d connections x %d s per run, " \
	    "latency in ms, answer %d bytes\n\n", conns, secs, bytes
	row("measure", "value", "p50", "p99", "errors", "reference", "ratio",
	    "target", "")
	row("requests/s static file (ceiling)", rate(rps_static),
	    lat(p50_static), lat(p99_static), err_static, "-", "-", "", "")
	row("requests/s hello CGI (floor)", rate(rps_hello), lat(p50_hello),
	    lat(p99_hello), err_hello, "static file", r(rps_hello, rps_static),
	    "", "")
	row("requests/s cache hit", rate(rps_hit), lat(p50_hit), lat(p99_hit),
	    err_hit, "hello CGI", r(rps_hit, rps_hello), ">= 0.8",
	    verdict(rps_hello > 0 && rps_hit / rps_hello >= 0.8 && err_hit + 0 == 0))
	row("requests/s miss (TTL 0)", rate(rps_miss), lat(p50_miss),
	    lat(p99_miss), err_miss, "hello CGI", r(rps_miss, rps_hello), "", "")
	row("requests/s fake Immich direct", rate(rps_up), lat(p50_up),
	    lat(p99_up), err_up, "static file", r(rps_up, rps_static), "", "")
	row("requests/s Python fake Immich direct", rate(rps_py), lat(p50_py),
	    lat(p99_py), err_py, "static file", r(rps_py, rps_static), "", "")
	row("instructions hello CGI (floor)", ir_hello, "", "", "", "-", "-",
	    "", "")
	row("instructions naive fetcher", ir_naive, "", "", "", "hello CGI",
	    r(ir_naive, ir_hello), "", "")
	row("instructions cache hit", ir_hit, "", "", "", "hello CGI",
	    r(ir_hit, ir_hello), "<= 1.1", verdict(ir_hello > 0 && ir_hit + 0 <= 1.1 * ir_hello))
	row("instructions miss (TTL 0)", ir_miss, "", "", "", "naive fetcher",
	    r(ir_miss, ir_naive), "<= 1.0", verdict(ir_naive > 0 && ir_miss + 0 <= ir_naive))
	per = n_ttl5 > 0 ? sprintf("%.5f", calls / n_ttl5) : "-"
	row(sprintf("Immich calls, %d s at TTL 5", secs), calls, "", "",
	    err_ttl5, sprintf("%d answers", n_ttl5), per, "<= 3",
	    verdict(calls >= 1 && calls <= 3 && err_ttl5 + 0 == 0))
	row("idle RSS lighttpd, fresh (kB)", rss_fresh, "", "", "",
	    "Python http.server", r(rss_fresh, rss_py), "<= 4096",
	    verdict(rss_fresh != "" && rss_fresh + 0 <= 4096))
	row("idle RSS lighttpd, after polls (kB)", rss_polled, "", "", "",
	    "Python http.server", r(rss_polled, rss_py), "<= 4096",
	    verdict(rss_polled != "" && rss_polled + 0 <= 4096))
	row("idle RSS lighttpd, after hits (kB)", rss_loaded, "", "", "",
	    "Python http.server", r(rss_loaded, rss_py), "<= 4096",
	    verdict(rss_loaded != "" && rss_loaded + 0 <= 4096))
	row("RSS Python http.server (kB)", rss_py, "", "", "", "-", "-", "", "")
	print ""
	print "static file, hello CGI and cache hit: one lighttpd; miss: " \
	    "TTL 0 against a fake"
	print "Immich that is lighttpd serving the fixture (\"fake Immich\"); " \
	    "Immich calls: TTL 5,"
	print "empty cache, counted at tests/fake_immich.py (\"Python fake " \
	    "Immich\").  RSS is VmRSS"
	printf "with no request in flight; fresh: %d kB of it are shared " \
	    "library pages (RssFile).\n", file_fresh
	print "after polls: the TTL 5 lighttpd after its wrk run; after hits: " \
	    "the first lighttpd"
	print "after the cache-hit run, before its static-file and hello runs " \
	    "(the service serves no file)."
	print "Python http.server: the Python fake Immich after its wrk run."
	if (p99_py >= 1000)
		print "Python fake p99 >= 1 s: its listen backlog (5) overflows " \
		    "under 16 connections and clients resend SYN after 1 s."
	print ""
	if (failed)
		printf "bench: %d target(s) FAILED\n", failed
	else
		print "bench: all targets met"
	exit (strict && failed) ? 1 : 0
}'
