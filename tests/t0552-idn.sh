#!/bin/sh
# A host name in another script (IDN) in IMMICH_URL: libcurl (with libidn2)
# looks up its DNS form, punycode.  libcurl resolves every *.localhost name
# to loopback itself (RFC 6761), so "ïmmich.localhost" reaches the fake
# Immich without touching /etc/hosts: 200, the Host header in punycode.
# A name that does not resolve: 502 whose message gives the punycode form
# to use.  Non-ASCII outside the host name, or a host name that is not
# UTF-8: a configuration error.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
ace=$("$PY" -c 'print("\u00efmmich.localhost".encode("idna").decode())')
check "ïmmich.localhost in DNS form is punycode ($ace)" [ "${ace#xn--}" != "$ace" ]

cgi GET / IMMICH_URL="http://ïmmich.localhost:$FAKE_PORT/api"
check "http://ïmmich.localhost: 200 (got $STATUS)" [ "$STATUS" = 200 ]
check "http://ïmmich.localhost: the totals" [ "$(json 'j["active"]')" = 16 ]
check "Immich got Host: $ace" grep -qF "\"Host\": \"$ace:$FAKE_PORT\"" "$T/fake.log"

# Not resolvable (.invalid, RFC 6761): the message gives the DNS form.
cgi GET / IMMICH_URL="http://bücher.invalid:2283" IMMICH_JOBS_TIMEOUT=$FAULT_TIMEOUT
expect_error 502 "its name could not be resolved"
check "gives the punycode form" grep -qF "its host name in DNS form (punycode) is xn--bcher-kva.invalid" "$T/body"
within_bound $FAULT_TIMEOUT

# Other failures name the host in its DNS form too.
port=$(free_port)
cgi GET / IMMICH_URL="http://ïmmich.localhost:$port" IMMICH_JOBS_TIMEOUT=$FAULT_TIMEOUT
expect_error 502 "http://$ace:$port"

# Non-ASCII elsewhere, or a host name that is not UTF-8: 500 at once.
cgi GET / IMMICH_URL="http://immich.local:2283/bücher"
expect_error 500 "IMMICH_URL contains a space, a control or a non-ASCII character"
cgi GET / IMMICH_URL="$(printf 'http://b\374cher.local')"
expect_error 500 "IMMICH_URL's host name is not valid UTF-8"
no_leak
finish
