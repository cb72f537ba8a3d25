/*
 * secrets.c - a configuration's secrets, registered with err's registry;
 * see config.h config_secrets.  Apart from config.c: the fetch module,
 * which has a registry of its own, needs this and no other part of it.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"

/*
 * What goes in an Authorization: Basic header for user:password, and its
 * base64, registered as secrets: a proxy may echo either.
 */
static void
userinfo_secrets(const char *user, const char *password)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char pair[2 * CONFIG_URL_MAX], enc[ERR_SECRET_MAX + 4];
	size_t len, i, o = 0;
	unsigned v;

	err_secret_add(password, strlen(password));
	if (password[0] == '\0')
		return;
	len = (size_t)snprintf(pair, sizeof(pair), "%s:%s", user, password);
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
	if (i >= len)
		err_secret_add(enc, o);
	explicit_bzero(pair, sizeof(pair));
	explicit_bzero(enc, sizeof(enc));
}

void
config_secrets(const struct config *c)
{
	err_secrets_clear();
	err_secret_add(c->key, strlen(c->key));
	if (c->has_userinfo)
		userinfo_secrets(c->url_user, c->url_password);
	if (c->proxy_has_userinfo)
		userinfo_secrets(c->proxy_user, c->proxy_password);
}
