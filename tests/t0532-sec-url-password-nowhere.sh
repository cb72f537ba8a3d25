#!/bin/sh
# IMMICH_URL=http://user:password@host: the password appears in no answer,
# log line or cache file, whatever path it takes: a relative redirect
# (libcurl resolves it against the URL), a stale answer's upstream_error
# read back from the cache, or text Immich or a proxy echoes (the
# Authorization header in base64, the URL with user:password, the password
# alone, a queue name).  Each is replaced by "***".
. "$(dirname "$0")/lib.sh"
PW=s3cretPW0rd
basic=$(printf '%s' "user:$PW" | base64)
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-v1.100.json"}}'
fake_start
url=http://user:$PW@127.0.0.1:$FAKE_PORT
lighttpd_start IMMICH_URL="$url" IMMICH_JOBS_CACHE_TTL=1 IMMICH_JOBS_STALE_TTL=60 IMMICH_JOBS_TIMEOUT=3
http GET /
check "200 from Immich behind Basic authentication (got $STATUS)" [ "$STATUS" = 200 ]
check "Immich got the Basic header" grep -qF "Basic $basic" "$T/fake.log"
# A relative redirect: the message names where it goes, without user:pw@
# (the error at once: a redirect is to be fixed, not covered by old counts).
spec '{"/api/jobs": {"status": 302, "headers": {"Location": "/login"}}}'
sleep 1.2
http GET /
check "a redirect: the error (got $STATUS)" [ "$STATUS" = 502 ]
check "it names the redirect without user:password@" \
    grep -qF "a redirect to http://127.0.0.1:$FAKE_PORT/login" "$T/body"
http GET /		# the same, read back from the cache
check "the same from the cache (got $(header X-Cache))" \
    grep -qF "a redirect to http://127.0.0.1:$FAKE_PORT/login" "$T/body"
# Immich failing and echoing IMMICH_URL: stale counts, the echo redacted.
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-v1.100.json"}}'
sleep 1.2
http GET /
spec '{"/api/jobs": {"status": 500, "body": "{\"message\":\"upstream '"$url"'/api/jobs failed\"}"}}'
sleep 1.2
http GET /
check "stale counts while Immich fails (got $STATUS)" [ "$STATUS:$(json 'j["stale"]')" = "200:true" ]
check "upstream_error quotes the echo without user:password@" \
    grep -qF "upstream http://***@127.0.0.1" "$T/body"
http GET /		# the same, read back from the cache
check "a later stale answer, from the cache: the same (got $(header X-Cache))" \
    grep -qF "upstream http://***@127.0.0.1" "$T/body"
spec '{"/api/jobs": {"status": 302, "headers": {"Location": "/login"}}}'
cgi GET / IMMICH_URL="$url"
expect_error 502 "a redirect to http://127.0.0.1:$FAKE_PORT/login" 302
# Echoes: each quoted, the secret replaced.
n=0
echo_case() {	# SPEC-ANSWER STATUS TEXT
	n=$((n + 1))
	spec '{"/api/jobs": '"$1"'}'
	cgi GET / IMMICH_URL="$url"
	echo "# $n: $STATUS $(head -c 160 "$T/body")"
	check "$n: status $2 (got $STATUS)" [ "$STATUS" = "$2" ]
	check "$n: the echo is quoted, redacted: '$3'" grep -qF -- "$3" "$T/body"
}
echo_case '{"status": 401, "body": "{\"message\":\"proxy saw Authorization: Basic '"$basic"'\"}"}' 502 "Authorization: Basic ***"
echo_case '{"status": 500, "body": "{\"message\":\"upstream '"$url"'/api/jobs failed\"}"}' 502 "upstream http://***@127.0.0.1"
echo_case '{"status": 500, "body": "{\"message\":\"bad password '"$PW"'\"}"}' 502 "bad password ***"
echo_case '{"body": "{\"q-'"$PW"'\": {\"jobCounts\": {\"active\": 2}}}"}' 200 '"name":"q-***"'
echo_case '{"status": 403, "headers": {"Server": "gate/'"$PW"'"}, "body": "<html>no</html>"}' 502 "gate/***"
for what in "$PW" "$basic"; do
	check "'$what' is in no answer or log" \
	    sh -c "! grep -qF -- '$what' '$T/all-output' '$T/lighttpd.log'"
	check "'$what' is in no cache file" sh -c "! grep -rqF -- '$what' '$T/cache'"
done
check "the cache was written" [ -n "$(ls "$T/cache")" ]
no_leak
finish
