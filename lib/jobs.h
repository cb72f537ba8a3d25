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

#define JOBS_MAX_QUEUES	128	/* queues listed (more are added up); v3.2 has 19 */
#define JOBS_NAME_MAX	64	/* bytes of a queue name, with its NUL */
#define JOBS_BODY_MAX	(1024 * 1024)	/* bytes of upstream body we read */

enum jobs_shape {
	JOBS_SHAPE_JOBS,	/* GET /api/jobs object */
	JOBS_SHAPE_QUEUES	/* GET /api/queues array */
};

/*
 * How a queue's work moves over time; worked out by history.h from
 * fetches (history_progress says when each applies).  Values are kept:
 * the cache stores them.
 */
enum progress_state {
	PROGRESS_COLLECTING = 0,	/* too little history for an estimate */
	PROGRESS_IDLE,			/* no work */
	PROGRESS_PAUSED,		/* the work sits in a paused queue */
	PROGRESS_NOT_DRAINING,		/* work that does not move */
	PROGRESS_DRAINING,		/* falling: eta_seconds holds the ETA */
	PROGRESS_UNKNOWN,		/* stale counts: no estimate for now */
	PROGRESS_IMPORTING,		/* work grows while jobs run */
	PROGRESS_KEEPING_UP,		/* busy, a small flat backlog */
	PROGRESS_DELAYED,		/* only jobs waiting for a set time */
	PROGRESS_FALLING		/* draining, no rate known yet */
};

struct progress {
	double	rate;		/* jobs seen finished per minute, >= 0 */
	int64_t	eta_seconds;	/* seconds until the work is done, > 0 when
				   DRAINING, else 0 */
	int32_t	state;		/* enum progress_state */
	int32_t	stalled;	/* 1: waiting work, nothing active for too long */
};

/*
 * The job counters of a queue, as Immich names them, in the order they are
 * listed (Prometheus, and JSON within each of its two groups), each with
 * its flags:
 *   JOBS_WAITS  part of what Immich's admin Jobs page shows together as a
 *               queue's waiting work (a paused queue keeps its queued jobs
 *               under "paused");
 *   JOBS_SHOWN  a figure a dashboard shows: listed first in the JSON
 *               (before "queues"), in summaries, in what makes a queue
 *               busy and in jobs_sort_busiest's order.  A shown counter
 *               that waits stands for all waiting work (jobs_shown).
 * The parser, the totals and their overflow checks, both renderers and
 * the summaries go through this list: a new counter is one line here.
 */
#define JOBS_WAITS	1
#define JOBS_SHOWN	2
#define JOBS_COUNTERS(X)						\
	X(active, JOBS_SHOWN)						\
	X(waiting, JOBS_SHOWN | JOBS_WAITS)				\
	X(delayed, JOBS_WAITS)						\
	X(paused, JOBS_WAITS)						\
	X(failed, JOBS_SHOWN)						\
	X(completed, 0)
#define JOBS_COUNTER_FIELD(name, flags)	int64_t name;

struct jobs_counter {
	const char	*name;		/* Immich's field, our JSON key and label */
	size_t		 in_queue;	/* offsetof(struct queue, name) */
	size_t		 in_totals;	/* offsetof(struct totals, name) */
	int		 flags;		/* JOBS_WAITS, JOBS_SHOWN */
};
#define JOBS_COUNTER_ONE(name, flags)	+ 1
#define JOBS_NCOUNTERS	(0 JOBS_COUNTERS(JOBS_COUNTER_ONE))
extern const struct jobs_counter jobs_counters[JOBS_NCOUNTERS];

/*
 * One queue's raw BullMQ counts, as Immich reports them (all >= 0).  The
 * name is Immich's, as well-formed UTF-8 without NUL (it may hold quotes,
 * backslashes, newlines: escape it for JSON and Prometheus).  A name Immich
 * sent longer than JOBS_NAME_MAX - 1 bytes is cut and ends "…~<8 hex>"
 * (name_cut); one with ill-formed UTF-8 has U+FFFD for each bad byte and
 * ends "~<8 hex>"; the hex, a hash of Immich's bytes, keeps such names
 * apart and the same from one answer to the next.
 */
struct queue {
	char	name[JOBS_NAME_MAX];
	JOBS_COUNTERS(JOBS_COUNTER_FIELD)
	int	is_paused;		/* queueStatus.isPaused / isPaused */
	int	name_cut;		/* 1: name is cut (see above) */
	struct progress progress;	/* from history_progress; zeros from jobs_parse */
};

