#!/bin/sh
# The cache directory stays bounded: a key rotated twenty times (a Docker
# secret changed without a restart) leaves at most 6 entries, under 800 KB
# in all, the newest ones, the current key's a hit; an entry nobody wrote
# for more than a day goes at the next fetch, one of 23 hours stays, and a
# file that is not an entry is never touched.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
mkdir -m 700 "$T/cache"
echo "mine" > "$T/cache/notes.txt"

# entries: how many configurations have files in the cache.
entries() {
	ls "$T/cache" | sed -n 's/^\([0-9a-f]\{16\}\).*/\1/p' | sort -u | wc -l | tr -d ' '
}

i=1
while [ $i -le 20 ]; do
	cgi GET / IMMICH_JOBS_CACHE_TTL=86400 IMMICH_JOBS_API_KEY="rotatedkey${i}x0123456789"
	[ "$STATUS" = 200 ] || fail "key $i: status $STATUS"
	i=$((i + 1))
done
check "twenty keys, twenty fetches" [ "$(fake_requests)" = 20 ]
check "at most 6 entries kept (got $(entries))" [ "$(entries)" -le 6 ]
check "6 entries: the bound is reached, not undershot" [ "$(entries)" = 6 ]
kb=$(du -sk "$T/cache" | cut -f1)
check "the directory holds under 800 KB (${kb} KB)" [ "$kb" -lt 800 ]
cgi GET / IMMICH_JOBS_CACHE_TTL=86400 IMMICH_JOBS_API_KEY="rotatedkey20x0123456789"
check "the current key: hit" [ "$(header X-Cache)" = hit ]
cgi GET / IMMICH_JOBS_CACHE_TTL=86400 IMMICH_JOBS_API_KEY="rotatedkey15x0123456789"
check "one of the 6 newest: hit" [ "$(header X-Cache)" = hit ]
cgi GET / IMMICH_JOBS_CACHE_TTL=86400 IMMICH_JOBS_API_KEY="rotatedkey1x0123456789"
check "the oldest: gone, a miss" [ "$(header X-Cache)" = miss ]
check "a file that is not an entry stays" [ "$(cat "$T/cache/notes.txt")" = mine ]

# Age every entry: the one of key 2 was last written two days ago, the
# rest 23 hours ago.  The next fetch removes the first alone.
rm -rf "$T/cache" && mkdir -m 700 "$T/cache"
for k in 2 3 4; do
	cgi GET / IMMICH_JOBS_CACHE_TTL=86400 IMMICH_JOBS_API_KEY="rotatedkey${k}x0123456789"
done
old=$(ls -t "$T/cache" | sed -n 's/^\([0-9a-f]\{16\}\)$/\1/p' | tail -n 1)
for f in "$T/cache"/*; do touch -d '23 hours ago' "$f"; done
for f in "$T/cache/$old"*; do touch -d '2 days ago' "$f"; done
check "three entries before" [ "$(entries)" = 3 ]
cgi GET / IMMICH_JOBS_CACHE_TTL=86400 IMMICH_JOBS_API_KEY="rotatedkey5x0123456789"
check "unused for two days: gone" [ -z "$(ls "$T/cache" | grep "^$old")" ]
check "unused for 23 hours: kept (3 entries with the new one)" [ "$(entries)" = 3 ]
no_leak
finish
