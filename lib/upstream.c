/* upstream.c - one GET to Immich and what its answer means; see upstream.h. */
#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "diagnose.h"
#include "key.h"
#include "upstream.h"
#include "url.h"

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
	int	 cert_requested;	/* the server asked for a client certificate */
	long	 connect_code;		/* a proxy's answer to CONNECT, 0 if none */
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

/*
 * A TLS client certificate, or its absence, that the server refused, and
 * one libcurl could not use: the error, or 0 when rc is none of these.
 */
static int
client_cert_error(const struct config *c, CURLcode rc, const char *detail,
    const struct response *r, struct err *e)
{
	int set = c->client_cert[0] != '\0';

	if (rc == CURLE_SSL_CERTPROBLEM && set)
		return err_set(e, 500, 0, "IMMICH_JOBS_CLIENT_CERT or "
		    "IMMICH_JOBS_CLIENT_KEY could not be used (%s): give the "
		    "client certificate and its private key, unencrypted, in "
		    "PEM form, the key the certificate's", detail);
	if (rc != CURLE_SSL_CONNECT_ERROR && rc != CURLE_RECV_ERROR &&
	    rc != CURLE_SEND_ERROR && rc != CURLE_GOT_NOTHING)
		return 0;
	if (!r->cert_requested &&
	    strcasestr(detail, "certificate required") == NULL)
		return 0;
	if (!set)
		return err_set(e, 502, 0, "the server at %s asks for a TLS "
		    "client certificate (mutual TLS) and none is set (%s): set "
		    "IMMICH_JOBS_CLIENT_CERT and IMMICH_JOBS_CLIENT_KEY to a "
		    "certificate it accepts and its key", c->shown_url, detail);
	if (r->header_bytes != 0)
		return 0;
	return err_set(e, 502, 0, "the server at %s refused the TLS client "
	    "certificate of IMMICH_JOBS_CLIENT_CERT (%s): give one it accepts "
	    "(from a CA it trusts, for client authentication, not expired) "
	    "and its key", c->shown_url, detail);
}

/*
 * The proxy refused to connect to Immich (its answer to CONNECT, code) or
 * to forward a request (its own 407 in place of Immich's answer, which
 * upstream, 407, holds).
 */
static int
proxy_refused(const struct config *c, long code, int upstream,
    struct err *e)
{
	return err_set(e, 502, upstream, "the proxy %s (IMMICH_JOBS_PROXY) "
	    "refused to connect to %s: HTTP %ld%s", c->proxy, c->shown_url,
	    code, code == 407 ? ": it wants a login: give it as "
	    "user:password@ in IMMICH_JOBS_PROXY" : "");
}

/* IMMICH_JOBS_PROXY's own failures: the error, or 0 when not the proxy's. */
static int
proxy_error(const struct config *c, CURLcode rc, const char *detail,
    const struct response *r, struct err *e)
{
	if (c->proxy[0] == '\0')
		return 0;
	if (rc == CURLE_COULDNT_RESOLVE_PROXY)
		return err_set(e, 502, 0, "the proxy's host name could not be "
		    "resolved (%s): check IMMICH_JOBS_PROXY (%s)", detail,
		    c->proxy);
	if (r->connect_code >= 300)
		return proxy_refused(c, r->connect_code, 0, e);
	if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_PROXY)
		return err_set(e, 502, 0, "could not reach Immich at %s through "
		    "the proxy %s (IMMICH_JOBS_PROXY%s): %s: is the proxy "
		    "running there?", c->shown_url, c->proxy,
		    c->no_proxy[0] != '\0' ? ", unless IMMICH_JOBS_NO_PROXY "
		    "names Immich's host" : "", detail);
	return 0;
}

/*
 * "; its host name in DNS form (punycode) is xn--..." when IMMICH_URL's
 * host is in another script (IDN), else "": what to give IMMICH_URL where
 * that form is needed.
 */
static const char *
ace_hint(const struct config *c, char *buf, size_t size)
{
	size_t len;
	const char *h = url_host(c->shown_url, &len);

	buf[0] = '\0';
	if (strncmp(h, "xn--", 4) == 0 || memmem(h, len, ".xn--", 5) != NULL)
		snprintf(buf, size, "; its host name in DNS form (punycode) "
		    "is %.*s", (int)len, h);
	return buf;
}

