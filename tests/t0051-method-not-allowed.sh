#!/bin/sh
# A method other than GET/HEAD: 405 with Allow: GET, HEAD.
. "$(dirname "$0")/lib.sh"
fake_start
for m in POST PUT DELETE OPTIONS; do
	cgi "$m" /
	expect_error 405 "method not allowed"
	check "$m: Allow: GET, HEAD" [ "$(header Allow)" = "GET, HEAD" ]
done
check "Immich was not called" [ "$(fake_requests)" = 0 ]
finish
