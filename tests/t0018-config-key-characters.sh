#!/bin/sh
# Immich's API keys are letters and digits.  A key holding anything else
# (a copied IMMICH_JOBS_API_KEY=... line, quotation marks, a space inside,
# non-ASCII) is a configuration error, 500 from the CGI and exit 2 from a
# shell, saying what kind of character and where, never the key; Immich is
# not asked (it used to answer "Immich rejected the API key").
. "$(dirname "$0")/lib.sh"
fake_start
bad() {	# CONTENT MESSAGE: the key file holds CONTENT
	printf '%s\n' "$1" > "$T/key"
	cgi GET / IMMICH_JOBS_API_KEY= IMMICH_JOBS_API_KEY_FILE="$T/key"
	expect_error 500 "IMMICH_JOBS_API_KEY_FILE: the key holds $2"
	check "no upstream_status" [ "$(json '"upstream_status" in j')" = false ]
	env -i PATH=/usr/bin:/bin IMMICH_URL="$FAKE_URL" IMMICH_JOBS_API_KEY="$1" \
	    $CGI_WRAPPER "$BIN" > /dev/null 2> "$T/shell-err"
	rc=$?
	cat "$T/shell-err" >> "$T/all-output"
	check "shell, key in the variable: exit 2 (got $rc)" [ "$rc" = 2 ]
	check "shell: the message names the kind" grep -qF "IMMICH_JOBS_API_KEY: the key holds $2" "$T/shell-err"
}
bad "IMMICH_JOBS_API_KEY=$KEY" "an '=' at character 20: it looks like a copied"
check "names the copied line" grep -qF 'IMMICH_JOBS_API_KEY=...\" line; give only the key' "$T/body"
bad "\"$KEY\"" "a quotation mark at character 1 of $((${#KEY} + 2))"
bad "$KEY trailing" "a space at character $((${#KEY} + 1)) of $((${#KEY} + 9))"
bad "$(printf '%s\342\200\231s' "$KEY")" "a typographic quotation mark at character $((${#KEY} + 1))"
bad "${KEY}=" "an '=' at character $((${#KEY} + 1))"
check "Immich was never called" [ "$(fake_requests)" = 0 ]
no_leak
finish
