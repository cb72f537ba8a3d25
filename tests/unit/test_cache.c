/*
 * test_cache.c - cmocka unit tests of the shared cache file and its lock.
 *
 * Everything runs in one private directory made by the group setup and
 * removed by its teardown (tests/unit/unit.c); nothing touches the network.
 */


#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "../../lib/cache.h"
#include "../../lib/config.h"
#include "../../lib/jobs.h"
#include "../../lib/render.h"
#include "unit.h"

/* ------------------------------------------------------------------ */
/* cache                                                               */
/* ------------------------------------------------------------------ */

static void
test_cache_round_trip(void **state)
{
	static struct cache_entry ent, back;
	char dir[256], path[300];
	struct stat st;

	(void)state;
	tmp_path(dir, sizeof(dir), "rt");
	snprintf(path, sizeof(path), "%s/0123456789abcdef", dir);
	fill_entry(&ent, 1700000000, 1700000005, 3);
	assert_int_equal(cache_write(path, 0x0123456789abcdefull, &ent, NULL), 0);
	/* The directory is made 0700, the file 0600, no temporary left. */
	assert_int_equal(lstat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_true((size_t)st.st_size > sizeof(ent));	/* a head first */
	assert_int_equal(count_files(dir, NULL), 1);
	memset(&back, 0xff, sizeof(back));
	assert_int_equal(cache_read(path, 0x0123456789abcdefull, &back), 0);
	assert_memory_equal(&back, &ent, sizeof(ent));
	assert_int_equal(back.ok_at.wall, 1700000000);
	assert_int_equal(back.err_at.wall, 1700000005);
	assert_int_equal(back.jobs.n, 2);
	assert_string_equal(back.jobs.q[0].name, "alpha");
	assert_int_equal(back.jobs.q[0].active, 3);
	assert_int_equal(back.jobs.q[1].is_paused, 1);
	assert_int_equal(back.err.status, 502);
	assert_int_equal(back.err.upstream_status, 503);
	assert_string_equal(back.err.msg, "Immich answered HTTP 503");
	/* Rewriting replaces the entry whole. */
	fill_entry(&ent, 1700000100, 0, 8);
	assert_int_equal(cache_write(path, 0x0123456789abcdefull, &ent, NULL), 0);
	assert_int_equal(cache_read(path, 0x0123456789abcdefull, &back), 0);
	assert_int_equal(back.jobs.q[0].active, 8);
	assert_int_equal(back.err_at.wall, 0);
	assert_int_equal(count_files(dir, NULL), 1);
	/* Missing file. */
	snprintf(path, sizeof(path), "%s/missing", dir);
	assert_int_equal(cache_read(path, 1, &back), -1);
}

static void
test_cache_rejects_bad_files(void **state)
{
	static struct cache_entry ent, back;
	char dir[256], path[300], link[300];
	const uint64_t id = 0xfeedull;
	size_t len, off;
	char *good, *bad;

	(void)state;
	tmp_path(dir, sizeof(dir), "bad");
	snprintf(path, sizeof(path), "%s/entry", dir);
	fill_entry(&ent, 1700000000, 0, 5);
	assert_int_equal(cache_write(path, id, &ent, NULL), 0);
	good = read_file(path, &len);
	assert_true(len > sizeof(ent));
	assert_int_equal(cache_read(path, id, &back), 0);
	/* Another configuration's id. */
	assert_int_equal(cache_read(path, id + 1, &back), -1);
	/* Truncated: empty, one byte short, half. */
	write_file(path, good, 0);
	assert_int_equal(cache_read(path, id, &back), -1);
	write_file(path, good, len - 1);
	assert_int_equal(cache_read(path, id, &back), -1);
	write_file(path, good, len / 2);
	assert_int_equal(cache_read(path, id, &back), -1);
	/* Longer: one extra byte, or the entry twice. */
	bad = malloc(2 * len);
	assert_non_null(bad);
	memcpy(bad, good, len);
	memcpy(bad + len, good, len);
	write_file(path, bad, len + 1);
	assert_int_equal(cache_read(path, id, &back), -1);
	write_file(path, bad, 2 * len);
	assert_int_equal(cache_read(path, id, &back), -1);
	/* One byte flipped anywhere: head, id, times, counts, error, sum. */
	for (off = 0; off < len; off += (off < 128 ? 1 : 97)) {
		memcpy(bad, good, len);
		bad[off] ^= 0x01;
		write_file(path, bad, len);
		if (cache_read(path, id, &back) != -1)
			fail_msg("flipped byte %zu accepted", off);
	}
	memcpy(bad, good, len);
	bad[len - 1] ^= 0x80;		/* last byte of the checksum */
	write_file(path, bad, len);
	assert_int_equal(cache_read(path, id, &back), -1);
	/* The good bytes again are accepted: the test above is fair. */
	write_file(path, good, len);
	assert_int_equal(cache_read(path, id, &back), 0);
	/* A symbolic link is not followed. */
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(cache_read(link, id, &back), -1);
	free(bad);
	free(good);
}

/* The entry's file name: "<dir>/<the configuration's id in 16 hex digits>". */
static void
test_cache_path(void **state)
{
	static struct config c;
	char path[CONFIG_PATH_MAX + 32];

	(void)state;
	strcpy(c.cache_dir, "/tmp/x");
	c.id = 0x00c0ffee12345678ull;
	assert_true(cache_id(&c) == c.id);
	assert_int_equal(cache_path(&c, path, sizeof(path)), 0);
	assert_string_equal(path, "/tmp/x/00c0ffee12345678");
	assert_int_equal(cache_path(&c, path, strlen("/tmp/x/") + 16), -1);
	assert_int_equal(cache_path(&c, path, strlen("/tmp/x/") + 17), 0);
}

/*
 * The answers rendered from the counts are stored with the entry, and a
 * flip anywhere in the file refuses them and the entry alike.
 */
static void
test_cache_answers(void **state)
{
	static struct cache_entry ent, back;
	static const char json[] = "{\"active\":3}\n";
	static const char prom[] = "immich_jobs_up 1\n";
	const struct cache_out o = { json, prom, sizeof(json) - 1,
	    sizeof(prom) - 1 };
	const uint64_t id = 0xa11ull;
	char dir[256], path[300];
	struct cache_out got;
	struct stamp ok_at;
	size_t len;
	char *good;

	(void)state;
	tmp_path(dir, sizeof(dir), "answers");
	snprintf(path, sizeof(path), "%s/entry", dir);
	fill_entry(&ent, 1700000000, 0, 3);
	assert_int_equal(cache_write(path, id, &ent, &o), 0);
	assert_int_equal(cache_answers(path, id, CACHE_JSON | CACHE_PROM,
	    &ok_at, &got), 0);
	assert_int_equal(ok_at.wall, 1700000000);
	assert_int_equal(got.json_len, sizeof(json) - 1);
	assert_memory_equal(got.json, json, got.json_len);
	assert_int_equal(got.prom_len, sizeof(prom) - 1);
	assert_memory_equal(got.prom, prom, got.prom_len);
	assert_int_equal(cache_answers(path, id + 1, CACHE_JSON, &ok_at, &got),
	    -1);
	assert_int_equal(cache_read(path, id, &back), 0);
	assert_memory_equal(&back, &ent, sizeof(ent));
	/* The JSON is the file's last but the text's bytes: flip its first. */
	good = read_file(path, &len);
	good[len - sizeof(prom) + 1 - sizeof(json) + 1] ^= 0x01;
	write_file(path, good, len);
	assert_int_equal(cache_answers(path, id, CACHE_JSON, &ok_at, &got), -1);
	assert_int_equal(cache_answers(path, id, CACHE_PROM, &ok_at, &got), -1);
	assert_int_equal(cache_read(path, id, &back), -1);
	good[len - sizeof(prom) + 1 - sizeof(json) + 1] ^= 0x01;
	good[len - 1] ^= 0x01;		/* the text's last byte */
	write_file(path, good, len);
	assert_int_equal(cache_answers(path, id, CACHE_JSON, &ok_at, &got), -1);
	assert_int_equal(cache_read(path, id, &back), -1);
	good[len - 1] ^= 0x01;
	write_file(path, good, len);	/* and the good bytes pass */
	assert_int_equal(cache_answers(path, id, CACHE_PROM, &ok_at, &got), 0);
	free(good);
	/* None stored (a failed call): no answer, the entry still reads. */
	assert_int_equal(cache_write(path, id, &ent, NULL), 0);
	assert_int_equal(cache_answers(path, id, CACHE_JSON, &ok_at, &got), -1);
	assert_int_equal(cache_read(path, id, &back), 0);
}

static void
test_cache_unsafe_dir(void **state)
{
	static struct cache_entry ent;
	char dir[256], path[300], good[256];
	struct stat st;

	(void)state;
	fill_entry(&ent, 1700000000, 0, 1);
	/* Writable by group, or by others: refused, nothing written. */
	tmp_path(dir, sizeof(dir), "gw");
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chmod(dir, 0770), 0);
	snprintf(path, sizeof(path), "%s/entry", dir);
	errno = 0;
	assert_int_equal(cache_write(path, 1, &ent, NULL), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(count_files(dir, NULL), 0);
	errno = 0;
	assert_int_equal(cache_lock(path, 0), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(chmod(dir, 0702), 0);
	errno = 0;
	assert_int_equal(cache_write(path, 1, &ent, NULL), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(count_files(dir, NULL), 0);
	/* Back to 0700: accepted. */
	assert_int_equal(chmod(dir, 0700), 0);
	assert_int_equal(cache_write(path, 1, &ent, NULL), 0);
	/* A link to a good directory is refused too. */
	tmp_path(good, sizeof(good), "gw-link");
	assert_int_equal(symlink(dir, good), 0);
	snprintf(path, sizeof(path), "%s/entry", good);
	errno = 0;
	assert_int_equal(cache_write(path, 1, &ent, NULL), -1);
	assert_int_equal(errno, EPERM);
	/* Someone else's directory (needs root to set up). */
	if (geteuid() == 0) {
		tmp_path(dir, sizeof(dir), "nobody");
		assert_int_equal(mkdir(dir, 0700), 0);
		assert_int_equal(chown(dir, 65534, 65534), 0);
		snprintf(path, sizeof(path), "%s/entry", dir);
		errno = 0;
		assert_int_equal(cache_write(path, 1, &ent, NULL), -1);
		assert_int_equal(errno, EPERM);
	}
	/* A missing directory is created 0700 even under umask 0. */
	{
		mode_t old = umask(0);

		tmp_path(dir, sizeof(dir), "umask0");
		snprintf(path, sizeof(path), "%s/entry", dir);
		assert_int_equal(cache_write(path, 1, &ent, NULL), 0);
		umask(old);
		assert_int_equal(stat(dir, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0700);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0600);
	}
}

static void
test_cache_lock(void **state)
{
	char path[256];
	int a, b;

	(void)state;
	tmp_path(path, sizeof(path), "lk/entry");
	a = cache_lock(path, 1000);
	assert_true(a >= 0);
	errno = 0;
	assert_int_equal(cache_lock(path, 0), -1);	/* held: no wait */
	assert_int_equal(errno, EWOULDBLOCK);
	cache_unlock(a);
	b = cache_lock(path, 0);
	assert_true(b >= 0);
	cache_unlock(b);
	cache_unlock(-1);				/* harmless */
}

/*
 * The cache directory is checked with lstat(): a 32-bit build (armhf)
 * without 64-bit off_t and ino_t gets EOVERFLOW from it, and from readdir(),
 * on a file system with 64-bit inode numbers or offsets (XFS, NFS, or any
 * 64-bit host under qemu-user, as make check-cross ARCH=armhf showed) and
 * would refuse a good directory.  The Makefile asks for them.
 */
static void
test_cache_64bit_file_interfaces(void **state)
{
	(void)state;
	assert_int_equal(sizeof(off_t), 8);
	assert_int_equal(sizeof(ino_t), 8);
}

/*
 * What the lock records about writing the entry: a failure is to be said
 * once per period and again after a good write; a waiter can tell a holder
 * that failed to write from one that died.
 */
static void
test_cache_write_failure_notes(void **state)
{
	char path[300];
	struct timespec before, after;
	int lock;

	(void)state;
	tmp_path(path, sizeof(path), "notes/0123456789abcdef");
	assert_true((lock = cache_lock(path, 0)) >= 0);
	clock_gettime(CLOCK_REALTIME, &before);
	/* A new lock: nothing recorded, as after a holder that died. */
	assert_int_equal(cache_write_failed_since(lock, &before), 0);
	assert_int_equal(cache_note_write_failed(lock, 60), 1);
	assert_int_equal(cache_write_failed_since(lock, &before), 1);
	/* Said once within the period, however often it fails. */
	assert_int_equal(cache_note_write_failed(lock, 60), 0);
	assert_int_equal(cache_note_write_failed(lock, 60), 0);
	/* Each failure is still recorded for the waiters. */
	clock_gettime(CLOCK_REALTIME, &after);
	assert_int_equal(cache_note_write_failed(lock, 60), 0);
	assert_int_equal(cache_write_failed_since(lock, &after), 1);
	/* A period of 0 s says every one. */
	assert_int_equal(cache_note_write_failed(lock, 0), 1);
	/* After a good write the next failure is said at once. */
	cache_note_written(lock);
	assert_int_equal(cache_note_write_failed(lock, 60), 1);
	/* Nothing recorded after a moment past the last failure. */
	poll(NULL, 0, 20);
	clock_gettime(CLOCK_REALTIME, &after);
	assert_int_equal(cache_write_failed_since(lock, &after), 0);
	cache_unlock(lock);
	/* The record stays with the lock file, for the next holder. */
	assert_true((lock = cache_lock(path, 0)) >= 0);
	assert_int_equal(cache_write_failed_since(lock, &before), 1);
	assert_int_equal(cache_note_write_failed(lock, 60), 0);
	cache_unlock(lock);
}

/* Files for entry number k in dir, last written at t (Unix seconds). */
static void
prune_entry(const char *dir, int k, int64_t t)
{
	static const char *const sfx[] = { "", ".hist", ".lock" };
	struct timespec ts[2];
	char path[512];
	size_t i;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(path, sizeof(path), "%s/%016x%s", dir, k, sfx[i]);
		write_file(path, "x", 1);
		ts[0].tv_sec = ts[1].tv_sec = (time_t)t;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
	}
}

static int
prune_has(const char *dir, int k)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%016x", dir, k);
	return access(path, F_OK) == 0;
}

/*
 * Past CACHE_ENTRIES_MAX entries the least recently written go, with all
 * their files; one unused for a day goes whatever the count; the entry
 * being made room for, one whose lock is held and a file that is not an
 * entry stay.
 */
static void
test_cache_prune(void **state)
{
	const int64_t now = 1800000000;
	char dir[256], keep[512], lock[512], other[512];
	int k, fd, first;

	(void)state;
	tmp_path(dir, sizeof(dir), "prune");
	assert_int_equal(mkdir(dir, 0700), 0);
	for (k = 1; k <= 12; k++)	/* 1 oldest, 12 newest */
		prune_entry(dir, k, now - 1000 + k);
	prune_entry(dir, 13, now - CACHE_UNUSED_MAX - 1);	/* a day old */
	prune_entry(dir, 14, now - CACHE_UNUSED_MAX - 1);	/* and in use */
	snprintf(lock, sizeof(lock), "%s/%016x.lock", dir, 14);
	fd = open(lock, O_RDWR);
	assert_true(fd != -1 && flock(fd, LOCK_EX) == 0);
	snprintf(other, sizeof(other), "%s/notes.txt", dir);
	write_file(other, "mine", 4);
	/* Room for entry 99, not written yet: MAX - 1 others stay. */
	snprintf(keep, sizeof(keep), "%s/%016x", dir, 99);
	assert_int_equal(cache_prune(dir, keep, now), 12 - (CACHE_ENTRIES_MAX -
	    1) + 1);
	first = 12 - (CACHE_ENTRIES_MAX - 1) + 1;	/* the oldest kept */
	for (k = 1; k < first; k++)
		assert_false(prune_has(dir, k));
	for (k = first; k <= 12; k++)
		assert_true(prune_has(dir, k));
	assert_false(prune_has(dir, 13));
	assert_true(prune_has(dir, 14));
	close(fd);
	/* Every file of a removed entry went: MAX left, 3 files each. */
	assert_int_equal(count_files(dir, NULL), CACHE_ENTRIES_MAX * 3 + 1);
	assert_int_equal(access(other, F_OK), 0);
	/* Room for the oldest kept: the newer stay, the day-old one goes. */
	snprintf(keep, sizeof(keep), "%s/%016x", dir, first);
	assert_int_equal(cache_prune(dir, keep, now), 1);
	assert_true(prune_has(dir, first));
	assert_false(prune_has(dir, 14));	/* the day-old one, unlocked */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache_round_trip),
		cmocka_unit_test(test_cache_rejects_bad_files),
		cmocka_unit_test(test_cache_path),
		cmocka_unit_test(test_cache_answers),
		cmocka_unit_test(test_cache_unsafe_dir),
		cmocka_unit_test(test_cache_lock),
		cmocka_unit_test(test_cache_write_failure_notes),
		cmocka_unit_test(test_cache_64bit_file_interfaces),
		cmocka_unit_test(test_cache_prune),
	};

	return cmocka_run_group_tests_name("cache", tests, group_setup,
	    group_teardown);
}
