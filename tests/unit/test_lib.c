/*
 * test_lib.c - cmocka unit tests of lib/: parse + aggregate over every
 * fixture in tests/fixtures (totals from tests/fixtures/README.md), the
 * error bodies, configuration parsing (through a fake getenv over a table),
 * jobs_parse edge cases, rendering (parsed back with json-c), the cache file
 * and counts_get (through a fake upstream that counts its calls).
 *
 * Everything runs in one private directory made by the group setup and
 * removed by its teardown; nothing touches the network.
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

#ifndef FIXTURES
#define FIXTURES "tests/fixtures"
#endif

static char *
slurp(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int
parse_fixture(const char *name, struct jobs *j, struct err *e)
{
	enum jobs_shape shape = strncmp(name, "queue", 5) == 0 ?
	    JOBS_SHAPE_QUEUES : JOBS_SHAPE_JOBS;
	size_t len;
	char *body = slurp(name, &len);
	int rc = jobs_parse(j, body, len, shape, e);

	free(body);
	return rc;
}

/* From tests/fixtures/README.md, "What the proxy must report". */
static const struct {
	const char	*file;
	int64_t		 active, waiting, failed, queues;
	int64_t		 delayed, paused, completed;
} expected[] = {
	{ "jobs-v1.100.json", 14, 1110, 3, 12, 0, 0, 0 },
	{ "jobs-v1.106.json", 4, 84, 5, 14, 1, 0, 0 },
	{ "jobs-v1.1xx.json", 15, 14636, 23, 15, 0, 0, 0 },
	{ "jobs-v2.0.json", 3, 17, 8, 15, 2, 0, 0 },
	{ "jobs-v2.3.json", 3, 3587, 12, 17, 0, 0, 0 },
	{ "jobs-v2.x.json", 10, 343, 4, 18, 0, 0, 0 },
	{ "jobs-paused.json", 2, 2438, 1, 18, 0, 2417, 0 },
	{ "jobs-newest.json", 16, 2960, 9, 19, 1, 0, 0 },
	{ "jobs-idle.json", 0, 0, 0, 19, 0, 0, 0 },
	{ "queues-v2.x.json", 10, 343, 4, 18, 0, 0, 0 },
	{ "queues-newest.json", 16, 2960, 9, 19, 1, 0, 0 },
	{ "queues-paused-newest.json", 2, 2438, 1, 19, 0, 2417, 0 },
};

static void
test_fixture_totals(void **state)
{
	static struct jobs j;
	struct totals t;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		print_message("%s\n", expected[i].file);
		assert_int_equal(parse_fixture(expected[i].file, &j, &e), 0);
		jobs_totals(&j, &t);
		assert_int_equal(t.active, expected[i].active);
		assert_int_equal(t.waiting, expected[i].waiting);
		assert_int_equal(t.failed, expected[i].failed);
		assert_int_equal(t.queues, expected[i].queues);
		assert_int_equal(t.delayed, expected[i].delayed);
		assert_int_equal(t.paused, expected[i].paused);
		assert_int_equal(t.completed, expected[i].completed);
	}
}

/* Both endpoints give the same counts for the same data. */
static void
test_jobs_and_queues_agree(void **state)
{
	static const char *const pairs[][2] = {
		{ "jobs-v2.x.json", "queues-v2.x.json" },
		{ "jobs-newest.json", "queues-newest.json" },
	};
	static struct jobs a, b;
	struct err e;
	size_t i, k, m;

	(void)state;
	for (i = 0; i < 2; i++) {
		assert_int_equal(parse_fixture(pairs[i][0], &a, &e), 0);
		assert_int_equal(parse_fixture(pairs[i][1], &b, &e), 0);
		assert_int_equal(a.n, b.n);
		for (k = 0; k < a.n; k++) {
			for (m = 0; m < b.n; m++)
				if (strcmp(a.q[k].name, b.q[m].name) == 0)
					break;
			assert_true(m < b.n);
			assert_memory_equal(&a.q[k], &b.q[m], sizeof(a.q[k]));
		}
	}
}

static void
test_paused_queue(void **state)
{
	static struct jobs j;
	struct totals t;
	struct err e;
	size_t i;

	(void)state;
	assert_int_equal(parse_fixture("jobs-paused.json", &j, &e), 0);
	jobs_totals(&j, &t);
	assert_int_equal(t.queues_paused, 1);
	for (i = 0; i < j.n; i++)
		if (strcmp(j.q[i].name, "smartSearch") == 0)
			break;
	assert_true(i < j.n);
	assert_true(j.q[i].is_paused);
	assert_int_equal(j.q[i].paused, 2417);
	assert_int_equal(jobs_queue_waiting(&j.q[i]), 2417);
}

/* Error bodies are not the jobs shape: each is refused with a message. */
static void
test_error_bodies_refused(void **state)
{
	static const char *const files[] = {
		"error-401-invalid-key.json", "error-401-invalid-key-v3.json",
		"error-403-missing-permission.json",
		"error-403-not-admin-pre-v1.106.json",
		"error-404-wrong-api-path-v3.json", "server-version.json",
		"webapp-index-illustrative.html", "queue-single-newest.json",
	};
	static struct jobs j;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		print_message("%s\n", files[i]);
		err_clear(&e);
		assert_int_equal(parse_fixture(files[i], &j, &e), -1);
		assert_int_equal(e.status, 502);
		assert_true(strlen(e.msg) > 10);
		assert_int_equal(j.n, 0);
	}
}

/* ------------------------------------------------------------------ */
/* Shared helpers                                                      */
/* ------------------------------------------------------------------ */

#define DOT	" \xc2\xb7 "	/* the " · " render_queue_summary writes */

/* Every key the tests use holds "SECRET", so one strstr finds a leak. */
#define KEY	"SECRET-api-key-0123456789abcdefghijklmnop"

