/*
 * config.h - the service's configuration, read once from its environment.
 *
 * Every variable is documented in the man page's ENVIRONMENT
 * (docs/immich-jobs-proxy.8).  One parsing rule holds for all of them:
 * white space around a value is dropped, and a value that is then empty
 * counts as unset (lighttpd's mod_setenv passes set-but-empty variables as
 * "").  lib/ never looks at CGI variables: config_load only reads the
 * IMMICH_* settings, RUNTIME_DIRECTORY and XDG_RUNTIME_DIR.
 */
#ifndef IJP_CONFIG_H
#define IJP_CONFIG_H

#include <stdint.h>

#include "err.h"
#include "key.h"
#include "url.h"

#define CONFIG_URL_MAX		URL_MAX	/* bytes, IMMICH_URL after normalising */
#define CONFIG_KEY_MAX		KEY_MAX	/* bytes, the API key */
#define CONFIG_KEY_MIN		KEY_MIN	/* bytes; Immich's keys are longer */
#define CONFIG_SECRET_MIN	KEY_SECRET_MIN
#define CONFIG_PATH_MAX		1024	/* bytes, file and directory names */
#define CONFIG_TIMEOUT_DEFAULT	10	/* seconds, IMMICH_JOBS_TIMEOUT unset */
#define CONFIG_TIMEOUT_MAX	60	/* seconds, IMMICH_JOBS_TIMEOUT's top */
#define CONFIG_PEM_MAX		65536	/* bytes of a client certificate or key file */

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
	char		 client_cert[CONFIG_PATH_MAX]; /* PEM, "" = none */
	char		 client_key[CONFIG_PATH_MAX]; /* PEM, "" = in client_cert */
	char		 proxy[CONFIG_URL_MAX];	/* no user:pass@; "" = none */
	char		 proxy_user[CONFIG_URL_MAX]; /* decoded */
	char		 proxy_password[CONFIG_URL_MAX]; /* secret */
	int		 proxy_has_userinfo;
	char		 no_proxy[CONFIG_URL_MAX]; /* hosts that skip the proxy */
	uint64_t	 id;		/* config_quick's id: names the cache entry */
};

/* Looks a variable up by name; returns NULL when unset.  getenv fits. */
typedef const char *(*config_getenv_fn)(const char *name);

/*
 * One setting: the table config_settings (ending with a NULL name) lists
 * every variable config_load reads, in the order it reads them.
 * config_seen looks for them, --help lists them, lighttpd.conf passes
 * those set to the CGI (immich-jobs --lighttpd-env prints the lines), and
 * the tests check that the man page documents each: a new setting is a
 * line here, its use and its entry in the man page.
 */
struct config_setting {
	const char	*name;
	const char	*def;		/* the default as --help shows it */
	const char	*range;		/* the values it takes */
	const char	*help;		/* what it is, in a few words */
	int		(*load)(struct config *, const struct config_setting *,
			    config_getenv_fn, struct err *);
	size_t		 off;		/* the member of struct config it fills */
	long		 dflt, min, max; /* whole seconds: default and range */
	/*
	 * 1 when it says where or how long answers are kept, not what they
	 * are: left out of the configuration's id, so entries outlive a
	 * change of TTL.
	 */
	int		 keeping;
};

extern const struct config_setting config_settings[];

/*
 * config_load - fill c from the variables of config_settings that get
 * returns, each trimmed, blank as unset; IMMICH_JOBS_CACHE_DIR unset is
 * the first path of RUNTIME_DIRECTORY, else
 * $XDG_RUNTIME_DIR/immich-jobs-proxy, else "": nothing is cached.  Files
 * are opened without blocking; the client certificate and key are only
 * checked (the fetch module reads them).
 * Returns 0 with c's secrets registered (config_secrets), or -1 with e
 * set to 500 and one message naming every problem found, each with its
 * variable, never with the key nor a password; c's secrets are then wiped.  The
 * words are config.c's (and key.c's, url.c's); the man page's DIAGNOSTICS
 * and ENVIRONMENT tell them to the user.  c is caller-owned; nothing is
 * allocated.
 */
int	config_load(struct config *c, config_getenv_fn get, struct err *e);

/*
 * What a cache hit needs, read without parsing the whole configuration:
 * a hit must cost little more than starting a program.
 */
struct config_quick {
	uint64_t	 id;		/* of the raw settings that decide answers */
	long		 cache_ttl;	/* as config_load reads it */
	char		 cache_dir[CONFIG_PATH_MAX];	/* as config_load reads it */
};

/*
 * config_quick - the id of the settings get returns: a hash of the
 * trimmed value of each setting but the keeping ones, and of the key
 * file's bytes when one is named, so a key rotated in its file is a new
 * configuration.  config_load sets c->id to the same.  Returns 0, or -1
 * when no cached answer can be looked up: no cache, or a keeping setting
 * or the key file config_load would refuse (it then says why).  An entry
 * exists only for settings config_load accepted: those that hash to its
 * id.
 */
int	config_quick(config_getenv_fn get, struct config_quick *q);

/*
 * config_seen - 1 when get returns any of the service's variables at all
 * (even empty), 0 when none is there: a web server that passes none of
 * them to the CGI.  cgi/main.c adds that hint to config_load's message.
 */
int	config_seen(config_getenv_fn get);

/*
 * config_parse_url - check and normalise an IMMICH_URL value into
 * c->base_url and c->shown_url, its user name and password into
 * c->url_user and c->url_password (c->has_userinfo), as url_parse says.
 * Returns 0 or -1 with e (500): not set (NULL or blank), or url_parse's
 * errors.
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
 * config_secrets - register c's secrets with err_secret_add, in place of
 * any registered before, so no message made afterwards holds them: the
 * key, IMMICH_URL's and IMMICH_JOBS_PROXY's passwords, each "user:password"
 * and that pair in base64 (an echoed Authorization: Basic header).
 * Called by config_load; the fetch module, which has its own copy of
 * lib/err.c, calls it too, and links secrets.c, where it is, without the
 * rest of config.c.
 */
void	config_secrets(const struct config *c);

#endif
