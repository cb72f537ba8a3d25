/*
 * history.h - job counts over time, and what follows from them: how fast
 * each queue's backlog shrinks (rate), when it will be empty (ETA), and
 * whether it has stopped (stalled).
 *
 * Immich reports only the counts of the moment (GET /api/jobs or
 * /api/queues, every version) and removes finished jobs, so "completed"
 * stays 0 and progress can only be seen by comparing fetches.  The proxy
 * keeps the counts of its last HISTORY_SAMPLES fetches beside the cached
 * answer (cache.h: cache_history_read/write) and works the figures out
 * when it fetches, so a cache hit only copies them.  Pure computation on
 * caller-owned structs with the time passed in: needs only libc, never
 * reads a clock.  The estimator and its limits are written down in
 * README.md, "How the ETA is computed".
 */
#ifndef IJP_HISTORY_H
#define IJP_HISTORY_H

#include <stdint.h>

#include "jobs.h"

#define HISTORY_SAMPLES		64	/* fetches kept */
#define HISTORY_WINDOW		300	/* seconds of samples a rate uses */
#define HISTORY_MIN_SPAN	30	/* seconds of samples before an ETA */
#define HISTORY_ETA_MAX		(30L * 86400)	/* longer reads "not draining" */
#define HISTORY_STALL_DEFAULT	300	/* seconds, IMMICH_JOBS_STALL_AFTER */
#define HISTORY_STALL_MIN	10

/*
 * A jump in a backlog between two fetches starts its window afresh: a rise
 * of at least HISTORY_JUMP_MIN jobs and 1/HISTORY_RISE_DIV of the earlier
 * count (a new import), or a fall of at least HISTORY_JUMP_MIN jobs and
 * half of it (a queue emptied by hand, a lost Redis).
 */
#define HISTORY_JUMP_MIN	100
#define HISTORY_RISE_DIV	10

/* The last HISTORY_SAMPLES fetches, oldest first. */
struct history {
	uint32_t	magic;		/* set by cache_history_write */
	uint32_t	version;
	uint64_t	id;		/* cache_id() of the configuration */
	uint32_t	nq;		/* queues, in the order of name[] */
	uint32_t	ns;		/* samples in t[] and backlog[] */
	char		name[JOBS_MAX_QUEUES][JOBS_NAME_MAX];
	/* Unix seconds since when the queue has looked stopped, 0 = not. */
	int64_t		idle_since[JOBS_MAX_QUEUES];
	int64_t		t[HISTORY_SAMPLES];	/* Unix seconds of each fetch */
	uint64_t	paused[HISTORY_SAMPLES]; /* which queues were paused */
	/*
	 * Per fetch, each queue's backlog (active + waiting + delayed), then
	 * at [JOBS_MAX_QUEUES] the sum over the queues not paused.
	 */
	int64_t		backlog[HISTORY_SAMPLES][JOBS_MAX_QUEUES + 1];
	uint64_t	sum;		/* checksum, set by cache_history_write */
};

/*
 * history_add - record the counts j that Immich gave at now (Unix
 * seconds) into h (caller-owned; all zeros is an empty history).  When
 * Immich's set of queue names differs from h's (an upgrade, a first
 * fetch), or now is not after h's newest sample, h starts afresh.  The
 * oldest sample is dropped when HISTORY_SAMPLES are kept.  Cannot fail.
 */
void	history_add(struct history *h, int64_t now, const struct jobs *j);

/*
 * history_progress - fill j->q[i].progress for every queue and
 * j->total_progress (struct progress in jobs.h) from h, whose newest
 * sample must be j at time now (history_add first), with stall_after the
 * seconds of IMMICH_JOBS_STALL_AFTER.  Per backlog series:
 *   paused queue        PROGRESS_PAUSED, rate 0
 *   backlog 0           PROGRESS_IDLE, rate as measured
 *   window under 30 s   PROGRESS_NOT_DRAINING when the backlog rose since
 *                       the fetch before, else PROGRESS_COLLECTING
 *   otherwise           rate = jobs per minute by which a least-squares
 *                       line through the window's samples falls (0 when
 *                       it rises); PROGRESS_DRAINING with eta_seconds =
 *                       backlog / rate when rate > 0 and that is at most
 *                       HISTORY_ETA_MAX, else PROGRESS_NOT_DRAINING.
 * The window is the samples of the last HISTORY_WINDOW seconds after the
 * last jump (see HISTORY_JUMP_MIN) and after the last change in which
 * queues are paused.  A queue is stalled when it is not paused, has
 * waiting jobs, and had no active job nor a smaller backlog than at the
 * fetch before in any fetch for stall_after seconds (delayed jobs alone
 * never make a stall).  Backlogs add up held at INT64_MAX.  The total
 * is the backlog of the queues not paused; it reads PROGRESS_PAUSED when
 * that is 0 and a paused queue holds work.  Cannot fail.
 */
void	history_progress(const struct history *h, struct jobs *j,
	    int64_t now, long stall_after);

/*
 * history_eta_text - the ETA as a person reads it, into buf (size bytes,
 * always NUL-terminated, UTF-8): "≈ 2h 14m", "≈ 3d 4h", "≈ 5m", "< 1m",
 * "idle", "paused", "not draining", "collecting data", "unknown".
 * Returns buf.
 */
char	*history_eta_text(const struct progress *p, char *buf, size_t size);

#endif
