/*
 * unit.h - what the unit tests in tests/unit/test_*.c share: fixtures, a
 * private temporary directory per test program, small file helpers.
 * Include after <cmocka.h> and the lib/ headers.
 */
#ifndef IJP_UNIT_H
#define IJP_UNIT_H

#include <stddef.h>
#include <stdint.h>

#include "../../lib/cache.h"
#include "../../lib/jobs.h"

#ifndef FIXTURES
#define FIXTURES "tests/fixtures"
#endif

#define DOT	" \xc2\xb7 "	/* the " · " render_queue_summary writes */

/* Every key the tests use holds "SECRET", so one strstr finds a leak. */
#define KEY	"SECRETapikey0123456789abcdefghijklmnop"

/* The private directory: set by group_setup, removed by group_teardown. */
extern char tmproot[];
int	group_setup(void **state);
int	group_teardown(void **state);

/* FIXTURES/name, whole (malloc'd, NUL added), its size in *len. */
char	*slurp(const char *name, size_t *len);
/* jobs_parse of FIXTURES/name, its shape told by the file name ("queue..."). */
int	parse_fixture(const char *name, struct jobs *j, struct err *e);
/* parse_fixture that must succeed. */
void	load_fixture(const char *name, struct jobs *j);

/* "<tmproot>/<name>" into buf (not created). */
char	*tmp_path(char *buf, size_t size, const char *name);
void	write_file(const char *path, const void *data, size_t len);
/* The whole file at path (malloc'd, NUL added), its size in *len. */
char	*read_file(const char *path, size_t *len);
int	all_zero(const void *p, size_t len);

/* A two-queue cache entry: alpha (active, 20 waiting, 1 failed), beta paused. */
void	fill_entry(struct cache_entry *ent, int64_t ok_time, int64_t err_time,
	    int64_t active);
/* Files in dir whose names do not end in skip_suffix (NULL: all). */
size_t	count_files(const char *dir, const char *skip_suffix);
/* Fails when any file in dir holds needle. */
void	assert_no_file_holds(const char *dir, const char *needle);

#endif
