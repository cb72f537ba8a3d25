/* render.c - JSON and Prometheus bodies; see render.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "history.h"
#include "render.h"

#define SEP " \xc2\xb7 "	/* " · " between parts of a summary */

/*
 * render_json and render_error format by hand into a small buffer that
 * goes out with one fwrite per 4 KiB: render_json runs on every cache hit,
 * where printf's format parsing cost more instructions than the rest of
 * the hit together (measured with `make bench`).
 */
struct obuf {
	FILE	*out;
	size_t	 len;
	char	 buf[4096];
};

static void
ob_flush(struct obuf *b)
{
	if (b->len > 0)
		fwrite(b->buf, 1, b->len, b->out);
	b->len = 0;
}

static void
ob_put(struct obuf *b, const char *s, size_t n)
{
	if (n > sizeof(b->buf) - b->len) {
		ob_flush(b);
		if (n > sizeof(b->buf)) {
			fwrite(s, 1, n, b->out);
			return;
		}
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
}

/* A string literal. */
#define OB_LIT(b, lit)	ob_put((b), (lit), sizeof(lit) - 1)

/* v in decimal into buf (at least 20 bytes, no NUL); returns the length. */
static size_t
dec_int64(char *buf, int64_t v)
{
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	char tmp[20];
	size_t n = 0, len = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		buf[len++] = '-';
	while (n > 0)
		buf[len++] = tmp[--n];
	return len;
}

static void
ob_int(struct obuf *b, int64_t v)
{
	char d[20];

	ob_put(b, d, dec_int64(d, v));
}

/* A rate (>= 0) with one decimal, e.g. 240.0; JSON numbers either way. */
static void
ob_rate(struct obuf *b, double rate)
{
	int64_t r10 = rate > 0 && rate < 1e15 ? (int64_t)(rate * 10 + 0.5) : 0;
	char d[24];
	size_t n = dec_int64(d, r10 / 10);

	d[n++] = '.';
	d[n++] = (char)('0' + r10 % 10);
	ob_put(b, d, n);
}

/* s as a JSON string, quotes included. */
static void
ob_json_string(struct obuf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;
	char esc[6];

	OB_LIT(b, "\"");
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c != '"' && c != '\\' && c >= 0x20 && c != 0x7f)
			continue;
		ob_put(b, run, (size_t)(s - run));
		run = s + 1;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			ob_put(b, esc, 2);
		} else {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			ob_put(b, esc, 6);
		}
	}
	ob_put(b, run, (size_t)(s - run));
	OB_LIT(b, "\"");
}

/* ob_flush, then whether everything reached out. */
static int
ob_finish(struct obuf *b)
{
	ob_flush(b);
	return (fflush(b->out) != 0 || ferror(b->out)) ? -1 : 0;
}

static int
finish(FILE *out)
{
	return (fflush(out) != 0 || ferror(out)) ? -1 : 0;
}

/* Append one summary part (sep first unless it is the first) if it fits. */
static void
summary_part(char *buf, size_t size, size_t *len, int64_t n,
    const char *word)
{
	char d[20];
	size_t sep = *len > 0 ? sizeof(SEP) - 1 : 0;
	size_t dl = n >= 0 ? dec_int64(d, n) : 0;
	size_t wl = strlen(word);
	size_t need = sep + dl + (dl > 0) + wl;

	if (need >= size - *len)
		return;
	memcpy(buf + *len, SEP, sep);
	*len += sep;
	if (dl > 0) {
		memcpy(buf + *len, d, dl);
		buf[*len + dl] = ' ';
		*len += dl + 1;
	}
	memcpy(buf + *len, word, wl + 1);
	*len += wl;
}

char *
render_queue_summary(const struct queue *q, char *buf, size_t size)
{
	int64_t waiting = jobs_queue_waiting(q);
	size_t len = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (q->is_paused)
		summary_part(buf, size, &len, -1, "paused");
	if (q->progress.stalled)
		summary_part(buf, size, &len, -1, "stalled");
	if (q->active > 0)
		summary_part(buf, size, &len, q->active, "active");
	if (waiting > 0)
		summary_part(buf, size, &len, waiting, "waiting");
	if (q->failed > 0)
		summary_part(buf, size, &len, q->failed, "failed");
	if (len == 0)
		summary_part(buf, size, &len, -1, "idle");
	return buf;
}

/* ,"rate":R,"eta_seconds":N,"eta":"..." of p. */
static void
ob_progress(struct obuf *b, const struct progress *p)
{
	char eta[40];

	OB_LIT(b, ",\"rate\":");
	ob_rate(b, p->rate);
	OB_LIT(b, ",\"eta_seconds\":");
	ob_int(b, p->eta_seconds);
	OB_LIT(b, ",\"eta\":");
	ob_json_string(b, history_eta_text(p, eta, sizeof(eta)));
}

