/*
 * test_config.c - cmocka unit tests of config_load and its parsers, through a fake getenv over a table.
 *
 * Everything runs in one private directory made by the group setup and
 * removed by its teardown (tests/unit/unit.c); nothing touches the network.
 */

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "../../lib/cache.h"
#include "../../lib/config.h"
#include "../../lib/counts.h"
#include "../../lib/jobs.h"
#include "../../lib/render.h"

#include "unit.h"

/* Configuration                                                       */
/* ------------------------------------------------------------------ */

/* The fake environment: NAME, value, NAME, value, ..., NULL. */
static const char *const *fake_env;

static const char *
fake_getenv(const char *name)
{
	const char *const *p;

	for (p = fake_env; p != NULL && p[0] != NULL; p += 2)
		if (strcmp(p[0], name) == 0)
			return p[1];
	return NULL;
}

static int
load_env(const char *const *env, struct config *c, struct err *e)
{
	fake_env = env;
	return config_load(c, fake_getenv, e);
}

/*
 * config_load over env must fail with 500, a message naming var (and var2
 * when not NULL) that holds no key material, and no key left in c.
 */
static void
expect_config_error(const char *const *env, const char *var,
    const char *var2)
{
	static struct config c;
	struct err e;

	memset(&c, 0xa5, sizeof(c));
	if (load_env(env, &c, &e) != -1)
		fail_msg("config_load accepted it (want an error naming %s)",
		    var);
	print_message("%s\n", e.msg);
	assert_int_equal(e.status, 500);
	assert_int_equal(e.upstream_status, 0);
	if (strstr(e.msg, var) == NULL)
		fail_msg("message \"%s\" does not name %s", e.msg, var);
	if (var2 != NULL && strstr(e.msg, var2) == NULL)
		fail_msg("message \"%s\" does not name %s", e.msg, var2);
	assert_null(strstr(e.msg, "SECRET"));
	assert_true(all_zero(c.key, sizeof(c.key)));
}

#define URL	"http://immich.local:2283"

static void
test_config_defaults(void **state)
{
	const char *const env[] = {
		"IMMICH_URL", URL "/api/", "IMMICH_JOBS_API_KEY", KEY, NULL
	};
	const char *const env_empty[] = {	/* "" counts as unset */
		"IMMICH_URL", URL, "IMMICH_JOBS_API_KEY", KEY,
		"IMMICH_JOBS_API_KEY_FILE", "", "IMMICH_JOBS_TIMEOUT", "",
		"IMMICH_JOBS_CONNECT_TIMEOUT", "", "IMMICH_JOBS_CA_FILE", "", "IMMICH_JOBS_API", "",
		"IMMICH_JOBS_CACHE_TTL", "", "IMMICH_JOBS_STALE_TTL", "",
		"IMMICH_JOBS_CACHE_DIR", "", "TMPDIR", "", NULL
	};
	const char *const *envs[] = { env, env_empty };
	static struct config c;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		assert_int_equal(load_env(envs[i], &c, &e), 0);
		assert_int_equal(e.status, 0);
		assert_string_equal(c.base_url, URL);
		assert_string_equal(c.shown_url, URL);
		assert_string_equal(c.key, KEY);
		assert_int_equal(c.timeout, 10);
		assert_int_equal(c.connect_timeout, 3);
		assert_string_equal(c.ca_file, "");
		assert_int_equal(c.api, CONFIG_API_AUTO);
		assert_int_equal(c.cache_ttl, 5);
		assert_int_equal(c.stale_ttl, 60);
		/* No fixed name in a shared /tmp: no directory, no cache. */
		assert_string_equal(c.cache_dir, "");
	}
}

