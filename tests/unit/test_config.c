/*
 * test_config.c - cmocka unit tests of config_load and its parsers, through
 * a fake getenv over a table.
 *
 * Everything runs in one private directory made by the group setup and
 * removed by its teardown (tests/unit/unit.c); nothing touches the network.
 */

#include <sys/stat.h>
#include <sys/wait.h>

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../lib/config.h"
#include "../../lib/err.h"
#include "../../lib/render.h"
#include "../../lib/str.h"
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
		const char *in, *base, *user, *password;
	} cases[] = {
		{ URL, URL, NULL, NULL },
		{ URL "/", URL, NULL, NULL },
		{ URL "/api", URL, NULL, NULL },
		{ URL "/api/", URL, NULL, NULL },
		{ URL "//api//", URL, NULL, NULL },
		{ " " URL "/api \r\n", URL, NULL, NULL },
		{ "HTTP://immich.local:2283/api", "HTTP://immich.local:2283",
		    NULL, NULL },
		{ "HtTpS://photos.example.org/", "HtTpS://photos.example.org",
		    NULL, NULL },
		{ "https://photos.example.org:8443/api",
		    "https://photos.example.org:8443", NULL, NULL },
		{ "http://192.168.1.10:2283/api/", "http://192.168.1.10:2283",
		    NULL, NULL },
		{ "http://[::1]:2283/api", "http://[::1]:2283", NULL, NULL },
		{ "http://nas/immich/api", "http://nas/immich", NULL, NULL },
		{ "http://nas/immich/", "http://nas/immich", NULL, NULL },
		{ "http://nas/apiary", "http://nas/apiary", NULL, NULL },
		{ "http://api", "http://api", NULL, NULL },
		{ "http://api/api", "http://api", NULL, NULL },
		/*
		 * user:password@ is taken out of the URL for libcurl's
		 * CURLOPT_USERNAME and CURLOPT_PASSWORD, decoded.
		 */
		{ "http://user:pa55@immich.local:2283/api", URL, "user",
		    "pa55" },
		{ "https://admin@photos.example.org/",
		    "https://photos.example.org", "admin", "" },
		/* A raw '@' in the password: the last '@' ends it. */
		{ "http://user:p@ss@immich.local:2283", URL, "user", "p@ss" },
		{ "http://us%65r:p%40ss%3a%zz@immich.local:2283", URL, "user",
		    "p@ss:%zz" },
		{ "http://:only-password@immich.local:2283", URL, "",
		    "only-password" },
		{ "http://u:a:b@[::1]:2283/api", "http://[::1]:2283", "u",
		    "a:b" },
		/* '@' after the host is part of the path, not a password. */
		{ "http://nas/a@b", "http://nas/a@b", NULL, NULL },
		/* A host name in another script (IDN), as UTF-8. */
		{ "http://h\xc3\xb4te.local:2283/api/",
		    "http://h\xc3\xb4te.local:2283", NULL, NULL },
		{ "https://u:p@\xe5\x86\x99\xe7\x9c\x9f.example",
		    "https://\xe5\x86\x99\xe7\x9c\x9f.example", "u", "p" },
	};
	static struct config c;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("%s\n", cases[i].in);
		memset(&c, 0xa5, sizeof(c));
		err_clear(&e);
		assert_int_equal(config_parse_url(&c, cases[i].in, &e), 0);
		assert_string_equal(c.base_url, cases[i].base);
		assert_string_equal(c.shown_url, cases[i].base);
		assert_int_equal(c.has_userinfo, cases[i].user != NULL);
		assert_string_equal(c.url_user,
		    cases[i].user != NULL ? cases[i].user : "");
		assert_string_equal(c.url_password,
		    cases[i].password != NULL ? cases[i].password : "");
	}
	/* "%00" cannot be sent: refused at configuration time. */
	assert_int_equal(config_parse_url(&c, "http://u:a%00b@h", &e), -1);
	assert_non_null(strstr(e.msg, "IMMICH_URL's user name or password "
	    "holds %00"));
	assert_true(all_zero(c.url_password, sizeof(c.url_password)));
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
		"http://immich.local\x7f",
		/* Non-ASCII outside the host name, or not UTF-8. */
		"http://h/\xc3\xb4", "http://\xc3\xb4:p@h", "http://h\xff.local",
		"http://h\xc3.local", "http://h\xc3\xb4te.local:2283\xc3\xb4",
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
	static const struct {
		const char *in, *shown;
	} bad[] = {
		{ "0", "0" }, { "61", "61" }, { "-1", "-1" }, { "-5", "-5" },
		{ "abc", "abc" }, { "10s", "10s" }, { "+5", "+5" },
		{ "1.5", "1.5" }, { "0x10", "0x10" }, { "1e1", "1e1" },
		{ " 5 5 ", "5 5" }, { "\t1 0\n", "1 0" },
		{ "99999999999999999999", "99999999999999999999" },
		{ "-99999999999999999999", "-99999999999999999999" },
		{ "1234567890123456789012345678901234567890123",
		    "1234567890123456789012345678901234567890..." },
	};
	static const struct {
		const char *in;
		long out;
	} good[] = {
		{ "1", 1 }, { "60", 60 }, { "10", 10 }, { "05", 5 },
		/* One rule for every variable: white space around is dropped. */
		{ "5 ", 5 }, { " 5", 5 }, { "\t5", 5 }, { "\n5", 5 },
		{ "5\n", 5 }, { " \t 7 \r\n", 7 },
	};
	char want[160];
	struct err e;
	size_t i;
	long n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("[%s]\n", bad[i].in);
		n = 0;
		err_clear(&e);
		assert_int_equal(config_parse_seconds(&n, "IMMICH_JOBS_TIMEOUT",
		    bad[i].in, 10, 1, 60, &e), -1);
		assert_int_equal(e.status, 500);
		/* The value received is shown back, trimmed, cut at 40. */
		snprintf(want, sizeof(want), "IMMICH_JOBS_TIMEOUT must be a "
		    "whole number of seconds from 1 to 60, not \"%s\"",
		    bad[i].shown);
		assert_string_equal(e.msg, want);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(config_parse_seconds(&n, "IMMICH_JOBS_TIMEOUT",
		    good[i].in, 10, 1, 60, &e), 0);
		assert_int_equal(n, good[i].out);
	}
	/* NULL, "" and blank leave the default. */
	n = 0;
	assert_int_equal(config_parse_seconds(&n, "X", NULL, 10, 1, 60, &e), 0);
	assert_int_equal(n, 10);
	n = 0;
	assert_int_equal(config_parse_seconds(&n, "X", "", 7, 1, 60, &e), 0);
	assert_int_equal(n, 7);
	n = 0;
	assert_int_equal(config_parse_seconds(&n, "X", " \t", 7, 1, 60, &e), 0);
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
		"0", "61", "abc", "10s", "5 5", "+5", "\t-5", "-1",
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
	env[5] = KEY;		/* pasted in the wrong variable: not shown */
	expect_config_error(env, "IMMICH_JOBS_TIMEOUT", "not \"***\"");
	env[5] = "5 ";		/* as a shell or a compose file may pass it */
	assert_int_equal(load_env(env, &c, &e), 0);
	assert_int_equal(c.timeout, 5);
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
		/* Case-insensitive, trimmed, as every value. */
		{ "AUTO", CONFIG_API_AUTO }, { "JOBS", CONFIG_API_JOBS },
		{ "Queues", CONFIG_API_QUEUES }, { " jobs", CONFIG_API_JOBS },
		{ "jobs \n", CONFIG_API_JOBS }, { " ", CONFIG_API_AUTO },
	};
	static const char *const bad[] = {
		"v2", "both", "queue", "jobs queues", "autox",
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
		char shown[32];
		env[5] = bad[i];
		snprintf(shown, sizeof(shown), "not \"%s\"", bad[i]);
		expect_config_error(env, "IMMICH_JOBS_API", shown);
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
	env[3] = "SECRETfirst0123456\nSECRETsecond012345";
	expect_config_error(env, "IMMICH_JOBS_API_KEY", "line break");
	env[3] = "SECRET\tkey0123456789";
	expect_config_error(env, "IMMICH_JOBS_API_KEY", "a tab");
	env[3] = " \r\n";		/* blank counts as unset */
	expect_config_error(env, "IMMICH_JOBS_API_KEY", "no API key");
	/*
	 * A key too short to be one is not masked: "***" for every "1" or
	 * "short" garbled the message that says it is too short.
	 */
	env[3] = "short";
	expect_config_error(env, "IMMICH_JOBS_API_KEY", "is too short for an "
	    "Immich API key (under 16 characters)");
	env[3] = "1";
	assert_int_equal(load_env(env, &c, &e), -1);
	assert_null(strstr(e.msg, "*"));
	assert_non_null(strstr(e.msg, "(under 16 characters)"));
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
	write_file(path, "SECRETline1\nSECRETline2\n", 24);
	expect_config_error(env, "IMMICH_JOBS_API_KEY_FILE", "line break");
	write_file(path, "SECRET\0tail", 11);
	expect_config_error(env, "IMMICH_JOBS_API_KEY_FILE", NULL);
	/* Unreadable: missing, a directory, and (when not root) mode 0. */
	env[3] = "/nonexistent/immich-key";
	expect_config_error(env, "IMMICH_JOBS_API_KEY_FILE", "does not exist "
	    "(check the path, and that the file is mounted");
	env[3] = tmp_path(dir, sizeof(dir), "keydir");
	assert_int_equal(mkdir(dir, 0700), 0);
	expect_config_error(env, "IMMICH_JOBS_API_KEY_FILE", "is a directory: give a regular file");
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
	assert_int_equal(key_clean(c.key, buf, 20, "FROM", &e), 0);
	assert_string_equal(c.key, "abcdefghijklmnop");
	/* Under CONFIG_KEY_MIN: too short to keep out of messages. */
	assert_int_equal(key_clean(c.key, buf, 15, "FROM", &e), -1);
	assert_non_null(strstr(e.msg, "FROM is too short"));
	memcpy(buf, "ab\0cd", 5);		/* a NUL inside */
	assert_int_equal(key_clean(c.key, buf, 5, "FROM", &e), -1);
	assert_non_null(strstr(e.msg, "FROM"));
	memcpy(buf, "ab\x7f" "cd", 5);		/* DEL */
	assert_int_equal(key_clean(c.key, buf, 5, "FROM", &e), -1);
	assert_int_equal(key_clean(c.key, buf, 0, "FROM", &e), -1);
	assert_non_null(strstr(e.msg, "FROM is empty"));
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(key_clean(c.key, buf, CONFIG_KEY_MAX - 1, "FROM",
	    &e), 0);
	assert_int_equal(strlen(c.key), CONFIG_KEY_MAX - 1);
	assert_int_equal(key_clean(c.key, buf, CONFIG_KEY_MAX, "FROM", &e),
	    -1);
	assert_int_equal(e.status, 500);
	assert_non_null(strstr(e.msg, "FROM is too long"));
	/* Trailing white space does not count toward the limit. */
	buf[CONFIG_KEY_MAX - 1] = '\n';
	buf[CONFIG_KEY_MAX] = '\r';
	assert_int_equal(key_clean(c.key, buf, CONFIG_KEY_MAX + 1, "FROM",
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


/*
 * A key file that is not a regular file is refused at once: a FIFO with no
 * writer used to block open() forever (every request, /healthz and the
 * start-up check).  alarm() turns a hang into a failed test.
 */
static void
test_config_key_file_never_blocks(void **state)
{
	char fifo[256];
	const char *env[] = {
		"IMMICH_URL", URL, "IMMICH_JOBS_API_KEY_FILE", NULL, NULL
	};

	(void)state;
	tmp_path(fifo, sizeof(fifo), "key.fifo");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	env[3] = fifo;
	alarm(10);
	expect_config_error(env, "IMMICH_JOBS_API_KEY_FILE", "a named pipe "
	    "(FIFO): give a regular file holding only the key");
	env[3] = "/dev/null";
	expect_config_error(env, "IMMICH_JOBS_API_KEY_FILE", "/dev/null is "
	    "a device");
	alarm(0);
	unlink(fifo);
}

/*
 * An unreadable key file (a 0600 root-owned Docker secret read by the
 * service's own user) names the path and the uid the service runs as.
 * As root, a child process drops to uid 65534 to be refused.
 */
static void
test_config_key_file_unreadable(void **state)
{
	char path[256], want[512], msg[ERR_MSG_MAX];
	const char *env[] = {
		"IMMICH_URL", URL, "IMMICH_JOBS_API_KEY_FILE", NULL, NULL
	};
	unsigned long uid = geteuid() == 0 ? 65534 : geteuid();
	static struct config c;
	struct err e;
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	(void)state;
	tmp_path(path, sizeof(path), "secret-key");
	write_file(path, KEY, strlen(KEY));
	assert_int_equal(chmod(path, 0600), 0);
	if (geteuid() != 0)
		assert_int_equal(chmod(path, 0), 0);
	env[3] = path;
	assert_int_equal(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		int rc;
		/* The private directory is 0700: let the child through. */
		if (geteuid() == 0 && (chmod(tmproot, 0711) != 0 ||
		    setgid(65534) != 0 || setuid(65534) != 0))
			_exit(3);
		fake_env = env;
		rc = config_load(&c, fake_getenv, &e);
		if (write(fds[1], e.msg, strlen(e.msg) + 1) < 0)
			_exit(4);
		_exit(rc == -1 && e.status == 500 ? 0 : 5);
	}
	close(fds[1]);
	n = read(fds[0], msg, sizeof(msg) - 1);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	chmod(tmproot, 0700);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_true(n > 0);
	msg[n] = '\0';
	print_message("%s\n", msg);
	snprintf(want, sizeof(want), "IMMICH_JOBS_API_KEY_FILE %s cannot be "
	    "read by uid %lu, which runs the service: Permission denied (it "
	    "belongs to uid %lu, mode %04o): make it readable by uid %lu",
	    path, uid, (unsigned long)geteuid(), geteuid() == 0 ? 0600 : 0,
	    uid);
	if (strstr(msg, want) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", msg, want);
	assert_null(strstr(msg, "SECRET"));
}

/*
 * Key hygiene: a UTF-8 byte-order mark and white space around the key go;
 * any character an Immich key never has is a configuration error that
 * says which kind and where, never the key.
 */
static void
test_config_key_hygiene(void **state)
{
	static const char *const good[] = {
		"\xef\xbb\xbf" KEY, "\xef\xbb\xbf" KEY "\r\n", " \t" KEY " ",
		"\n\n" KEY "\n", "\xef\xbb\xbf  " KEY "\r\n\r\n",
	};
	static const struct {
		const char *value, *want;
	} bad[] = {
		{ "SECRET key 0123456789", "the key holds a space at character "
		    "7 of 21; Immich's API keys are only letters and digits: "
		    "copy the key alone" },
		{ "\"" KEY "\"", "the key holds a quotation mark at character "
		    "1 of 40" },
		{ "'" KEY "'", "the key holds a quotation mark at character 1 "
		    "of 40" },
		{ KEY "`", "the key holds a quotation mark at character 39 of "
		    "39" },
		{ "SECRET0123456789=abc", "the key holds an '=' at character "
		    "17 of 20" },
		{ "IMMICH_JOBS_API_KEY=" KEY, "the key holds an '=' at character "
		    "20: it looks like a copied \"IMMICH_JOBS_API_KEY=...\" line; "
		    "give only the key" },
		{ "export IMMICH_JOBS_API_KEY=" KEY, "the key holds an '=' at "
		    "character 27: "
		    "it looks like a copied \"IMMICH_JOBS_API_KEY=...\" line" },
		{ "SECRET-api-key-0123456789", "the key holds a '-' at "
		    "character 7 of 25" },
		{ "SECRET0123456789\xc3\xa9", "the key holds a non-ASCII "
		    "character at "
		    "character 17 of 18" },
		{ "\xe2\x80\x9c" KEY "\xe2\x80\x9d", "the key holds a "
		    "typographic quotation mark at character 1" },
		{ "SECRET01234\xc2\xa0" "56789", "the key holds a non-breaking "
		    "space at character 12" },
		{ "SECRET0123456789\xe2\x80\x8b", "the key holds a zero-width "
		    "space" },
		{ "SECRET0123456789\x01", "the key holds a control character at "
		    "character 17" },
		{ "SECRET0123456789\r\nSECRET0123456789", "the key holds a line "
		    "break at "
		    "character 17 of 34; Immich's API keys are only letters and "
		    "digits: the key must be on one line" },
		{ "\xff\xfeS\0E\0C\0R\0E\0T\0", "is in UTF-16" },
	};
	static struct config c;
	char path[256], want[512];
	const char *file_env[] = {
		"IMMICH_URL", URL, "IMMICH_JOBS_API_KEY_FILE", NULL, NULL
	};
	const char *var_env[] = {
		"IMMICH_URL", URL, "IMMICH_JOBS_API_KEY", NULL, NULL
	};
	struct err e;
	size_t i, len;

	(void)state;
	tmp_path(path, sizeof(path), "hygiene-key");
	file_env[3] = path;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		write_file(path, good[i], strlen(good[i]));
		assert_int_equal(load_env(file_env, &c, &e), 0);
		assert_string_equal(c.key, KEY);
		var_env[3] = good[i];
		assert_int_equal(load_env(var_env, &c, &e), 0);
		assert_string_equal(c.key, KEY);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = i + 1 == sizeof(bad) / sizeof(bad[0]) ? 14 :
		    strlen(bad[i].value);
		write_file(path, bad[i].value, len);
		snprintf(want, sizeof(want), "IMMICH_JOBS_API_KEY_FILE%s%s",
		    bad[i].want[0] == 'i' ? " " : ": ", bad[i].want);
		expect_config_error(file_env, want, NULL);
		if (len != strlen(bad[i].value))
			continue;	/* a NUL cannot be in a variable */
		var_env[3] = bad[i].value;
		snprintf(want, sizeof(want), "IMMICH_JOBS_API_KEY%s%s",
		    bad[i].want[0] == 'i' ? " " : ": ", bad[i].want);
		expect_config_error(var_env, want, NULL);
	}
}

/* Every problem at once, each naming its variable. */
static void
test_config_all_problems(void **state)
{
	const char *const nothing[] = { NULL };
	const char *const blank[] = {
		"IMMICH_URL", "", "IMMICH_JOBS_API_KEY", " ",
		"IMMICH_JOBS_API_KEY_FILE", "", NULL
	};
	const char *const many[] = {
		"IMMICH_URL", "ftp://immich.local",
		"IMMICH_JOBS_API_KEY", "SECRET key",
		"IMMICH_JOBS_TIMEOUT", "61", "IMMICH_JOBS_CACHE_TTL", "5m",
		"IMMICH_JOBS_STALE_TTL", "-1", "IMMICH_JOBS_API", "v3",
		"IMMICH_JOBS_CA_FILE", "/nonexistent/ca.pem",
		"IMMICH_JOBS_CACHE_DIR", "relative", NULL
	};
	static const char *const named[] = {
		"IMMICH_URL must start with http://",
		("IMMICH_JOBS_API_KEY: the key holds a space"),
		"IMMICH_JOBS_TIMEOUT must be",
		"IMMICH_JOBS_CACHE_TTL must be", "IMMICH_JOBS_STALE_TTL must be",
		"IMMICH_JOBS_API must be", "IMMICH_JOBS_CA_FILE cannot be read",
		"IMMICH_JOBS_CACHE_DIR must be an absolute path",
	};
	static struct config c;
	struct err e;
	size_t i;

	(void)state;
	expect_config_error(nothing, "IMMICH_URL is not set: set it to "
	    "Immich's address, e.g. http://immich.local:2283; no API key: set "
	    "IMMICH_JOBS_API_KEY or IMMICH_JOBS_API_KEY_FILE", NULL);
	expect_config_error(blank, "IMMICH_URL is not set", "no API key");
	expect_config_error(many, named[0], NULL);
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (strstr(load_env(many, &c, &e) == -1 ? e.msg : "",
		    named[i]) == NULL)
			fail_msg("\"%s\" does not name \"%s\"", e.msg, named[i]);
}

/* config_seen: a web server that passes none of the variables. */
static void
test_config_seen(void **state)
{
	const char *const nothing[] = { "GATEWAY_INTERFACE", "CGI/1.1", NULL };
	const char *const empty[] = { "IMMICH_URL", "", NULL };
	const char *const one[] = { "IMMICH_JOBS_CACHE_DIR", "/x", NULL };

	(void)state;
	fake_env = nothing;
	assert_int_equal(config_seen(fake_getenv), 0);
	fake_env = empty;	/* passed, if empty: the server does pass them */
	assert_int_equal(config_seen(fake_getenv), 1);
	fake_env = one;
	assert_int_equal(config_seen(fake_getenv), 1);
}

/*
 * After config_load, no message made holds IMMICH_URL's password, in any
 * form an upstream may echo: alone, as user:password, or base64-encoded in
 * an Authorization: Basic header; nor the key.
 */
static void
test_config_secrets_redacted(void **state)
{
	const char *const env[] = {
		"IMMICH_URL", "http://user:p@ss%2Fw0rd@immich.local:2283",
		"IMMICH_JOBS_API_KEY", KEY, NULL
	};
	static struct config c;
	struct err e;

	(void)state;
	assert_int_equal(load_env(env, &c, &e), 0);
	assert_string_equal(c.url_password, "p@ss/w0rd");
	err_set(&e, 502, 0, "Location: http://user:p@ss/w0rd@h/x; pw p@ss/w0rd;"
	    " Authorization: Basic dXNlcjpwQHNzL3cwcmQ=; key %s.", KEY);
	assert_string_equal(e.msg, "Location: http://***@h/x; pw ***; "
	    "Authorization: Basic ***; key ***.");
	err_secrets_clear();
}


/*
 * The TLS client certificate and key: files checked (regular, readable)
 * without being read; a key without a certificate is refused.
 */
static void
test_config_client_cert(void **state)
{
	static struct config c;
	char cert[256], key[256], fifo[256];
	const char *env[] = {
		"IMMICH_URL", URL, "IMMICH_JOBS_API_KEY", KEY,
		"IMMICH_JOBS_CLIENT_CERT", NULL, "IMMICH_JOBS_CLIENT_KEY", NULL,
		NULL
	};
	struct err e;

	(void)state;
	write_file(tmp_path(cert, sizeof(cert), "client.pem"), "c\n", 2);
	write_file(tmp_path(key, sizeof(key), "client.key"), "k\n", 2);
	tmp_path(fifo, sizeof(fifo), "client.fifo");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	env[5] = cert;
	env[7] = key;
	assert_int_equal(load_env(env, &c, &e), 0);
	assert_string_equal(c.client_cert, cert);
	assert_string_equal(c.client_key, key);
	env[7] = " ";		/* blank: the key is in the certificate's file */
	assert_int_equal(load_env(env, &c, &e), 0);
	assert_string_equal(c.client_key, "");
	env[7] = fifo;		/* never opened for long, never read */
	expect_config_error(env, "IMMICH_JOBS_CLIENT_KEY", "is a named pipe "
	    "(FIFO): give a regular file holding only the private key (PEM)");
	env[7] = "/nonexistent/client.key";
	expect_config_error(env, "IMMICH_JOBS_CLIENT_KEY", "does not exist");
	env[5] = "/tmp";
	env[7] = key;
	expect_config_error(env, "IMMICH_JOBS_CLIENT_CERT", "is a directory");
	env[5] = NULL;
	expect_config_error(env, "IMMICH_JOBS_CLIENT_KEY is set but not "
	    "IMMICH_JOBS_CLIENT_CERT", NULL);
	unlink(fifo);
}

/*
 * IMMICH_JOBS_PROXY: split as IMMICH_URL is, its password a secret, no
 * path; IMMICH_JOBS_NO_PROXY: printable text.
 */
static void
test_config_proxy(void **state)
{
	static const struct {
		const char	*in, *base, *user, *password;
	} ok[] = {
		{ "http://proxy.lan:3128", "http://proxy.lan:3128", "", "" },
		{ " socks5h://[::1]:1080/ ", "socks5h://[::1]:1080", "", "" },
		{ "HTTPS://u:p%40ss@proxy.lan:8443", "HTTPS://proxy.lan:8443",
		    "u", "p@ss" },
	};
	static const char *const bad[] = {
		"proxy.lan:3128", "ftp://proxy.lan", "http://proxy.lan:3128/x",
		"http://proxy.lan:0", "http://", "http://p?x", "http://p q",
	};
	static struct config c;
	const char *env[] = {
		"IMMICH_URL", URL, "IMMICH_JOBS_API_KEY", KEY,
		"IMMICH_JOBS_PROXY", NULL, "IMMICH_JOBS_NO_PROXY", NULL, NULL
	};
	struct err e;
	size_t i;

	(void)state;
	assert_int_equal(load_env(env, &c, &e), 0);
	assert_string_equal(c.proxy, "");
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		env[5] = ok[i].in;
		assert_int_equal(load_env(env, &c, &e), 0);
		assert_string_equal(c.proxy, ok[i].base);
		assert_string_equal(c.proxy_user, ok[i].user);
		assert_string_equal(c.proxy_password, ok[i].password);
		assert_int_equal(c.proxy_has_userinfo, ok[i].user[0] != '\0');
	}
	/* The proxy's password, its pair and their base64 are secrets. */
	err_set(&e, 502, 0, "p@ss u:p@ss dTpwQHNz");
	assert_string_equal(e.msg, "*** *** ***");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("%s\n", bad[i]);
		env[5] = bad[i];
		expect_config_error(env, "IMMICH_JOBS_PROXY", NULL);
	}
	env[5] = "http://proxy.lan:3128";
	env[7] = " localhost, .lan,192.168.1.0/24 ";
	assert_int_equal(load_env(env, &c, &e), 0);
	assert_string_equal(c.no_proxy, "localhost, .lan,192.168.1.0/24");
	env[7] = "a\tb";
	expect_config_error(env, "IMMICH_JOBS_NO_PROXY", NULL);
	err_secrets_clear();
}

/*
 * The table of settings: one name each; whole seconds have their default
 * in range; config_seen sees every one of them alone.
 */
static void
test_config_settings_table(void **state)
{
	const struct config_setting *s, *t;
	const char *env[] = { NULL, "", NULL };
	size_t n = 0;

	(void)state;
	for (s = config_settings; s->name != NULL; s++, n++) {
		print_message("%s\n", s->name);
		assert_int_equal(strncmp(s->name, "IMMICH_", 7), 0);
		assert_non_null(s->def);
		assert_non_null(s->range);
		assert_true(s->help != NULL && s->help[0] != '\0');
		for (t = config_settings; t < s; t++)
			assert_string_not_equal(s->name, t->name);
		if (s->max > 0)
			assert_true(s->min <= s->dflt && s->dflt <= s->max);
		env[0] = s->name;
		fake_env = env;
		assert_int_equal(config_seen(fake_getenv), 1);
	}
	assert_true(n >= 15);
	/* The first reads IMMICH_URL: no message before it knows the password. */
	assert_string_equal(config_settings[0].name, "IMMICH_URL");
}


/*
 * Well-formed UTF-8 (str_utf8_len), which IDN host names and Immich's
 * queue names are held to: every boundary of RFC 3629's table.
 */
static void
test_utf8_forms(void **state)
{
	static const struct {
		const char	*s;
		size_t		 len;
	} cases[] = {
		{ "a", 1 }, { "\x7f", 1 }, { "\xc2\x80", 2 }, { "\xdf\xbf", 2 },
		{ "\xe0\xa0\x80", 3 }, { "\xed\x9f\xbf", 3 },
		{ "\xee\x80\x80", 3 }, { "\xf0\x90\x80\x80", 4 },
		{ "\xf4\x8f\xbf\xbf", 4 },
		{ "\x80", 0 },			/* a continuation byte alone */
		{ "\xc0\xaf", 0 }, { "\xc1\xbf", 0 },	/* overlong */
		{ "\xe0\x9f\xbf", 0 }, { "\xf0\x8f\xbf\xbf", 0 },
		{ "\xed\xa0\x80", 0 },		/* a surrogate */
		{ "\xf4\x90\x80\x80", 0 },	/* above U+10FFFF */
		{ "\xf5\x80\x80\x80", 0 }, { "\xff", 0 },
		{ "\xc3", 0 }, { "\xe2\x80", 0 },	/* cut short */
		{ "\xc3\x28", 0 },		/* no continuation */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %zu\n", i);
		assert_int_equal(str_utf8_len((const unsigned char *)cases[i].s,
		    strlen(cases[i].s)), cases[i].len);
	}
	assert_int_equal(str_utf8_len((const unsigned char *)"", 1), 0);
}

/* The id config_load gives env, which config_quick must give too. */
static uint64_t
id_of(const char *const *env)
{
	static struct config c;
	struct config_quick q;
	struct err e;

	if (load_env(env, &c, &e) != 0)
		fail_msg("config_load: %s", e.msg);
	if (config_quick(fake_getenv, &q) != 0)
		fail_msg("config_quick refused what config_load took");
	assert_true(q.id == c.id);
	assert_string_equal(q.cache_dir, c.cache_dir);
	assert_int_equal(q.cache_ttl, c.cache_ttl);
	return c.id;
}

/*
 * The id names a configuration's cache entry: what decides the answer
 * changes it, what says where and how long answers are kept does not.
 */
static void
test_config_id(void **state)
{
	const char *env[] = { "IMMICH_URL", "http://immich.local:2283",
	    "IMMICH_JOBS_API_KEY", KEY, "IMMICH_JOBS_CACHE_DIR", "/tmp/x",
	    "IMMICH_JOBS_CACHE_TTL", NULL, "IMMICH_JOBS_STALE_TTL", NULL,
	    "IMMICH_JOBS_API", NULL, "IMMICH_JOBS_TIMEOUT", NULL,
	    "IMMICH_JOBS_API_KEY_FILE", NULL, NULL };
	static const struct { int at; const char *value; } changes[] = {
		{ 1, "http://immich.local:2284" },
		{ 1, "https://immich.local:2283" },
		{ 3, KEY "x" },
		{ 11, "jobs" },
		{ 11, "queues" },
		{ 13, "11" },
	};
	char keyfile[300];
	uint64_t id, other;
	struct config_quick q;
	size_t i;

	(void)state;
	id = id_of(env);
	assert_true(id_of(env) == id);			/* repeatable */
	for (i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
		const char *was = env[changes[i].at];

		env[changes[i].at] = changes[i].value;
		if (id_of(env) == id)
			fail_msg("%s=%s: same id", env[changes[i].at - 1],
			    changes[i].value);
		env[changes[i].at] = was;
	}
	/* Values do not run into each other. */
	env[1] = "http://immich.local:228";
	env[3] = "3" KEY;
	assert_true(id_of(env) != id);
	env[1] = "http://immich.local:2283";
	env[3] = KEY;
	/* White space around a value is no change. */
	env[1] = " http://immich.local:2283\n";
	assert_true(id_of(env) == id);
	env[1] = "http://immich.local:2283";
	/* Where and how long answers are kept is no change. */
	env[5] = "/elsewhere";
	env[7] = "60";
	env[9] = "1";
	assert_true(id_of(env) == id);
	/* A key rotated in its file is a new configuration. */
	tmp_path(keyfile, sizeof(keyfile), "idkey");
	write_file(keyfile, KEY "\n", strlen(KEY) + 1);
	env[3] = NULL;
	env[15] = keyfile;
	other = id_of(env);
	write_file(keyfile, KEY "y\n", strlen(KEY) + 2);
	assert_true(id_of(env) != other);
	/* No lookup without a cache, or with a value config_load refuses. */
	fake_env = env;
	env[7] = "0";
	assert_int_equal(config_quick(fake_getenv, &q), -1);
	env[7] = "abc";
	assert_int_equal(config_quick(fake_getenv, &q), -1);
	env[7] = "60";
	env[9] = "-1";
	assert_int_equal(config_quick(fake_getenv, &q), -1);
	env[9] = NULL;
	env[5] = "relative";
	assert_int_equal(config_quick(fake_getenv, &q), -1);
	env[5] = "/tmp/x";
	unlink(keyfile);
	assert_int_equal(config_quick(fake_getenv, &q), -1);
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
		cmocka_unit_test(test_config_key_file_never_blocks),
		cmocka_unit_test(test_config_key_file_unreadable),
		cmocka_unit_test(test_config_key_hygiene),
		cmocka_unit_test(test_config_all_problems),
		cmocka_unit_test(test_config_seen),
		cmocka_unit_test(test_config_secrets_redacted),
		cmocka_unit_test(test_config_client_cert),
		cmocka_unit_test(test_config_proxy),
		cmocka_unit_test(test_config_settings_table),
		cmocka_unit_test(test_config_id),
		cmocka_unit_test(test_utf8_forms),
	};

	return cmocka_run_group_tests_name("config", tests, group_setup,
	    group_teardown);
}
