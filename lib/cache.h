/*
 * cache.h - the result of the last call to Immich, shared by every CGI
 * process through one file per configuration.  Needs only libc.
 *
 * The entry holds parsed counts (struct jobs, with the progress worked out
 * from the history of fetches) and the last error, never the key nor raw
 * upstream bytes; the history lives in a second file beside it, read and
 * written only by the process that calls Immich.  It is written whole to a temporary file and
 * renamed into place, so readers see the old entry or the new one.  A file
 * of the wrong size, magic, version, configuration or checksum is ignored
 * (and later replaced), never served.  A lock file beside it (flock) lets
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
	uint32_t	magic;		/* CACHE_MAGIC */
	uint32_t	version;	/* CACHE_VERSION */
	uint64_t	id;		/* cache_id() of the configuration */
	struct stamp	ok_at;		/* when Immich gave jobs; wall 0 = none */
	struct stamp	err_at;		/* when it failed with err; wall 0 = none */
	struct jobs	jobs;		/* last good counts */
	struct err	err;		/* last failure, if err_at.wall != 0 */
	uint64_t	sum;		/* checksum of everything above */
};

/*
 * cache_id - a 64-bit FNV-1a hash of everything that decides the answer:
 * base_url, IMMICH_URL's user and password, key, api, ca_file, the client
 * certificate and key files, the proxy (with its user and password) and
 * no_proxy, timeout, connect_timeout, stall_after.  Two configurations
 * that differ in any of these get different entries; the key and passwords
 * only enter through the hash, which cannot give them back.
 */
uint64_t cache_id(const struct config *c);

/*
 * cache_path - the entry's file name, "<cache_dir>/<id in hex>", into buf
 * (size bytes; CONFIG_PATH_MAX always fits a cache_dir config_load
 * accepted, with room for ".lock", ".tmp" and ".hist.tmp").  Returns 0, or -1 when it
 * does not fit.
 */
int	cache_path(const struct config *c, char *buf, size_t size);

/*
 * cache_read - read the entry at path into ent (caller-owned).  Returns 0
 * when the file holds a whole, valid entry for id; -1 otherwise (missing,
 * short, corrupt, foreign or another configuration's, or in a directory
 * that cache_write would refuse): the caller treats that as "no entry".
 */
int	cache_read(const char *path, uint64_t id, struct cache_entry *ent);

/*
 * cache_write - set ent's magic, version, id and checksum and store it at
 * path atomically ("<path>.tmp" in the same directory, fsync-free write,
 * rename); call it holding cache_lock.  Creates the directory (mode 0700)
 * if missing; refuses (EPERM) a directory that is a link, not a directory,
 * not ours, or writable by group or others.  Returns 0, or -1 with errno
 * set (EPERM, ENAMETOOLONG, or what open/write/rename set); a failed write
 * leaves the old entry.
 */
int	cache_write(const char *path, uint64_t id, struct cache_entry *ent);

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

/*
 * The answers rendered from an entry's good counts when they were fetched
 * (render once per fetch): the JSON body and the Prometheus text up to its
 * scrape duration, which each scrape adds.  Kept at "<path>.out" and tied
 * to the entry by its sum (tag), so a hit writes bytes, not a rendering.
 */
#define CACHE_OUT_MAX	(512 * 1024)	/* bytes of both; more: not kept */
struct cache_out {
	const char	*json, *prom;
	size_t		 json_len, prom_len;
};

/*
 * cache_out_write - store o beside the entry at path, as cache_write does;
 * call it holding cache_lock.  Returns 0, or -1 with errno set (EFBIG over
 * CACHE_OUT_MAX).
 */
int	cache_out_write(const char *path, uint64_t id, uint64_t tag,
	    const struct cache_out *o);

/*
 * cache_out_read - the answers stored for the entry at path whose sum is
 * tag into o, pointing into a buffer of cache.c's valid until the next
 * call.  Returns 0, or -1 when there are none, or not whole, or not for
 * this entry: the caller renders them.
 */
int	cache_out_read(const char *path, uint64_t id, uint64_t tag,
	    struct cache_out *o);

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
