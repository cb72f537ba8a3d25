#!/bin/sh
# A cache that cannot be written is said on stderr once per cache period,
# not once per request, and every request still answers with Immich's
# counts.  Two ways to break the write: a directory standing where the
# entry goes (any user), and a real full disk, a tmpfs filled up (root, in
# a private mount namespace; skipped with the reason otherwise).
if [ "$(id -u)" = 0 ] && [ -z "${IJP_MOUNT_NS:-}" ] &&
    unshare -m true 2>/dev/null; then
	IJP_MOUNT_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start

# requests N DIR: N requests one after another, cache in DIR, TTL 30 s;
# their stderr in $T/errs, how many answered 200 with the totals in GOOD.
requests() {
	: > "$T/errs"
	GOOD=0
	i=0
	while [ $i -lt "$1" ]; do
		cgi GET / IMMICH_JOBS_CACHE_DIR="$2" IMMICH_JOBS_CACHE_TTL=30
		[ "$STATUS:$(json 'j["active"]')" = "200:16" ] && GOOD=$((GOOD + 1))
		cat "$T/stderr" >> "$T/errs"
		i=$((i + 1))
	done
}

# A directory where the entry file goes: rename() onto it fails.
cgi GET / IMMICH_JOBS_CACHE_DIR="$T/cache" IMMICH_JOBS_CACHE_TTL=30
entry=$(ls "$T"/cache/* | grep -v '\.lock$\|\.hist$\|\.out$')
rm -f "$entry" && mkdir "$entry" && touch "$entry/x"
requests 6 "$T/cache"
check "entry unwritable: 6 answers with the totals (got $GOOD)" [ "$GOOD" = 6 ]
check "entry unwritable: said once in 6 requests (got $(grep -c 'cannot write the cache' "$T/errs"))" \
    [ "$(grep -c "cannot write the cache in $T/cache" "$T/errs")" = 1 ]
check "the message says how often it is said" grep -q 'once every 30 s' "$T/errs"
# Once it can be written again, a later failure is said at once.
rm -rf "$entry"
requests 1 "$T/cache"
check "the entry is written again" [ -f "$entry" ]
rm -f "$entry" && mkdir "$entry" && touch "$entry/x"
requests 1 "$T/cache"
check "after a good write, the next failure is said at once" \
    grep -q "cannot write the cache in $T/cache" "$T/errs"

# A full disk: a 64 KiB tmpfs, filled before the first request.
if [ -n "${IJP_MOUNT_NS:-}" ]; then
	mkdir "$T/full"
	mount -t tmpfs -o size=64k,mode=0700 tmpfs "$T/full"
	dd if=/dev/zero of="$T/full/filler" bs=4k 2>/dev/null
	requests 8 "$T/full"
	check "full disk: 8 answers with the totals (got $GOOD)" [ "$GOOD" = 8 ]
	check "full disk: said once in 8 requests (got $(grep -c 'cannot write the cache' "$T/errs"))" \
	    [ "$(grep -c "cannot write the cache in $T/full: No space left on device" "$T/errs")" = 1 ]
	check "full disk: no temporary file left behind" [ ! -e "$(ls "$T"/full/*.lock | sed 's/\.lock$//').tmp" ]
	umount "$T/full"
else
	echo "# skipped the full-disk part: it mounts a tmpfs, which needs root and unshare -m"
fi
no_leak
finish
