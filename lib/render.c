/* render.c - JSON and Prometheus bodies; see render.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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
	FILE	*out;		/* NULL: a fixed buffer that never flushes */
	char	*buf;
	size_t	 len, cap;
	int	 full;		/* a fixed buffer ran out of room */
	char	 mem[4096];	/* buf, when writing to out */
};

static void
ob_init(struct obuf *b, FILE *out)
{
	b->out = out;
	b->buf = b->mem;
	b->len = 0;
	b->cap = sizeof(b->mem);
	b->full = 0;
}

static void
ob_flush(struct obuf *b)
{
	if (b->len > 0 && b->out != NULL) {
		fwrite(b->buf, 1, b->len, b->out);
		b->len = 0;
	}
}

static void
ob_put_slow(struct obuf *b, const char *s, size_t n)
{
	if (b->out == NULL) {
		b->full = 1;
		return;
	}
	ob_flush(b);
	if (n > b->cap) {
		fwrite(s, 1, n, b->out);
		return;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
}

/*
 * Inline, so that the many short literals of a body (OB_LIT, sizes known
 * when compiling) are copied with a few moves rather than a memcpy call.
 */
static inline void
ob_put(struct obuf *b, const char *s, size_t n)
{
	if (n > b->cap - b->len) {
		ob_put_slow(b, s, n);
		return;
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
	/* Under 1 a minute, three decimals: a slow drain is not 0.0. */
	int places = rate < 1 ? 3 : 1;
	int64_t scale = places == 3 ? 1000 : 10;
	int64_t r = rate > 0 && rate < 1e15 ?
	    (int64_t)(rate * (double)scale + 0.5) : 0;
	char d[32];
	size_t n = dec_int64(d, r / scale);

	d[n++] = '.';
	if (places == 3) {
		d[n++] = (char)('0' + r / 100 % 10);
		d[n++] = (char)('0' + r / 10 % 10);
	}
	d[n++] = (char)('0' + r % 10);
	ob_put(b, d, n);
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

		/* One table look-up per byte: every text of every hit. */
		if (!must_escape[c])
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

/*
 * A text this file made from digits and fixed words (a summary, an ETA, a
 * status): nothing in it needs escaping, so it is copied, not scanned,
 * which a cache hit does some fifty times.
 */
static void
ob_own_string(struct obuf *b, const char *s)
{
	OB_LIT(b, "\"");
	ob_put(b, s, strlen(s));
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
ob_progress(struct obuf *b, const struct progress *p, const char *stale)
{
	char eta[40];

	OB_LIT(b, ",\"rate\":");
	ob_rate(b, p->rate);
	OB_LIT(b, ",\"eta_seconds\":");
	ob_int(b, p->eta_seconds);
	OB_LIT(b, ",\"eta\":");
	ob_own_string(b, stale != NULL ? stale :
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

/* v (0-99) as two digits at p. */
static void
two_digits(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

/*
 * t (Unix seconds) as "YYYY-MM-DDTHH:MM:SSZ" into buf (21 bytes); by hand,
 * as strftime's locale machinery would cost on every cache hit.
 */
static void
iso8601(int64_t t, char *buf)
{
	static const char shape[] = "0000-00-00T00:00:00Z";
	struct tm tm;
	time_t tt = (time_t)t;
	int year;

	memcpy(buf, shape, sizeof(shape));
	if (gmtime_r(&tt, &tm) == NULL || tm.tm_year < -1900 ||
	    tm.tm_year > 9999 - 1900)
		return;
	year = tm.tm_year + 1900;
	two_digits(buf, year / 100);
	two_digits(buf + 2, year % 100);
	two_digits(buf + 5, tm.tm_mon + 1);
	two_digits(buf + 8, tm.tm_mday);
	two_digits(buf + 11, tm.tm_hour);
	two_digits(buf + 14, tm.tm_min);
	two_digits(buf + 17, tm.tm_sec);
}

/*
 * One queue's object, the same in by_queue and in queue.  The longest
 * (a 63-byte name of control characters, escaped six-fold, twice, plus
 * the numbers) stays under ENTRY_MAX.
 */
#define ENTRY_MAX	2048
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
ob_counters(struct obuf *b, const int64_t *v, int shown)
{
	size_t k;

	for (k = 0; k < JOBS_NCOUNTERS; k++) {
		if (!(jobs_counters[k].flags & JOBS_SHOWN) != !shown)
			continue;
		OB_LIT(b, "\"");
		ob_put(b, jobs_counters[k].name, strlen(jobs_counters[k].name));
		OB_LIT(b, "\":");
		ob_int(b, v[k]);
		OB_LIT(b, ",");
	}
}

/*
 * One queue's object; stale: the status text when the counts are stale,
 * else NULL.
 */
static void
queue_entry(struct obuf *b, const struct queue *q, const char *stale)
{
	int64_t v[JOBS_NCOUNTERS];
	char text[160];

	OB_LIT(b, "{\"name\":");
	ob_json_string(b, q->name);
	OB_LIT(b, ",\"title\":");
	ob_json_string(b, render_queue_title(q->name, text, sizeof(text)));
	OB_LIT(b, ",");
	queue_values(q, v);
	ob_counters(b, v, 1);
	ob_counters(b, v, 0);
	if (q->is_paused)
		OB_LIT(b, "\"is_paused\":true,\"summary\":");
	else
		OB_LIT(b, "\"is_paused\":false,\"summary\":");
	ob_own_string(b, entry_summary(q, stale != NULL, text, sizeof(text)));
	ob_progress(b, &q->progress, stale);
	if (q->progress.stalled)
		OB_LIT(b, ",\"stalled\":true");
	else
		OB_LIT(b, ",\"stalled\":false");
	if (q->name_cut)
		OB_LIT(b, ",\"name_cut\":true}");
	else
		OB_LIT(b, ",\"name_cut\":false}");
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
idle_entry(struct obuf *b, const char *stale)
{
	static const int64_t zeros[JOBS_NCOUNTERS];

	OB_LIT(b, "{\"name\":\"\",\"title\":\"All queues\",");
	ob_counters(b, zeros, 1);
	ob_counters(b, zeros, 0);
	OB_LIT(b, "\"is_paused\":false,\"summary\":\"");
	if (stale != NULL)
		OB_LIT(b, STALE_MARK);
	OB_LIT(b, "idle\",\"rate\":0.0,\"eta_seconds\":0,\"eta\":");
	ob_own_string(b, stale != NULL ? stale : "idle");
	OB_LIT(b, ",\"stalled\":false,\"name_cut\":false}");
}

/* The fields before the queues: totals, progress, status, summary, time. */
static void
head_fields(struct obuf *b, const struct jobs *j,
    const struct render_info *info, const char *status, const char *stale)
{
	struct totals t;
	int64_t v[JOBS_NCOUNTERS];
	char text[256], when[21];
	size_t n = 0;

	jobs_totals(j, &t);
	totals_values(&t, v);
	/* What a dashboard shows, how many queues, then the other counters. */
	OB_LIT(b, "{");
	ob_counters(b, v, 1);
	OB_LIT(b, "\"queues\":");
	ob_int(b, t.queues);
	OB_LIT(b, ",");
	ob_counters(b, v, 0);
	OB_LIT(b, "\"queues_busy\":");
	ob_int(b, t.queues_busy);
	OB_LIT(b, ",\"queues_paused\":");
	ob_int(b, t.queues_paused);
	OB_LIT(b, ",\"queues_stalled\":");
	ob_int(b, t.queues_stalled);
	OB_LIT(b, ",\"queues_omitted\":");
	ob_int(b, j->omitted.queues);
	ob_progress(b, &j->total_progress, stale);
	OB_LIT(b, ",\"status\":");
	ob_own_string(b, status);
	/* Stale counts: the summary starts with the status ("stale · ..."). */
	if (stale != NULL) {
		n = strlen(status);
		memcpy(text, status, n);
		memcpy(text + n, SEP, sizeof(SEP) - 1);
		n += sizeof(SEP) - 1;
	}
	render_totals_summary(j, text + n, sizeof(text) - n);
	OB_LIT(b, ",\"summary\":");
	ob_own_string(b, text);
	OB_LIT(b, ",\"updated\":\"");
	iso8601(info->fetched, when);
	ob_put(b, when, 20);
	if (info->stale) {
		OB_LIT(b, "\",\"stale\":true,\"age\":");
		ob_int(b, info->age < 0 ? 0 : info->age);
		OB_LIT(b, ",\"upstream_error\":");
		ob_json_string(b, info->upstream_error != NULL ?
		    info->upstream_error : "");
	} else
		OB_LIT(b, "\",\"stale\":false,\"age\":0,\"upstream_error\":\"\"");
}

/* Queue k's object, from the entries written once (off: their offsets). */
#define ENTRY(k)	entries + off[k], off[(k) + 1] - off[k]

int
render_json(FILE *out, const struct jobs *j, const struct render_info *info)
{
	/* Each queue's object is written once and copied where it goes. */
	static char entries[JOBS_MAX_QUEUES * ENTRY_MAX];
	size_t order[JOBS_MAX_QUEUES], off[JOBS_MAX_QUEUES + 1], i;
	struct obuf b, e;
	char status[64];
	const char *stale;

	ob_init(&b, out);
	render_status(info, status, sizeof(status));
	stale = info->stale ? status : NULL;
	head_fields(&b, j, info, status, stale);
	e.out = NULL;
	e.buf = entries;
	e.len = 0;
	e.cap = sizeof(entries);
	e.full = 0;
	for (i = 0; i < j->n; i++) {
		off[i] = e.len;
		queue_entry(&e, &j->q[i], stale);
	}
	off[j->n] = e.len;
	jobs_sort_busiest(j, order);
	OB_LIT(&b, ",\"by_queue\":[");
	for (i = 0; i < j->n; i++) {
		if (i > 0)
			OB_LIT(&b, ",");
		ob_put(&b, ENTRY(order[i]));
	}
	/*
	 * busy: by_queue's first entries, those with work (the order puts
	 * them first), or one row saying all is idle: a list on a dashboard
	 * never pads itself with idle queues.
	 */
	OB_LIT(&b, "],\"busy\":[");
	for (i = 0; i < j->n && has_work(&j->q[order[i]]); i++) {
		if (i > 0)
			OB_LIT(&b, ",");
		ob_put(&b, ENTRY(order[i]));
	}
	if (i == 0)
		idle_entry(&b, stale);
	OB_LIT(&b, "],\"queue\":{");
	for (i = 0; i < j->n; i++) {
		if (i > 0)
			OB_LIT(&b, ",");
		ob_json_string(&b, j->q[order[i]].name);
		OB_LIT(&b, ":");
		ob_put(&b, ENTRY(order[i]));
	}
	OB_LIT(&b, "}}\n");
	if (e.full) {		/* cannot happen: see ENTRY_MAX */
		errno = ENOBUFS;
		ob_flush(&b);
		return -1;
	}
	return ob_finish(&b);
}

int
render_error(FILE *out, const struct err *e)
{
	struct obuf b;

	ob_init(&b, out);
	OB_LIT(&b, "{\"error\":");
	ob_json_string(&b, e->msg);
	if (e->upstream_status != 0) {
		OB_LIT(&b, ",\"upstream_status\":");
		ob_int(&b, e->upstream_status);
	}
	OB_LIT(&b, "}\n");
	return ob_finish(&b);
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