static char tmproot[] = "/tmp/ijp-unit-XXXXXX";

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
group_setup(void **state)
{
	(void)state;
	return mkdtemp(tmproot) == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	return nftw(tmproot, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* "<tmproot>/<name>" into buf (not created). */
static char *
tmp_path(char *buf, size_t size, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", tmproot, name);

	assert_true(n > 0 && (size_t)n < size);
	return buf;
}

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* The whole file at path (malloc'd, NUL added), its size in *len. */
static char *
read_file(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	buf[st.st_size] = '\0';
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

/* ------------------------------------------------------------------ */
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

static int
all_zero(const void *p, size_t len)
{
	const unsigned char *b = p;

	while (len-- > 0)
		if (*b++ != 0)
			return 0;
	return 1;
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
		"IMMICH_JOBS_CA_FILE", "", "IMMICH_JOBS_API", "",
		"IMMICH_JOBS_CACHE_TTL", "", "IMMICH_JOBS_STALE_TTL", "",
		"IMMICH_JOBS_CACHE_DIR", "", "TMPDIR", "", NULL
	};
	const char *const *envs[] = { env, env_empty };
	static struct config c;
	char dir[64];
	struct err e;
	size_t i;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/immich-jobs-proxy-%lu",
	    (unsigned long)getuid());
	for (i = 0; i < 2; i++) {
		assert_int_equal(load_env(envs[i], &c, &e), 0);
		assert_int_equal(e.status, 0);
		assert_string_equal(c.base_url, URL);
		assert_string_equal(c.shown_url, URL);
		assert_string_equal(c.key, KEY);
		assert_int_equal(c.timeout, 10);
		assert_string_equal(c.ca_file, "");
		assert_int_equal(c.api, CONFIG_API_AUTO);
		assert_int_equal(c.cache_ttl, 5);
		assert_int_equal(c.stale_ttl, 60);
		assert_string_equal(c.cache_dir, dir);
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
	expect_config_error(no_key, "IMMICH_JOBS_API_KEY", NULL);
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
	char ca[256], dir[64], longp[CONFIG_PATH_MAX + 16];
	const char *env[] = {
		"IMMICH_URL", URL, "IMMICH_JOBS_API_KEY", KEY,
		NULL, NULL, NULL
	};
	struct err e;

	(void)state;
	/* Cache directory: $TMPDIR, else /tmp, unless set outright. */
	env[4] = "TMPDIR";
	env[5] = "/var/tmp";
	assert_int_equal(load_env(env, &c, &e), 0);
	snprintf(dir, sizeof(dir), "/var/tmp/immich-jobs-proxy-%lu",
	    (unsigned long)getuid());
	assert_string_equal(c.cache_dir, dir);
	env[4] = "IMMICH_JOBS_CACHE_DIR";
	env[5] = "/srv/ijp-cache";
	assert_int_equal(load_env(env, &c, &e), 0);
	assert_string_equal(c.cache_dir, "/srv/ijp-cache");
	memset(longp, 'd', sizeof(longp));
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	env[5] = longp;
	expect_config_error(env, "IMMICH_JOBS_CACHE_DIR", NULL);
	env[4] = "TMPDIR";
	longp[CONFIG_PATH_MAX - 10] = '\0';	/* fits, but not with the suffix */
	expect_config_error(env, "TMPDIR", NULL);
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

/* ------------------------------------------------------------------ */
/* jobs_parse                                                          */
/* ------------------------------------------------------------------ */

/* Parse len bytes from an exact-size copy, so over-reads show up. */
static int
parse_n(struct jobs *j, const char *body, size_t len, enum jobs_shape shape,
    struct err *e)
{
	char *copy = malloc(len > 0 ? len : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, body, len);
	err_clear(e);
	rc = jobs_parse(j, copy, len, shape, e);
	free(copy);
	return rc;
}

static void
expect_parse_error_n(const char *body, size_t len, enum jobs_shape shape,
    const char *want, const char *want2)
{
	static struct jobs j;
	struct err e;

	j.n = 99;
	if (parse_n(&j, body, len, shape, &e) != -1)
		fail_msg("jobs_parse accepted [%.*s]", (int)len, body);
	assert_int_equal(e.status, 502);
	assert_int_equal(e.upstream_status, 0);
	assert_int_equal(j.n, 0);
	if (want != NULL && strstr(e.msg, want) == NULL)
		fail_msg("message \"%s\" lacks \"%s\" for [%.*s]", e.msg, want,
		    (int)len, body);
	if (want2 != NULL && strstr(e.msg, want2) == NULL)
		fail_msg("message \"%s\" lacks \"%s\" for [%.*s]", e.msg, want2,
		    (int)len, body);
}

static void
expect_parse_error(const char *body, enum jobs_shape shape, const char *want,
    const char *want2)
{
	expect_parse_error_n(body, strlen(body), shape, want, want2);
}

static struct jobs *
expect_parse_ok(const char *body, enum jobs_shape shape, size_t n)
{
	static struct jobs j;
	struct err e;

	if (parse_n(&j, body, strlen(body), shape, &e) != 0)
		fail_msg("jobs_parse refused [%s]: %s", body, e.msg);
	assert_int_equal(j.n, n);
	return &j;
}

static void
test_parse_absent_counters(void **state)
{
	struct jobs *j;

	(void)state;
	j = expect_parse_ok("{\"q\":{\"jobCounts\":{}}}", JOBS_SHAPE_JOBS, 1);
	assert_string_equal(j->q[0].name, "q");
	assert_int_equal(j->q[0].active, 0);
	assert_int_equal(j->q[0].waiting, 0);
	assert_int_equal(j->q[0].delayed, 0);
	assert_int_equal(j->q[0].paused, 0);
	assert_int_equal(j->q[0].failed, 0);
	assert_int_equal(j->q[0].completed, 0);
	assert_int_equal(j->q[0].is_paused, 0);
	j = expect_parse_ok("[{\"name\":\"q\",\"statistics\":{\"failed\":4}}]",
	    JOBS_SHAPE_QUEUES, 1);
	assert_int_equal(j->q[0].failed, 4);
	assert_int_equal(j->q[0].active, 0);
	assert_int_equal(j->q[0].is_paused, 0);
	/* Each counter lands in its own field; unknown ones are ignored. */
	j = expect_parse_ok("{\"q\":{\"jobCounts\":{\"active\":1,\"waiting\":2,"
	    "\"delayed\":3,\"paused\":4,\"failed\":5,\"completed\":6,"
	    "\"prioritized\":\"x\",\"isActive\":7}}}", JOBS_SHAPE_JOBS, 1);
	assert_int_equal(j->q[0].active, 1);
	assert_int_equal(j->q[0].waiting, 2);
	assert_int_equal(j->q[0].delayed, 3);
	assert_int_equal(j->q[0].paused, 4);
	assert_int_equal(j->q[0].failed, 5);
	assert_int_equal(j->q[0].completed, 6);
	/* The largest accepted single count. */
	j = expect_parse_ok("{\"q\":{\"jobCounts\":{\"failed\":"
	    "9223372036854775806}}}", JOBS_SHAPE_JOBS, 1);
	assert_int_equal(j->q[0].failed, INT64_MAX - 1);
	/* One more (or anything json-c clamps to it) is "too large". */
	expect_parse_error("{\"q\":{\"jobCounts\":{\"failed\":"
	    "9223372036854775807}}}", JOBS_SHAPE_JOBS,
	    "jobCounts.failed that is too large", NULL);
	expect_parse_error("{\"q\":{\"jobCounts\":{\"failed\":"
	    "18446744073709551615}}}", JOBS_SHAPE_JOBS, "too large", NULL);
	/* "-0" is zero. */
	j = expect_parse_ok("{\"q\":{\"jobCounts\":{\"active\":-0}}}",
	    JOBS_SHAPE_JOBS, 1);
	assert_int_equal(j->q[0].active, 0);
}

static void
test_parse_bad_counters(void **state)
{
	static const char *const fields[] = {
		"active", "waiting", "delayed", "paused", "failed", "completed"
	};
	static const char *const values[] = {
		"-1", "-9223372036854775808", "-9223372036854775809", "3.0",
		"1e3", "0.5", "\"3\"", "\"\"", "null", "true", "false", "[]",
		"{}", "[1]", "9223372036854775808", "18446744073709551615",
		"18446744073709551616", "99999999999999999999999999",
	};
	char body[256], want[64];
	size_t f, v;

	(void)state;
	for (f = 0; f < 6; f++)
		for (v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
			snprintf(body, sizeof(body), "{\"ok\":{\"jobCounts\":"
			    "{}},\"thumbs\":{\"jobCounts\":{\"active\":1,"
			    "\"%s\":%s}}}", fields[f], values[v]);
			snprintf(want, sizeof(want), "jobCounts.%s", fields[f]);
			expect_parse_error(body, JOBS_SHAPE_JOBS,
			    "queue \"thumbs\"", want);
			snprintf(body, sizeof(body), "[{\"name\":\"ok\","
			    "\"statistics\":{}},{\"name\":\"thumbs\","
			    "\"isPaused\":false,\"statistics\":{\"%s\":%s}}]",
			    fields[f], values[v]);
			snprintf(want, sizeof(want), "statistics.%s",
			    fields[f]);
			expect_parse_error(body, JOBS_SHAPE_QUEUES,
			    "queue \"thumbs\"", want);
		}
}

static void
test_parse_overflow(void **state)
{
	struct jobs *j;

	(void)state;
	/* One counter summed over queues. */
	expect_parse_error("{\"a\":{\"jobCounts\":{\"active\":"
	    "5000000000000000000}},\"b\":{\"jobCounts\":{\"active\":"
	    "5000000000000000000}}}", JOBS_SHAPE_JOBS, "2^63", NULL);
	expect_parse_error("[{\"name\":\"a\",\"statistics\":{\"completed\":"
	    "9000000000000000000}},{\"name\":\"b\",\"statistics\":"
	    "{\"completed\":9000000000000000000}}]", JOBS_SHAPE_QUEUES,
	    "2^63", NULL);
	/* waiting + delayed + paused inside one queue. */
	expect_parse_error("{\"a\":{\"jobCounts\":{\"waiting\":"
	    "5000000000000000000,\"delayed\":5000000000000000000}}}",
	    JOBS_SHAPE_JOBS, "2^63", NULL);
	/* waiting + delayed + paused over queues, each sum alone fits. */
	expect_parse_error("{\"a\":{\"jobCounts\":{\"waiting\":"
	    "5000000000000000000}},\"b\":{\"jobCounts\":{\"paused\":"
	    "5000000000000000000}}}", JOBS_SHAPE_JOBS, "2^63", NULL);
	/* Exactly INT64_MAX in total is still fine. */
	j = expect_parse_ok("{\"a\":{\"jobCounts\":{\"active\":"
	    "4611686018427387904}},\"b\":{\"jobCounts\":{\"active\":"
	    "4611686018427387903}}}", JOBS_SHAPE_JOBS, 2);
	assert_int_equal(j->q[0].active + j->q[1].active, INT64_MAX);
}

static void
test_parse_is_paused(void **state)
{
	static const char *const bad[] = {
		"\"true\"", "1", "0", "null", "{}", "[]",
	};
	char body[256];
	struct jobs *j;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body), "{\"smartSearch\":{\"queueStatus\":"
		    "{\"isPaused\":%s,\"isActive\":false},\"jobCounts\":{}}}",
		    bad[i]);
		expect_parse_error(body, JOBS_SHAPE_JOBS, "\"smartSearch\"",
		    "queueStatus.isPaused");
		snprintf(body, sizeof(body), "[{\"name\":\"smartSearch\","
		    "\"isPaused\":%s,\"statistics\":{}}]", bad[i]);
		expect_parse_error(body, JOBS_SHAPE_QUEUES, "\"smartSearch\"",
		    "isPaused");
	}
	j = expect_parse_ok("{\"a\":{\"queueStatus\":{\"isPaused\":true},"
	    "\"jobCounts\":{}},\"b\":{\"queueStatus\":{\"isPaused\":false},"
	    "\"jobCounts\":{}},\"c\":{\"jobCounts\":{}},\"d\":{\"queueStatus\":"
	    "5,\"jobCounts\":{}},\"e\":{\"queueStatus\":{},\"jobCounts\":{}}}",
	    JOBS_SHAPE_JOBS, 5);
	assert_int_equal(j->q[0].is_paused, 1);
	assert_int_equal(j->q[1].is_paused, 0);
	assert_int_equal(j->q[2].is_paused, 0);
	assert_int_equal(j->q[3].is_paused, 0);
	assert_int_equal(j->q[4].is_paused, 0);
	j = expect_parse_ok("[{\"name\":\"a\",\"isPaused\":true,\"statistics\":"
	    "{}},{\"name\":\"b\",\"statistics\":{}}]", JOBS_SHAPE_QUEUES, 2);
	assert_int_equal(j->q[0].is_paused, 1);
	assert_int_equal(j->q[1].is_paused, 0);
}

static void
test_parse_skips_non_queues(void **state)
{
	struct jobs *j;

	(void)state;
	j = expect_parse_ok("{\"foo\":1,\"x\":{},\"y\":{\"jobCounts\":5},"
	    "\"z\":{\"jobCounts\":[]},\"n\":null,\"s\":\"jobCounts\","
	    "\"library\":{\"jobCounts\":{\"active\":2}},\"w\":{\"jobcounts\":"
	    "{}}}", JOBS_SHAPE_JOBS, 1);
	assert_string_equal(j->q[0].name, "library");
	assert_int_equal(j->q[0].active, 2);
	j = expect_parse_ok("[1,null,{},{\"name\":\"x\"},{\"name\":\"y\","
	    "\"statistics\":3},{\"name\":\"ocr\",\"statistics\":{\"waiting\":"
	    "9}},\"z\"]", JOBS_SHAPE_QUEUES, 1);
	assert_string_equal(j->q[0].name, "ocr");
	assert_int_equal(j->q[0].waiting, 9);
	/* Nothing queue-like at all. */
	expect_parse_error("{\"foo\":1,\"x\":{}}", JOBS_SHAPE_JOBS,
	    "no job queue", NULL);
	expect_parse_error("{}", JOBS_SHAPE_JOBS, "no job queue", NULL);
	expect_parse_error("[]", JOBS_SHAPE_QUEUES, "no job queue", NULL);
	expect_parse_error("[{},{\"name\":\"a\"}]", JOBS_SHAPE_QUEUES,
	    "no job queue", NULL);
}

static void
test_parse_wrong_shape(void **state)
{
	static const char *const not_object[] = {
		"[{\"name\":\"a\",\"statistics\":{}}]", "1 ", "\"x\"", "true ",
	};
	static const char *const not_array[] = {
		"{\"a\":{\"jobCounts\":{}}}", "1 ", "\"x\"", "false ",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(not_object) / sizeof(not_object[0]); i++)
		expect_parse_error(not_object[i], JOBS_SHAPE_JOBS,
		    "not the jobs shape", NULL);
	for (i = 0; i < sizeof(not_array) / sizeof(not_array[0]); i++)
		expect_parse_error(not_array[i], JOBS_SHAPE_QUEUES,
		    "not the queues shape", NULL);
	/*
	 * json-c gives "null" as no object, and cannot end a bare number at
	 * the end of the input: refused, whatever the message says.
	 */
	expect_parse_error("null", JOBS_SHAPE_JOBS, NULL, NULL);
	expect_parse_error("null", JOBS_SHAPE_QUEUES, NULL, NULL);
	expect_parse_error("1", JOBS_SHAPE_JOBS, NULL, NULL);
	expect_parse_error("1", JOBS_SHAPE_QUEUES, NULL, NULL);
	/* Queue entries without a usable name. */
	expect_parse_error("[{\"statistics\":{}}]", JOBS_SHAPE_QUEUES,
	    "queue 0 of /api/queues has no name", NULL);
	expect_parse_error("[{\"name\":\"a\",\"statistics\":{}},{\"name\":null,"
	    "\"statistics\":{}}]", JOBS_SHAPE_QUEUES,
	    "queue 1 of /api/queues has no name", NULL);
	expect_parse_error("[{\"name\":7,\"statistics\":{}}]", JOBS_SHAPE_QUEUES,
	    "has no name", NULL);
}

/* Strict JSON (RFC 8259) only, and a queue listed twice is refused. */
static void
test_parse_strict_and_duplicates(void **state)
{
	(void)state;
	expect_parse_error("{\"a\":{\"jobCounts\":{\"active\":1}},\"b\":'x'}",
	    JOBS_SHAPE_JOBS, "not valid JSON", NULL);
	expect_parse_error("{\"a\":{\"jobCounts\":{\"active\":1,}}}",
	    JOBS_SHAPE_JOBS, "not valid JSON", NULL);
	expect_parse_error("[{\"name\":\"ocr\",\"statistics\":{\"active\":1}},"
	    "{\"name\":\"ocr\",\"statistics\":{\"active\":2}}]",
	    JOBS_SHAPE_QUEUES, "queue \"ocr\" is listed twice", NULL);
	assert_int_equal(expect_parse_ok("[{\"name\":\"ocr\",\"statistics\":"
	    "{\"active\":1}},{\"name\":\"ocr2\",\"statistics\":{}}]",
	    JOBS_SHAPE_QUEUES, 2)->q[0].active, 1);
}

static void
test_parse_not_json(void **state)
{
	static const char good[] = "{\"a\":{\"jobCounts\":{\"active\":1}},"
	    "\"bb\":{\"queueStatus\":{\"isPaused\":true},\"jobCounts\":"
	    "{\"waiting\":22}}}";
	static const char *const bad[] = {
		"", " ", "\r\n", "<!doctype html><html></html>", "{", "[",
		"{\"a\":{\"jobCounts\":{}}} x", "{\"a\":{\"jobCounts\":{}}}{}",
		"{\"a\":{\"jobCounts\":{}}},", "{\"a\":{\"jobCounts\":{}}}]",
		"{\"a\":{\"jobCounts\":{}},}x",
	};
	struct jobs *j;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_parse_error(bad[i], JOBS_SHAPE_JOBS, "not valid JSON",
		    NULL);
	/* Every strict prefix of a good body (cut anywhere) is refused. */
	for (i = 0; i < sizeof(good) - 1; i++)
		expect_parse_error_n(good, i, JOBS_SHAPE_JOBS,
		    "not valid JSON", NULL);
	/* A NUL after the value is not white space. */
	expect_parse_error_n("{\"a\":{\"jobCounts\":{}}}\0", 23,
	    JOBS_SHAPE_JOBS, "not valid JSON", NULL);
	/* White space around the value is fine. */
	j = expect_parse_ok(" \r\n\t{\"a\":{\"jobCounts\":{\"active\":3}}} \r\n\t",
	    JOBS_SHAPE_JOBS, 1);
	assert_int_equal(j->q[0].active, 3);
	j = expect_parse_ok(good, JOBS_SHAPE_JOBS, 2);
	assert_int_equal(j->q[1].waiting, 22);
	assert_int_equal(j->q[1].is_paused, 1);
}

/* A body of n queues named q0, q1 ... of the given shape (malloc'd). */
static char *
n_queues(size_t n, enum jobs_shape shape)
{
	char *buf = NULL;
	size_t size = 0, i;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	fputc(shape == JOBS_SHAPE_JOBS ? '{' : '[', f);
	for (i = 0; i < n; i++)
		if (shape == JOBS_SHAPE_JOBS)
			fprintf(f, "%s\"q%zu\":{\"jobCounts\":{\"active\":1}}",
			    i > 0 ? "," : "", i);
		else
			fprintf(f, "%s{\"name\":\"q%zu\",\"isPaused\":false,"
			    "\"statistics\":{\"active\":1}}", i > 0 ? "," : "",
			    i);
	fputc(shape == JOBS_SHAPE_JOBS ? '}' : ']', f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void
test_parse_too_many_queues(void **state)
{
	static struct jobs j;
	struct totals t;
	struct err e;
	int shape;
	char *body;

	(void)state;
	for (shape = JOBS_SHAPE_JOBS; shape <= JOBS_SHAPE_QUEUES; shape++) {
		body = n_queues(JOBS_MAX_QUEUES, (enum jobs_shape)shape);
		assert_int_equal(parse_n(&j, body, strlen(body),
		    (enum jobs_shape)shape, &e), 0);
		free(body);
		jobs_totals(&j, &t);
		assert_int_equal(t.queues, JOBS_MAX_QUEUES);
		assert_int_equal(t.active, JOBS_MAX_QUEUES);
		body = n_queues(JOBS_MAX_QUEUES + 1, (enum jobs_shape)shape);
		j.n = 99;
		assert_int_equal(parse_n(&j, body, strlen(body),
		    (enum jobs_shape)shape, &e), -1);
		free(body);
		assert_int_equal(e.status, 502);
		assert_non_null(strstr(e.msg, "more than 128 queues"));
		assert_int_equal(j.n, 0);
	}
}

static void
test_parse_queue_names(void **state)
{
	static const char *const bad_names[] = {
		"", "a\\u0001b", "tab\\tname", "nl\\n", "del\\u007f",
		"caf\\u00e9", "nul\\u0000x",
	};
	char name[JOBS_NAME_MAX + 1], body[512];
	struct jobs *j;
	size_t i;

	(void)state;
	/* JOBS_NAME_MAX - 1 bytes fit, JOBS_NAME_MAX do not. */
	memset(name, 'n', sizeof(name));
	name[JOBS_NAME_MAX - 1] = '\0';
	snprintf(body, sizeof(body), "{\"%s\":{\"jobCounts\":{}}}", name);
	j = expect_parse_ok(body, JOBS_SHAPE_JOBS, 1);
	assert_string_equal(j->q[0].name, name);
	snprintf(body, sizeof(body), "[{\"name\":\"%s\",\"statistics\":{}}]",
	    name);
	j = expect_parse_ok(body, JOBS_SHAPE_QUEUES, 1);
	assert_string_equal(j->q[0].name, name);
	name[JOBS_NAME_MAX - 1] = 'n';
	name[JOBS_NAME_MAX] = '\0';
	snprintf(body, sizeof(body), "{\"%s\":{\"jobCounts\":{}}}", name);
	expect_parse_error(body, JOBS_SHAPE_JOBS, "longer than 63", NULL);
	snprintf(body, sizeof(body), "[{\"name\":\"%s\",\"statistics\":{}}]",
	    name);
	expect_parse_error(body, JOBS_SHAPE_QUEUES, "longer than 63", NULL);
	for (i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		/* json-c object keys stop at a NUL: only test it as a name. */
		if (strstr(bad_names[i], "u0000") == NULL) {
			snprintf(body, sizeof(body), "{\"ok\":{\"jobCounts\":{}},"
			    "\"%s\":{\"jobCounts\":{}}}", bad_names[i]);
			expect_parse_error(body, JOBS_SHAPE_JOBS, "queue", NULL);
		}
		snprintf(body, sizeof(body), "[{\"name\":\"ok\",\"statistics\":"
		    "{}},{\"name\":\"%s\",\"statistics\":{}}]", bad_names[i]);
		expect_parse_error(body, JOBS_SHAPE_QUEUES, "queue", NULL);
	}
	/* Quotes and backslashes are printable: kept as they are. */
	j = expect_parse_ok("{\"a\\\"b\\\\c\":{\"jobCounts\":{}}}",
	    JOBS_SHAPE_JOBS, 1);
	assert_string_equal(j->q[0].name, "a\"b\\c");
}

/* ------------------------------------------------------------------ */
/* render                                                              */
/* ------------------------------------------------------------------ */

static void
load_fixture(const char *name, struct jobs *j)
{
	struct err e;

	if (parse_fixture(name, j, &e) != 0)
		fail_msg("%s: %s", name, e.msg);
}

/* Run fn into a memory stream; returns the bytes (malloc'd, NUL-ended). */
#define CAPTURE(buf, size, call) do {					\
	FILE *cap_f_ = open_memstream(&(buf), &(size));			\
	assert_non_null(cap_f_);					\
	assert_int_equal(call(cap_f_), 0);				\
	assert_int_equal(fclose(cap_f_), 0);				\
} while (0)

static const struct jobs *render_j;
static const struct render_stale *render_st;
static const struct err *render_e;
static double render_duration;

static int
call_render_json(FILE *f)
{
	return render_json(f, render_j, render_st);
}

static int
call_render_error(FILE *f)
{
	return render_error(f, render_e);
}

static int
call_render_metrics(FILE *f)
{
	return render_metrics(f, render_j, render_duration);
}

/* Parse a compact one-line JSON body ending in "\n" with json-c. */
static json_object *
parse_body(const char *buf, size_t size)
{
	struct json_tokener *tok;
	json_object *root;

	assert_true(size >= 3);
	assert_int_equal(buf[size - 1], '\n');
	assert_null(memchr(buf, '\n', size - 1));	/* one line */
	assert_int_equal(strlen(buf), size);		/* no NUL inside */
	tok = json_tokener_new();
	assert_non_null(tok);
	root = json_tokener_parse_ex(tok, buf, (int)size - 1);
	assert_non_null(root);
	assert_int_equal(tok->char_offset, size - 1);	/* nothing after */
	json_tokener_free(tok);
	assert_true(json_object_is_type(root, json_type_object));
	return root;
}

static int64_t
jint(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no key \"%s\"", key);
	assert_true(json_object_is_type(v, json_type_int));
	return json_object_get_int64(v);
}

static const char *
jstr(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no key \"%s\"", key);
	assert_true(json_object_is_type(v, json_type_string));
	return json_object_get_string(v);
}