int
render_json(FILE *out, const struct jobs *j, const struct render_stale *stale)
{
	size_t order[JOBS_MAX_QUEUES], i;
	struct totals t;
	struct obuf b;
	char summary[160];

	b.out = out;
	b.len = 0;
	jobs_totals(j, &t);
	OB_LIT(&b, "{\"active\":");
	ob_int(&b, t.active);
	OB_LIT(&b, ",\"waiting\":");
	ob_int(&b, t.waiting);
	OB_LIT(&b, ",\"failed\":");
	ob_int(&b, t.failed);
	OB_LIT(&b, ",\"queues\":");
	ob_int(&b, t.queues);
	OB_LIT(&b, ",\"delayed\":");
	ob_int(&b, t.delayed);
	OB_LIT(&b, ",\"paused\":");
	ob_int(&b, t.paused);
	OB_LIT(&b, ",\"completed\":");
	ob_int(&b, t.completed);
	OB_LIT(&b, ",\"queues_busy\":");
	ob_int(&b, t.queues_busy);
	OB_LIT(&b, ",\"queues_paused\":");
	ob_int(&b, t.queues_paused);
	OB_LIT(&b, ",\"queues_stalled\":");
	ob_int(&b, t.queues_stalled);
	ob_progress(&b, &j->total_progress);
	OB_LIT(&b, ",\"by_queue\":[");
	jobs_sort_busiest(j, order);
	for (i = 0; i < j->n; i++) {
		const struct queue *q = &j->q[order[i]];

		if (i > 0)
			OB_LIT(&b, ",");
		OB_LIT(&b, "{\"name\":");
		ob_json_string(&b, q->name);
		OB_LIT(&b, ",\"active\":");
		ob_int(&b, q->active);
		OB_LIT(&b, ",\"waiting\":");
		ob_int(&b, jobs_queue_waiting(q));
		OB_LIT(&b, ",\"failed\":");
		ob_int(&b, q->failed);
		OB_LIT(&b, ",\"delayed\":");
		ob_int(&b, q->delayed);
		OB_LIT(&b, ",\"paused\":");
		ob_int(&b, q->paused);
		OB_LIT(&b, ",\"completed\":");
		ob_int(&b, q->completed);
		if (q->is_paused)
			OB_LIT(&b, ",\"is_paused\":true,\"summary\":");
		else
			OB_LIT(&b, ",\"is_paused\":false,\"summary\":");
		ob_json_string(&b, render_queue_summary(q, summary,
		    sizeof(summary)));
		ob_progress(&b, &q->progress);
		if (q->progress.stalled)
			OB_LIT(&b, ",\"stalled\":true}");
		else
			OB_LIT(&b, ",\"stalled\":false}");
	}
	OB_LIT(&b, "]");
	if (stale != NULL) {
		OB_LIT(&b, ",\"stale\":true,\"age\":");
		ob_int(&b, stale->age);
		OB_LIT(&b, ",\"upstream_error\":");
		ob_json_string(&b, stale->upstream_error);
	}
	OB_LIT(&b, "}\n");
	return ob_finish(&b);
}

int
render_error(FILE *out, const struct err *e)
{
	struct obuf b;

	b.out = out;
	b.len = 0;
	OB_LIT(&b, "{\"error\":");
	ob_json_string(&b, e->msg);
	if (e->upstream_status != 0) {
		OB_LIT(&b, ",\"upstream_status\":");
		ob_int(&b, e->upstream_status);
	}
	OB_LIT(&b, "}\n");
	return ob_finish(&b);
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
		fputs("# HELP immich_queue_stalled Whether an Immich queue has "
		    "had waiting jobs and none active for IMMICH_JOBS_STALL_AFTER "
		    "seconds (1) or not (0).\n"
		    "# TYPE immich_queue_stalled gauge\n", out);
		for (i = 0; i < j->n; i++) {
			fputs("immich_queue_stalled{queue=", out);
			label_value(out, j->q[i].name);
			fprintf(out, "} %d\n", j->q[i].progress.stalled ? 1 : 0);
		}
		fputs("# HELP immich_queue_eta_seconds Estimated seconds until "
		    "an Immich queue is empty: 0 idle, +Inf not draining or "
		    "paused, NaN not enough history yet.\n"
		    "# TYPE immich_queue_eta_seconds gauge\n", out);
		for (i = 0; i < j->n; i++) {
			const struct progress *p = &j->q[i].progress;

			fputs("immich_queue_eta_seconds{queue=", out);
			label_value(out, j->q[i].name);
			if (p->state == PROGRESS_DRAINING)
				fprintf(out, "} %" PRId64 "\n", p->eta_seconds);
			else if (p->state == PROGRESS_IDLE)
				fputs("} 0\n", out);
			else if (p->state == PROGRESS_COLLECTING)
				fputs("} NaN\n", out);
			else
				fputs("} +Inf\n", out);
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
