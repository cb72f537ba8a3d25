/*
 * test_render.c - cmocka unit tests of render_json, render_error,
 * render_metrics and render_queue_summary, parsed back with json-c.
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

/* ------------------------------------------------------------------ */
/* render                                                              */
/* ------------------------------------------------------------------ */


/* Run fn into a memory stream; returns the bytes (malloc'd, NUL-ended). */
#define CAPTURE(buf, size, call) do {					\
	FILE *cap_f_ = open_memstream(&(buf), &(size));			\
	assert_non_null(cap_f_);					\
	assert_int_equal(call(cap_f_), 0);				\
	assert_int_equal(fclose(cap_f_), 0);				\
} while (0)

static const struct jobs *render_j;
static const struct render_info *render_st;
/* Fresh counts fetched at 2026-01-01T00:00:00Z, nothing known per queue. */
static const struct render_info fresh = { 1767225600, 0, 0, "" };
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

/* A number, whole or not. */
static double
jdouble(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no key \"%s\"", key);
	assert_true(json_object_is_type(v, json_type_double) ||
	    json_object_is_type(v, json_type_int));
	return json_object_get_double(v);
}

struct row {
	const char	*name;
	const char	*title;
	int64_t		 active, waiting, failed, delayed, paused, completed;
	int		 is_paused;
	const char	*summary;
};

struct body_totals {
	int64_t	active, waiting, failed, queues, delayed, paused, completed;
	int64_t	queues_busy, queues_paused;
};

static const char *const top_ints[] = {
	"active", "waiting", "failed", "queues", "delayed", "paused",
	"completed", "queues_busy", "queues_paused", "queues_stalled",
	"eta_seconds", "age"
};
static const char *const top_strs[] = {
	"status", "summary", "updated", "upstream_error", "eta"
};

/* queue.<name> is the same object as the by_queue entry q. */
static void
check_pinned(json_object *root, json_object *q)
{
	json_object *pin, *p;

	assert_true(json_object_object_get_ex(root, "queue", &pin));
	assert_true(json_object_is_type(pin, json_type_object));
	assert_true(json_object_object_get_ex(pin, jstr(q, "name"), &p));
	assert_true(json_object_equal(p, q));
}

/*
 * busy: the entries of by (nrows) up to the first idle one, the same
 * objects; or, when the first is idle, one row saying so, with every key
 * of a queue's object (stale: the status text of stale counts, or NULL).
 */
static void
check_busy(json_object *root, json_object *by, const struct row *rows,
    size_t nrows, const char *stale)
{
	json_object *busy, *q;
	size_t i, n = 0;
	char want[160];

	assert_true(json_object_object_get_ex(root, "busy", &busy));
	assert_true(json_object_is_type(busy, json_type_array));
	while (n < nrows && strcmp(rows[n].summary, "idle") != 0)
		n++;
	if (n > 0) {
		assert_int_equal(json_object_array_length(busy), n);
		for (i = 0; i < n; i++)
			assert_true(json_object_equal(
			    json_object_array_get_idx(busy, i),
			    json_object_array_get_idx(by, i)));
		return;
	}
	assert_int_equal(json_object_array_length(busy), 1);
	q = json_object_array_get_idx(busy, 0);
	assert_int_equal(json_object_object_length(q), 15);
	assert_string_equal(jstr(q, "name"), "");
	assert_string_equal(jstr(q, "title"), "All queues");
	snprintf(want, sizeof(want), "%sidle", stale != NULL ? "stale" DOT : "");
	assert_string_equal(jstr(q, "summary"), want);
	assert_string_equal(jstr(q, "eta"), stale != NULL ? stale : "idle");
	assert_int_equal(jint(q, "active") + jint(q, "waiting") +
	    jint(q, "eta_seconds"), 0);
	assert_false(jbool(q, "is_paused"));
	assert_false(jbool(q, "stalled"));
}

/*
 * stale: NULL for fresh counts, else the status text, which stale counts'
 * ETAs show and their summaries start with.
 */
