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
	/*
	 * Where the answer (counts or failure) came from, as X-Cache says
	 * it: "hit" (the cache's, Immich not asked), "miss" (Immich asked
	 * by this or the request it waited for), NULL (no cache).
	 */
	const char		*fetch;
	struct err		 err;	/* the failure (also set when stale) */
	/*
	 * The answers rendered once, when fresh counts were fetched (a hit,
	 * or the leader's miss): json NULL when there are none to write;
	 * valid until the next counts_get or counts_cached.
	 */
	struct cache_out	 rendered;
	char			 note[CONFIG_PATH_MAX + 256]; /* to log, or "" */
};

/*
 * Returns the upstream function, loading it on first use, or NULL with e
 * set (500) when it cannot be loaded.
 */
typedef upstream_get_fn (*counts_loader_fn)(struct err *e);

/*
 * counts_get - fill out (caller-owned) for configuration c, by *deadline
 * (NULL: c->timeout seconds from now).  The entry in c->cache_dir answers
 * while younger than cache_ttl (a failure is remembered as long); else one
 * process per configuration asks Immich and stores the result while the
 * others wait for it; when Immich fails, counts at most stale_ttl old
 * stand in (COUNTS_STALE).  A failure of this machine (500) is never
 * stored nor covered with stale counts.  With cache_ttl 0 or no cache_dir
 * every call asks Immich.  Progress (history.h) is worked out when counts
 * are fetched.  Prints nothing: what is worth logging is in out->note.
 * A failure the user must act on (3xx, 4xx but 408, 429) is never covered
 * with stale counts either.  Returns 0 when out->jobs holds counts, -1
 * with out->err: 500 this machine, 502 Immich or what is in front of it,
 * 503 Immich starting or in maintenance, 504 nothing by the deadline.
 */
int	counts_get(const struct config *c, const struct timespec *deadline,
	    counts_loader_fn load, struct counts *out);

/*
 * counts_cached - the fresh answers stored for the configuration get
 * returns (config_quick), which (CACHE_JSON, CACHE_PROM) into out
 * (zeroed by the caller) as counts_get gives a hit: rendered, age,
 * fetched and fetch, but no jobs.  A hit's whole work: no configuration
 * is parsed, no counts read, nothing rendered.  Returns 0, or -1 when
 * there is no such answer, or the configuration has a problem: counts_get
 * after config_load then answers.
 */
int	counts_cached(config_getenv_fn get, int which, struct counts *out);

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
