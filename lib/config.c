/* config.c - read the service's configuration once; see config.h. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"

#define KEY_FILE_MAX	4096	/* bytes read from IMMICH_JOBS_API_KEY_FILE */
#define SHOWN_MAX	40	/* bytes of a refused value shown back */
#define UTF8_BOM	"\xef\xbb\xbf"

/* Every variable config_load reads: what config_seen looks for. */
static const char *const names[] = {
	"IMMICH_URL", "IMMICH_JOBS_API_KEY", "IMMICH_JOBS_API_KEY_FILE",
	"IMMICH_JOBS_TIMEOUT", "IMMICH_JOBS_CONNECT_TIMEOUT",
	"IMMICH_JOBS_CA_FILE", "IMMICH_JOBS_API",
	"IMMICH_JOBS_CACHE_TTL", "IMMICH_JOBS_STALE_TTL",
	"IMMICH_JOBS_STALL_AFTER", "IMMICH_JOBS_CACHE_DIR", NULL
};

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	    c == '\f';
}

/* s (len bytes) without the white space around it: returns the start. */
static const char *
trim(const char *s, size_t *len)
{
	const char *end = s + *len;

	while (s < end && is_space(*s))
		s++;
	while (end > s && is_space(end[-1]))
		end--;
	*len = (size_t)(end - s);
	return s;
}

/*
 * The value of name, trimmed, into buf (size bytes); NULL when unset or
 * blank.  *too_long is set when it does not fit (buf then holds "").
 */
static const char *
value(config_getenv_fn get, const char *name, char *buf, size_t size,
    int *too_long)
{
	const char *v = get(name), *s;
	size_t len;

	*too_long = 0;
	if (v == NULL)
		return NULL;
	len = strlen(v);
	s = trim(v, &len);
	if (len == 0)
		return NULL;
	if (len >= size) {
		*too_long = 1;
		buf[0] = '\0';
		return buf;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	return buf;
}

int
config_seen(config_getenv_fn get)
{
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (get(names[i]) != NULL)
			return 1;
	return 0;
}

/* The port after host (from p to end), if any: 0 when absent or 1-65535. */
static int
check_port(const char *p, const char *end)
{
	const char *colon;
	long port = 0;

	if (p < end && *p == '[') {		/* [IPv6] */
		const char *close = memchr(p, ']', (size_t)(end - p));
		if (close == NULL)
			return -1;
		p = close + 1;
		if (p == end)
			return 0;
		if (*p != ':')
			return -1;
	}
	if ((colon = memchr(p, ':', (size_t)(end - p))) == NULL)
		return 0;
	if (colon + 1 == end || end - colon > 6)
		return -1;
	for (p = colon + 1; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		port = port * 10 + (*p - '0');
	}
	return port >= 1 && port <= 65535 ? 0 : -1;
}

static int
hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decode s..end into dst (room for end - s + 1 bytes).  A '%' not
 * followed by two hex digits stays as it is, as a raw '@' does.  Returns
 * -1 for "%00", which no C string can carry.
 */
static int
decode(char *dst, const char *s, const char *end)
{
	int hi, lo;

	for (; s < end; s++) {
		if (*s == '%' && end - s >= 3 && (hi = hex(s[1])) >= 0 &&
		    (lo = hex(s[2])) >= 0) {
			if (hi == 0 && lo == 0)
				return -1;
			*dst++ = (char)(hi * 16 + lo);
			s += 2;
		} else
			*dst++ = *s;
	}
	*dst = '\0';
	return 0;
}

int
config_parse_url(struct config *c, const char *url, struct err *e)
{
	const char *start, *end, *host, *p, *at, *colon;
	size_t len, hostlen, pre;

	c->base_url[0] = c->shown_url[0] = '\0';
	c->url_user[0] = c->url_password[0] = '\0';
	c->has_userinfo = 0;
	len = url != NULL ? strlen(url) : 0;
	start = url != NULL ? trim(url, &len) : NULL;
	if (len == 0)
		return err_set(e, 500, 0, "IMMICH_URL is not set: set it to "
		    "Immich's address, e.g. http://immich.local:2283");
	end = start + len;
	if (len >= CONFIG_URL_MAX)
		return err_set(e, 500, 0, "IMMICH_URL is too long (over %d "
		    "bytes)", CONFIG_URL_MAX - 1);
	for (p = start; p < end; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch <= 0x20 || ch >= 0x7f)
			return err_set(e, 500, 0, "IMMICH_URL contains a space, "
			    "a control or a non-ASCII character");
		if (ch == '?' || ch == '#')
			return err_set(e, 500, 0, "IMMICH_URL must not contain "
			    "a query ('?') or a fragment ('#'): give only "
			    "Immich's base address, e.g. http://immich.local:2283");
	}
	if (len >= 7 && strncasecmp(start, "http://", 7) == 0)
		host = start + 7;
	else if (len >= 8 && strncasecmp(start, "https://", 8) == 0)
		host = start + 8;
	else
		return err_set(e, 500, 0, "IMMICH_URL must start with http:// "
		    "or https://, e.g. http://immich.local:2283");
	hostlen = 0;
	while (host + hostlen < end && host[hostlen] != '/')
		hostlen++;
	/* The last '@' ends user:password: a raw '@' in a password works. */
	at = memrchr(host, '@', hostlen);
	if (hostlen == 0 || (at != NULL && at + 1 == host + hostlen) ||
	    host[at != NULL ? at - host + 1 : 0] == ':')
		return err_set(e, 500, 0, "IMMICH_URL has no host name, e.g. "
		    "http://immich.local:2283");
	if (check_port(at != NULL ? at + 1 : host, host + hostlen) != 0)
		return err_set(e, 500, 0, "IMMICH_URL has a bad port: give a "
		    "number from 1 to 65535, e.g. http://immich.local:2283");
	if (at != NULL) {
		/* The first ':' splits it: a user name never holds one. */
		colon = memchr(host, ':', (size_t)(at - host));
		if (decode(c->url_user, host, colon != NULL ? colon : at) != 0 ||
		    (colon != NULL && decode(c->url_password, colon + 1,
		    at) != 0)) {
			explicit_bzero(c->url_password,
			    sizeof(c->url_password));
			return err_set(e, 500, 0, "IMMICH_URL's user name or "
			    "password holds %%00, which cannot be sent");
		}
		c->has_userinfo = 1;
	}
	/* Users paste ".../", ".../api" and ".../api/": all mean the base. */
	while (end > host + hostlen && end[-1] == '/')
		end--;
	if (end - (host + hostlen) >= 4 && memcmp(end - 4, "/api", 4) == 0)
		end -= 4;
	while (end > host + hostlen && end[-1] == '/')
		end--;
	/*
	 * Neither form holds "user:password@": libcurl gets them apart
	 * (upstream.c), so no URL it resolves (a relative redirect) or
	 * reports carries them into a message.
	 */
	pre = (size_t)(host - start);
	if (at != NULL)
		host = at + 1;
	memcpy(c->base_url, start, pre);
	memcpy(c->base_url + pre, host, (size_t)(end - host));
	c->base_url[pre + (size_t)(end - host)] = '\0';
	memcpy(c->shown_url, c->base_url, strlen(c->base_url) + 1);
	return 0;
}