static int
jbool(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no key \"%s\"", key);
	assert_true(json_object_is_type(v, json_type_boolean));
	return json_object_get_boolean(v);
}

struct row {
	const char	*name;
	int64_t		 active, waiting, failed, delayed, paused, completed;
	int		 is_paused;
	const char	*summary;
};

struct body_totals {
	int64_t	active, waiting, failed, queues, delayed, paused, completed;
	int64_t	queues_busy, queues_paused;
};

static void
check_body(json_object *root, const struct body_totals *t,
    const struct row *rows, size_t nrows)
{
	json_object *by, *q;
	size_t i;

	assert_int_equal(jint(root, "active"), t->active);
	assert_int_equal(jint(root, "waiting"), t->waiting);
	assert_int_equal(jint(root, "failed"), t->failed);
	assert_int_equal(jint(root, "queues"), t->queues);
	assert_int_equal(jint(root, "delayed"), t->delayed);
	assert_int_equal(jint(root, "paused"), t->paused);
	assert_int_equal(jint(root, "completed"), t->completed);
	assert_int_equal(jint(root, "queues_busy"), t->queues_busy);
	assert_int_equal(jint(root, "queues_paused"), t->queues_paused);
	assert_false(json_object_object_get_ex(root, "error", NULL));
	assert_true(json_object_object_get_ex(root, "by_queue", &by));
	assert_true(json_object_is_type(by, json_type_array));
	assert_int_equal(json_object_array_length(by), nrows);
	for (i = 0; i < nrows; i++) {
		q = json_object_array_get_idx(by, i);
		print_message("%s\n", rows[i].name);
		assert_int_equal(json_object_object_length(q), 9);
		assert_string_equal(jstr(q, "name"), rows[i].name);
		assert_int_equal(jint(q, "active"), rows[i].active);
		assert_int_equal(jint(q, "waiting"), rows[i].waiting);
		assert_int_equal(jint(q, "failed"), rows[i].failed);
		assert_int_equal(jint(q, "delayed"), rows[i].delayed);
		assert_int_equal(jint(q, "paused"), rows[i].paused);
		assert_int_equal(jint(q, "completed"), rows[i].completed);
		assert_int_equal(jbool(q, "is_paused"), rows[i].is_paused);
		assert_string_equal(jstr(q, "summary"), rows[i].summary);
	}
}