static void
check_body(json_object *root, const struct body_totals *t,
    const struct row *rows, size_t nrows, const char *stale)
{
	json_object *by, *q;
	size_t i;
	char want[200];

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
		assert_int_equal(json_object_object_length(q), 15);
		assert_false(jbool(q, "name_cut"));
		assert_string_equal(jstr(q, "name"), rows[i].name);
		assert_string_equal(jstr(q, "title"), rows[i].title);
		assert_int_equal(jint(q, "active"), rows[i].active);
		assert_int_equal(jint(q, "waiting"), rows[i].waiting);
		assert_int_equal(jint(q, "failed"), rows[i].failed);
		assert_int_equal(jint(q, "delayed"), rows[i].delayed);
		assert_int_equal(jint(q, "paused"), rows[i].paused);
		assert_int_equal(jint(q, "completed"), rows[i].completed);
		assert_int_equal(jbool(q, "is_paused"), rows[i].is_paused);
		/* Stale counts say so in every text. */
		snprintf(want, sizeof(want), "%s%s", stale != NULL ?
		    "stale" DOT : "", rows[i].summary);
		assert_string_equal(jstr(q, "summary"), want);
		/* Counts with no history behind them: no estimate. */
		assert_true(jdouble(q, "rate") == 0);
		assert_int_equal(jint(q, "eta_seconds"), 0);
		assert_string_equal(jstr(q, "eta"), stale != NULL ? stale :
		    "collecting data");
		assert_false(jbool(q, "stalled"));
		check_pinned(root, q);
	}
	assert_true(json_object_object_get_ex(root, "queue", &q));
	assert_int_equal(json_object_object_length(q), nrows);
	check_busy(root, by, rows, nrows, stale);
	/* Every documented key, always, with one type. */
	for (i = 0; i < sizeof(top_ints) / sizeof(top_ints[0]); i++)
		(void)jint(root, top_ints[i]);
	for (i = 0; i < sizeof(top_strs) / sizeof(top_strs[0]); i++)
		(void)jstr(root, top_strs[i]);
	(void)jbool(root, "stale");
	(void)jdouble(root, "rate");
	assert_int_equal(jint(root, "queues_omitted"), 0);
	assert_int_equal(json_object_object_length(root), 23);
}

/*
 * render_json of j with info, parsed and checked by check_body; the caller
 * puts the root.
 */
static json_object *
render_checked(struct jobs *j, const struct render_info *info,
    const struct body_totals *t, const struct row *rows, size_t nrows,
    const char *stale)
{
	json_object *root;
	char *buf = NULL;
	size_t size = 0;

	render_j = j;
	render_st = info;
	CAPTURE(buf, size, call_render_json);
	root = parse_body(buf, size);
	free(buf);
	render_st = &fresh;
	check_body(root, t, rows, nrows, stale);
	return root;
}

#define IDLE(name, title)	{ name, title, 0, 0, 0, 0, 0, 0, 0, "idle" }

static void
test_render_json_paused(void **state)
{
	static const struct row rows[] = {
		{ "thumbnailGeneration", "Generate Thumbnails", 1, 12, 0, 0,
		    0, 0, 0, "1 active" DOT "12 waiting" },
		{ "metadataExtraction", "Extract metadata", 1, 9, 0, 0, 0, 0,
		    0, "1 active" DOT "9 waiting" },
		{ "smartSearch", "Smart Search", 0, 2417, 0, 0, 2417, 0, 1,
		    "paused" DOT "2,417 waiting" },
		/* Failures sort above idle queues, where limit: 5 shows them. */
		{ "videoConversion", "Transcode videos", 0, 0, 1, 0, 0, 0, 0,
		    "1 failed" },
		IDLE("backgroundTask", "Background Tasks"),
		IDLE("backupDatabase", "Create Database Dump"),
		IDLE("duplicateDetection", "Duplicate Detection"),
		IDLE("editor", "Editor"),
		IDLE("faceDetection", "Face detection"),
		IDLE("facialRecognition", "Facial Recognition"),
		IDLE("library", "External Libraries"),
		IDLE("migration", "Migration"),
		IDLE("notifications", "Notifications"),
		IDLE("ocr", "OCR"), IDLE("search", "Search"),
		IDLE("sidecar", "Sidecar metadata"),
		IDLE("storageTemplateMigration", "Storage template migration"),
		IDLE("workflow", "Workflows"),
	};
	static const struct body_totals t = {
		2, 2438, 1, 18, 0, 2417, 0, 3, 1
	};
	static struct jobs j;
	json_object *root;

	(void)state;
	load_fixture("jobs-paused.json", &j);
	root = render_checked(&j, &fresh, &t, rows, sizeof(rows) /
	    sizeof(rows[0]), NULL);
	/* Fresh: the same keys, with their "none" values. */
	assert_int_equal(jbool(root, "stale"), 0);
	assert_int_equal(jint(root, "age"), 0);
	assert_string_equal(jstr(root, "upstream_error"), "");
	assert_string_equal(jstr(root, "status"), "ok");
	assert_string_equal(jstr(root, "updated"), "2026-01-01T00:00:00Z");
	/* 2,417 of 2,438 waiting jobs sit in a paused queue: it says so. */
	assert_string_equal(jstr(root, "summary"), "2 active" DOT
	    "2,438 waiting (2,417 paused)" DOT "1 failed");
	json_object_put(root);
}

