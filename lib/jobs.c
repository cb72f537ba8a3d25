/* jobs.c - totals and ordering of parsed job counts; see jobs.h. */
#include <stdlib.h>
#include <string.h>

#include "jobs.h"

int64_t
jobs_queue_waiting(const struct queue *q)
{
	return q->waiting + q->delayed + q->paused;
}

void
jobs_totals(const struct jobs *j, struct totals *t)
{
	size_t i;

	*t = j->omitted;
	for (i = 0; i < j->n; i++) {
		const struct queue *q = &j->q[i];

		t->active += q->active;
		t->waiting += jobs_queue_waiting(q);
		t->failed += q->failed;
		t->delayed += q->delayed;
		t->paused += q->paused;
		t->completed += q->completed;
		if (q->active > 0 || jobs_queue_waiting(q) > 0)
			t->queues_busy++;
		if (q->is_paused) {
			t->queues_paused++;
			t->paused_waiting += jobs_queue_waiting(q);
		}
		if (q->name_cut)
			t->names_cut++;
		if (q->progress.stalled)
			t->queues_stalled++;
	}
	t->queues += (int64_t)j->n;
}

/* <0 when queue x goes before queue y in by_queue. */
static int
cmp_busiest(const struct queue *x, const struct queue *y)
{
	int64_t wx = jobs_queue_waiting(x), wy = jobs_queue_waiting(y);

	/* A stalled queue is what a person must see first. */
	if (x->progress.stalled != y->progress.stalled)
		return x->progress.stalled ? -1 : 1;
	if (x->active != y->active)
		return x->active > y->active ? -1 : 1;
	if (wx != wy)
		return wx > wy ? -1 : 1;
	if (x->failed != y->failed)
		return x->failed > y->failed ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * Insertion sort, not qsort: some 20 queues, on every cache hit, where
 * glibc's qsort (a merge sort that allocates) cost four times as much.
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
