#!/bin/sh
# A corrupt, truncated or foreign cache file is ignored and replaced, never
# served.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
cgi GET / IMMICH_JOBS_CACHE_TTL=60
cp "$T/body" "$T/good"
entry=$(ls "$T/cache"/* | grep -v '\.lock$\|\.hist$\|\.out$')
size=$(wc -c < "$entry")
cp "$entry" "$T/entry.good"
n=1
for how in truncate flip append foreign empty; do
	case $how in
	truncate) head -c $((size / 2)) "$T/entry.good" > "$entry" 2>/dev/null || true ;;
	flip)     "$PY" -c "import sys; b=bytearray(open('$T/entry.good','rb').read()); b[100]^=1; open('$entry','wb').write(b)" ;;
	append)   { cat "$T/entry.good"; printf x; } > "$entry" ;;
	foreign)  head -c "$size" /dev/urandom > "$entry" ;;
	empty)    : > "$entry" ;;
	esac
	cp "$entry" "$T/corrupt"
	n=$((n + 1))
	cgi GET / IMMICH_JOBS_CACHE_TTL=60
	check "$how: not served (miss, Immich asked)" [ "$(header X-Cache):$(fake_requests)" = "miss:$n" ]
	check "$how: correct body" same_answer "$T/body" "$T/good"
	# Entries differ in size (the answers stored in them): a whole one
	# is one the next request takes.
	check "$how: replaced" sh -c "! cmp -s '$entry' '$T/corrupt'"
	cgi GET / IMMICH_JOBS_CACHE_TTL=60
	check "$how: by a whole entry: then a hit" [ "$(header X-Cache)" = hit ]
done
finish