/*
 * A socket, pipe, thread or memory this process could not get fails the
 * connection or the name lookup like a dead Immich would: tell them apart
 * before blaming Immich.  The error, or 0 when none ran out.
 */
static int
local_error(CURLcode rc, const char *detail, struct err *e)
{
	int fds;

	if (rc != CURLE_OPERATION_TIMEDOUT && (fds = err_fd_shortage()) != 0)
		return err_local(e, fds, "calling Immich");
	if (rc == CURLE_OUT_OF_MEMORY)
		return err_local(e, ENOMEM, "calling Immich");
	if (strstr(detail, "thread failed to start") != NULL)
		return err_local(e, EAGAIN, "looking up Immich's host name");
	return 0;
}

/* The body could not be taken: too large, not decoded, no memory. */
static int
body_error(CURLcode rc, const char *detail, const struct response *r,
    struct err *e)
{
	if (rc == CURLE_BAD_CONTENT_ENCODING)
		return err_set(e, 502, (int)r->status, "Immich's answer is "
		    "compressed with a content coding that could not be "
		    "decoded (%s): Immich or a proxy in front of it sent a "
		    "damaged or unknown Content-Encoding", detail);
	if (rc == CURLE_FILESIZE_EXCEEDED || r->too_large)
		return err_set(e, 502, (int)r->status, "Immich's answer is "
		    "larger than 1 MiB: IMMICH_URL may not point at Immich");
	if (r->oom)
		return err_local(e, ENOMEM, "reading Immich's answer");
	/*
	 * Neither ours: libcurl's decoder gave up on the body (a gzip stream
	 * of several members, junk after it).
	 */
	return err_set(e, 502, (int)r->status, "Immich's answer could not be "
	    "decoded (%s): Immich or a proxy in front of it sent a damaged or "
	    "unusual Content-Encoding", detail);
}

/* No full answer in time: the connect bound or the whole one ran out. */
static int
timeout_error(const struct config *c, const struct response *r,
    struct err *e)
{
	if (r->connect_expired)
		return err_set(e, 504, 0, "could not connect to Immich at %s "
		    "within %ld s (IMMICH_JOBS_CONNECT_TIMEOUT): the host may "
		    "be asleep, switched off or unreachable", c->shown_url,
		    c->connect_timeout);
	return err_set(e, 504, 0, "timed out after %ld s (IMMICH_JOBS_TIMEOUT): "
	    "Immich at %s did not answer in time; it may be overloaded or "
	    "unreachable", c->timeout, c->shown_url);
}

/* Turn a libcurl failure into our error. */
static int
transport_error(const struct config *c, CURLcode rc, const char *detail,
    const struct response *r, struct err *e)
{
	char hint[CONFIG_URL_MAX + 64];

	if (local_error(rc, detail, e) != 0 ||
	    client_cert_error(c, rc, detail, r, e) != 0 ||
	    proxy_error(c, rc, detail, r, e) != 0)
		return -1;
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
	case CURLE_FILESIZE_EXCEEDED:
	case CURLE_WRITE_ERROR:
		return body_error(rc, detail, r, e);
	case CURLE_OPERATION_TIMEDOUT:
		return timeout_error(c, r, e);
	case CURLE_COULDNT_RESOLVE_HOST:
		return err_set(e, 502, 0, "Immich's host could not be reached: "
		    "its name could not be resolved (%s): check IMMICH_URL%s",
		    detail, ace_hint(c, hint, sizeof(hint)));
	case CURLE_COULDNT_CONNECT:
		/* Refused: nothing listens, as while Immich starts. */
		if (r->os_errno == ECONNREFUSED)
			return diag_refused(c, e);
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
	case CURLE_URL_MALFORMAT:
		return err_set(e, 500, 0, "IMMICH_URL is not a valid URL: %s",
		    detail);
	default:
		break;
	}
	return err_set(e, 502, 0, "the connection to Immich at %s failed: %s",
	    c->shown_url, detail);
}

/*
 * The TLS client certificate and its key, read on a miss, without
 * blocking, as the API key file is; wiped and freed after the request.
 */
struct client_pem {
	char	*cert, *key;
	size_t	 cert_len, key_len;
};

