/*
 * config.h - the service's configuration, read once from its environment.
 *
 * Every variable is documented in README.md.  An empty value counts as unset
 * (lighttpd's mod_setenv passes set-but-empty variables as "").  lib/ never
 * looks at CGI variables: config_load only reads the IMMICH_* settings.
 */
#ifndef IJP_CONFIG_H
#define IJP_CONFIG_H

#include "err.h"

#define CONFIG_URL_MAX		1024	/* bytes, IMMICH_URL after normalising */
#define CONFIG_KEY_MAX		512	/* bytes, the API key */
#define CONFIG_KEY_MIN		16	/* bytes; Immich's keys are longer */
#define CONFIG_PATH_MAX		1024	/* bytes, file and directory names */

enum config_api {
	CONFIG_API_AUTO,	/* GET /api/jobs, on 404 GET /api/queues */
	CONFIG_API_JOBS,	/* GET /api/jobs only (Immich v1.x-v3.x) */
	CONFIG_API_QUEUES	/* GET /api/queues only (Immich v2.4+) */
};

struct config {
	char		 base_url[CONFIG_URL_MAX]; /* no trailing "/" or "/api" */
	char		 shown_url[CONFIG_URL_MAX]; /* base_url without user:pass@ */
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
 * IMMICH_URL may end in "/" or "/api" (both are dropped); base_url is what
 * "/api/jobs" is appended to.  The key file is read whole (at most 4096
 * bytes); trailing spaces, tabs, CR and LF are dropped from either source.
 * Returns 0, or -1 with e set to status 500 and a message that names the
 * variable: missing, both key variables set, unreadable or empty key file,
 * key with control characters, too short or too long, URL without http://
 * or https:// or host, with a bad port, a query, fragment, space or control
 * character, or too long, a number that is not a whole number in range, a
 * CA file that is not a readable regular file or too long a path, a cache
 * directory (or the variable it came from) that is relative or too long,
 * an unknown
 * IMMICH_JOBS_API.  The message never contains the key.
 * c is caller-owned; nothing is allocated.
 */
int	config_load(struct config *c, config_getenv_fn get, struct err *e);

/*
 * config_parse_url - check and normalise an IMMICH_URL value into
 * c->base_url and c->shown_url, with the IMMICH_URL errors of config_load
 * (for the fuzzer and unit tests).  Returns 0 or -1 with e (500).
 */
int	config_parse_url(struct config *c, const char *url, struct err *e);

/*
 * config_parse_seconds - parse value as a whole number of seconds in
 * [min, max] into *out.  Returns 0, or -1 with e (500) naming the variable
 * name.  NULL or "" leaves *out at def and returns 0.
 */
int	config_parse_seconds(long *out, const char *name, const char *value,
	    long def, long min, long max, struct err *e);

/*
 * config_clean_key - drop trailing spaces, tabs, CR and LF from the len
 * bytes at buf (in place), check that what is left is a usable key (not
 * empty, CONFIG_KEY_MIN to CONFIG_KEY_MAX - 1 bytes, no NUL or control
 * characters: a shorter key could not be kept out of messages)
 * and copy it to c->key.  from names the variable in errors.
 * Returns 0, or -1 with e (500).
 */
int	config_clean_key(struct config *c, char *buf, size_t len,
	    const char *from, struct err *e);

#endif