#define IDLE(name)	{ name, 0, 0, 0, 0, 0, 0, 0, "idle" }

static void
test_render_json_paused(void **state)
{
	static const struct row rows[] = {
		{ "thumbnailGeneration", 1, 12, 0, 0, 0, 0, 0,
		    "1 active" DOT "12 waiting" },
		{ "metadataExtraction", 1, 9, 0, 0, 0, 0, 0,
		    "1 active" DOT "9 waiting" },
		{ "smartSearch", 0, 2417, 0, 0, 2417, 0, 1,
		    "paused" DOT "2417 waiting" },
		IDLE("backgroundTask"), IDLE("backupDatabase"),
		IDLE("duplicateDetection"), IDLE("editor"),
		IDLE("faceDetection"), IDLE("facialRecognition"),
		IDLE("library"), IDLE("migration"), IDLE("notifications"),
		IDLE("ocr"), IDLE("search"), IDLE("sidecar"),
		IDLE("storageTemplateMigration"),
		{ "videoConversion", 0, 0, 1, 0, 0, 0, 0, "1 failed" },
		IDLE("workflow"),
	};
	static const struct body_totals t = {
		2, 2438, 1, 18, 0, 2417, 0, 3, 1
	};
	static struct jobs j;
	json_object *root;
	char *buf = NULL;
	size_t size = 0;

	(void)state;
	load_fixture("jobs-paused.json", &j);
	render_j = &j;
	render_st = NULL;
	CAPTURE(buf, size, call_render_json);
	root = parse_body(buf, size);
	free(buf);
	assert_int_equal(json_object_object_length(root), 10);
	assert_false(json_object_object_get_ex(root, "stale", NULL));
	assert_false(json_object_object_get_ex(root, "age", NULL));
	assert_false(json_object_object_get_ex(root, "upstream_error", NULL));
	check_body(root, &t, rows, sizeof(rows) / sizeof(rows[0]));
	json_object_put(root);
}

static void
test_render_json_newest_stale(void **state)
{
	static const struct row rows[] = {
		{ "thumbnailGeneration", 4, 902, 3, 0, 0, 0, 0,
		    "4 active" DOT "902 waiting" DOT "3 failed" },
		{ "metadataExtraction", 4, 611, 0, 0, 0, 0, 0,
		    "4 active" DOT "611 waiting" },
		{ "smartSearch", 2, 512, 0, 0, 0, 0, 0,
		    "2 active" DOT "512 waiting" },
		{ "faceDetection", 2, 433, 0, 0, 0, 0, 0,
		    "2 active" DOT "433 waiting" },
		{ "ocr", 1, 480, 5, 0, 0, 0, 0,
		    "1 active" DOT "480 waiting" DOT "5 failed" },
		{ "videoConversion", 1, 18, 1, 0, 0, 0, 0,
		    "1 active" DOT "18 waiting" DOT "1 failed" },
		{ "backgroundTask", 1, 3, 0, 0, 0, 0, 0,
		    "1 active" DOT "3 waiting" },
		{ "library", 1, 0, 0, 0, 0, 0, 0, "1 active" },
		{ "notifications", 0, 1, 0, 1, 0, 0, 0, "1 waiting" },
		IDLE("backupDatabase"), IDLE("duplicateDetection"),
		IDLE("editor"), IDLE("facialRecognition"),
		IDLE("integrityCheck"), IDLE("migration"), IDLE("search"),
		IDLE("sidecar"), IDLE("storageTemplateMigration"),
		IDLE("workflow"),
	};
	static const struct body_totals t = {
		16, 2960, 9, 19, 1, 0, 0, 9, 0
	};
	static const char why[] = "Immich said \"no\" \\ twice";
	static struct jobs j;
	struct render_stale st = { 42, why };
	json_object *root;
	char *buf = NULL;
	size_t size = 0;

	(void)state;
	load_fixture("jobs-newest.json", &j);
	render_j = &j;
	render_st = NULL;
	CAPTURE(buf, size, call_render_json);
	root = parse_body(buf, size);
	free(buf);
	assert_int_equal(json_object_object_length(root), 10);
	check_body(root, &t, rows, sizeof(rows) / sizeof(rows[0]));
	json_object_put(root);
	/* The same counts, stale: three more keys, still no "error". */
	buf = NULL;
	render_st = &st;
	CAPTURE(buf, size, call_render_json);
	root = parse_body(buf, size);
	free(buf);
	assert_int_equal(json_object_object_length(root), 13);
	check_body(root, &t, rows, sizeof(rows) / sizeof(rows[0]));
	assert_int_equal(jbool(root, "stale"), 1);
	assert_int_equal(jint(root, "age"), 42);
	assert_string_equal(jstr(root, "upstream_error"), why);
	json_object_put(root);
	render_st = NULL;
}

static void
test_render_json_order_ties(void **state)
{
	static struct jobs j;
	json_object *root, *by;
	char *buf = NULL;
	size_t size = 0;
	static const char *const order[] = { "b", "a", "c", "d", "e" };
	size_t i;

	(void)state;
	memset(&j, 0, sizeof(j));
	j.n = 5;
	/* e: idle; d: waiting only via delayed; c: 1 active 0 waiting */
	strcpy(j.q[0].name, "e");
	strcpy(j.q[1].name, "d");
	j.q[1].delayed = 1;
	strcpy(j.q[2].name, "c");
	j.q[2].active = 1;
	strcpy(j.q[3].name, "a");	/* a and b tie: name decides */
	j.q[3].active = 1;
	j.q[3].paused = 3;
	strcpy(j.q[4].name, "b");
	j.q[4].active = 1;
	j.q[4].waiting = 1;
	j.q[4].paused = 3;		/* waiting 4 beats a's 3 */
	render_j = &j;
	render_st = NULL;
	CAPTURE(buf, size, call_render_json);
	root = parse_body(buf, size);
	free(buf);
	assert_true(json_object_object_get_ex(root, "by_queue", &by));
	assert_int_equal(json_object_array_length(by), 5);
	for (i = 0; i < 5; i++)
		assert_string_equal(jstr(json_object_array_get_idx(by, i),
		    "name"), order[i]);
	assert_int_equal(jint(root, "queues_busy"), 4);
	json_object_put(root);
	/* jobs_sort_busiest agrees and leaves j alone. */
	{
		size_t idx[JOBS_MAX_QUEUES];

		jobs_sort_busiest(&j, idx);
		for (i = 0; i < 5; i++)
			assert_string_equal(j.q[idx[i]].name, order[i]);
		assert_string_equal(j.q[0].name, "e");
	}
}