static void
test_render_json_newest_stale(void **state)
{
	static const struct row rows[] = {
		{ "thumbnailGeneration", "Generate Thumbnails", 4, 902, 3, 0,
		    0, 0, 0, "4 active" DOT "902 waiting" DOT "3 failed" },
		{ "metadataExtraction", "Extract metadata", 4, 611, 0, 0, 0,
		    0, 0, "4 active" DOT "611 waiting" },
		{ "smartSearch", "Smart Search", 2, 512, 0, 0, 0, 0, 0,
		    "2 active" DOT "512 waiting" },
		{ "faceDetection", "Face detection", 2, 433, 0, 0, 0, 0, 0,
		    "2 active" DOT "433 waiting" },
		{ "ocr", "OCR", 1, 480, 5, 0, 0, 0, 0,
		    "1 active" DOT "480 waiting" DOT "5 failed" },
		{ "videoConversion", "Transcode videos", 1, 18, 1, 0, 0, 0, 0,
		    "1 active" DOT "18 waiting" DOT "1 failed" },
		{ "backgroundTask", "Background Tasks", 1, 3, 0, 0, 0, 0, 0,
		    "1 active" DOT "3 waiting" },
		{ "library", "External Libraries", 1, 0, 0, 0, 0, 0, 0,
		    "1 active" },
		{ "notifications", "Notifications", 0, 1, 0, 1, 0, 0, 0,
		    "1 waiting" },
		IDLE("backupDatabase", "Create Database Dump"),
		IDLE("duplicateDetection", "Duplicate Detection"),
		IDLE("editor", "Editor"),
		IDLE("facialRecognition", "Facial Recognition"),
		/* Not in Immich's web UI titles: made from the id. */
		IDLE("integrityCheck", "Integrity check"),
		IDLE("migration", "Migration"), IDLE("search", "Search"),
		IDLE("sidecar", "Sidecar metadata"),
		IDLE("storageTemplateMigration", "Storage template migration"),
		IDLE("workflow", "Workflows"),
	};
	static const struct body_totals t = {
		16, 2960, 9, 19, 1, 0, 0, 9, 0
	};
	static const char why[] = "Immich said \"no\" \\ twice";
	static struct jobs j;
	struct render_info st = { 1767225600, 1, 42, why };
	json_object *root;

	(void)state;
	load_fixture("jobs-newest.json", &j);
	root = render_checked(&j, &fresh, &t, rows, sizeof(rows) /
	    sizeof(rows[0]), NULL);
	assert_string_equal(jstr(root, "summary"), "16 active" DOT
	    "2,960 waiting" DOT "9 failed");
	json_object_put(root);
	/* The same counts, stale: the same keys, still no "error". */
	root = render_checked(&j, &st, &t, rows, sizeof(rows) /
	    sizeof(rows[0]), "stale" DOT "42 s old");
	assert_int_equal(jbool(root, "stale"), 1);
	/* The texts a dashboard shows say the counts are old. */
	assert_string_equal(jstr(root, "summary"), "stale" DOT "42 s old" DOT
	    "16 active" DOT "2,960 waiting" DOT "9 failed");
	assert_string_equal(jstr(root, "eta"), "stale" DOT "42 s old");
	assert_int_equal(jint(root, "age"), 42);
	assert_string_equal(jstr(root, "upstream_error"), why);
	assert_string_equal(jstr(root, "status"), "stale" DOT "42 s old");
	assert_string_equal(jstr(root, "updated"), "2026-01-01T00:00:00Z");
	json_object_put(root);
}

/* Nothing to do: busy is one row saying so, fresh or stale. */
static void
test_render_json_idle(void **state)
{
	static const struct row rows[] = {
		IDLE("backgroundTask", "Background Tasks"),
		IDLE("backupDatabase", "Create Database Dump"),
		IDLE("duplicateDetection", "Duplicate Detection"),
		IDLE("editor", "Editor"),
		IDLE("faceDetection", "Face detection"),
		IDLE("facialRecognition", "Facial Recognition"),
		IDLE("integrityCheck", "Integrity check"),
		IDLE("library", "External Libraries"),
		IDLE("metadataExtraction", "Extract metadata"),
		IDLE("migration", "Migration"),
		IDLE("notifications", "Notifications"),
		IDLE("ocr", "OCR"), IDLE("search", "Search"),
		IDLE("sidecar", "Sidecar metadata"),
		IDLE("smartSearch", "Smart Search"),
		IDLE("storageTemplateMigration", "Storage template migration"),
		IDLE("thumbnailGeneration", "Generate Thumbnails"),
		IDLE("videoConversion", "Transcode videos"),
		IDLE("workflow", "Workflows"),
	};
	static const struct body_totals t = { 0, 0, 0, 19, 0, 0, 0, 0, 0 };
	struct render_info st = { 1767225600, 1, 7200, "down" };
	static struct jobs j;
	json_object *root;

	(void)state;
	load_fixture("jobs-idle.json", &j);
	root = render_checked(&j, &fresh, &t, rows, sizeof(rows) /
	    sizeof(rows[0]), NULL);
	assert_string_equal(jstr(root, "summary"), "idle");
	json_object_put(root);
	root = render_checked(&j, &st, &t, rows, sizeof(rows) /
	    sizeof(rows[0]), "stale" DOT "last seen 2 h ago");
	assert_string_equal(jstr(root, "summary"), "stale" DOT
	    "last seen 2 h ago" DOT "idle");
	json_object_put(root);
}

