/* jobs_parse.c - parse Immich's job counts with json-c; see jobs.h. */
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "jobs.h"

static const char *const counters[] = {
	"active", "waiting", "delayed", "paused", "failed", "completed"
};

static int64_t *
counter_slot(struct queue *q, size_t i)
{
	int64_t *slots[] = {
		&q->active, &q->waiting, &q->delayed, &q->paused, &q->failed,
		&q->completed
	};
	return slots[i];
}

static int
set_name(struct queue *q, const char *name, size_t len, struct err *e)
{
	size_t i;

	if (len == 0)
		return err_set(e, 502, 0, "Immich's answer has a queue with an "
		    "empty name");
	if (len >= JOBS_NAME_MAX)
		return err_set(e, 502, 0, "Immich's answer has a queue name "
		    "longer than %d bytes", JOBS_NAME_MAX - 1);
	for (i = 0; i < len; i++)
		if (name[i] < 0x20 || name[i] > 0x7e) {
			char shown[JOBS_NAME_MAX];
			err_sanitize(shown, sizeof(shown), name, len);
			return err_set(e, 502, 0, "Immich's answer has a queue "
			    "name that is not printable ASCII: \"%s\"", shown);
		}
	memcpy(q->name, name, len);
	q->name[len] = '\0';
	return 0;
}

/* Read the six counters of one queue from counts (a JSON object). */
static int
set_counts(struct queue *q, json_object *counts, const char *where,
    struct err *e)
{
	json_object *v;
	size_t i;

	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		int64_t n;

		*counter_slot(q, i) = 0;
		if (!json_object_object_get_ex(counts, counters[i], &v))
			continue;	/* absent counts as 0 */
		/*
		 * json-c stores integers above INT64_MAX as uint64 and
		 * json_object_get_int64 clamps them to INT64_MAX: treat that
		 * value as out of range rather than as a count.
		 */
		if (!json_object_is_type(v, json_type_int) ||
		    (n = json_object_get_int64(v)) < 0)
			return err_set(e, 502, 0, "Immich's answer is unusable: "
			    "queue \"%s\" has %s.%s that is not a whole number "
			    ">= 0", q->name, where, counters[i]);
		if (n == INT64_MAX)
			return err_set(e, 502, 0, "Immich's answer is unusable: "
			    "queue \"%s\" has %s.%s that is too large",
			    q->name, where, counters[i]);
		*counter_slot(q, i) = n;
	}
	return 0;
}

static int
set_paused(struct queue *q, json_object *parent, const char *field,
    struct err *e)
{
	json_object *v;

