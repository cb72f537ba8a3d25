/* history.c - rate, ETA and stalls from counts over time; see history.h. */
#include <stdio.h>
#include <string.h>

#include "history.h"

#define TOTAL	JOBS_MAX_QUEUES		/* the column of the sum */

static int	column(const struct history *, const char *);

/* a + b, held at INT64_MAX: counts near 2^63 must not wrap. */
static int64_t
add_sat(int64_t a, int64_t b)
{
	int64_t s;

	return __builtin_add_overflow(a, b, &s) ? INT64_MAX : s;
}

/* What is still to do in a queue that is not paused. */
static int64_t
backlog(const struct queue *q)
{
	return add_sat(add_sat(q->active, q->waiting), q->delayed);
}

/*
 * Which queues are paused, as one number (0: none): a change moves work
 * in or out of the total, which is not progress.
 */
static uint64_t
paused_sig(const struct history *h, const struct jobs *j)
{
	uint64_t sig = 0;
	size_t i;

	for (i = 0; i < j->n; i++)
		if (j->q[i].is_paused)
			sig = sig * 0x100000001b3ull +
			    (uint64_t)(column(h, j->q[i].name) + 1);
	return sig;
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

void
history_add(struct history *h, int64_t now, const struct jobs *j)
{
	int64_t *row, total = 0;
	size_t i;
	int k;

	if (h->ns > HISTORY_SAMPLES || h->nq > JOBS_MAX_QUEUES ||
	    !same_queues(h, j) || (h->ns > 0 && now < h->t[h->ns - 1]))
		start_afresh(h, j);
	/* Two fetches in one second: the later one stands for both. */
	if (h->ns > 0 && now == h->t[h->ns - 1])
		h->ns--;
	if (h->ns == HISTORY_SAMPLES) {
		memmove(&h->t[0], &h->t[1], (HISTORY_SAMPLES - 1) * sizeof(h->t[0]));
		memmove(&h->backlog[0], &h->backlog[1],
		    (HISTORY_SAMPLES - 1) * sizeof(h->backlog[0]));
		memmove(&h->paused[0], &h->paused[1],
		    (HISTORY_SAMPLES - 1) * sizeof(h->paused[0]));
		h->ns--;
	}
	h->t[h->ns] = now;
	h->paused[h->ns] = paused_sig(h, j);
	row = h->backlog[h->ns];
	memset(row, 0, sizeof(h->backlog[0]));
	for (i = 0; i < j->n; i++) {
		const struct queue *q = &j->q[i];
		/*
		 * Nothing active and the backlog no smaller than at the fetch
		 * before: fast jobs finished between fetches are progress.
		 */
		int stopped = !q->is_paused && q->waiting > 0 &&
		    q->active == 0;

		k = column(h, q->name);
		row[k] = backlog(q);
		if (stopped && h->ns > 0 && row[k] < h->backlog[h->ns - 1][k])
			stopped = 0;
		if (!q->is_paused)
			total = add_sat(total, row[k]);
		if (!stopped)
			h->idle_since[k] = 0;
		else if (h->idle_since[k] == 0)
			h->idle_since[k] = now;
	}
	row[TOTAL] = total;
	h->ns++;
}

/* A change from a to b that no steady draining explains. */
static int
is_jump(int64_t a, int64_t b)
{
	if (b > a)
		return b - a >= HISTORY_JUMP_MIN &&
		    (b - a) * HISTORY_RISE_DIV >= a;
	return a - b >= HISTORY_JUMP_MIN && (a - b) * 2 >= a;
}

/* Progress of the backlog in column col, whose newest sample is at now. */
static void
estimate(const struct history *h, int col, int64_t now, struct progress *p)
{
	uint32_t last = h->ns - 1, s = last, i;
	int64_t b = h->backlog[last][col];
	double n, st = 0, sb = 0, stt = 0, stb = 0, x, slope;

	memset(p, 0, sizeof(*p));
	/* A queue paused or resumed moves work in or out of the total. */
	while (s > 0 && h->t[s - 1] >= now - HISTORY_WINDOW &&
	    h->paused[s - 1] == h->paused[s] &&
	    !is_jump(h->backlog[s - 1][col], h->backlog[s][col]))
		s--;
	if (h->t[last] - h->t[s] >= HISTORY_MIN_SPAN) {
		/* Least squares, times taken from the window's start. */
		n = (double)(last - s + 1);
		for (i = s; i <= last; i++) {
			x = (double)(h->t[i] - h->t[s]);
			st += x;
			sb += (double)h->backlog[i][col];
			stt += x * x;
			stb += x * (double)h->backlog[i][col];
		}
		slope = (n * stb - st * sb) / (n * stt - st * st);
		if (slope < 0)
			p->rate = -slope * 60;
	} else if (b != 0) {
		/*
		 * Sparse fetches of a fast rise look like jumps, one after
		 * another: what is known is that it rose.
		 */
		p->state = last > 0 && b > h->backlog[last - 1][col] ?
		    PROGRESS_NOT_DRAINING : PROGRESS_COLLECTING;
		return;
	}
	if (b == 0)
		p->state = PROGRESS_IDLE;
	else if (p->rate > 0 && (double)b * 60 / p->rate <= HISTORY_ETA_MAX) {
		p->state = PROGRESS_DRAINING;
		p->eta_seconds = (int64_t)((double)b * 60 / p->rate + 0.5);
	} else
		p->state = PROGRESS_NOT_DRAINING;
}

void
history_progress(const struct history *h, struct jobs *j, int64_t now,
    long stall_after)
{
	int64_t paused_work = 0;
	size_t i;
	int k;

	memset(&j->total_progress, 0, sizeof(j->total_progress));
	for (i = 0; i < j->n; i++)
		memset(&j->q[i].progress, 0, sizeof(j->q[i].progress));
	if (h->ns == 0 || h->t[h->ns - 1] != now)
		return;		/* not recorded: nothing to say */
	for (i = 0; i < j->n; i++) {
		struct queue *q = &j->q[i];

		if ((k = column(h, q->name)) == -1)
			continue;
		if (q->is_paused) {
			q->progress.state = PROGRESS_PAUSED;
			paused_work += backlog(q) + q->paused;
			continue;
		}
		estimate(h, k, now, &q->progress);
		q->progress.stalled = h->idle_since[k] != 0 &&
		    now - h->idle_since[k] >= stall_after;
	}
	estimate(h, TOTAL, now, &j->total_progress);
	if (j->total_progress.state == PROGRESS_IDLE && paused_work > 0)
		j->total_progress.state = PROGRESS_PAUSED;
}

char *
history_eta_text(const struct progress *p, char *buf, size_t size)
{
	int64_t m = (p->eta_seconds + 30) / 60;	/* nearest minute */
	const char *fixed;
	size_t n;

	/*
	 * Texts without a number are copied, not printed: this runs for
	 * every queue on a cache hit, where snprintf cost 500 instructions.
	 */
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
	default:
		fixed = "collecting data";
		break;
	}
	if (fixed != NULL) {
		if (size > 0) {
			n = strlen(fixed) < size ? strlen(fixed) : size - 1;
			memcpy(buf, fixed, n);
			buf[n] = '\0';
		}
	} else if (m < 60)
		snprintf(buf, size, "\xe2\x89\x88 %lldm", (long long)m);
	else if (m < 24 * 60)
		snprintf(buf, size, "\xe2\x89\x88 %lldh %lldm",
		    (long long)(m / 60), (long long)(m % 60));
	else
		snprintf(buf, size, "\xe2\x89\x88 %lldd %lldh",
		    (long long)(m / 1440), (long long)(m % 1440 / 60));
	return buf;
}