static void
test_render_json_order_ties(void **state)
{
	static struct jobs j;
	json_object *root, *by;
	char *buf = NULL;
	size_t size = 0;
	static const char *const order[] = { "b", "a", "c", "d", "f", "e" };
	size_t i;

	(void)state;
	memset(&j, 0, sizeof(j));
	j.n = 6;
	/*
	 * e: idle; f: failures only (above idle); d: waiting only via
	 * delayed; c: 1 active 0 waiting
	 */
	strcpy(j.q[5].name, "f");
	j.q[5].failed = 2;
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
	render_st = &fresh;
	CAPTURE(buf, size, call_render_json);
	root = parse_body(buf, size);
	free(buf);
	assert_true(json_object_object_get_ex(root, "by_queue", &by));
	assert_int_equal(json_object_array_length(by), 6);
	for (i = 0; i < 6; i++)
		assert_string_equal(jstr(json_object_array_get_idx(by, i),
		    "name"), order[i]);
	assert_int_equal(jint(root, "queues_busy"), 4);
	json_object_put(root);
	/* jobs_sort_busiest agrees and leaves j alone. */
	{
		size_t idx[JOBS_MAX_QUEUES];

		jobs_sort_busiest(&j, idx);
		for (i = 0; i < 6; i++)
			assert_string_equal(j.q[idx[i]].name, order[i]);
		assert_string_equal(j.q[0].name, "e");
	}
	/* Stalled queues come first, in the same order among themselves. */
	{
		static const char *const flagged[] = {
			"d", "e", "b", "a", "c", "f"
		};

		j.q[0].progress.stalled = 1;	/* e */
		j.q[1].progress.stalled = 1;	/* d */
		buf = NULL;
		CAPTURE(buf, size, call_render_json);
		root = parse_body(buf, size);
		free(buf);
		assert_true(json_object_object_get_ex(root, "by_queue", &by));
		for (i = 0; i < 6; i++)
			assert_string_equal(jstr(json_object_array_get_idx(by,
			    i), "name"), flagged[i]);
		json_object_put(root);
	}
}

static void
test_render_status(void **state)
{
	static const struct {
		long		 age;
		const char	*want;
	} cases[] = {
		{ 0, "stale" DOT "0 s old" },
		{ 50, "stale" DOT "50 s old" },
		{ 119, "stale" DOT "119 s old" },
		{ 120, "stale" DOT "last seen 2 min ago" },
		{ 7199, "stale" DOT "last seen 119 min ago" },
		{ 7200, "stale" DOT "last seen 2 h ago" },
		{ 10799, "stale" DOT "last seen 2 h ago" },
		{ 86400, "stale" DOT "last seen 24 h ago" },
		{ 172800, "stale" DOT "last seen 2 d ago" },
		{ -5, "stale" DOT "0 s old" },
	};
	struct render_info info = fresh;
	char buf[64];
	size_t i;

	(void)state;
	assert_string_equal(render_status(&info, buf, sizeof(buf)), "ok");
	info.stale = 1;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		info.age = cases[i].age;
		assert_string_equal(render_status(&info, buf, sizeof(buf)),
		    cases[i].want);
	}
	memset(buf, 'X', sizeof(buf));
	render_status(&info, buf, 4);
	assert_string_equal(buf, "sta");
}

/* Every queue id of every fixture era has Immich's title, or one made. */
static void
test_render_title(void **state)
{
	static const char *const known[][2] = {
		{ "thumbnailGeneration", "Generate Thumbnails" },
		{ "metadataExtraction", "Extract metadata" },
		{ "videoConversion", "Transcode videos" },
		{ "faceDetection", "Face detection" },
		{ "facialRecognition", "Facial Recognition" },
		{ "smartSearch", "Smart Search" },
		{ "duplicateDetection", "Duplicate Detection" },
		{ "backgroundTask", "Background Tasks" },
		{ "storageTemplateMigration", "Storage template migration" },
		{ "migration", "Migration" },
		{ "search", "Search" },
		{ "sidecar", "Sidecar metadata" },
		{ "library", "External Libraries" },
		{ "notifications", "Notifications" },
		{ "backupDatabase", "Create Database Dump" },
		{ "ocr", "OCR" },
		{ "workflow", "Workflows" },
		{ "editor", "Editor" },
		/* Immich's UI gives none: made from the id. */
		{ "integrityCheck", "Integrity check" },
		{ "objectTagging", "Object tagging" },
		{ "clip2Encoding", "Clip2 encoding" },
		{ "snake_case-id", "Snake case id" },
		{ "URLFetch", "URLFetch" },
		{ "x", "X" },
	};
	static const char *const fixtures[] = {
		"jobs-newest.json", "jobs-paused.json", "jobs-idle.json",
		"jobs-v1.100.json", "jobs-v1.106.json", "jobs-v1.1xx.json",
		"jobs-v2.0.json", "jobs-v2.3.json", "jobs-v2.x.json",
		"queues-newest.json", "queues-v2.x.json",
	};
	static struct jobs j;
	char buf[160], small[8];
	size_t i, k, f;
	int found;

	(void)state;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		assert_string_equal(render_queue_title(known[i][0], buf,
		    sizeof(buf)), known[i][1]);
	for (f = 0; f < sizeof(fixtures) / sizeof(fixtures[0]); f++) {
		load_fixture(fixtures[f], &j);
		for (k = 0; k < j.n; k++) {
			found = 0;
			for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
				found |= strcmp(j.q[k].name, known[i][0]) == 0;
			if (!found)
				fail_msg("%s: queue %s has no title in this "
				    "test", fixtures[f], j.q[k].name);
		}
	}
	/* Always NUL-terminated, never past size. */
	memset(small, 'X', sizeof(small));
	render_queue_title("storageTemplateMigration", small, 5);
	assert_string_equal(small, "Stor");
	assert_int_equal(small[5], 'X');
	render_queue_title("averyLongUnknownId", small, 5);
	assert_true(strlen(small) < 5);
}

