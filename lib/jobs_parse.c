/* jobs_parse.c - parse Immich's job counts with json-c; see jobs.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "jobs.h"
#include "str.h"

/* FNV-1a, 32 bits: the suffix that keeps an altered name unique and stable. */
static uint32_t
name_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	while (len-- > 0) {
		h ^= (unsigned char)*s++;
		h *= 16777619u;
	}
	return h;
}

#define REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD, for an ill-formed byte */
#define ELLIPSIS	"\xe2\x80\xa6"	/* U+2026, where a long name is cut */
#define SUFFIX_LEN	9	/* "~" and 8 hex digits of name_hash */

/*
 * Copy Immich's name (len bytes, any bytes) into q->name as well-formed
 * UTF-8: each ill-formed byte (or NUL) becomes U+FFFD; a name that does
 * not fit JOBS_NAME_MAX - 1 bytes is cut at a character boundary and gets
 * "…" (q->name_cut).  An altered name ends in "~" and the hash of the
 * bytes Immich sent, so that two names cut alike stay apart and each stays
 * the same from one answer to the next (Prometheus series, history).
 */
static void
set_name(struct queue *q, const char *name, size_t len)
{
	const unsigned char *u = (const unsigned char *)name;
	const size_t room = JOBS_NAME_MAX - 1;
	size_t i, n, out = 0, whole = 0, keep;
	int altered = 0;

	for (i = 0; i < len; i += n) {
		if ((n = str_utf8_len(u + i, len - i)) == 0) {
			n = 1;
			altered = 1;
			whole += sizeof(REPLACEMENT) - 1;
		} else
			whole += n;
	}
	q->name_cut = whole > room - (altered ? SUFFIX_LEN : 0);
	if (!altered && !q->name_cut) {
		memcpy(q->name, name, len);
		q->name[len] = '\0';
		return;
	}
	keep = room - SUFFIX_LEN - (q->name_cut ? sizeof(ELLIPSIS) - 1 : 0);
	for (i = 0; i < len; i += n) {
		const char *piece = name + i;
		size_t plen = n = str_utf8_len(u + i, len - i);

		if (n == 0) {
			piece = REPLACEMENT;
			plen = sizeof(REPLACEMENT) - 1;
			n = 1;
		}
		if (out + plen > keep)
			break;
		memcpy(q->name + out, piece, plen);
		out += plen;
	}
	if (q->name_cut) {
		memcpy(q->name + out, ELLIPSIS, sizeof(ELLIPSIS) - 1);
		out += sizeof(ELLIPSIS) - 1;
	}
	snprintf(q->name + out, JOBS_NAME_MAX - out, "~%08" PRIx32,
	    name_hash(name, len));
}

/* q's name as printable ASCII, for a message (err.h wants printable). */
static const char *
shown_name(const struct queue *q, char *buf, size_t size)
{
	err_sanitize(buf, size, q->name, strlen(q->name));
	return buf;
}

/* Read the six counters of one queue from counts (a JSON object). */
static int
set_counts(struct queue *q, json_object *counts, const char *where,
    struct err *e)
{
	char shown[JOBS_NAME_MAX];
	json_object *v;
	size_t i;

	for (i = 0; i < JOBS_NCOUNTERS; i++) {
		const struct jobs_counter *c = &jobs_counters[i];
		int64_t *slot = (int64_t *)(void *)((char *)q + c->in_queue);
		int64_t n;

		*slot = 0;
		if (!json_object_object_get_ex(counts, c->name, &v))
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
			    ">= 0", shown_name(q, shown, sizeof(shown)), where,
			    c->name);
		if (n == INT64_MAX)
			return err_set(e, 502, 0, "Immich's answer is unusable: "
			    "queue \"%s\" has %s.%s that is too large",
			    shown_name(q, shown, sizeof(shown)), where,
			    c->name);
		*slot = n;
	}
	return 0;
}

