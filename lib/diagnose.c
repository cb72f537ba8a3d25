/* diagnose.c - who answered, and what the user should change; see diagnose.h. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "diagnose.h"

#define PROXY	"something in front of Immich (a reverse proxy, CDN or " \
		"login gateway)"

/* path_advice()'s message: two copies of IMMICH_URL at most. */
#define PATHMSG_MAX	(2 * CONFIG_URL_MAX + 96)

/* Immich's own error: its message and correlation id, both printable. */
struct immich_error {
	char	message[200];
	char	cid[48];
};

/* len bytes of s, trimmed, err_sanitize()d into dst. */
static void
put_trimmed(char *dst, size_t size, const char *s, size_t len)
{
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	err_sanitize(dst, size, s, len);
}

void
diag_header(struct diag_headers *h, const char *line, size_t len)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} keep[] = {
		{ "server",		offsetof(struct diag_headers, server) },
		{ "cf-mitigated",	offsetof(struct diag_headers, cf_mitigated) },
		{ "x-immich-cid",	offsetof(struct diag_headers, cid) },
		{ "x-correlation-id",	offsetof(struct diag_headers, cid) },
		{ "location",		offsetof(struct diag_headers, location) },
	};
	const char *colon;
	size_t i, n;

	if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		memset(h, 0, sizeof(*h));
		return;
	}
	if ((colon = memchr(line, ':', len)) == NULL)
		return;
	n = (size_t)(colon - line);
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (strlen(keep[i].name) == n &&
		    strncasecmp(line, keep[i].name, n) == 0)
			put_trimmed((char *)h + keep[i].off, DIAG_HDR_MAX,
			    colon + 1, len - n - 1);
}

/*
 * r's body as a JSON object or array, or NULL: the whole body, so text
 * that starts with a number ("404 page not found") is not JSON.
 */
static json_object *
parse_whole(const struct diag_reply *r)
{
	json_tokener *tok;
	json_object *root;
	size_t end;

	if (r->body == NULL || r->len == 0 || r->len > INT32_MAX ||
	    (tok = json_tokener_new()) == NULL)
		return NULL;
	root = json_tokener_parse_ex(tok, r->body, (int)r->len);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	while (root != NULL && end < r->len &&
	    isspace((unsigned char)r->body[end]))
		end++;
	if (root != NULL && (end != r->len ||
	    (!json_object_is_type(root, json_type_object) &&
	    !json_object_is_type(root, json_type_array)))) {
		json_object_put(root);
		root = NULL;
	}
	return root;
}

/* A correlation id as Immich makes them (8 base-36 characters), or none. */
static int
is_cid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 40)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-_") == n;
}

/* A string member of the JSON object o, or NULL. */
static const char *
json_str(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/*
 * root's "message" when root has Immich's error shape: an object whose
 * "message" is a string (or an array starting with one, as validation
 * errors are), holding no key Immich never sends, with a "statusCode",
 * when there, equal to status.  NULL otherwise.
 */
static const char *
immich_message(json_object *root, int status)
{
	static const char *const allowed[] = { "message", "error",
	    "statusCode", "correlationId", "errors", NULL };
	json_object *m, *v;
	int i;

	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "message", &m))
		return NULL;
	json_object_object_foreach(root, k, val) {
		(void)val;
		for (i = 0; allowed[i] != NULL && strcmp(k, allowed[i]) != 0; i++)
			;
		if (allowed[i] == NULL)
			return NULL;
	}
	if (json_object_is_type(m, json_type_array) &&
	    json_object_array_length(m) > 0)
		m = json_object_array_get_idx(m, 0);
	if (!json_object_is_type(m, json_type_string))
		return NULL;
	if (json_object_object_get_ex(root, "statusCode", &v) &&
	    (!json_object_is_type(v, json_type_int) ||
	    json_object_get_int(v) != status))
		return NULL;
	return json_object_get_string(m);
}

/*
 * Is r Immich's own JSON error (immich_message)?  Fills ie with its
 * message and correlation id (the body's, else the header's) when it is.
 */
