/*
 * diagnose.h - who answered, and what the user should change.
 *
 * An answer other than the counts can come from Immich's API or from
 * something in front of it (a reverse proxy, a CDN, a login gateway), and
 * the same status means different things from each: a 403 from Immich is a
 * key without a permission, a 403 HTML page from a CDN is bot protection.
 * These functions turn what lib/upstream.c gathered (status, a few headers,
 * the body; a TLS verification result) into one struct err whose message
 * names the cause and what to change.  They are pure (json-c and libc, no
 * libcurl, no I/O), so tests/unit/test_diagnose.c drives them directly.
 *
 * Immich's error bodies, from its source (server/src/middleware/
 * global-exception.filter.ts, services/auth.service.ts) and the answers
 * captured from a real v2.7.5 in tests/fixtures/real-v2.7.5/:
 *   v1.100-v1.105  {"message","error","statusCode"}
 *   v1.106-v2.x    {"message","error","statusCode","correlationId"}, and
 *                  the header x-immich-cid (v1.102+) with the same id
 *   v3.0+          {"message"} (plus "errors" on validation failures), the
 *                  id in a response header only
 * with the messages "Invalid API key" / "Authentication required" (401),
 * "Missing required permission: <p>" / "Forbidden" (a non-admin user;
 * "Forbidden resource" before v1.113) (403), "Cannot GET <path>" (404), and
 * from the web app, for a path outside /api asked as JSON, 406 "The route
 * <path> was requested as application/json, but only returns text/html"
 * (v2.6+).
 */
#ifndef IJP_DIAGNOSE_H
#define IJP_DIAGNOSE_H

#include <stddef.h>

#include "config.h"
#include "err.h"

#define DIAG_HDR_MAX	128	/* bytes kept of a header value, with NUL */

/*
 * What came back for one request.  Every string is NUL-terminated, ""
 * when absent, printable (err_sanitize) and already free of the API key;
 * the caller owns them all.
 */
struct diag_reply {
	int		 status;	/* HTTP status */
	const char	*body;		/* NUL-terminated; NULL when len is 0 */
	size_t		 len;		/* bytes of body */
	const char	*content_type;	/* Content-Type */
	const char	*location;	/* Location, resolved against the URL */
	const char	*server;	/* Server */
	const char	*cf_mitigated;	/* cf-mitigated (Cloudflare) */
	const char	*cid;		/* x-immich-cid or x-correlation-id */
};

/* The request that was answered. */
struct diag_ask {
	const char	*path;		/* "/api/jobs" or "/api/queues" */
	const char	*permission;	/* what an API key needs for path */
	/*
	 * IMMICH_JOBS_API=auto asking /api/queues after /api/jobs refused:
	 * the permission /api/jobs said the key lacks; NULL otherwise.
	 */
	const char	*refused_before;
};

enum diag_cause {
	DIAG_OTHER,
	DIAG_NOT_FOUND,		/* 404, from Immich or from a proxy */
	DIAG_NO_PERMISSION	/* Immich: the key lacks a permission it named */
};

/* The headers diag_header() keeps, each DIAG_HDR_MAX bytes, "" if none. */
struct diag_headers {
	char	server[DIAG_HDR_MAX];
	char	cf_mitigated[DIAG_HDR_MAX];
	char	cid[DIAG_HDR_MAX];
	char	location[DIAG_HDR_MAX];	/* as sent: libcurl resolves 3xx's only */
};

/*
 * diag_header - note one header line (as libcurl's CURLOPT_HEADERFUNCTION
 * passes it: len bytes, not NUL-terminated, CRLF included) in h when it is
 * one diag_reply uses; a status line ("HTTP/...") empties h, so only the
 * last response's headers count.  Values are trimmed and err_sanitize()d,
 * cut to DIAG_HDR_MAX - 1 bytes.
 */
void	diag_header(struct diag_headers *h, const char *line, size_t len);

