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

static const char *
value(config_getenv_fn get, const char *name)
{
	const char *v = get(name);

	return (v != NULL && v[0] != '\0') ? v : NULL;
}

static int
is_trailing_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
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

int
config_parse_url(struct config *c, const char *url, struct err *e)
{
	const char *start, *end, *host, *p, *at;
	size_t len, hostlen;

	if (url == NULL || url[0] == '\0')
		return err_set(e, 500, 0, "IMMICH_URL is not set: set it to "
		    "Immich's address, e.g. http://immich.local:2283");
	start = url;
	end = url + strlen(url);
	while (start < end && is_trailing_space(*start))
		start++;
	while (end > start && is_trailing_space(end[-1]))
		end--;
	len = (size_t)(end - start);
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
	/* The last '@': a password may hold a raw one, none of it is shown. */
	at = memrchr(host, '@', hostlen);
	if (hostlen == 0 || (at != NULL && at + 1 == host + hostlen) ||
	    host[at != NULL ? at - host + 1 : 0] == ':')
		return err_set(e, 500, 0, "IMMICH_URL has no host name, e.g. "
		    "http://immich.local:2283");
	if (check_port(at != NULL ? at + 1 : host, host + hostlen) != 0)
		return err_set(e, 500, 0, "IMMICH_URL has a bad port: give a "
		    "number from 1 to 65535, e.g. http://immich.local:2283");
	/* Users paste ".../", ".../api" and ".../api/": all mean the base. */
	while (end > host + hostlen && end[-1] == '/')
		end--;
	if (end - (host + hostlen) >= 4 && memcmp(end - 4, "/api", 4) == 0)
		end -= 4;
	while (end > host + hostlen && end[-1] == '/')
		end--;
	len = (size_t)(end - start);
	memcpy(c->base_url, start, len);
	c->base_url[len] = '\0';
	/* The shown form drops "user:password@" so messages never leak it. */
	if (at != NULL) {
		size_t pre = (size_t)(host - start);
		size_t post = (size_t)(end - (at + 1));
		memcpy(c->shown_url, start, pre);
		memcpy(c->shown_url + pre, at + 1, post);
		c->shown_url[pre + post] = '\0';
	} else
		memcpy(c->shown_url, c->base_url, len + 1);
	return 0;
}

int
config_parse_seconds(long *out, const char *name, const char *v, long def,
    long min, long max, struct err *e)
{
	char *endp;
	long n;

	*out = def;
	if (v == NULL || v[0] == '\0')
		return 0;
	errno = 0;
	n = strtol(v, &endp, 10);
	/* strtol skips any leading white space and a '+': refuse them. */
	if (errno != 0 || endp == v || *endp != '\0' ||
	    ((v[0] < '0' || v[0] > '9') && v[0] != '-') || n < min || n > max)
		return err_set(e, 500, 0, "%s must be a whole number of seconds "
		    "from %ld to %ld", name, min, max);
	*out = n;
	return 0;
}

int
config_clean_key(struct config *c, char *buf, size_t len, const char *from,
    struct err *e)
{
	size_t i;

	while (len > 0 && is_trailing_space(buf[len - 1]))
		len--;
	if (len == 0)
		return err_set(e, 500, 0, "%s is empty: it must hold an Immich "
		    "API key", from);
	if (len >= CONFIG_KEY_MAX)
		return err_set(e, 500, 0, "%s is too long for an API key "
		    "(over %d bytes)", from, CONFIG_KEY_MAX - 1);
	if (len < CONFIG_KEY_MIN)
		return err_set(e, 500, 0, "%s is too short for an Immich API key "
		    "(under %d characters): copy the whole key Immich showed "
		    "when it was created", from, CONFIG_KEY_MIN);
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)buf[i];
		if (ch < 0x20 || ch == 0x7f)
			return err_set(e, 500, 0, "%s contains a control "
			    "character or a line break inside the key", from);
	}
	memcpy(c->key, buf, len);
	c->key[len] = '\0';
	return 0;
}

