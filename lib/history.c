/* history.c - rate, ETA and stalls from counts over time; see history.h. */
#include <stdio.h>
#include <string.h>

#include "history.h"

/*
 * Immich's pipeline, v1.100 to v3.x (history.h): queue is fed by from,
 * one job for each job from finishes.
 */
static const struct {
	const char	*queue, *from;
} pipeline[] = {
	{ "storageTemplateMigration",	"metadataExtraction" },
	{ "thumbnailGeneration",	"storageTemplateMigration" },
	{ "smartSearch",		"thumbnailGeneration" },
	{ "faceDetection",		"thumbnailGeneration" },
	{ "ocr",			"thumbnailGeneration" },
	{ "duplicateDetection",		"smartSearch" },
};

/* facialRecognition's one job waits until these queues are empty. */
static const char	gated[] = "facialRecognition";
static const char *const gates[] = { "thumbnailGeneration", "faceDetection" };

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define CHAIN_MAX	8	/* queues up a chain: bounds every walk */
#define RECENT_MAX	3	/* fetches "just now" looks at, at most */

/* What history_progress works out per column, beside struct progress. */
struct est {
	int64_t		work;	/* backlog plus what is still upstream */
	struct progress	p;
};

static int	column(const struct history *, const char *);

/* a + b, held at INT64_MAX: counts near 2^63 must not wrap. */
static int64_t
add_sat(int64_t a, int64_t b)
{
	int64_t s;

	return __builtin_add_overflow(a, b, &s) ? INT64_MAX : s;
}

/*
 * What is still to do in a queue: its active jobs and all its waiting
 * work (paused work waits for a resume).
 */
static int64_t
backlog(const struct queue *q)
{
	return add_sat(q->active, jobs_queue_waiting(q));
}

static int
bit(const uint64_t *w, int k)
{
	return (int)((w[k / 64] >> (k % 64)) & 1);
}

static void
set_bit(uint64_t *w, int k)
{
	w[k / 64] |= 1ull << (k % 64);
}

int64_t
stamp_since(const struct stamp *then, const struct stamp *now)
{
	int64_t d;

	if (then->boot_id != 0 && then->boot_id == now->boot_id)
		d = now->boot - then->boot;
	else
		d = now->wall - then->wall;
	return d < 0 ? -1 : d;
}

/* h's column of the queue called name, or -1. */
static int
column(const struct history *h, const char *name)
{
	uint32_t k;

	for (k = 0; k < h->nq; k++)
		if (strcmp(h->name[k], name) == 0)
			return (int)k;
	return -1;
}

/* 1 when h holds exactly j's queues (in any order). */
static int
same_queues(const struct history *h, const struct jobs *j)
{
	size_t i;

	if (h->nq != j->n)
		return 0;
	for (i = 0; i < j->n; i++)
		if (column(h, j->q[i].name) == -1)
			return 0;
	return 1;
}

static void
start_afresh(struct history *h, const struct jobs *j)
{
	size_t i;

	memset(h, 0, sizeof(*h));
	h->nq = (uint32_t)j->n;
	for (i = 0; i < j->n; i++)
		memcpy(h->name[i], j->q[i].name, JOBS_NAME_MAX);
}

/* Drop the oldest sample. */
static void
drop_oldest(struct history *h)
{
	memmove(&h->t[0], &h->t[1], (h->ns - 1) * sizeof(h->t[0]));
	memmove(&h->backlog[0], &h->backlog[1],
	    (h->ns - 1) * sizeof(h->backlog[0]));
	memmove(&h->paused[0], &h->paused[1],
	    (h->ns - 1) * sizeof(h->paused[0]));
	memmove(&h->active[0], &h->active[1],
	    (h->ns - 1) * sizeof(h->active[0]));
	h->ns--;
}

/*
 * Queue q's counts into column k of sample s, taken at now; and its stall
 * clock: nothing active and the backlog no smaller than at the fetch
 * before (fast jobs finished between fetches are progress).
 */
static void
record(struct history *h, uint32_t s, int k, const struct queue *q,
    int64_t now)
{
	int stopped = !q->is_paused && q->waiting > 0 && q->active == 0;

	h->backlog[s][k] = backlog(q);
	if (q->is_paused)
		set_bit(h->paused[s], k);
	if (q->active > 0)
		set_bit(h->active[s], k);
	if (stopped && s > 0 && h->backlog[s][k] < h->backlog[s - 1][k])
		stopped = 0;
	if (!stopped)
		h->idle_since[k] = 0;
	else if (h->idle_since[k] == 0)
		h->idle_since[k] = now;
}

