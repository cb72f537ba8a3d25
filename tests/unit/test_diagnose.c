/*
 * test_diagnose.c - cmocka unit tests of lib/diagnose.c: who answered
 * (Immich's API or something in front of it), what each of Immich's error
 * bodies means, the correlation id, a path in IMMICH_URL, TLS problems.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../lib/config.h"
#include "../../lib/diagnose.h"
#include "../../lib/err.h"
#include "unit.h"

static struct config cfg;

static void
set_url(const char *url, enum config_api api)
{
	struct err e;

	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(config_parse_url(&cfg, url, &e), 0);
	cfg.api = api;
}

/* A reply with no header but those given ("" for none). */
static struct diag_reply
reply(int status, const char *body, const char *type, const char *server,
    const char *cf, const char *location, const char *cid)
{
	struct diag_reply r;

	r.status = status;
	r.body = body;
	r.len = body != NULL ? strlen(body) : 0;
	r.content_type = type;
	r.server = server;
	r.cf_mitigated = cf;
	r.location = location;
	r.cid = cid;
	return r;
}

static const struct diag_ask ask_jobs = { "/api/jobs", "job.read", NULL };
static const struct diag_ask ask_queues = { "/api/queues", "queue.read",
    NULL };

#define JSON	"application/json; charset=utf-8"

static void
assert_has(const char *msg, const char *part)
{
	if (strstr(msg, part) == NULL)
		fail_msg("\"%s\" not in \"%s\"", part, msg);
}

static void
assert_lacks(const char *msg, const char *part)
{
	if (strstr(msg, part) != NULL)
		fail_msg("\"%s\" in \"%s\"", part, msg);
}

static void
test_header(void **state)
{
	struct diag_headers h;
	char line[400];

	(void)state;
	memset(&h, 'x', sizeof(h));
	diag_header(&h, "HTTP/1.1 403 Forbidden\r\n", 24);
	assert_string_equal(h.server, "");
	assert_string_equal(h.cid, "");
	diag_header(&h, "Server: cloudflare\r\n", 20);
	diag_header(&h, "CF-Mitigated:  challenge \r\n", 27);
	diag_header(&h, "x-immich-cid: y4x0h4ok\r\n", 24);
	diag_header(&h, "Content-Type: text/html\r\n", 25);
	diag_header(&h, "no colon here\r\n", 15);
	diag_header(&h, "Location: /login\r\n", 18);
	assert_string_equal(h.location, "/login");
	assert_string_equal(h.server, "cloudflare");
	assert_string_equal(h.cf_mitigated, "challenge");
	assert_string_equal(h.cid, "y4x0h4ok");
	/* v3 moved the id to X-Correlation-ID. */
	diag_header(&h, "X-Correlation-ID: ab12cd34\r\n", 28);
	assert_string_equal(h.cid, "ab12cd34");
	/* Control bytes made printable, a long value cut. */
	diag_header(&h, "Server: a\x01" "b\xc3\xa9\r\n", 14);
	assert_string_equal(h.server, "a b??");
	memcpy(line, "Server: ", 8);
	memset(line + 8, 's', 300);
	diag_header(&h, line, 308);
	assert_int_equal(strlen(h.server), DIAG_HDR_MAX - 1);
	/* A later response (after 100 Continue) starts afresh. */
	diag_header(&h, "HTTP/1.1 200 OK\r\n", 17);
	assert_string_equal(h.server, "");
	assert_string_equal(h.cf_mitigated, "");
}

/* A Cloudflare bot-protection challenge is never a missing permission. */
static void
test_cdn_challenge(void **state)
{
	struct diag_reply r;
	struct err e;

	(void)state;
	set_url("https://photos.example.org", CONFIG_API_AUTO);
	r = reply(403, "<!DOCTYPE html><html lang=\"en-US\"><head><title>Just "
	    "a moment...</title></head><body>Enable JavaScript and cookies"
	    "</body></html>", "text/html; charset=UTF-8", "cloudflare",
	    "challenge", "", "");
	assert_int_equal(diag_status(&cfg, &ask_jobs, &r, &e), DIAG_OTHER);
	assert_int_equal(e.status, 502);
	assert_int_equal(e.upstream_status, 403);
	assert_has(e.msg, "HTTP 403 from something in front of Immich (a "
	    "reverse proxy, CDN or login gateway), not from Immich's API: an "
	    "HTML page titled \"Just a moment...\" (Server: cloudflare, "
	    "cf-mitigated: challenge); Cloudflare's bot protection stopped "
	    "the request");
	assert_lacks(e.msg, "permission");
	assert_lacks(e.msg, "<");
}

