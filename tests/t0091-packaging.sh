#!/bin/sh
# What Docker runs, checked outside Docker: `make install` puts every file
# where lighttpd.conf looks; lighttpd.conf passes every setting to the CGI,
# the man page documents each, and cgi/serve.sh starts lighttpd with all unset
# (lighttpd refuses to start on an unset env.X).
. "$(dirname "$0")/lib.sh"
make -s -C "$TOP" install DESTDIR="$T/root" PREFIX=/usr/local > "$T/install.log" 2>&1
check "make install succeeds" [ $? = 0 ]
for p in $(grep -o '"/usr/local/[^"]*"' "$TOP/lighttpd.conf" | tr -d '"'); do
	case $p in
	*/status-) check "error pages installed under $p" [ -f "$T/root${p}404.html" ] ;;
	*/) check "installed: $p" [ -e "$T/root${p%/}" ] ;;
	*) check "installed: $p" [ -e "$T/root$p" ] ;;
	esac
done
check "CMD's lighttpd.conf is installed" [ -f "$T/root$(sed -n 's/^CMD \[.*"\(\/usr[^"]*\)"\]/\1/p' "$TOP/Dockerfile")" ]
check "the CGI is executable" [ -x "$T/root/usr/local/libexec/immich-jobs-proxy/immich-jobs" ]
check "the full program sits beside it" [ -x "$T/root/usr/local/libexec/immich-jobs-proxy/immich-jobs-full" ]
check "the fetch module sits beside it" [ -f "$T/root/usr/local/libexec/immich-jobs-proxy/immich-jobs-fetch.so" ]
# The settings: immich-jobs --help lists config.c's table; lighttpd.conf
# passes each to the CGI (and TMPDIR), the man page (docs/immich-jobs-proxy.8,
# ENVIRONMENT) documents each.
# lighttpd.conf, cgi/serve.sh and the Dockerfile keep no list: lighttpd.conf
# has the CGI print the lines (include_shell), serve.sh sets every env.X of
# the lighttpd.conf it starts (below, all unset).  What lighttpd passes is
# what it parsed (lighttpd -p), here with every setting set.
table=$("$BIN" --help | sed -n 's/^  \(IMMICH_[A-Z_]*\) .*/\1/p' | sort)
check "--help lists the settings ($(echo "$table" | wc -w))" [ "$(echo "$table" | wc -w)" -ge 11 ]
sh "$TOP/demo/conf.sh" 1 127.0.0.1 "$T/passes.conf" "$BUILD"
lighttpd=$(command -v lighttpd || echo /usr/sbin/lighttpd)
env $(for v in $table; do printf '%s=x ' "$v"; done) TMPDIR=/tmp IMMICH_JOBS_PORT=1 \
    IMMICH_JOBS_CGI_LIMIT=10 "$lighttpd" -p -f "$T/passes.conf" > "$T/parsed" 2>&1
sed -n '/^ *setenv\.add-environment *= *(/,/)/s/^ *"\([A-Z_]*\)" *=> .*/\1/p' "$T/parsed" | sort > "$T/passed"
vars=$(grep -vx TMPDIR "$T/passed")
check "lighttpd.conf passes exactly the settings --help lists" [ "$vars" = "$table" ]
check "lighttpd.conf passes TMPDIR" grep -qx TMPDIR "$T/passed"
for v in $table; do
	check "$v documented in the man page" grep -qE "^\.It Ev $v( |\$)" "$TOP/docs/immich-jobs-proxy.8"
done
# serve.sh really does start lighttpd with every variable unset.
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-v2.3.json"}}'
fake_start
lighttpd_start
http GET /
check "serve.sh + lighttpd.conf answer 200" [ "$STATUS:$(json 'j["waiting"]')" = "200:3587" ]
finish
