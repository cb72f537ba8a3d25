/* config.c - read the service's settings once; see config.h. */
#include <sys/stat.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "key.h"
#include "str.h"

#define KEY_FILE_MAX	4096	/* bytes read from IMMICH_JOBS_API_KEY_FILE */
#define SHOWN_MAX	40	/* bytes of a refused value shown back */

typedef int (*load_fn)(struct config *, const struct config_setting *,
    config_getenv_fn, struct err *);

static int load_url(struct config *, const struct config_setting *,
    config_getenv_fn, struct err *);
static int load_key(struct config *, const struct config_setting *,
    config_getenv_fn, struct err *);
static int load_seconds(struct config *, const struct config_setting *,
    config_getenv_fn, struct err *);
static int load_connect_timeout(struct config *, const struct config_setting *,
    config_getenv_fn, struct err *);
static int load_ca(struct config *, const struct config_setting *,
    config_getenv_fn, struct err *);
static int load_api(struct config *, const struct config_setting *,
    config_getenv_fn, struct err *);
static int load_cache_dir(struct config *, const struct config_setting *,
    config_getenv_fn, struct err *);
static int load_client_file(struct config *, const struct config_setting *,
    config_getenv_fn, struct err *);
static int load_proxy(struct config *, const struct config_setting *,
    config_getenv_fn, struct err *);
static int load_no_proxy(struct config *, const struct config_setting *,
    config_getenv_fn, struct err *);

#define F(field)	offsetof(struct config, field)

/*
 * Every setting, in the order config_load reads them: a timeout before the
 * connect timeout it bounds, IMMICH_URL before anything whose message
 * could hold its password.  A setting with no loader is read by the one
 * before it (the key file with the key).
 */
const struct config_setting config_settings[] = {
	{ "IMMICH_URL", "", "http[s]://host[:port], required",
	    "Immich's base address", load_url, 0, 0, 0, 0, 0 },
	{ "IMMICH_JOBS_API_KEY", "", "letters, digits",
	    "an Immich API key with job.read or queue.read", load_key, 0, 0, 0,
	    0, 0 },
	{ "IMMICH_JOBS_API_KEY_FILE", "", "path",
	    "a file holding the key, instead", NULL, 0, 0, 0, 0, 0 },
	{ "IMMICH_JOBS_TIMEOUT", "10", "1-60",
	    "seconds for the whole exchange with Immich", load_seconds,
	    F(timeout), CONFIG_TIMEOUT_DEFAULT, 1, CONFIG_TIMEOUT_MAX, 0 },
	{ "IMMICH_JOBS_CONNECT_TIMEOUT", "3", "1-60",
	    "seconds for connecting, at most the timeout",
	    load_connect_timeout, F(connect_timeout), 3, 1, 60, 0 },
	{ "IMMICH_JOBS_CA_FILE", "", "path",
	    "PEM CA certificates to trust Immich's", load_ca, F(ca_file), 0, 0,
	    0, 0 },
	{ "IMMICH_JOBS_CLIENT_CERT", "", "path",
	    "PEM TLS client certificate, for mutual TLS", load_client_file,
	    F(client_cert), 0, 0, 0, 0 },
	{ "IMMICH_JOBS_CLIENT_KEY", "", "path",
	    "its PEM private key, if not in the certificate's file",
	    load_client_file, F(client_key), 0, 0, 0, 0 },
	{ "IMMICH_JOBS_PROXY", "", "http[s]:// or socks5[h]://host:port",
	    "the proxy to reach Immich through", load_proxy, 0, 0, 0, 0, 0 },
	{ "IMMICH_JOBS_NO_PROXY", "", "host,.domain,...",
	    "hosts reached without the proxy", load_no_proxy, 0, 0, 0, 0, 0 },
	{ "IMMICH_JOBS_API", "auto", "auto, jobs, queues",
	    "which Immich endpoint", load_api, 0, 0, 0, 0, 0 },
	{ "IMMICH_JOBS_CACHE_TTL", "5", "0-86400",
	    "seconds an answer is reused, 0 = no cache", load_seconds,
	    F(cache_ttl), 5, 0, 86400, 1 },
	{ "IMMICH_JOBS_STALE_TTL", "60", "0-86400",
	    "seconds old counts may stand in while Immich fails",
	    load_seconds, F(stale_ttl), 60, 0, 86400, 1 },
	{ "IMMICH_JOBS_STALL_AFTER", "300", "10-86400",
	    "seconds waiting, none active, before \"stalled\"", load_seconds,
	    F(stall_after), 300, 10, 86400, 0 },
	{ "IMMICH_JOBS_CACHE_DIR", "", "absolute path",
	    "where the cache lives", load_cache_dir, 0, 0, 0, 0, 1 },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0 }
};

