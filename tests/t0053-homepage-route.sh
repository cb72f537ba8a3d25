#!/bin/sh
# GET /homepage: the answer of / with every error's status turned into 200,
# which Homepage shows as the error's sentence (an answer of 400 or more it
# shows as "HTTP Error" with our body escaped); / keeps the real status.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
cgi GET /
cp "$T/body" "$T/root.json"
cgi GET /homepage
check "counts: 200" [ "$STATUS" = 200 ]
check "counts: the answer of /" same_answer "$T/root.json" "$T/body"

# each_error PATTERN STATUS [VAR=value...]: / answers STATUS, /homepage 200,
# both with the same JSON error body.
each_error() {
	pat=$1 st=$2; shift 2
	cgi GET / "$@"
	echo "# / $*"
	expect_error "$st" "$pat"
	cp "$T/body" "$T/root.json"
	cgi GET /homepage "$@"
	echo "# /homepage $*"
	expect_error 200 "$pat"
	# (libcurl's own words count the milliseconds each call took.)
	check "the same error body as /" sh -c "sed -E 's/after [0-9]+ ms/after N ms/g' '$T/root.json' > '$T/a'; sed -E 's/after [0-9]+ ms/after N ms/g' '$T/body' > '$T/b'; cmp -s '$T/a' '$T/b'"
	check "a sentence Homepage shows: a non-empty text in \"error\"" \
	    [ "$(json 'isinstance(j["error"], str) and len(j["error"]) > 20')" = true ]
	cgi HEAD /homepage "$@"
	check "HEAD /homepage: 200, no body" [ "$STATUS:$(wc -c < "$T/body")" = "200:0" ]
}
each_error "IMMICH_URL is not set" 500 IMMICH_URL=
spec '{"/api/jobs": {"status": 401, "body": "{\"message\":\"Invalid API key\"}"}}'
each_error "Immich rejected the API key" 502
each_error "refuses connections" 502 IMMICH_URL=http://127.0.0.1:1

# A method other than GET/HEAD is not Homepage's: still 405.
cgi POST /homepage
expect_error 405 "method not allowed"
# Only /homepage itself.
cgi GET /homepage/
expect_error 404 "no such path"
no_leak
finish