static int
set_paused(struct queue *q, json_object *parent, const char *field,
    struct err *e)
{
	char shown[JOBS_NAME_MAX];
	json_object *v;

	q->is_paused = 0;
	if (parent == NULL || !json_object_object_get_ex(parent, "isPaused", &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return err_set(e, 502, 0, "Immich's answer is unusable: queue "
		    "\"%s\" has %s that is not true or false",
		    shown_name(q, shown, sizeof(shown)), field);
	q->is_paused = json_object_get_boolean(v);
	return 0;
}

static int
too_large(struct err *e)
{
	return err_set(e, 502, 0, "Immich's answer is unusable: the job "
	    "counts add up to more than 2^63");
}

/* Count q in j->omitted: in the totals, not in q[]. */
static int
omit(struct jobs *j, const struct queue *q, struct err *e)
{
	return jobs_totals_add(&j->omitted, q) != 0 ? too_large(e) : 0;
}

/*
 * Add q to j.  Past JOBS_MAX_QUEUES the least busy queue is left out of
 * q[] (a dashboard shows the busiest first) and only counted in
 * j->omitted; q[] keeps Immich's order.
 */
static int
add_queue(struct jobs *j, const struct queue *q, struct err *e)
{
	size_t i, least = 0;

	if (j->n < JOBS_MAX_QUEUES) {
		j->q[j->n++] = *q;
		return 0;
	}
	for (i = 1; i < j->n; i++)
		if (jobs_busier(&j->q[least], &j->q[i]))
			least = i;
	if (!jobs_busier(q, &j->q[least]))
		return omit(j, q, e);
	if (omit(j, &j->q[least], e) != 0)
		return -1;
	memmove(&j->q[least], &j->q[least + 1],
	    (j->n - least - 1) * sizeof(j->q[0]));
	j->q[j->n - 1] = *q;
	return 0;
}

/*
 * A queue named twice would be counted twice.  seen holds the names so
 * far (a json-c object as a set: it also covers the queues left out).
 */
static int
check_once(json_object *seen, const struct queue *q, struct err *e)
{
	char shown[JOBS_NAME_MAX];

	if (json_object_object_get_ex(seen, q->name, NULL))
		return err_set(e, 502, 0, "Immich's answer is unusable: queue "
		    "\"%s\" is listed twice", shown_name(q, shown,
		    sizeof(shown)));
	if (json_object_object_add(seen, q->name, NULL) != 0)
		return err_set(e, 500, 0, "out of memory");
	return 0;
}

/* GET /api/jobs: { "<name>": { "jobCounts": {...}, "queueStatus": {...} } } */
static int
parse_jobs(struct jobs *j, json_object *root, json_object *seen,
    struct err *e)
{
	struct queue q;

	if (!json_object_is_type(root, json_type_object))
		return err_set(e, 502, 0, "Immich's answer is JSON but not the "
		    "jobs shape (expected an object of queues from /api/jobs)");
	json_object_object_foreach(root, key, val) {
		json_object *counts, *status = NULL;

		if (!json_object_is_type(val, json_type_object) ||
		    !json_object_object_get_ex(val, "jobCounts", &counts) ||
		    !json_object_is_type(counts, json_type_object))
			continue;	/* not a queue */
		memset(&q, 0, sizeof(q));
		set_name(&q, key, strlen(key));
		if (set_counts(&q, counts, "jobCounts", e) != 0)
			return -1;
		if (json_object_object_get_ex(val, "queueStatus", &status) &&
		    !json_object_is_type(status, json_type_object))
			status = NULL;
		if (set_paused(&q, status, "queueStatus.isPaused", e) != 0 ||
		    check_once(seen, &q, e) != 0 || add_queue(j, &q, e) != 0)
			return -1;
	}
	return 0;
}

/* GET /api/queues: [ { "name", "isPaused", "statistics": {...} } ] */
static int
parse_queues(struct jobs *j, json_object *root, json_object *seen,
    struct err *e)
{
	struct queue q;
	size_t i, n;

	if (!json_object_is_type(root, json_type_array))
		return err_set(e, 502, 0, "Immich's answer is JSON but not the "
		    "queues shape (expected an array of queues from "
		    "/api/queues)");
	n = json_object_array_length(root);
	for (i = 0; i < n; i++) {
		json_object *val = json_object_array_get_idx(root, i);
		json_object *stats, *name;

		if (!json_object_is_type(val, json_type_object) ||
		    !json_object_object_get_ex(val, "statistics", &stats) ||
		    !json_object_is_type(stats, json_type_object))
			continue;	/* not a queue */
		if (!json_object_object_get_ex(val, "name", &name) ||
		    !json_object_is_type(name, json_type_string))
			return err_set(e, 502, 0, "Immich's answer is unusable: "
			    "queue %zu of /api/queues has no name", i);
		memset(&q, 0, sizeof(q));
		set_name(&q, json_object_get_string(name),
		    (size_t)json_object_get_string_len(name));
		if (set_counts(&q, stats, "statistics", e) != 0 ||
		    set_paused(&q, val, "isPaused", e) != 0 ||
		    check_once(seen, &q, e) != 0 || add_queue(j, &q, e) != 0)
			return -1;
	}
	return 0;
}

/* Refuse counts whose totals (see jobs_totals) would not fit 64 bits. */
static int
check_overflow(const struct jobs *j, struct err *e)
{
	struct totals t = j->omitted;
	size_t i;

	for (i = 0; i < j->n; i++)
		if (jobs_totals_add(&t, &j->q[i]) != 0)
			return too_large(e);
	return 0;
}

/*
 * The whole body (len bytes, at most INT32_MAX) as one JSON value (RFC
 * 8259, strict), perhaps with white space around it, into *root.
 */
static int
parse_body(const char *body, size_t len, json_object **root, struct err *e)
{
	struct json_tokener *tok;
	size_t off;

	if ((tok = json_tokener_new()) == NULL)
		return err_local(e, ENOMEM, "reading Immich's answer");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	*root = json_tokener_parse_ex(tok, body, (int)len);
	off = tok->char_offset;
	json_tokener_free(tok);
	while (off < len && (body[off] == ' ' || body[off] == '\t' ||
	    body[off] == '\r' || body[off] == '\n'))
		off++;
	if (*root != NULL && off == len)
		return 0;
	json_object_put(*root);
	*root = NULL;
	return err_set(e, 502, 0, "Immich's answer is not valid JSON");
}

int
jobs_parse(struct jobs *j, const char *body, size_t len,
    enum jobs_shape shape, struct err *e)
{
	json_object *root, *seen;
	int rc;

	j->n = 0;
	memset(&j->total_progress, 0, sizeof(j->total_progress));
	memset(&j->omitted, 0, sizeof(j->omitted));
	if (len > INT32_MAX)
		return err_set(e, 502, 0, "Immich's answer is too large");
	if (parse_body(body, len, &root, e) != 0)
		return -1;
	if ((seen = json_object_new_object()) == NULL)
		rc = err_set(e, 500, 0, "out of memory");
	else if (shape == JOBS_SHAPE_QUEUES)
		rc = parse_queues(j, root, seen, e);
	else
		rc = parse_jobs(j, root, seen, e);
	json_object_put(seen);
	json_object_put(root);
	if (rc == 0 && j->n == 0)
		rc = err_set(e, 502, 0, "Immich's answer holds no job queue "
		    "(not the %s shape)", shape == JOBS_SHAPE_QUEUES ?
		    "/api/queues" : "/api/jobs");
	if (rc == 0)
		rc = check_overflow(j, e);
	if (rc != 0) {
		j->n = 0;
		memset(&j->omitted, 0, sizeof(j->omitted));
	}
	return rc;
}