static const char *const url_schemes[] = { "http://", "https://", NULL };
static const struct url_rules immich_url = { "IMMICH_URL",
    "Immich's base address", "http://immich.local:2283", url_schemes,
    "http:// or https://", 1 };

static const char *const proxy_schemes[] = { "http://", "https://",
    "socks4://", "socks4a://", "socks5://", "socks5h://", NULL };
static const struct url_rules proxy_url = { "IMMICH_JOBS_PROXY",
    "the proxy's address", "http://proxy.lan:3128", proxy_schemes,
    "http://, https://, socks4://, socks4a://, socks5:// or socks5h://", 0 };

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
	s = str_trim(v, &len);
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

/* A path setting into dst (CONFIG_PATH_MAX bytes): 1 set, 0 unset, -1. */
static int
path_value(char *dst, config_getenv_fn get, const char *name, struct err *e)
{
	int too_long;

	dst[0] = '\0';
	if (value(get, name, dst, CONFIG_PATH_MAX, &too_long) == NULL)
		return 0;
	if (too_long)
		return err_set(e, 500, 0, "%s is too long a path", name);
	return 1;
}

int
config_seen(config_getenv_fn get)
{
	const struct config_setting *s;

	for (s = config_settings; s->name != NULL; s++)
		if (get(s->name) != NULL)
			return 1;
	return 0;
}

int
config_parse_url(struct config *c, const char *url, struct err *e)
{
	size_t len = url != NULL ? strlen(url) : 0;

	c->base_url[0] = c->shown_url[0] = '\0';
	c->url_user[0] = c->url_password[0] = '\0';
	c->has_userinfo = 0;
	if (url == NULL || (str_trim(url, &len), len == 0))
		return err_set(e, 500, 0, "IMMICH_URL is not set: set it to "
		    "Immich's address, e.g. http://immich.local:2283");
	if (url_parse(&immich_url, url, c->base_url, c->url_user,
	    c->url_password, &c->has_userinfo, e) != 0)
		return -1;
	memcpy(c->shown_url, c->base_url, strlen(c->base_url) + 1);
	return 0;
}