int
config_parse_seconds(long *out, const char *name, const char *v, long def,
    long min, long max, struct err *e)
{
	char buf[32], *endp;
	size_t len;
	long n;

	*out = def;
	len = v != NULL ? strlen(v) : 0;
	v = v != NULL ? trim(v, &len) : NULL;
	if (len == 0)
		return 0;
	if (len < sizeof(buf)) {
		memcpy(buf, v, len);
		buf[len] = '\0';
		errno = 0;
		n = strtol(buf, &endp, 10);
		/* strtol takes a '+' (and white space, trimmed already). */
		if (errno == 0 && *endp == '\0' && buf[0] != '+' &&
		    n >= min && n <= max) {
			*out = n;
			return 0;
		}
	}
	return err_set(e, 500, 0, "%s must be a whole number of seconds from "
	    "%ld to %ld, not \"%.*s%s\"", name, min, max,
	    (int)(len < SHOWN_MAX ? len : SHOWN_MAX), v,
	    len > SHOWN_MAX ? "..." : "");
}

/* A variable name followed by '=' at the start of s: its length, or 0. */
static size_t
assignment(const char *s, size_t len)
{
	size_t i = 0;
	int underscore = 0;

	/*
	 * An Immich key has no '_', so a name holding one is no piece of a
	 * key: it may be shown.
	 */
	while (i < len && i < 64 && (s[i] == '_' || (s[i] >= 'A' &&
	    s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
	    (i > 0 && s[i] >= '0' && s[i] <= '9')))
		underscore |= s[i++] == '_';
	return underscore && i < len && s[i] == '=' ? i : 0;
}

/*
 * What kind of character starts at s (n bytes), for messages; buf (8
 * bytes) holds an ASCII punctuation character's own name: it cannot be a
 * piece of an Immich key.
 */
static const char *
char_kind(const unsigned char *s, size_t n, char *buf)
{
	if (*s == '\r' || *s == '\n')
		return "a line break";
	if (*s == ' ')
		return "a space";
	if (*s == '\t')
		return "a tab";
	if (*s < 0x20 || *s == 0x7f)
		return "a control character";
	if (*s == '"' || *s == '\'' || *s == '`')
		return "a quotation mark";
	if (*s == '=')
		return "an '='";
	if (*s < 0x80) {
		snprintf(buf, 8, "a '%c'", *s);
		return buf;
	}
	if (n >= 3 && s[0] == 0xe2 && s[1] == 0x80 && s[2] >= 0x98 &&
	    s[2] <= 0x9f)
		return "a typographic quotation mark";
	if (n >= 2 && s[0] == 0xc2 && s[1] == 0xa0)
		return "a non-breaking space";
	if (n >= 3 && s[0] == 0xe2 && s[1] == 0x80 && s[2] >= 0x8b &&
	    s[2] <= 0x8d)
		return "a zero-width space";
	return "a non-ASCII character";
}

/* The first character of s no Immich key has, as an error; 0 if none. */
static int
check_key_chars(const char *s, size_t len, const char *from, struct err *e)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, name;
	const char *hint = "";
	char kind[8];

	for (i = 0; i < len; i++)
		if (!((u[i] >= 'A' && u[i] <= 'Z') ||
		    (u[i] >= 'a' && u[i] <= 'z') ||
		    (u[i] >= '0' && u[i] <= '9')))
			break;
	if (i == len)
		return 0;
	if ((name = assignment(s, len)) > 0 ||
	    (len > 7 && memcmp(s, "export", 6) == 0 && is_space(s[6]) &&
	    (name = assignment(s + 7, len - 7)) > 0)) {
		const char *n = s + (s[name] == '=' ? 0 : 7);
		return err_set(e, 500, 0, "%s: the key holds an '=' at "
		    "character %zu: it looks like a copied \"%.*s=...\" line; "
		    "give only the key (Immich's keys are letters and digits)",
		    from, (size_t)(n - s) + name + 1, (int)name, n);
	}
	if (u[i] == '\r' || u[i] == '\n')
		hint = ": the key must be on one line";
	else if (u[i] == '"' || u[i] == '\'' || u[i] == '`' ||
	    u[i] >= 0x80)
		hint = ": copy the key without quotation marks or other text";
	else if (u[i] == ' ' || u[i] == '\t')
		hint = ": copy the key alone";
	return err_set(e, 500, 0, "%s: the key holds %s at character %zu of "
	    "%zu; Immich's API keys are only letters and digits%s", from,
	    char_kind(u + i, len - i, kind), i + 1, len, hint);
}