static void
test_proxy_pages(void **state)
{
	struct diag_reply r;
	struct err e;

	(void)state;
	set_url("http://immich.lan:2283", CONFIG_API_AUTO);
	/* nginx's basic auth. */
	r = reply(401, "<html>\r\n<head><title>401 Authorization Required"
	    "</title></head>\r\n<body>\r\n<center><h1>401 Authorization "
	    "Required</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n"
	    "</body>\r\n</html>\r\n", "text/html", "nginx/1.25.3", "", "", "");
	assert_int_equal(diag_status(&cfg, &ask_jobs, &r, &e), DIAG_OTHER);
	assert_has(e.msg, "HTTP 401 from something in front of Immich");
	assert_has(e.msg, "titled \"401 Authorization Required\" (Server: "
	    "nginx/1.25.3); it wants its own login");
	assert_lacks(e.msg, "rejected the API key");
	/* A login gateway pointing at its portal. */
	r = reply(401, "<a href=\"https://auth.lan/?rd=x\">Found</a>.",
	    "text/html; charset=utf-8", "", "", "https://auth.lan/?rd=x", "");
	diag_status(&cfg, &ask_jobs, &r, &e);
	assert_has(e.msg, "(Location: https://auth.lan/?rd=x)");
	/* Traefik with no route: plain text, quoted. */
	r = reply(404, "404 page not found\n", "text/plain; charset=utf-8", "",
	    "", "", "");
	assert_int_equal(diag_status(&cfg, &ask_jobs, &r, &e), DIAG_NOT_FOUND);
	assert_has(e.msg, "HTTP 404 from something in front of Immich");
	assert_has(e.msg, "text \"404 page not found\"; it has no route to "
	    "Immich there: check IMMICH_URL");
	/* An empty 502 from a proxy whose Immich is down. */
	r = reply(502, NULL, "", "Caddy", "", "", "");
	diag_status(&cfg, &ask_jobs, &r, &e);
	assert_has(e.msg, "HTTP 502 from something in front of Immich");
	assert_has(e.msg, "an empty body (Server: Caddy); it could not get an "
	    "answer from Immich: is Immich running");
	/* Another JSON shape, its message quoted. */
	r = reply(403, "{\"error\":\"access denied by policy\"}", JSON, "", "",
	    "", "");
	assert_int_equal(diag_status(&cfg, &ask_jobs, &r, &e), DIAG_OTHER);
	assert_has(e.msg, "HTTP 403 from something in front of Immich");
	assert_has(e.msg, "JSON that is not Immich's error (\"access denied "
	    "by policy\"); it refused the request before Immich saw it");
	/* A key Immich never sends, or a statusCode that is not the status. */
	r = reply(403, "{\"success\":false,\"message\":\"Forbidden\"}", JSON,
	    "", "", "", "");
	diag_status(&cfg, &ask_jobs, &r, &e);
	assert_has(e.msg, "something in front of Immich");
	r = reply(403, "{\"message\":\"Forbidden\",\"statusCode\":401}", JSON,
	    "", "", "", "");
	diag_status(&cfg, &ask_jobs, &r, &e);
	assert_has(e.msg, "something in front of Immich");
	/* A rate limit. */
	r = reply(429, "Too Many Requests", "text/plain", "", "", "", "");
	diag_status(&cfg, &ask_jobs, &r, &e);
	assert_has(e.msg, "it limits the rate of requests");
	/* A redirect: not followed, not Immich's API. */
	r = reply(302, NULL, "", "nginx", "", "https://immich.lan/api/jobs",
	    "");
	diag_status(&cfg, &ask_jobs, &r, &e);
	assert_has(e.msg, "IMMICH_URL answered HTTP 302, a redirect to "
	    "https://immich.lan/api/jobs (Server: nginx), so something in "
	    "front of Immich");
	assert_has(e.msg, "redirects are not followed");
}

