/* upstream.c - one GET to Immich and what its answer means; see upstream.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "diagnose.h"
#include "upstream.h"

#ifndef VERSION
#define VERSION "dev"
#endif

struct response {
	long	 status;		/* HTTP status, 0 if none */
	char	*body;			/* malloc'd, NUL-terminated */
	size_t	 len, cap;		/* bytes */
	int	 too_large;		/* body went over JOBS_BODY_MAX */
	int	 oom;			/* the body could not be stored */
	long	 header_bytes;		/* bytes of status line and headers */
	int	 connected;		/* a connection to Immich's host was made */
	int	 connect_expired;	/* IMMICH_JOBS_CONNECT_TIMEOUT ran out */
	char	 content_type[128];
	char	 location[256];		/* redirect target, sanitised */
	struct diag_headers hdrs;	/* Server, cf-mitigated, ... */
	long	 ssl_verify;		/* OpenSSL's verify result, 0 = fine */
	long	 os_errno;		/* the system's error connecting, 0 if none */
};

struct endpoint {
	const char	*path;		/* appended to base_url */
	const char	*permission;	/* what the key needs for it */
	enum jobs_shape	 shape;
};

static const struct endpoint ep_jobs = { "/api/jobs", "job.read",
    JOBS_SHAPE_JOBS };
static const struct endpoint ep_queues = { "/api/queues", "queue.read",
    JOBS_SHAPE_QUEUES };

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct response *r = arg;
	size_t n = size * nmemb;

	if (n > JOBS_BODY_MAX - r->len) {
		r->too_large = 1;
		return 0;	/* makes libcurl stop with CURLE_WRITE_ERROR */
	}
	if (r->len + n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 16384;
		char *p;
		while (cap < r->len + n + 1)
			cap *= 2;
		if ((p = realloc(r->body, cap)) == NULL) {
			r->oom = 1;
			return 0;
		}
		r->body = p;
		r->cap = cap;
	}
	memcpy(r->body + r->len, data, n);
	r->len += n;
	r->body[r->len] = '\0';
	return n;
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct response *r = arg;

	diag_header(&r->hdrs, data, size * nmemb);
	return size * nmemb;
}

/*
 * The other end of IMMICH_URL's host and port broke the protocol before it
 * said anything HTTP: another service's banner (SSH, Redis, a database), a
 * TLS server spoken to in plain text, a garbage status line, or a socket
 * closed at once.  The configuration is valid; the address is not Immich's.
 */
static int
not_http(const struct config *c, const char *detail, struct err *e)
{
	return err_set(e, 502, 0, "the server at %s (IMMICH_URL) did not "
	    "answer HTTP (%s): check IMMICH_URL's port, which may belong to "
	    "another service (Immich listens on 2283 unless told otherwise)%s",
	    c->shown_url, detail, strncmp(c->base_url, "http://", 7) == 0 ?
	    ", and whether that server wants https://" : "");
}

/*
 * A redirect's target as messages show it, into dst: libcurl resolves a
 * relative Location with the request's user:password (CURLOPT_USERNAME)
 * in it, so the userinfo is taken out (and any left is redacted).
 */
static void
redirect_shown(char *dst, size_t size, const char *loc)
{
	CURLU *u = curl_url();
	char *s = NULL;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, loc, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_USER, NULL, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_OPTIONS, NULL, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK)
		loc = s;
	err_sanitize(dst, size, loc, strlen(loc));
	curl_free(s);
	curl_url_cleanup(u);
}

