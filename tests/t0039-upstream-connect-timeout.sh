#!/bin/sh
# A host that drops packets (asleep, switched off): connecting has its own,
# shorter bound, IMMICH_JOBS_CONNECT_TIMEOUT (default 3 s), and the 504 says
# which bound ran out, long before IMMICH_JOBS_TIMEOUT.
. "$(dirname "$0")/lib.sh"
blackhole_start
check "the port really drops connection attempts" \
    "$PY" -c "import socket,sys; s=socket.socket(); s.settimeout(1)
try: s.connect(('127.0.0.1', $BH_PORT))
except socket.timeout: sys.exit(0)
sys.exit(1)"
cgi GET / IMMICH_URL="$BH_URL" IMMICH_JOBS_TIMEOUT=20 IMMICH_JOBS_CONNECT_TIMEOUT=1
expect_error 504 "could not connect to Immich at $BH_URL within 1 s (IMMICH_JOBS_CONNECT_TIMEOUT)"
check "gave up after the connect bound, not IMMICH_JOBS_TIMEOUT (${ELAPSED_MS} ms)" \
    [ "$ELAPSED_MS" -ge 900 -a "$ELAPSED_MS" -le $((2000 + ${TIME_SLACK_MS:-0})) ]
cgi GET / IMMICH_URL="$BH_URL" IMMICH_JOBS_TIMEOUT=20
expect_error 504 "within 3 s (IMMICH_JOBS_CONNECT_TIMEOUT)"
check "default bound: 3 s (${ELAPSED_MS} ms)" \
    [ "$ELAPSED_MS" -ge 2900 -a "$ELAPSED_MS" -le $((4000 + ${TIME_SLACK_MS:-0})) ]
# The whole exchange still bounds a connect bound as long as itself.
cgi GET / IMMICH_URL="$BH_URL" IMMICH_JOBS_TIMEOUT=1 IMMICH_JOBS_CONNECT_TIMEOUT=1
expect_error 504 "(IMMICH_JOBS_TIMEOUT)"
within_bound 1
cgi GET / IMMICH_URL="$BH_URL" IMMICH_JOBS_TIMEOUT=2 IMMICH_JOBS_CONNECT_TIMEOUT=5
expect_error 500 "IMMICH_JOBS_CONNECT_TIMEOUT (5 s) must not be above IMMICH_JOBS_TIMEOUT (2 s)"
cgi GET / IMMICH_URL="$BH_URL" IMMICH_JOBS_CONNECT_TIMEOUT=0
expect_error 500 "IMMICH_JOBS_CONNECT_TIMEOUT must be a whole number of seconds from 1 to 60"
no_leak
finish