static void
test_render_totals_summary(void **state)
{
	static struct jobs j;
	char buf[160];

	(void)state;
	load_fixture("jobs-idle.json", &j);
	assert_string_equal(render_totals_summary(&j, buf, sizeof(buf)),
	    "idle");
	memset(&j, 0, sizeof(j));
	j.n = 2;
	strcpy(j.q[0].name, "a");
	j.q[0].active = 1234567;
	j.q[0].waiting = 1000;
	strcpy(j.q[1].name, "b");
	j.q[1].is_paused = 1;
	j.q[1].waiting = 10;	/* a paused queue's work, whatever its state */
	j.q[1].paused = 990;
	assert_string_equal(render_totals_summary(&j, buf, sizeof(buf)),
	    "1,234,567 active" DOT "2,000 waiting (1,000 paused)");
	j.q[1].failed = 999;
	assert_string_equal(render_totals_summary(&j, buf, sizeof(buf)),
	    "1,234,567 active" DOT "2,000 waiting (1,000 paused)" DOT
	    "999 failed");
	/* Stalled queues come first, as in by_queue. */
	j.q[0].progress.stalled = 1;
	assert_string_equal(render_totals_summary(&j, buf, sizeof(buf)),
	    "1 queue stalled" DOT "1,234,567 active" DOT
	    "2,000 waiting (1,000 paused)" DOT "999 failed");
	j.q[1].progress.stalled = 1;
	j.q[0].active = 0;
	j.q[1].failed = 0;
	assert_string_equal(render_totals_summary(&j, buf, sizeof(buf)),
	    "2 queues stalled" DOT "2,000 waiting (1,000 paused)");
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
	q.waiting = 999;	/* 1,001 with the 2 delayed */
	assert_string_equal(render_queue_summary(&q, buf, sizeof(buf)),
	    "4 active" DOT "1,001 waiting" DOT "3 failed");
	q.waiting = 900;
	q.is_paused = 1;
	q.active = INT64_MAX;
	assert_string_equal(render_queue_summary(&q, buf, sizeof(buf)),
	    "paused" DOT "9,223,372,036,854,775,807 active" DOT "902 waiting"
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


/*
 * Two queues, one with a quote and a backslash in its name, paused, and
 * each counter its own value; the other at INT64_MAX completed.
 */
static void
metrics_jobs(struct jobs *j)
{
	memset(j, 0, sizeof(*j));
	j->n = 2;
	strcpy(j->q[0].name, "a\"b\\c");
	j->q[0].active = 1;
	j->q[0].waiting = 2;
	j->q[0].delayed = 3;
	j->q[0].paused = 4;
	j->q[0].failed = 5;
	j->q[0].completed = 6;
	j->q[0].is_paused = 1;
	strcpy(j->q[1].name, "plain");
	j->q[1].completed = INT64_MAX;
}

/* Lines of buf that are samples, not comments. */
static size_t
count_samples(const char *buf)
{
	const char *line;
	size_t n = 0;

	for (line = buf; *line != '\0'; line = strchr(line, '\n') + 1)
		if (line[0] != '#')
			n++;
	return n;
}

/* Every family with its TYPE, every sample with its value, nothing else. */
static void
test_metrics_every_sample(void **state)
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
		"immich_queue_stalled{queue=\"a\\\"b\\\\c\"} 0\n",
		"immich_queue_stalled{queue=\"plain\"} 0\n",
		"immich_queue_eta_seconds{queue=\"a\\\"b\\\\c\"} NaN\n",
		"immich_queue_eta_seconds{queue=\"plain\"} NaN\n",
		"immich_jobs_queues_omitted 0\n",
		"immich_jobs_omitted{state=\"active\"} 0\n",
		"immich_jobs_omitted{state=\"waiting\"} 0\n",
		"immich_jobs_omitted{state=\"delayed\"} 0\n",
		"immich_jobs_omitted{state=\"paused\"} 0\n",
		"immich_jobs_omitted{state=\"failed\"} 0\n",
		"immich_jobs_omitted{state=\"completed\"} 0\n",
		"immich_jobs_queue_names_cut 0\n",
		"immich_jobs_up 1\n",
		"immich_jobs_scrape_duration_seconds 0.125000\n",
	};
	static const char *const types[] = {
		"# TYPE immich_jobs gauge\n",
		"# TYPE immich_queue_paused gauge\n",
		"# TYPE immich_queue_stalled gauge\n",
		"# TYPE immich_queue_eta_seconds gauge\n",
		"# TYPE immich_jobs_queues_omitted gauge\n",
		"# TYPE immich_jobs_omitted gauge\n",
		"# TYPE immich_jobs_queue_names_cut gauge\n",
		"# TYPE immich_jobs_up gauge\n",
		"# TYPE immich_jobs_scrape_duration_seconds gauge\n",
	};
	static struct jobs j;
	char *buf = NULL;
	size_t size = 0, i;

	(void)state;
	metrics_jobs(&j);
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
	assert_int_equal(count_samples(buf), sizeof(samples) / sizeof(samples[0]));
	free(buf);
}