int64_t
history_add(struct history *h, const struct stamp *at, const struct jobs *j)
{
	int64_t now, dt = 0;
	uint32_t s;
	size_t i;

	if (h->ns > HISTORY_SAMPLES || h->nq > JOBS_MAX_QUEUES ||
	    !same_queues(h, j) ||
	    (h->ns > 0 && (dt = stamp_since(&h->last, at)) < 0))
		start_afresh(h, j);
	now = h->ns > 0 ? add_sat(h->t[h->ns - 1], dt) : at->wall;
	/* Two fetches in one second: the later one stands for both. */
	if (h->ns > 0 && now == h->t[h->ns - 1])
		h->ns--;
	if (h->ns == HISTORY_SAMPLES)
		drop_oldest(h);
	s = h->ns;
	h->t[s] = now;
	h->last = *at;
	memset(h->backlog[s], 0, sizeof(h->backlog[s]));
	memset(h->paused[s], 0, sizeof(h->paused[s]));
	memset(h->active[s], 0, sizeof(h->active[s]));
	for (i = 0; i < j->n; i++)
		record(h, s, column(h, j->q[i].name), &j->q[i], now);
	h->ns++;
	return now;
}

/* The column that feeds k one for one, or -1, for each of h's columns. */
static void
links(const struct history *h, int *from)
{
	uint32_t k;
	size_t i;

	for (k = 0; k < h->nq; k++) {
		from[k] = -1;
		for (i = 0; i < NELEM(pipeline); i++)
			if (strcmp(h->name[k], pipeline[i].queue) == 0)
				from[k] = column(h, pipeline[i].from);
	}
}

/*
 * Column k's backlog at sample s plus that of the queues upstream, up to
 * one paused at the newest sample: what waits behind a pause does not
 * come until a resume, and what a resume let through was there before.
 */
static int64_t
work(const struct history *h, const int *from, int k, uint32_t s)
{
	int64_t w = h->backlog[s][k];
	int n;

	for (n = 0; n < CHAIN_MAX && (k = from[k]) != -1 &&
	    !bit(h->paused[h->ns - 1], k); n++)
		w = add_sat(w, h->backlog[s][k]);
	return w;
}

/* 1 when k or a queue upstream of it was paused at sample s. */
static int
held(const struct history *h, const int *from, int k, uint32_t s)
{
	int n;

	if (bit(h->paused[s], k))
		return 1;
	for (n = 0; n < CHAIN_MAX && (k = from[k]) != -1; n++)
		if (bit(h->paused[s], k))
			return 1;
	return 0;
}

/* 1 when k or a queue upstream of it (up to a paused one) has a job active. */
static int
running(const struct history *h, const int *from, int k, uint32_t s)
{
	int n;

	if (bit(h->active[s], k))
		return 1;
	for (n = 0; n < CHAIN_MAX && (k = from[k]) != -1 &&
	    !bit(h->paused[s], k); n++)
		if (bit(h->active[s], k))
			return 1;
	return 0;
}

/*
 * The jobs each column finished between samples s - 1 and s, into
 * fin[k][s], and whether that is known, into known[k][s] (history.h):
 * what its upstream finished (known) less its backlog's growth, else its
 * backlog's fall: at least that many finished, more when something fed it
 * unseen (an upload feeds metadataExtraction, which keeps up).  Upstream
 * columns are worked out first.
 */
static void
finished(const struct history *h, const int *from,
    double fin[][HISTORY_SAMPLES], unsigned char known[][HISTORY_SAMPLES])
{
	int depth[JOBS_MAX_QUEUES], d, k, n, up;
	uint32_t s;
	double grew, f;

	for (k = 0; k < (int)h->nq; k++)
		for (depth[k] = 0, n = k; depth[k] < CHAIN_MAX &&
		    (n = from[n]) != -1; depth[k]++)
			;
	for (d = 0; d <= CHAIN_MAX; d++)
		for (k = 0; k < (int)h->nq; k++) {
			if (depth[k] != d)
				continue;
			fin[k][0] = 0;
			known[k][0] = 0;
			for (s = 1; s < h->ns; s++) {
				grew = (double)h->backlog[s][k] -
				    (double)h->backlog[s - 1][k];
				up = from[k];
				if (bit(h->paused[s], k)) {
					f = 0;
					known[k][s] = 1;
				} else if (up != -1 && known[up][s]) {
					f = fin[up][s] - grew;
					known[k][s] = 1;
				} else {
					f = -grew;
					known[k][s] = grew < 0;
				}
				fin[k][s] = f > 0 ? f : 0;
			}
		}
}

