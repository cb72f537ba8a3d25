#!/bin/sh
# immich-jobs-proxy - start lighttpd in the foreground with the service's
# configuration.  lighttpd refuses to start when a variable that
# lighttpd.conf passes to the CGI is unset, so each one is set here (empty
# means "use the default"), and checks the configuration once.
# Usage: immich-jobs-proxy [lighttpd.conf]   (IMMICH_JOBS_CGI: the CGI's path)
set -eu
for v in IMMICH_URL IMMICH_JOBS_API_KEY IMMICH_JOBS_API_KEY_FILE \
    IMMICH_JOBS_TIMEOUT IMMICH_JOBS_CA_FILE IMMICH_JOBS_API \
    IMMICH_JOBS_CACHE_TTL IMMICH_JOBS_STALE_TTL IMMICH_JOBS_STALL_AFTER \
    IMMICH_JOBS_CACHE_DIR; do
	eval "export $v=\"\${$v-}\""
done
export TMPDIR="${TMPDIR:-/tmp}"
# The port lighttpd.conf listens on (IPv6 and IPv4).
export IMMICH_JOBS_PORT="${IMMICH_JOBS_PORT:-8085}"
case $IMMICH_JOBS_PORT in
*[!0-9]* | 0*) port_ok=no ;;
*) [ "${#IMMICH_JOBS_PORT}" -le 5 ] && [ "$IMMICH_JOBS_PORT" -le 65535 ] && port_ok=yes || port_ok=no ;;
esac
if [ "$port_ok" = no ]; then
	echo "immich-jobs-proxy: IMMICH_JOBS_PORT must be a port number from 1 to 65535 (got '$IMMICH_JOBS_PORT')" >&2
	exit 2
fi
conf=${1:-/usr/local/etc/immich-jobs-proxy/lighttpd.conf}
# Say at start what every request would answer: a configuration error.
cgi=${IMMICH_JOBS_CGI:-/usr/local/libexec/immich-jobs-proxy/immich-jobs}
if [ -x "$cgi" ] && ! "$cgi" --healthz > /dev/null; then
	echo "immich-jobs-proxy: every request will answer 500 until the configuration above is fixed" >&2
fi
exec lighttpd -D -f "$conf"