static int
read_pem(const char *path, const char *name, const char *holds, char **out,
    size_t *len, struct err *e)
{
	if ((*out = malloc(CONFIG_PEM_MAX + 1)) == NULL)
		return err_local(e, ENOMEM, "reading the client certificate");
	return key_file_read(path, name, holds, *out, CONFIG_PEM_MAX + 1, len,
	    e);
}

static void
client_pem_free(struct client_pem *p)
{
	if (p->cert != NULL)
		explicit_bzero(p->cert, CONFIG_PEM_MAX + 1);
	if (p->key != NULL)
		explicit_bzero(p->key, CONFIG_PEM_MAX + 1);
	free(p->cert);
	free(p->key);
}

static int
client_pem_load(const struct config *c, struct client_pem *p, struct err *e)
{
	memset(p, 0, sizeof(*p));
	if (c->client_cert[0] == '\0')
		return 0;
	if (read_pem(c->client_cert, "IMMICH_JOBS_CLIENT_CERT",
	    "the certificate (PEM)", &p->cert, &p->cert_len, e) != 0 ||
	    (c->client_key[0] != '\0' && read_pem(c->client_key,
	    "IMMICH_JOBS_CLIENT_KEY", "the private key (PEM)", &p->key,
	    &p->key_len, e) != 0)) {
		client_pem_free(p);
		return -1;
	}
	return 0;
}

/*
 * libcurl's trace of the TLS handshake is the one place that tells
 * whether the server asked for a client certificate ("Request CERT"):
 * TLS 1.2 servers then fail the handshake with an alert that names no
 * cause, TLS 1.3 servers the first read.
 */
static int
on_debug(CURL *curl, curl_infotype type, char *data, size_t len, void *arg)
{
	struct response *r = arg;

	(void)curl;
	if (type == CURLINFO_TEXT && memmem(data, len, "Request CERT", 12) !=
	    NULL)
		r->cert_requested = 1;
	return 0;
}

/* TLS: always verified; the client certificate when there is one. */
static void
set_tls(CURL *curl, const struct config *c, const struct client_pem *p,
    struct response *r)
{
	struct curl_blob cert = { p->cert, p->cert_len, CURL_BLOB_NOCOPY };
	struct curl_blob key = { p->key, p->key_len, CURL_BLOB_NOCOPY };

	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_file[0] != '\0')
		curl_easy_setopt(curl, CURLOPT_CAINFO, c->ca_file);
	/* Read here, not by libcurl's fopen(), which a FIFO would block. */
	if (p->cert != NULL) {
		curl_easy_setopt(curl, CURLOPT_SSLCERT_BLOB, &cert);
		curl_easy_setopt(curl, CURLOPT_SSLCERTTYPE, "PEM");
	}
	if (p->key != NULL) {
		curl_easy_setopt(curl, CURLOPT_SSLKEY_BLOB, &key);
		curl_easy_setopt(curl, CURLOPT_SSLKEYTYPE, "PEM");
	}
	if (strncasecmp(c->base_url, "https://", 8) == 0) {
		curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, on_debug);
		curl_easy_setopt(curl, CURLOPT_DEBUGDATA, r);
		curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
	}
}

/*
 * The proxy is IMMICH_JOBS_PROXY's alone: never *_proxy from the
 * environment (a CGI's HTTP_PROXY comes from a request's "Proxy:" header:
 * httpoxy), nor no_proxy from it.
 */
static void
set_proxy(CURL *curl, const struct config *c)
{
	curl_easy_setopt(curl, CURLOPT_PROXY, c->proxy);
	curl_easy_setopt(curl, CURLOPT_NOPROXY, c->no_proxy);
	if (c->proxy_has_userinfo) {
		curl_easy_setopt(curl, CURLOPT_PROXYUSERNAME, c->proxy_user);
		curl_easy_setopt(curl, CURLOPT_PROXYPASSWORD,
		    c->proxy_password);
	}
}

