/*
 * test_lib.c - cmocka unit tests of lib/: parse + aggregate over every
 * fixture in tests/fixtures (totals from tests/fixtures/README.md), the
 * error bodies, configuration parsing, rendering and the cache file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_totals),
		cmocka_unit_test(test_jobs_and_queues_agree),
		cmocka_unit_test(test_paused_queue),
		cmocka_unit_test(test_error_bodies_refused),
	};

	return cmocka_run_group_tests_name("lib", tests, NULL, NULL);
}
