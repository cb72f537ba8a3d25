#!/bin/sh
# IMMICH_URL's host and port answer something that is not HTTP: another
# service's banner (SSH), a Redis error line, a garbage status line, a TLS
# alert, a socket closed at once.  The configuration is valid; the other end
# broke the protocol: 502 saying the server did not answer HTTP, suggesting
# the port and https://, never "scheme not supported".
. "$(dirname "$0")/lib.sh"
fake_start

# try NAME SPEC: one kind of not-HTTP answer.
try() {
	echo "# $1"
	spec "$2"
	cgi GET / IMMICH_JOBS_TIMEOUT=3
	expect_error 502 "the server at $FAKE_URL (IMMICH_URL) did not answer HTTP"
	check "$1: suggests the port" grep -qF "check IMMICH_URL's port" "$T/body"
	check "$1: suggests https://" grep -qF "whether that server wants https://" "$T/body"
	check "$1: no upstream_status (no HTTP status came back)" [ "$(json '"upstream_status" in j')" = false ]
	check "$1: not blamed on the configuration" sh -c "! grep -qiF 'not supported' '$T/body'"
	within_bound 3
}

try "an SSH banner" '{"on_connect": {"raw": "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"}}'
try "a Redis error line" '{"*": {"raw": "-ERR wrong number of arguments for '"'get'"' command\r\n"}}'
try "a garbage status line" '{"*": {"raw": "HTTP/1.1 OK 200\r\nContent-Length: 2\r\n\r\n{}"}}'
try "a TLS alert (an https-only port)" '{"*": {"raw": "\u0015\u0003\u0001\u0000\u0002\u0002\u0046"}}'
try "a socket closed once the request is read" '{"on_connect": {"raw": ""}}'
try "a socket closed at once" '{"on_connect": {"close_at_once": true}}'

no_leak
finish
