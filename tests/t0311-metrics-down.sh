#!/bin/sh
# /metrics when Immich fails: 200 with immich_jobs_up 0, as exporters do.
. "$(dirname "$0")/lib.sh"
spec '{"*": {"status": 401, "body_file": "'"$FIX"'/error-401-invalid-key.json"}}'
fake_start
cgi GET /metrics
check "200" [ "$STATUS" = 200 ]
check "immich_jobs_up 0" grep -qx 'immich_jobs_up 0' "$T/body"
check "no per-queue samples" sh -c "! grep -q '^immich_jobs{' '$T/body'"
"$PY" -c "
import sys
from prometheus_client.parser import text_string_to_metric_families
list(text_string_to_metric_families(open('$T/body').read()))" 2> "$T/perr"
check "still valid exposition text" [ ! -s "$T/perr" ]
check "the failure is logged on stderr" grep -qF "Immich rejected the API key" "$T/stderr"
# With stale counts cached, /metrics still reports the failure alone, and
# its headers do not call that answer stale.
spec '{"*": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
cgi GET /metrics IMMICH_JOBS_CACHE_TTL=1
spec '{"*": {"status": 500, "body": "{}"}}'
sleep 1.1
cgi GET /metrics IMMICH_JOBS_CACHE_TTL=1
check "stale counts: immich_jobs_up 0" grep -qx 'immich_jobs_up 0' "$T/body"
check "stale counts: no per-queue samples" sh -c "! grep -q '^immich_jobs{' '$T/body'"
check "stale counts: X-Cache: miss (the failure is this request's), no Age" \
    [ "$(header X-Cache):$(header Age)" = "miss:" ]
no_leak
finish
