#!/bin/sh
# The reference, docs/immich-jobs-proxy.8: mandoc finds nothing to lint;
# every variable the code reads, every key and metric it answers and every
# route it serves is in it; the ranges it gives are the ones the program
# enforces; both --help texts point to it; `make install` puts it in MANDIR
# with the installed paths, where man(1) finds it under both names.
. "$(dirname "$0")/lib.sh"
M=$TOP/docs/immich-jobs-proxy.8

# --- lint ---------------------------------------------------------------------
# The only notes left are about other manuals missing from this machine's
# mandoc.db (lighttpd(8) ...), which depend on the machine, not the page.
mandoc -Tlint "$M" > "$T/lint" 2>&1; rc=$?
grep -v 'mandoc\.db' "$T/lint" | sed 's/^/# /'
check "mandoc -Tlint: exit 0 (got $rc)" [ "$rc" = 0 ]
check "mandoc -Tlint: no message" sh -c "! grep -qv 'mandoc\.db' '$T/lint'"
man -l "$M" > "$T/man.txt" 2> /dev/null
check "man -l renders it" grep -q 'IMMICH_URL' "$T/man.txt"

# section NAME: the lines of that .Sh section of the page.
section() { sed -n "/^\.Sh $1\$/,/^\.Sh /p" "$M"; }
# items NAME MACRO: the words a ".It MACRO a , MACRO b" line of section NAME names.
items() {
	section "$1" | sed -n "s/^\.It $2 //p" | sed "s/ , $2 / /g; s/ ,\$//" | tr ' ' '\n'
}

# --- every variable the code reads ------------------------------------------------
items ENVIRONMENT Ev | sort -u > "$T/env.doc"
# ("IMMICH_JOBS_..." in a message is no variable.)
grep -ohE 'IMMICH_[A-Z0-9_]*[A-Z0-9]_?' "$TOP"/lib/*.[ch] "$TOP"/cgi/*.c \
    "$TOP/cgi/serve.sh" "$TOP/lighttpd.conf" | grep -v '_$' | sort -u > "$T/env.code"
check "the code reads IMMICH_ variables ($(wc -l < "$T/env.code"))" [ "$(wc -l < "$T/env.code")" -ge 12 ]
for v in $(cat "$T/env.code"); do
	check "$v is in ENVIRONMENT" grep -qx "$v" "$T/env.doc"
done
# And nothing documented that the code no longer reads.
for v in $(grep '^IMMICH_' "$T/env.doc"); do
	check "documented $v is read by the code" grep -qx "$v" "$T/env.code"
done

# --- ranges: what the page says is what the program enforces ---------------------
# For "Seconds, MIN to MAX": MIN and MAX are taken, MIN - 1 and MAX + 1 are a
# configuration error naming the variable (exit 2).  The connect timeout is
# checked with the longest IMMICH_JOBS_TIMEOUT, which bounds it.
"$PY" - "$M" > "$T/ranges" <<'EOF'
import re, sys
env = open(sys.argv[1]).read().split(".Sh ENVIRONMENT\n")[1].split("\n.Sh ")[0]
for item in env.split("\n.It Ev ")[1:]:
    name, text = item.split("\n", 1)
    text = text.replace("\n", " ")
    m = re.search(r"Seconds, (\d+) to (\d+)", text)
    d = re.search(r"default (\d+)", text)
    if m:
        print(name, m.group(1), m.group(2), d.group(1) if d else "-")
EOF
check "the page gives ranges of seconds ($(wc -l < "$T/ranges"))" [ "$(wc -l < "$T/ranges")" -ge 5 ]
range_rc() {	# range_rc NAME VALUE: the exit status of --healthz with NAME=VALUE
	t=60
	[ "$1" = IMMICH_JOBS_TIMEOUT ] && t=$2
	env -i PATH=/usr/bin:/bin IMMICH_URL=http://127.0.0.1:9 IMMICH_JOBS_API_KEY="$KEY" \
	    IMMICH_JOBS_CACHE_TTL=0 IMMICH_JOBS_TIMEOUT="$t" "$1=$2" \
	    $CGI_WRAPPER "$BIN" --healthz > "$T/range.out" 2>&1
	echo $?
}
while read -r name min max def; do
	check "$name=$min is taken (range $min to $max)" [ "$(range_rc "$name" "$min")" = 0 ]
	check "$name=$max is taken" [ "$(range_rc "$name" "$max")" = 0 ]
	if [ "$min" -gt 0 ]; then
		rc=$(range_rc "$name" $((min - 1)))
		check "$name=$((min - 1)) is refused (exit $rc)" \
		    sh -c "[ $rc = 2 ] && grep -q '$name' '$T/range.out'"
	fi
	rc=$(range_rc "$name" $((max + 1)))
	check "$name=$((max + 1)) is refused (exit $rc)" \
	    sh -c "[ $rc = 2 ] && grep -q '$name' '$T/range.out'"
	check "$name has a default in the page" [ "$def" != - ]
done < "$T/ranges"

# --- every key of the answers ---------------------------------------------------------
items "THE ANSWER" Cm | sort -u > "$T/keys.doc"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
cgi GET / IMMICH_JOBS_CACHE_TTL=1
cp "$T/body" "$T/fresh.json"
check "a fresh answer: 200" [ "$STATUS" = 200 ]
# Stale: Immich fails once the cached counts expired; they stand in.
spec '{"/api/jobs": {"status": 500, "body": "{\"message\":\"down\"}"}}'
sleep 1.1
cgi GET / IMMICH_JOBS_CACHE_TTL=1 IMMICH_JOBS_STALE_TTL=3600
cp "$T/body" "$T/stale.json"
cgi GET / IMMICH_JOBS_CACHE_TTL=1 IMMICH_JOBS_CACHE_DIR="$T/cache-empty"
check "Immich failing with cached counts: a stale 200" \
    sh -c "[ '$(json 'j["stale"]' "$T/stale.json")' = true ]"
check "Immich failing without: a 502 error" [ "$STATUS" = 502 ]
cp "$T/body" "$T/error.json"
"$PY" - "$T/fresh.json" "$T/stale.json" "$T/error.json" > "$T/keys.answer" <<'EOF'
import json, sys
keys = set()
def walk(x, under_queue=False):
    if isinstance(x, dict):
        for k, v in x.items():
            if not under_queue:
                keys.add(k)
            # The children of "queue" are named by Immich's queue ids.
            walk(v, k == "queue" and not under_queue)
    elif isinstance(x, list):
        for v in x:
            walk(v)
for f in sys.argv[1:]:
    walk(json.load(open(f)))
print("\n".join(sorted(keys)))
EOF
check "the answers hold keys ($(wc -l < "$T/keys.answer"))" [ "$(wc -l < "$T/keys.answer")" -ge 25 ]
# And every key the renderer writes, also those of answers not made here.
grep -o '\\"[a-z_]*\\":' "$TOP/lib/render.c" | tr -d '\\":' | sort -u > "$T/keys.code"
for k in $(sort -u "$T/keys.answer" "$T/keys.code"); do
	check "answer key $k is in THE ANSWER" grep -qx "$k" "$T/keys.doc"
done

# --- every metric and route ------------------------------------------------------------
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
cgi GET /metrics
sed -n 's/^# TYPE \([a-z_]*\) .*/\1/p' "$T/body" > "$T/metrics"
check "/metrics has metrics ($(wc -l < "$T/metrics"))" [ "$(wc -l < "$T/metrics")" -ge 8 ]
for m in $(cat "$T/metrics"); do
	check "metric $m is in METRICS" sh -c "sed -n '/^\.Sh METRICS\$/,/^\.Sh /p' '$M' | grep -q '^\.It Li $m\\( \\|\$\\)'"