int
config_clean_key(struct config *c, const char *buf, size_t len,
    const char *from, struct err *e)
{
	const char *s = buf;

	if (len >= 2 && (memcmp(s, "\xff\xfe", 2) == 0 ||
	    memcmp(s, "\xfe\xff", 2) == 0))
		return err_set(e, 500, 0, "%s is in UTF-16 (\"Unicode\" on "
		    "Windows): save the key as plain text (UTF-8 or ASCII)",
		    from);
	if (len >= 3 && memcmp(s, UTF8_BOM, 3) == 0) {
		s += 3;		/* Windows editors start UTF-8 files with it */
		len -= 3;
	}
	s = trim(s, &len);
	if (len >= CONFIG_SECRET_MIN)
		err_secret_add(s, len);	/* refused or not, it may be one */
	if (len == 0)
		return err_set(e, 500, 0, "%s is empty: it must hold an Immich "
		    "API key", from);
	if (len >= CONFIG_KEY_MAX)
		return err_set(e, 500, 0, "%s is too long for an API key "
		    "(over %d bytes)", from, CONFIG_KEY_MAX - 1);
	if (check_key_chars(s, len, from, e) != 0)
		return -1;
	if (len < CONFIG_KEY_MIN)
		return err_set(e, 500, 0, "%s is too short for an Immich API key "
		    "(under %d characters): copy the whole key Immich showed "
		    "when it was created", from, CONFIG_KEY_MIN);
	memcpy(c->key, s, len);
	c->key[len] = '\0';
	return 0;
}

