/*
 * fuzz_config.c - libFuzzer harness over config_load: URL normalisation,
 * the numbers, the API mode, the paths and the key from the environment or
 * from a key file.
 *
 * Input: fields separated by '\n', each the value of one variable (a
 * missing field leaves the variable unset; an empty one sets it to ""):
 *   0 IMMICH_URL            5 IMMICH_JOBS_API
 *   1 IMMICH_JOBS_API_KEY   6 IMMICH_JOBS_CA_FILE (any path; only access()ed)
 *   2 IMMICH_JOBS_TIMEOUT   7 IMMICH_JOBS_CACHE_DIR
 *   3 IMMICH_JOBS_CACHE_TTL 8 XDG_RUNTIME_DIR
 *   4 IMMICH_JOBS_STALE_TTL 9 IMMICH_JOBS_API_KEY_FILE: "f..." a temporary
 *     file holding the rest of the input (newlines and NULs included),
 *     "d..." a directory, anything else a file that does not exist.
 * IMMICH_JOBS_STALL_AFTER, IMMICH_JOBS_CONNECT_TIMEOUT and RUNTIME_DIRECTORY
 * stay unset.
 * Checks what config.h promises: an error is a 500 with a printable
 * message that does not hold the key, and leaves no key or password
 * behind; a success has a normalised URL without "user:password@" in
 * either form, numbers in range, a key equal to what was given without a
 * byte-order mark and white space around it, made of letters and digits
 * only, and messages made afterwards hold neither the key nor the password.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/config.h"
#include "../lib/err.h"
#include "check.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


enum { F_URL, F_KEY, F_TIMEOUT, F_CACHE_TTL, F_STALE_TTL, F_API, F_CA,
    F_CACHE_DIR, F_TMPDIR, F_KEY_FILE, F_PROXY, NFIELDS };

static const char *const names[NFIELDS] = {
	"IMMICH_URL", "IMMICH_JOBS_API_KEY", "IMMICH_JOBS_TIMEOUT",
	"IMMICH_JOBS_CACHE_TTL", "IMMICH_JOBS_STALE_TTL", "IMMICH_JOBS_API",
	"IMMICH_JOBS_CA_FILE", "IMMICH_JOBS_CACHE_DIR", "XDG_RUNTIME_DIR",
	"IMMICH_JOBS_API_KEY_FILE", "IMMICH_JOBS_PROXY"
};

static char *field[NFIELDS];	/* NULL: unset */
static char dir[64], key_file[96], missing_file[96];

static void
cleanup(void)
{
	unlink(key_file);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "%s/fuzz-config.XXXXXX",
	    tmp != NULL && strlen(tmp) < 32 ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("fuzz_config: mkdtemp");
		exit(1);
	}
	snprintf(key_file, sizeof(key_file), "%s/key", dir);
	snprintf(missing_file, sizeof(missing_file), "%s/missing", dir);
	atexit(cleanup);
	return 0;
}