/* Every error body of every Immich era is Immich's, with its cause. */
static void
test_immich_fixtures(void **state)
{
	static const struct {
		const char	*file;
		int		 status;
		enum diag_cause	 cause;
		const char	*says;
	} f[] = {
		{ "error-401-invalid-key.json", 401, DIAG_OTHER,
		  "Immich rejected the API key (Immich said: Invalid API key; "
		  "correlationId p7m2c4tz)" },
		{ "error-401-invalid-key-v3.json", 401, DIAG_OTHER,
		  "Immich rejected the API key (Immich said: Invalid API key)" },
		{ "error-401-invalid-key-pre-v1.106.json", 401, DIAG_OTHER,
		  "Immich rejected the API key (Immich said: Invalid API key)" },
		{ "error-401-missing-key.json", 401, DIAG_OTHER,
		  "Immich received no API key (Immich said: Authentication "
		  "required; correlationId k3v9x0qa): something between here "
		  "and Immich drops the x-api-key header" },
		{ "error-401-missing-key-v3.json", 401, DIAG_OTHER,
		  "Immich received no API key" },
		{ "error-403-missing-permission.json", 403, DIAG_NO_PERMISSION,
		  "the API key lacks the job.read permission (Immich said: "
		  "Missing required permission: job.read; correlationId "
		  "w1n8r5bd): in Immich, give the key job.read for /api/jobs" },
		{ "error-403-missing-permission-v3.json", 403,
		  DIAG_NO_PERMISSION, "lacks the job.read permission" },
		{ "error-403-missing-permission-all-v1.136.json", 403,
		  DIAG_NO_PERMISSION, "the API key lacks the all permission "
		  "(Immich said: Missing required permission: all; "
		  "correlationId u4e7h9yc): this Immich wants all for "
		  "/api/jobs (later versions job.read)" },
		{ "error-403-not-admin.json", 403, DIAG_OTHER,
		  "Immich refused the API key because its user is not an "
		  "admin (Immich said: Forbidden; correlationId b5q1z8xo): "
		  "make the key as an admin user, with the job.read "
		  "permission" },
		{ "error-403-not-admin-v3.json", 403, DIAG_OTHER,
		  "its user is not an admin (Immich said: Forbidden)" },
		{ "error-403-not-admin-v1.106-v1.112.json", 403, DIAG_OTHER,
		  "its user is not an admin (Immich said: Forbidden resource; "
		  "correlationId g2t6d3wn)" },
		{ "error-403-not-admin-pre-v1.106.json", 403, DIAG_OTHER,
		  "its user is not an admin (Immich said: Forbidden resource)" },
		{ "error-404-wrong-api-path.json", 404, DIAG_NOT_FOUND,
		  "Immich has no /api/jobs or /api/queues at "
		  "http://immich.lan:2283 (Immich said: Cannot GET "
		  "/api/api/jobs; correlationId r8c5a1vk): check IMMICH_URL" },
		{ "error-404-wrong-api-path-v3.json", 404, DIAG_NOT_FOUND,
		  "(Immich said: Cannot GET /api/api/jobs): check IMMICH_URL" },
	};
	struct diag_reply r;
	struct err e;
	size_t i, len;
	char *body;

	(void)state;
	set_url("http://immich.lan:2283", CONFIG_API_AUTO);
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		body = slurp(f[i].file, &len);
		r = reply(f[i].status, body, JSON, "", "", "", "");
		if (diag_status(&cfg, &ask_jobs, &r, &e) != f[i].cause)
			fail_msg("%s: cause", f[i].file);
		assert_int_equal(e.upstream_status, f[i].status);
		assert_has(e.msg, f[i].says);
		assert_lacks(e.msg, "in front of");
		free(body);
	}
	/* The permission named is the one of the endpoint asked. */
	body = slurp("error-403-missing-permission-queue-read.json", &len);
	r = reply(403, body, JSON, "", "", "", "");
	assert_int_equal(diag_status(&cfg, &ask_queues, &r, &e),
	    DIAG_NO_PERMISSION);
	assert_has(e.msg, "lacks the queue.read permission");
	assert_has(e.msg, "give the key queue.read for /api/queues");
	assert_lacks(e.msg, "job.read");
	free(body);
}

