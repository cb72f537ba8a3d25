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
 *   3 IMMICH_JOBS_CACHE_TTL 8 TMPDIR
 *   4 IMMICH_JOBS_STALE_TTL 9 IMMICH_JOBS_API_KEY_FILE: "f..." a temporary
 *     file holding the rest of the input (newlines and NULs included),
 *     "d..." a directory, anything else a file that does not exist.
 * Checks what config.h promises: an error is a 500 with a printable
 * message that does not hold the key, and leaves no key behind; a success
 * has a normalised URL whose shown form holds no "user:password@", numbers
 * in range and a clean key equal to what was given.
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
    F_CACHE_DIR, F_TMPDIR, F_KEY_FILE, NFIELDS };

static const char *const names[NFIELDS] = {
	"IMMICH_URL", "IMMICH_JOBS_API_KEY", "IMMICH_JOBS_TIMEOUT",
	"IMMICH_JOBS_CACHE_TTL", "IMMICH_JOBS_STALE_TTL", "IMMICH_JOBS_API",
	"IMMICH_JOBS_CA_FILE", "IMMICH_JOBS_CACHE_DIR", "TMPDIR",
	"IMMICH_JOBS_API_KEY_FILE"
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

/* The key config_load should end up with: s with trailing space dropped. */
static size_t
clean_len(const char *s, size_t len)
{
	while (len > 0 && is_space(s[len - 1]))
		len--;
	return len;
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
	for (i = 0; i < len; i++)
		CHECK(c->base_url[i] > 0x20 && c->base_url[i] < 0x7f &&
		    c->base_url[i] != '?' && c->base_url[i] != '#');
	/* The shown form: the same without any "user:password@". */
	CHECK(strlen(c->shown_url) <= len);
	host = strstr(c->shown_url, "://");
	CHECK(host != NULL);
	host += 3;
	slash = strchr(host, '/');
	CHECK(memchr(host, '@', slash != NULL ? (size_t)(slash - host) :
	    strlen(host)) == NULL);
	CHECK(strcmp(c->base_url + len - strlen(slash != NULL ? slash : ""),
	    slash != NULL ? slash : "") == 0);
	/* Numbers, mode, paths. */
	CHECK(c->timeout >= 1 && c->timeout <= 60);
	CHECK(c->cache_ttl >= 0 && c->cache_ttl <= 86400);
	CHECK(c->stale_ttl >= 0 && c->stale_ttl <= 86400);
	CHECK(c->api == CONFIG_API_AUTO || c->api == CONFIG_API_JOBS ||
	    c->api == CONFIG_API_QUEUES);
	CHECK(strlen(c->ca_file) < CONFIG_PATH_MAX);
	CHECK(c->cache_dir[0] != '\0' &&
	    strlen(c->cache_dir) < CONFIG_PATH_MAX);
	/* The key: what was given, without trailing space, no control. */
	CHECK(want_key != NULL);
	CHECK(want_len > 0 && want_len < CONFIG_KEY_MAX);
	CHECK(strlen(c->key) == want_len);
	CHECK(memcmp(c->key, want_key, want_len) == 0);
	for (i = 0; i < want_len; i++)
		CHECK((unsigned char)c->key[i] >= 0x20 && c->key[i] != 0x7f);
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
		want_key = rest != NULL ? rest : "";
		want_len = clean_len(want_key, rest_len);
	} else if (field[F_KEY] != NULL) {
		want_key = field[F_KEY];
		want_len = clean_len(want_key, strlen(want_key));
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