static int
immich_error(const struct diag_reply *r, struct immich_error *ie)
{
	json_object *root;
	const char *s, *cid;

	memset(ie, 0, sizeof(*ie));
	if ((root = parse_whole(r)) == NULL)
		return 0;
	if ((s = immich_message(root, r->status)) != NULL) {
		err_sanitize(ie->message, sizeof(ie->message), s, strlen(s));
		cid = json_str(root, "correlationId");
		if (cid == NULL || !is_cid(cid))
			cid = r->cid != NULL && is_cid(r->cid) ? r->cid : "";
		snprintf(ie->cid, sizeof(ie->cid), "%s", cid);
	}
	json_object_put(root);
	return s != NULL;
}

/*
 * " (Immich said: <message>; correlationId <id>)", or less when Immich
 * gave less, into buf.
 */
static const char *
said(const struct immich_error *ie, char *buf, size_t size)
{
	if (ie->message[0] != '\0' && ie->cid[0] != '\0')
		snprintf(buf, size, " (Immich said: %s; correlationId %s)",
		    ie->message, ie->cid);
	else if (ie->message[0] != '\0')
		snprintf(buf, size, " (Immich said: %s)", ie->message);
	else if (ie->cid[0] != '\0')
		snprintf(buf, size, " (correlationId %s)", ie->cid);
	else
		buf[0] = '\0';
	return buf;
}

/*
 * The path IMMICH_URL holds after its host ("" when none) and the length
 * of what comes before it: the base address to suggest.
 */
static const char *
url_path(const struct config *c, size_t *base_len)
{
	const char *u = c->shown_url, *host = strstr(u, "://");
	const char *p;

	host = host != NULL ? host + 3 : u;
	p = strchr(host, '/');
	if (p == NULL)
		p = host + strlen(host);
	*base_len = (size_t)(p - u);
	return p;
}

/* "; IMMICH_URL must be Immich's base address: remove "/x" (...)" or "". */
static const char *
path_advice(const struct config *c, char *buf, size_t size)
{
	size_t base;
	const char *path = url_path(c, &base);

	buf[0] = '\0';
	if (path[0] != '\0')
		snprintf(buf, size, "IMMICH_URL must be Immich's base address, "
		    "without a path: remove \"%s\" (IMMICH_URL=%.*s)", path,
		    (int)base, c->shown_url);
	return buf;
}

int
diag_is_html(const struct diag_reply *r)
{
	size_t i = 0;

	if (r->content_type != NULL &&
	    strncasecmp(r->content_type, "text/html", 9) == 0)
		return 1;
	while (i < r->len && strchr(" \t\r\n", r->body[i]) != NULL)
		i++;
	return i < r->len && r->body[i] == '<';
}

/* p..end with white space folded to single spaces, trimmed, into buf. */
static void
fold_space(char *buf, size_t size, const char *p, const char *end)
{
	size_t n = 0;
	int sp;

	for (; p < end && n + 1 < size; p++) {
		sp = isspace((unsigned char)*p);
		if (!sp || (n > 0 && buf[n - 1] != ' '))
			buf[n++] = sp ? ' ' : *p;
	}
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
	err_sanitize(buf, size, buf, n);
}

/* An HTML page's <title>, whitespace folded, into buf ("" when none). */
static void
html_title(const char *body, char *buf, size_t size)
{
	const char *p = body, *end;

	buf[0] = '\0';
	while ((p = strchr(p, '<')) != NULL) {
		p++;
		if (strncasecmp(p, "title", 5) == 0 &&
		    (p[5] == '>' || isspace((unsigned char)p[5])))
			break;
	}
	if (p == NULL || (p = strchr(p, '>')) == NULL)
		return;
	if ((end = strchr(++p, '<')) == NULL)
		end = p + strlen(p);
	fold_space(buf, size, p, end);
}

/* What the body of a page not from Immich is, with a quote, into buf. */
/*
 * Whether r's body is JSON; when it is, its "message" or "error" string,
 * trimmed, into quote ("" when it has neither).
 */
static int
json_quote(const struct diag_reply *r, char *quote, size_t size)
{
	json_object *root = parse_whole(r);
	const char *v;

	if (root == NULL)
		return 0;
	v = json_object_is_type(root, json_type_object) ?
	    json_str(root, "message") : NULL;
	if (v == NULL && json_object_is_type(root, json_type_object))
		v = json_str(root, "error");
	if (v != NULL)
		put_trimmed(quote, size, v, strlen(v));
	json_object_put(root);
	return 1;
}

