#!/bin/sh
# An answer compressed with gzip or deflate (zlib-wrapped or raw), sent
# whether or not it was asked for, as some proxies and CDNs do: the right
# totals.  A coding that cannot be decoded is a 502 that says so.
. "$(dirname "$0")/lib.sh"
fake_start
for coding in gzip deflate deflate-raw; do
	spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json", "compress": "'$coding'"}}'
	cgi GET / IMMICH_JOBS_TIMEOUT=5
	check "$coding: status 200 (got ${STATUS:-none}: $(head -c 200 "$T/body"))" [ "$STATUS" = 200 ]
	check "$coding: the totals of jobs-newest.json" \
	    [ "$(json '[j["active"], j["waiting"], j["failed"], j["queues"]]')" = "[16, 2960, 9, 19]" ]
done
check "the request says which codings are accepted" \
    grep -q '"Accept-Encoding": "[^"]*gzip[^"]*"' "$T/fake.log"

# 10 MiB that compress to about 10 KiB: the 1 MiB limit holds for what
# the body decodes to, not for the bytes on the wire.
x=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
spec '{"/api/jobs": {"body": "'"$x"'", "repeat_body": 81920, "compress": "gzip"}}'
cgi GET / IMMICH_JOBS_TIMEOUT=5
expect_error 502 "Immich's answer is larger than 1 MiB" 200

# A body that says gzip and is not, and a coding nobody knows.
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json", "headers": {"Content-Encoding": "gzip"}}}'
cgi GET / IMMICH_JOBS_TIMEOUT=5
expect_error 502 "compressed with a content coding that could not be decoded" 200
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json", "headers": {"Content-Encoding": "x-unheard-of"}}}'
cgi GET / IMMICH_JOBS_TIMEOUT=5
expect_error 502 "compressed with a content coding that could not be decoded" 200
within_bound 5
no_leak
finish
