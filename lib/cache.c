/* cache.c - the shared result file; see cache.h. */
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"

#define CACHE_MAGIC	0x494a5043u	/* "IJPC" */
#define CACHE_VERSION	8u	/* 8: the rendered answers in the entry's file */
#define HISTORY_MAGIC	0x494a5048u	/* "IJPH" */

uint64_t
cache_id(const struct config *c)
{
	return c->id;
}

int
cache_path(const struct config *c, char *buf, size_t size)
{
	return cache_entry_path(c->cache_dir, c->id, buf, size);
}

int
cache_entry_path(const char *dir, uint64_t id, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%016llx", dir, (unsigned long long)id);

	return (n < 0 || (size_t)n >= size) ? -1 : 0;
}

/*
 * A sum of 64-bit words in four lanes, then the tail bytes: any one
 * changed word or byte changes it, and at a third of an instruction per
 * byte a hit can check every byte it writes.  Not a defence against a
 * planted file: the directory's owner and mode are (check_dir).
 */
static uint64_t
sum_bytes(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t lane[4] = { 0, 0, 0, 0 }, w[4], tail = len;
	size_t i;

	for (i = 0; i + sizeof(w) <= len; i += sizeof(w)) {
		memcpy(w, p + i, sizeof(w));
		lane[0] += w[0];
		lane[1] += w[1];
		lane[2] += w[2];
		lane[3] += w[3];
	}
	for (; i < len; i++)
		tail = (tail << 8 | tail >> 56) ^ p[i];
	return lane[0] ^ (lane[1] << 16 | lane[1] >> 48) ^
	    (lane[2] << 32 | lane[2] >> 32) ^ (lane[3] << 48 | lane[3] >> 16) ^
	    (tail * 0x100000001b3ull);
}

static uint64_t
history_sum(const struct history *h)
{
	return sum_bytes(h, offsetof(struct history, sum));
}

/* The directory part of path into dir (size bytes); -1 if none fits. */
static int
dir_of(const char *path, char *dir, size_t size)
{
	char *slash;

	if (snprintf(dir, size, "%s", path) >= (int)size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir) {
		errno = EPERM;		/* "/" or no directory at all */
		return -1;
	}
	*slash = '\0';
	return 0;
}

/* Someone else's directory, a link, or one others may write to, is unsafe. */
static int
check_dir(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022) != 0) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

static int
make_dir(const char *path)
{
	char dir[CONFIG_PATH_MAX];

	if (dir_of(path, dir, sizeof(dir)) == -1)
		return -1;
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return -1;
	return check_dir(dir);
}

/*
 * An entry's file: this head, the entry, then the answers rendered from
 * its good counts when they were fetched, the JSON then the Prometheus
 * text (none after a failed call).  One sum covers every byte, and every
 * reader checks it, a hit too: a file is used whole or not at all.
 */
struct cache_head {
	uint32_t	magic;		/* CACHE_MAGIC */
	uint32_t	version;	/* CACHE_VERSION */
	uint64_t	id;		/* the configuration's */
	struct stamp	ok_at;		/* the entry's, for a hit */
	uint64_t	len[2];		/* bytes of the answers: JSON, text */
	uint64_t	sum;		/* of the head above and all after it */
};
#define ENTRY_AT	sizeof(struct cache_head)
#define ANSWERS_AT	(ENTRY_AT + sizeof(struct cache_entry))

/*
 * The file at path mapped read-only (*map, *size): 0, or -1 when it is
 * missing, empty or larger than an entry can be, or in a directory
 * cache_write would refuse (an entry there could have been planted).
 */
static int
map_file(const char *path, unsigned char **map, size_t *size)
{
	char dir[CONFIG_PATH_MAX];
	struct stat st;
	void *m;
	int fd;

	/* O_NONBLOCK: a FIFO put in the entry's place must not hang us. */
	if (dir_of(path, dir, sizeof(dir)) == -1 || check_dir(dir) == -1 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1)
		return -1;
	m = MAP_FAILED;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    st.st_size <= (off_t)(ANSWERS_AT + 2 * CACHE_OUT_MAX))
		m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd,
		    0);
	close(fd);
	if (m == MAP_FAILED)
		return -1;
	*map = m;
	*size = (size_t)st.st_size;
	return 0;
}

/* The sum of an entry's file of size bytes at p, but its own. */
static uint64_t
file_sum(const unsigned char *p, size_t size)
{
	return sum_bytes(p, offsetof(struct cache_head, sum)) ^
	    sum_bytes(p + ENTRY_AT, size - ENTRY_AT) * 0x9e3779b97f4a7c15ull;
}

