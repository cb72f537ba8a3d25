#!/bin/sh
# Immich, or a proxy in front of it, echoes the x-api-key it received: in a
# 401/403/500 JSON "message", in a redirect's Location, in a queue name (an
# error naming the queue, and by_queue in a 200).  We quote such text in our
# answers and log, but never the key: it is replaced by "***".
. "$(dirname "$0")/lib.sh"
fake_start
lighttpd_start IMMICH_JOBS_TIMEOUT=2
n=0
answer() {	# SPEC-ANSWER STATUS TEXT: Immich answers SPEC-ANSWER; we STATUS
	n=$((n + 1))
	spec '{"/api/jobs": '"$1"'}'
	http GET /
	echo "# $n: $STATUS $(head -c 120 "$T/body")"
	check "$n: status $2 (got $STATUS)" [ "$STATUS" = "$2" ]
	check "$n: the echo is quoted, redacted: '$3'" grep -qF -- "$3" "$T/body"
	check "$n: the key is not in the answer" sh -c "! grep -qF -- '$KEY' '$T/raw'"
}
answer '{"status": 401, "body": "{\"message\":\"Invalid API key '"$KEY"'\"}"}' 502 "Invalid API key ***"
answer '{"status": 403, "body": "{\"message\":[\"key '"$KEY"' lacks job.read\"]}"}' 502 "key *** lacks job.read"
answer '{"status": 500, "body": "{\"message\":\"echo: x-api-key: '"$KEY"', '"$KEY"'\"}"}' 502 "x-api-key: ***, ***)"
answer '{"status": 302, "headers": {"Location": "/login?key='"$KEY"'&next=/"}}' 502 "login?key=***&next=/"
answer '{"body": "{\"'"$KEY"'\": {\"jobCounts\": {\"active\": -1}}}"}' 502 'queue \"***\" has jobCounts.active'
answer '{"body": "{\"q-'"$KEY"'\": {\"jobCounts\": {\"active\": 2}}}"}' 200 '"name":"q-***"'
# A message longer than we quote, the key at the cut: no prefix of it either.
pad=$(head -c 185 /dev/zero | tr '\0' p)
answer '{"status": 401, "body": "{\"message\":\"'"$pad$KEY"'\"}"}' 502 "${pad}***"
check "lighttpd's log quotes the echoes, redacted" grep -qF "Invalid API key ***" "$T/lighttpd.log"
check "no prefix of the key anywhere" sh -c "! grep -qF -- '$(echo "$KEY" | cut -c1-16)' '$T/all-output' '$T/lighttpd.log'"
no_leak
finish
