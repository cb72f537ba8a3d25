/*
 * config.h - the service's configuration, read once from its environment.
 *
 * Every variable is documented in README.md.  One parsing rule holds for
 * all of them: white space around a value is dropped, and a value that is
 * then empty counts as unset (lighttpd's mod_setenv passes set-but-empty
 * variables as "").  lib/ never looks at CGI variables: config_load only
 * reads the IMMICH_* settings, RUNTIME_DIRECTORY and XDG_RUNTIME_DIR.
 */
#ifndef IJP_CONFIG_H
#define IJP_CONFIG_H

#include "err.h"

#define CONFIG_URL_MAX		1024	/* bytes, IMMICH_URL after normalising */
#define CONFIG_KEY_MAX		512	/* bytes, the API key */
#define CONFIG_KEY_MIN		16	/* bytes; Immich's keys are longer */
/*
 * A refused key shorter than this is not masked in messages: "***" in
 * place of every "e" or "1" would garble them, and so short a string
 * hides nothing of a real key (Immich's are over 40 characters).
 */
#define CONFIG_SECRET_MIN	8
#define CONFIG_PATH_MAX		1024	/* bytes, file and directory names */
#define CONFIG_TIMEOUT_DEFAULT	10	/* seconds, IMMICH_JOBS_TIMEOUT unset */
#define CONFIG_TIMEOUT_MAX	60	/* seconds, IMMICH_JOBS_TIMEOUT's top */

enum config_api {
	CONFIG_API_AUTO,	/* GET /api/jobs, on 404 GET /api/queues */
	CONFIG_API_JOBS,	/* GET /api/jobs only (Immich v1.x-v3.x) */
	CONFIG_API_QUEUES	/* GET /api/queues only (Immich v2.4+) */
};

struct config {
	char		 base_url[CONFIG_URL_MAX]; /* no user:pass@, trailing "/" or "/api" */
	char		 shown_url[CONFIG_URL_MAX]; /* what messages show: base_url */
	char		 url_user[CONFIG_URL_MAX]; /* IMMICH_URL's user name, decoded */
	char		 url_password[CONFIG_URL_MAX]; /* its password: secret */
	int		 has_userinfo;	/* IMMICH_URL had user[:password]@ */
	char		 key[CONFIG_KEY_MAX];	/* secret: never print it */
	long		 timeout;	/* seconds, 1-60, whole upstream exchange */
	long		 connect_timeout; /* seconds, 1-timeout, connecting */
	char		 ca_file[CONFIG_PATH_MAX]; /* PEM bundle, "" = system CAs */
	enum config_api	 api;
	long		 cache_ttl;	/* seconds a result is reused, 0 = off */
	long		 stale_ttl;	/* seconds a result may stand in on error */
	long		 stall_after;	/* seconds with work waiting, none active */
	char		 cache_dir[CONFIG_PATH_MAX]; /* "" = no cache */
};

/* Looks a variable up by name; returns NULL when unset.  getenv fits. */
typedef const char *(*config_getenv_fn)(const char *name);

