#!/bin/sh
# contrib/prometheus/immich-jobs.rules.yml: valid for Prometheus, and each
# alert fires when it must and only then (promtool's own rule unit tests).
. "$(dirname "$0")/lib.sh"
R=$TOP/contrib/prometheus
check "promtool is installed (Debian package prometheus)" command -v promtool
promtool check rules "$R/immich-jobs.rules.yml" > "$T/check" 2>&1
rc=$?
cat "$T/check"
check "promtool check rules: valid, 3 rules" sh -c "[ $rc = 0 ] && grep -q 'SUCCESS: 3 rules found' '$T/check'"
# promtool resolves rule_files against the test file's directory.
promtool test rules "$R/immich-jobs.rules.test.yml" > "$T/test" 2>&1
rc=$?
cat "$T/test"
check "promtool test rules: every alert as expected" sh -c "[ $rc = 0 ] && grep -q SUCCESS '$T/test'"
# Each alert docs/prometheus.md names is one the file defines.
for a in ImmichJobsUpstreamDown ImmichQueueStalled ImmichJobsFailedGrowing; do
	check "$a defined and documented" sh -c "grep -q 'alert: $a\$' '$R/immich-jobs.rules.yml' && grep -q '$a' '$TOP/docs/prometheus.md'"
done
finish
