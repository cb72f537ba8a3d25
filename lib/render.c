/* render.c - JSON and Prometheus bodies; see render.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "render.h"

#define SEP " \xc2\xb7 "	/* " · " between parts of a summary */

/* Write s as a JSON string, quotes included. */
static void
json_string(FILE *out, const char *s)
{
	putc('"', out);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			putc(c, out);
	}
	putc('"', out);
}

static int
finish(FILE *out)
{
	return (fflush(out) != 0 || ferror(out)) ? -1 : 0;
}

char *
render_queue_summary(const struct queue *q, char *buf, size_t size)
{
	int64_t waiting = jobs_queue_waiting(q);
	size_t len = 0;
	int n;

#define PART(...) do {							\
	n = snprintf(buf + len, size - len, "%s", len > 0 ? SEP : "");	\
	if (n > 0 && (size_t)n < size - len) len += (size_t)n;		\
	n = snprintf(buf + len, size - len, __VA_ARGS__);		\
	if (n > 0 && (size_t)n < size - len) len += (size_t)n;		\
} while (0)
	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (q->is_paused)
		PART("paused");
	if (q->active > 0)
		PART("%" PRId64 " active", q->active);
	if (waiting > 0)
		PART("%" PRId64 " waiting", waiting);
	if (q->failed > 0)
		PART("%" PRId64 " failed", q->failed);
	if (len == 0)
		PART("idle");
#undef PART
	return buf;
}

int
render_json(FILE *out, const struct jobs *j, const struct render_stale *stale)
{
	size_t order[JOBS_MAX_QUEUES], i;
	struct totals t;
	char summary[160];

	jobs_totals(j, &t);
	fprintf(out, "{\"active\":%" PRId64 ",\"waiting\":%" PRId64
	    ",\"failed\":%" PRId64 ",\"queues\":%" PRId64
	    ",\"delayed\":%" PRId64 ",\"paused\":%" PRId64
	    ",\"completed\":%" PRId64 ",\"queues_busy\":%" PRId64
	    ",\"queues_paused\":%" PRId64 ",\"by_queue\":[",
	    t.active, t.waiting, t.failed, t.queues, t.delayed, t.paused,
	    t.completed, t.queues_busy, t.queues_paused);
	jobs_sort_busiest(j, order);
	for (i = 0; i < j->n; i++) {
		const struct queue *q = &j->q[order[i]];

		fputs(i > 0 ? ",{\"name\":" : "{\"name\":", out);
		json_string(out, q->name);
		fprintf(out, ",\"active\":%" PRId64 ",\"waiting\":%" PRId64
		    ",\"failed\":%" PRId64 ",\"delayed\":%" PRId64
		    ",\"paused\":%" PRId64 ",\"completed\":%" PRId64
		    ",\"is_paused\":%s,\"summary\":", q->active,
		    jobs_queue_waiting(q), q->failed, q->delayed, q->paused,
		    q->completed, q->is_paused ? "true" : "false");
		json_string(out, render_queue_summary(q, summary,
		    sizeof(summary)));
		putc('}', out);
	}
	putc(']', out);
	if (stale != NULL) {
		fprintf(out, ",\"stale\":true,\"age\":%ld,\"upstream_error\":",
		    stale->age);
		json_string(out, stale->upstream_error);
	}
	fputs("}\n", out);
	return finish(out);
}

int
render_error(FILE *out, const struct err *e)
{
	fputs("{\"error\":", out);
	json_string(out, e->msg);
	if (e->upstream_status != 0)
		fprintf(out, ",\"upstream_status\":%d", e->upstream_status);
	fputs("}\n", out);
	return finish(out);
}

/* Write s as a Prometheus label value, quotes included. */
static void
label_value(FILE *out, const char *s)
{
	putc('"', out);
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(out, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			putc(*s, out);
	}
	putc('"', out);
}

int
render_metrics(FILE *out, const struct jobs *j, double duration)
{
	static const char *const states[] = {
		"active", "waiting", "delayed", "paused", "failed", "completed"
	};
	size_t i, k;

	if (j != NULL && j->n > 0) {
		fputs("# HELP immich_jobs Jobs in an Immich queue by state, "
		    "as Immich reports them.\n"
		    "# TYPE immich_jobs gauge\n", out);
		for (i = 0; i < j->n; i++) {
			const struct queue *q = &j->q[i];
			const int64_t v[] = { q->active, q->waiting,
			    q->delayed, q->paused, q->failed, q->completed };

			for (k = 0; k < 6; k++) {
				fputs("immich_jobs{queue=", out);
				label_value(out, q->name);
				fprintf(out, ",state=\"%s\"} %" PRId64 "\n",
				    states[k], v[k]);
			}
		}
		fputs("# HELP immich_queue_paused Whether an Immich queue is "
		    "paused (1) or not (0).\n"
		    "# TYPE immich_queue_paused gauge\n", out);
		for (i = 0; i < j->n; i++) {
			fputs("immich_queue_paused{queue=", out);
			label_value(out, j->q[i].name);
			fprintf(out, "} %d\n", j->q[i].is_paused ? 1 : 0);
		}
	}
	fprintf(out, "# HELP immich_jobs_up Whether the last call to Immich's "
	    "job API succeeded (1) or not (0).\n"
	    "# TYPE immich_jobs_up gauge\n"
	    "immich_jobs_up %d\n"
	    "# HELP immich_jobs_scrape_duration_seconds Time this scrape "
	    "took.\n"
	    "# TYPE immich_jobs_scrape_duration_seconds gauge\n"
	    "immich_jobs_scrape_duration_seconds %.6f\n",
	    j != NULL ? 1 : 0, duration);
	return finish(out);
}
