/*
 * fuzz_parse.c - libFuzzer harness over what Immich's answer goes through:
 * jobs_parse (both shapes), jobs_totals, jobs_sort_busiest, render_json,
 * render_metrics and render_error; and, as the body of an error answer,
 * diag_status and diag_html (lib/diagnose.c).
 *
 * Input: the first byte picks the shape (even: GET /api/jobs object, odd:
 * GET /api/queues array; the seeds use 'j' and 'q'), the rest is the body.
 * Besides the sanitizers, it checks what jobs.h and render.h promise: a
 * refused body leaves no queue and a 502 (500 only for out of memory) with
 * a printable message; accepted counts are >= 0, names well-formed UTF-8
 * (no NUL) and told apart, totals equal to the sums over q[] and the
 * queues left out; every rendered body parses back as JSON with those
 * totals and names; a diagnosis is a 502 with a printable message and the
 * status it was given.  A broken promise aborts, which libFuzzer reports as
 * a crash.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../lib/diagnose.h"
#include "../lib/err.h"
#include "check.h"
#include "../lib/jobs.h"
#include "../lib/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


/* Well-formed UTF-8 (RFC 3629), checked by json-c's own validator. */
static int
is_utf8(const char *s)
{
	json_object *o = json_object_new_string(s), *p;
	struct json_tokener *tok = json_tokener_new();
	const char *text;
	int ok;

	CHECK(o != NULL && tok != NULL);
	text = json_object_to_json_string(o);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	p = json_tokener_parse_ex(tok, text, (int)strlen(text));
	ok = p != NULL && strcmp(json_object_get_string(p), s) == 0;
	json_object_put(p);
	json_tokener_free(tok);
	json_object_put(o);
	return ok;
}

static void
check_msg(const struct err *e)
{
	size_t i, n = strlen(e->msg);

	CHECK(n > 0 && n < ERR_MSG_MAX);
	for (i = 0; i < n; i++)
		CHECK(e->msg[i] >= 0x20 && e->msg[i] < 0x7f);
}

/* Parse what a render_* function wrote; it must be one JSON object. */
static json_object *
parse_back(const char *buf, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	json_object *o;

	CHECK(tok != NULL);
	CHECK(len > 0 && buf[len - 1] == '\n');
	o = json_tokener_parse_ex(tok, buf, (int)len);
	CHECK(o != NULL);
	CHECK(json_object_is_type(o, json_type_object));
	CHECK((size_t)tok->char_offset == len);	/* json-c eats the "\n" */
	json_tokener_free(tok);
	return o;
}

static int64_t
get_int(json_object *o, const char *key)
{
	json_object *v;

	CHECK(json_object_object_get_ex(o, key, &v));
	CHECK(json_object_is_type(v, json_type_int));
	return json_object_get_int64(v);
}

static void
check_json(const struct jobs *j, const struct totals *t, int stale)
{
	struct render_info info = { 1767225600, stale, stale ? 42 : 0,
	    "Immich \"failed\"\\ \x01 just now" };
	json_object *o, *by, *q, *name;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f != NULL);
	CHECK(render_json(f, j, &info) == 0);
	CHECK(fclose(f) == 0);
	o = parse_back(buf, len);
	CHECK(get_int(o, "active") == t->active);
	CHECK(get_int(o, "waiting") == jobs_totals_waiting(t));
	CHECK(get_int(o, "failed") == t->failed);
	CHECK(get_int(o, "delayed") == t->delayed);
	CHECK(get_int(o, "paused") == t->paused);
	CHECK(get_int(o, "completed") == t->completed);
	CHECK(get_int(o, "queues") == t->queues);
	CHECK(get_int(o, "queues_busy") == t->queues_busy);
	CHECK(get_int(o, "queues_paused") == t->queues_paused);
	CHECK(get_int(o, "queues_omitted") == j->omitted.queues);
	CHECK(!json_object_object_get_ex(o, "error", NULL));
	CHECK(json_object_object_get_ex(o, "by_queue", &by));
	CHECK(json_object_is_type(by, json_type_array));
	CHECK(json_object_array_length(by) == j->n);
	for (i = 0; i < j->n; i++) {
		q = json_object_array_get_idx(by, i);
		CHECK(json_object_object_get_ex(q, "name", &name));
		CHECK(json_object_is_type(name, json_type_string));
		CHECK(is_utf8(json_object_get_string(name)));
		if (i > 0) {	/* busiest first */
			json_object *p = json_object_array_get_idx(by, i - 1);
			CHECK(get_int(p, "active") >= get_int(q, "active"));
		}
	}
	CHECK(get_int(o, "age") == (stale ? 42 : 0));
	CHECK(json_object_object_get_ex(o, "queue", &q));
	CHECK(json_object_is_type(q, json_type_object));
	CHECK((size_t)json_object_object_length(q) == j->n);
	json_object_put(o);
	free(buf);
}

