/* cache.c - the shared result file; see cache.h. */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"

#define CACHE_MAGIC	0x494a5043u	/* "IJPC" */
#define CACHE_VERSION	7u	/* 7: stamps by two clocks, the pipeline's history */
#define HISTORY_MAGIC	0x494a5048u	/* "IJPH" */

static uint64_t
fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len-- > 0) {
		h ^= *p++;
		h *= 0x100000001b3ull;
	}
	return h;
}

uint64_t
cache_id(const struct config *c)
{
	uint64_t h = 0xcbf29ce484222325ull;
	long api = (long)c->api;

	/* Each string with its NUL, so "ab"+"c" differs from "a"+"bc". */
	h = fnv1a(h, c->base_url, strlen(c->base_url) + 1);
	h = fnv1a(h, c->url_user, strlen(c->url_user) + 1);
	h = fnv1a(h, c->url_password, strlen(c->url_password) + 1);
	h = fnv1a(h, c->key, strlen(c->key) + 1);
	h = fnv1a(h, c->ca_file, strlen(c->ca_file) + 1);
	h = fnv1a(h, c->client_cert, strlen(c->client_cert) + 1);
	h = fnv1a(h, c->client_key, strlen(c->client_key) + 1);
	h = fnv1a(h, c->proxy, strlen(c->proxy) + 1);
	h = fnv1a(h, c->proxy_user, strlen(c->proxy_user) + 1);
	h = fnv1a(h, c->proxy_password, strlen(c->proxy_password) + 1);
	h = fnv1a(h, c->no_proxy, strlen(c->no_proxy) + 1);
	h = fnv1a(h, &api, sizeof(api));
	h = fnv1a(h, &c->timeout, sizeof(c->timeout));
	h = fnv1a(h, &c->connect_timeout, sizeof(c->connect_timeout));
	h = fnv1a(h, &c->stall_after, sizeof(c->stall_after));
	return h;
}

int
cache_path(const struct config *c, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%016llx", c->cache_dir,
	    (unsigned long long)cache_id(c));

	return (n < 0 || (size_t)n >= size) ? -1 : 0;
}

/*
 * FNV-1a over 64-bit words rather than bytes: the entry is ~16 KB (room for
 * JOBS_MAX_QUEUES queues) and is summed on every cache hit, where the
 * byte-wise loop cost a quarter of the hit's instructions.
 */
#define SUM_BASIS	0xcbf29ce484222325ull

/* h, continued over len bytes at data. */
static uint64_t
words_sum(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;
	uint64_t w;

	for (i = 0; i + sizeof(w) <= len; i += sizeof(w)) {
		memcpy(&w, p + i, sizeof(w));
		h = (h ^ w) * 0x100000001b3ull;
	}
	return fnv1a(h, p + i, len - i);
}

/*
 * The header and counts up to the queues, the n queues in use, then the
 * error: not the unused queue slots, which nothing reads, since summing
 * all JOBS_MAX_QUEUES cost a tenth of a cache hit.  n is checked before.
 */
static uint64_t
entry_sum(const struct cache_entry *ent)
{
	const size_t q0 = offsetof(struct cache_entry, jobs) +
	    offsetof(struct jobs, q);
	const size_t e0 = offsetof(struct cache_entry, err);

	uint64_t h = words_sum(SUM_BASIS, ent, q0);

	h = words_sum(h, ent->jobs.q, ent->jobs.n * sizeof(ent->jobs.q[0]));
	return words_sum(h, &ent->err, offsetof(struct cache_entry, sum) - e0);
}