/* A line break in a label value (never from jobs_parse) is escaped. */
static void
test_metrics_label_line_break(void **state)
{
	static struct jobs j;
	char *buf = NULL;
	size_t size = 0;

	(void)state;
	metrics_jobs(&j);
	strcpy(j.q[1].name, "two\nlines");
	render_j = &j;
	render_duration = 0.125;
	CAPTURE(buf, size, call_render_metrics);
	assert_non_null(strstr(buf,
	    "\nimmich_queue_paused{queue=\"two\\nlines\"} 0\n"));
	assert_null(strstr(buf, "two\nlines"));
	free(buf);
}

/* Immich failed: only the up gauge (0) and the duration. */
static void
test_metrics_immich_failed(void **state)
{
	char *buf = NULL;
	size_t size = 0;

	(void)state;
	render_j = NULL;
	render_duration = 1.5;
	CAPTURE(buf, size, call_render_metrics);
	assert_non_null(strstr(buf, "\nimmich_jobs_up 0\n"));
	assert_non_null(strstr(buf,
	    "\nimmich_jobs_scrape_duration_seconds 1.500000\n"));
	assert_null(strstr(buf, "immich_jobs{"));
	assert_null(strstr(buf, "immich_queue_paused"));
	assert_int_equal(count_samples(buf), 2);
	free(buf);
}

/*
 * Odd queue names and more queues than q[] holds: the JSON parses back to
 * the very names (UTF-8, a newline, quotes, a cut name) and to totals over
 * every queue, says what was left out and cut; /metrics escapes each name
 * as a label value and adds up what it leaves out.
 */
