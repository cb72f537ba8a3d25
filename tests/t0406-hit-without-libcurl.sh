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
# Allowed besides the loader: what the front itself links (nothing when it
# is static, as the Makefile links it where it can; libc alone when not;
# make check-asan's adds its runtime's libm and libgcc_s) and, under make
# check-valgrind, valgrind's vgpreload_* libraries.
linked=$(readelf -d "$BIN" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')
check "the front links libc alone, or nothing (static), or a sanitizer runtime's too: '$linked'" \
    sh -c "[ '$linked' = 'libc.so.6 ' ] || [ -z '$linked' ] || readelf --dyn-syms '$BIN' | grep -q __asan_init"
check "a hit loads the dynamic loader and what the binary links, nothing else" \
    [ "$(grep -o 'calling init: [^ ]*' "$T/stderr" | sed 's/.*\///' | grep -v '^ld-linux\|^ld-musl\|^vgpreload_' | while read -r l; do case " $linked " in *" $l "*) ;; *) echo "$l" ;; esac; done | wc -l)" = 0 ]
if [ -n "$linked" ]; then
	check "(and the check sees libc's init)" grep -q 'calling init: .*libc\.so' "$T/stderr"
else
	check "(a static front: no dynamic loader ran at all)" sh -c "! grep -q 'calling init' '$T/stderr'"
fi
finish