/*
 * Over the last fetches (RECENT_MAX at most, HISTORY_RECENT seconds): a
 * job active whenever there was a backlog, and some work seen; and never
 * more work than HISTORY_KEEPUP_MAX in the window (the tail of a drain is
 * no keeping up).  Needs two fetches: one cannot tell.
 */
static int
keeping_up(const struct history *h, const int *from, int k)
{
	uint32_t last = h->ns - 1, s, n;
	int busy = 0;

	for (s = last; h->t[last] - h->t[s] <= HISTORY_WINDOW; s--) {
		if (work(h, from, k, s) > HISTORY_KEEPUP_MAX)
			return 0;
		if (s == 0)
			break;
	}
	for (s = last, n = 0; n < RECENT_MAX &&
	    h->t[last] - h->t[s] <= HISTORY_RECENT; s--) {
		if (h->backlog[s][k] > 0 && !bit(h->active[s], k))
			return 0;
		busy |= h->backlog[s][k] > 0;
		n++;
		if (s == 0)
			break;
	}
	return n >= 2 && busy;
}

/*
 * Jobs finished a minute by column k over the known intervals in the
 * window after the fetch that followed its work's peak; 0 when too few
 * jobs or seconds for a rate.  A fall of more than HISTORY_JUMP_MIN jobs
 * and HISTORY_JUMP_RATE times the rate measured before it is a queue
 * emptied by hand (or a Redis that lost its data), not work done.
 */
static double
rate_of(const struct history *h, const int *from, int k,
    double fin[][HISTORY_SAMPLES], unsigned char known[][HISTORY_SAMPLES])
{
	uint32_t last = h->ns - 1, s, peak = last;
	double jobs = 0;
	int64_t span = 0, dt;

	for (s = last; h->t[last] - h->t[s] <= HISTORY_WINDOW; s--) {
		if (work(h, from, k, s) > work(h, from, k, peak))
			peak = s;
		if (s == 0)
			break;
	}
	/* Time spent paused is no time spent draining. */
	for (s = peak + 2; s <= last; s++) {
		if (!known[k][s] || held(h, from, k, s) ||
		    h->t[last] - h->t[s - 1] > HISTORY_WINDOW)
			continue;
		dt = h->t[s] - h->t[s - 1];
		if (fin[k][s] > HISTORY_JUMP_MIN && span >= HISTORY_MIN_SPAN &&
		    fin[k][s] > HISTORY_JUMP_RATE * jobs * (double)dt /
		    (double)span)
			continue;
		jobs += fin[k][s];
		span += dt;
	}
	if (jobs < HISTORY_MIN_JOBS || span < HISTORY_MIN_SPAN)
		return 0;
	return jobs * 60 / (double)span;
}

/*
 * 1 when column k's work fell at a fetch recently enough for its rate:
 * not longer ago than three jobs take, plus 30 s.
 */
static int
still_moving(const struct history *h, const int *from, int k, double rate)
{
	uint32_t s;

	for (s = h->ns - 1; s > 0; s--)
		if (work(h, from, k, s) < work(h, from, k, s - 1))
			return (double)(h->t[h->ns - 1] - h->t[s]) <=
			    3 * 60 / rate + 30;
	return 0;
}

/*
 * The state of column k with work (e->work, e->p.rate set) that was
 * before at the fetch before; q its counts at the newest.
 */
static void
moving(const struct history *h, const int *from, int k,
    const struct queue *q, double fin[][HISTORY_SAMPLES],
    unsigned char known[][HISTORY_SAMPLES], int64_t before,
    struct est *e)
{
	uint32_t last = h->ns - 1;
	double eta;

