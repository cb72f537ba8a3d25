#!/bin/sh
# IMMICH_JOBS_PROXY: the upstream call goes through the proxy it names, and
# only through it.  http:// Immich: a forward GET with the absolute URL;
# https:// Immich: a CONNECT tunnel (the key travels inside TLS, the proxy
# sees none); user:password@ in the proxy's address: Proxy-Authorization,
# and never in an answer; a wrong login: 502 naming IMMICH_JOBS_PROXY and
# the 407; IMMICH_JOBS_NO_PROXY naming Immich's host: straight there; a
# proxy that is down: 502 naming it.  The proxy comes from this setting
# alone: HTTP_PROXY (a request's "Proxy:" header) and http_proxy in the
# CGI's environment are not used (t0525), through lighttpd too.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
proxy_start

cgi GET / IMMICH_JOBS_PROXY="$PROXY_URL"
check "http:// through the proxy: 200 (got $STATUS)" [ "$STATUS" = 200 ]
check "http:// through the proxy: the totals" [ "$(json 'j["active"]')" = 16 ]
check "the proxy got a forward GET of Immich's URL" \
    grep -qF "\"method\": \"GET\", \"target\": \"$FAKE_URL/api/jobs\"" "$T/proxy.log"
check "Immich got it from the proxy" [ "$(fake_requests /api/jobs)" = 1 ]

# White space around it, a trailing slash: the same proxy.
cgi GET / IMMICH_JOBS_PROXY=" $PROXY_URL/ "
check "' URL/ ': 200" [ "$STATUS" = 200 ]
check "two requests through the proxy" [ "$(grep -c '"target"' "$T/proxy.log")" = 2 ]

# IMMICH_JOBS_NO_PROXY names Immich's host: the proxy is not used.
cgi GET / IMMICH_JOBS_PROXY="$PROXY_URL" IMMICH_JOBS_NO_PROXY="localhost, 127.0.0.1"
check "NO_PROXY=127.0.0.1: 200" [ "$STATUS" = 200 ]
check "NO_PROXY=127.0.0.1: the proxy got nothing more" [ "$(grep -c '"target"' "$T/proxy.log")" = 2 ]
check "NO_PROXY=127.0.0.1: Immich got it" [ "$(fake_requests /api/jobs)" = 3 ]

# A proxy that wants a login.
kill "$PROXY_PID" 2>/dev/null
proxy_start --auth "proxyuser:s3cret@proxy"
cgi GET / IMMICH_JOBS_PROXY="http://proxyuser:s3cret%40proxy@127.0.0.1:$PROXY_PORT"
check "with the proxy's login: 200 (got $STATUS)" [ "$STATUS" = 200 ]
check "Proxy-Authorization sent" grep -qF '"Proxy-Authorization": "Basic cHJveHl1c2VyOnMzY3JldEBwcm94eQ=="' "$T/proxy.log"
cgi GET / IMMICH_JOBS_PROXY="http://proxyuser:wrong@127.0.0.1:$PROXY_PORT"
expect_error 502 "the proxy http://127.0.0.1:$PROXY_PORT (IMMICH_JOBS_PROXY) refused to connect to $FAKE_URL: HTTP 407" 407
cgi GET / IMMICH_JOBS_PROXY="http://proxyuser:s3cret%40proxy@127.0.0.1:$PROXY_PORT" \
    IMMICH_URL="https://127.0.0.1:$FAKE_PORT"
check "https:// through the proxy: a CONNECT tunnel" \
    grep -qF "\"method\": \"CONNECT\", \"target\": \"127.0.0.1:$FAKE_PORT\"" "$T/proxy.log"
check "the proxy's password is in no answer" sh -c "! grep -qF 's3cret' '$T/body' '$T/stderr'"
cgi GET / IMMICH_JOBS_PROXY="http://proxyuser:bad@127.0.0.1:$PROXY_PORT" \
    IMMICH_URL="https://127.0.0.1:$FAKE_PORT"
expect_error 502 "the proxy http://127.0.0.1:$PROXY_PORT (IMMICH_JOBS_PROXY) refused to connect to https://127.0.0.1:$FAKE_PORT: HTTP 407"
check "a 407 says where the login goes" grep -qF "give it as user:password@ in IMMICH_JOBS_PROXY" "$T/body"

# A proxy that is not there.
port=$(free_port)
cgi GET / IMMICH_JOBS_PROXY="http://127.0.0.1:$port" IMMICH_JOBS_TIMEOUT=$FAULT_TIMEOUT
expect_error 502 "through the proxy http://127.0.0.1:$port (IMMICH_JOBS_PROXY)"
within_bound $FAULT_TIMEOUT

# Bad values: configuration errors naming the variable.
cgi GET / IMMICH_JOBS_PROXY="proxy.lan:3128"
expect_error 500 "IMMICH_JOBS_PROXY must start with http://, https://, socks4://, socks4a://, socks5:// or socks5h://"
cgi GET / IMMICH_JOBS_PROXY="http://proxy.lan:3128/path"
expect_error 500 "IMMICH_JOBS_PROXY must not have a path"
cgi GET / IMMICH_JOBS_PROXY="http://proxy.lan:99999"
expect_error 500 "IMMICH_JOBS_PROXY has a bad port"

# Never the environment's proxies: only IMMICH_JOBS_PROXY.
before=$(grep -c '"target"' "$T/proxy.log")
cgi GET / HTTP_PROXY="$PROXY_URL" http_proxy="$PROXY_URL" ALL_PROXY="$PROXY_URL" \
    no_proxy="" NO_PROXY=""
check "*_proxy in the environment, no IMMICH_JOBS_PROXY: 200" [ "$STATUS" = 200 ]
check "*_proxy in the environment: the proxy got nothing" [ "$(grep -c '"target"' "$T/proxy.log")" = "$before" ]
cgi GET / IMMICH_JOBS_PROXY="$PROXY_URL" no_proxy=127.0.0.1 NO_PROXY=127.0.0.1 \
    IMMICH_URL="http://127.0.0.1:$(free_port)"
check "no_proxy in the environment is not used: the request went to the proxy" \
    [ "$(grep -c '"target"' "$T/proxy.log")" -gt "$before" ]

# Through lighttpd: lighttpd.conf passes the setting to the CGI.
kill "$PROXY_PID" 2>/dev/null
proxy_start
lighttpd_start IMMICH_JOBS_PROXY="$PROXY_URL"
http GET / -H "Proxy: http://127.0.0.1:1"
check "through lighttpd: 200" [ "$STATUS" = 200 ]
check "through lighttpd: the request went through IMMICH_JOBS_PROXY" \
    grep -qF "\"target\": \"$FAKE_URL/api/jobs\"" "$T/proxy.log"
no_leak
finish
