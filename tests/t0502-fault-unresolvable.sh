#!/bin/sh
# A host name that never resolves (.invalid, RFC 6761): 502 "could not be
# reached" naming the DNS failure.  With no network the resolver fails at
# once; a resolver that hangs would have to end within the bound, as 504.
. "$(dirname "$0")/lib.sh"
cgi GET / IMMICH_URL=http://immich.invalid:2283 IMMICH_JOBS_TIMEOUT=$FAULT_TIMEOUT
expect_error 502 "Immich's host could not be reached"
check "says the name could not be resolved" grep -qF "its name could not be resolved" "$T/body"
check "names the host" grep -qF "immich.invalid" "$T/body"
check "points at IMMICH_URL" grep -qF "check IMMICH_URL" "$T/body"
within_bound $FAULT_TIMEOUT
no_leak
finish
