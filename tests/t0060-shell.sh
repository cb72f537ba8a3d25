#!/bin/sh
# From a shell (no GATEWAY_INTERFACE): the same body with no headers; on
# failure the message on stderr and exit 1 (upstream) or 2 (configuration).
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-paused.json"}}'
fake_start
cgi GET /
run_shell() {
	env -i PATH=/usr/bin:/bin IMMICH_URL="$FAKE_URL" IMMICH_JOBS_API_KEY="$KEY" \
	    IMMICH_JOBS_CACHE_TTL=0 "$@" > "$T/sh.out" 2> "$T/sh.err"
	SH_RC=$?
	cat "$T/sh.out" "$T/sh.err" >> "$T/all-output"
}
run_shell "$BIN"
check "exit 0" [ "$SH_RC" = 0 ]
check "stdout is the CGI body (its updated aside)" same_answer "$T/sh.out" "$T/body"
check "body ends with a newline" [ "$(tail -c 1 "$T/sh.out" | od -An -c | tr -d ' ')" = '\n' ]
check "nothing on stderr" [ ! -s "$T/sh.err" ]
run_shell "$BIN" --metrics
check "--metrics prints exposition text" grep -q '^immich_jobs{queue="smartSearch",state="paused"} 2417$' "$T/sh.out"
spec '{"/api/jobs": {"status": 401, "body_file": "'"$FIX"'/error-401-invalid-key.json"}}'
run_shell "$BIN"
check "upstream failure: exit 1" [ "$SH_RC" = 1 ]
check "upstream failure: message on stderr" grep -qF "Immich rejected the API key" "$T/sh.err"
check "upstream failure: nothing on stdout" [ ! -s "$T/sh.out" ]
run_shell "$BIN" IMMICH_URL=
run_shell env IMMICH_URL= "$BIN"
check "configuration error: exit 2" [ "$SH_RC" = 2 ]
check "configuration error: names IMMICH_URL" grep -qF "IMMICH_URL is not set" "$T/sh.err"
run_shell "$BIN" --version
check "--version" grep -qE '^immich-jobs-proxy [0-9]+\.[0-9]+\.[0-9]+$' "$T/sh.out"
run_shell "$BIN" --help
check "--help exits 0 and shows usage" sh -c "[ $SH_RC = 0 ] && grep -q '^usage: immich-jobs' '$T/sh.out'"
run_shell "$BIN" --bogus
check "unknown option: exit 2 with usage on stderr" sh -c "[ $SH_RC = 2 ] && grep -q '^usage:' '$T/sh.err'"
no_leak
finish
