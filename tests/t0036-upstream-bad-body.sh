#!/bin/sh
# 200 with an empty body, non-JSON, JSON of another shape, or a bad counter:
# 502 saying what came back.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body": ""}}'
fake_start
cgi GET /
expect_error 502 "Immich answered /api/jobs with an empty body" 200
spec '{"/api/jobs": {"body": "pong"}}'
cgi GET /
expect_error 502 "Immich's answer is not valid JSON" 200
spec '{"/api/jobs": {"body_file": "'"$FIX"'/server-version.json"}}'
cgi GET /
expect_error 502 "holds no job queue" 200
spec '{"/api/jobs": {"body": "[1,2,3]"}}'
cgi GET /
expect_error 502 "not the jobs shape" 200
spec '{"/api/jobs": {"body": "{\"thumbnailGeneration\":{\"jobCounts\":{\"active\":-1}}}"}}'
cgi GET /
expect_error 502 "queue \\\"thumbnailGeneration\\\" has jobCounts.active that is not a whole number >= 0" 200
spec '{"/api/jobs": {"body": "{\"smartSearch\":{\"jobCounts\":{\"waiting\":\"12\"}}}"}}'
cgi GET /
expect_error 502 "jobCounts.waiting" 200
no_leak
finish