static void
test_render_odd_and_omitted_queues(void **state)
{
	static const char *const names[] = {
		"vid\xc3\xa9o \xf0\x9f\x8e\x9e \xd0\xba\xd0\xbe\xd0\xbd",
		"two\nlines \"quoted\" back\\slash\ttab\x01",
		"cut name\xe2\x80\xa6~0123abcd",
	};
	static struct jobs j;
	json_object *root, *by, *q, *v;
	char *buf = NULL;
	size_t size = 0, i;

	(void)state;
	memset(&j, 0, sizeof(j));
	j.n = 3;
	for (i = 0; i < j.n; i++) {
		strcpy(j.q[i].name, names[i]);
		j.q[i].active = (int64_t)i + 1;
	}
	j.q[2].name_cut = 1;
	/* 200 queues left out: 7 active, 11 waiting of which 5 paused ... */
	j.omitted.queues = 200;
	j.omitted.active = 7;
	j.omitted.waiting = 11;
	j.omitted.delayed = 2;
	j.omitted.paused = 5;
	j.omitted.failed = 3;
	j.omitted.completed = 1;
	j.omitted.queues_busy = 9;
	j.omitted.queues_paused = 1;
	j.omitted.paused_waiting = 5;
	render_j = &j;
	render_st = &fresh;
	CAPTURE(buf, size, call_render_json);
	root = parse_body(buf, size);
	assert_int_equal(jint(root, "active"), 1 + 2 + 3 + 7);
	assert_int_equal(jint(root, "waiting"), 18);
	assert_int_equal(jint(root, "failed"), 3);
	assert_int_equal(jint(root, "queues"), 203);
	assert_int_equal(jint(root, "queues_busy"), 3 + 9);
	assert_int_equal(jint(root, "queues_paused"), 1);
	assert_int_equal(jint(root, "queues_omitted"), 200);
	assert_string_equal(jstr(root, "summary"),
	    "13 active" DOT "18 waiting (5 paused)" DOT "3 failed");
	assert_true(json_object_object_get_ex(root, "by_queue", &by));
	assert_int_equal(json_object_array_length(by), 3);
	assert_true(json_object_object_get_ex(root, "queue", &q));
	for (i = 0; i < j.n; i++) {
		/* busiest first: the third name first */
		json_object *e = json_object_array_get_idx(by, 2 - i);

		assert_string_equal(jstr(e, "name"), names[i]);
		assert_int_equal(jbool(e, "name_cut"), i == 2);
		assert_true(json_object_object_get_ex(q, names[i], &v));
		assert_int_equal(jint(v, "active"), (int64_t)i + 1);
	}
	json_object_put(root);
	free(buf);

	buf = NULL;
	render_duration = 0.5;
	CAPTURE(buf, size, call_render_metrics);
	assert_non_null(strstr(buf, "\nimmich_jobs{queue=\"vid\xc3\xa9o "
	    "\xf0\x9f\x8e\x9e \xd0\xba\xd0\xbe\xd0\xbd\",state=\"active\"} 1\n"));
	assert_non_null(strstr(buf, "\nimmich_jobs{queue=\"two\\nlines "
	    "\\\"quoted\\\" back\\\\slash\ttab\x01\",state=\"active\"} 2\n"));
	assert_non_null(strstr(buf, "\nimmich_jobs_queues_omitted 200\n"));
	assert_non_null(strstr(buf,
	    "\nimmich_jobs_omitted{state=\"active\"} 7\n"));
	assert_non_null(strstr(buf,
	    "\nimmich_jobs_omitted{state=\"waiting\"} 11\n"));
	assert_non_null(strstr(buf,
	    "\nimmich_jobs_omitted{state=\"paused\"} 5\n"));
	assert_non_null(strstr(buf,
	    "\nimmich_jobs_omitted{state=\"completed\"} 1\n"));
	assert_non_null(strstr(buf, "\nimmich_jobs_queue_names_cut 1\n"));
	assert_null(strstr(buf, "two\nlines"));
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
	assert_int_equal(render_json(f, &j, &fresh), -1);
	clearerr(f);
	assert_int_equal(render_error(f, &e), -1);
	clearerr(f);
	assert_int_equal(render_metrics(f, &j, 0.1), -1);
	fclose(f);
}


/*
 * Four queues as history_progress leaves them: one draining, one stalled,
 * one idle, one paused; the whole backlog draining.
 */
static void
progress_jobs(struct jobs *j)
{
	memset(j, 0, sizeof(*j));
	j->n = 4;
	strcpy(j->q[0].name, "thumbnailGeneration");
	j->q[0].active = 4;
	j->q[0].waiting = 876;
	j->q[0].progress.state = PROGRESS_DRAINING;
	j->q[0].progress.rate = 240;
	j->q[0].progress.eta_seconds = 220;
	strcpy(j->q[1].name, "smartSearch");
	j->q[1].waiting = 120;
	j->q[1].progress.state = PROGRESS_NOT_DRAINING;
	j->q[1].progress.stalled = 1;
	strcpy(j->q[2].name, "faceDetection");
	j->q[2].progress.state = PROGRESS_IDLE;
	j->q[2].progress.rate = 12.345;
	strcpy(j->q[3].name, "library");
	j->q[3].paused = 5;
	j->q[3].is_paused = 1;
	j->q[3].progress.state = PROGRESS_PAUSED;
	j->total_progress.state = PROGRESS_DRAINING;
	j->total_progress.rate = 252.35;
	j->total_progress.eta_seconds = 2 * 3600 + 14 * 60;
}

/*
 * What history_progress worked out reaches the body: a draining queue's
 * rate and ETA, a stalled queue first with its summary, and the whole
 * backlog's figures.
 */
static void
test_progress_in_json(void **state)
{
	static struct jobs j;
	json_object *root, *by, *q;
	char *buf = NULL;
	size_t size = 0;

	(void)state;
	progress_jobs(&j);
	render_j = &j;
	render_st = &fresh;
	CAPTURE(buf, size, call_render_json);
	assert_non_null(strstr(buf, "\"rate\":240.0,"));
	assert_non_null(strstr(buf, "\"rate\":12.3,"));
	root = parse_body(buf, size);
	free(buf);
	assert_int_equal(jint(root, "queues_stalled"), 1);
	assert_true(jdouble(root, "rate") > 252.39 && jdouble(root, "rate") < 252.41);
	assert_int_equal(jint(root, "eta_seconds"), 8040);
	assert_string_equal(jstr(root, "eta"), "\xe2\x89\x88 2h 14m");
	assert_true(json_object_object_get_ex(root, "by_queue", &by));
	q = json_object_array_get_idx(by, 0);	/* stalled first */
	assert_string_equal(jstr(q, "name"), "smartSearch");
	assert_true(jbool(q, "stalled"));
	assert_string_equal(jstr(q, "summary"), "stalled" DOT "120 waiting");
	assert_string_equal(jstr(q, "eta"), "not draining");
	assert_int_equal(jint(q, "eta_seconds"), 0);
	q = json_object_array_get_idx(by, 1);
	assert_string_equal(jstr(q, "name"), "thumbnailGeneration");
	assert_false(jbool(q, "stalled"));
	assert_true(jdouble(q, "rate") == 240);
	assert_int_equal(jint(q, "eta_seconds"), 220);
	assert_string_equal(jstr(q, "eta"), "\xe2\x89\x88 4m");
	assert_string_equal(jstr(q, "summary"), "4 active" DOT "876 waiting");
	json_object_put(root);
}