static uint64_t
history_sum(const struct history *h)
{
	return words_sum(SUM_BASIS, h, offsetof(struct history, sum));
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
 * Read the file at path into buf (size bytes at most; *got: how many): 0,
 * or -1 when it is missing, longer, or in a directory cache_write would
 * refuse (an entry there could have been planted).
 */
static int
read_upto(const char *path, void *buf, size_t size, size_t *got)
{
	char dir[CONFIG_PATH_MAX];
	struct stat st;
	ssize_t n;
	char extra;
	int fd;

	/* O_NONBLOCK: a FIFO put in the entry's place must not hang us. */
	if (dir_of(path, dir, sizeof(dir)) == -1 || check_dir(dir) == -1 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	do
		n = read(fd, buf, size);
	while (n == -1 && errno == EINTR);
	/* A longer file is not ours either. */
	if (n == (ssize_t)size && read(fd, &extra, 1) != 0)
		n = -1;
	close(fd);
	*got = n < 0 ? 0 : (size_t)n;
	return n < 0 ? -1 : 0;
}

/* read_upto, of exactly size bytes. */
static int
read_exact(const char *path, void *buf, size_t size)
{
	size_t got;

	return read_upto(path, buf, size, &got) == 0 && got == size ? 0 : -1;
}

int
cache_read(const char *path, uint64_t id, struct cache_entry *ent)
{
	if (read_exact(path, ent, sizeof(*ent)) == -1 ||
	    ent->magic != CACHE_MAGIC ||
	    ent->version != CACHE_VERSION || ent->id != id ||
	    ent->jobs.n > JOBS_MAX_QUEUES || ent->sum != entry_sum(ent))
		return -1;
	/* Strings come back NUL-terminated whatever the file held. */
	for (size_t i = 0; i < ent->jobs.n; i++)
		ent->jobs.q[i].name[JOBS_NAME_MAX - 1] = '\0';
	ent->err.msg[ERR_MSG_MAX - 1] = '\0';
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
	uint32_t k;

	if (path_with(hist, path, ".hist") == -1 ||
	    read_exact(hist, h, sizeof(*h)) == -1 ||
	    h->magic != HISTORY_MAGIC || h->version != CACHE_VERSION ||
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
cache_write(const char *path, uint64_t id, struct cache_entry *ent)
{
	ent->magic = CACHE_MAGIC;
	ent->version = CACHE_VERSION;
	ent->id = id;
	ent->sum = entry_sum(ent);
	return write_atomic(path, ent, sizeof(*ent));
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

/* The rendered answers' file: this header, then the JSON, then the text. */
struct out_head {
	uint32_t	magic;		/* OUT_MAGIC */
	uint32_t	version;	/* CACHE_VERSION */
	uint64_t	id;		/* cache_id() of the configuration */
	uint64_t	tag;		/* the entry's sum they were rendered from */
	uint64_t	json_len, prom_len;
	uint64_t	sum;		/* of the header above and the bytes */
};
#define OUT_MAGIC	0x494a504fu	/* "IJPO" */

static uint64_t
out_sum(const struct out_head *h, const char *bytes)
{
	uint64_t s = words_sum(SUM_BASIS, h, offsetof(struct out_head, sum));

	return words_sum(s, bytes, h->json_len + h->prom_len);
}

int
cache_out_write(const char *path, uint64_t id, uint64_t tag,
    const struct cache_out *o)
{
	static char buf[sizeof(struct out_head) + CACHE_OUT_MAX];
	struct out_head h;
	char out[CONFIG_PATH_MAX];

	if (o->json_len + o->prom_len > CACHE_OUT_MAX) {
		errno = EFBIG;
		return -1;
	}
	memset(&h, 0, sizeof(h));
	h.magic = OUT_MAGIC;
	h.version = CACHE_VERSION;
	h.id = id;
	h.tag = tag;
	h.json_len = o->json_len;
	h.prom_len = o->prom_len;
	memcpy(buf + sizeof(h), o->json, o->json_len);
	memcpy(buf + sizeof(h) + o->json_len, o->prom, o->prom_len);
	h.sum = out_sum(&h, buf + sizeof(h));
	memcpy(buf, &h, sizeof(h));
	if (path_with(out, path, ".out") == -1)
		return -1;
	return write_atomic(out, buf, sizeof(h) + o->json_len + o->prom_len);
}

int
cache_out_read(const char *path, uint64_t id, uint64_t tag,
    struct cache_out *o)
{
	static char buf[sizeof(struct out_head) + CACHE_OUT_MAX];
	struct out_head h;
	char out[CONFIG_PATH_MAX];
	size_t got;

	if (path_with(out, path, ".out") == -1 ||
	    read_upto(out, buf, sizeof(buf), &got) == -1 || got < sizeof(h))
		return -1;
	memcpy(&h, buf, sizeof(h));
	if (h.magic != OUT_MAGIC || h.version != CACHE_VERSION ||
	    h.id != id || h.tag != tag || h.json_len > CACHE_OUT_MAX ||
	    h.prom_len > CACHE_OUT_MAX - h.json_len ||
	    got != sizeof(h) + h.json_len + h.prom_len ||
	    h.sum != out_sum(&h, buf + sizeof(h)))
		return -1;
	o->json = buf + sizeof(h);
	o->json_len = h.json_len;
	o->prom = o->json + h.json_len;
	o->prom_len = h.prom_len;
	return 0;
}