/* The checked head of a mapped entry file for id, or NULL. */
static const struct cache_head *
head_of(const unsigned char *map, size_t size, uint64_t id)
{
	const struct cache_head *h = (const void *)map; /* page-aligned */

	if (size < ANSWERS_AT || h->magic != CACHE_MAGIC ||
	    h->version != CACHE_VERSION || h->id != id ||
	    h->len[0] > CACHE_OUT_MAX || h->len[1] > CACHE_OUT_MAX ||
	    size != ANSWERS_AT + h->len[0] + h->len[1] ||
	    h->sum != file_sum(map, size))
		return NULL;
	return h;
}

int
cache_read(const char *path, uint64_t id, struct cache_entry *ent)
{
	unsigned char *map;
	size_t size;
	int rc = -1;

	if (map_file(path, &map, &size) == -1)
		return -1;
	if (head_of(map, size, id) != NULL) {
		memcpy(ent, map + ENTRY_AT, sizeof(*ent));
		rc = ent->jobs.n <= JOBS_MAX_QUEUES ? 0 : -1;
	}
	munmap(map, size);
	if (rc == -1)
		return -1;
	/* Strings come back NUL-terminated whatever the file held. */
	for (size_t i = 0; i < ent->jobs.n; i++)
		ent->jobs.q[i].name[JOBS_NAME_MAX - 1] = '\0';
	ent->err.msg[ERR_MSG_MAX - 1] = '\0';
	return 0;
}

int
cache_answers(const char *path, uint64_t id, int which, struct stamp *ok_at,
    struct cache_out *o)
{
	static unsigned char *map;	/* the last call's */
	static size_t size;
	const struct cache_head *h;
	const unsigned char *p;

	if (map != NULL)
		munmap(map, size);
	map = NULL;
	if (map_file(path, &map, &size) == -1) {
		map = NULL;
		return -1;
	}
	if ((h = head_of(map, size, id)) == NULL)
		return -1;
	if (((which & CACHE_JSON) && h->len[0] == 0) ||
	    ((which & CACHE_PROM) && h->len[1] == 0))
		return -1;
	p = map + ANSWERS_AT;
	*ok_at = h->ok_at;
	o->json = (const char *)p;
	o->json_len = h->len[0];
	o->prom = (const char *)p + h->len[0];
	o->prom_len = h->len[1];
	return 0;
}