/*
 * config_load - fill c from the variables that get returns:
 *   IMMICH_URL (required), IMMICH_JOBS_API_KEY or IMMICH_JOBS_API_KEY_FILE
 *   (exactly one), IMMICH_JOBS_TIMEOUT (default 10),
 *   IMMICH_JOBS_CONNECT_TIMEOUT (default 3, or IMMICH_JOBS_TIMEOUT when that
 *   is less; 1-60 and not above IMMICH_JOBS_TIMEOUT), IMMICH_JOBS_CA_FILE,
 *   IMMICH_JOBS_API (auto), IMMICH_JOBS_CACHE_TTL (5), IMMICH_JOBS_STALE_TTL
 *   (60), IMMICH_JOBS_STALL_AFTER (300, 10-86400), IMMICH_JOBS_CACHE_DIR
 *   (default: the first path of RUNTIME_DIRECTORY, else
 *   $XDG_RUNTIME_DIR/immich-jobs-proxy, else "": nothing is cached).
 * Every value is trimmed of surrounding white space first; IMMICH_JOBS_API
 * is case-insensitive.  IMMICH_URL is split as config_parse_url says.  The
 * key file is opened without blocking, must be a regular file and is read
 * whole (at most 4096 bytes); the key, from the file or the variable, goes
 * through config_clean_key.
 * Returns 0, or -1 with e set to status 500 and a message naming every
 * problem found (not only the first), each naming its variable: missing,
 * both key variables set, a key file that cannot be read (the message names
 * the path and the uid the service runs as), is not a regular file, is
 * empty or over 4096 bytes, the key errors of config_clean_key, the URL
 * errors of config_parse_url, a number that is not a whole number in range
 * (the message shows the value received), a connect timeout above the
 * timeout, a CA file that is not a readable regular file or too long a
 * path, a cache directory (or the variable it came from) that is relative
 * or too long, an unknown IMMICH_JOBS_API.  The message never contains the
 * key nor IMMICH_URL's password.  On success the secrets are registered
 * with err_secret_add (config_secrets).
 * c is caller-owned; nothing is allocated.
 */
int	config_load(struct config *c, config_getenv_fn get, struct err *e);

/*
 * config_seen - 1 when get returns any of the service's variables at all
 * (even empty), 0 when none is there: a web server that passes none of
 * them to the CGI.  cgi/main.c adds that hint to config_load's message.
 */
int	config_seen(config_getenv_fn get);

/*
 * config_parse_url - check and normalise an IMMICH_URL value (trimmed of
 * surrounding white space) into c->base_url and c->shown_url, without any
 * "user:password@": that goes, percent-decoded, to c->url_user and
 * c->url_password (c->has_userinfo set), split at the first ':'; the last
 * '@' before the host ends it, so a raw '@' in a password works.  libcurl
 * gets them apart from the URL, so no URL it builds holds them.
 * Returns 0 or -1 with e (500) naming IMMICH_URL: not set, no http:// or
 * https://, no host, a bad port, a query, fragment, space, control or
 * non-ASCII character, "%00" in the user name or password, too long.
 */
int	config_parse_url(struct config *c, const char *url, struct err *e);

/*
 * config_parse_seconds - parse value, trimmed of surrounding white space,
 * as a whole number of seconds in [min, max] into *out.  Returns 0, or -1
 * with e (500) naming the variable name and showing the value received (at
 * most 40 bytes of it).  NULL or blank leaves *out at def and returns 0.
 */
int	config_parse_seconds(long *out, const char *name, const char *value,
	    long def, long min, long max, struct err *e);

/*
 * config_clean_key - drop a UTF-8 byte-order mark and surrounding white
 * space from the len bytes at buf, check that what is left can be an
 * Immich API key and copy it to c->key.  Immich makes its keys from random
 * bytes in base64 with every non-word character removed
 * (server/src/repositories/crypto.repository.ts, randomBytesAsText), so a
 * key is letters and digits only.  from names the variable in errors.
 * Returns 0, or -1 with e (500): empty; over CONFIG_KEY_MAX - 1 bytes; a
 * character no Immich key has (a space, tab, line break, control
 * character, quotation mark, '=', another punctuation character or a
 * non-ASCII one, UTF-16), saying which kind and at which character, and
 * when the value looks like a copied NAME=value line, that name; under
 * CONFIG_KEY_MIN characters (a shorter key could not be kept out of
 * messages).  The message never holds the key: what is left after the
 * trimming is registered with err_secret_add first, valid or not.
 */
int	config_clean_key(struct config *c, const char *buf, size_t len,
	    const char *from, struct err *e);

/*
 * config_secrets - register c's secrets with err_secret_add, in place of
 * any registered before, so no message made afterwards holds them: the
 * key, IMMICH_URL's password, its "user:password" and that pair in base64
 * (an echoed Authorization: Basic header).  Called by config_load; the fetch module, which has its
 * own copy of lib/err.c, calls it too.
 */
void	config_secrets(const struct config *c);

#endif
