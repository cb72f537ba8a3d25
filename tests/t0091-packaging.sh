#!/bin/sh
# What Docker runs, checked outside Docker: `make install` puts every file
# where lighttpd.conf looks, and every variable lighttpd.conf passes to the
# CGI is set by cgi/serve.sh and by the Dockerfile (lighttpd refuses to start
# on an unset env.X) and documented in README.md.
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
check "the fetch module sits beside it" [ -f "$T/root/usr/local/libexec/immich-jobs-proxy/immich-jobs-fetch.so" ]
vars=$(sed -n 's/^ *"\([A-Z_]*\)" *=> env\.\([A-Z_]*\).*/\1/p' "$TOP/lighttpd.conf")
check "lighttpd.conf passes variables" [ "$(echo "$vars" | wc -w)" -ge 9 ]
for v in $vars; do
	[ "$v" = TMPDIR ] || check "$v documented in README.md" grep -q "\`$v\`" "$TOP/README.md"
	check "$v set by the Dockerfile" grep -q "^ *$v=\|ENV $v=" "$TOP/Dockerfile"
	check "$v set by cgi/serve.sh" grep -q "$v" "$TOP/cgi/serve.sh"
done
# serve.sh really does start lighttpd with every variable unset.
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-v2.3.json"}}'
fake_start
lighttpd_start
http GET /
check "serve.sh + lighttpd.conf answer 200" [ "$STATUS:$(json 'j["waiting"]')" = "200:3587" ]
finish