/* What the body of a page not from Immich is, with a quote, into buf. */
static void
describe_body(const struct diag_reply *r, char *buf, size_t size)
{
	char quote[72] = "";
	const char *eol, *kind = "text", *open = " \"", *close = "\"";

	if (r->body == NULL || r->len == 0) {
		snprintf(buf, size, "an empty body");
		return;
	}
	if (diag_is_html(r)) {
		html_title(r->body, quote, sizeof(quote));
		kind = "an HTML page";
		open = " titled \"";
	} else if (json_quote(r, quote, sizeof(quote))) {
		kind = "JSON that is not Immich's error";
		open = " (\"";
		close = "\")";
	} else {
		eol = strpbrk(r->body, "\r\n");
		put_trimmed(quote, sizeof(quote), r->body, eol != NULL ?
		    (size_t)(eol - r->body) : strlen(r->body));
	}
	if (quote[0] == '\0')
		open = close = "";
	snprintf(buf, size, "%s%s%s%s", kind, open, quote, close);
}

/* " (Server: x, cf-mitigated: y, Location: z)" or "". */
static const char *
clues(const struct diag_reply *r, int with_location, char *buf, size_t size)
{
	const char *sep = " (";
	size_t n = 0;

	buf[0] = '\0';
#define CLUE(name, v)							\
	if ((v) != NULL && (v)[0] != '\0' && n < size) {		\
		n += (size_t)snprintf(buf + n, size - n, "%s" name ": %.60s", \
		    sep, (v));						\
		sep = ", ";						\
	}
	CLUE("Server", r->server)
	CLUE("cf-mitigated", r->cf_mitigated)
	if (with_location)
		CLUE("Location", r->location)
#undef CLUE
	if (n > 0 && n + 2 <= size)
		strcat(buf, ")");
	return buf;
}

static int
is_redirect(int st)
{
	return st == 301 || st == 302 || st == 303 || st == 307 || st == 308;
}

/* A non-2xx answer that is not Immich's JSON error. */
static enum diag_cause
from_proxy(const struct config *c, const struct diag_reply *r,
    struct err *e)
{
	char what[128], hints[240], pathmsg[PATHMSG_MAX];
	const char *advice;
	int st = r->status;

	if (is_redirect(st)) {
		err_set(e, 502, st, "IMMICH_URL answered HTTP %d, a redirect to "
		    "%s%s, so %s or Immich's web app answered, not Immich's "
		    "API; redirects are not followed (the API key would go "
		    "along): set IMMICH_URL to the address Immich's API answers "
		    "on", st, r->location[0] != '\0' ? r->location :
		    "(no Location)", clues(r, 0, hints, sizeof(hints)), PROXY);
		return DIAG_OTHER;
	}
	describe_body(r, what, sizeof(what));
	clues(r, 1, hints, sizeof(hints));
	path_advice(c, pathmsg, sizeof(pathmsg));
	if (r->cf_mitigated[0] != '\0')
		advice = "Cloudflare's bot protection stopped the request: let "
		    "IMMICH_URL's /api/ path through without a challenge (a WAF "
		    "skip rule), or point IMMICH_URL at Immich directly";
	else if (st == 401 || st == 407)
		advice = "it wants its own login: let /api/ through to Immich, "
		    "which checks the API key itself, or point IMMICH_URL at "
		    "Immich directly";
	else if (st == 403)
		advice = "it refused the request before Immich saw it: allow "
		    "this machine and the /api/ path there, or point IMMICH_URL "
		    "at Immich directly";
	else if (st == 404)
		advice = pathmsg[0] != '\0' ? "it has no route to Immich there: " :
		    "it has no route to Immich there: check IMMICH_URL "
		    "(Immich's base address, e.g. http://immich.local:2283)";
	else if (st == 429)
		advice = "it limits the rate of requests: raise its limit for "
		    "this machine or IMMICH_JOBS_CACHE_TTL";
	else if (st >= 500)
		advice = "it could not get an answer from Immich: is Immich "
		    "running (it does not answer while it starts up, migrates "
		    "its database or restarts), and does the proxy point at it?";
	else
		advice = "check what answers at IMMICH_URL";
	err_set(e, 502, st, "HTTP %d from %s, not from Immich's API: %s%s; %s%s",
	    st, PROXY, what, hints, advice, st == 404 ? pathmsg : "");
	return st == 404 ? DIAG_NOT_FOUND : DIAG_OTHER;
}

