/*
 * counts.h - the job counts for one request: from the shared cache when it
 * is fresh, else from Immich (one process at a time per configuration), else
 * the last good counts marked stale, else the error.  Needs only libc: the
 * upstream call is reached through a loader, so a cache hit never loads
 * libcurl or json-c.
 */
#ifndef IJP_COUNTS_H
#define IJP_COUNTS_H

#include "cache.h"
#include "config.h"
#include "deadline.h"
#include "err.h"
#include "jobs.h"
#include "upstream.h"

enum counts_source {
	COUNTS_NONE,	/* no counts: see err */
	COUNTS_HIT,	/* from the cache, younger than cache_ttl */
	COUNTS_MISS,	/* fetched from Immich by this request */
	COUNTS_STALE	/* Immich failed; older counts within stale_ttl */
};

struct counts {
	enum counts_source	 source;
	struct jobs		 jobs;	/* valid unless source is COUNTS_NONE */
	long			 age;	/* seconds since Immich gave this answer */
	int64_t			 fetched; /* Unix seconds Immich gave it, when jobs */
	int			 cached; /* 1 when the cache took part */
	int			 from_cache; /* 1: answered without asking Immich */
	struct err		 err;	/* the failure (also set when stale) */
};

/*
 * Returns the upstream function, loading it on first use, or NULL with e
 * set (500) when it cannot be loaded.
 */
typedef upstream_get_fn (*counts_loader_fn)(struct err *e);

/*
 * counts_get - fill out (caller-owned) for configuration c, by *deadline
 * (NULL: c->timeout seconds from now).  With c->cache_ttl 0 or an empty
 * c->cache_dir (no safe directory known) every call goes
 * to Immich and nothing is stored.  Otherwise the entry in c->cache_dir is
 * used while younger than cache_ttl seconds (an error is remembered as
 * long, so a failing Immich is not hammered; out->from_cache and out->age
 * say so); on a miss one process per configuration calls Immich while the
 * others wait for its result (cache_lock), every wait counting down to the
 * deadline.  When that process dies before storing a result, one waiter
 * calls Immich in its place while the rest wait for it (one more call in
 * all); when it could not store the result (a full disk), the waiters call
 * Immich side by side rather than one after another.  When Immich fails
 * (502, 503, 504) and the last good counts are at most stale_ttl seconds
 * old they are returned as COUNTS_STALE with the failure in out->err,
 * unless the failure is one the user must act on: an answer (from Immich
 * or from something in front) of 3xx or 4xx but 408 and 429.  A
 * failure of this machine (err_is_local: 500, such as a module that will
 * not load or a shortage of memory or descriptors) is returned as it is:
 * never stored for the others as Immich's answer, never covered with
 * stale counts; one stored by an older version is ignored.
 * Counts fetched from Immich get their progress (rate, ETA, stalled; see
 * history.h) from the history kept beside the entry, which only the lock
 * holder adds to and stores; a hit or stale answer carries the progress
 * worked out when its counts were fetched.  With no cache, each fetch is a
 * history of one: "collecting data", "idle" or "paused".
 * Returns 0 when out->jobs holds counts (HIT, MISS or STALE), -1 when not:
 * out->err as upstream_get documents (also when remembered from the
 * cache), 500 when load fails (module missing or not loadable), or 504
 * when the
 * deadline passed while waiting for another request.  A cache directory
 * that cannot be used is reported on stderr (with the reason) and the call
 * goes to Immich; an entry that cannot be written is reported on stderr
 * once per cache_ttl seconds while it lasts (recorded on the lock file,
 * cache_note_write_failed), not once per request.
 */
int	counts_get(const struct config *c, const struct timespec *deadline,
	    counts_loader_fn load, struct counts *out);

/*
 * counts_clock - the clocks counts_get stamps cache entries and the
 * history with (struct stamp in history.h): the wall clock and the clock
 * since boot in 64-bit seconds, also on 32-bit systems, and the boot's
 * id; ages and intervals are measured by stamp_since, so a step of the
 * wall clock is no time that passed.  The programs never change it; a
 * unit test points it at its own clock so that TTLs and ages are checked
 * to the second however slow or busy the machine is, and at dates past
 * 2038.
 */
extern void	(*counts_clock)(struct stamp *now);

/*
 * counts_last_failed - 1 when the last call to Immich that ent records
 * failed (with ent->err, Immich's failure, not this machine's), 0 when it
 * answered or nothing is recorded.
 */
int	counts_last_failed(const struct cache_entry *ent);

#endif