/* Everything but TLS and the proxy: the request, its bounds, the answer. */
static void
set_request(CURL *curl, const struct config *c, const char *url,
    struct curl_slist *hdrs, long left, long connect_ms, struct response *r)
{
	curl_easy_setopt(curl, CURLOPT_URL, url);
	/*
	 * IMMICH_URL's user:password goes apart from the URL (url.c took
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
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	/*
	 * Accept every coding libcurl decodes (gzip, deflate, br, zstd):
	 * proxies and CDNs compress whether asked or not.  JOBS_BODY_MAX
	 * still bounds the decoded body (on_body).
	 */
	curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)JOBS_BODY_MAX);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
}

/* What libcurl knows of the exchange, into r. */
static void
gather(CURL *curl, CURLcode rc, long left, long connect_ms,
    struct response *r)
{
	char *ct = NULL, *loc = NULL, *ip = NULL;
	curl_off_t connected_us = 0;

	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(curl, CURLINFO_HTTP_CONNECTCODE, &r->connect_code);
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
}

/* x-api-key and Accept into *hdrs; keyhdr holds the key until wiped. */
static int
make_headers(const struct config *c, char *keyhdr, size_t size,
    struct curl_slist **hdrs)
{
	struct curl_slist *h;

	snprintf(keyhdr, size, "x-api-key: %s", c->key);
	if ((h = curl_slist_append(NULL, keyhdr)) == NULL)
		return -1;
	*hdrs = h;
	if ((h = curl_slist_append(h, "Accept: application/json")) == NULL)
		return -1;
	return 0;
}

