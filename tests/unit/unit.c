/*
 * unit.c - helpers shared by the unit tests in tests/unit/test_*.c.
 */

#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "../../lib/cache.h"
#include "../../lib/err.h"
#include "../../lib/jobs.h"
#include "../../lib/render.h"
#include "unit.h"

char *
slurp(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

int
parse_fixture(const char *name, struct jobs *j, struct err *e)
{
	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	enum jobs_shape shape = strncmp(base, "queue", 5) == 0 ?
	    JOBS_SHAPE_QUEUES : JOBS_SHAPE_JOBS;
	size_t len;
	char *body = slurp(name, &len);
	int rc = jobs_parse(j, body, len, shape, e);

	free(body);
	return rc;
}

char tmproot[] = "/tmp/ijp-unit-XXXXXX";

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int
group_setup(void **state)
{
	(void)state;
	return mkdtemp(tmproot) == NULL ? -1 : 0;
}

int
group_teardown(void **state)
{
	(void)state;
	return nftw(tmproot, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* "<tmproot>/<name>" into buf (not created). */
char *
tmp_path(char *buf, size_t size, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", tmproot, name);

	assert_true(n > 0 && (size_t)n < size);
	return buf;
}

void
write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* The whole file at path (malloc'd, NUL added), its size in *len. */
char *
read_file(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	buf[st.st_size] = '\0';
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}


int
all_zero(const void *p, size_t len)
{
	const unsigned char *b = p;

	while (len-- > 0)
		if (*b++ != 0)
			return 0;
	return 1;
}
void
load_fixture(const char *name, struct jobs *j)
{
	struct err e;

	if (parse_fixture(name, j, &e) != 0)
		fail_msg("%s: %s", name, e.msg);
}
void
fill_entry(struct cache_entry *ent, int64_t ok_time, int64_t err_time,
    int64_t active)
{
	memset(ent, 0, sizeof(*ent));
	ent->ok_at.wall = ok_time;
	ent->err_at.wall = err_time;
	ent->jobs.n = 2;
	strcpy(ent->jobs.q[0].name, "alpha");
	ent->jobs.q[0].active = active;
	ent->jobs.q[0].waiting = 20;
	ent->jobs.q[0].failed = 1;
	strcpy(ent->jobs.q[1].name, "beta");
	ent->jobs.q[1].paused = 7;
	ent->jobs.q[1].is_paused = 1;
	if (err_time != 0)
		err_set(&ent->err, 502, 503, "Immich answered HTTP 503");
}

/* Files in dir whose names do not end in suffix (NULL: all). */
size_t
count_files(const char *dir, const char *skip_suffix)
{
	struct dirent *d;
	size_t n = 0, len, sl;
	DIR *dp = opendir(dir);

	if (dp == NULL)
		return 0;
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		len = strlen(d->d_name);
		sl = skip_suffix != NULL ? strlen(skip_suffix) : 0;
		if (sl > 0 && len >= sl &&
		    strcmp(d->d_name + len - sl, skip_suffix) == 0)
			continue;
		n++;
	}
	closedir(dp);
	return n;
}

/* Fails when any file in dir holds needle. */
void
assert_no_file_holds(const char *dir, const char *needle)
{
	char path[512];
	struct dirent *d;
	DIR *dp = opendir(dir);
	size_t len, files = 0;
	char *buf;

	assert_non_null(dp);
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		buf = read_file(path, &len);
		if (memmem(buf, len, needle, strlen(needle)) != NULL) {
			free(buf);
			closedir(dp);
			fail_msg("%s holds the key", path);
		}
		free(buf);
		files++;
	}
	closedir(dp);
	assert_true(files > 0);
}