/* A slow drain (1 job in 5 minutes) is not shown as 0.0. */
static void
test_progress_slow_rate(void **state)
{
	static struct jobs j;
	char *buf = NULL;
	size_t size = 0;

	(void)state;
	progress_jobs(&j);
	j.q[2].progress.rate = 0.2;
	j.total_progress.rate = 0.0033;
	render_j = &j;
	render_st = &fresh;
	CAPTURE(buf, size, call_render_json);
	assert_non_null(strstr(buf, "\"rate\":0.200,"));
	assert_non_null(strstr(buf, "\"rate\":0.003,"));
	free(buf);
}

/* Stalled and ETA per queue in /metrics: 0 idle, +Inf not draining or paused. */
static void
test_progress_in_metrics(void **state)
{
	static struct jobs j;
	char *buf = NULL;
	size_t size = 0;

	(void)state;
	progress_jobs(&j);
	render_j = &j;
	render_duration = 0.1;
	CAPTURE(buf, size, call_render_metrics);
	assert_non_null(strstr(buf,
	    "\nimmich_queue_stalled{queue=\"smartSearch\"} 1\n"));
	assert_non_null(strstr(buf,
	    "\nimmich_queue_stalled{queue=\"thumbnailGeneration\"} 0\n"));
	assert_non_null(strstr(buf,
	    "\nimmich_queue_eta_seconds{queue=\"thumbnailGeneration\"} 220\n"));
	assert_non_null(strstr(buf,
	    "\nimmich_queue_eta_seconds{queue=\"smartSearch\"} +Inf\n"));
	assert_non_null(strstr(buf,
	    "\nimmich_queue_eta_seconds{queue=\"faceDetection\"} 0\n"));
	assert_non_null(strstr(buf,
	    "\nimmich_queue_eta_seconds{queue=\"library\"} +Inf\n"));
	free(buf);
}

/*
 * The estimator's other words in /metrics: an import or a fall with no
 * rate yet has an end not known (NaN); a queue keeping up or holding only
 * delayed jobs has no backlog to drain (0).
 */
static void
test_progress_words_in_metrics(void **state)
{
	static struct jobs j;
	static const struct { enum progress_state st; const char *v; } want[] = {
		{ PROGRESS_IMPORTING, "NaN" }, { PROGRESS_FALLING, "NaN" },
		{ PROGRESS_KEEPING_UP, "0" }, { PROGRESS_DELAYED, "0" },
		{ PROGRESS_NOT_DRAINING, "+Inf" }, { PROGRESS_PAUSED, "+Inf" },
	};
	char line[128], *buf = NULL;
	size_t k, size = 0;

	(void)state;
	for (k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		progress_jobs(&j);
		j.q[0].progress.state = want[k].st;
		j.q[0].progress.eta_seconds = 0;
		render_j = &j;
		render_duration = 0.1;
		CAPTURE(buf, size, call_render_metrics);
		snprintf(line, sizeof(line),
		    "\nimmich_queue_eta_seconds{queue=\"%s\"} %s\n",
		    j.q[0].name, want[k].v);
		assert_non_null(strstr(buf, line));
		free(buf);
		buf = NULL;
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_json_paused),
		cmocka_unit_test(test_render_json_newest_stale),
		cmocka_unit_test(test_render_json_idle),
		cmocka_unit_test(test_render_json_order_ties),
		cmocka_unit_test(test_render_summary),
		cmocka_unit_test(test_render_status),
		cmocka_unit_test(test_render_title),
		cmocka_unit_test(test_render_totals_summary),
		cmocka_unit_test(test_render_error),
		cmocka_unit_test(test_metrics_every_sample),
		cmocka_unit_test(test_metrics_label_line_break),
		cmocka_unit_test(test_metrics_immich_failed),
		cmocka_unit_test(test_progress_in_json),
		cmocka_unit_test(test_progress_slow_rate),
		cmocka_unit_test(test_progress_in_metrics),
		cmocka_unit_test(test_progress_words_in_metrics),
		cmocka_unit_test(test_render_write_error),
		cmocka_unit_test(test_render_odd_and_omitted_queues),
	};

	return cmocka_run_group_tests_name("render", tests, group_setup,
	    group_teardown);
}
