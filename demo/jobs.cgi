#!/bin/sh
# demo/jobs.cgi - GET /api/jobs of `make run`'s demo upstream: the body of
# DEMO_BODIES (demo/loop.py) for this moment, one line per DEMO_STEP seconds
# since DEMO_START, over and over: a real import as a real Immich answered
# it, replayed in a loop.
set -u
n=$(wc -l < "$DEMO_BODIES")
i=$(( ($(date +%s) - DEMO_START) / DEMO_STEP % n + 1 ))
printf 'Status: 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n\r\n'
sed -n "${i}p" "$DEMO_BODIES"