/* 401 from Immich: no key arrived, or Immich refused it. */
static enum diag_cause
immich_401(const struct immich_error *ie, const char *sp, struct err *e)
{
	if (strcmp(ie->message, "Authentication required") == 0)
		err_set(e, 502, 401, "Immich received no API key%s: something "
		    "between here and Immich drops the x-api-key header; let it "
		    "through", sp);
	else
		err_set(e, 502, 401, "Immich rejected the API key%s: check "
		    "IMMICH_JOBS_API_KEY or IMMICH_JOBS_API_KEY_FILE (a key "
		    "mistyped, deleted, or made on another Immich)", sp);
	return DIAG_OTHER;
}

/* 403 "Missing required permission: perm" for the request a. */
static enum diag_cause
immich_no_permission(const struct diag_ask *a, const char *perm,
    const char *sp, struct err *e)
{
	if (a->refused_before != NULL)
		err_set(e, 502, 403, "the API key may read neither /api/jobs "
		    "(%s) nor %s (%s)%s: in Immich, give it %s (v2.4+, then "
		    "IMMICH_JOBS_API=queues) or %s (then IMMICH_JOBS_API=jobs)",
		    a->refused_before, a->path, perm, sp, perm,
		    a->refused_before);
	else if (strcmp(perm, a->permission) != 0)
		err_set(e, 502, 403, "the API key lacks the %s permission%s: "
		    "this Immich wants %s for %s (later versions %s); give it "
		    "to the key in Immich", perm, sp, perm, a->path,
		    a->permission);
	else
		err_set(e, 502, 403, "the API key lacks the %s permission%s: in "
		    "Immich, give the key %s for %s (Account Settings, API "
		    "Keys)", perm, sp, perm, a->path);
	return DIAG_NO_PERMISSION;
}

/* 403 from Immich: a permission missing, a user who is no admin. */
static enum diag_cause
immich_403(const struct diag_ask *a, const struct immich_error *ie,
    const char *sp, struct err *e)
{
	static const char missing[] = "Missing required permission: ";
	const char *m = ie->message;
	char perm[40];

	if (strncmp(m, missing, sizeof(missing) - 1) == 0) {
		/* Immich's permission names are short: cut, never overrun. */
		m += sizeof(missing) - 1;
		err_sanitize(perm, sizeof(perm), m, strlen(m));
		return immich_no_permission(a, perm, sp, e);
	}
	if (strcmp(m, "Forbidden") == 0 || strcmp(m, "Forbidden resource") == 0)
		err_set(e, 502, 403, "Immich refused the API key because its "
		    "user is not an admin%s: make the key as an admin user, "
		    "with the %s permission", sp, a->permission);
	else
		err_set(e, 502, 403, "Immich refused the request%s: the key must "
		    "belong to an admin user and have the %s permission", sp,
		    a->permission);
	return DIAG_OTHER;
}

/* 404 from Immich: no such API at IMMICH_URL. */
static enum diag_cause
immich_404(const struct config *c, const struct diag_ask *a,
    const char *sp, const char *pathmsg, struct err *e)
{
	const char *what = c->api == CONFIG_API_AUTO ?
	    "/api/jobs or /api/queues" : a->path;

	if (pathmsg[0] != '\0')
		err_set(e, 502, 404, "Immich has no %s at %s%s: %s", what,
		    c->shown_url, sp, pathmsg);
	else
		err_set(e, 502, 404, "Immich has no %s at %s%s: check "
		    "IMMICH_URL (Immich's base address, e.g. "
		    "http://immich.local:2283)", what, c->shown_url, sp);
	return DIAG_NOT_FOUND;
}

enum diag_cause
diag_status(const struct config *c, const struct diag_ask *a,
    const struct diag_reply *r, struct err *e)
{
	char sp[300], pathmsg[PATHMSG_MAX];
	struct immich_error ie;
	int st = r->status;

	if (!immich_error(r, &ie))
		return from_proxy(c, r, e);
	said(&ie, sp, sizeof(sp));
	path_advice(c, pathmsg, sizeof(pathmsg));
	if (st == 401)
		return immich_401(&ie, sp, e);
	if (st == 403)
		return immich_403(a, &ie, sp, e);
	if (st == 404)
		return immich_404(c, a, sp, pathmsg, e);
	if (st == 406 && strstr(ie.message, "only returns text/html") != NULL)
		err_set(e, 502, st, "IMMICH_URL leads to Immich's web app, not "
		    "its API%s: %s", sp, pathmsg[0] != '\0' ? pathmsg :
		    "Immich's API is under /api/ of its base address; check "
		    "how a proxy in front of Immich rewrites paths");
	else if (st >= 500)
		err_set(e, 502, st, "Immich answered HTTP %d%s: Immich failed; "
		    "its log says why", st, sp);
	else
		err_set(e, 502, st, "Immich answered HTTP %d%s", st, sp);
	return DIAG_OTHER;
}

