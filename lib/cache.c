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
#define CACHE_VERSION	2u	/* 2: entry_sum over 64-bit words */

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
	h = fnv1a(h, c->key, strlen(c->key) + 1);
	h = fnv1a(h, c->ca_file, strlen(c->ca_file) + 1);
	h = fnv1a(h, &api, sizeof(api));
	h = fnv1a(h, &c->timeout, sizeof(c->timeout));
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
static uint64_t
entry_sum(const struct cache_entry *ent)
{
	const unsigned char *p = (const unsigned char *)ent;
	size_t len = offsetof(struct cache_entry, sum), i;
	uint64_t h = 0xcbf29ce484222325ull, w;

	for (i = 0; i + sizeof(w) <= len; i += sizeof(w)) {
		memcpy(&w, p + i, sizeof(w));
		h = (h ^ w) * 0x100000001b3ull;
	}
	return fnv1a(h, p + i, len - i);
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

int
cache_read(const char *path, uint64_t id, struct cache_entry *ent)
{
	char dir[CONFIG_PATH_MAX];
	ssize_t n;
	char extra;
	int fd;

	/* An entry in an unsafe directory could have been planted there. */
	if (dir_of(path, dir, sizeof(dir)) == -1 || check_dir(dir) == -1 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return -1;
	do
		n = read(fd, ent, sizeof(*ent));
	while (n == -1 && errno == EINTR);
	/* A longer file is not ours either. */
	if (n == (ssize_t)sizeof(*ent) && read(fd, &extra, 1) != 0)
		n = -1;
	close(fd);
	if (n != (ssize_t)sizeof(*ent) || ent->magic != CACHE_MAGIC ||
	    ent->version != CACHE_VERSION || ent->id != id ||
	    ent->sum != entry_sum(ent) || ent->jobs.n > JOBS_MAX_QUEUES)
		return -1;
	/* Strings come back NUL-terminated whatever the file held. */
	for (size_t i = 0; i < ent->jobs.n; i++)
		ent->jobs.q[i].name[JOBS_NAME_MAX - 1] = '\0';
	ent->err.msg[ERR_MSG_MAX - 1] = '\0';
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

int
cache_write(const char *path, uint64_t id, struct cache_entry *ent)
{
	char tmp[CONFIG_PATH_MAX];
	const char *p = (const char *)ent;
	size_t left = sizeof(*ent);
	ssize_t n;
	int fd, saved;

	ent->magic = CACHE_MAGIC;
	ent->version = CACHE_VERSION;
	ent->id = id;
	ent->sum = entry_sum(ent);
	if (make_dir(path) == -1)
		return -1;
	/*
	 * One name, not one per process: only the lock holder writes, and a
	 * writer killed before its rename leaves a file the next one reuses.
	 */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0600);
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
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1)
		return -1;
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

void
cache_unlock(int fd)
{
	if (fd != -1) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}
