/*
 * history.h - job counts over time, and what follows from them: how many
 * jobs each queue finishes a minute (rate), when its work will be done
 * (ETA), and whether it has stopped (stalled).
 *
 * Immich reports only the counts of the moment (GET /api/jobs or
 * /api/queues, every version) and removes finished jobs, so "completed"
 * stays 0 and progress can only be seen by comparing fetches.  The proxy
 * keeps the counts of its last HISTORY_SAMPLES fetches beside the cached
 * answer (cache.h: cache_history_read/write) and works the figures out
 * when it fetches, into the answers stored for the hits.  Pure
 * computation on caller-owned structs with the time passed in: needs only
 * libc, never reads a clock.  The model and its limits are written down in
 * docs/eta.md.
 */
#ifndef IJP_HISTORY_H
#define IJP_HISTORY_H

#include <stdint.h>

#include "jobs.h"

#define HISTORY_SAMPLES		64	/* fetches kept */
#define HISTORY_WINDOW		180	/* seconds of finished work a rate uses */
#define HISTORY_MIN_JOBS	20	/* jobs finished before a rate is one */
#define HISTORY_MIN_SPAN	20	/* seconds they span, at least */
#define HISTORY_KEEPUP_MAX	20	/* a backlog this small, busy, keeps up */
#define HISTORY_RECENT		60	/* seconds "just now" looks back */
#define HISTORY_JUMP_MIN	100	/* a fall of this many jobs and */
#define HISTORY_JUMP_RATE	10	/* times the rate is a queue emptied */
#define HISTORY_ETA_MAX		(30L * 86400)	/* longer reads "not draining" */
#define HISTORY_STALL_DEFAULT	300	/* seconds, IMMICH_JOBS_STALL_AFTER */
#define HISTORY_STALL_MIN	10

#define HISTORY_WORDS	((JOBS_MAX_QUEUES + 63) / 64)	/* a bit per queue */

/*
 * When something happened, by two clocks: the wall clock, which steps
 * (a Raspberry Pi boots on an old saved time and steps when NTP syncs),
 * and the clock since boot, which does not but starts again at a reboot.
 * Intervals are measured on the boot clock when both ends were stamped
 * in the same boot (boot_id), else on the wall clock (stamp_since).
 */
struct stamp {
	int64_t		wall;	/* Unix seconds, CLOCK_REALTIME; 0 = never */
	int64_t		boot;	/* seconds since boot, CLOCK_BOOTTIME */
	uint64_t	boot_id; /* which boot (a hash of its id); 0 unknown */
};

/*
 * stamp_since - seconds from then to now: on the boot clock when both were
 * stamped in the same, known boot, else on the wall clock.  Returns -1
 * when that is negative (a wall clock set back across a reboot): how
 * much time passed cannot be told.
 */
int64_t	stamp_since(const struct stamp *then, const struct stamp *now);

/* The last HISTORY_SAMPLES fetches, oldest first. */
struct history {
	uint32_t	magic;		/* set by cache_history_write */
	uint32_t	version;
	uint64_t	id;		/* cache_id() of the configuration */
	uint32_t	nq;		/* queues, in the order of name[] */
	uint32_t	ns;		/* samples in t[] and backlog[] */
	char		name[JOBS_MAX_QUEUES][JOBS_NAME_MAX];
	/* Since when (on t[]'s axis) the queue has looked stopped, 0 = not. */
	int64_t		idle_since[JOBS_MAX_QUEUES];
	struct stamp	last;		/* the clocks of the newest sample */
	/*
	 * Seconds of each fetch on the history's own axis: it starts at the
	 * wall clock of the first fetch and moves on by stamp_since, so a
	 * step of the wall clock is not time that passed.
	 */
	int64_t		t[HISTORY_SAMPLES];
	/* Per fetch, a bit per queue: paused, and with an active job. */
	uint64_t	paused[HISTORY_SAMPLES][HISTORY_WORDS];
	uint64_t	active[HISTORY_SAMPLES][HISTORY_WORDS];
	/*
	 * Per fetch, each queue's backlog: active + waiting + delayed +
	 * paused (a paused queue keeps its work, to drain when resumed).
	 */
	int64_t		backlog[HISTORY_SAMPLES][JOBS_MAX_QUEUES];
	uint64_t	sum;		/* checksum, set by cache_history_write */
};

/*
 * history_add - record the counts j that Immich gave at the clocks *at
 * into h (caller-owned; all zeros is an empty history), and return that
 * moment on h's axis (t[]), for history_progress.  When Immich's set of
 * queue names differs from h's (an upgrade, a first fetch), or how much
 * time passed since h's newest sample cannot be told (stamp_since), h
 * starts afresh.  The oldest sample is dropped when HISTORY_SAMPLES are
 * kept.  Cannot fail.
 */