static void
test_config_url_normalised(void **state)
{
	static const struct {
		const char *in, *base, *shown;
	} cases[] = {
		{ URL, URL, URL },
		{ URL "/", URL, URL },
		{ URL "/api", URL, URL },
		{ URL "/api/", URL, URL },
		{ URL "//api//", URL, URL },
		{ " " URL "/api \r\n", URL, URL },
		{ "HTTP://immich.local:2283/api", "HTTP://immich.local:2283",
		    "HTTP://immich.local:2283" },
		{ "HtTpS://photos.example.org/", "HtTpS://photos.example.org",
		    "HtTpS://photos.example.org" },
		{ "https://photos.example.org:8443/api",
		    "https://photos.example.org:8443",
		    "https://photos.example.org:8443" },
		{ "http://192.168.1.10:2283/api/", "http://192.168.1.10:2283",
		    "http://192.168.1.10:2283" },
		{ "http://[::1]:2283/api", "http://[::1]:2283",
		    "http://[::1]:2283" },
		{ "http://nas/immich/api", "http://nas/immich",
		    "http://nas/immich" },
		{ "http://nas/immich/", "http://nas/immich",
		    "http://nas/immich" },
		{ "http://nas/apiary", "http://nas/apiary",
		    "http://nas/apiary" },
		{ "http://api", "http://api", "http://api" },
		{ "http://api/api", "http://api", "http://api" },
		{ "http://user:pa55@immich.local:2283/api",
		    "http://user:pa55@immich.local:2283", URL },
		{ "https://admin@photos.example.org/",
		    "https://admin@photos.example.org",
		    "https://photos.example.org" },
		/* A raw '@' in the password: none of it may be shown. */
		{ "http://user:p@ss@immich.local:2283",
		    "http://user:p@ss@immich.local:2283", URL },
		/* '@' after the host is part of the path, not a password. */
		{ "http://nas/a@b", "http://nas/a@b", "http://nas/a@b" },
	};
	static struct config c;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("%s\n", cases[i].in);
		memset(&c, 0, sizeof(c));
		err_clear(&e);
		assert_int_equal(config_parse_url(&c, cases[i].in, &e), 0);
		assert_string_equal(c.base_url, cases[i].base);
		assert_string_equal(c.shown_url, cases[i].shown);
	}
}

static void
test_config_url_rejected(void **state)
{
	static const char *const bad[] = {
		"immich.local:2283", "//immich.local", "ftp://immich.local",
		"httpx://immich.local", "http:/immich.local", "http//x",
		"http://", "https://", "http:///api", "http://:2283",
		"https://:2283/api", "http://user:pw@", "http://user@:2283/",
		"http://immich.local/?x=1", "http://immich.local?", "http://h#",
		"http://immich.local/api#frag", "http://imm ich.local",
		"http://immich.local/a b", "http://immich.local/\tx",
		"http://immich.local\x7f", "http://h\xc3\xb4te.local",
		"http://immich.local/\nx", "http://h:", "http://h:0",
		"http://h:65536", "http://h:99999", "http://h:abc",
		"http://h:2283x/api", "http://[::1", "http://[::1]x",
		"http://[::1]:", "http://u:p@h:1234567",
	};
	static struct config c;
	char long_url[CONFIG_URL_MAX + 1];
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("%s\n", bad[i]);
		err_clear(&e);
		assert_int_equal(config_parse_url(&c, bad[i], &e), -1);
		assert_int_equal(e.status, 500);
		assert_non_null(strstr(e.msg, "IMMICH_URL"));
	}
	/* Unset and empty. */
	assert_int_equal(config_parse_url(&c, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "IMMICH_URL is not set"));
	assert_int_equal(config_parse_url(&c, "", &e), -1);
	assert_non_null(strstr(e.msg, "IMMICH_URL is not set"));
	/* CONFIG_URL_MAX - 1 bytes fit, CONFIG_URL_MAX do not. */
	memset(long_url, 'a', sizeof(long_url));
	memcpy(long_url, "http://h/", 9);
	long_url[CONFIG_URL_MAX - 1] = '\0';
	assert_int_equal(config_parse_url(&c, long_url, &e), 0);
	assert_int_equal(strlen(c.base_url), CONFIG_URL_MAX - 1);
	long_url[CONFIG_URL_MAX - 1] = 'a';
	long_url[CONFIG_URL_MAX] = '\0';
	assert_int_equal(config_parse_url(&c, long_url, &e), -1);
	assert_non_null(strstr(e.msg, "IMMICH_URL is too long"));
	/* Through config_load, with a key set: the key stays out. */
	{
		const char *const env[] = {
			"IMMICH_URL", "ftp://immich.local",
			"IMMICH_JOBS_API_KEY", KEY, NULL
		};
		const char *const none[] = { "IMMICH_JOBS_API_KEY", KEY, NULL };
		const char *const empty[] = {
			"IMMICH_URL", "", "IMMICH_JOBS_API_KEY", KEY, NULL
		};

		expect_config_error(env, "IMMICH_URL", NULL);
		expect_config_error(none, "IMMICH_URL", NULL);
		expect_config_error(empty, "IMMICH_URL", NULL);
	}
}

