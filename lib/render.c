/* render.c - JSON and Prometheus bodies; see render.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "history.h"
#include "render.h"

#define SEP " \xc2\xb7 "	/* " · " between parts of a summary */

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

/*
 * v >= 0 with thousands separators ("2,417") into buf (at least 27 bytes,
 * no NUL); returns the length.
 */
static size_t
dec_grouped(char *buf, int64_t v)
{
	char d[20];
	size_t n = dec_int64(d, v < 0 ? 0 : v), i, len = 0;

	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[len++] = ',';
		buf[len++] = d[i];
	}
	return len;
}

/*
 * A rate (>= 0) with one decimal, e.g. 240.0, rounded half up in integers
 * (not %.1f, which rounds the binary value); JSON numbers either way.
 */
static void
put_rate(FILE *out, double rate)
{
	/* Under 1 a minute, three decimals: a slow drain is not 0.0. */
	int places = rate < 1 ? 3 : 1;
	int64_t scale = places == 3 ? 1000 : 10;
	int64_t r = rate > 0 && rate < 1e15 ?
	    (int64_t)(rate * (double)scale + 0.5) : 0;

	fprintf(out, "%" PRId64 ".%0*" PRId64, r / scale, places, r % scale);
}

/* Bytes a JSON string cannot hold as they are: '"', '\\', controls, DEL. */
static const unsigned char must_escape[256] = {
	[0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1,
	[0x06] = 1, [0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1,
	[0x0c] = 1, [0x0d] = 1, [0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1,
	[0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1,
	[0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1, [0x1c] = 1, [0x1d] = 1,
	[0x1e] = 1, [0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x7f] = 1,
};

/*
 * s as a JSON string, quotes included; other bytes (UTF-8 included) as
 * they are.  Texts this file makes itself (a status, a summary, an ETA)
 * hold nothing to escape and go out with "%s".
 */
static void
json_string(FILE *out, const char *s)
{
	const char *run = s;
	unsigned char c;

	putc('"', out);
	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (!must_escape[c])
			continue;
		fwrite(run, 1, (size_t)(s - run), out);
		run = s + 1;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else
			fprintf(out, "\\u%04x", c);
	}
	fputs(run, out);
	putc('"', out);
}

static const char *
bool_word(int v)
{
	return v ? "true" : "false";
}

static int
finish(FILE *out)
{
	return (fflush(out) != 0 || ferror(out)) ? -1 : 0;
}

/*
 * Append one summary part (sep first unless it is the first; n < 0: the
 * word alone) if it fits.
 */
static void
summary_part(char *buf, size_t size, size_t *len, int64_t n,
    const char *word)
{
	char d[32];
	size_t sep = *len > 0 ? sizeof(SEP) - 1 : 0;
	size_t dl = n >= 0 ? dec_grouped(d, n) : 0;
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

/*
 * The shown counters of v (as jobs_shown) that are not 0, each as "N name";
 * paused_waiting > 0: how much of the waiting work is in paused queues,
 * said after it ("2,960 waiting (2,417 paused)").  "idle" when nothing
 * was written before or here.
 */
static void
summary_counts(char *buf, size_t size, size_t *len, const int64_t *v,
    int64_t paused_waiting)
{
	const struct jobs_counter *c;
	char part[64];
	size_t k, n;

	for (k = 0; k < JOBS_NCOUNTERS; k++) {
		c = &jobs_counters[k];
		if (!(c->flags & JOBS_SHOWN) || v[k] <= 0)
			continue;
		if ((c->flags & JOBS_WAITS) && paused_waiting > 0) {
			n = strlen(c->name);
			memcpy(part, c->name, n);
			memcpy(part + n, " (", 2);
			n += 2 + dec_grouped(part + n + 2, paused_waiting);
			memcpy(part + n, " paused)", 9);
			summary_part(buf, size, len, v[k], part);
		} else
			summary_part(buf, size, len, v[k], c->name);
	}
	if (*len == 0)
		summary_part(buf, size, len, -1, "idle");
}

/* Each counter of q as the answer shows it (jobs_shown) into v. */
static void
queue_values(const struct queue *q, int64_t *v)
{
	size_t k;

	for (k = 0; k < JOBS_NCOUNTERS; k++)
		v[k] = jobs_shown(q, k);
}

char *
render_queue_summary(const struct queue *q, char *buf, size_t size)
{
	int64_t v[JOBS_NCOUNTERS];
	size_t len = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (q->is_paused)
		summary_part(buf, size, &len, -1, "paused");
	if (q->progress.stalled)
		summary_part(buf, size, &len, -1, "stalled");
	queue_values(q, v);
	summary_counts(buf, size, &len, v, 0);
	return buf;
}

/*
 * ,"rate":R,"eta_seconds":N,"eta":"..." of p; with stale counts (stale not
 * NULL: the status text) the ETA says that instead of an estimate.
 */
static void
put_progress(FILE *out, const struct progress *p, const char *stale)
{
	char eta[40];

	fputs(",\"rate\":", out);
	put_rate(out, p->rate);
	fprintf(out, ",\"eta_seconds\":%" PRId64 ",\"eta\":\"%s\"",
	    p->eta_seconds, stale != NULL ? stale :
	    history_eta_text(p, eta, sizeof(eta)));
}

/* Each counter of t as the answer shows it (jobs_total_shown) into v. */
static void
totals_values(const struct totals *t, int64_t *v)
{
	size_t k;

	for (k = 0; k < JOBS_NCOUNTERS; k++)
		v[k] = jobs_total_shown(t, k);
}

char *
render_totals_summary(const struct jobs *j, char *buf, size_t size)
{
	struct totals t;
	int64_t v[JOBS_NCOUNTERS];
	size_t len = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	jobs_totals(j, &t);	/* every queue, also those left out of q[] */
	totals_values(&t, v);
	/* What needs a person first, as in by_queue. */
	if (t.queues_stalled > 0)
		summary_part(buf, size, &len, t.queues_stalled,
		    t.queues_stalled == 1 ? "queue stalled" : "queues stalled");
	summary_counts(buf, size, &len, v, t.paused_waiting);
	return buf;
}

/* s into buf (size > 0 bytes), cut to fit, always NUL-terminated. */
static void
copy_text(char *buf, size_t size, const char *s)
{
	size_t n = strlen(s);

	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

/*
 * The English titles of Immich's web UI (web/src/lib/utils.ts getQueueName
 * and asQueueItem, i18n/en.json), by queue id.
 */
static const struct {
	const char	*id;
	const char	*title;
} titles[] = {
	{ "backgroundTask",		"Background Tasks" },
	{ "backupDatabase",		"Create Database Dump" },
	{ "duplicateDetection",		"Duplicate Detection" },
	{ "editor",			"Editor" },
	{ "faceDetection",		"Face detection" },
	{ "facialRecognition",		"Facial Recognition" },
	{ "library",			"External Libraries" },
	{ "metadataExtraction",		"Extract metadata" },
	{ "migration",			"Migration" },
	{ "notifications",		"Notifications" },
	{ "ocr",			"OCR" },
	{ "search",			"Search" },
	{ "sidecar",			"Sidecar metadata" },
	{ "smartSearch",		"Smart Search" },
	{ "storageTemplateMigration",	"Storage template migration" },
	{ "thumbnailGeneration",	"Generate Thumbnails" },
	{ "videoConversion",		"Transcode videos" },
	{ "workflow",			"Workflows" },
};

static int
is_lower_or_digit(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* The title Immich's web UI gives the queue name, or NULL. */
static const char *
known_title(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
		if (strcmp(name, titles[i].id) == 0)
			return titles[i].title;
	return NULL;
}

char *
render_queue_title(const char *name, char *buf, size_t size)
{
	const char *known;
	size_t i, len = 0;
	char c;

	if (size == 0)
		return buf;
	if ((known = known_title(name)) != NULL) {
		copy_text(buf, size, known);
		return buf;
	}
	/* camelCase, snake_case or kebab-case: words, the first capitalised. */
	for (i = 0; name[i] != '\0' && len + 2 < size; i++) {
		c = name[i];
		if (c == '_' || c == '-')
			c = ' ';
		if (c >= 'A' && c <= 'Z' && i > 0 &&
		    is_lower_or_digit(name[i - 1])) {
			buf[len++] = ' ';
			c = (char)(c - 'A' + 'a');
		}
		if (len == 0 && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		buf[len++] = c;
	}
	buf[len] = '\0';
	return buf;
}

char *
render_status(const struct render_info *info, char *buf, size_t size)
{
	static const struct {
		long		 from;	/* seconds */
		long		 unit;
		const char	*word;
	} steps[] = {
		{ 2 * 86400, 86400, " d ago" },
		{ 2 * 3600, 3600, " h ago" },
		{ 120, 60, " min ago" },
	};
	long age = info->age < 0 ? 0 : info->age;
	size_t i;

	if (size == 0)
		return buf;
	if (!info->stale) {
		copy_text(buf, size, "ok");
		return buf;
	}
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (age >= steps[i].from) {
			snprintf(buf, size, "stale" SEP "last seen %ld%s",
			    age / steps[i].unit, steps[i].word);
			return buf;
		}
	snprintf(buf, size, "stale" SEP "%ld s old", age);
	return buf;
}

/*
 * t (Unix seconds) as "YYYY-MM-DDTHH:MM:SSZ", zeros outside the years
 * 0-9999; not strftime, whose %Y does not pad a year before 1000.
 */
static void
put_time(FILE *out, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL || tm.tm_year < -1900 ||
	    tm.tm_year > 9999 - 1900) {
		fputs("0000-00-00T00:00:00Z", out);
		return;
	}
	fprintf(out, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

#define STALE_MARK	"stale" SEP	/* starts each text of stale counts */

/*
 * A queue's summary into buf (size bytes), after STALE_MARK when the
 * counts are stale: every text a dashboard shows says so.
 */
static char *
entry_summary(const struct queue *q, int stale, char *buf, size_t size)
{
	size_t n = stale ? sizeof(STALE_MARK) - 1 : 0;

	memcpy(buf, STALE_MARK, n);
	render_queue_summary(q, buf + n, size - n);
	return buf;
}

/*
 * The counters of v (as jobs_shown) that a dashboard shows (shown 1) or
 * the others (0), in the table's order, each as "name":N followed by ','.
 */
static void
put_counters(FILE *out, const int64_t *v, int shown)
{
	size_t k;

	for (k = 0; k < JOBS_NCOUNTERS; k++)
		if (!(jobs_counters[k].flags & JOBS_SHOWN) == !shown)
			fprintf(out, "\"%s\":%" PRId64 ",",
			    jobs_counters[k].name, v[k]);
}

/*
 * One queue's object, the same in by_queue, busy and queue; stale: the
 * status text when the counts are stale, else NULL.
 */
static void
queue_entry(FILE *out, const struct queue *q, const char *stale)
{
	int64_t v[JOBS_NCOUNTERS];
	char text[160];

	fputs("{\"name\":", out);
	json_string(out, q->name);
	fputs(",\"title\":", out);
	json_string(out, render_queue_title(q->name, text, sizeof(text)));
	putc(',', out);
	queue_values(q, v);
	put_counters(out, v, 1);
	put_counters(out, v, 0);
	fprintf(out, "\"is_paused\":%s,\"summary\":\"%s\"",
	    bool_word(q->is_paused),
	    entry_summary(q, stale != NULL, text, sizeof(text)));
	put_progress(out, &q->progress, stale);
	fprintf(out, ",\"stalled\":%s,\"name_cut\":%s}",
	    bool_word(q->progress.stalled), bool_word(q->name_cut));
}

/* Whether q has work a dashboard should list: jobs of any kind, or a stall. */
static int
has_work(const struct queue *q)
{
	size_t k;

	for (k = 0; k < JOBS_NCOUNTERS; k++)
		if ((jobs_counters[k].flags & JOBS_SHOWN) &&
		    jobs_shown(q, k) > 0)
			return 1;
	return q->progress.stalled;
}

/*
 * The one entry of "busy" when no queue has work: the shape of a queue's
 * object, so every mapping of a queue finds its field.
 */
static void
idle_entry(FILE *out, const char *stale)
{
	static const int64_t zeros[JOBS_NCOUNTERS];

	fputs("{\"name\":\"\",\"title\":\"All queues\",", out);
	put_counters(out, zeros, 1);
	put_counters(out, zeros, 0);
	fprintf(out, "\"is_paused\":false,\"summary\":\"%sidle\",\"rate\":0.0,"
	    "\"eta_seconds\":0,\"eta\":\"%s\",\"stalled\":false,"
	    "\"name_cut\":false}", stale != NULL ? STALE_MARK : "",
	    stale != NULL ? stale : "idle");
}

/* The fields before the queues: totals, progress, status, summary, time. */
static void
head_fields(FILE *out, const struct jobs *j, const struct render_info *info,
    const char *status, const char *stale)
{
	struct totals t;
	int64_t v[JOBS_NCOUNTERS];
	char text[256];
	size_t n = 0;

	jobs_totals(j, &t);
	totals_values(&t, v);
	/* What a dashboard shows, how many queues, then the other counters. */
	putc('{', out);
	put_counters(out, v, 1);
	fprintf(out, "\"queues\":%" PRId64 ",", t.queues);
	put_counters(out, v, 0);
	fprintf(out, "\"queues_busy\":%" PRId64 ",\"queues_paused\":%" PRId64
	    ",\"queues_stalled\":%" PRId64 ",\"queues_omitted\":%" PRId64,
	    t.queues_busy, t.queues_paused, t.queues_stalled,
	    j->omitted.queues);
	put_progress(out, &j->total_progress, stale);
	/* Stale counts: the summary starts with the status ("stale · ..."). */
	if (stale != NULL) {
		n = strlen(status);
		memcpy(text, status, n);
		memcpy(text + n, SEP, sizeof(SEP) - 1);
		n += sizeof(SEP) - 1;
	}
	render_totals_summary(j, text + n, sizeof(text) - n);
	fprintf(out, ",\"status\":\"%s\",\"summary\":\"%s\",\"updated\":\"",
	    status, text);
	put_time(out, info->fetched);
	if (info->stale) {
		fprintf(out, "\",\"stale\":true,\"age\":%ld,\"upstream_error\":",
		    info->age < 0 ? 0 : info->age);
		json_string(out, info->upstream_error != NULL ?
		    info->upstream_error : "");
	} else
		fputs("\",\"stale\":false,\"age\":0,\"upstream_error\":\"\"",
		    out);
}

/*
 * Each queue's object, which by_queue, busy and queue all repeat: rendered
 * once into buf when memory allows, else again at each place.
 */
struct entries {
	const struct jobs	*j;
	const char		*stale;	/* as queue_entry's */
	char			*buf;	/* NULL: none, render again */
	size_t			 len;
	size_t			 off[JOBS_MAX_QUEUES + 1]; /* q[k]'s at buf + off[k] */
};

static void
entries_render(struct entries *e, const struct jobs *j, const char *stale)
{
	FILE *m;
	size_t k;
	int bad;

	e->j = j;
	e->stale = stale;
	e->buf = NULL;
	if ((m = open_memstream(&e->buf, &e->len)) == NULL)
		return;
	e->off[0] = 0;
	for (k = 0; k < j->n; k++) {
		queue_entry(m, &j->q[k], stale);
		fflush(m);	/* brings e->len up to date */
		e->off[k + 1] = e->len;
	}
	bad = ferror(m);
	if (fclose(m) != 0 || bad) {
		free(e->buf);
		e->buf = NULL;
	}
}

/* Queue k's object. */
static void
put_entry(FILE *out, const struct entries *e, size_t k)
{
	if (e->buf != NULL)
		fwrite(e->buf + e->off[k], 1, e->off[k + 1] - e->off[k], out);
	else
		queue_entry(out, &e->j->q[k], e->stale);
}

int
render_json(FILE *out, const struct jobs *j, const struct render_info *info)
{
	struct entries e;
	size_t order[JOBS_MAX_QUEUES], i;
	char status[64];
	const char *stale;

	render_status(info, status, sizeof(status));
	stale = info->stale ? status : NULL;
	head_fields(out, j, info, status, stale);
	entries_render(&e, j, stale);
	jobs_sort_busiest(j, order);
	fputs(",\"by_queue\":[", out);
	for (i = 0; i < j->n; i++) {
		if (i > 0)
			putc(',', out);
		put_entry(out, &e, order[i]);
	}
	/*
	 * busy: by_queue's first entries, those with work (the order puts
	 * them first), or one row saying all is idle: a list on a dashboard
	 * never pads itself with idle queues.
	 */
	fputs("],\"busy\":[", out);
	for (i = 0; i < j->n && has_work(&j->q[order[i]]); i++) {
		if (i > 0)
			putc(',', out);
		put_entry(out, &e, order[i]);
	}
	if (i == 0)
		idle_entry(out, stale);
	fputs("],\"queue\":{", out);
	for (i = 0; i < j->n; i++) {
		if (i > 0)
			putc(',', out);
		json_string(out, j->q[order[i]].name);
		putc(':', out);
		put_entry(out, &e, order[i]);
	}
	fputs("}}\n", out);
	free(e.buf);
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

/* s at buf + n; returns the new length. */
static size_t
put_str(char *buf, size_t n, const char *s)
{
	size_t len = strlen(s);

	memcpy(buf + n, s, len);
	return n + len;
}

/*
 * One sample of a per-queue family, built whole and written with one
 * fwrite: family{queue="<queue>"[,state="<state>"]} <value>.  /metrics has
 * a line per queue and counter, and a putc per byte of each name and an
 * fprintf per line made them the dearest part of rendering a miss.  The
 * queue name is a Prometheus label value: '\\', '"' and newline escaped.
 */
static void
queue_sample(FILE *out, const char *family, const char *queue,
    const char *state, const char *value)
{
	/* Short literals of ours, a value of at most 20 bytes, the name. */
	char line[2 * JOBS_NAME_MAX + 256];
	size_t n;

	n = put_str(line, 0, family);
	n = put_str(line, n, "{queue=\"");
	for (; *queue != '\0'; queue++) {
		if (*queue == '\\' || *queue == '"' || *queue == '\n')
			line[n++] = '\\';
		line[n++] = *queue == '\n' ? 'n' : *queue;
	}
	line[n++] = '"';
	if (state != NULL) {
		n = put_str(line, n, ",state=\"");
		n = put_str(line, n, state);
		line[n++] = '"';
	}
	n = put_str(line, n, "} ");
	n = put_str(line, n, value);
	line[n++] = '\n';
	fwrite(line, 1, n, out);
}

/* v in decimal, NUL-terminated, in buf (at least 21 bytes). */
static const char *
dec_str(char *buf, int64_t v)
{
	buf[dec_int64(buf, v)] = '\0';
	return buf;
}

/*
 * What the per-queue families leave out: the queues past JOBS_MAX_QUEUES,
 * added up by state (so that sum(immich_jobs) + sum(immich_jobs_omitted)
 * is every job), and how many names were cut.
 */
static void
omitted_metrics(FILE *out, const struct jobs *j)
{
	const struct totals *o = &j->omitted;
	int64_t cut = o->names_cut;
	size_t k;

	/* Not jobs_totals: /metrics adds nothing up across queues. */
	for (k = 0; k < j->n; k++)
		cut += j->q[k].name_cut != 0;
	fprintf(out, "# HELP immich_jobs_queues_omitted Queues Immich reported "
	    "that the per-queue metrics leave out (more than %d; the least "
	    "busy).\n"
	    "# TYPE immich_jobs_queues_omitted gauge\n"
	    "immich_jobs_queues_omitted %" PRId64 "\n"
	    "# HELP immich_jobs_omitted Jobs by state in the queues left out "
	    "of immich_jobs, added up.\n"
	    "# TYPE immich_jobs_omitted gauge\n", JOBS_MAX_QUEUES, o->queues);
	for (k = 0; k < JOBS_NCOUNTERS; k++)
		fprintf(out, "immich_jobs_omitted{state=\"%s\"} %" PRId64 "\n",
		    jobs_counters[k].name, jobs_total(o, k));
	fprintf(out, "# HELP immich_jobs_queue_names_cut Queues whose name "
	    "was longer than %d bytes, cut in the queue label (ending in "
	    "an ellipsis, ~ and a hash).\n"
	    "# TYPE immich_jobs_queue_names_cut gauge\n"
	    "immich_jobs_queue_names_cut %" PRId64 "\n", JOBS_NAME_MAX - 1,
	    cut);
}

/*
 * immich_queue_eta_seconds for a queue not draining at a known rate: 0
 * when there is no backlog to drain, NaN when its end is not known yet,
 * +Inf when it does not empty (not draining, paused).
 */
static const char *
eta_metric(enum progress_state st)
{
	switch (st) {
	case PROGRESS_IDLE:
	case PROGRESS_KEEPING_UP:
	case PROGRESS_DELAYED:
		return "0";
	case PROGRESS_COLLECTING:
	case PROGRESS_UNKNOWN:
	case PROGRESS_IMPORTING:
	case PROGRESS_FALLING:
		return "NaN";
	default:
		return "+Inf";
	}
}

int
render_metrics_counts(FILE *out, const struct jobs *j)
{
	char d[24];
	size_t i, k;

	if (j != NULL && j->n > 0) {
		fputs("# HELP immich_jobs Jobs in an Immich queue by state, "
		    "as Immich reports them.\n"
		    "# TYPE immich_jobs gauge\n", out);
		for (i = 0; i < j->n; i++) {
			for (k = 0; k < JOBS_NCOUNTERS; k++)
				queue_sample(out, "immich_jobs", j->q[i].name,
				    jobs_counters[k].name,
				    dec_str(d, jobs_count(&j->q[i], k)));
		}
		fputs("# HELP immich_queue_paused Whether an Immich queue is "
		    "paused (1) or not (0).\n"
		    "# TYPE immich_queue_paused gauge\n", out);
		for (i = 0; i < j->n; i++)
			queue_sample(out, "immich_queue_paused", j->q[i].name,
			    NULL, j->q[i].is_paused ? "1" : "0");
		fputs("# HELP immich_queue_stalled Whether an Immich queue has "
		    "had waiting jobs and none active for IMMICH_JOBS_STALL_AFTER "
		    "seconds (1) or not (0).\n"
		    "# TYPE immich_queue_stalled gauge\n", out);
		for (i = 0; i < j->n; i++)
			queue_sample(out, "immich_queue_stalled", j->q[i].name,
			    NULL, j->q[i].progress.stalled ? "1" : "0");
		fputs("# HELP immich_queue_eta_seconds Estimated seconds until "
		    "an Immich queue is empty: 0 idle or keeping up, +Inf not "
		    "draining or paused, NaN not known yet.\n"
		    "# TYPE immich_queue_eta_seconds gauge\n", out);
		for (i = 0; i < j->n; i++) {
			const struct progress *p = &j->q[i].progress;

			queue_sample(out, "immich_queue_eta_seconds",
			    j->q[i].name, NULL, p->state == PROGRESS_DRAINING ?
			    dec_str(d, p->eta_seconds) : eta_metric(p->state));
		}
		omitted_metrics(out, j);
	}
	fprintf(out, "# HELP immich_jobs_up Whether the last call to Immich's "
	    "job API succeeded (1) or not (0).\n"
	    "# TYPE immich_jobs_up gauge\n"
	    "immich_jobs_up %d\n", j != NULL ? 1 : 0);
	return finish(out);
}

int
render_scrape_duration(FILE *out, double duration)
{
	fprintf(out, "# HELP immich_jobs_scrape_duration_seconds Time this "
	    "scrape took.\n"
	    "# TYPE immich_jobs_scrape_duration_seconds gauge\n"
	    "immich_jobs_scrape_duration_seconds %.6f\n", duration);
	return finish(out);
}

int
render_metrics(FILE *out, const struct jobs *j, double duration)
{
	render_metrics_counts(out, j);
	return render_scrape_duration(out, duration);
}