int
diag_html(const struct config *c, const struct diag_reply *r, struct err *e)
{
	char what[128], hints[240], pathmsg[PATHMSG_MAX];

	describe_body(r, what, sizeof(what));
	clues(r, 0, hints, sizeof(hints));
	path_advice(c, pathmsg, sizeof(pathmsg));
	return err_set(e, 502, r->status, "IMMICH_URL answered with an HTML "
	    "page, not Immich's API: it may point at the web app, a reverse "
	    "proxy or a login page (%s: %s%s)%s%s", c->shown_url, what, hints,
	    pathmsg[0] != '\0' ? "; " : "", pathmsg);
}

enum diag_tls
diag_tls_problem(long verify_result, const char *detail)
{
	/* OpenSSL's X509_V_ERR_* numbers, stable since 1.0. */
	switch (verify_result) {
	case 9:				/* CERT_NOT_YET_VALID */
		return DIAG_TLS_NOT_YET_VALID;
	case 10:			/* CERT_HAS_EXPIRED */
		return DIAG_TLS_EXPIRED;
	case 62:			/* HOSTNAME_MISMATCH */
	case 64:			/* IP_ADDRESS_MISMATCH */
		return DIAG_TLS_HOSTNAME;
	case 2:				/* UNABLE_TO_GET_ISSUER_CERT */
	case 18:			/* DEPTH_ZERO_SELF_SIGNED_CERT */
	case 19:			/* SELF_SIGNED_CERT_IN_CHAIN */
	case 20:			/* UNABLE_TO_GET_ISSUER_CERT_LOCALLY */
	case 21:			/* UNABLE_TO_VERIFY_LEAF_SIGNATURE */
	case 27:			/* CERT_UNTRUSTED */
		return DIAG_TLS_UNTRUSTED;
	}
	if (detail == NULL)
		return DIAG_TLS_OTHER;
	/* libcurl's own host check, and other TLS libraries' words. */
	if (strcasestr(detail, "not yet valid") != NULL)
		return DIAG_TLS_NOT_YET_VALID;
	if (strcasestr(detail, "expired") != NULL)
		return DIAG_TLS_EXPIRED;
	if (strcasestr(detail, "does not match target host") != NULL ||
	    strcasestr(detail, "no alternative certificate subject name") !=
	    NULL || strcasestr(detail, "hostname mismatch") != NULL ||
	    strcasestr(detail, "address mismatch") != NULL)
		return DIAG_TLS_HOSTNAME;
	if (strcasestr(detail, "self-signed") != NULL ||
	    strcasestr(detail, "self signed") != NULL ||
	    strcasestr(detail, "issuer") != NULL)
		return DIAG_TLS_UNTRUSTED;
	return DIAG_TLS_OTHER;
}

int
diag_tls(const struct config *c, enum diag_tls p, const char *detail,
    struct err *e)
{
	char now[32] = "unknown";
	time_t t = time(NULL);
	struct tm tm;

	if (gmtime_r(&t, &tm) != NULL)
		strftime(now, sizeof(now), "%Y-%m-%d %H:%M UTC", &tm);
	switch (p) {
	case DIAG_TLS_UNTRUSTED:
		return err_set(e, 502, 0, "TLS certificate problem talking to "
		    "%s: %s; its issuer is not trusted here: for a self-signed "
		    "certificate or a private CA set IMMICH_JOBS_CA_FILE to "
		    "that CA in PEM form (verification is never turned off)",
		    c->shown_url, detail);
	case DIAG_TLS_HOSTNAME:
		return err_set(e, 502, 0, "TLS certificate problem talking to "
		    "%s: the certificate is for another host name or address "
		    "(%s): use in IMMICH_URL a name the certificate holds, or "
		    "give the server a certificate for this one", c->shown_url,
		    detail);
	case DIAG_TLS_EXPIRED:
		return err_set(e, 502, 0, "TLS certificate problem talking to "
		    "%s: the certificate has expired (%s; this machine's clock "
		    "says %s): renew it on the server, or set this machine's "
		    "clock right", c->shown_url, detail, now);
	case DIAG_TLS_NOT_YET_VALID:
		return err_set(e, 502, 0, "TLS certificate problem talking to "
		    "%s: the certificate is not valid yet (%s; this machine's "
		    "clock says %s): set this machine's clock right (NTP), or "
		    "check the certificate's start date", c->shown_url, detail,
		    now);
	default:
		return err_set(e, 502, 0, "TLS certificate problem talking to "
		    "%s: %s (verification is never turned off)", c->shown_url,
		    detail);
	}
}

