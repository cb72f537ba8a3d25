/* counts.c - cache, single-flight and stale-if-error; see counts.h. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "counts.h"
#include "render.h"
#include "str.h"

/*
 * Which boot this is, as a nonzero hash of the kernel's boot id; 0 when
 * it cannot be read (then intervals fall back to the wall clock).
 */
static uint64_t
boot_id(void)
{
	char id[64];
	uint64_t h;
	ssize_t n;
	int fd;

	if ((fd = open("/proc/sys/kernel/random/boot_id",
	    O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, id, sizeof(id));
	close(fd);
	if (n <= 0)
		return 0;
	h = str_hash(STR_HASH_BASIS, id, (size_t)n);
	return h != 0 ? h : 1;
}

/*
 * The wall clock and the clock since boot, in 64-bit seconds also where
 * long is 32 (armhf): a long would wrap in 2038.  The wall clock is
 * time(2)'s (the coarse one), which the answer's "updated" is reckoned
 * from; the boot clock's seconds are counted from the same fraction of a
 * second, so that with no step between two stamps both give the same
 * whole seconds between them.
 */
static void
clocks(struct stamp *now)
{
	struct timespec wall, boot;

	clock_gettime(CLOCK_REALTIME_COARSE, &wall);
	now->wall = (int64_t)wall.tv_sec;
	if (clock_gettime(CLOCK_BOOTTIME, &boot) == 0) {
		now->boot = (int64_t)boot.tv_sec -
		    (boot.tv_nsec < wall.tv_nsec ? 1 : 0);
		now->boot_id = boot_id();
	} else {
		now->boot = 0;
		now->boot_id = 0;
	}
}

void	(*counts_clock)(struct stamp *now) = clocks;

int
counts_last_failed(const struct cache_entry *ent)
{
	/* A local failure stored by an older version is not Immich's answer. */
	return ent->err_at.wall != 0 && !err_is_local(&ent->err) &&
	    (ent->ok_at.wall == 0 || stamp_since(&ent->ok_at, &ent->err_at) >= 0);
}

/* Fill out from a usable entry (younger than max_age); 0 if it is used. */
static int
from_entry(const struct cache_entry *ent, const struct stamp *now,
    long max_age, struct counts *out)
{
	int err_newer = counts_last_failed(ent);
	const struct stamp *t = err_newer ? &ent->err_at : &ent->ok_at;
	int64_t age = stamp_since(t, now);

	if (t->wall == 0 || age < 0 || age >= max_age)
		return -1;
	out->fetch = "hit";
	out->age = (long)age;
	out->fetched = now->wall - age;
	if (!err_newer) {
		out->jobs = ent->jobs;
		out->source = COUNTS_HIT;
		return 0;
	}
	out->err = ent->err;
	return 1;
}

/*
 * Stale counts keep their rate and stalled flags (what was last seen) but
 * no ETA: a "≈ 4m" from an hour ago would say the work is done by now.
 */
static void
forget_eta(struct jobs *j)
{
	size_t i;

	j->total_progress.state = PROGRESS_UNKNOWN;
	j->total_progress.eta_seconds = 0;
	for (i = 0; i < j->n; i++) {
		j->q[i].progress.state = PROGRESS_UNKNOWN;
		j->q[i].progress.eta_seconds = 0;
	}
}

/*
 * An answer of Immich, or of something in front of it, that the user must
 * act on: a redirect, a key rejected or short of a permission, a wrong
 * path, a login wanted (3xx, 4xx), but for a timeout (408) and a rate
 * limit (429), which pass like Immich down, restarting or in maintenance
 * (503: its smaller server answers the job API with a 404).
 */
static int
must_fix(const struct err *e)
{
	int st = e->upstream_status;

	/* 503: Immich in maintenance mode, whose job API is a 404. */
	return e->status != 503 && st >= 300 && st < 500 && st != 408 &&
	    st != 429;
}

/*
 * After a failure: stale counts when the last good ones are young enough,
 * and the failure is one that passes: what the user must fix is said at
 * once, not hidden for the whole stale TTL (a day, for a sleeping PC).
 */
static int
stale_or_error(const struct config *c, const struct cache_entry *ent,
    const struct stamp *now, struct counts *out)
{
	int64_t age = ent != NULL ? stamp_since(&ent->ok_at, now) : -1;

	/* Stale counts stand in for Immich's failure, not for this machine's. */
	if (!err_is_local(&out->err) && !must_fix(&out->err) && ent != NULL &&
	    ent->ok_at.wall != 0 && age >= 0 && age <= c->stale_ttl) {
		out->jobs = ent->jobs;
		forget_eta(&out->jobs);
		out->source = COUNTS_STALE;
		out->age = (long)age;
		out->fetched = now->wall - age;
		return 0;
	}
	out->source = COUNTS_NONE;
	return -1;
}

/*
 * Work out rate, ETA and stalls for the counts just fetched at *now (NULL:
 * read the clocks), from the history kept at path (NULL: none, the cache
 * is off) plus these counts.  Only the lock holder (store) writes the
 * history back; others only read.
 */
static void
add_progress(const struct config *c, const char *path, uint64_t id,
    int store, const struct stamp *now, struct counts *out)
{
	static struct history h;	/* ~140 KB: not on the stack */
	struct stamp at;
	int64_t t;

	if (now == NULL) {
		counts_clock(&at);
		now = &at;
	}
	/*
	 * None: a history history_add cannot take, which it starts afresh,
	 * wiping it whole (so not twice here, ~75 KB).
	 */
	if (path == NULL || cache_history_read(path, id, &h) != 0)
		h.nq = JOBS_MAX_QUEUES + 1;
	t = history_add(&h, now, &out->jobs);
	history_progress(&h, &out->jobs, t, c->stall_after);
	/*
	 * A history that cannot be written goes unsaid: it sits beside the
	 * entry, whose write fails the same way and is reported.
	 */
	if (store)
		(void)cache_history_write(path, id, &h);
}

static void	note(struct counts *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* Add a line to out->note (cut when it is full). */
static void
note(struct counts *out, const char *fmt, ...)
{
	size_t len = strlen(out->note);
	va_list ap;

	if (len > 0 && len + 1 < sizeof(out->note))
		out->note[len++] = '\n';
	va_start(ap, fmt);
	vsnprintf(out->note + len, sizeof(out->note) - len, fmt, ap);
	va_end(ap);
}

/* Unix seconds t as "2026-12-06 14:02:11 UTC" into buf. */
static const char *
utc(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, size, "%lld", (long long)t);
	return buf;
}

/* A duration as "40 s", "5 min" or "2 h 5 min". */
static const char *
span(int64_t s, char *buf, size_t size)
{
	if (s < 120)
		snprintf(buf, size, "%lld s", (long long)s);
	else if (s < 7200)
		snprintf(buf, size, "%lld min", (long long)(s / 60));
	else
		snprintf(buf, size, "%lld h %lld min", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	return buf;
}

/*
 * One log line when Immich's state changes, not one per request: whoever
 * calls Immich compares what it met (e, NULL when Immich answered) with
 * the entry it is about to replace (old), which holds the state before.
 * The same failure again (same statuses) says nothing more.
 */
static void
log_change(const struct cache_entry *old, const struct err *e,
    const struct stamp *now, struct counts *out)
{
	int failing = counts_last_failed(old);
	int64_t quiet = old->ok_at.wall != 0 ? stamp_since(&old->ok_at, now) : -1;
	char t1[32], t2[32];

	if (e == NULL) {
		if (failing && quiet >= 0)
			note(out, "Immich answers again after %s without an "
			    "answer", span(quiet, t1, sizeof(t1)));
		else if (failing)
			note(out, "Immich answers");
		return;
	}
	if (failing && old->err.status == e->status &&
	    old->err.upstream_status == e->upstream_status &&
	    err_needs_fix(&old->err) == err_needs_fix(e))
		return;
	note(out, "%s%s%s%s%s: %s", failing ?
	    "Immich fails another way since " : "Immich fails since ",
	    utc(now->wall, t1, sizeof(t1)), old->ok_at.wall != 0 ?
	    " (last answer " : "", old->ok_at.wall != 0 ?
	    utc(old->ok_at.wall, t2, sizeof(t2)) : "", old->ok_at.wall != 0 ?
	    ")" : "", e->msg);
}

static int
call_upstream(const struct config *c, const struct timespec *deadline,
    counts_loader_fn load, struct counts *out)
{
	upstream_get_fn get;
	struct stamp now;

	if ((get = load(&out->err)) == NULL ||
	    get(c, deadline, &out->jobs, &out->err) != 0)
		return -1;
	out->source = COUNTS_MISS;
	counts_clock(&now);
	out->fetched = now.wall;
	return 0;
}

/* One call of counts_get: what it was given and what it has read. */
struct fetch {
	const struct config	*c;
	struct timespec		 deadline;
	counts_loader_fn	 load;
	struct counts		*out;
	char			 path[CONFIG_PATH_MAX];
	uint64_t		 id;
	struct cache_entry	 ent;	/* the entry, zeros when none */
	int			 have;	/* ent was read */
};

static int
waited_too_long(struct fetch *f)
{
	struct stamp now;

	err_set(&f->out->err, 504, 0, "timed out after %ld s "
	    "(IMMICH_JOBS_TIMEOUT) waiting for another request to Immich to "
	    "finish", f->c->timeout);
	counts_clock(&now);
	return stale_or_error(f->c, f->have ? &f->ent : NULL, &now, f->out);
}

/*
 * Read the entry; 1 when it answers (fresh counts or a remembered error,
 * *rc set as counts_get returns), 0 when Immich must be asked.
 */
static int
use_entry(struct fetch *f, int *rc)
{
	struct stamp now;
	int r;

	counts_clock(&now);
	f->have = cache_read(f->path, f->id, &f->ent) == 0;
	if (!f->have)
		memset(&f->ent, 0, sizeof(f->ent));
	else if ((r = from_entry(&f->ent, &now, f->c->cache_ttl, f->out)) >= 0) {
		if (r == 0 && cache_answers(f->path, f->id, CACHE_JSON |
		    CACHE_PROM, &now, &f->out->rendered) != 0)
			f->out->rendered.json = NULL;
		*rc = r == 0 ? 0 : stale_or_error(f->c, &f->ent, &now, f->out);
		return 1;
	}
	return 0;
}

/*
 * Ask Immich without holding the lock: with no cache (hist NULL), or side
 * by side with others (the history at hist is read, never stored).
 */
static int
ask_unlocked(struct fetch *f, const char *hist)
{
	struct stamp now;

	if (call_upstream(f->c, &f->deadline, f->load, f->out) == 0) {
		add_progress(f->c, hist, f->id, 0, NULL, f->out);
		return 0;
	}
	counts_clock(&now);
	return stale_or_error(f->c, f->have ? &f->ent : NULL, &now, f->out);
}

/*
 * Render the answers of the counts just fetched, as the front would, for
 * this request and, stored with the entry, for the hits to come.  They
 * live until the next render (a process renders once; the unit tests, on
 * every miss).
 */
static void
render_once(struct counts *out)
{
	static char *json, *prom;
	struct render_info info = { out->fetched, 0, 0, "" };
	size_t json_len, prom_len;
	FILE *a, *b;

	free(json);
	free(prom);
	json = prom = NULL;
	if ((a = open_memstream(&json, &json_len)) == NULL)
		return;
	if ((b = open_memstream(&prom, &prom_len)) == NULL) {
		fclose(a);
		return;
	}
	render_json(a, &out->jobs, &info);
	render_metrics_counts(b, &out->jobs);
	if (fclose(a) == 0 && fclose(b) == 0 && json != NULL && prom != NULL) {
		out->rendered.json = json;
		out->rendered.json_len = json_len;
		out->rendered.prom = prom;
		out->rendered.prom_len = prom_len;
	}
}

/* Store the entry; a failure is said once per cache period. */
static int
store(struct fetch *f, int lock)
{
	char why[128];
	int saved;

	if (cache_write(f->path, f->id, &f->ent, f->out->rendered.json != NULL ?
	    &f->out->rendered : NULL) == 0) {
		cache_note_written(lock);
		return 0;
	}
	saved = errno;
	if (cache_note_write_failed(lock, f->c->cache_ttl))
		note(f->out, "cannot write the cache in %s: %s (said once every "
		    "%ld s while it lasts)", f->c->cache_dir,
		    cache_dir_problem(f->c->cache_dir, saved, why, sizeof(why)),
		    f->c->cache_ttl);
	return -1;
}

/* The leader's part: ask Immich, store what it said for the others. */
static int
lead(struct fetch *f, int lock)
{
	struct counts *out = f->out;
	struct stamp now;
	int rc;

	rc = call_upstream(f->c, &f->deadline, f->load, out);
	counts_clock(&now);
	if (rc != 0 && err_is_local(&out->err))
		return -1;	/* not Immich's answer: never stored */
	log_change(&f->ent, rc == 0 ? NULL : &out->err, &now, out);
	(void)cache_prune(f->c->cache_dir, f->path, now.wall);
	if (rc == 0) {
		add_progress(f->c, f->path, f->id, 1, &now, out);
		/* Unused queue slots are stored as zeros, never stack bytes. */
		f->ent.jobs = out->jobs;
		f->ent.ok_at = now;
		out->fetched = now.wall;
		memset(&f->ent.err_at, 0, sizeof(f->ent.err_at));
		render_once(out);
	} else {
		f->ent.err = out->err;
		f->ent.err_at = now;
	}
	(void)store(f, lock);
	return rc == 0 ? 0 : stale_or_error(f->c, &f->ent, &now, out);
}

/* Holding the lock (*lock; -1 once released): use, ask or lead. */
static int
locked(struct fetch *f, int *lock, int waited, const struct timespec *since)
{
	int rc;

	/* Whoever held the lock may have just stored a result: use it. */
	if (use_entry(f, &rc))
		return rc;
	if (deadline_left_ms(&f->deadline) < 100)	/* no time to ask */
		return waited_too_long(f);
	if (waited && cache_write_failed_since(*lock, since)) {
		/*
		 * The leader asked Immich but could not store the result (a
		 * full disk): so will the next, so ask Immich now, side by
		 * side with the other waiters, rather than one after another
		 * behind the lock until the deadline.  A leader that died
		 * recorded nothing: then this request leads in its place,
		 * holding the lock, and the others wait for its result.
		 */
		cache_unlock(*lock);
		*lock = -1;
		return ask_unlocked(f, f->path);
	}
	return lead(f, *lock);
}

/* No lock: the wait ran out, or the directory cannot be used (noted). */
static int
no_lock(struct fetch *f, int err)
{
	char why[128];

	if (err == EWOULDBLOCK)
		return waited_too_long(f);
	note(f->out, "cannot use the cache in %s: %s; calling Immich directly",
	    f->c->cache_dir, cache_dir_problem(f->c->cache_dir, err, why,
	    sizeof(why)));
	f->out->fetch = NULL;
	f->have = 0;
	return ask_unlocked(f, NULL);
}

static void
start(struct fetch *f, const struct config *c, const struct timespec *until,
    counts_loader_fn load, struct counts *out)
{
	f->c = c;
	f->load = load;
	f->out = out;
	f->have = 0;
	if (until != NULL)
		f->deadline = *until;
	else
		deadline_set(&f->deadline, c->timeout);
	memset(out, 0, sizeof(*out));
}

/* The entry of c, read; 1 when it answers (*rc set). */
static int
cached(struct fetch *f, int *rc)
{
	f->out->fetch = "miss";
	f->id = f->c->id;
	cache_path(f->c, f->path, sizeof(f->path));	/* fits: config_load */
	return use_entry(f, rc);
}

/*
 * Lead when the lock is free, else wait for the leader's result (since:
 * when the wait began).  Returns the lock, or -1 with errno set.
 */
static int
take_lock(struct fetch *f, int *waited, struct timespec *since)
{
	int lock;

	*waited = 0;
	if ((lock = cache_lock(f->path, 0)) == -1 && errno == EWOULDBLOCK) {
		*waited = 1;
		clock_gettime(CLOCK_REALTIME, since);
		lock = cache_lock(f->path, deadline_left_ms(&f->deadline));
	}
	return lock;
}

int
counts_get(const struct config *c, const struct timespec *until,
    counts_loader_fn load, struct counts *out)
{
	static struct fetch f;	/* ~20 KB: not on the stack */
	struct timespec since;
	int lock, rc, waited;

	start(&f, c, until, load, out);
	if (c->cache_ttl == 0 || c->cache_dir[0] == '\0')
		rc = ask_unlocked(&f, NULL);
	else if (!cached(&f, &rc)) {
		if ((lock = take_lock(&f, &waited, &since)) == -1)
			rc = no_lock(&f, errno);
		else
			rc = locked(&f, &lock, waited, &since);
		cache_unlock(lock);
	}
	return rc;
}

int
counts_cached(config_getenv_fn get, int which, struct counts *out)
{
	struct config_quick q;
	char path[CONFIG_PATH_MAX];
	struct stamp ok_at, now;
	int64_t age;

	if (config_quick(get, &q) != 0 ||
	    cache_entry_path(q.cache_dir, q.id, path, sizeof(path)) != 0 ||
	    cache_answers(path, q.id, which, &ok_at, &out->rendered) != 0)
		return -1;
	counts_clock(&now);
	if ((age = stamp_since(&ok_at, &now)) < 0 || age >= q.cache_ttl)
		return -1;
	out->source = COUNTS_HIT;
	out->fetch = "hit";
	out->age = (long)age;
	out->fetched = now.wall - age;
	return 0;
}
