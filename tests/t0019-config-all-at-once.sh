#!/bin/sh
# Every configuration problem in one answer: with nothing set, IMMICH_URL
# and the key variables; with several bad values, each of them.  A CGI that
# sees none of the service's variables (the web server does not pass them)
# says the web server must pass them.
. "$(dirname "$0")/lib.sh"
FAKE_URL=
cgi GET / IMMICH_JOBS_API_KEY=
expect_error 500 "IMMICH_URL is not set: set it to Immich's address, e.g. http://immich.local:2283; no API key: set IMMICH_JOBS_API_KEY or IMMICH_JOBS_API_KEY_FILE"
check "no web-server hint when the variables are passed, if empty" sh -c "! grep -q setenv '$T/body'"
cgi GET /healthz IMMICH_URL=http://h:0 IMMICH_JOBS_TIMEOUT=0 IMMICH_JOBS_API=v9 IMMICH_JOBS_CACHE_DIR=rel
for want in "IMMICH_URL has a bad port" 'IMMICH_JOBS_TIMEOUT must be a whole number of seconds from 1 to 60, not \"0\"' \
    'IMMICH_JOBS_API must be auto, jobs or queues, not \"v9\"' "IMMICH_JOBS_CACHE_DIR must be an absolute path"; do
	check "one answer names: $want" grep -qF -- "$want" "$T/body"
done
# A web server that passes none of them: the CGI environment alone.
env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
    PATH_INFO=/healthz SERVER_PROTOCOL=HTTP/1.1 $CGI_WRAPPER "$BIN" > "$T/raw" 2> "$T/stderr"
split_response "$T/raw"
expect_error 500 "the web server passed none of the service's variables (IMMICH_URL, IMMICH_JOBS_...) to this CGI: it must pass them (lighttpd: setenv.add-environment"
check "and still names what is missing" grep -qF "IMMICH_URL is not set" "$T/body"
# The same through lighttpd with its setenv.add-environment emptied.
fake_start
LPORT=$(free_port)
sh "$TOP/demo/conf.sh" "$LPORT" 127.0.0.1 "$T/lighttpd.conf" "$BUILD"
echo 'setenv.add-environment := ( )' >> "$T/lighttpd.conf"
env IMMICH_URL="$FAKE_URL" IMMICH_JOBS_API_KEY="$KEY" sh "$TOP/cgi/serve.sh" "$T/lighttpd.conf" > "$T/lighttpd.log" 2>&1 &
PIDS="$PIDS $!"
HTTP_URL=http://127.0.0.1:$LPORT
i=0
while ! curl -s -o /dev/null "$HTTP_URL/healthz" && [ $i -lt 100 ]; do
	sleep 0.05; i=$((i + 1))
done
http GET /
expect_error 500 "the web server passed none of the service's variables"
check "lighttpd's log says so" grep -qF "setenv.add-environment" "$T/lighttpd.log"
check "Immich was never called" [ "$(fake_requests)" = 0 ]
no_leak
finish