static void
test_correlation_id(void **state)
{
	struct diag_reply r;
	struct err e;

	(void)state;
	set_url("http://immich.lan:2283", CONFIG_API_AUTO);
	/* The body's id first, then the header's (v3 sends it there only). */
	r = reply(401, "{\"message\":\"Invalid API key\",\"correlationId\":"
	    "\"aaaa1111\"}", JSON, "", "", "", "bbbb2222");
	diag_status(&cfg, &ask_jobs, &r, &e);
	assert_has(e.msg, "(Immich said: Invalid API key; correlationId "
	    "aaaa1111)");
	r = reply(401, "{\"message\":\"Invalid API key\"}", JSON, "", "", "",
	    "bbbb2222");
	diag_status(&cfg, &ask_jobs, &r, &e);
	assert_has(e.msg, "correlationId bbbb2222");
	/* Something that is not an id is left out. */
	r = reply(500, "{\"message\":\"Internal server error\","
	    "\"correlationId\":\"a b\"}", JSON, "", "", "", "<script>");
	diag_status(&cfg, &ask_jobs, &r, &e);
	assert_has(e.msg, "Immich answered HTTP 500 (Immich said: Internal "
	    "server error): Immich failed; its log says why");
	assert_lacks(e.msg, "correlationId");
	/* Never taken from a page that is not Immich's. */
	r = reply(502, "Bad Gateway", "text/plain", "", "", "", "cccc3333");
	diag_status(&cfg, &ask_jobs, &r, &e);
	assert_lacks(e.msg, "cccc3333");
}

/* auto: /api/jobs refused for job.read, then /api/queues for queue.read. */
static void
test_both_refused(void **state)
{
	static const struct diag_ask after = { "/api/queues", "queue.read",
	    "job.read" };
	struct diag_reply r;
	struct err e;

	(void)state;
	set_url("http://immich.lan:2283", CONFIG_API_AUTO);
	r = reply(403, "{\"message\":\"Missing required permission: "
	    "queue.read\",\"error\":\"Forbidden\",\"statusCode\":403,"
	    "\"correlationId\":\"o41gsq2n\"}", JSON, "", "", "", "");
	assert_int_equal(diag_status(&cfg, &after, &r, &e),
	    DIAG_NO_PERMISSION);
	assert_has(e.msg, "the API key may read neither /api/jobs (job.read) "
	    "nor /api/queues (queue.read) (Immich said: Missing required "
	    "permission: queue.read; correlationId o41gsq2n): in Immich, give "
	    "it queue.read (v2.4+, then IMMICH_JOBS_API=queues) or job.read "
	    "(then IMMICH_JOBS_API=jobs)");
}

/* A path in IMMICH_URL that Immich does not serve: say to remove it. */
static void
test_wrong_path(void **state)
{
	struct diag_reply r;
	struct err e;

	(void)state;
	set_url("http://immich.lan:2283/immich", CONFIG_API_AUTO);
	r = reply(406, "{\"message\":\"The route /immich/api/jobs was requested "
	    "as application/json, but only returns text/html\",\"error\":\"Not "
	    "Acceptable\",\"statusCode\":406,\"correlationId\":\"q1w2e3r4\"}",
	    JSON, "", "", "", "");
	assert_int_equal(diag_status(&cfg, &ask_jobs, &r, &e), DIAG_OTHER);
	assert_has(e.msg, "IMMICH_URL leads to Immich's web app, not its API "
	    "(Immich said: The route /immich/api/jobs was requested as "
	    "application/json, but only returns text/html; correlationId "
	    "q1w2e3r4): IMMICH_URL must be Immich's base address, without a "
	    "path: remove \"/immich\" (IMMICH_URL=http://immich.lan:2283)");
	/* An endpoint given as the base: /api/jobs/api/queues. */
	set_url("http://immich.lan:2283/api/jobs", CONFIG_API_AUTO);
	r = reply(404, "{\"message\":\"Cannot GET /api/jobs/api/queues\","
	    "\"error\":\"Not Found\",\"statusCode\":404}", JSON, "", "", "",
	    "");
	assert_int_equal(diag_status(&cfg, &ask_queues, &r, &e),
	    DIAG_NOT_FOUND);
	assert_has(e.msg, "Cannot GET /api/jobs/api/queues");
	assert_has(e.msg, "remove \"/api/jobs\" (IMMICH_URL="
	    "http://immich.lan:2283)");
	/* A proxy's 404 page there says the same. */
	r = reply(404, "<html><title>404 Not Found</title></html>",
	    "text/html", "", "", "", "");
	diag_status(&cfg, &ask_queues, &r, &e);
	assert_has(e.msg, "it has no route to Immich there: IMMICH_URL must "
	    "be Immich's base address, without a path: remove \"/api/jobs\"");
	/* Before v2.6 the web app answered 200 with its HTML. */
	set_url("https://user:pw@immich.lan/immich/", CONFIG_API_AUTO);
	r = reply(200, "<!doctype html><html><head><title>Immich</title>"
	    "</head></html>", "text/html", "", "", "", "");
	assert_true(diag_is_html(&r));
	assert_int_equal(diag_html(&cfg, &r, &e), -1);
	assert_int_equal(e.upstream_status, 200);
	assert_has(e.msg, "IMMICH_URL answered with an HTML page, not "
	    "Immich's API: it may point at the web app");
	assert_has(e.msg, "titled \"Immich\"");
	assert_has(e.msg, "remove \"/immich\" (IMMICH_URL=https://immich.lan)");
	assert_lacks(e.msg, "pw");
	/* No path: 406 still says where Immich's API is. */
	set_url("http://immich.lan:2283", CONFIG_API_AUTO);
	r = reply(406, "{\"message\":\"The route /x/api/jobs was requested as "
	    "application/json, but only returns text/html\"}", JSON, "", "",
	    "", "");
	diag_status(&cfg, &ask_jobs, &r, &e);
	assert_has(e.msg, "Immich's API is under /api/ of its base address");
}

