#!/bin/sh
# A key file that is not a regular file (a FIFO nobody writes to, a
# directory, a device) is refused at once: 500 naming what it is, from the
# CGI, /healthz, the shell and immich-jobs-proxy's start-up check.  Opening
# a FIFO used to block every one of them forever.
. "$(dirname "$0")/lib.sh"
fake_start
mkfifo "$T/key.fifo"
# timeout: a hang fails the check rather than the whole suite.
W="timeout 20 ${CGI_WRAPPER:-}"
for path in / /healthz; do
	CGI_WRAPPER=$W cgi GET $path IMMICH_JOBS_API_KEY= IMMICH_JOBS_API_KEY_FILE="$T/key.fifo"
	expect_error 500 "IMMICH_JOBS_API_KEY_FILE $T/key.fifo is a named pipe (FIFO): give a regular file holding only the key"
	within_bound 1
done
CGI_WRAPPER=$W cgi GET /healthz IMMICH_JOBS_API_KEY= IMMICH_JOBS_API_KEY_FILE="$T"
expect_error 500 "IMMICH_JOBS_API_KEY_FILE $T is a directory"
CGI_WRAPPER=$W cgi GET /healthz IMMICH_JOBS_API_KEY= IMMICH_JOBS_API_KEY_FILE=/dev/zero
expect_error 500 "IMMICH_JOBS_API_KEY_FILE /dev/zero is a device"
# From a shell: exit 2 with the message.
env -i PATH=/usr/bin:/bin IMMICH_URL="$FAKE_URL" IMMICH_JOBS_API_KEY_FILE="$T/key.fifo" \
    timeout 20 $CGI_WRAPPER "$BIN" --healthz > /dev/null 2> "$T/shell-err"
rc=$?
check "shell: exit status 2 (got $rc)" [ "$rc" = 2 ]
check "shell: the message on stderr" grep -qF "is a named pipe (FIFO)" "$T/shell-err"
# Through immich-jobs-proxy: its start-up check and lighttpd both answer.
lighttpd_start IMMICH_JOBS_CGI="$BIN" IMMICH_JOBS_API_KEY= IMMICH_JOBS_API_KEY_FILE="$T/key.fifo"
http GET /healthz
expect_error 500 "is a named pipe (FIFO)"
check "the start-up check said so" grep -qF "every request will answer 500" "$T/lighttpd.log"
check "Immich was never called" [ "$(fake_requests)" = 0 ]
no_leak
finish