/* What a file that is not a regular one is, for messages. */
static const char *
file_kind(mode_t m)
{
	if (S_ISFIFO(m))
		return "a named pipe (FIFO)";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

/* Why path cannot be opened (errno err), naming who tried. */
static int
key_file_error(const char *path, int err, struct err *e)
{
	unsigned long uid = (unsigned long)geteuid();
	struct stat st;

	if ((err == EACCES || err == EPERM) && stat(path, &st) == 0)
		return err_set(e, 500, 0, "IMMICH_JOBS_API_KEY_FILE %s cannot "
		    "be read by uid %lu, which runs the service: %s (it "
		    "belongs to uid %lu, mode %04o): make it readable by uid "
		    "%lu, e.g. chown %lu %s && chmod 0400 %s", path, uid,
		    strerror(err), (unsigned long)st.st_uid,
		    (unsigned)(st.st_mode & 07777), uid, uid, path, path);
	if (err == ENOENT || err == ENOTDIR)
		return err_set(e, 500, 0, "IMMICH_JOBS_API_KEY_FILE %s does "
		    "not exist (check the path, and that the file is mounted "
		    "into the container or given to the service)", path);
	return err_set(e, 500, 0, "IMMICH_JOBS_API_KEY_FILE %s cannot be read "
	    "by uid %lu, which runs the service: %s", path, uid,
	    strerror(err));
}

static int
load_key_file(struct config *c, const char *path, struct err *e)
{
	char buf[KEY_FILE_MAX + 1];
	struct stat st;
	size_t len = 0;
	ssize_t n;
	int fd, rc;

	/*
	 * Never block: a FIFO would hang every request, /healthz and the
	 * start-up check until someone writes to it.
	 */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1)
		return key_file_error(path, errno, e);
	if (fstat(fd, &st) != 0) {
		rc = errno;
		close(fd);
		return key_file_error(path, rc, e);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, 500, 0, "IMMICH_JOBS_API_KEY_FILE %s is %s: "
		    "give a regular file holding only the key", path,
		    file_kind(st.st_mode));
	}
	while (len < sizeof(buf) &&
	    (n = read(fd, buf + len, sizeof(buf) - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = errno;
			close(fd);
			explicit_bzero(buf, sizeof(buf));
			return key_file_error(path, rc, e);
		}
		len += (size_t)n;
	}
	close(fd);
	if (len > KEY_FILE_MAX)
		rc = err_set(e, 500, 0, "IMMICH_JOBS_API_KEY_FILE is larger "
		    "than %d bytes: it must hold only the API key",
		    KEY_FILE_MAX);
	else
		rc = config_clean_key(c, buf, len, "IMMICH_JOBS_API_KEY_FILE",
		    e);
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

/*
 * The permission a key needs for the endpoint IMMICH_JOBS_API (api, NULL
 * when unset) asks: auto may use either.
 */
static const char *
key_permission(const char *api)
{
	if (api != NULL && strcasecmp(api, "queues") == 0)
		return "queue.read";
	if (api != NULL && strcasecmp(api, "jobs") == 0)
		return "job.read";
	return "job.read or queue.read";
}

static int
load_key(struct config *c, config_getenv_fn get, struct err *e)
{
	const char *key = get("IMMICH_JOBS_API_KEY"), *file_v;
	char file[CONFIG_PATH_MAX];
	size_t len = key != NULL ? strlen(key) : 0;
	const char *k = key != NULL ? trim(key, &len) : NULL;
	char api[16];
	int too_long;

	file_v = value(get, "IMMICH_JOBS_API_KEY_FILE", file, sizeof(file),
	    &too_long);
	if (len == 0)
		key = NULL;
	else if (len >= CONFIG_SECRET_MIN)
		err_secret_add(k, len);	/* used or not, it may be a key */
	if (key != NULL && file_v != NULL)
		return err_set(e, 500, 0, "both IMMICH_JOBS_API_KEY and "
		    "IMMICH_JOBS_API_KEY_FILE are set: set only one");
	if (file_v != NULL && too_long)
		return err_set(e, 500, 0, "IMMICH_JOBS_API_KEY_FILE is too "
		    "long a path");
	if (file_v != NULL)
		return load_key_file(c, file, e);
	if (key == NULL)
		return err_set(e, 500, 0, "no API key: set IMMICH_JOBS_API_KEY "
		    "or IMMICH_JOBS_API_KEY_FILE to an Immich API key with the "
		    "%s permission", key_permission(value(get,
		    "IMMICH_JOBS_API", api, sizeof(api), &too_long)));
	return config_clean_key(c, k, len, "IMMICH_JOBS_API_KEY", e);
}

static int
load_ca(struct config *c, config_getenv_fn get, struct err *e)
{
	const char *ca;
	struct stat st;
	int too_long;

	c->ca_file[0] = '\0';
	ca = value(get, "IMMICH_JOBS_CA_FILE", c->ca_file, sizeof(c->ca_file),
	    &too_long);
	if (ca == NULL)
		return 0;
	if (too_long)
		return err_set(e, 500, 0, "IMMICH_JOBS_CA_FILE is too long a "
		    "path");
	if (access(ca, R_OK) != 0) {
		int saved = errno;
		c->ca_file[0] = '\0';
		return err_set(e, 500, 0, "IMMICH_JOBS_CA_FILE cannot be read: "
		    "%s", strerror(saved));
	}
	if (stat(ca, &st) != 0 || !S_ISREG(st.st_mode)) {
		c->ca_file[0] = '\0';
		return err_set(e, 500, 0, "IMMICH_JOBS_CA_FILE is not a file: "
		    "give the CA certificate as a PEM file");
	}
	return 0;
}

static int
load_cache_dir(struct config *c, config_getenv_fn get, struct err *e)
{
	char buf[CONFIG_PATH_MAX];
	const char *from = "IMMICH_JOBS_CACHE_DIR", *v;
	int too_long, n;

	/*
	 * The default is a directory no other local user can make first:
	 * systemd's RuntimeDirectory= (the first of several), else the
	 * user's own $XDG_RUNTIME_DIR.  A fixed name in a shared /tmp could
	 * be made by anyone before the service starts.  With neither, ""
	 * (nothing is cached); immich-jobs-proxy always gives the CGI a
	 * private directory.
	 */
	if ((v = value(get, from, buf, sizeof(buf), &too_long)) != NULL)
		n = too_long ? -1 : snprintf(c->cache_dir,
		    sizeof(c->cache_dir), "%s", v);
	else if ((v = value(get, from = "RUNTIME_DIRECTORY", buf,
	    sizeof(buf), &too_long)) != NULL)
		n = too_long ? -1 : snprintf(c->cache_dir,
		    sizeof(c->cache_dir), "%.*s", (int)strcspn(v, ":"), v);
	else if ((v = value(get, from = "XDG_RUNTIME_DIR", buf, sizeof(buf),
	    &too_long)) != NULL)
		n = too_long ? -1 : snprintf(c->cache_dir,
		    sizeof(c->cache_dir), "%s/immich-jobs-proxy", v);
	else {
		c->cache_dir[0] = '\0';
		return 0;
	}
	/* Room for "/<16 hex digits>.lock" after it: see cache_path. */
	if (n < 0 || (size_t)n >= sizeof(c->cache_dir) - 32)
		return err_set(e, 500, 0, "%s is too long a path", from);
	/* A relative cache directory would depend on the CGI's cwd. */
	if (c->cache_dir[0] != '/')
		return err_set(e, 500, 0, "%s must be an absolute path", from);
	return 0;
}

static int
load_api(struct config *c, config_getenv_fn get, struct err *e)
{
	char buf[16];
	const char *api;
	int too_long;

	c->api = CONFIG_API_AUTO;
	api = value(get, "IMMICH_JOBS_API", buf, sizeof(buf), &too_long);
	if (api == NULL || strcasecmp(api, "auto") == 0)
		return 0;
	if (strcasecmp(api, "jobs") == 0)
		c->api = CONFIG_API_JOBS;
	else if (strcasecmp(api, "queues") == 0)
		c->api = CONFIG_API_QUEUES;
	else
		return err_set(e, 500, 0, "IMMICH_JOBS_API must be auto, jobs "
		    "or queues, not \"%s\"", too_long ? "(a long value)" : api);
	return 0;
}

/*
 * A host that sleeps or is switched off drops packets: without a shorter
 * bound on connecting, every miss would wait the whole IMMICH_JOBS_TIMEOUT.
 */
static int
load_connect_timeout(struct config *c, config_getenv_fn get, struct err *e)
{
	if (config_parse_seconds(&c->connect_timeout,
	    "IMMICH_JOBS_CONNECT_TIMEOUT", get("IMMICH_JOBS_CONNECT_TIMEOUT"),
	    c->timeout < 3 ? c->timeout : 3, 1, 60, e) != 0)
		return -1;
	if (c->connect_timeout > c->timeout)
		return err_set(e, 500, 0, "IMMICH_JOBS_CONNECT_TIMEOUT (%ld s) "
		    "must not be above IMMICH_JOBS_TIMEOUT (%ld s), which "
		    "bounds the whole exchange", c->connect_timeout,
		    c->timeout);
	return 0;
}

/* Add one's message to all's: every problem is told at once. */
static void
add_problem(struct err *all, const struct err *one)
{
	if (all->status == 0)
		*all = *one;
	else
		err_set(all, 500, 0, "%s; %s", all->msg, one->msg);
}

void
config_secrets(const struct config *c)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char pair[2 * CONFIG_URL_MAX], enc[ERR_SECRET_MAX + 4];
	size_t len, i, o = 0;
	unsigned v;

	err_secrets_clear();
	err_secret_add(c->key, strlen(c->key));
	if (!c->has_userinfo)
		return;
	err_secret_add(c->url_password, strlen(c->url_password));
	/* What goes in the Authorization: Basic header, and its base64. */
	len = (size_t)snprintf(pair, sizeof(pair), "%s:%s", c->url_user,
	    c->url_password);
	if (c->url_password[0] != '\0')
		err_secret_add(pair, len);
	for (i = 0; i < len && o + 4 < sizeof(enc); i += 3) {
		v = (unsigned char)pair[i] << 16;
		if (i + 1 < len)
			v |= (unsigned char)pair[i + 1] << 8;
		if (i + 2 < len)
			v |= (unsigned char)pair[i + 2];
		enc[o++] = b64[v >> 18 & 63];
		enc[o++] = b64[v >> 12 & 63];
		enc[o++] = i + 1 < len ? b64[v >> 6 & 63] : '=';
		enc[o++] = i + 2 < len ? b64[v & 63] : '=';
	}
	if (c->url_password[0] != '\0' && i >= len)
		err_secret_add(enc, o);
	explicit_bzero(pair, sizeof(pair));
	explicit_bzero(enc, sizeof(enc));
}

