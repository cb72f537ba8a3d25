/*
 * cache.h - the result of the last call to Immich, shared by every CGI
 * process through one file per configuration.  Needs only libc.
 *
 * The entry holds parsed counts (struct jobs, with the progress worked out
 * from the history of fetches), the last error and the answers rendered
 * from the counts, never the key nor raw upstream bytes; the history lives
 * in a second file beside it, read and written only by the process that
 * calls Immich.  Files are written whole to a temporary file and renamed
 * into place, so readers see the old entry or the new one.  A file of the
 * wrong size, magic, version, configuration or checksum is ignored (and
 * later replaced), never served.  A lock file beside it (flock) lets
 * one process call Immich while the others wait for its result.
 */
#ifndef IJP_CACHE_H
#define IJP_CACHE_H

#include <stdint.h>
#include <time.h>

#include "config.h"
#include "err.h"
#include "history.h"
#include "jobs.h"

struct cache_entry {
	struct stamp	ok_at;		/* when Immich gave jobs; wall 0 = none */
	struct stamp	err_at;		/* when it failed with err; wall 0 = none */
	struct jobs	jobs;		/* last good counts */
	struct err	err;		/* last failure, if err_at.wall != 0 */
};

/* cache_id - the configuration's id, which names its entry: c->id. */
uint64_t cache_id(const struct config *c);

/*
 * cache_entry_path - the entry's file name, "<dir>/<id in hex>", into buf
 * (size bytes; CONFIG_PATH_MAX always fits a cache directory config_load
 * accepted, with room for ".lock", ".tmp" and ".hist.tmp").  Returns 0,
 * or -1 when it does not fit.  cache_path - the same for c.
 */
int	cache_entry_path(const char *dir, uint64_t id, char *buf, size_t size);
int	cache_path(const struct config *c, char *buf, size_t size);

/*
 * cache_read - read the entry at path into ent (caller-owned).  Returns 0
 * when the file holds a whole, valid entry for id; -1 otherwise (missing,
 * short, corrupt, foreign or another configuration's, or in a directory
 * that cache_write would refuse): the caller treats that as "no entry".
 */
int	cache_read(const char *path, uint64_t id, struct cache_entry *ent);

/*
 * The answers rendered from an entry's good counts when they were fetched
 * (render once per fetch): the JSON body and the Prometheus text up to its
 * scrape duration, which each scrape adds.
 */
#define CACHE_OUT_MAX	(512 * 1024)	/* bytes of each; more: not kept */
#define CACHE_JSON	1
#define CACHE_PROM	2
struct cache_out {
	const char	*json, *prom;
	size_t		 json_len, prom_len;
};

/*
 * cache_write - store ent for id at path atomically ("<path>.tmp" in the
 * same directory, fsync-free write, rename), with o, the answers rendered
 * from its counts (NULL: none, as after a failed call); call it holding
 * cache_lock.  Creates the directory
 * (mode 0700) if missing; refuses (EPERM) a directory that is a link, not
 * a directory, not ours, or writable by group or others.  Returns 0, or
 * -1 with errno set (EPERM, ENAMETOOLONG, EFBIG, or what open/write/rename
 * set); a failed write leaves the old entry.
 */
int	cache_write(const char *path, uint64_t id,
	    const struct cache_entry *ent, const struct cache_out *o);

/*
 * cache_answers - the answers stored with the entry at path for id, into
 * o, with the entry's ok_at: which (CACHE_JSON, CACHE_PROM or both) must
 * be there, and the file whole (every byte is checked).  o points into a mapping of the file, valid until
 * the next call.  Returns 0, or -1 as cache_read, or when they are not
 * there: the caller reads the entry.
 */
int	cache_answers(const char *path, uint64_t id, int which,
	    struct stamp *ok_at, struct cache_out *o);

/*
 * cache_lock - take the exclusive lock that guards calls to Immich for the
 * entry at path ("<path>.lock"), waiting at most wait_ms milliseconds
 * (trying every 10 ms).  Creates the directory (0700, checked as in
 * cache_write) and lock file if needed.  Returns the lock's file
 * descriptor (release with cache_unlock), or -1 with errno set
 * (EWOULDBLOCK when the wait ran out, EPERM or ENAMETOOLONG as in
 * cache_write, or what open set).
 */
int	cache_lock(const char *path, long wait_ms);

/*
 * cache_dir_problem - why dir cannot hold the cache, after cache_write or
 * cache_lock failed with errno err: "it is a symbolic link", "it is not a
 * directory", "it belongs to uid N, ...", "group or others may write to
 * it (chmod 700 it)", or strerror(err).  Written into buf (size bytes);
 * returns buf.
 */
const char *cache_dir_problem(const char *dir, int err, char *buf,
	    size_t size);

/*
 * cache_history_read - the counts of the last fetches for the entry at
 * path ("<path>.hist", see history.h) into h (caller-owned, ~75 KB).
 * Returns 0 when the file holds a whole, valid history for id; -1
 * otherwise, as cache_read: the caller starts an empty history.
 */
int	cache_history_read(const char *path, uint64_t id, struct history *h);

/*
 * cache_history_write - set h's magic, version, id and checksum and store
 * it at "<path>.hist" as cache_write stores an entry (atomically, in a
 * checked directory); call it holding cache_lock.  Returns 0, or -1 with
 * errno set as cache_write.
 */
int	cache_history_write(const char *path, uint64_t id, struct history *h);

/*
 * What the lock file records about writing the entry.  It lives in the lock
 * file's metadata only (its size and times, never data), so it can be
 * recorded on a full disk, the case it is for:
 *   atime  when a lock holder last failed to write the entry;
 *   mtime  when such a failure was last reported (size 1), or nothing
 *          reported since the last good write (size 0).
 * lock is a descriptor from cache_lock, held.
 */

/*
 * cache_note_write_failed - record that writing the entry failed now.
 * Returns 1 when the caller should report it: the first failure since the
 * last good write, or the first one at least period seconds after the last
 * reported one (so a full disk is reported once per cache period, not once
 * per request); 0 when it was reported already.
 */
int	cache_note_write_failed(int lock, long period);

/* cache_note_written - record that writing the entry succeeded. */
void	cache_note_written(int lock);

/*
 * cache_write_failed_since - 1 when a lock holder failed to write the
 * entry at or after *t (CLOCK_REALTIME), 0 when not (or when the lock
 * file cannot be examined).  A request that waited for the lock and finds
 * no fresh entry tells with it whether the holder could not write the
 * entry (1) or died before writing it (0).
 */
int	cache_write_failed_since(int lock, const struct timespec *t);

/* cache_unlock - release and close a lock from cache_lock. */
void	cache_unlock(int fd);

/*
 * The cache directory stays bounded, however many keys and URLs it has
 * seen (a key rotated in a Docker secret is a new configuration): at most
 * CACHE_ENTRIES_MAX entries of ~120 KB with their history and rendered
 * answers, under 800 KB in all (the compose file's tmpfs is 1 MB), and
 * none unused for a day.
 */
#define CACHE_ENTRIES_MAX	6
#define CACHE_UNUSED_MAX	86400	/* seconds since an entry was written */

/*
 * cache_prune - make room in dir for the entry at keep (a cache_path),
 * before writing it, holding its lock: remove every entry (with its
 * history, lock and temporary files) not written for CACHE_UNUSED_MAX
 * seconds before now, then the least recently written past
 * CACHE_ENTRIES_MAX - 1 others.  An entry whose lock another process holds
 * stays; files that are not entries are never touched.  Returns how many
 * entries it removed.
 */
int	cache_prune(const char *dir, const char *keep, int64_t now);

#endif
