#!/bin/sh
# immich-jobs-proxy - start lighttpd in the foreground with the service's
# configuration: every env.X that lighttpd.conf names set (lighttpd refuses
# to start on an unset env.X; the CGI's settings it passes when set), a
# private cache directory, and the configuration checked once by the CGI
# that lighttpd.conf names, so a mistake shows at start.
# `make install` writes the installed paths and version over the two lines
# below.
set -eu
conf_default=/usr/local/etc/immich-jobs-proxy/lighttpd.conf
version=dev
me=immich-jobs-proxy

usage() {
	cat <<EOF
usage: $me [--help | --version | LIGHTTPD.CONF]

Serves Immich's job counts for Homepage and Prometheus: lighttpd in the
foreground on IMMICH_JOBS_PORT (default 8085, IPv6 and IPv4) with
LIGHTTPD.CONF (default $conf_default),
running the immich-jobs CGI per request.  Configuration comes from the
environment: IMMICH_URL and IMMICH_JOBS_API_KEY (or
IMMICH_JOBS_API_KEY_FILE) are required.
The cache goes to IMMICH_JOBS_CACHE_DIR, else systemd's RUNTIME_DIRECTORY,
else \$XDG_RUNTIME_DIR/immich-jobs-proxy, else a private directory made
in \$TMPDIR at start and removed at exit.

Every variable, the answer's keys and the errors: man 8 immich-jobs-proxy
(in the source tree: man -l docs/immich-jobs-proxy.8).
EOF
}

case ${1-} in
-h | --help) usage; exit 0 ;;
-V | --version) echo "$me $version"; exit 0 ;;
-*) echo "$me: unknown option '$1'" >&2; usage >&2; exit 2 ;;
esac
if [ $# -gt 1 ]; then
	usage >&2
	exit 2
fi
conf=${1:-$conf_default}

# Every env.X that $conf (and a file it includes by absolute path) uses is
# set, so no list of settings is kept here: lighttpd refuses to start on an
# unset env.X, and an empty value means the default.
conf_vars() {
	{ echo "$1"; sed -n 's/^[[:space:]]*include[[:space:]]*"\(\/[^"]*\)".*/\1/p' "$1" 2>/dev/null; } |
	    while IFS= read -r f; do
		sed -n 's/.*env\.\([A-Za-z_][A-Za-z0-9_]*\).*/\1/p' "$f" 2>/dev/null
	    done | sort -u
}
for v in $(conf_vars "$conf"); do
	eval "export $v=\"\${$v-}\""
done
export TMPDIR="${TMPDIR:-/tmp}"
# The port lighttpd.conf listens on (IPv6 and IPv4).
# White space around the value is dropped, as for every other variable.
IMMICH_JOBS_PORT=$(printf '%s' "${IMMICH_JOBS_PORT:-}" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
export IMMICH_JOBS_PORT="${IMMICH_JOBS_PORT:-8085}"
case $IMMICH_JOBS_PORT in
*[!0-9]* | 0*) port_ok=no ;;
*) [ "${#IMMICH_JOBS_PORT}" -le 5 ] && [ "$IMMICH_JOBS_PORT" -le 65535 ] && port_ok=yes || port_ok=no ;;
esac
if [ "$port_ok" = no ]; then
	echo "$me: IMMICH_JOBS_PORT must be a port number from 1 to 65535 (got '$IMMICH_JOBS_PORT')" >&2
	exit 2
fi

# lighttpd's own limit on a CGI (lighttpd.conf: cgi.limits), behind the
# CGI's hard cap: it ends a CGI that said nothing for more than
# IMMICH_JOBS_TIMEOUT s, checking once a second (so by about + 2 s).  A
# value the CGI refuses (every request then answers 500 at once) gets the
# largest timeout, 60.
t=$(printf '%s' "${IMMICH_JOBS_TIMEOUT-}" | tr -d ' \t\r\n')
t=${t#"${t%%[!0]*}"}
case $t in
'') t=10 ;;
*[!0-9]* | ???*) t=60 ;;
esac
[ "$t" -le 60 ] || t=60
export IMMICH_JOBS_CGI_LIMIT="$t"

# lighttpd lives in /usr/sbin, which is not in a non-root user's PATH.
lighttpd=$(command -v lighttpd 2>/dev/null) || lighttpd=
for d in /usr/sbin /sbin /usr/local/sbin; do
	[ -n "$lighttpd" ] && break
	[ -x "$d/lighttpd" ] && lighttpd=$d/lighttpd
done
if [ -z "$lighttpd" ]; then
	echo "$me: lighttpd not found in PATH or /usr/sbin: install it (Debian: apt-get install lighttpd)" >&2
	exit 1
fi
if [ ! -r "$conf" ]; then
	echo "$me: cannot read $conf" >&2
	exit 1
fi

# The cache directory: never a fixed name in a shared /tmp, which another
# local user could create first.
private=
if [ -z "${IMMICH_JOBS_CACHE_DIR-}" ]; then
	if [ -n "${RUNTIME_DIRECTORY:-}" ]; then
		IMMICH_JOBS_CACHE_DIR=${RUNTIME_DIRECTORY%%:*}
	elif [ -n "${XDG_RUNTIME_DIR:-}" ]; then
		IMMICH_JOBS_CACHE_DIR=$XDG_RUNTIME_DIR/immich-jobs-proxy
	else
		private=$(mktemp -d "$TMPDIR/immich-jobs-proxy.XXXXXXXXXX") || {
			echo "$me: cannot make a cache directory in $TMPDIR: set IMMICH_JOBS_CACHE_DIR" >&2
			exit 1
		}
		IMMICH_JOBS_CACHE_DIR=$private
	fi
	export IMMICH_JOBS_CACHE_DIR
fi

# Check the configuration once with the CGI that lighttpd.conf runs
# (alias.url's "/"), wherever it was installed; `lighttpd -p` also proves
# that lighttpd can read the file.
if ! parsed=$("$lighttpd" -p -f "$conf" 2>&1); then
	printf '%s\n' "$parsed" >&2
	echo "$me: lighttpd cannot use $conf" >&2
	[ -z "$private" ] || rmdir "$private"
	exit 1
fi
cgi=$(printf '%s\n' "$parsed" | sed -n 's|^ *"/" *=> *"\(/.*\)/",*$|\1|p' | head -n 1)
if [ -z "$cgi" ] || [ ! -x "$cgi" ]; then
	echo "$me: the CGI that $conf runs (alias.url \"/\": '$cgi') is not an executable file: reinstall (make install)" >&2
	[ -z "$private" ] || rmdir "$private"
	exit 1
fi
# Say at start what every request would answer: a configuration error.
if ! "$cgi" --healthz > /dev/null; then
	echo "$me: every request will answer 500 until the configuration above is fixed" >&2
fi

if [ -z "$private" ]; then
	exec "$lighttpd" -D -f "$conf"
fi
# A private directory made here is removed when lighttpd ends.
"$lighttpd" -D -f "$conf" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null' TERM HUP
trap 'kill -INT "$pid" 2>/dev/null' INT
while :; do
	# A trapped signal ends the wait early: wait again until lighttpd is gone.
	if wait "$pid"; then rc=0; else rc=$?; fi
	kill -0 "$pid" 2>/dev/null || break
done
rm -rf "$private"
exit "$rc"