	if (e->work == q->delayed)
		e->p.state = PROGRESS_DELAYED;
	else if (keeping_up(h, from, k))
		e->p.state = PROGRESS_KEEPING_UP;
	else if (e->work > before && (running(h, from, k, last) ||
	    (known[k][last] && fin[k][last] > 0)))
		e->p.state = PROGRESS_IMPORTING;
	else if (e->p.rate > 0 && still_moving(h, from, k, e->p.rate)) {
		eta = (double)e->work * 60 / e->p.rate;
		if (eta > HISTORY_ETA_MAX)
			e->p.state = PROGRESS_NOT_DRAINING;	/* too slow */
		else {
			e->p.state = PROGRESS_DRAINING;
			e->p.eta_seconds = eta < 1 ? 1 : (int64_t)(eta + 0.5);
		}
	} else if (e->work < before)
		e->p.state = PROGRESS_FALLING;
	else if (h->backlog[last][k] == 0)
		e->p.state = PROGRESS_IDLE;	/* stuck upstream, not here */
	else
		e->p.state = PROGRESS_NOT_DRAINING;
}

/* Progress of column k, whose counts at the newest sample are q. */
static void
estimate(const struct history *h, const int *from, int k,
    const struct queue *q, double fin[][HISTORY_SAMPLES],
    unsigned char known[][HISTORY_SAMPLES], struct est *e)
{
	uint32_t last = h->ns - 1;

	memset(e, 0, sizeof(*e));
	e->work = work(h, from, k, last);
	if (q->is_paused) {
		e->p.state = PROGRESS_PAUSED;
		return;
	}
	if (e->work == 0) {
		/* A queue that keeps up is often seen empty between jobs. */
		e->p.state = keeping_up(h, from, k) ? PROGRESS_KEEPING_UP :
		    PROGRESS_IDLE;
		return;
	}
	e->p.rate = rate_of(h, from, k, fin, known);
	if (last == 0 || h->t[last] - h->t[last - 1] > HISTORY_WINDOW)
		e->p.state = PROGRESS_COLLECTING;
	else
		moving(h, from, k, q, fin, known, work(h, from, k, last - 1), e);
}

/*
 * facialRecognition is done when its gates are: their longest ETA while
 * they hold work and all of it drains.  Returns 1 when its gates hold
 * work (its own figures then say nothing about when it is done).
 */
static int
gate(const struct history *h, struct est *e)
{
	int64_t eta = 0;
	size_t i;
	int g, k, busy = 0, all = 1;

	if ((k = column(h, gated)) == -1 || e[k].p.state == PROGRESS_PAUSED)
		return 0;
	for (i = 0; i < NELEM(gates); i++) {
		if ((g = column(h, gates[i])) == -1 || e[g].work == 0)
			continue;
		busy = 1;
		if (e[g].p.state != PROGRESS_DRAINING)
			all = 0;
		else if (e[g].p.eta_seconds > eta)
			eta = e[g].p.eta_seconds;
	}
	if (busy && all && e[k].work > 0) {
		e[k].p.state = PROGRESS_DRAINING;
		e[k].p.eta_seconds = eta;
	}
	return busy;
}

/*
 * What the whole reads: the first of busy_order that a queue with work
 * reads, else the first of rest_order, else idle.
 */
static const int busy_order[] = { PROGRESS_IMPORTING, PROGRESS_COLLECTING,
    PROGRESS_NOT_DRAINING, PROGRESS_FALLING, PROGRESS_DRAINING };
static const int rest_order[] = { PROGRESS_KEEPING_UP, PROGRESS_DELAYED,
    PROGRESS_PAUSED };

static int
first_of(unsigned seen, const int *order, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (seen & (1u << order[i]))
			return order[i];
	return -1;
}

/* 1 when a queue reading state holds the whole back: it has work to do. */
static int
holds_back(int state)
{
	return state != PROGRESS_IDLE && state != PROGRESS_PAUSED &&
	    state != PROGRESS_KEEPING_UP && state != PROGRESS_DELAYED;
}

/*
 * 1 unless column k is facialRecognition waiting for its gates (gated:
 * its column): it is done when they are, and they count already.
 */
static int
counted(int k, int gated_k, int gates_busy, int state)
{
	return k != gated_k || !gates_busy || state == PROGRESS_DRAINING;
}

