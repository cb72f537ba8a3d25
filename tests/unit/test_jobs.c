/*
 * test_jobs.c - cmocka unit tests of jobs_parse and jobs.c: the totals of
 * every fixture in tests/fixtures (tests/fixtures/README.md), the error
 * bodies, parse edge cases.
 *
 * Everything runs in one private directory made by the group setup and
 * removed by its teardown (tests/unit/unit.c); nothing touches the network.
 */


#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "../../lib/err.h"
#include "../../lib/jobs.h"
#include "../../lib/render.h"
#include "unit.h"


/*
 * From tests/fixtures/README.md, "What the proxy must report" and "Answers
 * captured from a real Immich v2.7.5".
 */
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
	/* Bodies a real Immich v2.7.5 sent; totals as its README states. */
	{ "real-v2.7.5/jobs-active-waiting.json", 3, 80, 0, 18, 2, 0, 0 },
	{ "real-v2.7.5/jobs-idle.json", 0, 0, 0, 18, 0, 0, 0 },
	{ "real-v2.7.5/jobs-no-worker-waiting.json", 0, 23, 0, 18, 2, 0, 0 },
	{ "real-v2.7.5/jobs-paused-delayed.json", 0, 15, 0, 18, 2, 13, 0 },
	{ "real-v2.7.5/queues-active-waiting.json", 3, 80, 0, 18, 2, 0, 0 },
	{ "real-v2.7.5/queues-idle.json", 0, 0, 0, 18, 0, 0, 0 },
	{ "real-v2.7.5/queues-paused-delayed.json", 0, 15, 0, 18, 2, 13, 0 },
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
		assert_int_equal(jobs_totals_waiting(&t), expected[i].waiting);
		assert_int_equal(t.failed, expected[i].failed);
		assert_int_equal(t.queues, expected[i].queues);
		assert_int_equal(t.delayed, expected[i].delayed);
		assert_int_equal(t.paused, expected[i].paused);
		assert_int_equal(t.completed, expected[i].completed);
	}
}

/* Both endpoints give the same counts for the same data. */
/* The two endpoints in one real server state give the same queues. */
static void
test_real_v275_jobs_and_queues_agree(void **state)
{
	static const char *const states[] = {
		"active-waiting", "idle", "paused-delayed"
	};
	static struct jobs a, b;
	char fa[64], fb[64];
	struct err e;
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		snprintf(fa, sizeof(fa), "real-v2.7.5/jobs-%s.json", states[i]);
		snprintf(fb, sizeof(fb), "real-v2.7.5/queues-%s.json",
		    states[i]);
		assert_int_equal(parse_fixture(fa, &a, &e), 0);
		assert_int_equal(parse_fixture(fb, &b, &e), 0);
		assert_int_equal(a.n, b.n);
		/* The object and the array list the queues in other orders. */
		for (k = 0; k < a.n; k++) {
			const struct queue *qb = NULL;
			size_t m;

			for (m = 0; m < b.n; m++)
				if (strcmp(a.q[k].name, b.q[m].name) == 0)
					qb = &b.q[m];
			assert_non_null(qb);
			assert_int_equal(a.q[k].active, qb->active);
			assert_int_equal(jobs_queue_waiting(&a.q[k]),
			    jobs_queue_waiting(qb));
			assert_int_equal(a.q[k].failed, qb->failed);
			assert_int_equal(a.q[k].is_paused, qb->is_paused);
		}
	}
}

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

/*
 * A body of n queues q0, q1 ... of the given shape (malloc'd): each with
 * 1 active, i + 1 waiting and 1 failed, but 5 active for the last ten; q0
 * paused.
 */