int
config_load(struct config *c, config_getenv_fn get, struct err *e)
{
	struct err one, all;

	memset(c, 0, sizeof(*c));
	err_clear(e);
	err_clear(&all);
	/* Every check runs, so one answer names every problem. */
	err_clear(&one);
	if (config_parse_url(c, get("IMMICH_URL"), &one) != 0)
		add_problem(&all, &one);
	/*
	 * From here on no message holds the password, nor the key (what
	 * config_clean_key is given, even when refused), even in a value
	 * shown back (a key pasted in the wrong variable too).
	 */
	config_secrets(c);
	if (load_key(c, get, &one) != 0)
		add_problem(&all, &one);
	if (config_parse_seconds(&c->timeout, "IMMICH_JOBS_TIMEOUT",
	    get("IMMICH_JOBS_TIMEOUT"), CONFIG_TIMEOUT_DEFAULT, 1,
	    CONFIG_TIMEOUT_MAX, &one) != 0)
		add_problem(&all, &one);
	if (load_connect_timeout(c, get, &one) != 0)
		add_problem(&all, &one);
	if (config_parse_seconds(&c->cache_ttl, "IMMICH_JOBS_CACHE_TTL",
	    get("IMMICH_JOBS_CACHE_TTL"), 5, 0, 86400, &one) != 0)
		add_problem(&all, &one);
	if (config_parse_seconds(&c->stale_ttl, "IMMICH_JOBS_STALE_TTL",
	    get("IMMICH_JOBS_STALE_TTL"), 60, 0, 86400, &one) != 0)
		add_problem(&all, &one);
	if (config_parse_seconds(&c->stall_after, "IMMICH_JOBS_STALL_AFTER",
	    get("IMMICH_JOBS_STALL_AFTER"), 300, 10, 86400, &one) != 0)
		add_problem(&all, &one);
	if (load_api(c, get, &one) != 0)
		add_problem(&all, &one);
	if (load_ca(c, get, &one) != 0)
		add_problem(&all, &one);
	if (load_cache_dir(c, get, &one) != 0)
		add_problem(&all, &one);
	if (all.status != 0) {
		explicit_bzero(c->key, sizeof(c->key));
		explicit_bzero(c->url_password, sizeof(c->url_password));
		err_secrets_clear();
		*e = all;
		return -1;
	}
	return 0;
}