/* Turn a libcurl failure into our error. */
static int
transport_error(const struct config *c, CURLcode rc, const char *detail,
    const struct response *r, struct err *e)
{
	int fds;

	/*
	 * A socket, pipe or thread this process could not get fails the
	 * connection or the name lookup like a dead Immich would: tell them
	 * apart before blaming Immich.
	 */
	if (rc != CURLE_OPERATION_TIMEDOUT && (fds = err_fd_shortage()) != 0)
		return err_local(e, fds, "calling Immich");
	if (rc == CURLE_OUT_OF_MEMORY)
		return err_local(e, ENOMEM, "calling Immich");
	if (strstr(detail, "thread failed to start") != NULL)
		return err_local(e, EAGAIN, "looking up Immich's host name");
	switch (rc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
		/*
		 * config_load accepts http:// and https:// alone, so after a
		 * connection this is libcurl refusing an answer without a
		 * status line ("Received HTTP/0.9 when not allowed").
		 */
		if (r->connected)
			return not_http(c, detail, e);
		return err_set(e, 500, 0, "IMMICH_URL's scheme is not "
		    "supported: %s", detail);
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_GOT_NOTHING:
		return not_http(c, detail, e);
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		/* Reset before a single header byte: nothing HTTP came back. */
		if (r->connected && r->header_bytes == 0)
			return not_http(c, detail, e);
		break;
	case CURLE_BAD_CONTENT_ENCODING:
		return err_set(e, 502, (int)r->status, "Immich's answer is "
		    "compressed with a content coding that could not be "
		    "decoded (%s): Immich or a proxy in front of it sent a "
		    "damaged or unknown Content-Encoding", detail);
	case CURLE_OPERATION_TIMEDOUT:
		if (r->connect_expired)
			return err_set(e, 504, 0, "could not connect to Immich "
			    "at %s within %ld s (IMMICH_JOBS_CONNECT_TIMEOUT): "
			    "the host may be asleep, switched off or "
			    "unreachable", c->shown_url, c->connect_timeout);
		return err_set(e, 504, 0, "timed out after %ld s "
		    "(IMMICH_JOBS_TIMEOUT): Immich at %s did not answer in "
		    "time; it may be overloaded or unreachable", c->timeout,
		    c->shown_url);
	case CURLE_COULDNT_RESOLVE_HOST:
		return err_set(e, 502, 0, "Immich's host could not be reached: "
		    "its name could not be resolved (%s): check IMMICH_URL",
		    detail);
	case CURLE_COULDNT_CONNECT:
		/* Refused: nothing listens, as while Immich starts. */
		if (r->os_errno == ECONNREFUSED)
			return diag_refused(c, detail, e);
		return err_set(e, 502, 0, "Immich's host could not be reached: "
		    "%s: is Immich running at %s?", detail, c->shown_url);
	case CURLE_SSL_CACERT_BADFILE:
		return err_set(e, 502, 0, "IMMICH_JOBS_CA_FILE could not be "
		    "used as CA certificates in PEM form: %s", detail);
	case CURLE_SSL_CONNECT_ERROR:
		return err_set(e, 502, 0, "the TLS handshake with %s failed: "
		    "%s; is Immich serving plain http:// on that port?",
		    c->shown_url, detail);
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
		return diag_tls(c, diag_tls_problem(r->ssl_verify, detail),
		    detail, e);
	case CURLE_FILESIZE_EXCEEDED:
		return err_set(e, 502, (int)r->status, "Immich's answer is "
		    "larger than 1 MiB: IMMICH_URL may not point at Immich");
	case CURLE_WRITE_ERROR:
		if (r->too_large)
			return err_set(e, 502, (int)r->status, "Immich's answer "
			    "is larger than 1 MiB: IMMICH_URL may not point at "
			    "Immich");
		if (r->oom)
			return err_local(e, ENOMEM, "reading Immich's answer");
		/*
		 * Neither ours: libcurl's decoder gave up on the body (a
		 * gzip stream of several members, junk after it).
		 */
		return err_set(e, 502, (int)r->status, "Immich's answer could "
		    "not be decoded (%s): Immich or a proxy in front of it "
		    "sent a damaged or unusual Content-Encoding", detail);
	case CURLE_URL_MALFORMAT:
		return err_set(e, 500, 0, "IMMICH_URL is not a valid URL: %s",
		    detail);
	default:
		break;
	}
	return err_set(e, 502, 0, "the connection to Immich at %s failed: %s",
	    c->shown_url, detail);
}

