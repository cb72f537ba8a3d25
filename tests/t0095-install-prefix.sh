#!/bin/sh
# `make install PREFIX=...` gives files that point at that prefix (and
# DESTDIR only stages them); the installed immich-jobs-proxy answers --help
# and --version itself, starts for a non-root user whose PATH has no
# /usr/sbin, checks the configuration at start with the CGI installed
# there, and keeps its cache in a private directory it removes at exit.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start

# --- PREFIX ---------------------------------------------------------------
P=$T/opt/x
make -s -C "$TOP" install PREFIX="$P" > "$T/install.log" 2>&1
check "make install PREFIX=$P succeeds" [ $? = 0 ]
for f in bin/immich-jobs-proxy bin/immich-jobs etc/immich-jobs-proxy/lighttpd.conf \
    libexec/immich-jobs-proxy/immich-jobs libexec/immich-jobs-proxy/immich-jobs-full \
    libexec/immich-jobs-proxy/immich-jobs-fetch.so \
    share/immich-jobs-proxy/errors/status-404.html \
    lib/systemd/system/immich-jobs-proxy.service; do
	check "installed: \$PREFIX/$f" [ -e "$P/$f" ]
done
for f in bin/immich-jobs-proxy etc/immich-jobs-proxy/lighttpd.conf \
    lib/systemd/system/immich-jobs-proxy.service; do
	check "$f names no /usr/local path of ours" \
	    sh -c "! grep -q '/usr/local/[a-z]*/immich-jobs' '$P/$f'"
done
# Every absolute path in the installed lighttpd.conf is under the prefix and
# exists (the error pages by their prefix).
paths=$(sed 's/#.*//' "$P/etc/immich-jobs-proxy/lighttpd.conf" | grep -o '"/[^"]\{1,\}"' | tr -d '"')
check "lighttpd.conf names paths" [ -n "$paths" ]
for p in $paths; do
	case $p in "$P"/*) under=yes ;; *) under=no ;; esac
	check "lighttpd.conf: $p is under \$PREFIX" [ "$under" = yes ]
	case $p in
	*/status-) check "error pages at $p" [ -f "${p}404.html" ] ;;
	*/) check "exists: $p" [ -e "${p%/}" ] ;;
	*) check "exists: $p" [ -e "$p" ] ;;
	esac
done
check "the wrapper's default configuration is \$PREFIX's" \
    grep -qx "conf_default=$P/etc/immich-jobs-proxy/lighttpd.conf" "$P/bin/immich-jobs-proxy"
check "bin/immich-jobs points at \$PREFIX's CGI" \
    [ "$(readlink "$P/bin/immich-jobs")" = "$P/libexec/immich-jobs-proxy/immich-jobs" ]
check "the unit starts \$PREFIX's wrapper" \
    grep -q "^ExecStart=$P/bin/immich-jobs-proxy $P/etc/immich-jobs-proxy/lighttpd.conf\$" \
    "$P/lib/systemd/system/immich-jobs-proxy.service"

# The unit's settings file: a template naming the prefix's key file, and a
# second make install keeps what the user wrote in it.
check "a settings template: \$PREFIX/etc/immich-jobs-proxy/env" \
    grep -q "^#IMMICH_URL=" "$P/etc/immich-jobs-proxy/env"
check "... naming \$PREFIX's key file" grep -qF "$P/etc/immich-jobs-proxy/api-key" "$P/etc/immich-jobs-proxy/env"
# Every setting --help lists is in it, but those the unit sets itself: the
# key and the cache directory, and the client certificate's files, which
# systemd hands over as credentials (the template says how).
for v in $("$BIN" --help | sed -n 's/^  \(IMMICH_[A-Z_]*\) .*/\1/p') IMMICH_JOBS_PORT; do
	case $v in
	IMMICH_JOBS_API_KEY | IMMICH_JOBS_API_KEY_FILE | IMMICH_JOBS_CACHE_DIR)
		check "the template does not offer $v" sh -c "! grep -q '^#*$v=' '$TOP/contrib/env'" ;;
	IMMICH_JOBS_CLIENT_CERT | IMMICH_JOBS_CLIENT_KEY)
		check "the template names $v" grep -q "$v" "$TOP/contrib/env" ;;
	*)	check "the template offers $v" grep -q "^#$v=" "$TOP/contrib/env" ;;
	esac
