#!/bin/sh
# immich-jobs-proxy - start lighttpd in the foreground with the service's
# configuration.  lighttpd refuses to start when a variable that
# lighttpd.conf passes to the CGI is unset, so each one is set here (empty
# means "use the default").  Usage: immich-jobs-proxy [lighttpd.conf]
set -eu
for v in IMMICH_URL IMMICH_JOBS_API_KEY IMMICH_JOBS_API_KEY_FILE \
    IMMICH_JOBS_TIMEOUT IMMICH_JOBS_CA_FILE IMMICH_JOBS_API \
    IMMICH_JOBS_CACHE_TTL IMMICH_JOBS_STALE_TTL IMMICH_JOBS_CACHE_DIR; do
	eval "export $v=\"\${$v-}\""
done
export TMPDIR="${TMPDIR:-/tmp}"
conf=${1:-/usr/local/etc/immich-jobs-proxy/lighttpd.conf}
[ -n "$IMMICH_URL" ] || echo "immich-jobs-proxy: IMMICH_URL is not set; every request will answer 500 until it is" >&2
exec lighttpd -D -f "$conf"