static void
check_metrics(const struct jobs *j)
{
	char *buf = NULL;
	size_t len = 0, lines = 0, i;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f != NULL);
	CHECK(render_metrics(f, j, 0.25) == 0);
	CHECK(fclose(f) == 0);
	CHECK(len > 0 && buf[len - 1] == '\n');
	for (i = 0; i < len; i++) {
		CHECK(buf[i] != '\0');
		if (buf[i] == '\n')
			lines++;
	}
	/*
	 * 2 comment lines per family; per queue 6 immich_jobs samples and
	 * one each of paused, stalled, eta; 3 families of what was left out
	 * (1 + 6 + 1 samples); up and duration.
	 */
	CHECK(lines == (j != NULL && j->n > 0 ?
	    8 + 9 * j->n + 6 + 8 : 0) + 6);
	free(buf);
}

static void
check_error(const struct err *e)
{
	json_object *o, *m;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f != NULL);
	CHECK(render_error(f, e) == 0);
	CHECK(fclose(f) == 0);
	o = parse_back(buf, len);
	CHECK(json_object_object_get_ex(o, "error", &m));
	CHECK(strcmp(json_object_get_string(m), e->msg) == 0);
	json_object_put(o);
	free(buf);
}

/*
 * body as a non-2xx answer (status and IMMICH_URL's form picked by sel),
 * and as a 2xx HTML page, through lib/diagnose.c.
 */
static void
check_diag(uint8_t sel, const char *body, size_t len)
{
	static const int status[] = { 401, 403, 404, 406, 500, 502, 302, 429 };
	static const struct diag_ask ask = { "/api/queues", "queue.read",
	    "job.read" };
	static const struct diag_ask ask_plain = { "/api/jobs", "job.read",
	    NULL };
	struct config c;
	struct diag_reply r = { status[sel & 7], NULL, len, (sel & 8) ?
	    "text/html" : "application/json", "/login", "nginx", "",
	    "ab12cd34" };
	struct err e;
	char *copy;

	memset(&c, 0, sizeof(c));
	snprintf(c.shown_url, sizeof(c.shown_url), "%s", (sel & 16) ?
	    "http://immich.lan:2283/immich" : "https://immich.lan");
	c.api = (sel & 32) ? CONFIG_API_AUTO : CONFIG_API_JOBS;
	CHECK((copy = malloc(len + 1)) != NULL);
	memcpy(copy, body, len);
	copy[len] = '\0';
	r.body = copy;
	diag_status(&c, (sel & 64) ? &ask : &ask_plain, &r, &e);
	CHECK(e.status == 502 && e.upstream_status == r.status);
	check_msg(&e);
	r.status = 200;
	CHECK(diag_html(&c, &r, &e) == -1);
	CHECK(e.status == 502 && e.upstream_status == 200);
	check_msg(&e);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jobs j;
	struct totals t;
	struct err e;
	enum jobs_shape shape;
	int64_t sum_active = 0, sum_failed = 0;
	size_t i, k;

	if (size < 1)
		return 0;
	shape = (data[0] & 1) ? JOBS_SHAPE_QUEUES : JOBS_SHAPE_JOBS;
	check_diag(data[0], (const char *)data + 1, size - 1);
	err_clear(&e);
	memset(&j, 0xa5, sizeof(j));	/* jobs_parse must overwrite it */
	if (jobs_parse(&j, (const char *)data + 1, size - 1, shape, &e) != 0) {
		CHECK(j.n == 0);
		CHECK(e.status == 502 || e.status == 500);
		check_msg(&e);
		check_error(&e);
		check_metrics(NULL);
		return 0;
	}
	CHECK(e.status == 0);
	CHECK(j.n > 0 && j.n <= JOBS_MAX_QUEUES);
	for (i = 0; i < j.n; i++) {
		const struct queue *q = &j.q[i];
		size_t n = strnlen(q->name, JOBS_NAME_MAX);

		CHECK(n < JOBS_NAME_MAX);
		CHECK(is_utf8(q->name));
		for (k = 0; k < i; k++)		/* told apart */
			CHECK(strcmp(q->name, j.q[k].name) != 0);
		CHECK(q->active >= 0 && q->waiting >= 0 && q->delayed >= 0 &&
		    q->paused >= 0 && q->failed >= 0 && q->completed >= 0);
		CHECK(q->is_paused == 0 || q->is_paused == 1);
		CHECK(jobs_queue_waiting(q) >= 0);
		sum_active += q->active;
		sum_failed += q->failed;
	}
	jobs_totals(&j, &t);
	CHECK(t.queues == (int64_t)j.n + j.omitted.queues);
	CHECK(j.omitted.queues == 0 || j.n == JOBS_MAX_QUEUES);
	CHECK(t.active == sum_active + j.omitted.active &&
	    t.failed == sum_failed + j.omitted.failed);
	CHECK(jobs_totals_waiting(&t) >= 0 && t.queues_busy <= t.queues &&
	    t.queues_paused <= t.queues);
	check_json(&j, &t, data[0] & 2);
	check_metrics(&j);
	return 0;
}
