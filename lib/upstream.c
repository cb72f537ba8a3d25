/* upstream.c - one GET to Immich and what its answer means; see upstream.h. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "upstream.h"

#ifndef VERSION
#define VERSION "dev"
#endif

struct response {
	long	 status;		/* HTTP status, 0 if none */
	char	*body;			/* malloc'd, NUL-terminated */
	size_t	 len, cap;		/* bytes */
	int	 too_large;		/* body went over JOBS_BODY_MAX */
	long	 header_bytes;		/* bytes of status line and headers */
	int	 connected;		/* a connection to Immich's host was made */
	char	 content_type[128];
	char	 location[256];		/* redirect target, sanitised */
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
		if ((p = realloc(r->body, cap)) == NULL)
			return 0;
		r->body = p;
		r->cap = cap;
	}
	memcpy(r->body + r->len, data, n);
	r->len += n;
	r->body[r->len] = '\0';
	return n;
}

/*
 * Replace every copy of key in s (in place) with "***": Immich, or a proxy
 * in front of it, may echo the x-api-key header in a message, a Location
 * or a queue name, and what it says reaches our answer and the log.
 */
static void
redact(char *s, const char *key)
{
	size_t klen = strlen(key), stars = klen < 3 ? klen : 3;
	char *p = s;

	if (klen == 0)
		return;
	while ((p = strstr(p, key)) != NULL) {
		memset(p, '*', stars);
		memmove(p + stars, p + klen, strlen(p + klen) + 1);
		p += stars;
	}
}

/* err_sanitize() of src without the key, redacted before it is cut. */
static void
sanitize_redacted(char *dst, size_t size, const char *src, const char *key)
{
	char *copy;

	if ((copy = strdup(src)) == NULL) {
		err_sanitize(dst, size, "(out of memory)", 15);
		return;
	}
	redact(copy, key);
	err_sanitize(dst, size, copy, strlen(copy));
	free(copy);
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

/* Turn a libcurl failure into our error. */
static int
transport_error(const struct config *c, CURLcode rc, const char *detail,
    const struct response *r, struct err *e)
{
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
		return err_set(e, 504, 0, "timed out after %ld s "
		    "(IMMICH_JOBS_TIMEOUT): Immich at %s did not answer in "
		    "time; it may be overloaded or unreachable", c->timeout,
		    c->shown_url);
	case CURLE_COULDNT_RESOLVE_HOST:
		return err_set(e, 502, 0, "Immich's host could not be reached: "
		    "its name could not be resolved (%s): check IMMICH_URL",
		    detail);
	case CURLE_COULDNT_CONNECT:
		return err_set(e, 502, 0, "Immich's host could not be reached: "
		    "%s: is Immich running at %s?", detail, c->shown_url);
	case CURLE_SSL_CACERT_BADFILE:
		return err_set(e, 502, 0, "IMMICH_JOBS_CA_FILE could not be "
		    "used as CA certificates in PEM form: %s", detail);
	case CURLE_SSL_CONNECT_ERROR:
		return err_set(e, 502, 0, "the TLS handshake with %s failed: "
		    "%s; is Immich serving plain http:// on that port?  (For a "
		    "self-signed certificate, set IMMICH_JOBS_CA_FILE to its CA.)",
		    c->shown_url, detail);
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
		return err_set(e, 502, 0, "TLS certificate problem talking to "
		    "%s: %s; for a self-signed certificate set "
		    "IMMICH_JOBS_CA_FILE to its CA in PEM form (verification "
		    "is never turned off)", c->shown_url, detail);
	case CURLE_FILESIZE_EXCEEDED:
		return err_set(e, 502, (int)r->status, "Immich's answer is "
		    "larger than 1 MiB: IMMICH_URL may not point at Immich");
	case CURLE_WRITE_ERROR:
		if (r->too_large)
			return err_set(e, 502, (int)r->status, "Immich's answer "
			    "is larger than 1 MiB: IMMICH_URL may not point at "
			    "Immich");
		return err_set(e, 500, 0, "out of memory reading Immich's "
		    "answer");
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
	CURLcode rc;
	CURL *curl;
	long left;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	if ((left = deadline_left_ms(deadline)) <= 0)
		return transport_error(c, CURLE_OPERATION_TIMEDOUT, "", r, e);
	if ((curl = curl_easy_init()) == NULL)
		return err_set(e, 500, 0, "libcurl could not start");
	snprintf(url, sizeof(url), "%s%s", c->base_url, path);
	snprintf(keyhdr, sizeof(keyhdr), "x-api-key: %s", c->key);
	if ((h = curl_slist_append(hdrs, keyhdr)) != NULL)
		hdrs = h;
	if (h == NULL || (h = curl_slist_append(hdrs,
	    "Accept: application/json")) == NULL) {
		ret = err_set(e, 500, 0, "out of memory");
		goto done;
	}
	hdrs = h;
	errbuf[0] = '\0';
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "immich-jobs-proxy/" VERSION);
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_PROXY, "");	/* ignore *_proxy env */
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, left);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, left);
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
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(curl, CURLINFO_HEADER_SIZE, &r->header_bytes);
	if (curl_easy_getinfo(curl, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK &&
	    ip != NULL && ip[0] != '\0')
		r->connected = 1;
	if (curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK &&
	    ct != NULL)
		err_sanitize(r->content_type, sizeof(r->content_type), ct,
		    strlen(ct));
	if (curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK &&
	    loc != NULL)
		sanitize_redacted(r->location, sizeof(r->location), loc,
		    c->key);
	if (rc != CURLE_OK) {
		const char *d = errbuf[0] != '\0' ? errbuf :
		    curl_easy_strerror(rc);
		sanitize_redacted(detail, sizeof(detail), d, c->key);
		ret = transport_error(c, rc, detail, r, e);
	}
done:
	explicit_bzero(keyhdr, sizeof(keyhdr));
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(curl);
	return ret;
}

