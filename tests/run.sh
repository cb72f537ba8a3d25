#!/bin/sh
# tests/run.sh - run the unit tests (cmocka, TAP output) and every numbered
# CGI/end-to-end script, count the checks and end with "N passed, N failed".
#   tests/run.sh [tests/t0001-*.sh ...]   (default: all of them)
#   tests/run.sh --quick   the unit tests and the scripts that run the CGI
#                          alone (t0000-t0089, t0300-t0320, t04xx): no
#                          lighttpd, packaging, faults, nor the 35 s poll
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
export BUILD
out=$(mktemp)
trap 'rm -f "$out"' EXIT
passed=0
failed=0

count() {	# count NAME RC: add up the ok / not ok lines in $out
	p=$(grep -c '^ok ' "$out")
	f=$(grep -c '^not ok ' "$out")
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $1 exited with status $2"
		f=1
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $1 ran no check"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

quick=0
[ "${1:-}" = --quick ] && quick=1 && shift
if [ $# -eq 0 ]; then
	for u in "$BUILD"/unit/test_*; do
		name=unit/$(basename "$u")
		echo "# $name"
		CMOCKA_MESSAGE_OUTPUT=TAP ${UNIT_WRAPPER:-} "$u" > "$out" 2>&1
		rc=$?
		grep -E '^(ok|not ok|#)' "$out" | grep -v '^ok'
		count "$name" $rc
	done
	set -- "$TOP"/tests/t[0-9][0-9][0-9][0-9]-*.sh
	[ $quick -eq 1 ] && set -- "$TOP"/tests/t00[0-8][0-9]-*.sh \
	    "$TOP"/tests/t03[01][0-9]-*.sh "$TOP"/tests/t0320-*.sh \
	    "$TOP"/tests/t04[0-9][0-9]-*.sh
fi
for t in "$@"; do
	name=$(basename "$t" .sh)
	echo "# $name"
	sh "$t" > "$out" 2>&1
	rc=$?
	grep -v '^ok ' "$out"
	count "$name" $rc
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