done
routes=$(sed -n 's/^[[:space:]]*{ "\(\/[a-z]*\)",.*ANSWER_.*/\1/p' "$TOP/cgi/request.c")
check "cgi/request.c has routes ($(echo $routes))" [ "$(echo "$routes" | wc -w)" -ge 3 ]
for r in $routes; do
	check "route $r is in HTTP INTERFACE" sh -c "sed -n '/^\.Sh HTTP INTERFACE\$/,/^\.Sh /p' '$M' | grep -q '^\.It Li GET $r ,'"
done

# --- --help points to it ---------------------------------------------------------------
"$BIN" --help > "$T/help.cgi" 2>&1
sh "$TOP/cgi/serve.sh" --help > "$T/help.wrapper" 2>&1
for h in cgi wrapper; do
	check "--help of the $h names immich-jobs-proxy(8) and the tree's page" \
	    sh -c "grep -q 'man 8 immich-jobs-proxy' '$T/help.$h' && grep -q 'man -l docs/immich-jobs-proxy.8' '$T/help.$h'"
done

# --- make install ----------------------------------------------------------------------
make -s -C "$TOP" install DESTDIR="$T/root" PREFIX=/usr SYSCONFDIR=/etc/immich-jobs-proxy \
    > "$T/install.log" 2>&1
check "make install succeeds" [ $? = 0 ]
I=$T/root/usr/share/man/man8
check "installed in MANDIR/man8, mode 644" [ "$(stat -c %a "$I/immich-jobs-proxy.8" 2>/dev/null)" = 644 ]
check "the installed page names the installed paths, no /usr/local one" \
    sh -c "grep -q '^\.Pa /etc/immich-jobs-proxy/lighttpd.conf' '$I/immich-jobs-proxy.8' &&
        grep -q '^\.It Pa /usr/bin/immich-jobs\$' '$I/immich-jobs-proxy.8' &&
        ! grep -q '^[^.].*/usr/local\|^\.[A-Z].*/usr/local' '$I/immich-jobs-proxy.8'"
for n in immich-jobs-proxy immich-jobs; do
	check "man finds $n(8) there" \
	    sh -c "MANPATH='$T/root/usr/share/man' man -w 8 $n > /dev/null 2>&1"
done
finish
