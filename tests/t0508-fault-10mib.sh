#!/bin/sh
# A 10 MiB answer, announced (Content-Length) and not (chunked): 502
# "larger than 1 MiB", and the CGI's memory stays small: its peak RSS
# (GNU time, package `time`) is within 4 MiB of a run on the 2.8 KB
# fixture, so it did not buffer the 10 MiB.
. "$(dirname "$0")/lib.sh"
x=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
fake_start
# Peak RSS only when the CGI runs bare (not under valgrind and the like).
rss=""
if [ -z "$CGI_WRAPPER" ] && [ -x /usr/bin/time ]; then
	rss=yes
	CGI_WRAPPER="/usr/bin/time -f %M -o $T/rss"
fi

spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
cgi GET / IMMICH_JOBS_TIMEOUT=$FAULT_TIMEOUT
check "baseline: 200 on the fixture" [ "$STATUS" = 200 ]
[ -n "$rss" ] && base=$(tail -n 1 "$T/rss")

for mode in content-length chunked; do
	chunked=false
	[ $mode = chunked ] && chunked=true
	spec '{"/api/jobs": {"body": "'"$x"'", "repeat_body": 81920, "chunked": '$chunked'}}'
	cgi GET / IMMICH_JOBS_TIMEOUT=$FAULT_TIMEOUT
	echo "# 10 MiB, $mode"
	expect_error 502 "Immich's answer is larger than 1 MiB" 200
	check "$mode: the message does not echo the body" sh -c "! grep -qF xxxxxxxx '$T/body'"
	within_bound $FAULT_TIMEOUT
	if [ -n "$rss" ]; then
		peak=$(tail -n 1 "$T/rss")
		check "$mode: peak RSS ${peak} KiB <= baseline ${base} KiB + 4096" [ "$peak" -le $((base + 4096)) ]
	else
		echo "# $mode: peak RSS not measured (CGI_WRAPPER set or no /usr/bin/time)"
	fi
done
no_leak
finish
