#!/bin/sh
# Through real lighttpd: only /, /homepage, /metrics and /healthz answer; every other
# path, including the installation's own files (binary, module, config,
# sources) and traversal attempts, is the CGI's JSON 404, and none of them
# reaches Immich.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
lighttpd_start IMMICH_JOBS_TIMEOUT=2

http GET /
check "/: 200" [ "$STATUS" = 200 ]
check "/: the totals" [ "$(json '[j["active"], j["waiting"], j["failed"], j["queues"]]')" = "[16, 2960, 9, 19]" ]
http GET /homepage
check "/homepage: 200, the totals" [ "$STATUS:$(json '[j["active"], j["waiting"]]')" = "200:[16, 2960]" ]
http GET /metrics
check "/metrics: 200" [ "$STATUS" = 200 ]
check "/metrics: Prometheus text" grep -q '^immich_jobs_up 1' "$T/body"
http GET /healthz
check "/healthz: 200" [ "$STATUS:$(cat "$T/body")" = '200:{"status":"ok"}' ]
n=$(fake_requests)

for p in /lighttpd.conf /immich-jobs /immich-jobs/ /immich-jobs/immich-jobs \
    /immich-jobs-fetch.so /immich-jobs/immich-jobs-fetch.so /build/immich-jobs \
    /immich-jobs-full /immich-jobs/immich-jobs-full /build/immich-jobs-full \
    /build/immich-jobs-fetch.so /cgi/main.c /cgi/serve.sh /lib/upstream.c \
    /tests/lib.sh /Makefile /README.md /.git/config /index.html /empty/ \
    /../etc/passwd /../../../../etc/passwd /%2e%2e/etc/passwd \
    /%2e%2e%2f%2e%2e%2fetc%2fpasswd //etc/passwd /immich-jobs/../lighttpd.conf \
    /healthz/ /metrics/ /metrics.txt /HEALTHZ /healthz%2f /api/jobs; do
	http GET "$p" --path-as-is
	echo "# GET $p"
	expect_error 404 "no such path: this service answers /, /homepage, /metrics and /healthz"
	check "$p: no file content" sh -c "! grep -qE 'root:|#include|ELF|server.port' '$T/body'"
done
check "none of them reached Immich" [ "$(fake_requests)" = "$n" ]
no_leak
finish
