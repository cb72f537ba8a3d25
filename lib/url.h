/*
 * url.h - the rules for an address a user gives: IMMICH_URL and
 * IMMICH_JOBS_PROXY.
 *
 * Pure libc: the CGI front checks the configuration on every request
 * without loading libcurl.  A host name in another script (IDN) passes as
 * UTF-8; libcurl turns it into its DNS form (punycode) when it connects.
 */
#ifndef IJP_URL_H
#define IJP_URL_H

#include "err.h"

#define URL_MAX		1024	/* bytes of an address after normalising */

struct url_rules {
	const char	*name;		/* the variable, for messages */
	const char	*what;		/* "Immich's base address" */
	const char	*example;	/* "http://immich.local:2283" */
	const char *const *schemes;	/* "http://", ..., NULL: lower case */
	const char	*schemes_text;	/* "http:// or https://" */
	int		 path_allowed;	/* else only a trailing "/" may follow */
};

/*
 * url_parse - check value (trimmed of surrounding white space, not blank)
 * as r says and write it into base (URL_MAX bytes) without any
 * "user:password@", a trailing "/" and, when r->path_allowed, a trailing
 * "/api" (or "/api/"): what users paste for Immich's base address.  The
 * user name and password go, percent-decoded, to user and password
 * (URL_MAX bytes each; "" when absent), split at the first ':'; the last
 * '@' before the host ends them, so a raw '@' in a password works.
 * *has_userinfo says whether there was a "user[:password]@".  Only
 * printable ASCII outside a UTF-8 host name, one of r->schemes, a host, a
 * port from 1 to 65535 if any, no query, fragment nor "%00", and a path
 * only when r->path_allowed.  Returns 0 or -1 with e (500) naming r->name
 * and what is wrong; password is wiped on failure.
 */
int	url_parse(const struct url_rules *r, const char *value, char *base,
	    char *user, char *password, int *has_userinfo, struct err *e);

/*
 * url_host - the host name in url (as url_parse leaves it, without
 * userinfo): its first byte, and its length in *len (without a port).
 */
const char *url_host(const char *url, size_t *len);

/* url_is_ascii - 1 when the len bytes at s are all ASCII. */
int	url_is_ascii(const char *s, size_t len);

#endif