/*
 * diag_status - the error for a non-2xx answer r to the request a, against
 * c->shown_url (c->key is not used: r holds no key).  Sets e to 502,
 * e->upstream_status to r->status, and a message that names who answered
 * and what to change: for Immich's own JSON error, Immich's message and
 * correlationId quoted; for anything else, an answer from something in
 * front of Immich, with the clues it gave (what the body is, Server,
 * cf-mitigated, Location).  The words for each status are diagnose.c's.
 * Returns what the caller may retry on: DIAG_NOT_FOUND for any 404,
 * DIAG_NO_PERMISSION for Immich's "Missing required permission", else
 * DIAG_OTHER.
 */
enum diag_cause diag_status(const struct config *c, const struct diag_ask *a,
	    const struct diag_reply *r, struct err *e);

/*
 * diag_html - the error for a 2xx answer whose body is an HTML page (the
 * web app, a proxy's or a login gateway's page): 502, upstream_status
 * r->status, with the page's title and Server as clues and, when IMMICH_URL
 * has a path, that it must go.  Always returns -1.
 */
int	diag_html(const struct config *c, const struct diag_reply *r,
	    struct err *e);

/* diag_is_html - r's Content-Type is text/html or its body starts with '<'. */
int	diag_is_html(const struct diag_reply *r);

enum diag_tls {
	DIAG_TLS_OTHER,		/* any other verification failure */
	DIAG_TLS_UNTRUSTED,	/* issuer not trusted: self-signed, private CA */
	DIAG_TLS_HOSTNAME,	/* certificate for another name or address */
	DIAG_TLS_EXPIRED,
	DIAG_TLS_NOT_YET_VALID
};

/*
 * diag_tls_problem - what a failed certificate check means, from
 * OpenSSL's verify result (CURLINFO_SSL_VERIFYRESULT: X509_V_ERR_*, 0 when
 * the chain was fine, as when only libcurl's own host name check failed)
 * and libcurl's error text (used when the number says nothing).
 */
enum diag_tls diag_tls_problem(long verify_result, const char *detail);

/*
 * diag_tls - the error (502, no upstream status) for a certificate that
 * failed verification with problem p talking to c->shown_url; detail is
 * libcurl's text.  Only DIAG_TLS_UNTRUSTED suggests IMMICH_JOBS_CA_FILE;
 * expired and not-yet-valid give this machine's clock (UTC) since a wrong
 * clock causes both.  Always returns -1.
 */
int	diag_tls(const struct config *c, enum diag_tls p, const char *detail,
	    struct err *e);

/*
 * Immich's own states in which it cannot give job counts, from its source
 * (server/src/main.ts, workers/maintenance.ts, maintenance/, app.common.ts;
 * the answers are in tests/fixtures/immich-states/):
 *   starting up, migrating its database (on the first start after an
 *   upgrade, before it listens) and restarting (also on entering or
 *   leaving maintenance mode): nothing listens on its port, so a
 *   connection is refused;
 *   maintenance mode (v2.3+): a smaller server with a few routes answers
 *   on the same port; /api/jobs and /api/queues are 404 "Cannot GET ...",
 *   GET /api/server/config answers {"maintenanceMode":true} and GET
 *   /api/admin/maintenance/status {"active":true,"action":...}.
 */

/*
 * diag_in_maintenance - whether r, Immich's answer to GET
 * /api/server/config, is a 2xx JSON object with "maintenanceMode": true.
 */
int	diag_in_maintenance(const struct diag_reply *r);

/*
 * diag_maintenance - the error for an Immich in maintenance mode that
 * answered the job counts' request with status upstream_status: 503, with
 * what the answer to GET /api/admin/maintenance/status says it does
 * (status: NULL or not 2xx when unknown): restoring a database backup
 * (with its task, e.g. migrating the database, and progress), about to
 * restore one, leaving maintenance mode, or an admin maintaining it.
 * Always returns -1.
 */
int	diag_maintenance(int upstream_status, const struct diag_reply *status,
	    struct err *e);

/*
 * diag_refused - the error (502) for a connection to c->shown_url refused:
 * nothing listens there, which is Immich starting up, migrating its
 * database or restarting, or stopped (libcurl's words, "Couldn't connect",
 * add nothing).  Always returns -1.
 */
int	diag_refused(const struct config *c, struct err *e);

#endif