done
# And what it offers is the default config.c's table gives (--help).
"$BIN" --help | sed -n 's/^  \(IMMICH_[A-Z_]*\) .*, default \([^ ,)]*\))$/\1 \2/p' > "$T/defaults"
check "--help gives defaults ($(wc -l < "$T/defaults"))" [ "$(wc -l < "$T/defaults")" -ge 5 ]
while read -r v def; do
	check "the template's $v is its default, $def" grep -qx "#$v=$def" "$TOP/contrib/env"
done < "$T/defaults"
printf 'IMMICH_URL=http://mine\n' > "$P/etc/immich-jobs-proxy/env"
make -s -C "$TOP" install PREFIX="$P" > "$T/install-again.log" 2>&1
check "make install again keeps the user's settings" \
    [ "$(cat "$P/etc/immich-jobs-proxy/env")" = "IMMICH_URL=http://mine" ]

# --- DESTDIR: staged files name the final prefix, never the stage -----------
S=$T/stage
make -s -C "$TOP" install DESTDIR="$S" PREFIX=/opt/ijp > "$T/install2.log" 2>&1
check "make install DESTDIR=... PREFIX=/opt/ijp succeeds" [ $? = 0 ]
check "staged under DESTDIR/opt/ijp" [ -x "$S/opt/ijp/libexec/immich-jobs-proxy/immich-jobs" ]
check "no staged file names DESTDIR" sh -c "! grep -rqF '$S' '$S'"
check "lighttpd.conf names /opt/ijp's CGI" \
    grep -qF '"/" => "/opt/ijp/libexec/immich-jobs-proxy/immich-jobs/"' "$S/opt/ijp/etc/immich-jobs-proxy/lighttpd.conf"
check "the wrapper's default is /opt/ijp's lighttpd.conf" \
    grep -qx "conf_default=/opt/ijp/etc/immich-jobs-proxy/lighttpd.conf" "$S/opt/ijp/bin/immich-jobs-proxy"

# --- --help and --version, without lighttpd (not in /usr/bin:/bin) ----------
W=$P/bin/immich-jobs-proxy
env PATH=/usr/bin:/bin sh "$W" --help > "$T/help" 2>&1; rc=$?
check "--help: exit 0 (got $rc)" [ "$rc" = 0 ]
check "--help: a usage line" grep -q '^usage: immich-jobs-proxy' "$T/help"
check "--help: names \$PREFIX's lighttpd.conf" grep -qF "$P/etc/immich-jobs-proxy/lighttpd.conf" "$T/help"
check "--help: names IMMICH_JOBS_PORT" grep -qF IMMICH_JOBS_PORT "$T/help"
out=$(env PATH=/usr/bin:/bin sh "$W" --version 2>&1); rc=$?
check "--version: exit 0 (got $rc)" [ "$rc" = 0 ]
check "--version: the CGI's version (got '$out')" [ "$out" = "$("$BIN" --version)" ]
sh "$W" --bogus > /dev/null 2> "$T/bogus.err"; rc=$?
check "an unknown option: exit 2 (got $rc)" [ "$rc" = 2 ]
check "an unknown option is named" grep -q "unknown option '--bogus'" "$T/bogus.err"

# --- started by a user without /usr/sbin in PATH ------------------------------
# As root: as nobody (setpriv); otherwise as the user running the tests.
if [ "$(id -u)" = 0 ]; then
	chmod 0711 "$T"
	as_user="setpriv --reuid=65534 --regid=65534 --clear-groups --"
	user_uid=65534
else
	as_user=
	user_uid=$(id -u)