static void
test_render_summary(void **state)
{
	struct queue q;
	char buf[160], small[64];
	size_t size;

	(void)state;
	memset(&q, 0, sizeof(q));
	assert_string_equal(render_queue_summary(&q, buf, sizeof(buf)), "idle");
	q.is_paused = 1;
	assert_string_equal(render_queue_summary(&q, buf, sizeof(buf)),
	    "paused");
	q.is_paused = 0;
	q.failed = 3;
	assert_string_equal(render_queue_summary(&q, buf, sizeof(buf)),
	    "3 failed");
	q.completed = 9;	/* not part of the line */
	q.active = 4;
	q.waiting = 900;
	q.delayed = 2;
	assert_string_equal(render_queue_summary(&q, buf, sizeof(buf)),
	    "4 active" DOT "902 waiting" DOT "3 failed");
	q.is_paused = 1;
	q.active = INT64_MAX;
	assert_string_equal(render_queue_summary(&q, buf, sizeof(buf)),
	    "paused" DOT "9223372036854775807 active" DOT "902 waiting"
	    DOT "3 failed");
	/* Any buffer size: always NUL-terminated, never past size. */
	for (size = 1; size <= sizeof(small); size++) {
		memset(small, 'X', sizeof(small));
		render_queue_summary(&q, small, size);
		assert_true(strlen(small) < size);
		if (size < sizeof(small))
			assert_int_equal(small[size], 'X');
	}
	memset(small, 'X', sizeof(small));
	render_queue_summary(&q, small, 0);
	assert_int_equal(small[0], 'X');
}

static void
test_render_error(void **state)
{
	static const char msg[] = "Immich said \"bad key\" at C:\\immich";
	struct err e;
	json_object *root;
	char *buf = NULL;
	size_t size = 0;

	(void)state;
	err_set(&e, 502, 401, "%s", msg);
	assert_string_equal(e.msg, msg);
	render_e = &e;
	CAPTURE(buf, size, call_render_error);
	root = parse_body(buf, size);
	free(buf);
	assert_int_equal(json_object_object_length(root), 2);
	assert_string_equal(jstr(root, "error"), msg);
	assert_int_equal(jint(root, "upstream_status"), 401);
	json_object_put(root);

	err_set(&e, 504, 0, "%s", msg);
	buf = NULL;
	CAPTURE(buf, size, call_render_error);
	root = parse_body(buf, size);
	free(buf);
	assert_int_equal(json_object_object_length(root), 1);
	assert_string_equal(jstr(root, "error"), msg);
	assert_false(json_object_object_get_ex(root, "upstream_status", NULL));
	json_object_put(root);

	/* A control byte that bypassed err_set is still escaped. */
	e.upstream_status = 0;
	strcpy(e.msg, "a\x01" "b\x7f" "c");
	buf = NULL;
	CAPTURE(buf, size, call_render_error);
	assert_non_null(strstr(buf, "\\u0001"));
	assert_non_null(strstr(buf, "\\u007f"));
	root = parse_body(buf, size);
	free(buf);
	assert_string_equal(jstr(root, "error"), "a\x01" "b\x7f" "c");
	json_object_put(root);
}

static void
test_err_set(void **state)
{
	char longmsg[ERR_MSG_MAX * 2];
	struct err e;

	(void)state;
	assert_int_equal(err_set(&e, 502, 403, "line1\nline2\t\"x\" \xc3\xa9"),
	    -1);
	assert_string_equal(e.msg, "line1 line2 \"x\" ??");
	assert_int_equal(e.status, 502);
	assert_int_equal(e.upstream_status, 403);
	memset(longmsg, 'm', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	err_set(&e, 500, 0, "%s", longmsg);
	assert_int_equal(strlen(e.msg), ERR_MSG_MAX - 1);
	/* A cut message ends with "..." (as err.h promises). */
	assert_string_equal(e.msg + ERR_MSG_MAX - 4, "...");
	assert_int_equal(e.msg[ERR_MSG_MAX - 5], 'm');
	/* err_sanitize marks a cut with "..." and stops at max - 1. */
	{
		char small[8];

		memset(small, 'X', sizeof(small));
		err_sanitize(small, 8, "abc\0def\x80ghij", 12);
		assert_string_equal(small, "abc ...");
		memset(small, 'X', sizeof(small));
		err_sanitize(small, 8, "ab\0c\x80\x7f", 6);
		assert_string_equal(small, "ab c? ");
		assert_int_equal(small[7], 'X');
		err_sanitize(small, 8, "abcdefg", 7);
		assert_string_equal(small, "abcdefg");
	}
	err_clear(&e);
	assert_int_equal(e.status, 0);
	assert_int_equal(e.upstream_status, 0);
	assert_string_equal(e.msg, "");
}

static void
test_render_metrics(void **state)
{
	static const char *const samples[] = {
		"immich_jobs{queue=\"a\\\"b\\\\c\",state=\"active\"} 1\n",
		"immich_jobs{queue=\"a\\\"b\\\\c\",state=\"waiting\"} 2\n",
		"immich_jobs{queue=\"a\\\"b\\\\c\",state=\"delayed\"} 3\n",
		"immich_jobs{queue=\"a\\\"b\\\\c\",state=\"paused\"} 4\n",
		"immich_jobs{queue=\"a\\\"b\\\\c\",state=\"failed\"} 5\n",
		"immich_jobs{queue=\"a\\\"b\\\\c\",state=\"completed\"} 6\n",
		"immich_jobs{queue=\"plain\",state=\"active\"} 0\n",
		"immich_jobs{queue=\"plain\",state=\"waiting\"} 0\n",
		"immich_jobs{queue=\"plain\",state=\"delayed\"} 0\n",
		"immich_jobs{queue=\"plain\",state=\"paused\"} 0\n",
		"immich_jobs{queue=\"plain\",state=\"failed\"} 0\n",
		("immich_jobs{queue=\"plain\",state=\"completed\"} "
		    "9223372036854775807\n"),
		"immich_queue_paused{queue=\"a\\\"b\\\\c\"} 1\n",
		"immich_queue_paused{queue=\"plain\"} 0\n",
		"immich_jobs_up 1\n",
		"immich_jobs_scrape_duration_seconds 0.125000\n",
	};
	static const char *const types[] = {
		"# TYPE immich_jobs gauge\n",
		"# TYPE immich_queue_paused gauge\n",
		"# TYPE immich_jobs_up gauge\n",
		"# TYPE immich_jobs_scrape_duration_seconds gauge\n",
	};
	static struct jobs j;
	char *buf = NULL, *line;
	size_t size = 0, i, nsamples = 0;

	(void)state;
	memset(&j, 0, sizeof(j));
	j.n = 2;
	strcpy(j.q[0].name, "a\"b\\c");
	j.q[0].active = 1;
	j.q[0].waiting = 2;
	j.q[0].delayed = 3;
	j.q[0].paused = 4;
	j.q[0].failed = 5;
	j.q[0].completed = 6;
	j.q[0].is_paused = 1;
	strcpy(j.q[1].name, "plain");
	j.q[1].completed = INT64_MAX;
	render_j = &j;
	render_duration = 0.125;
	CAPTURE(buf, size, call_render_metrics);
	assert_int_equal(strlen(buf), size);
	assert_int_equal(buf[size - 1], '\n');
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		if (strstr(buf, samples[i]) == NULL)
			fail_msg("missing sample %s", samples[i]);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		assert_non_null(strstr(buf, types[i]));
	/* Nothing else but comments: count the sample lines. */
	for (line = buf; *line != '\0'; line = strchr(line, '\n') + 1)
		if (line[0] != '#')
			nsamples++;
	assert_int_equal(nsamples, sizeof(samples) / sizeof(samples[0]));
	free(buf);

	/* A line break in a label value (never from jobs_parse) is escaped. */
	buf = NULL;
	strcpy(j.q[1].name, "two\nlines");
	CAPTURE(buf, size, call_render_metrics);
	assert_non_null(strstr(buf,
	    "\nimmich_queue_paused{queue=\"two\\nlines\"} 0\n"));
	assert_null(strstr(buf, "two\nlines"));
	free(buf);

	/* Immich failed: only the up gauge (0) and the duration. */
	buf = NULL;
	render_j = NULL;
	render_duration = 1.5;
	CAPTURE(buf, size, call_render_metrics);
	assert_non_null(strstr(buf, "\nimmich_jobs_up 0\n"));
	assert_non_null(strstr(buf,
	    "\nimmich_jobs_scrape_duration_seconds 1.500000\n"));
	assert_null(strstr(buf, "immich_jobs{"));
	assert_null(strstr(buf, "immich_queue_paused"));
	nsamples = 0;
	for (line = buf; *line != '\0'; line = strchr(line, '\n') + 1)
		if (line[0] != '#')
			nsamples++;
	assert_int_equal(nsamples, 2);
	free(buf);
}

/* A write error (ENOSPC from /dev/full) is reported, not ignored. */
static void
test_render_write_error(void **state)
{
	static struct jobs j;
	struct err e;
	FILE *f;

	(void)state;
	load_fixture("jobs-newest.json", &j);
	err_set(&e, 502, 0, "x");
	f = fopen("/dev/full", "w");
	assert_non_null(f);
	assert_int_equal(render_json(f, &j, NULL), -1);
	clearerr(f);
	assert_int_equal(render_error(f, &e), -1);
	clearerr(f);
	assert_int_equal(render_metrics(f, &j, 0.1), -1);
	fclose(f);
}

/* ------------------------------------------------------------------ */
/* cache                                                               */
/* ------------------------------------------------------------------ */

static void
fill_entry(struct cache_entry *ent, int64_t ok_time, int64_t err_time,
    int64_t active)
{
	memset(ent, 0, sizeof(*ent));
	ent->ok_time = ok_time;
	ent->err_time = err_time;
	ent->jobs.n = 2;
	strcpy(ent->jobs.q[0].name, "alpha");
	ent->jobs.q[0].active = active;
	ent->jobs.q[0].waiting = 20;
	ent->jobs.q[0].failed = 1;
	strcpy(ent->jobs.q[1].name, "beta");
	ent->jobs.q[1].paused = 7;
	ent->jobs.q[1].is_paused = 1;
	if (err_time != 0)
		err_set(&ent->err, 502, 503, "Immich answered HTTP 503");
}

/* Files in dir whose names do not end in suffix (NULL: all). */
static size_t
count_files(const char *dir, const char *skip_suffix)
{
	struct dirent *d;
	size_t n = 0, len, sl;
	DIR *dp = opendir(dir);

	if (dp == NULL)
		return 0;
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		len = strlen(d->d_name);
		sl = skip_suffix != NULL ? strlen(skip_suffix) : 0;
		if (sl > 0 && len >= sl &&
		    strcmp(d->d_name + len - sl, skip_suffix) == 0)
			continue;
		n++;
	}
	closedir(dp);
	return n;
}