static int
load_url(struct config *c, const struct config_setting *s,
    config_getenv_fn get, struct err *e)
{
	int rc = config_parse_url(c, get(s->name), e);

	/*
	 * From here on no message holds the password, nor the key (what
	 * key_clean is given, even when refused), even in a value shown
	 * back (a key pasted in the wrong variable too).
	 */
	config_secrets(c);
	return rc;
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
	v = v != NULL ? str_trim(v, &len) : NULL;
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

static int
load_seconds(struct config *c, const struct config_setting *s,
    config_getenv_fn get, struct err *e)
{
	return config_parse_seconds((long *)((char *)c + s->off), s->name,
	    get(s->name), s->dflt, s->min, s->max, e);
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
load_key_file(struct config *c, const char *path, struct err *e)
{
	char buf[KEY_FILE_MAX + 1];
	size_t len;
	int rc;

	rc = key_file_read(path, "IMMICH_JOBS_API_KEY_FILE", "the key", buf,
	    sizeof(buf), &len, e);
	if (rc == 0)
		rc = key_clean(c->key, buf, len, "IMMICH_JOBS_API_KEY_FILE", e);
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

static int
load_key(struct config *c, const struct config_setting *s,
    config_getenv_fn get, struct err *e)
{
	const char *key = get(s->name);
	char file[CONFIG_PATH_MAX], api[16];
	size_t len = key != NULL ? strlen(key) : 0;
	const char *k = key != NULL ? str_trim(key, &len) : NULL;
	int has_file, too_long;

	if (len >= KEY_SECRET_MIN)
		err_secret_add(k, len);	/* used or not, it may be a key */
	has_file = path_value(file, get, "IMMICH_JOBS_API_KEY_FILE", e);
	if (len > 0 && has_file != 0)
		return err_set(e, 500, 0, "both IMMICH_JOBS_API_KEY and "
		    "IMMICH_JOBS_API_KEY_FILE are set: set only one");
	if (has_file < 0)
		return -1;
	if (has_file)
		return load_key_file(c, file, e);
	if (len == 0)
		return err_set(e, 500, 0, "no API key: set IMMICH_JOBS_API_KEY "
		    "or IMMICH_JOBS_API_KEY_FILE to an Immich API key with the "
		    "%s permission", key_permission(value(get,
		    "IMMICH_JOBS_API", api, sizeof(api), &too_long)));
	return key_clean(c->key, k, len, s->name, e);
}

static int
load_ca(struct config *c, const struct config_setting *s,
    config_getenv_fn get, struct err *e)
{
	struct stat st;
	int rc;

	if ((rc = path_value(c->ca_file, get, s->name, e)) <= 0)
		return rc;
	if (access(c->ca_file, R_OK) != 0) {
		int saved = errno;
		c->ca_file[0] = '\0';
		return err_set(e, 500, 0, "IMMICH_JOBS_CA_FILE cannot be read: "
		    "%s", strerror(saved));
	}
	if (stat(c->ca_file, &st) != 0 || !S_ISREG(st.st_mode)) {
		c->ca_file[0] = '\0';
		return err_set(e, 500, 0, "IMMICH_JOBS_CA_FILE is not a file: "
		    "give the CA certificate as a PEM file");
	}
	return 0;
}

/*
 * The client certificate and its key: files the service's user can read,
 * checked here without reading them (the fetch module reads them, without
 * blocking, on a cache miss).  The key is a secret like the API key.
 */
static int
load_client_file(struct config *c, const struct config_setting *s,
    config_getenv_fn get, struct err *e)
{
	char *path = (char *)c + s->off, buf[CONFIG_PATH_MAX];
	int rc, too_long;

	if ((rc = path_value(path, get, s->name, e)) <= 0)
		return rc;
	if (path == c->client_key && c->client_cert[0] == '\0' &&
	    value(get, "IMMICH_JOBS_CLIENT_CERT", buf, sizeof(buf),
	    &too_long) == NULL)
		rc = err_set(e, 500, 0, "IMMICH_JOBS_CLIENT_KEY is set but not "
		    "IMMICH_JOBS_CLIENT_CERT: set it to the client certificate "
		    "(PEM) the key belongs to");
	else
		rc = key_file_check(path, s->name, path == c->client_key ?
		    "the private key (PEM)" : "the certificate (PEM)", e);
	if (rc != 0)
		path[0] = '\0';
	return rc;
}

static int
load_proxy(struct config *c, const struct config_setting *s,
    config_getenv_fn get, struct err *e)
{
	const char *v = get(s->name);
	size_t len = v != NULL ? strlen(v) : 0;

	if (v == NULL || (str_trim(v, &len), len == 0))
		return 0;
	if (url_parse(&proxy_url, v, c->proxy, c->proxy_user,
	    c->proxy_password, &c->proxy_has_userinfo, e) != 0)
		return -1;
	config_secrets(c);
	return 0;
}

/* Host names, domains and addresses, as libcurl's CURLOPT_NOPROXY takes. */
static int
load_no_proxy(struct config *c, const struct config_setting *s,
    config_getenv_fn get, struct err *e)
{
	const char *v;
	int too_long;
	size_t i;

	v = value(get, s->name, c->no_proxy, sizeof(c->no_proxy), &too_long);
	if (v == NULL)
		return 0;
	if (too_long)
		return err_set(e, 500, 0, "%s is too long (over %zu bytes)",
		    s->name, sizeof(c->no_proxy) - 1);
	for (i = 0; v[i] != '\0'; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] >= 0x7f) {
			c->no_proxy[0] = '\0';
			return err_set(e, 500, 0, "%s holds a control or "
			    "non-ASCII character: give host names, domains or "
			    "addresses separated by commas, e.g. "
			    "localhost,.lan,192.168.1.10", s->name);
		}
	return 0;
}

/* The directory into dir, from the first variable of the three that is set. */
static int
cache_dir_from(char *dir, config_getenv_fn get, const char **from)
{
	char buf[CONFIG_PATH_MAX];
	const char *v;
	int too_long;

	/*
	 * The default is a directory no other local user can make first:
	 * systemd's RuntimeDirectory= (the first of several), else the
	 * user's own $XDG_RUNTIME_DIR.  A fixed name in a shared /tmp could
	 * be made by anyone before the service starts.  With neither, ""
	 * (nothing is cached); immich-jobs-proxy always gives the CGI a
	 * private directory.
	 */
	if ((v = value(get, *from, buf, sizeof(buf), &too_long)) != NULL)
		return too_long ? -1 : snprintf(dir, CONFIG_PATH_MAX, "%s", v);
	*from = "RUNTIME_DIRECTORY";
	if ((v = value(get, *from, buf, sizeof(buf), &too_long)) != NULL)
		return too_long ? -1 : snprintf(dir, CONFIG_PATH_MAX, "%.*s",
		    (int)strcspn(v, ":"), v);
	*from = "XDG_RUNTIME_DIR";
	if ((v = value(get, *from, buf, sizeof(buf), &too_long)) != NULL)
		return too_long ? -1 : snprintf(dir, CONFIG_PATH_MAX,
		    "%s/immich-jobs-proxy", v);
	dir[0] = '\0';
	return 0;
}

/* The cache directory into dir (CONFIG_PATH_MAX bytes), "" for none. */
static int
cache_dir(char *dir, config_getenv_fn get, struct err *e)
{
	const char *from = "IMMICH_JOBS_CACHE_DIR";
	int n = cache_dir_from(dir, get, &from);

	if (n == 0)
		return 0;
	/* Room for "/<16 hex digits>.hist.tmp" after it: see cache_path. */
	if (n < 0 || n >= CONFIG_PATH_MAX - 32)
		return err_set(e, 500, 0, "%s is too long a path", from);
	/* A relative cache directory would depend on the CGI's cwd. */
	if (dir[0] != '/')
		return err_set(e, 500, 0, "%s must be an absolute path", from);
	return 0;
}

static int
load_cache_dir(struct config *c, const struct config_setting *s,
    config_getenv_fn get, struct err *e)
{
	(void)s;
	return cache_dir(c->cache_dir, get, e);
}

static int
load_api(struct config *c, const struct config_setting *s,
    config_getenv_fn get, struct err *e)
{
	char buf[16];
	const char *api;
	int too_long;

	c->api = CONFIG_API_AUTO;
	api = value(get, s->name, buf, sizeof(buf), &too_long);
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
load_connect_timeout(struct config *c, const struct config_setting *s,
    config_getenv_fn get, struct err *e)
{
	if (config_parse_seconds(&c->connect_timeout, s->name, get(s->name),
	    c->timeout < s->dflt ? c->timeout : s->dflt, s->min, s->max,
	    e) != 0)
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

/*
 * The id of the settings get returns (config_quick); -1 when the key
 * file cannot be read.  Each value goes in with its NUL, so "ab" then "c"
 * differs from "a" then "bc".
 */
static int
settings_id(config_getenv_fn get, uint64_t *id)
{
	char buf[CONFIG_URL_MAX], key[KEY_FILE_MAX + 1];
	static struct config url;	/* ~16 KB: not on the stack */
	const struct config_setting *s;
	unsigned long long h = STR_HASH_BASIS;
	const char *v;
	struct err e;
	size_t len;
	int too_long;

	for (s = config_settings; s->name != NULL; s++) {
		if (s->keeping)
			continue;
		v = value(get, s->name, buf, sizeof(buf), &too_long);
		/* One Immich however its address is written ("/api", "/"). */
		if (v != NULL && s->load == load_url &&
		    config_parse_url(&url, v, &e) == 0)
			v = url.base_url;
		h = v != NULL ? str_hash(h, v, strlen(v) + 1) : str_hash(h, "", 1);
		if (v == url.base_url)
			h = str_hash(str_hash(h, url.url_user,
			    strlen(url.url_user) + 1), url.url_password,
			    strlen(url.url_password) + 1);
	}
	if ((v = value(get, "IMMICH_JOBS_API_KEY_FILE", buf, sizeof(buf),
	    &too_long)) != NULL) {
		if (too_long || key_file_read(v, "IMMICH_JOBS_API_KEY_FILE",
		    "the key", key, sizeof(key), &len, &e) != 0)
			return -1;
		h = str_hash(h, key, len);
		explicit_bzero(key, sizeof(key));
	}
	explicit_bzero(url.url_password, sizeof(url.url_password));
	*id = (uint64_t)h;
	return 0;
}

int
config_quick(config_getenv_fn get, struct config_quick *q)
{
	const struct config_setting *s;
	struct err e;
	long v;

	/* A keeping setting config_load refuses has its error said there. */
	for (s = config_settings; s->name != NULL; s++)
		if (s->keeping && s->off != 0 && config_parse_seconds(&v,
		    s->name, get(s->name), s->dflt, s->min, s->max, &e) != 0)
			return -1;
		else if (s->keeping && s->off == offsetof(struct config,
		    cache_ttl))
			q->cache_ttl = v;
	if (q->cache_ttl == 0 || cache_dir(q->cache_dir, get, &e) != 0 ||
	    q->cache_dir[0] == '\0')
		return -1;
	return settings_id(get, &q->id);
}

static void
wipe(struct config *c)
{
	explicit_bzero(c->key, sizeof(c->key));
	explicit_bzero(c->url_password, sizeof(c->url_password));
	explicit_bzero(c->proxy_password, sizeof(c->proxy_password));
	err_secrets_clear();
}

int
config_load(struct config *c, config_getenv_fn get, struct err *e)
{
	const struct config_setting *s;
	struct err one, all;

	memset(c, 0, sizeof(*c));
	err_clear(e);
	err_clear(&all);
	/* Every check runs, so one answer names every problem. */
	for (s = config_settings; s->name != NULL; s++) {
		err_clear(&one);
		if (s->load != NULL && s->load(c, s, get, &one) != 0)
			add_problem(&all, &one);
	}
	if (all.status == 0 && settings_id(get, &c->id) != 0)
		err_set(&all, 500, 0, "the key file changed while it was read");
	if (all.status != 0) {
		wipe(c);
		*e = all;
		return -1;
	}
	return 0;
}