/* Immich's own "message" from a JSON error body, or "" (never HTML). */
static void
immich_message(const struct config *c, const struct response *r, char *buf,
    size_t size)
{
	json_object *root, *m;
	const char *s = NULL;

	buf[0] = '\0';
	if (r->body == NULL || r->len == 0 ||
	    (root = json_tokener_parse(r->body)) == NULL)
		return;
	if (json_object_is_type(root, json_type_object) &&
	    json_object_object_get_ex(root, "message", &m)) {
		if (json_object_is_type(m, json_type_array) &&
		    json_object_array_length(m) > 0)
			m = json_object_array_get_idx(m, 0);
		if (json_object_is_type(m, json_type_string))
			s = json_object_get_string(m);
	}
	if (s != NULL)
		sanitize_redacted(buf, size, s, c->key);
	json_object_put(root);
}

static int
is_html(const struct response *r)
{
	size_t i = 0;

	if (strncasecmp(r->content_type, "text/html", 9) == 0)
		return 1;
	while (i < r->len && strchr(" \t\r\n", r->body[i]) != NULL)
		i++;
	return i < r->len && r->body[i] == '<';
}

/* What a non-2xx answer means, as an error.  Always returns -1. */
static int
status_error(const struct config *c, const struct endpoint *ep,
    const struct response *r, struct err *e)
{
	char said[200], said_part[240] = "";
	int st = (int)r->status;

	immich_message(c, r, said, sizeof(said));
	if (said[0] != '\0')
		snprintf(said_part, sizeof(said_part), " (Immich said: %s)",
		    said);
	if (st == 401)
		return err_set(e, 502, st, "Immich rejected the API key%s: "
		    "check IMMICH_JOBS_API_KEY or IMMICH_JOBS_API_KEY_FILE",
		    said_part);
	if (st == 403)
		return err_set(e, 502, st, "the API key lacks permission%s: it "
		    "must belong to an admin user and have the %s permission",
		    said_part, ep->permission);
	if (st == 404)
		return err_set(e, 502, st, "Immich has no %s at %s%s: check "
		    "IMMICH_URL (Immich's base address, e.g. "
		    "http://immich.local:2283)", c->api == CONFIG_API_AUTO ?
		    "/api/jobs or /api/queues" : ep->path, c->shown_url,
		    said_part);
	if (st == 301 || st == 302 || st == 303 || st == 307 || st == 308)
		return err_set(e, 502, st, "Immich answered HTTP %d, a redirect "
		    "to %s; redirects are not followed (the API key would go "
		    "along): set IMMICH_URL to the address Immich answers on",
		    st, r->location[0] != '\0' ? r->location : "(no Location)");
	if (st >= 500)
		return err_set(e, 502, st, "Immich answered HTTP %d%s: Immich "
		    "or a proxy in front of it failed; check its logs", st,
		    said_part);
	return err_set(e, 502, st, "Immich answered HTTP %d%s", st,
	    said_part);
}

/* What a 2xx answer holds: the counts, or an error.  */
static int
body_counts(const struct config *c, const struct endpoint *ep,
    const struct response *r, struct jobs *j, struct err *e)
{
	int st = (int)r->status;

	if (r->len == 0)
		return err_set(e, 502, st, "Immich answered %s with an empty "
		    "body", ep->path);
	if (is_html(r))
		return err_set(e, 502, st, "IMMICH_URL answered with an HTML "
		    "page, not Immich's API: it may point at the web app, a "
		    "reverse proxy or a login page (%s)", c->shown_url);
	if (jobs_parse(j, r->body, r->len, ep->shape, e) != 0) {
		e->upstream_status = st;
		return -1;
	}
	return 0;
}

static int
get_from(const struct config *c, const struct endpoint *ep,
    const struct timespec *deadline, struct jobs *j, int *was_404,
    struct err *e)
{
	struct response r;
	int rc;

	*was_404 = 0;
	if ((rc = fetch(c, ep->path, deadline, &r, e)) == 0) {
		if (r.status >= 200 && r.status < 300)
			rc = body_counts(c, ep, &r, j, e);
		else {
			*was_404 = r.status == 404;
			rc = status_error(c, ep, &r, e);
		}
	}
	free(r.body);
	return rc;
}

int
upstream_get(const struct config *c, const struct timespec *until,
    struct jobs *j, struct err *e)
{
	struct timespec deadline;
	int rc, was_404;
	size_t i;

	j->n = 0;
	err_clear(e);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return err_set(e, 500, 0, "libcurl could not start");
	if (until != NULL)
		deadline = *until;
	else
		deadline_set(&deadline, c->timeout);
	rc = get_from(c, c->api == CONFIG_API_QUEUES ? &ep_queues : &ep_jobs,
	    &deadline, j, &was_404, e);
	if (rc != 0 && was_404 && c->api == CONFIG_API_AUTO)
		rc = get_from(c, &ep_queues, &deadline, j, &was_404, e);
	curl_global_cleanup();
	/* Queue names and messages come from Immich: never relay the key. */
	for (i = 0; rc == 0 && i < j->n; i++)
		redact(j->q[i].name, c->key);
	if (rc != 0)
		redact(e->msg, c->key);
	return rc;
}