/* Fails when any file in dir holds needle. */
static void
assert_no_file_holds(const char *dir, const char *needle)
{
	char path[512];
	struct dirent *d;
	DIR *dp = opendir(dir);
	size_t len, files = 0;
	char *buf;

	assert_non_null(dp);
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		buf = read_file(path, &len);
		if (memmem(buf, len, needle, strlen(needle)) != NULL) {
			free(buf);
			closedir(dp);
			fail_msg("%s holds the key", path);
		}
		free(buf);
		files++;
	}
	closedir(dp);
	assert_true(files > 0);
}

static void
test_cache_round_trip(void **state)
{
	static struct cache_entry ent, back;
	char dir[256], path[300];
	struct stat st;

	(void)state;
	tmp_path(dir, sizeof(dir), "rt");
	snprintf(path, sizeof(path), "%s/0123456789abcdef", dir);
	fill_entry(&ent, 1700000000, 1700000005, 3);
	assert_int_equal(cache_write(path, 0x0123456789abcdefull, &ent), 0);
	/* The directory is made 0700, the file 0600, no temporary left. */
	assert_int_equal(lstat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, sizeof(ent));
	assert_int_equal(count_files(dir, NULL), 1);
	memset(&back, 0xff, sizeof(back));
	assert_int_equal(cache_read(path, 0x0123456789abcdefull, &back), 0);
	assert_memory_equal(&back, &ent, sizeof(ent));
	assert_int_equal(back.ok_time, 1700000000);
	assert_int_equal(back.err_time, 1700000005);
	assert_int_equal(back.jobs.n, 2);
	assert_string_equal(back.jobs.q[0].name, "alpha");
	assert_int_equal(back.jobs.q[0].active, 3);
	assert_int_equal(back.jobs.q[1].is_paused, 1);
	assert_int_equal(back.err.status, 502);
	assert_int_equal(back.err.upstream_status, 503);
	assert_string_equal(back.err.msg, "Immich answered HTTP 503");
	/* Rewriting replaces the entry whole. */
	fill_entry(&ent, 1700000100, 0, 8);
	assert_int_equal(cache_write(path, 0x0123456789abcdefull, &ent), 0);
	assert_int_equal(cache_read(path, 0x0123456789abcdefull, &back), 0);
	assert_int_equal(back.jobs.q[0].active, 8);
	assert_int_equal(back.err_time, 0);
	assert_int_equal(count_files(dir, NULL), 1);
	/* Missing file. */
	snprintf(path, sizeof(path), "%s/missing", dir);
	assert_int_equal(cache_read(path, 1, &back), -1);
}

static void
test_cache_rejects_bad_files(void **state)
{
	static struct cache_entry ent, back;
	char dir[256], path[300], link[300];
	const uint64_t id = 0xfeedull;
	size_t len, off;
	char *good, *bad;

	(void)state;
	tmp_path(dir, sizeof(dir), "bad");
	snprintf(path, sizeof(path), "%s/entry", dir);
	fill_entry(&ent, 1700000000, 0, 5);
	assert_int_equal(cache_write(path, id, &ent), 0);
	good = read_file(path, &len);
	assert_int_equal(len, sizeof(ent));
	assert_int_equal(cache_read(path, id, &back), 0);
	/* Another configuration's id. */
	assert_int_equal(cache_read(path, id + 1, &back), -1);
	/* Truncated: empty, one byte short, half. */
	write_file(path, good, 0);
	assert_int_equal(cache_read(path, id, &back), -1);
	write_file(path, good, len - 1);
	assert_int_equal(cache_read(path, id, &back), -1);
	write_file(path, good, len / 2);
	assert_int_equal(cache_read(path, id, &back), -1);
	/* Longer: one extra byte, or the entry twice. */
	bad = malloc(2 * len);
	assert_non_null(bad);
	memcpy(bad, good, len);
	memcpy(bad + len, good, len);
	write_file(path, bad, len + 1);
	assert_int_equal(cache_read(path, id, &back), -1);
	write_file(path, bad, 2 * len);
	assert_int_equal(cache_read(path, id, &back), -1);
	/* One byte flipped anywhere: magic, id, times, counts, sum. */
	for (off = 0; off < len; off += (off < 64 ? 1 : 997)) {
		memcpy(bad, good, len);
		bad[off] ^= 0x01;
		write_file(path, bad, len);
		if (cache_read(path, id, &back) != -1)
			fail_msg("flipped byte %zu accepted", off);
	}
	memcpy(bad, good, len);
	bad[len - 1] ^= 0x80;		/* last byte of the checksum */
	write_file(path, bad, len);
	assert_int_equal(cache_read(path, id, &back), -1);
	/* The good bytes again are accepted: the test above is fair. */
	write_file(path, good, len);
	assert_int_equal(cache_read(path, id, &back), 0);
	/* A symbolic link is not followed. */
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(cache_read(link, id, &back), -1);
	free(bad);
	free(good);
}

static void
test_cache_id(void **state)
{
	static struct config base, c;
	uint64_t id;
	char path[CONFIG_PATH_MAX + 32], want[CONFIG_PATH_MAX + 32];

	(void)state;
	memset(&base, 0, sizeof(base));
	strcpy(base.base_url, "http://immich.local:2283");
	strcpy(base.shown_url, base.base_url);
	strcpy(base.key, KEY);
	base.timeout = 10;
	base.api = CONFIG_API_AUTO;
	base.cache_ttl = 5;
	base.stale_ttl = 60;
	strcpy(base.cache_dir, "/tmp/x");
	id = cache_id(&base);
	c = base;
	assert_true(cache_id(&c) == id);		/* repeatable */
	strcpy(c.base_url, "http://immich.local:2284");
	assert_true(cache_id(&c) != id);
	c = base;
	strcpy(c.base_url, "https://immich.local:2283");
	assert_true(cache_id(&c) != id);
	c = base;
	c.key[strlen(c.key) - 1] ^= 1;
	assert_true(cache_id(&c) != id);
	c = base;
	c.api = CONFIG_API_JOBS;
	assert_true(cache_id(&c) != id);
	c.api = CONFIG_API_QUEUES;
	assert_true(cache_id(&c) != id);
	c = base;
	strcpy(c.ca_file, "/etc/ssl/ca.pem");
	assert_true(cache_id(&c) != id);
	c = base;
	c.timeout = 11;
	assert_true(cache_id(&c) != id);
	/* Strings do not run into each other. */
	c = base;
	strcpy(c.base_url, "http://immich.local:228");
	memmove(c.key + 1, c.key, strlen(KEY) + 1);
	c.key[0] = '3';
	assert_true(cache_id(&c) != id);
	/* What does not change the answer does not change the entry. */
	c = base;
	strcpy(c.shown_url, "http://other");
	c.cache_ttl = 0;
	c.stale_ttl = 1;
	strcpy(c.cache_dir, "/elsewhere");
	assert_true(cache_id(&c) == id);
	/* cache_path: "<dir>/<16 hex digits>". */
	assert_int_equal(cache_path(&base, path, sizeof(path)), 0);
	snprintf(want, sizeof(want), "/tmp/x/%016llx", (unsigned long long)id);
	assert_string_equal(path, want);
	assert_int_equal(strlen(path), strlen("/tmp/x/") + 16);
	assert_int_equal(cache_path(&base, path, strlen(want)), -1);
	assert_int_equal(cache_path(&base, path, strlen(want) + 1), 0);
}