	q->is_paused = 0;
	if (parent == NULL || !json_object_object_get_ex(parent, "isPaused", &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return err_set(e, 502, 0, "Immich's answer is unusable: queue "
		    "\"%s\" has %s that is not true or false", q->name, field);
	q->is_paused = json_object_get_boolean(v);
	return 0;
}

static struct queue *
next_queue(struct jobs *j, struct err *e)
{
	if (j->n == JOBS_MAX_QUEUES) {
		err_set(e, 502, 0, "Immich's answer has more than %d queues",
		    JOBS_MAX_QUEUES);
		return NULL;
	}
	memset(&j->q[j->n], 0, sizeof(j->q[0]));
	return &j->q[j->n++];
}

/* GET /api/jobs: { "<name>": { "jobCounts": {...}, "queueStatus": {...} } } */
static int
parse_jobs(struct jobs *j, json_object *root, struct err *e)
{
	if (!json_object_is_type(root, json_type_object))
		return err_set(e, 502, 0, "Immich's answer is JSON but not the "
		    "jobs shape (expected an object of queues from /api/jobs)");
	json_object_object_foreach(root, key, val) {
		json_object *counts, *status = NULL;
		struct queue *q;

		if (!json_object_is_type(val, json_type_object) ||
		    !json_object_object_get_ex(val, "jobCounts", &counts) ||
		    !json_object_is_type(counts, json_type_object))
			continue;	/* not a queue */
		if ((q = next_queue(j, e)) == NULL ||
		    set_name(q, key, strlen(key), e) != 0 ||
		    set_counts(q, counts, "jobCounts", e) != 0)
			return -1;
		if (json_object_object_get_ex(val, "queueStatus", &status) &&
		    !json_object_is_type(status, json_type_object))
			status = NULL;
		if (set_paused(q, status, "queueStatus.isPaused", e) != 0)
			return -1;
	}
	return 0;
}

/* GET /api/queues: [ { "name", "isPaused", "statistics": {...} } ] */
static int
parse_queues(struct jobs *j, json_object *root, struct err *e)
{
	size_t i, k, n;

	if (!json_object_is_type(root, json_type_array))
		return err_set(e, 502, 0, "Immich's answer is JSON but not the "
		    "queues shape (expected an array of queues from "
		    "/api/queues)");
	n = json_object_array_length(root);
	for (i = 0; i < n; i++) {
		json_object *val = json_object_array_get_idx(root, i);
		json_object *stats, *name;
		struct queue *q;

		if (!json_object_is_type(val, json_type_object) ||
		    !json_object_object_get_ex(val, "statistics", &stats) ||
		    !json_object_is_type(stats, json_type_object))
			continue;	/* not a queue */
		if (!json_object_object_get_ex(val, "name", &name) ||
		    !json_object_is_type(name, json_type_string))
			return err_set(e, 502, 0, "Immich's answer is unusable: "
			    "queue %zu of /api/queues has no name", i);
		if ((q = next_queue(j, e)) == NULL ||
		    set_name(q, json_object_get_string(name),
		    (size_t)json_object_get_string_len(name), e) != 0 ||
		    set_counts(q, stats, "statistics", e) != 0 ||
		    set_paused(q, val, "isPaused", e) != 0)
			return -1;
		/* One queue listed twice would be counted twice. */
		for (k = 0; k + 1 < j->n; k++)
			if (strcmp(j->q[k].name, q->name) == 0)
				return err_set(e, 502, 0, "Immich's answer is "
				    "unusable: queue \"%s\" is listed twice",
				    q->name);
	}
	return 0;
}

/* Refuse counts whose totals (see jobs_totals) would not fit 64 bits. */
static int
check_overflow(const struct jobs *j, struct err *e)
{
	int64_t sum[7] = { 0 };
	size_t i, k;

	for (i = 0; i < j->n; i++) {
		const struct queue *q = &j->q[i];
		const int64_t v[6] = { q->active, q->waiting, q->delayed,
		    q->paused, q->failed, q->completed };
		int64_t w;

		if (__builtin_add_overflow(q->waiting, q->delayed, &w) ||
		    __builtin_add_overflow(w, q->paused, &w) ||
		    __builtin_add_overflow(sum[6], w, &sum[6]))
			goto overflow;
		for (k = 0; k < 6; k++)
			if (__builtin_add_overflow(sum[k], v[k], &sum[k]))
				goto overflow;
	}
	return 0;
overflow:
	return err_set(e, 502, 0, "Immich's answer is unusable: the job "
	    "counts add up to more than 2^63");
}

int
jobs_parse(struct jobs *j, const char *body, size_t len,
    enum jobs_shape shape, struct err *e)
{
	struct json_tokener *tok;
	json_object *root;
	int rc;

	j->n = 0;
	memset(&j->total_progress, 0, sizeof(j->total_progress));
	if (len > INT32_MAX)
		return err_set(e, 502, 0, "Immich's answer is too large");
	if ((tok = json_tokener_new()) == NULL)
		return err_set(e, 500, 0, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);	/* RFC 8259 */
	root = json_tokener_parse_ex(tok, body, (int)len);
	/* The whole body must be one JSON value, perhaps with white space. */
	if (root != NULL) {
		size_t off = tok->char_offset;
		while (off < len && (body[off] == ' ' || body[off] == '\t' ||
		    body[off] == '\r' || body[off] == '\n'))
			off++;
		if (off != len) {
			json_object_put(root);
			root = NULL;
		}
	}
	json_tokener_free(tok);
	if (root == NULL)
		return err_set(e, 502, 0, "Immich's answer is not valid JSON");
	rc = shape == JOBS_SHAPE_QUEUES ? parse_queues(j, root, e) :
	    parse_jobs(j, root, e);
	json_object_put(root);
	if (rc == 0 && j->n == 0)
		rc = err_set(e, 502, 0, "Immich's answer holds no job queue "
		    "(not the %s shape)", shape == JOBS_SHAPE_QUEUES ?
		    "/api/queues" : "/api/jobs");
	if (rc == 0)
		rc = check_overflow(j, e);
	if (rc != 0)
		j->n = 0;
	return rc;
}