static void
test_config_seconds(void **state)
{
	static const char *const bad[] = {
		"0", "61", "-1", "-5", "abc", "10s", "5 ", " 5", "\t5", "\n5",
		"+5", "1.5", "0x10", "1e1", "99999999999999999999",
		"-99999999999999999999", "5\n", "", /* "" is the default */
	};
	static const struct {
		const char *in;
		long out;
	} good[] = {
		{ "1", 1 }, { "60", 60 }, { "10", 10 }, { "05", 5 },
	};
	struct err e;
	size_t i;
	long n;

	(void)state;
	for (i = 0; i + 1 < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("[%s]\n", bad[i]);
		n = 0;
		err_clear(&e);
		assert_int_equal(config_parse_seconds(&n, "IMMICH_JOBS_TIMEOUT",
		    bad[i], 10, 1, 60, &e), -1);
		assert_int_equal(e.status, 500);
		assert_string_equal(e.msg, "IMMICH_JOBS_TIMEOUT must be a "
		    "whole number of seconds from 1 to 60");
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(config_parse_seconds(&n, "IMMICH_JOBS_TIMEOUT",
		    good[i].in, 10, 1, 60, &e), 0);
		assert_int_equal(n, good[i].out);
	}
	/* NULL and "" leave the default. */
	n = 0;
	assert_int_equal(config_parse_seconds(&n, "X", NULL, 10, 1, 60, &e), 0);
	assert_int_equal(n, 10);
	n = 0;
	assert_int_equal(config_parse_seconds(&n, "X", "", 7, 1, 60, &e), 0);
	assert_int_equal(n, 7);
	/* 0 is allowed where min is 0 (CACHE_TTL), 86400 is the top. */
	assert_int_equal(config_parse_seconds(&n, "X", "0", 5, 0, 86400, &e), 0);
	assert_int_equal(n, 0);
	assert_int_equal(config_parse_seconds(&n, "X", "86400", 5, 0, 86400,
	    &e), 0);
	assert_int_equal(n, 86400);
}

static void
test_config_numbers_through_load(void **state)
{
	static const char *const bad_timeout[] = {
		"0", "61", "abc", "10s", " 5", "+5", "\t5", "-1",
	};
	static const struct {
		const char *var, *value;
	} bad_other[] = {
		{ "IMMICH_JOBS_CACHE_TTL", "-1" },
		{ "IMMICH_JOBS_CACHE_TTL", "86401" },
		{ "IMMICH_JOBS_CACHE_TTL", "5m" },
		{ "IMMICH_JOBS_STALE_TTL", "1.5" },
		{ "IMMICH_JOBS_STALE_TTL", "86401" },
	};
	static struct config c;
	const char *env[] = {
		"IMMICH_URL", URL, "IMMICH_JOBS_API_KEY", KEY,
		"IMMICH_JOBS_TIMEOUT", NULL, NULL, NULL, NULL
	};
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_timeout) / sizeof(bad_timeout[0]); i++) {
		env[5] = bad_timeout[i];
		expect_config_error(env, "IMMICH_JOBS_TIMEOUT", NULL);
	}
	env[5] = "1";
	assert_int_equal(load_env(env, &c, &e), 0);
	assert_int_equal(c.timeout, 1);
	env[5] = "60";
	assert_int_equal(load_env(env, &c, &e), 0);
	assert_int_equal(c.timeout, 60);
	env[5] = "";
	for (i = 0; i < sizeof(bad_other) / sizeof(bad_other[0]); i++) {
		env[6] = bad_other[i].var;
		env[7] = bad_other[i].value;
		expect_config_error(env, bad_other[i].var, NULL);
	}
	env[6] = "IMMICH_JOBS_CACHE_TTL";
	env[7] = "0";
	assert_int_equal(load_env(env, &c, &e), 0);
	assert_int_equal(c.cache_ttl, 0);
	assert_int_equal(c.timeout, 10);
	env[6] = "IMMICH_JOBS_STALE_TTL";
	env[7] = "3600";
	assert_int_equal(load_env(env, &c, &e), 0);
	assert_int_equal(c.stale_ttl, 3600);
	assert_int_equal(c.cache_ttl, 5);
}