static const char *
fake_getenv(const char *name)
{
	size_t i;

	/* Unset: the other numbers and paths fuzz the same parsers. */
	if (strcmp(name, "IMMICH_JOBS_STALL_AFTER") == 0 ||
	    strcmp(name, "IMMICH_JOBS_CONNECT_TIMEOUT") == 0 ||
	    strcmp(name, "RUNTIME_DIRECTORY") == 0 ||
	    strcmp(name, "IMMICH_JOBS_CLIENT_CERT") == 0 ||
	    strcmp(name, "IMMICH_JOBS_CLIENT_KEY") == 0 ||
	    strcmp(name, "IMMICH_JOBS_NO_PROXY") == 0)
		return NULL;
	for (i = 0; i < NFIELDS; i++)
		if (strcmp(name, names[i]) == 0)
			break;
	CHECK(i < NFIELDS);	/* config_load asks only for these */
	if (i != F_KEY_FILE || field[i] == NULL || field[i][0] == '\0')
		return field[i];
	if (field[i][0] == 'f')
		return key_file;
	if (field[i][0] == 'd')
		return dir;
	return missing_file;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * The key config_load should end up with: s without a UTF-8 byte-order
 * mark and the white space around it.  Returns its start, its length in
 * *len.
 */
static const char *
clean(const char *s, size_t *len)
{
	if (*len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
		*len -= 3;
	}
	while (*len > 0 && (is_space(*s) || *s == '\v' || *s == '\f')) {
		s++;
		(*len)--;
	}
	while (*len > 0 && (is_space(s[*len - 1]) || s[*len - 1] == '\v' ||
	    s[*len - 1] == '\f'))
		(*len)--;
	return s;
}

/* A message made now must not hold secret (a NUL-terminated string). */
static void
check_redacted(const char *secret)
{
	struct err e;

	/* "[***]" holds secret only when secret is made of '[', '*', ']'. */
	if (strspn(secret, "[*]") == strlen(secret))
		return;
	err_set(&e, 502, 0, "[%s]", secret);
	CHECK(strstr(e.msg, secret) == NULL);
}

static void
check_printable(const char *s)
{
	for (; *s != '\0'; s++)
		CHECK(*s >= 0x20 && *s < 0x7f);
}

static void
check_ok(const struct config *c, const char *want_key, size_t want_len)
{
	const char *host, *slash;
	size_t len = strlen(c->base_url), i;

	/* The URL: scheme, something after it, no trailing '/'. */
	CHECK(len < CONFIG_URL_MAX);
	CHECK(strncasecmp(c->base_url, "http://", 7) == 0 ||
	    strncasecmp(c->base_url, "https://", 8) == 0);
	host = strstr(c->base_url, "://") + 3;
	CHECK(*host != '\0' && *host != '/');
	CHECK(c->base_url[len - 1] != '/');
	/* Bytes over 0x7f only in the host name: a name in another script. */
	slash = strchr(host, '/');
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)c->base_url[i];
		CHECK(ch > 0x20 && ch != 0x7f && ch != '?' && ch != '#');
		CHECK(ch < 0x80 || (c->base_url + i >= host &&
		    (slash == NULL || c->base_url + i < slash)));
	}
	/*
	 * Neither form holds "user:password@": libcurl gets them apart.
	 * What was in it is decoded into url_user and url_password.
	 */
	CHECK(strcmp(c->shown_url, c->base_url) == 0);
	host = strstr(c->base_url, "://");
	CHECK(host != NULL);
	host += 3;
	slash = strchr(host, '/');
	CHECK(memchr(host, '@', slash != NULL ? (size_t)(slash - host) :
	    strlen(host)) == NULL);
	if (!c->has_userinfo)
		CHECK(c->url_user[0] == '\0' && c->url_password[0] == '\0');
	else if (c->url_password[0] != '\0')
		check_redacted(c->url_password);
	/* The proxy: the same rules, no user:password@, its password secret. */
	CHECK(strlen(c->proxy) < CONFIG_URL_MAX);
	if (c->proxy[0] != '\0')
		CHECK(strstr(c->proxy, "://") != NULL &&
		    strchr(c->proxy, '@') == NULL &&
		    c->proxy[strlen(c->proxy) - 1] != '/');
	if (c->proxy_password[0] != '\0')
		check_redacted(c->proxy_password);
	/* Numbers, mode, paths. */
	CHECK(c->timeout >= 1 && c->timeout <= 60);
	CHECK(c->cache_ttl >= 0 && c->cache_ttl <= 86400);
	CHECK(c->stale_ttl >= 0 && c->stale_ttl <= 86400);
	CHECK(c->stall_after == 300);
	CHECK(c->api == CONFIG_API_AUTO || c->api == CONFIG_API_JOBS ||
	    c->api == CONFIG_API_QUEUES);
	CHECK(strlen(c->ca_file) < CONFIG_PATH_MAX);
	CHECK(strlen(c->cache_dir) < CONFIG_PATH_MAX - 32);
	CHECK(c->cache_dir[0] == '/' || c->cache_dir[0] == '\0');
	CHECK(c->connect_timeout >= 1 && c->connect_timeout <= c->timeout);
	/* The key: what was given, cleaned; letters and digits only. */
	CHECK(want_key != NULL);
	CHECK(want_len >= CONFIG_KEY_MIN && want_len < CONFIG_KEY_MAX);
	CHECK(strlen(c->key) == want_len);
	CHECK(memcmp(c->key, want_key, want_len) == 0);
	for (i = 0; i < want_len; i++)
		CHECK((c->key[i] >= 'a' && c->key[i] <= 'z') ||
		    (c->key[i] >= 'A' && c->key[i] <= 'Z') ||
		    (c->key[i] >= '0' && c->key[i] <= '9'));
	check_redacted(c->key);
}

static void
check_error(const struct config *c, const struct err *e, const char *key,
    size_t key_len)
{
	char k[CONFIG_KEY_MAX * 8 + 1];
	size_t i;

	CHECK(e->status == 500);
	CHECK(e->upstream_status == 0);
	CHECK(e->msg[0] != '\0');
	check_printable(e->msg);
	for (i = 0; i < sizeof(c->key); i++)
		CHECK(c->key[i] == '\0');	/* wiped */
	for (i = 0; i < sizeof(c->url_password); i++)
		CHECK(c->url_password[i] == '\0' &&
		    c->proxy_password[i] == '\0');
	/*
	 * The message never holds the key.  Only a key of 32 bytes or more
	 * without a space is looked for: a shorter one could be a piece of
	 * the messages' own words.
	 */
	if (key != NULL && key_len >= 32 && key_len < sizeof(k) &&
	    memchr(key, ' ', key_len) == NULL) {
		memcpy(k, key, key_len);
		k[key_len] = '\0';
		if (strlen(k) == key_len)
			CHECK(strstr(e->msg, k) == NULL);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config c;
	const char *p = (const char *)data, *end = p + size;
	const char *rest = NULL, *want_key = NULL;
	size_t rest_len = 0, want_len = 0, i;
	struct err e;
	FILE *f;
	int rc;

	for (i = 0; i < NFIELDS; i++) {
		const char *nl;

		free(field[i]);
		field[i] = NULL;
		if (p > end)
			continue;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		field[i] = strndup(p, (size_t)(nl - p));	/* stops at NUL */
		CHECK(field[i] != NULL);
		p = nl + 1;
	}
	if (p <= end) {
		rest = p;
		rest_len = (size_t)(end - p);
	}
	if (field[F_KEY_FILE] != NULL && field[F_KEY_FILE][0] == 'f') {
		CHECK((f = fopen(key_file, "wb")) != NULL);
		if (rest_len > 0)
			CHECK(fwrite(rest, 1, rest_len, f) == rest_len);
		CHECK(fclose(f) == 0);
		want_len = rest_len;
		want_key = clean(rest != NULL ? rest : "", &want_len);
	} else if (field[F_KEY] != NULL) {
		want_len = strlen(field[F_KEY]);
		want_key = clean(field[F_KEY], &want_len);
	}

	memset(&c, 0xa5, sizeof(c));
	err_clear(&e);
	rc = config_load(&c, fake_getenv, &e);
	if (rc == 0) {
		CHECK(e.status == 0);
		check_ok(&c, want_key, want_len);
	} else {
		CHECK(rc == -1);
		check_error(&c, &e, want_key, want_len);
	}
	if (field[F_KEY_FILE] != NULL && field[F_KEY_FILE][0] == 'f')
		unlink(key_file);
	return 0;
}
