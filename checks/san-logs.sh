#!/bin/sh
# checks/san-logs.sh TOOL DIR: fail when any sanitizer or memcheck report was
# written to DIR (one file per process; empty files are clean runs).
tool=$1
dir=$2
n=0
for f in "$dir"/*; do
	[ -s "$f" ] || continue
	n=$((n + 1))
	echo "# ---- $f"
	sed -n '1,80p' "$f"
done
if [ "$n" -gt 0 ]; then
	echo "not ok - $tool: $n process(es) reported errors (files in $dir)"
	exit 1
fi
echo "ok - $tool: no error reported by any process"
