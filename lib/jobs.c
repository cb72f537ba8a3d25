/* jobs.c - totals and ordering of parsed job counts; see jobs.h. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jobs.h"

#define JOBS_COUNTER_ROW(c, flags) \
	{ #c, offsetof(struct queue, c), offsetof(struct totals, c), flags },
const struct jobs_counter jobs_counters[JOBS_NCOUNTERS] = {
	JOBS_COUNTERS(JOBS_COUNTER_ROW)
};

/* The counter at off of the struct at base. */
static int64_t *
slot(const void *base, size_t off)
{
	return (int64_t *)(uintptr_t)((const char *)base + off);
}

int64_t
jobs_count(const struct queue *q, size_t k)
{
	return *slot(q, jobs_counters[k].in_queue);
}

int64_t
jobs_total(const struct totals *t, size_t k)
{
	return *slot(t, jobs_counters[k].in_totals);
}

/* The counters marked waiting, of a queue or of totals, into *sum. */
static int
waiting_sum(const void *base, int in_totals, int64_t *sum)
{
	const struct jobs_counter *c;
	int bad = 0;

	*sum = 0;
	for (c = jobs_counters; c < jobs_counters + JOBS_NCOUNTERS; c++)
		if (c->flags & JOBS_WAITS)
			bad |= __builtin_add_overflow(*sum, *slot(base,
			    in_totals ? c->in_totals : c->in_queue), sum);
	return bad;
}

/* Counter k of a queue or of totals, as the answer shows it. */
static int64_t
shown(const void *base, int in_totals, size_t k)
{
	const struct jobs_counter *c = &jobs_counters[k];
	int64_t w;

	if ((c->flags & (JOBS_SHOWN | JOBS_WAITS)) ==
	    (JOBS_SHOWN | JOBS_WAITS)) {
		(void)waiting_sum(base, in_totals, &w);
		return w;
	}
	return *slot(base, in_totals ? c->in_totals : c->in_queue);
}

int64_t
jobs_shown(const struct queue *q, size_t k)
{
	return shown(q, 0, k);
}

int64_t
jobs_total_shown(const struct totals *t, size_t k)
{
	return shown(t, 1, k);
}

int64_t
jobs_queue_waiting(const struct queue *q)
{
	int64_t w;

	(void)waiting_sum(q, 0, &w);
	return w;
}

int64_t
jobs_totals_waiting(const struct totals *t)
{
	int64_t w;

	(void)waiting_sum(t, 1, &w);
	return w;
}

int
jobs_totals_add(struct totals *t, const struct queue *q)
{
	const struct jobs_counter *c;
	int64_t w, all;
	int bad;

	bad = waiting_sum(q, 0, &w);
	for (c = jobs_counters; c < jobs_counters + JOBS_NCOUNTERS; c++)
		bad |= __builtin_add_overflow(*slot(t, c->in_totals),
		    *slot(q, c->in_queue), slot(t, c->in_totals));
	bad |= waiting_sum(t, 1, &all);
	if (q->is_paused)
		bad |= __builtin_add_overflow(t->paused_waiting, w,
		    &t->paused_waiting);
	t->queues++;
	t->queues_busy += q->active > 0 || w > 0;
	t->queues_paused += q->is_paused != 0;
	t->queues_stalled += q->progress.stalled != 0;
	t->names_cut += q->name_cut != 0;
	return bad ? -1 : 0;
}

void
jobs_totals(const struct jobs *j, struct totals *t)
{
	size_t i;

	*t = j->omitted;
	for (i = 0; i < j->n; i++)
		(void)jobs_totals_add(t, &j->q[i]);
}

/* <0 when queue x goes before queue y in by_queue. */
static int
cmp_busiest(const struct queue *x, const struct queue *y)
{
	size_t k;
	int64_t vx, vy;

	/* A stalled queue is what a person must see first. */
	if (x->progress.stalled != y->progress.stalled)
		return x->progress.stalled ? -1 : 1;
	/* Then what a dashboard shows, failures before idle queues. */
	for (k = 0; k < JOBS_NCOUNTERS; k++) {
		if (!(jobs_counters[k].flags & JOBS_SHOWN))
			continue;
		vx = jobs_shown(x, k);
		vy = jobs_shown(y, k);
		if (vx != vy)
			return vx > vy ? -1 : 1;
	}
	return strcmp(x->name, y->name);
}

int
jobs_busier(const struct queue *a, const struct queue *b)
{
	return cmp_busiest(a, b) < 0;
}

/*
 * Insertion sort: some 20 queues, and it sorts the indexes in place,
 * stable, with nothing to allocate (glibc's qsort is a merge sort that
 * allocates, and takes no context for the indexes).
 */
void
jobs_sort_busiest(const struct jobs *j, size_t *order)
{
	size_t i, k;

	for (i = 0; i < j->n; i++) {
		for (k = i; k > 0 && cmp_busiest(&j->q[i],
		    &j->q[order[k - 1]]) < 0; k--)
			order[k] = order[k - 1];
		order[k] = i;
	}
}