static int
load_key_file(struct config *c, const char *path, struct err *e)
{
	char buf[KEY_FILE_MAX + 1];
	size_t len = 0;
	ssize_t n;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return err_set(e, 500, 0, "IMMICH_JOBS_API_KEY_FILE cannot be "
		    "read: %s", strerror(errno));
	while (len < sizeof(buf) &&
	    (n = read(fd, buf + len, sizeof(buf) - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = errno;
			close(fd);
			return err_set(e, 500, 0, "IMMICH_JOBS_API_KEY_FILE "
			    "cannot be read: %s", strerror(rc));
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
	const char *key = value(get, "IMMICH_JOBS_API_KEY");
	const char *file = value(get, "IMMICH_JOBS_API_KEY_FILE");
	char buf[CONFIG_KEY_MAX + 1];
	size_t len;
	int rc;

	if (key != NULL && file != NULL)
		return err_set(e, 500, 0, "both IMMICH_JOBS_API_KEY and "
		    "IMMICH_JOBS_API_KEY_FILE are set: set only one");
	if (file != NULL)
		return load_key_file(c, file, e);
	if (key == NULL)
		return err_set(e, 500, 0, "no API key: set IMMICH_JOBS_API_KEY "
		    "or IMMICH_JOBS_API_KEY_FILE to an Immich API key with the "
		    "%s permission", key_permission(value(get,
		    "IMMICH_JOBS_API")));
	len = strlen(key);
	while (len > 0 && is_trailing_space(key[len - 1]))
		len--;
	/*
	 * Too long whatever its end: a cut copy could end in spaces that
	 * config_clean_key would trim, and the cut key pass (found by
	 * checks/fuzz_config.c).
	 */
	if (len >= CONFIG_KEY_MAX)
		return err_set(e, 500, 0, "IMMICH_JOBS_API_KEY is too long for "
		    "an API key (over %d bytes)", CONFIG_KEY_MAX - 1);
	memcpy(buf, key, len);
	rc = config_clean_key(c, buf, len, "IMMICH_JOBS_API_KEY", e);
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

static int
load_paths(struct config *c, config_getenv_fn get, struct err *e)
{
	const char *ca = value(get, "IMMICH_JOBS_CA_FILE");
	const char *dir = value(get, "IMMICH_JOBS_CACHE_DIR");
	const char *run = value(get, "RUNTIME_DIRECTORY");
	const char *xdg = value(get, "XDG_RUNTIME_DIR");
	const char *from = "IMMICH_JOBS_CACHE_DIR";
	struct stat st;
	int n;

	c->ca_file[0] = '\0';
	if (ca != NULL) {
		if (strlen(ca) >= sizeof(c->ca_file))
			return err_set(e, 500, 0, "IMMICH_JOBS_CA_FILE is too "
			    "long a path");
		if (access(ca, R_OK) != 0)
			return err_set(e, 500, 0, "IMMICH_JOBS_CA_FILE cannot "
			    "be read: %s", strerror(errno));
		if (stat(ca, &st) != 0 || !S_ISREG(st.st_mode))
			return err_set(e, 500, 0, "IMMICH_JOBS_CA_FILE is not a "
			    "file: give the CA certificate as a PEM file");
		strcpy(c->ca_file, ca);
	}
	/*
	 * The default is a directory no other local user can make first:
	 * systemd's RuntimeDirectory= (the first of several), else the
	 * user's own $XDG_RUNTIME_DIR.  A fixed name in a shared /tmp could
	 * be made by anyone before the service starts.  With neither, ""
	 * (nothing is cached); immich-jobs-proxy always gives the CGI a
	 * private directory.
	 */
	if (dir != NULL)
		n = snprintf(c->cache_dir, sizeof(c->cache_dir), "%s", dir);
	else if (run != NULL) {
		from = "RUNTIME_DIRECTORY";
		n = snprintf(c->cache_dir, sizeof(c->cache_dir), "%.*s",
		    (int)strcspn(run, ":"), run);
	} else if (xdg != NULL) {
		from = "XDG_RUNTIME_DIR";
		n = snprintf(c->cache_dir, sizeof(c->cache_dir),
		    "%s/immich-jobs-proxy", xdg);
	} else {
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
	const char *api = value(get, "IMMICH_JOBS_API");

	if (api == NULL || strcmp(api, "auto") == 0)
		c->api = CONFIG_API_AUTO;
	else if (strcmp(api, "jobs") == 0)
		c->api = CONFIG_API_JOBS;
	else if (strcmp(api, "queues") == 0)
		c->api = CONFIG_API_QUEUES;
	else
		return err_set(e, 500, 0, "IMMICH_JOBS_API must be auto, jobs "
		    "or queues");
	return 0;
}

/*
 * A host that sleeps or is switched off drops packets: without a shorter
 * bound on connecting, every miss would wait the whole IMMICH_JOBS_TIMEOUT.
 */
static int
load_connect_timeout(struct config *c, config_getenv_fn get, struct err *e)
{
	const char *v = value(get, "IMMICH_JOBS_CONNECT_TIMEOUT");

	if (config_parse_seconds(&c->connect_timeout,
	    "IMMICH_JOBS_CONNECT_TIMEOUT", v, c->timeout < 3 ? c->timeout : 3,
	    1, 60, e) != 0)
		return -1;
	if (c->connect_timeout > c->timeout)
		return err_set(e, 500, 0, "IMMICH_JOBS_CONNECT_TIMEOUT (%ld s) "
		    "must not be above IMMICH_JOBS_TIMEOUT (%ld s), which "
		    "bounds the whole exchange", c->connect_timeout,
		    c->timeout);
	return 0;
}

int
config_load(struct config *c, config_getenv_fn get, struct err *e)
{
	memset(c, 0, sizeof(*c));
	err_clear(e);
	if (config_parse_url(c, value(get, "IMMICH_URL"), e) != 0 ||
	    load_key(c, get, e) != 0 ||
	    config_parse_seconds(&c->timeout, "IMMICH_JOBS_TIMEOUT",
	    value(get, "IMMICH_JOBS_TIMEOUT"), 10, 1, 60, e) != 0 ||
	    load_connect_timeout(c, get, e) != 0 ||
	    config_parse_seconds(&c->cache_ttl, "IMMICH_JOBS_CACHE_TTL",
	    value(get, "IMMICH_JOBS_CACHE_TTL"), 5, 0, 86400, e) != 0 ||
	    config_parse_seconds(&c->stale_ttl, "IMMICH_JOBS_STALE_TTL",
	    value(get, "IMMICH_JOBS_STALE_TTL"), 60, 0, 86400, e) != 0 ||
	    config_parse_seconds(&c->stall_after, "IMMICH_JOBS_STALL_AFTER",
	    value(get, "IMMICH_JOBS_STALL_AFTER"), 300, 10, 86400, e) != 0 ||
	    load_api(c, get, e) != 0 ||
	    load_paths(c, get, e) != 0) {
		explicit_bzero(c->key, sizeof(c->key));
		return -1;
	}
	return 0;
}