/* GET base_url + path into r.  Returns 0 when Immich answered at all. */
static int
fetch(const struct config *c, const char *path,
    const struct timespec *deadline, struct response *r, struct err *e)
{
	char url[CONFIG_URL_MAX + 32], keyhdr[CONFIG_KEY_MAX + 16];
	char errbuf[CURL_ERROR_SIZE], detail[CURL_ERROR_SIZE];
	struct curl_slist *hdrs = NULL;
	struct client_pem pem;
	const char *d;
	CURLcode rc;
	CURL *curl;
	long left, connect_ms;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	if ((left = deadline_left_ms(deadline)) <= 0)
		return transport_error(c, CURLE_OPERATION_TIMEDOUT, "", r, e);
	if (client_pem_load(c, &pem, e) != 0)
		return -1;
	if ((curl = curl_easy_init()) == NULL) {
		client_pem_free(&pem);
		return err_local(e, ENOMEM, "starting libcurl");
	}
	snprintf(url, sizeof(url), "%s%s", c->base_url, path);
	if (make_headers(c, keyhdr, sizeof(keyhdr), &hdrs) != 0) {
		ret = err_local(e, ENOMEM, "calling Immich");
		goto done;
	}
	connect_ms = c->connect_timeout * 1000;
	if (connect_ms > left)
		connect_ms = left;
	errbuf[0] = '\0';
	set_request(curl, c, url, hdrs, left, connect_ms, r);
	set_tls(curl, c, &pem, r);
	set_proxy(curl, c);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(curl);
	gather(curl, rc, left, connect_ms, r);
	if (rc != CURLE_OK) {
		d = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
		err_sanitize(detail, sizeof(detail), d, strlen(d));
		ret = transport_error(c, rc, detail, r, e);
	}
done:
	explicit_bzero(keyhdr, sizeof(keyhdr));
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(curl);
	client_pem_free(&pem);
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
		else if (r.status == 407 && c->proxy[0] != '\0')
			rc = proxy_refused(c, 407, 407, e);
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

/*
 * Messages are ASCII: for a host name in another script (IDN), a copy of
 * c into ace whose shown_url holds the host's DNS form (punycode), which
 * libcurl (with libidn2) looks up; *use is c, or ace when made.
 */
static int
ace_config(const struct config *c, struct config *ace,
    const struct config **use, struct err *e)
{
	size_t len;
	const char *h = url_host(c->base_url, &len);
	char *host = NULL;
	CURLU *u;
	int rc;

	*use = c;
	if (url_is_ascii(h, len))
		return 0;
	if (!(curl_version_info(CURLVERSION_NOW)->features & CURL_VERSION_IDN))
		return err_set(e, 500, 0, "IMMICH_URL's host name is not ASCII "
		    "and this libcurl cannot look such names up (built without "
		    "IDN): give the name's DNS form (punycode, xn--...; "
		    "`idn2 NAME` prints it)");
	if ((u = curl_url()) == NULL)
		return err_local(e, ENOMEM, "starting libcurl");
	if ((rc = curl_url_set(u, CURLUPART_URL, c->base_url, 0)) ==
	    CURLUE_OK)
		rc = curl_url_get(u, CURLUPART_HOST, &host, CURLU_PUNYCODE);
	curl_url_cleanup(u);
	if (rc != CURLUE_OK)
		return err_set(e, 500, 0, "IMMICH_URL's host name could not be "
		    "turned into its DNS form (punycode, xn--...) here (%s): "
		    "give that form (`idn2 NAME` prints it)",
		    curl_url_strerror(rc));
	*ace = *c;
	snprintf(ace->shown_url, sizeof(ace->shown_url), "%.*s%s%s",
	    (int)(h - c->base_url), c->base_url, host, h + len);
	curl_free(host);
	*use = ace;
	return 0;
}

/*
 * The counts from the endpoint c->api names.  auto: /api/queues when
 * /api/jobs is gone (404) or refused for want of job.read (a key made with
 * queue.read alone, as Immich's deprecation of /api/jobs invites).  After
 * a 404, whether Immich is in maintenance mode.
 */
static int
get_endpoint(const struct config *c, const struct timespec *deadline,
    struct jobs *j, struct err *e)
{
	enum diag_cause cause, cause2;
	struct err first;
	int rc;

	rc = get_from(c, c->api == CONFIG_API_QUEUES ? &ep_queues : &ep_jobs,
	    NULL, deadline, j, &cause, e);
	if (rc != 0 && c->api == CONFIG_API_AUTO &&
	    (cause == DIAG_NOT_FOUND || cause == DIAG_NO_PERMISSION)) {
		first = *e;
		rc = get_from(c, &ep_queues, cause == DIAG_NO_PERMISSION ?
		    ep_jobs.permission : NULL, deadline, j, &cause2, e);
		/* An Immich before v2.4 has no /api/queues: the first says why. */
		if (rc != 0 && cause == DIAG_NO_PERMISSION &&
		    cause2 == DIAG_NOT_FOUND)
			*e = first;
		else
			cause = cause2;
	}
	if (rc != 0 && cause == DIAG_NOT_FOUND)
		(void)maintenance(c, deadline, e);
	return rc;
}

static int
get_counts(const struct config *c, const struct timespec *until,
    struct jobs *j, struct err *e)
{
	static struct config ace;
	struct timespec deadline;
	int rc;
	size_t i;

	j->n = 0;
	err_clear(e);
	config_secrets(c);	/* this module has its own copy of lib/err.c */
	if (ace_config(c, &ace, &c, e) != 0) {
		err_secrets_clear();
		return -1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return err_local(e, ENOMEM, "starting libcurl");
	if (until != NULL)
		deadline = *until;
	else
		deadline_set(&deadline, c->timeout);
	rc = get_endpoint(c, &deadline, j, e);
	curl_global_cleanup();
	/* Queue names and messages come from Immich: never relay the key. */
	for (i = 0; rc == 0 && i < j->n; i++)
		err_redact(j->q[i].name);
	if (rc != 0)
		err_redact(e->msg);
	err_secrets_clear();
	if (c == &ace)
		explicit_bzero(&ace, sizeof(ace));	/* a copy of the key */
	return rc;
}

int
upstream_get(const struct config *c, const struct timespec *until,
    struct jobs *j, struct err *e)
{
	locale_t utf8 = (locale_t)0, old = (locale_t)0;
	const char *h;
	size_t len;
	int rc;

	/*
	 * libcurl turns a host name in another script into its DNS form
	 * with libidn2's idn2_lookup_ul(), which reads it in the locale's
	 * character set, and a CGI's is "C" (ASCII).  IMMICH_URL is UTF-8:
	 * say so, for this thread alone.
	 */
	h = url_host(c->base_url, &len);
	if (!url_is_ascii(h, len) && (utf8 = newlocale(LC_CTYPE_MASK,
	    "C.UTF-8", (locale_t)0)) != (locale_t)0)
		old = uselocale(utf8);
	rc = get_counts(c, until, j, e);
	if (utf8 != (locale_t)0) {
		uselocale(old);
		freelocale(utf8);
	}
	return rc;
}
