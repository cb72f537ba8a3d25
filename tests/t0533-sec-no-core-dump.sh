#!/bin/sh
# The CGI makes itself non-dumpable: a crash under `ulimit -c unlimited`
# writes no core file holding the key (when core_pattern writes files), and
# its /proc/<pid> files belong to root, so no other process of its user
# reads its memory or environment.  The CGI is killed by SIGABRT (it dumps
# core as a crash does, and sanitizers leave it alone) while it
# waits on a silent Immich, the key in its memory.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"silent": true}}'
fake_start
mkdir "$T/cwd"
# As root the CGI runs as uid 65534, to see whose its /proc files are.
if [ "$(id -u)" = 0 ]; then
	chmod 777 "$T/cwd"; chmod 711 "$T"
	as="setpriv --reuid=65534 --regid=65534 --clear-groups"
	uid=65534
else
	as= uid=$(id -u)
fi
run_cgi() {
	(cd "$T/cwd" && ulimit -c unlimited 2>/dev/null; exec env -i PATH=/usr/bin:/bin \
	    GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/ \
	    IMMICH_URL="$FAKE_URL" IMMICH_JOBS_API_KEY="$KEY" IMMICH_JOBS_CACHE_TTL=0 \
	    IMMICH_JOBS_TIMEOUT=20 $as "$BIN") > "$T/raw" 2> "$T/stderr" &
	CGI_PID=$!
	i=0
	while [ "$(fake_requests /api/jobs)" = 0 ] && [ $i -lt 200 ]; do
		sleep 0.05; i=$((i + 1))
	done
}
run_cgi
check "the CGI is waiting on Immich" [ "$(fake_requests /api/jobs)" = 1 ]
check "the CGI runs as uid $uid" [ "$(awk '/^Uid:/ { print $2 }' /proc/$CGI_PID/status)" = "$uid" ]
check "its /proc/<pid>/environ belongs to root: not dumpable (got uid $(stat -c %u /proc/$CGI_PID/environ))" \
    [ "$(stat -c %u /proc/$CGI_PID/environ)" = 0 ]
# qemu-user (an ARM build run under emulation: make check-cross) writes
# the guest's core itself, minding the core size limit but not the flag.
check "its core file size limit is 0" \
    grep -Eq '^Max core file size +0 +0 ' /proc/$CGI_PID/limits
kill -ABRT "$CGI_PID"
wait "$CGI_PID"
rc=$?
check "it died of SIGABRT (status $rc)" [ "$rc" = 134 ]
pattern=$(cat /proc/sys/kernel/core_pattern)
case $pattern in
'|'* | /*)
	echo "# core_pattern is '$pattern' (not a file in the cwd): the core check is skipped" ;;
*)
	if [ "$(sh -c 'ulimit -c unlimited 2>/dev/null && ulimit -c')" != unlimited ]; then
		echo "# ulimit -c unlimited is not allowed here: the core check is skipped"
	else
		check "no core file was written ($(ls "$T/cwd" | tr '\n' ' '))" [ -z "$(ls "$T/cwd")" ]
		check "no file holds the key" sh -c "! grep -rqaF -- '$KEY' '$T/cwd'"
	fi ;;
esac
chmod 700 "$T"
no_leak
finish
