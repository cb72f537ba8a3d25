#!/bin/sh
# checks/run-fuzz.sh - `make fuzz`: replay checks/regressions/, then run both
# libFuzzer harnesses side by side for FUZZ_SECONDS each and report their
# executions and crashes as TAP-style lines and "N passed, N failed".
#   FUZZ_B        directory with fuzz_parse and fuzz_config (build/fuzz)
#   FUZZ_SECONDS  seconds per harness (60)
# The growing corpus is kept in $FUZZ_B/corpus-NAME between runs; the
# committed seeds are checks/corpus/NAME.  A crash leaves its input in
# $FUZZ_B/artifacts/NAME/: copy it to checks/regressions/NAME/ once fixed.
TOP=$(cd "$(dirname "$0")/.." && pwd)
FUZZ_B=${FUZZ_B:-$TOP/build/fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
passed=0
failed=0

ok() { echo "ok - $*"; passed=$((passed + 1)); }
notok() { echo "not ok - $*"; failed=$((failed + 1)); }

max_len() {
	case $1 in
	parse) echo 16384 ;;
	config) echo 8192 ;;	# past the key file's 4096-byte limit
	esac
}

# Show the interesting part of a libFuzzer log.
show() {
	grep -E 'ERROR|SUMMARY|check failed|runtime error|^ +#[0-9]+ .* in ' "$1" |
	    grep -v 'in fuzzer::' | sed 's/^/#   /' | head -40
}

for n in parse config; do
	bin=$FUZZ_B/fuzz_$n
	set -- "$TOP"/checks/regressions/$n/*
	if [ ! -e "$1" ]; then
		continue
	fi
	if "$bin" -runs=1 "$@" > "$FUZZ_B/regressions-$n.log" 2>&1; then
		ok "fuzz_$n: replayed $# regression input(s) from checks/regressions/$n"
	else
		notok "fuzz_$n: a regression input fails again"
		show "$FUZZ_B/regressions-$n.log"
	fi
done

echo "# fuzzing each harness for $FUZZ_SECONDS s"
pids=
for n in parse config; do
	mkdir -p "$FUZZ_B/corpus-$n"
	rm -rf "$FUZZ_B/artifacts/$n"
	mkdir -p "$FUZZ_B/artifacts/$n"
	# Run from the artifact directory: nothing lands in the checkout.
	(cd "$FUZZ_B/artifacts/$n" && exec "$FUZZ_B/fuzz_$n" \
	    -dict="$TOP/checks/$n.dict" -max_len="$(max_len $n)" \
	    -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$FUZZ_B/artifacts/$n/" \
	    "$FUZZ_B/corpus-$n" "$TOP/checks/corpus/$n" \
	    > "$FUZZ_B/fuzz-$n.log" 2>&1) &
	pids="$pids $!"
done
set -- $pids
for n in parse config; do
	wait "$1"
	rc=$?
	shift
	log=$FUZZ_B/fuzz-$n.log
	runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$log")
	secs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log")
	if [ -z "$runs" ]; then	# stopped early: the last status line
		runs=$(grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#')
	fi
	crashes=$(find "$FUZZ_B/artifacts/$n" -type f | wc -l | tr -d ' ')
	corpus=$(find "$FUZZ_B/corpus-$n" -type f | wc -l | tr -d ' ')
	echo "# fuzz_$n: executions ${runs:-0}, crashes $crashes, corpus $corpus inputs (log: $log)"
	if [ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ] && [ -n "$runs" ] &&
	    [ "$runs" -gt 0 ]; then
		ok "fuzz_$n: ${runs} runs in ${secs:-?} s, no crash"
	else
		notok "fuzz_$n: exit status $rc, $crashes crash input(s) in $FUZZ_B/artifacts/$n"
		show "$log"
		for f in "$FUZZ_B/artifacts/$n"/*; do
			[ -f "$f" ] && echo "#   reproduce: $FUZZ_B/fuzz_$n $f"
		done
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
