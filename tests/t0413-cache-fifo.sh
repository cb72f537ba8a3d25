#!/bin/sh
# A FIFO (or anything not a regular file) put where the cache entry, its
# history or its lock goes never hangs a request: it is not read as the
# cache, and the answer comes within the bound.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
cgi GET / IMMICH_JOBS_CACHE_TTL=1
entry=$(ls "$T"/cache/* | grep -v '\.lock$\|\.hist$\|\.out$')
for what in entry history lock; do
	case $what in
	entry) f=$entry ;;
	history) f=$entry.hist ;;
	lock) f=$entry.lock ;;
	esac
	rm -f "$f" && mkfifo "$f"
	sleep 1.1	# past the TTL: a miss, which reads all three
	cgi GET / IMMICH_JOBS_CACHE_TTL=1 IMMICH_JOBS_TIMEOUT=$FAULT_TIMEOUT
	check "$what is a FIFO: 200 with the totals" [ "$STATUS:$(json 'j["active"]')" = "200:16" ]
	within_bound $FAULT_TIMEOUT
	rm -f "$f"
	cgi GET / IMMICH_JOBS_CACHE_TTL=1
done
no_leak
finish