/*
 * IMMICH_JOBS_CONNECT_TIMEOUT: 1-60, 3 by default, never above
 * IMMICH_JOBS_TIMEOUT (whose smaller value lowers the default).
 */
static void
test_config_connect_timeout(void **state)
{
	static const char *const bad[] = { "0", "61", "abc", "2.5", "-1" };
	static struct config c;
	const char *env[] = {
		"IMMICH_URL", URL, "IMMICH_JOBS_API_KEY", KEY,
		"IMMICH_JOBS_TIMEOUT", "", "IMMICH_JOBS_CONNECT_TIMEOUT", "",
		NULL
	};
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		env[7] = bad[i];
		expect_config_error(env, "IMMICH_JOBS_CONNECT_TIMEOUT", NULL);
	}
	env[7] = "1";
	assert_int_equal(load_env(env, &c, &e), 0);
	assert_int_equal(c.connect_timeout, 1);
	env[7] = "10";		/* up to IMMICH_JOBS_TIMEOUT's 10 */
	assert_int_equal(load_env(env, &c, &e), 0);
	assert_int_equal(c.connect_timeout, 10);
	env[7] = "11";
	expect_config_error(env, "IMMICH_JOBS_CONNECT_TIMEOUT",
	    "IMMICH_JOBS_TIMEOUT");
	env[5] = "60";
	env[7] = "60";
	assert_int_equal(load_env(env, &c, &e), 0);
	assert_int_equal(c.connect_timeout, 60);
	env[5] = "2";		/* the default follows a shorter timeout */
	env[7] = "";
	assert_int_equal(load_env(env, &c, &e), 0);
	assert_int_equal(c.timeout, 2);
	assert_int_equal(c.connect_timeout, 2);
	env[7] = "3";
	expect_config_error(env, "IMMICH_JOBS_CONNECT_TIMEOUT",
	    "IMMICH_JOBS_TIMEOUT");
}

static void
test_config_api(void **state)
{
	static const struct {
		const char *value;
		enum config_api api;
	} good[] = {
		{ "auto", CONFIG_API_AUTO }, { "jobs", CONFIG_API_JOBS },
		{ "queues", CONFIG_API_QUEUES }, { "", CONFIG_API_AUTO },
	};
	static const char *const bad[] = {
		"JOBS", "Queues", " jobs", "jobs ", "v2", "both", "queue",
	};
	static struct config c;
	const char *env[] = {
		"IMMICH_URL", URL, "IMMICH_JOBS_API_KEY", KEY,
		"IMMICH_JOBS_API", NULL, NULL
	};
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		env[5] = good[i].value;
		assert_int_equal(load_env(env, &c, &e), 0);
		assert_int_equal(c.api, good[i].api);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		env[5] = bad[i];
		expect_config_error(env, "IMMICH_JOBS_API", NULL);
	}
}