/* GET base_url + path into r.  Returns 0 when Immich answered at all. */
static int
fetch(const struct config *c, const char *path,
    const struct timespec *deadline, struct response *r, struct err *e)
{
	char url[CONFIG_URL_MAX + 32], keyhdr[CONFIG_KEY_MAX + 16];
	char errbuf[CURL_ERROR_SIZE], detail[CURL_ERROR_SIZE];
	struct curl_slist *hdrs = NULL, *h;
	char *ct = NULL, *loc = NULL, *ip = NULL;
	curl_off_t connected_us = 0;
	CURLcode rc;
	CURL *curl;
	long left, connect_ms;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	if ((left = deadline_left_ms(deadline)) <= 0)
		return transport_error(c, CURLE_OPERATION_TIMEDOUT, "", r, e);
	if ((curl = curl_easy_init()) == NULL)
		return err_local(e, ENOMEM, "starting libcurl");
	snprintf(url, sizeof(url), "%s%s", c->base_url, path);
	snprintf(keyhdr, sizeof(keyhdr), "x-api-key: %s", c->key);
	if ((h = curl_slist_append(hdrs, keyhdr)) != NULL)
		hdrs = h;
	if (h == NULL || (h = curl_slist_append(hdrs,
	    "Accept: application/json")) == NULL) {
		ret = err_local(e, ENOMEM, "calling Immich");
		goto done;
	}
	hdrs = h;
	errbuf[0] = '\0';
	curl_easy_setopt(curl, CURLOPT_URL, url);
	/*
	 * IMMICH_URL's user:password goes apart from the URL (config.c took
	 * it out), so a raw '@' in the password works and no URL libcurl
	 * resolves or reports (a relative redirect) holds it.
	 */
	if (c->has_userinfo) {
		curl_easy_setopt(curl, CURLOPT_USERNAME, c->url_user);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, c->url_password);
	}
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "immich-jobs-proxy/" VERSION);
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_PROXY, "");	/* ignore *_proxy env */
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075700	/* 7.87.0 */
	/*
	 * A name server that never answers leaves libcurl's resolver thread
	 * in getaddrinfo() long after the deadline, and curl_easy_cleanup()
	 * would join it (10-30 s): let it go instead; the process ends soon.
	 * Older libcurl: the CGI's hard cap (cgi/main.c) keeps the bound.
	 */
	curl_easy_setopt(curl, CURLOPT_QUICK_EXIT, 1L);
#endif
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, left);
	connect_ms = c->connect_timeout * 1000;
	if (connect_ms > left)
		connect_ms = left;
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	/*
	 * Accept every coding libcurl decodes (gzip, deflate, br, zstd):
	 * proxies and CDNs compress whether asked or not.  JOBS_BODY_MAX
	 * still bounds the decoded body (on_body).
	 */
	curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)JOBS_BODY_MAX);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_file[0] != '\0')
		curl_easy_setopt(curl, CURLOPT_CAINFO, c->ca_file);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(curl, CURLINFO_HEADER_SIZE, &r->header_bytes);
	if (curl_easy_getinfo(curl, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK &&
	    ip != NULL && ip[0] != '\0')
		r->connected = 1;
	curl_easy_getinfo(curl, CURLINFO_SSL_VERIFYRESULT, &r->ssl_verify);
	curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &r->os_errno);
	/* Connecting took the whole connect bound, short of the deadline. */
	if (rc == CURLE_OPERATION_TIMEDOUT && connect_ms < left &&
	    (curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &connected_us) !=
	    CURLE_OK || connected_us == 0))
		r->connect_expired = 1;
	if (curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK &&
	    ct != NULL)
		err_sanitize(r->content_type, sizeof(r->content_type), ct,
		    strlen(ct));
	if (curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK &&
	    loc != NULL)
		redirect_shown(r->location, sizeof(r->location), loc);
	if (rc != CURLE_OK) {
		const char *d = errbuf[0] != '\0' ? errbuf :
		    curl_easy_strerror(rc);
		err_sanitize(detail, sizeof(detail), d, strlen(d));
		ret = transport_error(c, rc, detail, r, e);
	}
done:
	explicit_bzero(keyhdr, sizeof(keyhdr));
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(curl);
	return ret;
}

/*
 * What r says, for lib/diagnose.c, with every secret config_secrets
 * registered (the key, IMMICH_URL's password) taken out of the body and
 * the headers first: Immich or a proxy may echo them in a message.
 */
static void
to_diag(struct response *r, struct diag_reply *d)
{
	if (r->body != NULL) {
		err_redact(r->body);
		r->len = strlen(r->body);
	}
	err_redact(r->hdrs.server);
	err_redact(r->hdrs.cf_mitigated);
	err_redact(r->hdrs.cid);
	err_redact(r->hdrs.location);
	d->status = (int)r->status;
	d->body = r->body;
	d->len = r->len;
	d->content_type = r->content_type;
	d->location = r->location[0] != '\0' ? r->location :
	    r->hdrs.location;
	d->server = r->hdrs.server;
	d->cf_mitigated = r->hdrs.cf_mitigated;
	d->cid = r->hdrs.cid;
}