static void
test_tls(void **state)
{
	struct err e;

	(void)state;
	assert_int_equal(diag_tls_problem(10, "SSL certificate problem: "
	    "certificate has expired"), DIAG_TLS_EXPIRED);
	assert_int_equal(diag_tls_problem(9, ""), DIAG_TLS_NOT_YET_VALID);
	assert_int_equal(diag_tls_problem(20, "SSL certificate problem: "
	    "unable to get local issuer certificate"), DIAG_TLS_UNTRUSTED);
	assert_int_equal(diag_tls_problem(18, ""), DIAG_TLS_UNTRUSTED);
	assert_int_equal(diag_tls_problem(19, ""), DIAG_TLS_UNTRUSTED);
	assert_int_equal(diag_tls_problem(62, ""), DIAG_TLS_HOSTNAME);
	/* libcurl's own host check leaves OpenSSL's result at 0. */
	assert_int_equal(diag_tls_problem(0, "SSL: no alternative certificate "
	    "subject name matches target host name '127.0.0.2'"),
	    DIAG_TLS_HOSTNAME);
	assert_int_equal(diag_tls_problem(0, "SSL: certificate subject name "
	    "'a' does not match target host name 'b'"), DIAG_TLS_HOSTNAME);
	assert_int_equal(diag_tls_problem(0, "certificate is not yet valid"),
	    DIAG_TLS_NOT_YET_VALID);
	assert_int_equal(diag_tls_problem(0, "The certificate has expired"),
	    DIAG_TLS_EXPIRED);
	assert_int_equal(diag_tls_problem(23, "SSL certificate problem: "
	    "certificate revoked"), DIAG_TLS_OTHER);
	set_url("https://immich.lan", CONFIG_API_AUTO);
	diag_tls(&cfg, DIAG_TLS_UNTRUSTED, "self-signed certificate", &e);
	assert_int_equal(e.status, 502);
	assert_has(e.msg, "its issuer is not trusted here: for a self-signed "
	    "certificate or a private CA set IMMICH_JOBS_CA_FILE");
	diag_tls(&cfg, DIAG_TLS_HOSTNAME, "d", &e);
	assert_has(e.msg, "the certificate is for another host name or "
	    "address (d): use in IMMICH_URL a name the certificate holds");
	assert_lacks(e.msg, "IMMICH_JOBS_CA_FILE");
	diag_tls(&cfg, DIAG_TLS_EXPIRED, "d", &e);
	assert_has(e.msg, "the certificate has expired (d; this machine's "
	    "clock says 20");
	assert_lacks(e.msg, "IMMICH_JOBS_CA_FILE");
	diag_tls(&cfg, DIAG_TLS_NOT_YET_VALID, "d", &e);
	assert_has(e.msg, "the certificate is not valid yet (d; this "
	    "machine's clock says 20");
	assert_has(e.msg, "set this machine's clock right");
	assert_lacks(e.msg, "IMMICH_JOBS_CA_FILE");
	diag_tls(&cfg, DIAG_TLS_OTHER, "certificate revoked", &e);
	assert_lacks(e.msg, "IMMICH_JOBS_CA_FILE");
}

/* reply() of the fixture file (body and status), freed by the caller. */
static char *
fixture_reply(const char *file, int status, struct diag_reply *r)
{
	size_t len;
	char *body = slurp(file, &len);

	*r = reply(status, body, JSON, "", "", "", "");
	return body;
}