static void
test_config_key_env(void **state)
{
	static struct config c;
	char long_key[CONFIG_KEY_MAX + 2];
	const char *env[] = {
		"IMMICH_URL", URL, "IMMICH_JOBS_API_KEY", NULL, NULL
	};
	const char *const no_key[] = { "IMMICH_URL", URL, NULL };
	const char *const no_key_queues[] = {
		"IMMICH_URL", URL, "IMMICH_JOBS_API", "queues", NULL
	};
	const char *const no_key_jobs[] = {
		"IMMICH_URL", URL, "IMMICH_JOBS_API", "jobs", NULL
	};
	const char *const both[] = {
		"IMMICH_URL", URL, "IMMICH_JOBS_API_KEY", KEY,
		"IMMICH_JOBS_API_KEY_FILE", "/nonexistent/key", NULL
	};
	const char *const both_empty[] = {
		"IMMICH_URL", URL, "IMMICH_JOBS_API_KEY", "",
		"IMMICH_JOBS_API_KEY_FILE", "", NULL
	};
	struct err e;

	(void)state;
	env[3] = KEY " \t\r\n";		/* trailing white space dropped */
	assert_int_equal(load_env(env, &c, &e), 0);
	assert_string_equal(c.key, KEY);
	/* The permission asked for is the one of the endpoint to be asked. */
	expect_config_error(no_key, "IMMICH_JOBS_API_KEY", "with the job.read "
	    "or queue.read permission");
	expect_config_error(no_key_queues, "IMMICH_JOBS_API_KEY", "with the "
	    "queue.read permission");
	expect_config_error(no_key_jobs, "IMMICH_JOBS_API_KEY", "with the "
	    "job.read permission");
	expect_config_error(both_empty, "IMMICH_JOBS_API_KEY", NULL);
	expect_config_error(both, "IMMICH_JOBS_API_KEY and "
	    "IMMICH_JOBS_API_KEY_FILE", NULL);
	env[3] = "SECRET-first\nSECRET-second";
	expect_config_error(env, "IMMICH_JOBS_API_KEY", "line break");
	env[3] = "SECRET\tkey";
	expect_config_error(env, "IMMICH_JOBS_API_KEY", NULL);
	env[3] = " \r\n";
	expect_config_error(env, "IMMICH_JOBS_API_KEY", "empty");
	/* CONFIG_KEY_MAX - 1 bytes fit; one more does not. */
	memset(long_key, 'k', sizeof(long_key));
	memcpy(long_key, "SECRET", 6);
	long_key[CONFIG_KEY_MAX - 1] = '\0';
	env[3] = long_key;
	assert_int_equal(load_env(env, &c, &e), 0);
	assert_int_equal(strlen(c.key), CONFIG_KEY_MAX - 1);
	long_key[CONFIG_KEY_MAX - 1] = 'k';
	long_key[CONFIG_KEY_MAX] = '\0';
	expect_config_error(env, "IMMICH_JOBS_API_KEY", "too long");
	long_key[CONFIG_KEY_MAX] = 'k';
	long_key[CONFIG_KEY_MAX + 1] = '\0';
	expect_config_error(env, "IMMICH_JOBS_API_KEY", "too long");
}