/*
 * What the proxy reports; see the man page's THE ANSWER.  The counters are
 * raw sums: what is shown as waiting is jobs_totals_waiting.
 */
struct totals {
	JOBS_COUNTERS(JOBS_COUNTER_FIELD)
	int64_t	queues;		/* queues Immich reported */
	int64_t	queues_busy;	/* queues with active or waiting > 0 */
	int64_t	queues_paused;	/* queues with isPaused true */
	int64_t	queues_stalled;	/* queues with progress.stalled */
	int64_t	paused_waiting;	/* jobs_queue_waiting of paused queues */
	int64_t	names_cut;	/* queues whose name_cut is set */
};

struct jobs {
	size_t		n;			/* queues in q[] */
	struct progress	total_progress;		/* all queues not paused */
	/*
	 * The queues past JOBS_MAX_QUEUES, left out of q[] (the least busy
	 * ones), added up: counted in every total, listed nowhere, and left
	 * out of the history (progress).  omitted.queues says how many;
	 * queues_stalled is always 0.  Before q[]: the cache entry's
	 * checksum covers what precedes q[] and the n queues in use.
	 */
	struct totals	omitted;
	struct queue	q[JOBS_MAX_QUEUES];	/* in Immich's order */
};

/*
 * jobs_parse - parse len bytes at body (need not be NUL-terminated) as the
 * given shape into j (caller-owned, overwritten).  An entry is a queue when
 * it has a "jobCounts" (or, in the array, "statistics") object; other
 * entries are skipped.  An absent counter counts as 0.
 * Every queue counts, whatever its name: names are made well-formed and
 * cut as struct queue says; past JOBS_MAX_QUEUES queues the least busy
 * (jobs_sort_busiest's order, without stalled) go to j->omitted instead of
 * q[], so the totals still cover every queue.
 * JSON is parsed strictly (RFC 8259); a counter is a whole number from 0
 * to 2^63 - 2, isPaused a boolean, a name listed once, and the totals fit
 * 64 bits.  Returns 0, or -1 with e set to 502 (Immich's answer is
 * unusable: the message says why, naming the queue and field when one is
 * to blame) or 500 (out of memory).  Needs json-c; nothing is left
 * allocated.
 */
int	jobs_parse(struct jobs *j, const char *body, size_t len,
	    enum jobs_shape shape, struct err *e);

/* jobs_count, jobs_total - counter k (of jobs_counters) of q, of t. */
int64_t	jobs_count(const struct queue *q, size_t k);
int64_t	jobs_total(const struct totals *t, size_t k);

/*
 * jobs_shown, jobs_total_shown - counter k of q, of t, as the answer shows
 * it: the raw count, or for the shown counter that waits, all waiting work
 * (jobs_queue_waiting, jobs_totals_waiting).
 */
int64_t	jobs_shown(const struct queue *q, size_t k);
int64_t	jobs_total_shown(const struct totals *t, size_t k);

/*
 * jobs_queue_waiting, jobs_totals_waiting - what Immich's admin Jobs page
 * shows as waiting work: the counters marked JOBS_WAITS (waiting + delayed
 * + paused).  jobs_parse guarantees the sums cannot overflow.
 */
int64_t	jobs_queue_waiting(const struct queue *q);
int64_t	jobs_totals_waiting(const struct totals *t);

/*
 * jobs_totals_add - add q to t.  Returns 0, or -1 when a sum (also what is
 * shown as waiting) would not fit 64 bits; t is then unusable.
 */
int	jobs_totals_add(struct totals *t, const struct queue *q);

/*
 * jobs_totals - add up j into t (caller-owned, overwritten): the queues in
 * q[] and those in j->omitted.  Cannot fail for a j that jobs_parse filled.
 */
void	jobs_totals(const struct jobs *j, struct totals *t);

/*
 * jobs_busier - 1 when queue a comes before queue b in jobs_sort_busiest's
 * order, else 0.
 */
int	jobs_busier(const struct queue *a, const struct queue *b);

/*
 * jobs_sort_busiest - the indices of j's queues in the order a dashboard
 * lists them (a list cut at its first few rows must still show what needs
 * attention): stalled queues (progress.stalled) first, then each shown
 * counter (jobs_shown) descending: active, waiting, failed (so a queue with
 * only failures comes before idle ones), then name.  Writes j->n indices
 * into order (caller-owned, JOBS_MAX_QUEUES entries).  Cannot fail.
 */
void	jobs_sort_busiest(const struct jobs *j, size_t *order);

#endif