/* What a 2xx answer holds: the counts, or an error.  */
static int
body_counts(const struct config *c, const struct endpoint *ep,
    struct response *r, struct jobs *j, struct err *e)
{
	struct diag_reply d;
	int st = (int)r->status;

	if (r->len == 0)
		return err_set(e, 502, st, "Immich answered %s with an empty "
		    "body", ep->path);
	to_diag(r, &d);
	if (diag_is_html(&d))
		return diag_html(c, &d, e);
	if (jobs_parse(j, r->body, r->len, ep->shape, e) != 0) {
		e->upstream_status = st;
		return -1;
	}
	return 0;
}

/*
 * GET ep into j.  refused_before: see struct diag_ask.  *cause says what a
 * non-2xx answer meant (DIAG_OTHER for any other failure).
 */
static int
get_from(const struct config *c, const struct endpoint *ep,
    const char *refused_before, const struct timespec *deadline,
    struct jobs *j, enum diag_cause *cause, struct err *e)
{
	struct diag_ask a = { ep->path, ep->permission, refused_before };
	struct diag_reply d;
	struct response r;
	int rc;

	*cause = DIAG_OTHER;
	if ((rc = fetch(c, ep->path, deadline, &r, e)) == 0) {
		if (r.status >= 200 && r.status < 300)
			rc = body_counts(c, ep, &r, j, e);
		else {
			to_diag(&r, &d);
			*cause = diag_status(c, &a, &d, e);
			rc = -1;
		}
	}
	free(r.body);
	return rc;
}

/*
 * After a 404 for the counts: an Immich in maintenance mode answers so (a
 * smaller server without the job API; see diagnose.h).  Returns 1 with e
 * saying so, or 0 when it is not (e untouched).
 */
static int
maintenance(const struct config *c, const struct timespec *deadline,
    struct err *e)
{
	struct diag_reply d, ds;
	struct response r;
	struct err ignored;
	int in;

	in = fetch(c, "/api/server/config", deadline, &r, &ignored) == 0;
	if (in) {
		to_diag(&r, &d);
		in = diag_in_maintenance(&d);
	}
	free(r.body);
	if (!in)
		return 0;
	memset(&ds, 0, sizeof(ds));
	if (fetch(c, "/api/admin/maintenance/status", deadline, &r,
	    &ignored) == 0)
		to_diag(&r, &ds);
	diag_maintenance(e->upstream_status, &ds, e);
	free(r.body);
	return 1;
}

int
upstream_get(const struct config *c, const struct timespec *until,
    struct jobs *j, struct err *e)
{
	struct timespec deadline;
	enum diag_cause cause, cause2;
	struct err first;
	int rc;
	size_t i;

	j->n = 0;
	err_clear(e);
	config_secrets(c);	/* this module has its own copy of lib/err.c */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return err_local(e, ENOMEM, "starting libcurl");
	if (until != NULL)
		deadline = *until;
	else
		deadline_set(&deadline, c->timeout);
	rc = get_from(c, c->api == CONFIG_API_QUEUES ? &ep_queues : &ep_jobs,
	    NULL, &deadline, j, &cause, e);
	/*
	 * auto: /api/queues when /api/jobs is gone (404) or refused for want
	 * of job.read (a key made with queue.read alone, as Immich's
	 * deprecation of /api/jobs invites).
	 */
	if (rc != 0 && c->api == CONFIG_API_AUTO &&
	    (cause == DIAG_NOT_FOUND || cause == DIAG_NO_PERMISSION)) {
		first = *e;
		rc = get_from(c, &ep_queues, cause == DIAG_NO_PERMISSION ?
		    ep_jobs.permission : NULL, &deadline, j, &cause2, e);
		/* An Immich before v2.4 has no /api/queues: the first says why. */
		if (rc != 0 && cause == DIAG_NO_PERMISSION &&
		    cause2 == DIAG_NOT_FOUND)
			*e = first;
		else
			cause = cause2;
	}
	if (rc != 0 && cause == DIAG_NOT_FOUND)
		(void)maintenance(c, &deadline, e);
	curl_global_cleanup();
	/* Queue names and messages come from Immich: never relay the key. */
	for (i = 0; rc == 0 && i < j->n; i++)
		err_redact(j->q[i].name);
	if (rc != 0)
		err_redact(e->msg);
	err_secrets_clear();
	return rc;
}