static void
test_config_key_file(void **state)
{
	static const struct {
		const char *content;
	} good[] = {
		{ KEY }, { KEY "\n" }, { KEY "\r\n" }, { KEY "   \t\n\n" },
	};
	static struct config c;
	static char big[4096 + 2];
	char path[256], dir[256];
	const char *env[] = {
		"IMMICH_URL", URL, "IMMICH_JOBS_API_KEY_FILE", NULL,
		"IMMICH_JOBS_API_KEY", "", NULL		/* "" = unset */
	};
	struct err e;
	size_t i;

	(void)state;
	tmp_path(path, sizeof(path), "keyfile");
	env[3] = path;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		write_file(path, good[i].content, strlen(good[i].content));
		assert_int_equal(load_env(env, &c, &e), 0);
		assert_string_equal(c.key, KEY);
	}
	/* 4096 bytes (the key and white space) are read; 4097 are not. */
	memset(big, '\n', sizeof(big));
	memcpy(big, KEY, strlen(KEY));
	write_file(path, big, 4096);
	assert_int_equal(load_env(env, &c, &e), 0);
	assert_string_equal(c.key, KEY);
	write_file(path, big, 4097);
	expect_config_error(env, "IMMICH_JOBS_API_KEY_FILE", "4096");
	/* A key too long for CONFIG_KEY_MAX inside a small enough file. */
	memset(big, 'k', sizeof(big));
	memcpy(big, "SECRET", 6);
	write_file(path, big, CONFIG_KEY_MAX - 1);
	assert_int_equal(load_env(env, &c, &e), 0);
	assert_int_equal(strlen(c.key), CONFIG_KEY_MAX - 1);
	write_file(path, big, CONFIG_KEY_MAX);
	expect_config_error(env, "IMMICH_JOBS_API_KEY_FILE", "too long");
	write_file(path, big, 4096);
	expect_config_error(env, "IMMICH_JOBS_API_KEY_FILE", "too long");
	/* Empty, blank, a line break inside, a NUL inside. */
	write_file(path, "", 0);
	expect_config_error(env, "IMMICH_JOBS_API_KEY_FILE", "empty");
	write_file(path, " \r\n\t\n", 5);
	expect_config_error(env, "IMMICH_JOBS_API_KEY_FILE", "empty");
	write_file(path, "SECRET-line1\nSECRET-line2\n", 26);
	expect_config_error(env, "IMMICH_JOBS_API_KEY_FILE", "line break");
	write_file(path, "SECRET\0tail", 11);
	expect_config_error(env, "IMMICH_JOBS_API_KEY_FILE", NULL);
	/* Unreadable: missing, a directory, and (when not root) mode 0. */
	env[3] = "/nonexistent/immich-key";
	expect_config_error(env, "IMMICH_JOBS_API_KEY_FILE", "cannot be read");
	env[3] = tmp_path(dir, sizeof(dir), "keydir");
	assert_int_equal(mkdir(dir, 0700), 0);
	expect_config_error(env, "IMMICH_JOBS_API_KEY_FILE", "cannot be read");
	if (geteuid() != 0) {
		write_file(path, KEY, strlen(KEY));
		assert_int_equal(chmod(path, 0), 0);
		env[3] = path;
		expect_config_error(env, "IMMICH_JOBS_API_KEY_FILE",
		    "cannot be read");
	}
	/* Both set, from the file's side too. */
	{
		const char *const both[] = {
			"IMMICH_URL", URL, "IMMICH_JOBS_API_KEY_FILE", path,
			"IMMICH_JOBS_API_KEY", KEY, NULL
		};
		expect_config_error(both, "IMMICH_JOBS_API_KEY and "
		    "IMMICH_JOBS_API_KEY_FILE", NULL);
	}
}

static void
test_config_clean_key(void **state)
{
	static struct config c;
	char buf[CONFIG_KEY_MAX + 8];
	struct err e;

	(void)state;
	memcpy(buf, "abcdefghijklmnop \t\r\n", 20);
	assert_int_equal(config_clean_key(&c, buf, 20, "FROM", &e), 0);
	assert_string_equal(c.key, "abcdefghijklmnop");
	/* Under CONFIG_KEY_MIN: too short to keep out of messages. */
	assert_int_equal(config_clean_key(&c, buf, 15, "FROM", &e), -1);
	assert_non_null(strstr(e.msg, "FROM is too short"));
	memcpy(buf, "ab\0cd", 5);		/* a NUL inside */
	assert_int_equal(config_clean_key(&c, buf, 5, "FROM", &e), -1);
	assert_non_null(strstr(e.msg, "FROM"));
	memcpy(buf, "ab\x7f" "cd", 5);		/* DEL */
	assert_int_equal(config_clean_key(&c, buf, 5, "FROM", &e), -1);
	assert_int_equal(config_clean_key(&c, buf, 0, "FROM", &e), -1);
	assert_non_null(strstr(e.msg, "FROM is empty"));
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(config_clean_key(&c, buf, CONFIG_KEY_MAX - 1, "FROM",
	    &e), 0);
	assert_int_equal(strlen(c.key), CONFIG_KEY_MAX - 1);
	assert_int_equal(config_clean_key(&c, buf, CONFIG_KEY_MAX, "FROM", &e),
	    -1);
	assert_int_equal(e.status, 500);
	assert_non_null(strstr(e.msg, "FROM is too long"));
	/* Trailing white space does not count toward the limit. */
	buf[CONFIG_KEY_MAX - 1] = '\n';
	buf[CONFIG_KEY_MAX] = '\r';
	assert_int_equal(config_clean_key(&c, buf, CONFIG_KEY_MAX + 1, "FROM",
	    &e), 0);
	assert_int_equal(strlen(c.key), CONFIG_KEY_MAX - 1);
}