/*
 * Immich in maintenance mode (v2.3+), from the answers its source gives:
 * named as such, with what the maintenance does; never a wrong IMMICH_URL.
 */
static void
test_maintenance(void **state)
{
	static const struct {
		const char	*status;	/* fixture, or NULL */
		int		 code;
		const char	*says;
	} m[] = {
		{ "immich-states/maintenance-status-start.json", 200,
		  "Immich is in maintenance mode (an admin is maintaining it): "
		  "the job counts are back when it leaves maintenance mode" },
		{ "immich-states/maintenance-status-restore-migrations.json", 200,
		  "Immich is in maintenance mode (restoring a database backup: "
		  "migrating the database, 90 %)" },
		/* No status route (or a refusal): maintenance all the same. */
		{ "immich-states/maintenance-jobs-404.json", 404,
		  "Immich is in maintenance mode (an admin is maintaining it)" },
		{ NULL, 0,
		  "Immich is in maintenance mode (an admin is maintaining it)" },
	};
	static const char *const other[] = {
		"{\"active\":true,\"action\":\"restore_database\",\"task\":"
		    "\"restore\",\"progress\":40}",
		"{\"active\":true,\"action\":\"end\"}",
		"{\"active\":true,\"action\":\"select_database_restore\"}",
		"{\"active\":true,\"action\":\"restore_database\",\"task\":"
		    "\"error\",\"error\":\"Something went wrong, see logs!\"}",
		"{\"active\":true,\"action\":\"restore_database\",\"task\":"
		    "\"no such task\",\"progress\":0.5}",
	};
	static const char *const other_says[] = {
		"(restoring a database backup: restoring, 40 %)",
		"(leaving maintenance mode)",
		"(an admin is choosing a database backup to restore)",
		"(restoring a database backup: failed: Immich's log says why)",
		"(restoring a database backup)",
	};
	struct diag_reply r;
	struct err e;
	char *body;
	size_t i;

	(void)state;
	body = fixture_reply("immich-states/maintenance-server-config.json",
	    200, &r);
	assert_true(diag_in_maintenance(&r));
	r.status = 404;		/* only an answer counts */
	assert_false(diag_in_maintenance(&r));
	free(body);
	body = fixture_reply("immich-states/server-config-v3.json", 200, &r);
	assert_false(diag_in_maintenance(&r));
	free(body);
	r = reply(200, "{\"maintenanceMode\":\"true\"}", JSON, "", "", "",
	    "");
	assert_false(diag_in_maintenance(&r));
	r = reply(200, "<html>maintenanceMode</html>", "text/html", "", "",
	    "", "");
	assert_false(diag_in_maintenance(&r));
	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		body = m[i].status != NULL ?
		    fixture_reply(m[i].status, m[i].code, &r) : NULL;
		assert_int_equal(diag_maintenance(404, m[i].status != NULL ?
		    &r : NULL, &e), -1);
		assert_int_equal(e.status, 503);
		assert_int_equal(e.upstream_status, 404);
		assert_has(e.msg, m[i].says);
		assert_lacks(e.msg, "IMMICH_URL");
		free(body);
	}
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		r = reply(200, other[i], JSON, "", "", "", "");
		diag_maintenance(404, &r, &e);
		assert_has(e.msg, other_says[i]);
	}
}

/* Nothing listens: Immich starting, migrating, restarting, or stopped. */
static void
test_refused(void **state)
{
	struct err e;

	(void)state;
	set_url("http://immich.local:2283", CONFIG_API_AUTO);
	assert_int_equal(diag_refused(&cfg, &e), -1);
	assert_int_equal(e.status, 502);
	assert_int_equal(e.upstream_status, 0);
	assert_has(e.msg, "Immich at http://immich.local:2283 refuses "
	    "connections: it is starting up, migrating its database");
	assert_has(e.msg, "restarting");
	assert_has(e.msg, "stopped");
	assert_lacks(e.msg, "check IMMICH_URL");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_cdn_challenge),
		cmocka_unit_test(test_proxy_pages),
		cmocka_unit_test(test_immich_fixtures),
		cmocka_unit_test(test_correlation_id),
		cmocka_unit_test(test_both_refused),
		cmocka_unit_test(test_wrong_path),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_maintenance),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests_name("diagnose", tests, NULL, NULL);
}