int64_t	history_add(struct history *h, const struct stamp *at,
	    const struct jobs *j);

/*
 * history_progress - fill j->q[i].progress for every queue and
 * j->total_progress (struct progress in jobs.h) from h, whose newest
 * sample must be j at time now (as history_add returned), with
 * stall_after the seconds of IMMICH_JOBS_STALL_AFTER.  docs/eta.md says
 * it for users.
 *
 * Immich's pipeline (v1.100 to v3.x, by its queue names): each upload
 * goes metadataExtraction -> storageTemplateMigration ->
 * thumbnailGeneration -> smartSearch (-> duplicateDetection),
 * faceDetection and ocr, one job for one; videoConversion and
 * facialRecognition are fed too, but not one for one, and
 * facialRecognition waits until thumbnailGeneration and faceDetection
 * are empty.  Any other queue stands alone.  Per queue:
 *   work      its backlog plus that of the queues upstream of it, one for
 *             one, up to one paused at the newest sample
 *   finished  per interval between fetches: what its upstream finished
 *             less the growth of its backlog, when that is known; else
 *             the fall of its backlog, known when it fell (a floor: an
 *             unseen feed adds to it); 0, known, while it is paused
 *   rate      jobs finished a minute over the known intervals of the last
 *             HISTORY_WINDOW seconds from the fetch after its work's peak
 *             (the one that saw the peak was still fed), leaving out those
 *             it or its upstream ended paused and a fall of over
 *             HISTORY_JUMP_MIN jobs and HISTORY_JUMP_RATE times the rate
 *             so far (emptied by hand); none under HISTORY_MIN_JOBS jobs
 *             or HISTORY_MIN_SPAN seconds
 * and its state, the first that applies:
 *   PROGRESS_PAUSED       paused (rate 0)
 *   PROGRESS_KEEPING_UP   no more work than HISTORY_KEEPUP_MAX in the
 *                         window and, over the last HISTORY_RECENT seconds
 *                         (3 fetches at most, 2 at least), some backlog,
 *                         always with a job active (rate 0 when no work)
 *   PROGRESS_IDLE         no work (rate 0)
 *   PROGRESS_COLLECTING   no fetch before, or none in the window
 *   PROGRESS_DELAYED      only delayed jobs, nothing upstream
 *   PROGRESS_IMPORTING    work grew since the fetch before while a job ran
 *                         in it or upstream
 *   PROGRESS_DRAINING     a rate, and the work fell no longer ago than
 *                         three jobs take at it plus 30 s: eta_seconds =
 *                         work / rate, at least 1 (over HISTORY_ETA_MAX:
 *                         PROGRESS_NOT_DRAINING)
 *   PROGRESS_FALLING      work fell since the fetch before, no rate yet
 *   PROGRESS_IDLE         nothing of its own, the work upstream stuck
 *   PROGRESS_NOT_DRAINING otherwise
 * facialRecognition reads PROGRESS_DRAINING with the longest ETA of
 * thumbnailGeneration and faceDetection while those hold work and all of
 * it drains.  A queue is stalled when it is not paused, has waiting jobs,
 * and had no active job nor a smaller backlog than at the fetch before in
 * any fetch for stall_after seconds (delayed jobs alone never make a
 * stall).
 * The total: rate the sum of the queues' (0 when idle or paused); among
 * the queues with work that are not paused, keeping up, delayed, or
 * facialRecognition waiting for its gates: PROGRESS_IMPORTING if one
 * imports, else PROGRESS_COLLECTING, PROGRESS_NOT_DRAINING,
 * PROGRESS_FALLING if one reads so, else PROGRESS_DRAINING with the
 * longest ETA (when the last of the work is done); with none of those,
 * PROGRESS_KEEPING_UP, PROGRESS_DELAYED, PROGRESS_PAUSED (paused work) or
 * PROGRESS_IDLE.  Backlogs add up held at INT64_MAX.  Cannot fail.
 */
void	history_progress(const struct history *h, struct jobs *j,
	    int64_t now, long stall_after);

/*
 * history_eta_text - the ETA or state as a person reads it, into buf
 * (size bytes, always NUL-terminated, UTF-8): "≈ 2h 14m", "≈ 3d 4h",
 * "≈ 5m", "< 1m", "draining", "importing", "keeping up", "delayed",
 * "idle", "paused", "not draining", "collecting data", "unknown".
 * Returns buf.
 */
char	*history_eta_text(const struct progress *p, char *buf, size_t size);

#endif
