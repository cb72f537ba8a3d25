#!/bin/sh
# lighttpd's own limit, behind the CGI's hard cap: a CGI too stuck to act
# on its timer (here a stand-in that ignores SIGALRM and never writes) is
# ended by lighttpd, which answers 504 with a JSON error, by
# IMMICH_JOBS_TIMEOUT + 2 s (lighttpd looks once a second, so up to a few
# hundred ms later on a busy machine).
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/stuck"
cat > "$T/stuck/immich-jobs" <<EOC
#!/bin/sh
[ "\${1-}" = --healthz ] && exit 0	# immich-jobs-proxy's check at start
# lighttpd.conf's settings to pass, as the real CGI prints them
[ "\${1-}" = --lighttpd-env ] && exec "$BIN" --lighttpd-env
trap '' ALRM
echo \$\$ > "$T/stuck.pid"
exec sleep 60
EOC
chmod +x "$T/stuck/immich-jobs"
BUILD=$T/stuck lighttpd_start IMMICH_JOBS_TIMEOUT=" 2 "
http GET /
[ -s "$T/stuck.pid" ] && PIDS="$PIDS $(cat "$T/stuck.pid")"
expect_error 504 "was stopped (the hard cap)"
check "the stand-in ran (and did not answer)" [ -s "$T/stuck.pid" ]
check "answered after the timeout, by the timeout + 2 s (${ELAPSED_MS} ms)" \
    [ "$ELAPSED_MS" -ge 2000 ] && [ "$ELAPSED_MS" -le $((4000 + 500 + ${TIME_SLACK_MS:-0})) ]
gone=no
i=0
while [ $i -lt 20 ]; do
	kill -0 "$(cat "$T/stuck.pid")" 2>/dev/null || { gone=yes; break; }
	sleep 0.05; i=$((i + 1))
done
check "lighttpd ended the stuck CGI" [ "$gone" = yes ]
no_leak
finish