static void
test_config_paths(void **state)
{
	static struct config c;
	char ca[256], longp[CONFIG_PATH_MAX + 16];
	const char *env[] = {
		"IMMICH_URL", URL, "IMMICH_JOBS_API_KEY", KEY,
		NULL, NULL, NULL
	};
	struct err e;

	(void)state;
	/*
	 * Cache directory: set outright, else systemd's RuntimeDirectory=
	 * (the first of several), else $XDG_RUNTIME_DIR/immich-jobs-proxy;
	 * TMPDIR is never used (another user could make the name first).
	 */
	env[4] = "TMPDIR";
	env[5] = "/var/tmp";
	assert_int_equal(load_env(env, &c, &e), 0);
	assert_string_equal(c.cache_dir, "");
	env[4] = "XDG_RUNTIME_DIR";
	env[5] = "/run/user/1000";
	assert_int_equal(load_env(env, &c, &e), 0);
	assert_string_equal(c.cache_dir, "/run/user/1000/immich-jobs-proxy");
	env[4] = "RUNTIME_DIRECTORY";
	env[5] = "/run/immich-jobs-proxy:/run/other";
	assert_int_equal(load_env(env, &c, &e), 0);
	assert_string_equal(c.cache_dir, "/run/immich-jobs-proxy");
	env[5] = "relative";
	expect_config_error(env, "RUNTIME_DIRECTORY", "absolute path");
	env[4] = "XDG_RUNTIME_DIR";
	expect_config_error(env, "XDG_RUNTIME_DIR", "absolute path");
	env[4] = "IMMICH_JOBS_CACHE_DIR";
	env[5] = "/srv/ijp-cache";
	assert_int_equal(load_env(env, &c, &e), 0);
	assert_string_equal(c.cache_dir, "/srv/ijp-cache");
	memset(longp, 'd', sizeof(longp));
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	env[5] = longp;
	expect_config_error(env, "IMMICH_JOBS_CACHE_DIR", NULL);
	env[4] = "XDG_RUNTIME_DIR";
	longp[CONFIG_PATH_MAX - 10] = '\0';	/* fits, but not with the suffix */
	expect_config_error(env, "XDG_RUNTIME_DIR", NULL);
	/* CA file: readable is kept, unreadable or too long is an error. */
	write_file(tmp_path(ca, sizeof(ca), "ca.pem"), "x\n", 2);
	env[4] = "IMMICH_JOBS_CA_FILE";
	env[5] = ca;
	assert_int_equal(load_env(env, &c, &e), 0);
	assert_string_equal(c.ca_file, ca);
	env[5] = "/nonexistent/ca.pem";
	expect_config_error(env, "IMMICH_JOBS_CA_FILE", "cannot be read");
	longp[CONFIG_PATH_MAX - 10] = 'd';
	env[5] = longp;
	expect_config_error(env, "IMMICH_JOBS_CA_FILE", "too long");
	env[5] = "/tmp";		/* a directory */
	expect_config_error(env, "IMMICH_JOBS_CA_FILE", "is not a file");
	/* A relative cache directory would depend on the CGI's cwd. */
	env[4] = "IMMICH_JOBS_CACHE_DIR";
	env[5] = "relative-cache";
	expect_config_error(env, "IMMICH_JOBS_CACHE_DIR", "absolute path");
}


int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_config_url_normalised),
		cmocka_unit_test(test_config_url_rejected),
		cmocka_unit_test(test_config_seconds),
		cmocka_unit_test(test_config_numbers_through_load),
		cmocka_unit_test(test_config_connect_timeout),
		cmocka_unit_test(test_config_api),
		cmocka_unit_test(test_config_key_env),
		cmocka_unit_test(test_config_key_file),
		cmocka_unit_test(test_config_clean_key),
		cmocka_unit_test(test_config_paths),
	};

	return cmocka_run_group_tests_name("config", tests, group_setup,
	    group_teardown);
}
