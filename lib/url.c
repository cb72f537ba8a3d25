/* url.c - the rules for an address a user gives; see url.h. */
#include <string.h>
#include <strings.h>

#include "str.h"
#include "url.h"

/* One address taken apart; every pointer is into the value given. */
struct parts {
	const char	*start, *end;	/* the whole value, trimmed */
	const char	*host;		/* after "scheme://" */
	const char	*at;		/* the '@' that ends user:password, or NULL */
	const char	*name;		/* the host name: after at, else host */
	const char	*hostend;	/* the end of host[:port] */
};

int
url_is_ascii(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

/* s..end is well-formed UTF-8. */
static int
is_utf8(const char *s, const char *end)
{
	const unsigned char *u = (const unsigned char *)s;
	const unsigned char *e = (const unsigned char *)end;
	size_t n;

	while (u < e) {
		if ((n = str_utf8_len(u, (size_t)(e - u))) == 0)
			return 0;
		u += n;
	}
	return 1;
}

/* No space or control character, no query, no fragment. */
static int
check_chars(const struct url_rules *r, const struct parts *p, struct err *e)
{
	const char *s;

	for (s = p->start; s < p->end; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch <= 0x20 || ch == 0x7f)
			return err_set(e, 500, 0, "%s contains a space, a "
			    "control or a non-ASCII character", r->name);
		if (ch == '?' || ch == '#')
			return err_set(e, 500, 0, "%s must not contain a query "
			    "('?') or a fragment ('#'): give only %s, e.g. %s",
			    r->name, r->what, r->example);
	}
	return 0;
}

/* p->host: just after one of r's schemes, or an error. */
static int
find_scheme(const struct url_rules *r, struct parts *p, struct err *e)
{
	size_t len = (size_t)(p->end - p->start), n, i;

	for (i = 0; r->schemes[i] != NULL; i++) {
		n = strlen(r->schemes[i]);
		if (len >= n && strncasecmp(p->start, r->schemes[i], n) == 0) {
			p->host = p->start + n;
			return 0;
		}
	}
	return err_set(e, 500, 0, "%s must start with %s, e.g. %s", r->name,
	    r->schemes_text, r->example);
}

/* The port after the host (from s to end), if any: 0 when absent or 1-65535. */
static int
check_port(const char *s, const char *end)
{
	const char *colon;
	long port = 0;

	if (s < end && *s == '[') {		/* [IPv6] */
		const char *close = memchr(s, ']', (size_t)(end - s));
		if (close == NULL)
			return -1;
		s = close + 1;
		if (s == end)
			return 0;
		if (*s != ':')
			return -1;
	}
	if ((colon = memchr(s, ':', (size_t)(end - s))) == NULL)
		return 0;
	if (colon + 1 == end || end - colon > 6)
		return -1;
	for (s = colon + 1; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		port = port * 10 + (*s - '0');
	}
	return port >= 1 && port <= 65535 ? 0 : -1;
}

/*
 * The host and port, up to the first '/': a host name, a port from 1 to
 * 65535 if any, and bytes over 0x7f in the host name alone (IDN), as UTF-8.
 */
static int
split_host(const struct url_rules *r, struct parts *p, struct err *e)
{
	const char *s = p->host;
	size_t len;

	while (s < p->end && *s != '/')
		s++;
	p->hostend = s;
	len = (size_t)(s - p->host);
	/* The last '@' ends user:password: a raw '@' in a password works. */
	p->at = memrchr(p->host, '@', len);
	p->name = p->at != NULL ? p->at + 1 : p->host;
	if (p->name == p->hostend || *p->name == ':')
		return err_set(e, 500, 0, "%s has no host name, e.g. %s",
		    r->name, r->example);
	if (check_port(p->name, p->hostend) != 0)
		return err_set(e, 500, 0, "%s has a bad port: give a number "
		    "from 1 to 65535, e.g. %s", r->name, r->example);
	if (!url_is_ascii(p->start, (size_t)(p->name - p->start)) ||
	    !url_is_ascii(p->hostend, (size_t)(p->end - p->hostend)))
		return err_set(e, 500, 0, "%s contains a space, a control or a "
		    "non-ASCII character", r->name);
	if (!is_utf8(p->name, p->hostend))
		return err_set(e, 500, 0, "%s's host name is not valid UTF-8",
		    r->name);
	return 0;
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

/* user:password@ into user and password; the first ':' splits them. */
static int
split_userinfo(const struct url_rules *r, const struct parts *p, char *user,
    char *password, struct err *e)
{
	const char *colon;

	if (p->at == NULL)
		return 0;
	/* A user name never holds a ':'. */
	colon = memchr(p->host, ':', (size_t)(p->at - p->host));
	if (decode(user, p->host, colon != NULL ? colon : p->at) != 0 ||
	    (colon != NULL && decode(password, colon + 1, p->at) != 0))
		return err_set(e, 500, 0, "%s's user name or password holds "
		    "%%00, which cannot be sent", r->name);
	return 0;
}

/*
 * Where the address ends: without trailing '/'s and, where a path is
 * allowed, one "/api" before them (users paste ".../", ".../api" and
 * ".../api/" for Immich's base address); NULL where a path is left and
 * none is allowed.
 */
static const char *
base_end(const struct url_rules *r, const struct parts *p)
{
	const char *end = p->end;

	while (end > p->hostend && end[-1] == '/')
		end--;
	if (!r->path_allowed)
		return end == p->hostend ? end : NULL;
	if (end - p->hostend >= 4 && memcmp(end - 4, "/api", 4) == 0)
		end -= 4;
	while (end > p->hostend && end[-1] == '/')
		end--;
	return end;
}

int
url_parse(const struct url_rules *r, const char *value, char *base,
    char *user, char *password, int *has_userinfo, struct err *e)
{
	struct parts p = { NULL, NULL, NULL, NULL, NULL, NULL };
	size_t len = strlen(value), pre;
	const char *end;

	base[0] = user[0] = password[0] = '\0';
	*has_userinfo = 0;
	p.start = str_trim(value, &len);
	p.end = p.start + len;
	if (len >= URL_MAX)
		return err_set(e, 500, 0, "%s is too long (over %d bytes)",
		    r->name, URL_MAX - 1);
	if (check_chars(r, &p, e) != 0 || find_scheme(r, &p, e) != 0 ||
	    split_host(r, &p, e) != 0)
		return -1;
	if (split_userinfo(r, &p, user, password, e) != 0) {
		explicit_bzero(password, URL_MAX);
		return -1;
	}
	*has_userinfo = p.at != NULL;
	if ((end = base_end(r, &p)) == NULL)
		return err_set(e, 500, 0, "%s must not have a path: give only "
		    "%s, e.g. %s", r->name, r->what, r->example);
	/*
	 * base holds no "user:password@": libcurl gets them apart, so no
	 * URL it resolves (a relative redirect) or reports carries them
	 * into a message.
	 */
	pre = (size_t)(p.host - p.start);
	memcpy(base, p.start, pre);
	memcpy(base + pre, p.name, (size_t)(end - p.name));
	base[pre + (size_t)(end - p.name)] = '\0';
	return 0;
}

const char *
url_host(const char *url, size_t *len)
{
	const char *h = strstr(url, "://"), *end;

	h = h != NULL ? h + 3 : url;
	if (*h == '[') {
		end = strchr(h, ']');
		end = end != NULL ? end + 1 : h + strlen(h);
	} else
		end = h + strcspn(h, ":/");
	*len = (size_t)(end - h);
	return h;
}
