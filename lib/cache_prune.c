/* cache_prune.c - keep the cache directory bounded; see cache.h. */
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"

#define ID_LEN	16		/* hex digits of an entry's name */

/*
 * The files of one entry: "<id>" and these suffixes (".out" and
 * ".out.tmp": the answers, kept apart by versions before 8).
 */
static const char *const suffixes[] = {
	"", ".hist", ".out", ".tmp", ".hist.tmp", ".out.tmp",
	".lock"		/* the lock last */
};

struct seen {
	char	id[ID_LEN + 1];
	int64_t	used;		/* newest mtime of its files, nanoseconds */
};

/* The length of the entry id name starts with, or 0: not one of ours. */
static size_t
entry_id(const char *name)
{
	size_t i, k;

	for (i = 0; i < ID_LEN; i++)
		if (!((name[i] >= '0' && name[i] <= '9') ||
		    (name[i] >= 'a' && name[i] <= 'f')))
			return 0;
	for (k = 0; k < sizeof(suffixes) / sizeof(suffixes[0]); k++)
		if (strcmp(name + ID_LEN, suffixes[k]) == 0)
			return ID_LEN;
	return 0;
}

/*
 * Remove the entry id in dir unless another process holds its lock (it is
 * being written) or it is keep's.  Removing a lock file someone is about
 * to take costs at most one extra call to Immich, for a configuration
 * nobody used for a day.
 */
static int
remove_entry(const char *dir, const char *id, const char *keep_id)
{
	char path[CONFIG_PATH_MAX];
	size_t k;
	int fd;

	if (strcmp(id, keep_id) == 0 ||
	    snprintf(path, sizeof(path), "%s/%s.lock", dir, id) >=
	    (int)sizeof(path))
		return 0;
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd != -1 && flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		return 0;
	}
	for (k = 0; k < sizeof(suffixes) / sizeof(suffixes[0]); k++) {
		snprintf(path, sizeof(path), "%s/%s%s", dir, id, suffixes[k]);
		unlink(path);
	}
	if (fd != -1)
		close(fd);
	return 1;
}

/*
 * Note that name (one of id's files, modified at mtime) was seen; to the
 * nanosecond: several entries are written within a second.
 */
static int
note(struct seen **all, size_t *n, size_t *cap, const char *name,
    int64_t mtime)
{
	struct seen *grown;
	size_t i;

	for (i = 0; i < *n; i++)
		if (strncmp((*all)[i].id, name, ID_LEN) == 0) {
			if (mtime > (*all)[i].used)
				(*all)[i].used = mtime;
			return 0;
		}
	if (*n == *cap) {
		*cap = *cap == 0 ? 16 : *cap * 2;
		if ((grown = realloc(*all, *cap * sizeof(**all))) == NULL)
			return -1;
		*all = grown;
	}
	memcpy((*all)[*n].id, name, ID_LEN);
	(*all)[*n].id[ID_LEN] = '\0';
	(*all)[(*n)++].used = mtime;
	return 0;
}

static int
newest_first(const void *a, const void *b)
{
	const struct seen *x = a, *y = b;

	return x->used > y->used ? -1 : x->used < y->used;
}

int
cache_prune(const char *dir, const char *keep, int64_t now)
{
	const char *slash = strrchr(keep, '/');
	const char *keep_id = slash != NULL ? slash + 1 : keep;
	struct seen *all = NULL;
	size_t n = 0, cap = 0, i, kept = 1;
	struct dirent *d;
	struct stat st;
	int removed = 0;
	DIR *dp;

	if ((dp = opendir(dir)) == NULL)
		return 0;
	while ((d = readdir(dp)) != NULL)
		if (entry_id(d->d_name) != 0 &&
		    fstatat(dirfd(dp), d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    note(&all, &n, &cap, d->d_name, (int64_t)st.st_mtim.tv_sec *
		    1000000000 + st.st_mtim.tv_nsec) != 0)
			break;		/* out of memory: prune what is known */
	closedir(dp);
	qsort(all, n, sizeof(*all), newest_first);
	for (i = 0; i < n; i++) {
		if (strcmp(all[i].id, keep_id) == 0)
			continue;
		if (now - all[i].used / 1000000000 <= CACHE_UNUSED_MAX &&
		    kept < CACHE_ENTRIES_MAX) {
			kept++;
			continue;
		}
		removed += remove_entry(dir, all[i].id, keep_id);
	}
	free(all);
	return removed;
}