fi
mkdir -p "$T/shared-tmp" && chmod 1777 "$T/shared-tmp"	# a shared /tmp
port=$(free_port)
$as_user env -i PATH=/usr/bin:/bin HOME=/nonexistent TMPDIR="$T/shared-tmp" \
    IMMICH_URL="$FAKE_URL" IMMICH_JOBS_API_KEY="$KEY" IMMICH_JOBS_PORT="$port" \
    sh "$W" > "$T/user.log" 2>&1 &
upid=$!
PIDS="$PIDS $upid"
i=0
while ! curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
HTTP_URL=http://127.0.0.1:$port
http GET /
check "non-root, PATH=/usr/bin:/bin: GET / answers the totals" \
    [ "$STATUS:$(json '[j["active"], j["waiting"]]')" = "200:[16, 2960]" ]
HTTP_URL="http://[::1]:$port"
http GET /healthz
check "... over IPv6 too" [ "$STATUS" = 200 ]
lpid=$(ps -o pid= --ppid "$upid" | tr -d ' ' | head -n 1)
check "lighttpd runs as uid $user_uid" [ "$(ps -o uid= -p "${lpid:-0}" | tr -d ' ')" = "$user_uid" ]
# The cache: a directory with a name nobody could guess, only for this user.
dirs=$(ls -d "$T/shared-tmp"/immich-jobs-proxy.* 2>/dev/null)
check "one private cache directory in TMPDIR (got '$dirs')" [ "$(echo "$dirs" | wc -w)" = 1 ]
check "not the old fixed name" [ ! -e "$T/shared-tmp/immich-jobs-proxy-$user_uid" ]
check "its name is random (immich-jobs-proxy.XXXXXXXXXX)" \
    sh -c "basename '$dirs' | grep -qE '^immich-jobs-proxy\.[A-Za-z0-9]{10}$'"
check "mode 700, owned by uid $user_uid" [ "$(stat -c %a:%u "$dirs" 2>/dev/null)" = "700:$user_uid" ]
check "the answer was cached there" [ -n "$(ls "$dirs" 2>/dev/null)" ]
kill -TERM "$upid"
i=0
while kill -0 "$upid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "TERM stops it" sh -c "! kill -0 $upid 2>/dev/null"
check "the private cache directory is removed at exit" [ ! -e "$dirs" ]
check "lighttpd is gone" sh -c "! kill -0 ${lpid:-0} 2>/dev/null"
cat "$T/user.log" >> "$T/all-output"

# --- the start-up check runs with the installed CGI -------------------------
$as_user env -i PATH=/usr/bin:/bin TMPDIR="$T/shared-tmp" IMMICH_JOBS_PORT="$port" \
    IMMICH_JOBS_API_KEY="$KEY" sh "$W" > "$T/bad.log" 2>&1 &
bpid=$!
PIDS="$PIDS $bpid"
i=0
while ! grep -q "every request will answer 500" "$T/bad.log" && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
check "no IMMICH_URL: the start says so" grep -q "IMMICH_URL" "$T/bad.log"
check "... and that every request will answer 500" grep -q "every request will answer 500" "$T/bad.log"
kill -TERM "$bpid"; wait "$bpid" 2>/dev/null
cat "$T/bad.log" >> "$T/all-output"
# A lighttpd.conf whose CGI is not there stops it with a message.
sed "s|$P/libexec/immich-jobs-proxy/immich-jobs/|$T/nowhere/immich-jobs/|" \
    "$P/etc/immich-jobs-proxy/lighttpd.conf" > "$T/nocgi.conf"
chmod 0644 "$T/nocgi.conf"
$as_user env -i PATH=/usr/bin:/bin TMPDIR="$T/shared-tmp" sh "$W" "$T/nocgi.conf" > "$T/nocgi.log" 2>&1
rc=$?
check "a lighttpd.conf without its CGI: exit 1 (got $rc)" [ "$rc" = 1 ]
check "... naming the CGI's path" grep -qF "$T/nowhere/immich-jobs" "$T/nocgi.log"
check "... and no directory left in TMPDIR" [ -z "$(ls "$T/shared-tmp")" ]
no_leak
finish