static char *
n_queues(size_t n, enum jobs_shape shape)
{
	char *buf = NULL;
	size_t size = 0, i;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	fputc(shape == JOBS_SHAPE_JOBS ? '{' : '[', f);
	for (i = 0; i < n; i++) {
		const char *paused = i == 0 ? "true" : "false";
		int active = i + 10 >= n ? 5 : 1;

		if (shape == JOBS_SHAPE_JOBS)
			fprintf(f, "%s\"q%zu\":{\"queueStatus\":{\"isPaused\":"
			    "%s},\"jobCounts\":{\"active\":%d,\"waiting\":%zu,"
			    "\"failed\":1}}", i > 0 ? "," : "", i, paused,
			    active, i + 1);
		else
			fprintf(f, "%s{\"name\":\"q%zu\",\"isPaused\":%s,"
			    "\"statistics\":{\"active\":%d,\"waiting\":%zu,"
			    "\"failed\":1}}", i > 0 ? "," : "", i, paused,
			    active, i + 1);
	}
	fputc(shape == JOBS_SHAPE_JOBS ? '}' : ']', f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/*
 * More queues than q[] holds: the totals still cover every queue, q[]
 * keeps the busiest (in Immich's order) and j->omitted adds up the rest.
 */
static void
test_parse_more_queues_than_listed(void **state)
{
	static const size_t counts[] = { JOBS_MAX_QUEUES, JOBS_MAX_QUEUES + 1,
	    300, 5000 };
	static struct jobs j;
	struct totals t;
	struct err e;
	size_t c, i, n, first;
	int shape;
	char *body, want[16];

	(void)state;
	for (shape = JOBS_SHAPE_JOBS; shape <= JOBS_SHAPE_QUEUES; shape++)
		for (c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
			n = counts[c];
			print_message("%zu queues, shape %d\n", n, shape);
			body = n_queues(n, (enum jobs_shape)shape);
			assert_int_equal(parse_n(&j, body, strlen(body),
			    (enum jobs_shape)shape, &e), 0);
			free(body);
			jobs_totals(&j, &t);
			assert_int_equal(t.queues, n);
			assert_int_equal(t.active, (int64_t)n + 4 * 10);
			assert_int_equal(jobs_totals_waiting(&t), (int64_t)(n * (n + 1) / 2));
			assert_int_equal(t.failed, n);
			assert_int_equal(t.queues_busy, n);
			assert_int_equal(t.queues_paused, 1);
			assert_int_equal(t.paused_waiting, 1);
			assert_int_equal(j.n, JOBS_MAX_QUEUES);
			assert_int_equal(j.omitted.queues, n - JOBS_MAX_QUEUES);
			/*
			 * Kept: the ten with 5 active, then the most waiting,
			 * so the last JOBS_MAX_QUEUES, in Immich's order.
			 */
			first = n - JOBS_MAX_QUEUES;
			for (i = 0; i < j.n; i++) {
				snprintf(want, sizeof(want), "q%zu", first + i);
				assert_string_equal(j.q[i].name, want);
			}
		}
}

/* A name as jobs_parse stores it, from a /api/queues body holding it. */
static const char *
stored_name(const char *json_name, int *cut)
{
	static char body[2048];

	snprintf(body, sizeof(body), "[{\"name\":\"ok\",\"statistics\":{}},"
	    "{\"name\":\"%s\",\"statistics\":{\"active\":2}}]", json_name);
	struct jobs *j = expect_parse_ok(body, JOBS_SHAPE_QUEUES, 2);
	assert_int_equal(j->q[1].active, 2);
	*cut = j->q[1].name_cut;
	return j->q[1].name;
}

/* Well-formed UTF-8 with no NUL (what JSON and Prometheus need). */
static int
is_utf8(const char *s)
{
	json_object *o = json_object_new_string(s);
	const char *back;
	int ok;

	/* json-c validates UTF-8 when asked: parse "s" back strictly. */
	assert_non_null(o);
	back = json_object_to_json_string(o);
	{
		struct json_tokener *tok = json_tokener_new();
		json_object *p;

		json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
		    JSON_TOKENER_VALIDATE_UTF8);
		p = json_tokener_parse_ex(tok, back, (int)strlen(back));
		ok = p != NULL && strcmp(json_object_get_string(p), s) == 0;
		json_object_put(p);
		json_tokener_free(tok);
	}
	json_object_put(o);
	return ok;
}

/*
 * Whatever its name, a queue is counted: UTF-8 and control characters are
 * kept as they are; ill-formed bytes become U+FFFD; a long name is cut at
 * a character boundary, ends "…~<hash>" and stays apart from a name cut
 * alike; only a name listed twice is refused.
 */
static void
test_parse_queue_names(void **state)
{
	static const char *const kept[][2] = {	/* JSON, stored */
		{ "", "" },
		{ "vid\\u00e9o \xf0\x9f\x8e\x9e \xd0\xba\xd0\xbe\xd0\xbd",
		    "vid\xc3\xa9o \xf0\x9f\x8e\x9e \xd0\xba\xd0\xbe\xd0\xbd" },
		{ "nl\\n", "nl\n" }, { "tab\\tname", "tab\tname" },
		{ "a\\u0001b", "a\x01" "b" }, { "del\\u007f", "del\x7f" },
		{ "a\\\"b\\\\c", "a\"b\\c" },
	};
	char name[256], json[256], first[JOBS_NAME_MAX];
	const char *got;
	size_t i, len;
	int cut;

	(void)state;
	for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		got = stored_name(kept[i][0], &cut);
		assert_string_equal(got, kept[i][1]);
		assert_int_equal(cut, 0);
		assert_true(is_utf8(got));
	}
	/* The same in the /api/jobs object. */
	{
		struct jobs *j = expect_parse_ok("{\"nl\\n\\u00e9\":{\"jobCounts\""
		    ":{\"waiting\":3}}}", JOBS_SHAPE_JOBS, 1);
		assert_string_equal(j->q[0].name, "nl\n\xc3\xa9");
		assert_int_equal(j->q[0].waiting, 3);
	}
	/* JOBS_NAME_MAX - 1 bytes fit as they are. */
	memset(name, 'n', JOBS_NAME_MAX - 1);
	name[JOBS_NAME_MAX - 1] = '\0';
	assert_string_equal(stored_name(name, &cut), name);
	assert_int_equal(cut, 0);
	/* One more is cut: 51 bytes, "…", "~" and 8 hex digits. */
	strcat(name, "n");
	got = stored_name(name, &cut);
	assert_int_equal(cut, 1);
	assert_int_equal(strlen(got), JOBS_NAME_MAX - 1);
	assert_memory_equal(got, name, 51);
	assert_memory_equal(got + 51, "\xe2\x80\xa6~", 4);
	assert_int_equal(strspn(got + 55, "0123456789abcdef"), 8);
	/* The same name gives the same cut name each time. */
	snprintf(first, sizeof(first), "%s", got);
	assert_string_equal(stored_name(name, &cut), first);
	/* Two long names alike in their first 100 bytes stay apart. */
	{
		static char body[1024];
		struct jobs *j;

		memset(name, 'x', 100);
		name[100] = '\0';
		snprintf(body, sizeof(body), "[{\"name\":\"%s1\",\"statistics\":"
		    "{\"active\":1}},{\"name\":\"%s2\",\"statistics\":"
		    "{\"active\":2}}]", name, name);
		j = expect_parse_ok(body, JOBS_SHAPE_QUEUES, 2);
		assert_string_not_equal(j->q[0].name, j->q[1].name);
		assert_true(j->q[0].name_cut && j->q[1].name_cut);
	}
	/* A long UTF-8 name is cut between characters, never inside one. */
	for (len = 0, i = 0; i < 40; i++)
		len += (size_t)snprintf(json + len, sizeof(json) - len,
		    "\xc3\xa9");
	got = stored_name(json, &cut);
	assert_int_equal(cut, 1);
	assert_true(is_utf8(got));
	assert_memory_equal(got, json, 50);	/* 25 whole "é" */
	assert_memory_equal(got + 50, "\xe2\x80\xa6~", 4);
	/* Ill-formed UTF-8 and NUL: U+FFFD each, and the hash. */
	got = stored_name("a\xff" "b\xc3", &cut);
	assert_true(is_utf8(got));
	assert_memory_equal(got, "a\xef\xbf\xbd" "b\xef\xbf\xbd~", 9);
	assert_int_equal(strlen(got), 9 + 8);
	got = stored_name("nul\\u0000x", &cut);
	assert_memory_equal(got, "nul\xef\xbf\xbdx~", 8);
	/* A queue listed twice is still refused (it would count twice). */
	expect_parse_error("[{\"name\":\"a\",\"statistics\":{}},{\"name\":\"b\","
	    "\"statistics\":{}},{\"name\":\"a\",\"statistics\":{}}]",
	    JOBS_SHAPE_QUEUES, "listed twice", "\"a\"");
	/* A message names a queue in printable ASCII. */
	expect_parse_error("[{\"name\":\"caf\\u00e9\\n\",\"statistics\":"
	    "{\"active\":-1}}]", JOBS_SHAPE_QUEUES, "queue \"caf?? \"", NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_totals),
		cmocka_unit_test(test_jobs_and_queues_agree),
		cmocka_unit_test(test_real_v275_jobs_and_queues_agree),
		cmocka_unit_test(test_paused_queue),
		cmocka_unit_test(test_error_bodies_refused),
		cmocka_unit_test(test_parse_absent_counters),
		cmocka_unit_test(test_parse_bad_counters),
		cmocka_unit_test(test_parse_overflow),
		cmocka_unit_test(test_parse_is_paused),
		cmocka_unit_test(test_parse_skips_non_queues),
		cmocka_unit_test(test_parse_wrong_shape),
		cmocka_unit_test(test_parse_not_json),
		cmocka_unit_test(test_parse_strict_and_duplicates),
		cmocka_unit_test(test_parse_more_queues_than_listed),
		cmocka_unit_test(test_parse_queue_names),
	};

	return cmocka_run_group_tests_name("jobs", tests, group_setup,
	    group_teardown);
}