/* "<path><suffix>" into buf (CONFIG_PATH_MAX bytes); -1 if it does not fit. */
static int
path_with(char *buf, const char *path, const char *suffix)
{
	if (snprintf(buf, CONFIG_PATH_MAX, "%s%s", path, suffix) >=
	    CONFIG_PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int
cache_history_read(const char *path, uint64_t id, struct history *h)
{
	char hist[CONFIG_PATH_MAX];
	unsigned char *map;
	size_t size;
	uint32_t k;

	if (path_with(hist, path, ".hist") == -1 ||
	    map_file(hist, &map, &size) == -1)
		return -1;
	if (size == sizeof(*h))
		memcpy(h, map, sizeof(*h));
	munmap(map, size);
	if (size != sizeof(*h) || h->magic != HISTORY_MAGIC || h->version != CACHE_VERSION ||
	    h->id != id || h->sum != history_sum(h) ||
	    h->nq > JOBS_MAX_QUEUES || h->ns > HISTORY_SAMPLES)
		return -1;
	for (k = 0; k < h->nq; k++)
		h->name[k][JOBS_NAME_MAX - 1] = '\0';
	return 0;
}

const char *
cache_dir_problem(const char *dir, int err, char *buf, size_t size)
{
	struct stat st;

	if (lstat(dir, &st) == 0 && S_ISLNK(st.st_mode))
		snprintf(buf, size, "it is a symbolic link");
	else if (err == EPERM && stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
		snprintf(buf, size, "it is not a directory");
	else if (err == EPERM && stat(dir, &st) == 0 &&
	    st.st_uid != geteuid())
		snprintf(buf, size, "it belongs to uid %lu, not to uid %lu "
		    "that runs the service", (unsigned long)st.st_uid,
		    (unsigned long)geteuid());
	else if (err == EPERM && stat(dir, &st) == 0)
		snprintf(buf, size, "group or others may write to it (chmod "
		    "700 it)");
	else
		snprintf(buf, size, "%s", strerror(err));
	return buf;
}

/*
 * Store size bytes at path whole: written to "<path>.tmp" in the same
 * directory (made and checked first), then renamed into place.
 */
static int
write_atomic(const char *path, const void *data, size_t size)
{
	char tmp[CONFIG_PATH_MAX];
	const char *p = data;
	size_t left = size;
	ssize_t n;
	int fd, saved;

	if (make_dir(path) == -1)
		return -1;
	/*
	 * One name, not one per process: only the lock holder writes, and a
	 * writer killed before its rename leaves a file the next one reuses.
	 */
	if (path_with(tmp, path, ".tmp") == -1)
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK, 0600);
	if (fd == -1)
		return -1;
	while (left > 0) {
		if ((n = write(fd, p, left)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += n;
		left -= (size_t)n;
	}
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) == -1) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlink(tmp);
	errno = saved;
	return -1;
}

int
cache_write(const char *path, uint64_t id, const struct cache_entry *ent,
    const struct cache_out *o)
{
	static const struct cache_out none = { "", "", 0, 0 };
	struct cache_head h;
	unsigned char *buf;
	int rc, saved;

	if (o == NULL)
		o = &none;
	if (o->json_len > CACHE_OUT_MAX || o->prom_len > CACHE_OUT_MAX) {
		errno = EFBIG;
		return -1;
	}
	memset(&h, 0, sizeof(h));
	h.magic = CACHE_MAGIC;
	h.version = CACHE_VERSION;
	h.id = id;
	h.ok_at = ent->ok_at;
	h.len[0] = o->json_len;
	h.len[1] = o->prom_len;
	if ((buf = malloc(ANSWERS_AT + o->json_len + o->prom_len)) == NULL)
		return -1;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + ENTRY_AT, ent, sizeof(*ent));
	memcpy(buf + ANSWERS_AT, o->json, o->json_len);
	memcpy(buf + ANSWERS_AT + o->json_len, o->prom, o->prom_len);
	h.sum = file_sum(buf, ANSWERS_AT + o->json_len + o->prom_len);
	memcpy(buf + offsetof(struct cache_head, sum), &h.sum, sizeof(h.sum));
	rc = write_atomic(path, buf, ANSWERS_AT + o->json_len + o->prom_len);
	saved = errno;
	free(buf);
	errno = saved;
	return rc;
}

int
cache_history_write(const char *path, uint64_t id, struct history *h)
{
	char hist[CONFIG_PATH_MAX];

	h->magic = HISTORY_MAGIC;
	h->version = CACHE_VERSION;
	h->id = id;
	h->sum = history_sum(h);
	if (path_with(hist, path, ".hist") == -1)
		return -1;
	return write_atomic(hist, h, sizeof(*h));
}

int
cache_lock(const char *path, long wait_ms)
{
	char lock[CONFIG_PATH_MAX];
	struct timespec start, now;
	int fd;

	if (snprintf(lock, sizeof(lock), "%s.lock", path) >= (int)sizeof(lock)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (make_dir(path) == -1)
		return -1;
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK,
	    0600);
	if (fd == -1)
		return -1;
	{
		struct stat st;

		/* A FIFO or device in the lock's place is not a lock. */
		if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
			close(fd);
			errno = EPERM;
			return -1;
		}
	}
	/*
	 * Poll with LOCK_NB rather than block in flock(): the wait stays
	 * bounded without signals, which a CGI should not rely on.
	 */
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			goto fail;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 +
		    (now.tv_nsec - start.tv_nsec) / 1000000 >= wait_ms) {
			errno = EWOULDBLOCK;
			goto fail;
		}
		poll(NULL, 0, 10);	/* 10 ms */
	}
	return fd;
fail:
	{
		int saved = errno;
		close(fd);
		errno = saved;
	}
	return -1;
}

int
cache_note_write_failed(int lock, long period)
{
	struct timespec now, times[2];
	struct stat st;
	int report;

	clock_gettime(CLOCK_REALTIME, &now);
	if (fstat(lock, &st) == -1)
		return 1;
	report = st.st_size == 0 || now.tv_sec - st.st_mtim.tv_sec >= period ||
	    now.tv_sec < st.st_mtim.tv_sec;
	/*
	 * Growing the file to 1 byte leaves a hole: no block is allocated,
	 * so this works on a full disk.  Times set from clock_gettime, not
	 * the file system's coarser clock, so that a waiter that began
	 * waiting just before compares them right.
	 */
	if (report && ftruncate(lock, 1) == -1)
		return 1;
	times[0] = now;
	times[1] = now;
	if (!report)
		times[1].tv_nsec = UTIME_OMIT;
	futimens(lock, times);
	return report;
}

void
cache_note_written(int lock)
{
	struct stat st;

	if (fstat(lock, &st) == 0 && st.st_size != 0 &&
	    ftruncate(lock, 0) == -1)
		return;		/* the next failure is just not reported */
}

int
cache_write_failed_since(int lock, const struct timespec *t)
{
	struct stat st;

	if (fstat(lock, &st) == -1)
		return 0;
	return st.st_atim.tv_sec > t->tv_sec ||
	    (st.st_atim.tv_sec == t->tv_sec &&
	    st.st_atim.tv_nsec >= t->tv_nsec);
}

void
cache_unlock(int fd)
{
	if (fd != -1) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}
