#!/bin/sh
# A cache hit does not load libcurl nor json-c; a miss does (so the check
# can tell the two apart).
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
cgi GET / IMMICH_JOBS_CACHE_TTL=60 LD_DEBUG=libs
check "miss" [ "$(header X-Cache)" = miss ]
check "a miss loads libcurl" grep -q 'calling init: .*libcurl' "$T/stderr"
cgi GET / IMMICH_JOBS_CACHE_TTL=60 LD_DEBUG=libs
check "hit" [ "$(header X-Cache)" = hit ]
check "a hit loads no libcurl" sh -c "! grep -q 'libcurl' '$T/stderr'"
check "a hit loads no json-c" sh -c "! grep -q 'libjson-c' '$T/stderr'"
check "a hit loads the dynamic loader and libc, nothing else" \
    [ "$(grep -o 'calling init: [^ ]*' "$T/stderr" | sed 's/.*\///' | grep -cv '^ld-linux\|^ld-musl\|^libc\.so')" = 0 ]
check "(and the check sees libc's init)" grep -q 'calling init: .*libc\.so' "$T/stderr"
finish