/* The whole of Immich's work from the queues' estimates (history.h). */
static void
total(const struct history *h, const struct est *e, int gates_busy,
    struct progress *p)
{
	unsigned busy = 0, rest = 0;
	int k, gk = column(h, gated), state;

	memset(p, 0, sizeof(*p));
	for (k = 0; k < (int)h->nq; k++) {
		state = e[k].p.state;
		if (state == PROGRESS_IDLE ||
		    (state == PROGRESS_PAUSED && e[k].work == 0))
			continue;
		if (state != PROGRESS_PAUSED)
			p->rate += e[k].p.rate;
		if (!holds_back(state))
			rest |= 1u << state;
		else if (counted(k, gk, gates_busy, state)) {
			busy |= 1u << state;
			if (e[k].p.eta_seconds > p->eta_seconds)
				p->eta_seconds = e[k].p.eta_seconds;
		}
	}
	if ((state = first_of(busy, busy_order, NELEM(busy_order))) == -1 &&
	    (state = first_of(rest, rest_order, NELEM(rest_order))) == -1)
		state = PROGRESS_IDLE;
	p->state = state;
	if (state != PROGRESS_DRAINING)
		p->eta_seconds = 0;
	if (state == PROGRESS_IDLE || state == PROGRESS_PAUSED)
		p->rate = 0;
}

void
history_progress(const struct history *h, struct jobs *j, int64_t now,
    long stall_after)
{
	/* ~75 KB together: not on the stack. */
	static double fin[JOBS_MAX_QUEUES][HISTORY_SAMPLES];
	static unsigned char known[JOBS_MAX_QUEUES][HISTORY_SAMPLES];
	static struct est e[JOBS_MAX_QUEUES];
	int from[JOBS_MAX_QUEUES], k, busy;
	size_t i;

	memset(&j->total_progress, 0, sizeof(j->total_progress));
	for (i = 0; i < j->n; i++)
		memset(&j->q[i].progress, 0, sizeof(j->q[i].progress));
	if (h->ns == 0 || h->t[h->ns - 1] != now || !same_queues(h, j))
		return;		/* not recorded: nothing to say */
	links(h, from);
	finished(h, from, fin, known);
	for (i = 0; i < j->n; i++) {
		k = column(h, j->q[i].name);
		estimate(h, from, k, &j->q[i], fin, known, &e[k]);
	}
	busy = gate(h, e);
	for (i = 0; i < j->n; i++) {
		struct queue *q = &j->q[i];

		k = column(h, q->name);
		q->progress = e[k].p;
		q->progress.stalled = !q->is_paused &&
		    h->idle_since[k] != 0 &&
		    now - h->idle_since[k] >= stall_after;
	}
	total(h, e, busy, &j->total_progress);
}

char *
history_eta_text(const struct progress *p, char *buf, size_t size)
{
	int64_t m = (p->eta_seconds + 30) / 60;	/* nearest minute */
	const char *fixed;

	switch (p->state) {
	case PROGRESS_IDLE:
		fixed = "idle";
		break;
	case PROGRESS_PAUSED:
		fixed = "paused";
		break;
	case PROGRESS_NOT_DRAINING:
		fixed = "not draining";
		break;
	case PROGRESS_DRAINING:
		fixed = m < 1 ? "< 1m" : NULL;
		break;
	case PROGRESS_UNKNOWN:
		fixed = "unknown";
		break;
	case PROGRESS_IMPORTING:
		fixed = "importing";
		break;
	case PROGRESS_KEEPING_UP:
		fixed = "keeping up";
		break;
	case PROGRESS_DELAYED:
		fixed = "delayed";
		break;
	case PROGRESS_FALLING:
		fixed = "draining";
		break;
	default:
		fixed = "collecting data";
		break;
	}
	if (fixed != NULL)
		snprintf(buf, size, "%s", fixed);
	else if (m < 60)
		snprintf(buf, size, "\xe2\x89\x88 %lldm", (long long)m);
	else if (m < 24 * 60)
		snprintf(buf, size, "\xe2\x89\x88 %lldh %lldm",
		    (long long)(m / 60), (long long)(m % 60));
	else
		snprintf(buf, size, "\xe2\x89\x88 %lldd %lldh",
		    (long long)(m / 1440), (long long)(m % 1440 / 60));
	return buf;
}
