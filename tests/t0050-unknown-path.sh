#!/bin/sh
# A path other than the service's: 404 JSON, Immich not called.
. "$(dirname "$0")/lib.sh"
fake_start
for p in /api/jobs /index.html /metrics/ /immich-jobs; do
	cgi GET "$p"
	expect_error 404 "no such path"
done
check "Immich was not called" [ "$(fake_requests)" = 0 ]
finish
