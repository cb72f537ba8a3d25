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
no_leak
finish
