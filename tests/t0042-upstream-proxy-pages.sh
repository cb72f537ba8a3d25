#!/bin/sh
# A non-2xx answer that is not Immich's JSON error comes from something in
# front of Immich (reverse proxy, CDN, login gateway): 502 saying so, with
# the status and the Server / cf-mitigated / Location clues, whatever the
# status; Immich's own JSON 401/403 keep their key and permission messages.
. "$(dirname "$0")/lib.sh"
PROXY="from something in front of Immich (a reverse proxy, CDN or login gateway), not from Immich's API"

# Cloudflare's bot protection: a 403 HTML challenge is no missing permission.
spec '{"*": {"status": 403, "headers": {"Content-Type": "text/html; charset=UTF-8", "Server": "cloudflare", "cf-mitigated": "challenge"},
             "body": "<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a moment...</title></head><body><noscript>Enable JavaScript and cookies to continue</noscript></body></html>"}}'
fake_start
cgi GET /
expect_error 502 "HTTP 403 $PROXY: an HTML page titled \\\"Just a moment...\\\" (Server: cloudflare, cf-mitigated: challenge); Cloudflare's bot protection stopped the request" 403
check "not called a missing permission" sh -c "! grep -qE 'permission|job.read|admin' '$T/body'"
check "auto did not try /api/queues after a proxy's 403" [ "$(fake_requests /api/queues)" = 0 ]

# nginx's basic auth in front of Immich.
spec '{"*": {"status": 401, "headers": {"Content-Type": "text/html", "Server": "nginx/1.25.3", "WWW-Authenticate": "Basic realm=\"photos\""},
             "body": "<html>\r\n<head><title>401 Authorization Required</title></head>\r\n<body>\r\n<center><h1>401 Authorization Required</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n"}}'
cgi GET /
expect_error 502 "HTTP 401 $PROXY: an HTML page titled \\\"401 Authorization Required\\\" (Server: nginx/1.25.3); it wants its own login" 401
check "not called a rejected key" sh -c "! grep -q 'rejected the API key' '$T/body'"

# A login gateway answering 401 with where to log in.
spec '{"*": {"status": 401, "headers": {"Content-Type": "text/html; charset=utf-8", "Location": "https://auth.example.org/?rd=https%3A%2F%2Fphotos"},
             "body": "<a href=\"https://auth.example.org/\">Unauthorized</a>"}}'
cgi GET /
expect_error 502 "HTTP 401 $PROXY: an HTML page (Location: https://auth.example.org/?rd=https%3A%2F%2Fphotos)" 401

# Traefik without a route: plain text, quoted.
spec '{"*": {"status": 404, "headers": {"Content-Type": "text/plain; charset=utf-8"}, "body": "404 page not found\n"}}'
cgi GET /
expect_error 502 "HTTP 404 $PROXY: text \\\"404 page not found\\\"; it has no route to Immich there: check IMMICH_URL" 404

# Another JSON shape (an API gateway's), and plain text, both on 403.
spec '{"*": {"status": 403, "body": "{\"error\":\"access denied by policy\",\"code\":\"AUTHZ\"}"}}'
cgi GET /
expect_error 502 "HTTP 403 $PROXY: JSON that is not Immich's error (\\\"access denied by policy\\\"); it refused the request before Immich saw it" 403
spec '{"*": {"status": 403, "headers": {"Content-Type": "text/plain"}, "body": "Forbidden"}}'
cgi GET /
expect_error 502 "HTTP 403 $PROXY: text \\\"Forbidden\\\"" 403
check "a proxy's Forbidden is not a non-admin user" sh -c "! grep -q 'not an admin' '$T/body'"

# An empty 503 from a proxy whose Immich is down; a 429 rate limit.
spec '{"*": {"status": 503, "headers": {"Server": "Caddy"}}}'
cgi GET /
expect_error 502 "HTTP 503 $PROXY: an empty body (Server: Caddy); it could not get an answer from Immich: is Immich running" 503
spec '{"*": {"status": 429, "headers": {"Content-Type": "text/plain"}, "body": "Too Many Requests"}}'
cgi GET /
expect_error 502 "HTTP 429 $PROXY" 429
check "429: says it limits the rate" grep -qF "it limits the rate of requests" "$T/body"

# Immich's own JSON answers, even through a proxy that names itself, keep
# their key and permission messages.
spec '{"*": {"status": 401, "headers": {"Server": "nginx"}, "body_file": "'"$FIX"'/error-401-invalid-key.json"}}'
cgi GET /
expect_error 502 "Immich rejected the API key (Immich said: Invalid API key" 401
check "Immich's 401 is not a proxy's" sh -c "! grep -q 'in front of Immich' '$T/body'"
spec '{"*": {"status": 403, "headers": {"Server": "cloudflare"}, "body_file": "'"$FIX"'/error-403-missing-permission-v3.json"}}'
cgi GET / IMMICH_JOBS_API=jobs
expect_error 502 "the API key lacks the job.read permission (Immich said: Missing required permission: job.read)" 403
check "Immich's 403 is not a proxy's" sh -c "! grep -q 'in front of Immich' '$T/body'"
no_leak
finish
