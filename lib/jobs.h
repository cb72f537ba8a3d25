/*
 * jobs.h - Immich's job counts per queue, parsed, and their totals.
 *
 * Shapes (see tests/fixtures/README.md):
 *   GET /api/jobs   (Immich v1.x - v3.2, deprecated since v2.4): an object,
 *     { "<queue>": { "jobCounts": { active, completed, failed, delayed,
 *       waiting, paused }, "queueStatus": { isActive, isPaused } }, ... }
 *   GET /api/queues (Immich v2.4+): an array,
 *     [ { "name": "<queue>", "isPaused": bool, "statistics": { same six } } ]
 * Queue names are never hard-coded: Immich grew from 12 queues (v1.100) to
 * 19 (v3.2) and every entry of the right shape is counted.
 *
 * Parsing (jobs_parse.c) needs json-c; everything else here needs only libc,
 * so the cache-hit path can render counts without loading json-c.
 */
#ifndef IJP_JOBS_H
#define IJP_JOBS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define JOBS_MAX_QUEUES	128	/* entries; Immich v3.2 has 19 */
#define JOBS_NAME_MAX	64	/* bytes of a queue name, with its NUL */
#define JOBS_BODY_MAX	(1024 * 1024)	/* bytes of upstream body we read */

enum jobs_shape {
	JOBS_SHAPE_JOBS,	/* GET /api/jobs object */
	JOBS_SHAPE_QUEUES	/* GET /api/queues array */
};

/* How a backlog moves over time; worked out by history.h from fetches. */
enum progress_state {
	PROGRESS_COLLECTING = 0,	/* too little history for an estimate */
	PROGRESS_IDLE,			/* no backlog */
	PROGRESS_PAUSED,		/* the backlog sits in a paused queue */
	PROGRESS_NOT_DRAINING,		/* backlog not falling */
	PROGRESS_DRAINING		/* falling: eta_seconds holds the ETA */
};

struct progress {
	double	rate;		/* jobs finished per minute, >= 0 */
	int64_t	eta_seconds;	/* seconds to an empty backlog; 0 unless DRAINING */
	int32_t	state;		/* enum progress_state */
	int32_t	stalled;	/* 1: waiting work, nothing active for too long */
};

/* One queue's raw BullMQ counts, as Immich reports them (all >= 0). */
struct queue {
	char	name[JOBS_NAME_MAX];	/* printable ASCII (0x20-0x7e) */
	int64_t	active, waiting, delayed, paused, failed, completed;
	int	is_paused;		/* queueStatus.isPaused / isPaused */
	struct progress progress;	/* from history_progress; zeros from jobs_parse */
};

struct jobs {
	size_t		n;			/* queues in q[] */
	struct progress	total_progress;		/* all queues not paused */
	struct queue	q[JOBS_MAX_QUEUES];	/* in Immich's order */
};

/* What the proxy reports; see README.md "The answer". */
struct totals {
	int64_t	active;		/* sum of active */
	int64_t	waiting;	/* sum of waiting + delayed + paused */
	int64_t	failed, delayed, paused, completed;	/* raw sums */
	int64_t	queues;		/* queues Immich reported */
	int64_t	queues_busy;	/* queues with active or waiting > 0 */
	int64_t	queues_paused;	/* queues with isPaused true */
	int64_t	queues_stalled;	/* queues with progress.stalled */
};

/*
 * jobs_parse - parse len bytes at body (need not be NUL-terminated) as the
 * given shape into j (caller-owned, overwritten).  An entry is a queue when
 * it has a "jobCounts" (or, in the array, "statistics") object; other
 * entries are skipped.  An absent counter counts as 0.
 * Returns 0, or -1 with e set to status 502 and a message for: a body that
 * is not JSON, JSON of another shape ("not the jobs shape"), no queue at
 * all, more than JOBS_MAX_QUEUES queues, a queue name that is empty, too
 * long or not printable ASCII, a queue listed twice (array shape), a
 * counter that is not a whole number from 0 to 2^63 - 2 (the message names
 * the queue and the field), an isPaused that is not a boolean, or totals
 * that would overflow 64 bits.  JSON is parsed strictly (RFC 8259).
 * Needs json-c; nothing is left allocated.
 */
int	jobs_parse(struct jobs *j, const char *body, size_t len,
	    enum jobs_shape shape, struct err *e);

/*
 * jobs_queue_waiting - what Immich's admin Jobs page shows as a queue's
 * waiting work: waiting + delayed + paused (a paused queue keeps its queued
 * jobs under "paused").  jobs_parse guarantees the sum cannot overflow.
 */
int64_t	jobs_queue_waiting(const struct queue *q);

/*
 * jobs_totals - add up j into t (caller-owned, overwritten).  Cannot fail
 * for a j that jobs_parse filled.
 */
void	jobs_totals(const struct jobs *j, struct totals *t);

/*
 * jobs_sort_busiest - the indices of j's queues in the order a dashboard
 * lists them (a list cut at its first few rows must still show what needs
 * attention): stalled queues (progress.stalled) first, then active
 * descending, waiting (as jobs_queue_waiting) descending, failed
 * descending (so a queue with only failures comes before idle ones), then
 * name.  Writes j->n indices into order (caller-owned, JOBS_MAX_QUEUES
 * entries).  Cannot fail.
 */
void	jobs_sort_busiest(const struct jobs *j, size_t *order);

#endif