/* r's body as a JSON object when r is a 2xx answer, else NULL. */
static json_object *
ok_object(const struct diag_reply *r)
{
	json_object *root;

	if (r == NULL || r->status < 200 || r->status > 299 ||
	    (root = parse_whole(r)) == NULL)
		return NULL;
	if (!json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return NULL;
	}
	return root;
}

int
diag_in_maintenance(const struct diag_reply *r)
{
	json_object *root = ok_object(r), *v;
	int in;

	in = root != NULL &&
	    json_object_object_get_ex(root, "maintenanceMode", &v) &&
	    json_object_is_type(v, json_type_boolean) &&
	    json_object_get_boolean(v);
	json_object_put(root);
	return in;
}

/*
 * What a restore's task is doing (database-backup.service.ts hands its
 * progress callback these), or NULL.
 */
static const char *
restore_task(const char *task)
{
	static const char *const words[][2] = {
		{ "ready", "starting" },
		{ "backup", "saving a restore point" },
		{ "restore", "restoring" },
		{ "migrations", "migrating the database" },
		{ "rollback", "rolling back after a failure" },
		{ "error", "failed: Immich's log says why" },
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(task, words[i][0]) == 0)
			return words[i][1];
	return NULL;
}

/*
 * ", 90 %" from a maintenance status's "progress" into buf, or "": a
 * fraction (0.05) in Immich's source, a whole number in its DTO.
 */
static void
maintenance_progress(json_object *root, char *buf, size_t size)
{
	json_object *v;
	double p;

	buf[0] = '\0';
	if (!json_object_object_get_ex(root, "progress", &v) ||
	    !(json_object_is_type(v, json_type_double) ||
	    json_object_is_type(v, json_type_int)))
		return;
	p = json_object_get_double(v);
	if (p > 0 && p <= 1 && json_object_is_type(v, json_type_double))
		p *= 100;
	if (p > 0 && p <= 100)
		snprintf(buf, size, ", %d %%", (int)p);
}

/* What a maintenance status's "action" says Immich is doing. */
static const char *
maintenance_doing(const char *action)
{
	static const char *const words[][2] = {
		{ "restore_database", "restoring a database backup" },
		{ "select_database_restore",
		    "an admin is choosing a database backup to restore" },
		{ "end", "leaving maintenance mode" },
	};
	size_t i;

	for (i = 0; action != NULL && i < sizeof(words) / sizeof(words[0]);
	    i++)
		if (strcmp(action, words[i][0]) == 0)
			return words[i][1];
	return "an admin is maintaining it";
}

int
diag_maintenance(int upstream_status, const struct diag_reply *status,
    struct err *e)
{
	json_object *root = ok_object(status);
	const char *task = json_str(root, "task");
	char progress[32] = "";

	if (task != NULL)
		task = restore_task(task);
	if (task != NULL)
		maintenance_progress(root, progress, sizeof(progress));
	err_set(e, 503, upstream_status, "Immich is in maintenance mode (%s%s%s"
	    "%s): the job counts are back when it leaves maintenance mode and "
	    "has restarted (Immich's web page shows the maintenance)",
	    maintenance_doing(json_str(root, "action")),
	    task != NULL ? ": " : "", task != NULL ? task : "", progress);
	json_object_put(root);
	return -1;
}

int
diag_refused(const struct config *c, struct err *e)
{
	return err_set(e, 502, 0, "Immich at %s refuses connections: it is "
	    "starting up, migrating its database (after an upgrade, for "
	    "minutes) or restarting, or it is stopped; the counts come back "
	    "once it answers", c->shown_url);
}