static void
test_cache_unsafe_dir(void **state)
{
	static struct cache_entry ent;
	char dir[256], path[300], good[256];
	struct stat st;

	(void)state;
	fill_entry(&ent, 1700000000, 0, 1);
	/* Writable by group, or by others: refused, nothing written. */
	tmp_path(dir, sizeof(dir), "gw");
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chmod(dir, 0770), 0);
	snprintf(path, sizeof(path), "%s/entry", dir);
	errno = 0;
	assert_int_equal(cache_write(path, 1, &ent), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(count_files(dir, NULL), 0);
	errno = 0;
	assert_int_equal(cache_lock(path, 0), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(chmod(dir, 0702), 0);
	errno = 0;
	assert_int_equal(cache_write(path, 1, &ent), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(count_files(dir, NULL), 0);
	/* Back to 0700: accepted. */
	assert_int_equal(chmod(dir, 0700), 0);
	assert_int_equal(cache_write(path, 1, &ent), 0);
	/* A link to a good directory is refused too. */
	tmp_path(good, sizeof(good), "gw-link");
	assert_int_equal(symlink(dir, good), 0);
	snprintf(path, sizeof(path), "%s/entry", good);
	errno = 0;
	assert_int_equal(cache_write(path, 1, &ent), -1);
	assert_int_equal(errno, EPERM);
	/* Someone else's directory (needs root to set up). */
	if (geteuid() == 0) {
		tmp_path(dir, sizeof(dir), "nobody");
		assert_int_equal(mkdir(dir, 0700), 0);
		assert_int_equal(chown(dir, 65534, 65534), 0);
		snprintf(path, sizeof(path), "%s/entry", dir);
		errno = 0;
		assert_int_equal(cache_write(path, 1, &ent), -1);
		assert_int_equal(errno, EPERM);
	}
	/* A missing directory is created 0700 even under umask 0. */
	{
		mode_t old = umask(0);

		tmp_path(dir, sizeof(dir), "umask0");
		snprintf(path, sizeof(path), "%s/entry", dir);
		assert_int_equal(cache_write(path, 1, &ent), 0);
		umask(old);
		assert_int_equal(stat(dir, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0700);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0600);
	}
}

static void
test_cache_lock(void **state)
{
	char path[256];
	int a, b;

	(void)state;
	tmp_path(path, sizeof(path), "lk/entry");
	a = cache_lock(path, 1000);
	assert_true(a >= 0);
	errno = 0;
	assert_int_equal(cache_lock(path, 0), -1);	/* held: no wait */
	assert_int_equal(errno, EWOULDBLOCK);
	cache_unlock(a);
	b = cache_lock(path, 0);
	assert_true(b >= 0);
	cache_unlock(b);
	cache_unlock(-1);				/* harmless */
}

/* ------------------------------------------------------------------ */
/* counts_get                                                          */
/* ------------------------------------------------------------------ */

static int fake_calls;		/* upstream calls */
static int fake_loads;		/* loader calls */
static int fake_fail;		/* 1: the fake upstream fails */
static int64_t fake_active;	/* the "alpha" queue's active count */
static long fake_left_ms;	/* ms to the deadline the fake last saw */

static int
fake_upstream(const struct config *c, const struct timespec *deadline,
    struct jobs *j, struct err *e)
{
	fake_calls++;
	fake_left_ms = deadline_left_ms(deadline);
	if (fake_fail)
		return err_set(e, 502, 401, "Immich rejected the API key "
		    "(HTTP 401) at %s", c->shown_url);
	memset(j, 0, sizeof(*j));
	j->n = 1;
	strcpy(j->q[0].name, "alpha");
	j->q[0].active = fake_active;
	j->q[0].waiting = 4;
	return 0;
}

static upstream_get_fn
fake_loader(struct err *e)
{
	(void)e;
	fake_loads++;
	return fake_upstream;
}

static upstream_get_fn
broken_loader(struct err *e)
{
	fake_loads++;
	err_set(e, 500, 0, "cannot load immich-jobs-fetch.so");
	return NULL;
}

static void
fake_reset(int fail, int64_t active)
{
	fake_calls = 0;
	fake_loads = 0;
	fake_fail = fail;
	fake_active = active;
	fake_left_ms = -1;
}

static void
counts_config(struct config *c, const char *dirname, const char *url,
    long ttl, long stale)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->base_url, sizeof(c->base_url), "%s", url);
	snprintf(c->shown_url, sizeof(c->shown_url), "%s", url);
	strcpy(c->key, KEY);
	c->timeout = 5;
	c->api = CONFIG_API_AUTO;
	c->cache_ttl = ttl;
	c->stale_ttl = stale;
	tmp_path(c->cache_dir, sizeof(c->cache_dir), dirname);
}

/* Store an entry for c, as an earlier request would have. */
static void
store_entry(const struct config *c, int64_t ok_time, int64_t err_time,
    int64_t active)
{
	static struct cache_entry ent;
	char path[CONFIG_PATH_MAX + 32];

	fill_entry(&ent, ok_time, err_time, active);
	assert_int_equal(cache_path(c, path, sizeof(path)), 0);
	assert_int_equal(cache_write(path, cache_id(c), &ent), 0);
}

static void
read_entry(const struct config *c, struct cache_entry *ent)
{
	char path[CONFIG_PATH_MAX + 32];

	assert_int_equal(cache_path(c, path, sizeof(path)), 0);
	assert_int_equal(cache_read(path, cache_id(c), ent), 0);
}

static void
test_counts_ttl_hit(void **state)
{
	static struct config c;
	static struct counts out;
	static struct cache_entry ent;
	long now;

	(void)state;
	counts_config(&c, "hit", "http://a", 5, 60);
	fake_reset(0, 7);
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	assert_int_equal(out.cached, 1);
	assert_int_equal(out.jobs.n, 1);
	assert_int_equal(out.jobs.q[0].active, 7);
	assert_int_equal(fake_calls, 1);
	assert_in_range(fake_left_ms, 4000, 5000);
	now = (long)time(NULL);
	read_entry(&c, &ent);
	assert_in_range(ent.ok_time, now - 1, now);
	assert_int_equal(ent.err_time, 0);
	assert_int_equal(ent.jobs.q[0].active, 7);
	/* The second call is answered from the file. */
	fake_active = 99;
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_HIT);
	assert_int_equal(out.cached, 1);
	assert_int_equal(out.jobs.q[0].active, 7);
	assert_in_range(out.age, 0, 1);
	assert_int_equal(out.err.status, 0);
	assert_int_equal(fake_calls, 1);
	assert_int_equal(fake_loads, 1);	/* a hit loads nothing */
	/* An entry from 2 s ago is served as it is, with its age. */
	now = (long)time(NULL);
	store_entry(&c, now - 2, 0, 111);
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_HIT);
	assert_int_equal(out.jobs.n, 2);
	assert_int_equal(out.jobs.q[0].active, 111);
	assert_int_equal(out.jobs.q[1].paused, 7);
	assert_in_range(out.age, 2, 3);
	assert_int_equal(fake_calls, 1);
	/* One entry file plus its lock. */
	assert_int_equal(count_files(c.cache_dir, ".lock"), 1);
	assert_int_equal(count_files(c.cache_dir, NULL), 2);
	assert_no_file_holds(c.cache_dir, KEY);
}

static void
test_counts_ttl_zero(void **state)
{
	static struct config c;
	static struct counts out;
	struct stat st;
	int i;

	(void)state;
	counts_config(&c, "ttl0", "http://a", 0, 60);
	fake_reset(0, 3);
	for (i = 1; i <= 3; i++) {
		assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
		assert_int_equal(out.source, COUNTS_MISS);
		assert_int_equal(out.cached, 0);
		assert_int_equal(out.age, 0);
		assert_int_equal(out.jobs.q[0].active, 3);
		assert_int_equal(fake_calls, i);
		assert_in_range(fake_left_ms, 4000, 5000);
	}
	fake_fail = 1;
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), -1);
	assert_int_equal(out.source, COUNTS_NONE);
	assert_int_equal(out.err.status, 502);
	assert_int_equal(out.err.upstream_status, 401);
	assert_int_equal(fake_calls, 4);
	/* Nothing stored: not even the directory. */
	errno = 0;
	assert_int_equal(stat(c.cache_dir, &st), -1);
	assert_int_equal(errno, ENOENT);
	/* The loader's failure is the answer. */
	assert_int_equal(counts_get(&c, NULL, broken_loader, &out), -1);
	assert_int_equal(out.source, COUNTS_NONE);
	assert_int_equal(out.err.status, 500);
	assert_non_null(strstr(out.err.msg, "immich-jobs-fetch.so"));
}

static void
test_counts_expiry(void **state)
{
	static struct config c;
	static struct counts out;
	static struct cache_entry ent;
	long now;

	(void)state;
	counts_config(&c, "expiry", "http://a", 5, 60);
	fake_reset(0, 7);
	now = (long)time(NULL);
	store_entry(&c, now - 10, 0, 111);	/* older than the TTL */
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	assert_int_equal(out.jobs.q[0].active, 7);
	assert_int_equal(out.age, 0);
	assert_int_equal(fake_calls, 1);
	read_entry(&c, &ent);
	assert_in_range(ent.ok_time, now, now + 1);
	assert_int_equal(ent.jobs.q[0].active, 7);
	/* Exactly TTL seconds old is expired too. */
	now = (long)time(NULL);
	store_entry(&c, now - 5, 0, 111);
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	assert_int_equal(fake_calls, 2);
	/* An entry from the future (clock went back) is not trusted. */
	now = (long)time(NULL);
	store_entry(&c, now + 100, 0, 111);
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	assert_int_equal(out.jobs.q[0].active, 7);
	assert_int_equal(fake_calls, 3);
	/* An expired error is retried. */
	now = (long)time(NULL);
	store_entry(&c, 0, now - 10, 0);
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	assert_int_equal(fake_calls, 4);
	/* A file for another configuration in its place is replaced. */
	{
		static struct config other;
		char path[CONFIG_PATH_MAX + 32];

		other = c;
		strcpy(other.base_url, "http://b");
		fill_entry(&ent, now, 0, 555);
		assert_int_equal(cache_path(&c, path, sizeof(path)), 0);
		assert_int_equal(cache_write(path, cache_id(&other), &ent), 0);
		assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
		assert_int_equal(out.source, COUNTS_MISS);
		assert_int_equal(out.jobs.q[0].active, 7);
		assert_int_equal(fake_calls, 5);
		read_entry(&c, &ent);
		assert_int_equal(ent.jobs.q[0].active, 7);
	}
}

static void
test_counts_error_remembered(void **state)
{
	static struct config c;
	static struct counts out;
	static struct cache_entry ent;
	long now;
	int i;

	(void)state;
	counts_config(&c, "errmem", "http://a", 5, 60);
	fake_reset(1, 7);
	for (i = 0; i < 3; i++) {
		assert_int_equal(counts_get(&c, NULL, fake_loader, &out), -1);
		assert_int_equal(out.source, COUNTS_NONE);
		assert_int_equal(out.err.status, 502);
		assert_int_equal(out.err.upstream_status, 401);
		assert_string_equal(out.err.msg, "Immich rejected the API key "
		    "(HTTP 401) at http://a");
		assert_int_equal(fake_calls, 1);	/* not hammered */
		fake_fail = 0;		/* too late: the error stands */
	}
	now = (long)time(NULL);
	read_entry(&c, &ent);
	assert_in_range(ent.err_time, now - 1, now);
	assert_int_equal(ent.ok_time, 0);
	assert_no_file_holds(c.cache_dir, KEY);
	/* The loader's failure is remembered the same way. */
	counts_config(&c, "errmem-load", "http://a", 5, 60);
	fake_reset(0, 7);
	assert_int_equal(counts_get(&c, NULL, broken_loader, &out), -1);
	assert_int_equal(out.err.status, 500);
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), -1);
	assert_int_equal(out.err.status, 500);
	assert_int_equal(fake_loads, 1);
	assert_int_equal(fake_calls, 0);
}

