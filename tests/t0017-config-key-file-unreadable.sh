#!/bin/sh
# A key file the service's user cannot read (the common case: a 0600
# root-owned Docker secret, the service running as another uid) is a 500
# whose message names the path, the uid that runs the service, and the
# file's owner and mode.  As root the CGI runs as uid 65534 (setpriv);
# otherwise the file is made mode 0.
. "$(dirname "$0")/lib.sh"
fake_start
printf '%s\n' "$KEY" > "$T/secret"
chmod 600 "$T/secret"
chmod 711 "$T"		# the path is searchable, the file not readable
if [ "$(id -u)" = 0 ]; then
	uid=65534
	# Without CGI_WRAPPER: uid 65534 could not write valgrind's log.
	W="setpriv --reuid=65534 --regid=65534 --clear-groups"
else
	uid=$(id -u)
	chmod 0 "$T/secret"
	W=${CGI_WRAPPER:-}
fi
mode=$(stat -c %a "$T/secret")
CGI_WRAPPER=$W cgi GET /healthz IMMICH_JOBS_API_KEY= IMMICH_JOBS_API_KEY_FILE="$T/secret"
expect_error 500 "IMMICH_JOBS_API_KEY_FILE $T/secret cannot be read by uid $uid, which runs the service: Permission denied (it belongs to uid $(id -u), mode 0$mode): make it readable by uid $uid"
check "exit status 0 for a CGI answer" [ "$CGI_RC" = 0 ]
check "lighttpd's log line says so too" grep -qF "cannot be read by uid $uid" "$T/stderr"
chmod 700 "$T"
check "Immich was never called" [ "$(fake_requests)" = 0 ]
no_leak
finish
