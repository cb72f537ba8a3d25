#!/bin/sh
# The cache holds no key and no raw upstream bytes; its directory is 0700.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
cgi GET / IMMICH_JOBS_CACHE_TTL=60
check "an entry was written" [ -n "$(ls "$T/cache")" ]
check "no cache file holds the key" sh -c "! grep -rqaF -- '$KEY' '$T/cache'"
check "no cache file holds Immich's raw JSON" sh -c "! grep -rqaF 'jobCounts' '$T/cache'"
check "directory mode 0700" [ "$(stat -c %a "$T/cache")" = 700 ]
check "files mode 0600" [ "$(stat -c %a "$T/cache"/* | sort -u)" = 600 ]
mkdir -p "$T/open" && chmod 777 "$T/open"
cgi GET / IMMICH_JOBS_CACHE_TTL=60 IMMICH_JOBS_CACHE_DIR="$T/open"
check "a world-writable cache dir is refused but the answer still comes" [ "$STATUS" = 200 ]
check "and the refusal says why" grep -qF "cannot use the cache in $T/open: group or others may write to it (chmod 700 it)" "$T/stderr"
: > "$T/a-file"
cgi GET / IMMICH_JOBS_CACHE_TTL=60 IMMICH_JOBS_CACHE_DIR="$T/a-file"
check "a file as the cache dir: 200, and the log says it is not a directory" \
    sh -c "[ $STATUS = 200 ] && grep -qF 'cannot use the cache in $T/a-file: it is not a directory' '$T/stderr'"
ln -s "$T/cache" "$T/link"
cgi GET / IMMICH_JOBS_CACHE_TTL=60 IMMICH_JOBS_CACHE_DIR="$T/link"
check "a symlink as the cache dir: refused as such" grep -qF "cannot use the cache in $T/link: it is a symbolic link" "$T/stderr"
check "nothing was written there" [ -z "$(ls "$T/open")" ]
finish