static void
test_counts_stale(void **state)
{
	static struct config c;
	static struct counts out;
	long now;
	int i;

	(void)state;
	/* Within stale_ttl: the old counts, marked stale, with the error. */
	counts_config(&c, "stale-in", "http://a", 5, 60);
	fake_reset(1, 7);
	now = (long)time(NULL);
	store_entry(&c, now - 30, 0, 111);
	for (i = 0; i < 2; i++) {
		assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
		assert_int_equal(out.source, COUNTS_STALE);
		assert_int_equal(out.jobs.n, 2);
		assert_int_equal(out.jobs.q[0].active, 111);
		assert_in_range(out.age, 30, 31);
		assert_int_equal(out.err.status, 502);
		assert_int_equal(out.err.upstream_status, 401);
		assert_non_null(strstr(out.err.msg, "HTTP 401"));
		assert_int_equal(fake_calls, 1);	/* 2nd: remembered */
	}
	/* Beyond stale_ttl: the error alone. */
	counts_config(&c, "stale-out", "http://a", 5, 60);
	fake_reset(1, 7);
	now = (long)time(NULL);
	store_entry(&c, now - 100, 0, 111);
	for (i = 0; i < 2; i++) {
		assert_int_equal(counts_get(&c, NULL, fake_loader, &out), -1);
		assert_int_equal(out.source, COUNTS_NONE);
		assert_int_equal(out.err.status, 502);
		assert_int_equal(out.err.upstream_status, 401);
		assert_int_equal(fake_calls, 1);
	}
	/* stale_ttl 0 turns stale answers off. */
	counts_config(&c, "stale-off", "http://a", 5, 0);
	fake_reset(1, 7);
	now = (long)time(NULL);
	store_entry(&c, now - 30, 0, 111);
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), -1);
	assert_int_equal(out.source, COUNTS_NONE);
	assert_int_equal(fake_calls, 1);
	/* Immich recovers after the error's TTL: fresh counts again. */
	counts_config(&c, "stale-recover", "http://a", 5, 60);
	fake_reset(0, 7);
	now = (long)time(NULL);
	store_entry(&c, now - 30, now - 10, 111);
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	assert_int_equal(out.jobs.q[0].active, 7);
	assert_int_equal(out.err.status, 0);
	assert_int_equal(fake_calls, 1);
}

static void
test_counts_per_config(void **state)
{
	static struct config a, b, k;
	static struct counts out;

	(void)state;
	counts_config(&a, "sep", "http://a", 5, 60);
	counts_config(&b, "sep", "http://b", 5, 60);
	counts_config(&k, "sep", "http://a", 5, 60);
	k.key[0] = 'X';			/* same URL, another key */
	fake_reset(0, 7);
	assert_int_equal(counts_get(&a, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	fake_active = 9;
	assert_int_equal(counts_get(&b, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	assert_int_equal(out.jobs.q[0].active, 9);
	fake_active = 11;
	assert_int_equal(counts_get(&k, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	assert_int_equal(fake_calls, 3);
	fake_active = 0;
	assert_int_equal(counts_get(&a, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_HIT);
	assert_int_equal(out.jobs.q[0].active, 7);
	assert_int_equal(counts_get(&b, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_HIT);
	assert_int_equal(out.jobs.q[0].active, 9);
	assert_int_equal(counts_get(&k, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_HIT);
	assert_int_equal(out.jobs.q[0].active, 11);
	assert_int_equal(fake_calls, 3);
	assert_int_equal(count_files(a.cache_dir, ".lock"), 3);
	assert_no_file_holds(a.cache_dir, KEY);
	assert_no_file_holds(a.cache_dir, k.key);
}

/* An unusable cache directory: said on stderr (no key), Immich called. */
static void
test_counts_unusable_dir(void **state)
{
	static struct config c;
	static struct counts out;
	char log[256];
	size_t len;
	char *text;
	int saved, fd, i;

	(void)state;
	counts_config(&c, "unusable", "http://a", 5, 60);
	assert_int_equal(mkdir(c.cache_dir, 0777), 0);
	assert_int_equal(chmod(c.cache_dir, 0777), 0);
	fake_reset(0, 7);
	tmp_path(log, sizeof(log), "unusable.log");
	fflush(stderr);
	saved = dup(2);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 2);
	close(fd);
	for (i = 1; i <= 2; i++) {
		int rc = counts_get(&c, NULL, fake_loader, &out);

		if (rc != 0 || out.source != COUNTS_MISS || out.cached != 0 ||
		    fake_calls != i)
			break;
	}
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	assert_int_equal(i, 3);
	assert_int_equal(out.jobs.q[0].active, 7);
	assert_int_equal(count_files(c.cache_dir, NULL), 0);
	text = read_file(log, &len);
	assert_non_null(strstr(text, "cannot use the cache in"));
	assert_non_null(strstr(text, c.cache_dir));
	assert_null(strstr(text, "SECRET"));
	free(text);
}

/*
 * Single-flight: while another process holds the lock, counts_get waits
 * and then answers from what that process stored, without calling Immich.
 */
static void
test_counts_waits_for_lock_holder(void **state)
{
	static struct config c;
	static struct counts out;
	char path[CONFIG_PATH_MAX + 32], ready;
	int fds[2], status;
	pid_t pid;

	(void)state;
	counts_config(&c, "flight", "http://a", 5, 60);
	assert_int_equal(cache_path(&c, path, sizeof(path)), 0);
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static struct cache_entry ent;
		int lock = cache_lock(path, 5000);

		close(fds[0]);
		if (lock < 0 || write(fds[1], "L", 1) != 1)
			_exit(1);
		poll(NULL, 0, 300);	/* "calling Immich" */
		fill_entry(&ent, (int64_t)time(NULL), 0, 222);
		if (cache_write(path, cache_id(&c), &ent) != 0)
			_exit(2);
		cache_unlock(lock);
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &ready, 1), 1);	/* it holds the lock */
	close(fds[0]);
	fake_reset(0, 7);
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(out.source, COUNTS_HIT);
	assert_int_equal(out.jobs.q[0].active, 222);
	assert_int_equal(fake_calls, 0);
	assert_int_equal(fake_loads, 0);
}

/*
 * The lock is held past IMMICH_JOBS_TIMEOUT (1 s here): 504, or the last
 * good counts as stale when they are young enough; Immich is not called.
 */
static void
test_counts_lock_timeout(void **state)
{
	static struct config c;
	static struct counts out;
	char path[CONFIG_PATH_MAX + 32];
	struct timespec t0, t1;
	long ms;
	int lock;

	(void)state;
	counts_config(&c, "locked", "http://a", 5, 60);
	c.timeout = 1;
	assert_int_equal(cache_path(&c, path, sizeof(path)), 0);
	lock = cache_lock(path, 0);	/* another fd: flock conflicts */
	assert_true(lock >= 0);
	store_entry(&c, (int64_t)time(NULL) - 30, 0, 111);
	fake_reset(0, 7);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cache_unlock(lock);
	assert_int_equal(out.source, COUNTS_STALE);
	assert_int_equal(out.jobs.q[0].active, 111);
	assert_int_equal(out.err.status, 504);
	assert_non_null(strstr(out.err.msg, "IMMICH_JOBS_TIMEOUT"));
	assert_int_equal(fake_calls, 0);
	/* It waited the whole second, not less. */
	ms = (long)(t1.tv_sec - t0.tv_sec) * 1000 +
	    (long)(t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_totals),
		cmocka_unit_test(test_jobs_and_queues_agree),
		cmocka_unit_test(test_paused_queue),
		cmocka_unit_test(test_error_bodies_refused),
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_config_url_normalised),
		cmocka_unit_test(test_config_url_rejected),
		cmocka_unit_test(test_config_seconds),
		cmocka_unit_test(test_config_numbers_through_load),
		cmocka_unit_test(test_config_api),
		cmocka_unit_test(test_config_key_env),
		cmocka_unit_test(test_config_key_file),
		cmocka_unit_test(test_config_clean_key),
		cmocka_unit_test(test_config_paths),
		cmocka_unit_test(test_parse_absent_counters),
		cmocka_unit_test(test_parse_bad_counters),
		cmocka_unit_test(test_parse_overflow),
		cmocka_unit_test(test_parse_is_paused),
		cmocka_unit_test(test_parse_skips_non_queues),
		cmocka_unit_test(test_parse_wrong_shape),
		cmocka_unit_test(test_parse_not_json),
		cmocka_unit_test(test_parse_strict_and_duplicates),
		cmocka_unit_test(test_parse_too_many_queues),
		cmocka_unit_test(test_parse_queue_names),
		cmocka_unit_test(test_render_json_paused),
		cmocka_unit_test(test_render_json_newest_stale),
		cmocka_unit_test(test_render_json_order_ties),
		cmocka_unit_test(test_render_summary),
		cmocka_unit_test(test_render_error),
		cmocka_unit_test(test_err_set),
		cmocka_unit_test(test_render_metrics),
		cmocka_unit_test(test_render_write_error),
		cmocka_unit_test(test_cache_round_trip),
		cmocka_unit_test(test_cache_rejects_bad_files),
		cmocka_unit_test(test_cache_id),
		cmocka_unit_test(test_cache_unsafe_dir),
		cmocka_unit_test(test_cache_lock),
		cmocka_unit_test(test_counts_ttl_hit),
		cmocka_unit_test(test_counts_ttl_zero),
		cmocka_unit_test(test_counts_expiry),
		cmocka_unit_test(test_counts_error_remembered),
		cmocka_unit_test(test_counts_stale),
		cmocka_unit_test(test_counts_per_config),
		cmocka_unit_test(test_counts_unusable_dir),
		cmocka_unit_test(test_counts_waits_for_lock_holder),
		cmocka_unit_test(test_counts_lock_timeout),
	};

	return cmocka_run_group_tests_name("lib", tests, group_setup,
	    group_teardown);
}
