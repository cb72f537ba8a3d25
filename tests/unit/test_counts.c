/*
 * test_counts.c - cmocka unit tests of counts_get, through a fake upstream
 * that counts its calls.
 *
 * Everything runs in one private directory made by the group setup and
 * removed by its teardown (tests/unit/unit.c); nothing touches the network.
 */

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
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
#include "../../lib/counts.h"
#include "../../lib/deadline.h"
#include "../../lib/err.h"
#include "../../lib/history.h"
#include "../../lib/jobs.h"
#include "../../lib/render.h"
#include "../../lib/upstream.h"
#include "../../lib/str.h"
#include "unit.h"

/* ------------------------------------------------------------------ */
/* counts_get                                                          */
/* ------------------------------------------------------------------ */

static int fake_calls;		/* upstream calls */
static int fake_loads;		/* loader calls */
static int fake_fail;		/* 1: the fake upstream fails */
static int fake_fail_status = 500; /* Immich's status when it fails */
static int fake_maintenance;	/* 1: it fails as Immich in maintenance */
static int64_t fake_active;	/* the "alpha" queue's active count */
static long fake_left_ms;	/* ms to the deadline the fake last saw */

/*
 * The clocks counts_get reads (counts_clock), set by each test: ages and
 * TTLs are then checked to the second, however slow the machine.  The
 * time since boot is test_now; the wall clock is test_now stepped by
 * test_wall_step (0 unless a test steps it), in boot test_boot.
 */
static int64_t test_now;
static int64_t test_wall_step;
static uint64_t test_boot = 1;
static void (*real_clocks)(struct stamp *);	/* counts_clock as the program has it */

static void
test_clock(struct stamp *now)
{
	now->wall = test_now + test_wall_step;
	now->boot = test_now;
	now->boot_id = test_boot;
}

static int
fake_upstream(const struct config *c, const struct timespec *deadline,
    struct jobs *j, struct err *e)
{
	fake_calls++;
	fake_left_ms = deadline_left_ms(deadline);
	if (fake_fail && fake_maintenance)
		return err_set(e, 503, 404, "Immich is in maintenance mode");
	if (fake_fail)
		return err_set(e, 502, fake_fail_status, "Immich answered "
		    "HTTP %d at %s", fake_fail_status, c->shown_url);
	memset(j, 0, sizeof(*j));
	j->n = 1;
	strcpy(j->q[0].name, "alpha");
	j->q[0].active = fake_active;
	j->q[0].waiting = 4;
	return 0;
}

static upstream_get_fn
fake_loader(struct err *e)
{
	(void)e;
	fake_loads++;
	return fake_upstream;
}

static upstream_get_fn
broken_loader(struct err *e)
{
	fake_loads++;
	err_set(e, 500, 0, "cannot load immich-jobs-fetch.so");
	return NULL;
}

static void
fake_reset(int fail, int64_t active)
{
	fake_calls = 0;
	fake_loads = 0;
	fake_fail = fail;
	fake_active = active;
	fake_left_ms = -1;
}

/* c's id as config_load gives one: from what decides the answer. */
static void
reid(struct config *c)
{
	c->id = str_hash(str_hash(STR_HASH_BASIS, c->base_url,
	    strlen(c->base_url) + 1), c->key, strlen(c->key) + 1);
}

static void
counts_config(struct config *c, const char *dirname, const char *url,
    long ttl, long stale)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->base_url, sizeof(c->base_url), "%s", url);
	snprintf(c->shown_url, sizeof(c->shown_url), "%s", url);
	strcpy(c->key, KEY);
	c->timeout = 5;
	c->api = CONFIG_API_AUTO;
	c->cache_ttl = ttl;
	c->stale_ttl = stale;
	c->stall_after = 300;
	tmp_path(c->cache_dir, sizeof(c->cache_dir), dirname);
	reid(c);
}

/* Store an entry for c, as an earlier request would have. */
static void
store_entry(const struct config *c, int64_t ok_time, int64_t err_time,
    int64_t active)
{
	static struct cache_entry ent;
	char path[CONFIG_PATH_MAX + 32];

	fill_entry(&ent, ok_time, err_time, active);
	assert_int_equal(cache_path(c, path, sizeof(path)), 0);
	assert_int_equal(cache_write(path, cache_id(c), &ent, NULL), 0);
}

static void
read_entry(const struct config *c, struct cache_entry *ent)
{
	char path[CONFIG_PATH_MAX + 32];

	assert_int_equal(cache_path(c, path, sizeof(path)), 0);
	assert_int_equal(cache_read(path, cache_id(c), ent), 0);
}

static void
test_counts_ttl_hit(void **state)
{
	static struct config c;
	static struct counts out;
	static struct cache_entry ent;

	(void)state;
	test_now = 1700000000;
	counts_config(&c, "hit", "http://a", 5, 60);
	fake_reset(0, 7);
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	assert_non_null(out.fetch);
	assert_int_equal(out.jobs.n, 1);
	assert_int_equal(out.jobs.q[0].active, 7);
	assert_int_equal(fake_calls, 1);
	assert_in_range(fake_left_ms, 4000, 5000);
	read_entry(&c, &ent);
	assert_int_equal(ent.ok_at.wall, 1700000000);
	assert_int_equal(ent.err_at.wall, 0);
	assert_int_equal(ent.jobs.q[0].active, 7);
	/* The second call is answered from the file. */
	fake_active = 99;
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_HIT);
	assert_non_null(out.fetch);
	assert_int_equal(out.jobs.q[0].active, 7);
	assert_int_equal(out.age, 0);
	assert_int_equal(out.err.status, 0);
	assert_int_equal(fake_calls, 1);
	assert_int_equal(fake_loads, 1);	/* a hit loads nothing */
	/* Until the TTL's last second, with its age. */
	test_now += 4;
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_HIT);
	assert_int_equal(out.age, 4);
	assert_int_equal(fake_calls, 1);
	/* An entry from 2 s ago is served as it is, with its age. */
	store_entry(&c, test_now - 2, 0, 111);
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_HIT);
	assert_int_equal(out.jobs.n, 2);
	assert_int_equal(out.jobs.q[0].active, 111);
	assert_int_equal(out.jobs.q[1].paused, 7);
	assert_int_equal(out.age, 2);
	assert_int_equal(fake_calls, 1);
	/*
	 * One entry file (with the answers rendered from it), the history of
	 * fetches beside it, and its lock.
	 */
	assert_int_equal(count_files(c.cache_dir, ".lock"), 2);
	assert_int_equal(count_files(c.cache_dir, ".hist"), 2);
	assert_int_equal(count_files(c.cache_dir, NULL), 3);
	assert_no_file_holds(c.cache_dir, KEY);
}

static void
test_counts_ttl_zero(void **state)
{
	static struct config c;
	static struct counts out;
	struct stat st;
	int i;

	(void)state;
	counts_config(&c, "ttl0", "http://a", 0, 60);
	fake_reset(0, 3);
	for (i = 1; i <= 3; i++) {
		assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
		assert_int_equal(out.source, COUNTS_MISS);
		assert_null(out.fetch);
		assert_int_equal(out.age, 0);
		assert_int_equal(out.jobs.q[0].active, 3);
		assert_int_equal(fake_calls, i);
		assert_in_range(fake_left_ms, 4000, 5000);
	}
	fake_fail = 1;
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), -1);
	assert_int_equal(out.source, COUNTS_NONE);
	assert_int_equal(out.err.status, 502);
	assert_int_equal(out.err.upstream_status, 500);
	assert_int_equal(fake_calls, 4);
	/* Nothing stored: not even the directory. */
	errno = 0;
	assert_int_equal(stat(c.cache_dir, &st), -1);
	assert_int_equal(errno, ENOENT);
	/* The loader's failure is the answer. */
	assert_int_equal(counts_get(&c, NULL, broken_loader, &out), -1);
	assert_int_equal(out.source, COUNTS_NONE);
	assert_int_equal(out.err.status, 500);
	assert_non_null(strstr(out.err.msg, "immich-jobs-fetch.so"));
}

/* No cache directory known (config_load's default without a private
 * one): every call asks Immich and no file is written, as with TTL 0. */
static void
test_counts_no_dir(void **state)
{
	static struct config c;
	static struct counts out;
	int i;

	(void)state;
	counts_config(&c, "nodir", "http://a", 5, 60);
	c.cache_dir[0] = '\0';
	fake_reset(0, 4);
	for (i = 1; i <= 3; i++) {
		assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
		assert_int_equal(out.source, COUNTS_MISS);
		assert_null(out.fetch);
		assert_int_equal(out.jobs.q[0].active, 4);
		assert_int_equal(fake_calls, i);
	}
	fake_fail = 1;
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), -1);
	assert_int_equal(out.source, COUNTS_NONE);
	assert_int_equal(out.err.status, 502);
	assert_int_equal(fake_calls, 4);
}

static void
test_counts_expiry(void **state)
{
	static struct config c;
	static struct counts out;
	static struct cache_entry ent;
	int64_t now = 1700000000;

	(void)state;
	test_now = now;
	counts_config(&c, "expiry", "http://a", 5, 60);
	fake_reset(0, 7);
	store_entry(&c, now - 10, 0, 111);	/* older than the TTL */
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	assert_int_equal(out.jobs.q[0].active, 7);
	assert_int_equal(out.age, 0);
	assert_int_equal(fake_calls, 1);
	read_entry(&c, &ent);
	assert_int_equal(ent.ok_at.wall, now);
	assert_int_equal(ent.jobs.q[0].active, 7);
	/* Exactly TTL seconds old is expired too. */
	store_entry(&c, now - 5, 0, 111);
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	assert_int_equal(fake_calls, 2);
	/* An entry from the future (clock went back) is not trusted. */
	store_entry(&c, now + 100, 0, 111);
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	assert_int_equal(out.jobs.q[0].active, 7);
	assert_int_equal(fake_calls, 3);
	/* An expired error is retried. */
	store_entry(&c, 0, now - 10, 0);
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	assert_int_equal(fake_calls, 4);
	/* A file for another configuration in its place is replaced. */
	{
		static struct config other;
		char path[CONFIG_PATH_MAX + 32];

		other = c;
		strcpy(other.base_url, "http://b");
		reid(&other);
		fill_entry(&ent, now, 0, 555);
		assert_int_equal(cache_path(&c, path, sizeof(path)), 0);
		assert_int_equal(cache_write(path, cache_id(&other), &ent, NULL), 0);
		assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
		assert_int_equal(out.source, COUNTS_MISS);
		assert_int_equal(out.jobs.q[0].active, 7);
		assert_int_equal(fake_calls, 5);
		read_entry(&c, &ent);
		assert_int_equal(ent.jobs.q[0].active, 7);
	}
}

static void
test_counts_error_remembered(void **state)
{
	static struct config c;
	static struct counts out;
	static struct cache_entry ent;
	int i;

	(void)state;
	test_now = 1700000000;
	counts_config(&c, "errmem", "http://a", 5, 60);
	fake_reset(1, 7);
	for (i = 0; i < 3; i++) {
		assert_int_equal(counts_get(&c, NULL, fake_loader, &out), -1);
		assert_int_equal(out.source, COUNTS_NONE);
		assert_int_equal(out.err.status, 502);
		assert_int_equal(out.err.upstream_status, 500);
		assert_string_equal(out.err.msg, "Immich answered HTTP 500 at "
		    "http://a");
		assert_int_equal(fake_calls, 1);	/* not hammered */
		fake_fail = 0;		/* too late: the error stands */
	}
	read_entry(&c, &ent);
	assert_int_equal(ent.err_at.wall, 1700000000);
	assert_int_equal(ent.ok_at.wall, 0);
	assert_no_file_holds(c.cache_dir, KEY);
	/*
	 * The loader's failure (500) is this machine's, not Immich's
	 * answer: never stored, nor covered with stale counts; the next
	 * process, which can load it, asks Immich.
	 */
	counts_config(&c, "errmem-load", "http://a", 5, 60);
	fake_reset(0, 7);
	store_entry(&c, test_now - 10, 0, 3);	/* too old for a hit, not stale */
	assert_int_equal(counts_get(&c, NULL, broken_loader, &out), -1);
	assert_int_equal(out.source, COUNTS_NONE);	/* no stale counts */
	assert_int_equal(out.err.status, 500);
	read_entry(&c, &ent);
	assert_int_equal(ent.err_at.wall, 0);		/* nothing stored */
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	assert_int_equal(out.jobs.q[0].active, 7);
	assert_int_equal(fake_loads, 2);
	assert_int_equal(fake_calls, 1);
	/* One stored by an older version is not served either. */
	{
		char path[CONFIG_PATH_MAX + 32];

		fill_entry(&ent, 0, test_now, 0);
		err_set(&ent.err, 500, 0, "cannot load immich-jobs-fetch.so");
		assert_int_equal(cache_path(&c, path, sizeof(path)), 0);
		assert_int_equal(cache_write(path, cache_id(&c), &ent, NULL), 0);
	}
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	assert_int_equal(fake_calls, 2);
}

static void
test_counts_stale(void **state)
{
	static struct config c;
	static struct counts out;
	int64_t now = 1700000000;
	int i;

	(void)state;
	test_now = now;
	/* Within stale_ttl: the old counts, marked stale, with the error. */
	counts_config(&c, "stale-in", "http://a", 5, 60);
	fake_reset(1, 7);
	store_entry(&c, now - 30, 0, 111);
	for (i = 0; i < 2; i++) {
		assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
		assert_int_equal(out.source, COUNTS_STALE);
		assert_int_equal(out.jobs.n, 2);
		assert_int_equal(out.jobs.q[0].active, 111);
		assert_int_equal(out.age, 30);
		assert_int_equal(out.err.status, 502);
		assert_int_equal(out.err.upstream_status, 500);
		assert_non_null(strstr(out.err.msg, "HTTP 500"));
		assert_int_equal(fake_calls, 1);	/* 2nd: remembered */
	}
	/*
	 * A host asleep for two hours, with a day's stale_ttl: the counts
	 * still stand in and the status text says when they were last seen.
	 */
	counts_config(&c, "stale-long", "http://a", 5, 86400);
	fake_reset(1, 7);
	store_entry(&c, now - 7300, 0, 111);
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_STALE);
	assert_int_equal(out.age, 7300);
	{
		struct render_info info = { now - out.age, 1, out.age,
		    out.err.msg };
		char status[64];

		assert_string_equal(render_status(&info, status,
		    sizeof(status)), "stale \xc2\xb7 last seen 2 h ago");
	}
	/* Beyond stale_ttl: the error alone. */
	counts_config(&c, "stale-out", "http://a", 5, 60);
	fake_reset(1, 7);
	store_entry(&c, now - 100, 0, 111);
	for (i = 0; i < 2; i++) {
		assert_int_equal(counts_get(&c, NULL, fake_loader, &out), -1);
		assert_int_equal(out.source, COUNTS_NONE);
		assert_int_equal(out.err.status, 502);
		assert_int_equal(out.err.upstream_status, 500);
		assert_int_equal(fake_calls, 1);
	}
	/*
	 * What the user must fix (a key rejected or short of a permission,
	 * a wrong path, a redirect) is said at once: stale counts would hide
	 * it for the whole stale_ttl, a day in the sleeping-PC recipe.
	 * Failures that pass (Immich down, restarting, in maintenance, slow,
	 * rate-limiting) keep the counts.
	 */
	{
		static const int fix[] = { 301, 401, 403, 404, 406, 407 };
		static const int pass[] = { 0, 408, 429, 500, 502, 503 };

		for (i = 0; i < (int)(sizeof(fix) / sizeof(fix[0])); i++) {
			counts_config(&c, "stale-fix", "http://a", 5, 60);
			fake_reset(1, 7);
			fake_fail_status = fix[i];
			store_entry(&c, now - 30, 0, 111);
			assert_int_equal(counts_get(&c, NULL, fake_loader,
			    &out), -1);
			assert_int_equal(out.source, COUNTS_NONE);
			assert_int_equal(out.err.upstream_status, fix[i]);
		}
		for (i = 0; i < (int)(sizeof(pass) / sizeof(pass[0])); i++) {
			counts_config(&c, "stale-pass", "http://a", 5, 60);
			fake_reset(1, 7);
			fake_fail_status = pass[i];
			store_entry(&c, now - 30, 0, 111);
			assert_int_equal(counts_get(&c, NULL, fake_loader,
			    &out), 0);
			assert_int_equal(out.source, COUNTS_STALE);
		}
		fake_fail_status = 500;
		/* Maintenance mode: a 404 from Immich, which passes. */
		counts_config(&c, "stale-maint", "http://a", 5, 60);
		fake_reset(1, 7);
		fake_maintenance = 1;
		store_entry(&c, now - 30, 0, 111);
		assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
		assert_int_equal(out.source, COUNTS_STALE);
		assert_int_equal(out.err.status, 503);
		fake_maintenance = 0;
	}
	/* stale_ttl 0 turns stale answers off. */
	counts_config(&c, "stale-off", "http://a", 5, 0);
	fake_reset(1, 7);
	store_entry(&c, now - 30, 0, 111);
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), -1);
	assert_int_equal(out.source, COUNTS_NONE);
	assert_int_equal(fake_calls, 1);
	/* Immich recovers after the error's TTL: fresh counts again. */
	counts_config(&c, "stale-recover", "http://a", 5, 60);
	fake_reset(0, 7);
	store_entry(&c, now - 30, now - 10, 111);
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	assert_int_equal(out.jobs.q[0].active, 7);
	assert_int_equal(out.err.status, 0);
	assert_int_equal(fake_calls, 1);
}

static void
test_counts_per_config(void **state)
{
	static struct config a, b, k;
	static struct counts out;

	(void)state;
	counts_config(&a, "sep", "http://a", 5, 60);
	counts_config(&b, "sep", "http://b", 5, 60);
	counts_config(&k, "sep", "http://a", 5, 60);
	k.key[0] = 'X';			/* same URL, another key */
	reid(&k);
	fake_reset(0, 7);
	assert_int_equal(counts_get(&a, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	fake_active = 9;
	assert_int_equal(counts_get(&b, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	assert_int_equal(out.jobs.q[0].active, 9);
	fake_active = 11;
	assert_int_equal(counts_get(&k, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	assert_int_equal(fake_calls, 3);
	fake_active = 0;
	assert_int_equal(counts_get(&a, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_HIT);
	assert_int_equal(out.jobs.q[0].active, 7);
	assert_int_equal(counts_get(&b, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_HIT);
	assert_int_equal(out.jobs.q[0].active, 9);
	assert_int_equal(counts_get(&k, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_HIT);
	assert_int_equal(out.jobs.q[0].active, 11);
	assert_int_equal(fake_calls, 3);
	assert_int_equal(count_files(a.cache_dir, ".lock"), 6);
	assert_int_equal(count_files(a.cache_dir, ".hist"), 6);
	assert_no_file_holds(a.cache_dir, KEY);
	assert_no_file_holds(a.cache_dir, k.key);
}

/* Send stderr to the file at path; returns what stderr_back restores. */
static int
stderr_to(const char *path)
{
	int saved, fd;

	fflush(stderr);
	saved = dup(2);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 2);
	close(fd);
	return saved;
}

static void
stderr_back(int saved)
{
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
}

/* An unusable cache directory: said in the note (no key), Immich called. */
static void
test_counts_unusable_dir(void **state)
{
	static struct config c;
	static struct counts out;
	static char notes[4 * sizeof(out.note)];
	char log[256];
	size_t len;
	char *text;
	int saved, i;

	(void)state;
	counts_config(&c, "unusable", "http://a", 5, 60);
	assert_int_equal(mkdir(c.cache_dir, 0777), 0);
	assert_int_equal(chmod(c.cache_dir, 0777), 0);
	fake_reset(0, 7);
	tmp_path(log, sizeof(log), "unusable.log");
	saved = stderr_to(log);
	notes[0] = '\0';
	for (i = 1; i <= 2; i++) {
		int rc = counts_get(&c, NULL, fake_loader, &out);

		strcat(notes, out.note);
		if (rc != 0 || out.source != COUNTS_MISS || out.fetch != NULL ||
		    fake_calls != i)
			break;
	}
	stderr_back(saved);
	assert_int_equal(i, 3);
	assert_int_equal(out.jobs.q[0].active, 7);
	assert_int_equal(count_files(c.cache_dir, NULL), 0);
	text = read_file(log, &len);
	assert_int_equal(len, 0);	/* lib prints nothing: the caller logs */
	free(text);
	text = notes;
	assert_non_null(strstr(text, "cannot use the cache in"));
	assert_non_null(strstr(text, c.cache_dir));
	assert_null(strstr(text, "SECRET"));
}

/*
 * A leader in another process: it takes c's lock, and once it holds it
 * (the return) either stores an entry with "alpha" active after 300 ms
 * "calling Immich" and exits 0 (active >= 0), or waits until killed
 * (active < 0).  Returns its pid.
 */
static pid_t
fork_lock_holder(const struct config *c, int64_t active)
{
	char path[CONFIG_PATH_MAX + 32], ready;
	int fds[2];
	pid_t pid;

	assert_int_equal(cache_path(c, path, sizeof(path)), 0);
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static struct cache_entry ent;
		int lock = cache_lock(path, 5000);

		close(fds[0]);
		if (lock < 0 || write(fds[1], "L", 1) != 1)
			_exit(1);
		if (active < 0)
			for (;;)
				pause();
		poll(NULL, 0, 300);	/* "calling Immich" */
		fill_entry(&ent, test_now, 0, active);
		if (cache_write(path, cache_id(c), &ent, NULL) != 0)
			_exit(2);
		cache_unlock(lock);
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &ready, 1), 1);	/* it holds the lock */
	close(fds[0]);
	return pid;
}

/*
 * Single-flight: while another process holds the lock, counts_get waits
 * and then answers from what that process stored, without calling Immich.
 */
static void
test_counts_waits_for_lock_holder(void **state)
{
	static struct config c;
	static struct counts out;
	int status;
	pid_t pid;

	(void)state;
	counts_config(&c, "flight", "http://a", 5, 60);
	pid = fork_lock_holder(&c, 222);
	fake_reset(0, 7);
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(out.source, COUNTS_HIT);
	assert_int_equal(out.jobs.q[0].active, 222);
	assert_int_equal(fake_calls, 0);
	assert_int_equal(fake_loads, 0);
}

/*
 * Single-flight when the leader dies: a process holding the lock (the
 * leader calling Immich) is killed with SIGKILL while 10 others wait.  One
 * of them leads in its place and the rest use its result: one Immich call
 * for all of them, not one each.
 */
static void
test_counts_leader_killed(void **state)
{
	static struct config c;
	pid_t leader, waiters[10];
	int status, calls = 0, bad = 0;
	size_t i;

	(void)state;
	counts_config(&c, "killed", "http://a", 30, 60);
	leader = fork_lock_holder(&c, -1);
	fflush(NULL);
	for (i = 0; i < 10; i++) {
		waiters[i] = fork();
		assert_true(waiters[i] >= 0);
		if (waiters[i] == 0) {
			static struct counts out;
			int rc;

			fake_reset(0, 7);
			rc = counts_get(&c, NULL, fake_loader, &out);
			/* exit status: its Immich calls, +10 when wrong */
			_exit(fake_calls + (rc != 0 ||
			    out.jobs.q[0].active != 7 ? 10 : 0));
		}
	}
	poll(NULL, 0, 300);	/* let them wait on the lock */
	assert_int_equal(kill(leader, SIGKILL), 0);
	assert_int_equal(waitpid(leader, &status, 0), leader);
	for (i = 0; i < 10; i++) {
		assert_int_equal(waitpid(waiters[i], &status, 0), waiters[i]);
		assert_true(WIFEXITED(status));
		calls += WEXITSTATUS(status) % 10;
		bad += WEXITSTATUS(status) / 10;
	}
	assert_int_equal(bad, 0);
	assert_int_equal(calls, 1);
}

/*
 * A cache entry that cannot be written (a directory stands where it goes):
 * every request still gets Immich's counts, and the failure is said in the
 * note once per cache period, not once per request.
 */
static void
test_counts_write_failure_said_once(void **state)
{
	static struct config c;
	static struct counts out;
	static char notes[6 * sizeof(out.note)];
	char path[CONFIG_PATH_MAX + 32], sub[CONFIG_PATH_MAX + 64];
	char log[256];
	const char *p;
	size_t len;
	char *text;
	int saved, i, said;

	(void)state;
	counts_config(&c, "unwritable", "http://a", 30, 60);
	assert_int_equal(cache_path(&c, path, sizeof(path)), 0);
	assert_int_equal(mkdir(c.cache_dir, 0700), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(sub, sizeof(sub), "%s/x", path);
	write_file(sub, "x", 1);	/* rename() cannot replace it */
	fake_reset(0, 7);
	tmp_path(log, sizeof(log), "unwritable.log");
	saved = stderr_to(log);
	notes[0] = '\0';
	for (i = 1; i <= 5; i++) {
		int rc = counts_get(&c, NULL, fake_loader, &out);

		strcat(notes, out.note);
		if (rc != 0 || out.source != COUNTS_MISS ||
		    out.jobs.q[0].active != 7 || fake_calls != i)
			break;
	}
	stderr_back(saved);
	assert_int_equal(i, 6);
	text = read_file(log, &len);
	assert_int_equal(len, 0);	/* lib prints nothing: the caller logs */
	free(text);
	text = notes;
	for (said = 0, p = text; (p = strstr(p, "cannot write the cache")) != NULL;
	    p++)
		said++;
	assert_int_equal(said, 1);
	assert_non_null(strstr(text, c.cache_dir));
	assert_null(strstr(text, "SECRET"));
}

/*
 * The lock is held past IMMICH_JOBS_TIMEOUT (1 s here): 504, or the last
 * good counts as stale when they are young enough; Immich is not called.
 */
static void
test_counts_lock_timeout(void **state)
{
	static struct config c;
	static struct counts out;
	char path[CONFIG_PATH_MAX + 32];
	struct timespec t0, t1;
	long ms;
	int lock;

	(void)state;
	counts_config(&c, "locked", "http://a", 5, 60);
	c.timeout = 1;
	assert_int_equal(cache_path(&c, path, sizeof(path)), 0);
	lock = cache_lock(path, 0);	/* another fd: flock conflicts */
	assert_true(lock >= 0);
	store_entry(&c, test_now - 30, 0, 111);
	fake_reset(0, 7);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cache_unlock(lock);
	assert_int_equal(out.source, COUNTS_STALE);
	assert_int_equal(out.jobs.q[0].active, 111);
	assert_int_equal(out.err.status, 504);
	assert_non_null(strstr(out.err.msg, "IMMICH_JOBS_TIMEOUT"));
	assert_int_equal(fake_calls, 0);
	/* It waited the whole second, not less. */
	ms = (long)(t1.tv_sec - t0.tv_sec) * 1000 +
	    (long)(t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 1000);
}

/*
 * The history of fetches is kept beside the entry: a miss adds to it and
 * works out the progress, a hit and a stale answer copy it.  Earlier
 * fetches are planted 10 s apart, alpha's backlog falling 10 each time
 * (1 job/s) to 6 now: 60 jobs a minute, 6 s left.
 */
static void
test_counts_progress(void **state)
{
	static struct config c;
	static struct counts out;
	static struct history h;
	static struct cache_entry ent;
	char path[CONFIG_PATH_MAX + 32];
	int64_t now;
	int i;

	(void)state;
	counts_config(&c, "progress", "http://a", 5, 600);
	c.stall_after = 300;
	fake_reset(0, 2);
	/* No history yet: one fetch is too little to tell. */
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	assert_int_equal(out.jobs.q[0].progress.state, PROGRESS_COLLECTING);
	assert_int_equal(out.jobs.total_progress.state, PROGRESS_COLLECTING);

	assert_int_equal(cache_path(&c, path, sizeof(path)), 0);
	assert_int_equal(cache_history_read(path, cache_id(&c), &h), 0);
	assert_int_equal(h.ns, 1);
	assert_int_equal(h.backlog[0][0], 6);
	/* Another configuration's history is not this one's. */
	assert_int_equal(cache_history_read(path, cache_id(&c) + 1, &h), -1);

	now = test_now;
	memset(&h, 0, sizeof(h));
	h.nq = 1;
	strcpy(h.name[0], "alpha");
	for (i = 0; i < 6; i++) {
		h.t[i] = now - 60 + 10 * i;
		h.backlog[i][0] = 66 - 10 * i;
	}
	h.ns = 6;
	h.last.wall = h.last.boot = now - 10;
	h.last.boot_id = test_boot;
	assert_int_equal(cache_history_write(path, cache_id(&c), &h), 0);
	store_entry(&c, now - 60, 0, 1);	/* expired: a miss */
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	assert_int_equal(out.jobs.q[0].progress.state, PROGRESS_DRAINING);
	assert_true(out.jobs.q[0].progress.rate > 55 &&
	    out.jobs.q[0].progress.rate < 65);
	assert_in_range(out.jobs.q[0].progress.eta_seconds, 5, 7);
	assert_int_equal(out.jobs.total_progress.state, PROGRESS_DRAINING);
	assert_int_equal(fake_calls, 2);

	/* A hit gives the same figures without asking Immich. */
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_HIT);
	assert_int_equal(out.jobs.q[0].progress.state, PROGRESS_DRAINING);
	assert_in_range(out.jobs.q[0].progress.eta_seconds, 5, 7);
	assert_int_equal(out.jobs.total_progress.state, PROGRESS_DRAINING);
	assert_int_equal(fake_calls, 2);

	/*
	 * Immich fails: the stale counts keep the rate last measured but no
	 * ETA, which would read as if the work were done by now.
	 */
	fill_entry(&ent, now - 10, 0, 1);
	ent.jobs.q[0].progress.state = PROGRESS_DRAINING;
	ent.jobs.q[0].progress.rate = 240;
	ent.jobs.q[0].progress.eta_seconds = 220;
	ent.jobs.total_progress = ent.jobs.q[0].progress;
	assert_int_equal(cache_write(path, cache_id(&c), &ent, NULL), 0);
	fake_fail = 1;
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_STALE);
	assert_int_equal(out.jobs.q[0].progress.state, PROGRESS_UNKNOWN);
	assert_int_equal(out.jobs.q[0].progress.eta_seconds, 0);
	assert_true(out.jobs.q[0].progress.rate == 240);
	assert_int_equal(out.jobs.total_progress.state, PROGRESS_UNKNOWN);
	assert_no_file_holds(c.cache_dir, KEY);
}

/*
 * The program's clocks: the wall clock as time(2) has it and the time
 * since boot (its seconds counted from the wall clock's fraction of one),
 * whole and in 64 bits (on a 32-bit system, armhf, a 32-bit
 * time_t or long would wrap in 2038), and this boot's id, the same at
 * every call.
 */
static void
test_counts_wall_clock(void **state)
{
	struct stamp a, b;
	struct timespec boot;
	time_t before, after;

	(void)state;
	assert_true(sizeof(time_t) >= 8);
	before = time(NULL);
	real_clocks(&a);
	after = time(NULL);
	assert_true((int64_t)before <= a.wall && a.wall <= (int64_t)after);
	assert_int_equal(clock_gettime(CLOCK_BOOTTIME, &boot), 0);
	real_clocks(&b);
	/* Counted from the wall clock's fraction of a second: up to 1 s behind. */
	assert_true(a.boot <= (int64_t)boot.tv_sec &&
	    (int64_t)boot.tv_sec - 1 <= b.boot);
	assert_true(a.boot_id != 0);
	assert_true(a.boot_id == b.boot_id);
}

/*
 * A step of the wall clock is no time that passed: hours forward or back
 * between two requests, the entry keeps its age by the time since boot
 * (a hit 2 s old, then stale counts 30 s old, never expired by the step).
 * After a reboot the wall clock is all there is.
 */
static void
test_counts_clock_steps(void **state)
{
	static struct config c;
	static struct counts out;
	int64_t now = 1700000000;

	(void)state;
	test_now = now;
	counts_config(&c, "steps", "http://a", 5, 60);
	fake_reset(0, 7);
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	test_now = now + 2;
	test_wall_step = 3 * 3600;		/* NTP synced, 3 h later */
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_HIT);
	assert_int_equal(out.age, 2);
	test_wall_step = -5 * 3600;		/* set back 5 h */
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_HIT);
	assert_int_equal(out.age, 2);
	assert_int_equal(fake_calls, 1);
	/* Immich fails 30 s on: stale counts 30 s old, within the stale TTL. */
	test_now = now + 30;
	test_wall_step = 24 * 3600;
	fake_fail = 1;
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_STALE);
	assert_int_equal(out.age, 30);
	/*
	 * Rebooted, 30 s since the new boot: the wall clock is all there is,
	 * and it says 20 s passed since the counts were fetched.
	 */
	test_boot = 2;
	test_now = 30;
	test_wall_step = now + 20 - 30;
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_STALE);
	assert_int_equal(out.age, 20);
	/* A wall clock behind the counts' after a reboot: no age to tell. */
	test_wall_step = now - 100 - 30;
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), -1);
	assert_int_equal(out.source, COUNTS_NONE);
	test_boot = 1;
	test_wall_step = 0;
}

/* Past 2038 (a 32-bit long's end) the cache works as before. */
static void
test_counts_after_2038(void **state)
{
	static struct config c;
	static struct counts out;
	static struct cache_entry ent;
	int64_t now = 4102444800;	/* 2100-01-01 */

	(void)state;
	test_now = now;
	counts_config(&c, "y2038", "http://a", 5, 60);
	fake_reset(0, 7);
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	read_entry(&c, &ent);
	assert_int_equal(ent.ok_at.wall, now);
	test_now = now + 3;
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_HIT);
	assert_int_equal(out.age, 3);
	assert_int_equal(fake_calls, 1);
	/* Stale counts keep their age too. */
	test_now = now + 30;
	fake_fail = 1;
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_STALE);
	assert_int_equal(out.age, 30);
	assert_int_equal(out.jobs.q[0].active, 7);
	assert_int_equal(fake_calls, 2);
}

/* body's len bytes are exactly what fn renders for the counts of out. */
static void
assert_rendered(const char *body, size_t len, const struct counts *out,
    int json)
{
	struct render_info info = { out->fetched, 0, 0, "" };
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	if (json)
		render_json(f, &out->jobs, &info);
	else
		render_metrics_counts(f, &out->jobs);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(len, size);
	assert_memory_equal(body, buf, size);
	free(buf);
}

/*
 * Render once per fetch: the leader's miss renders the JSON body and the
 * Prometheus text and stores them; a hit gets those very bytes, which are
 * what rendering the counts it got gives, to the byte.  An entry whose
 * counts changed (another fetch) is not served the old bytes.
 */
static void
test_counts_rendered_once(void **state)
{
	static struct config c;
	static struct counts out;
	static char miss_json[65536];
	size_t miss_len;

	(void)state;
	test_now = 1700000000;
	counts_config(&c, "rendered", "http://a", 5, 60);
	fake_reset(0, 7);
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	assert_non_null(out.rendered.json);
	assert_rendered(out.rendered.json, out.rendered.json_len, &out, 1);
	assert_rendered(out.rendered.prom, out.rendered.prom_len, &out, 0);
	assert_true(out.rendered.json_len < sizeof(miss_json));
	miss_len = out.rendered.json_len;
	memcpy(miss_json, out.rendered.json, miss_len);
	test_now += 2;
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_HIT);
	assert_non_null(out.rendered.json);
	assert_int_equal(out.rendered.json_len, miss_len);
	assert_memory_equal(out.rendered.json, miss_json, miss_len);
	assert_rendered(out.rendered.json, out.rendered.json_len, &out, 1);
	assert_rendered(out.rendered.prom, out.rendered.prom_len, &out, 0);
	/* Past the TTL: new counts, new bytes; the old ones are not served. */
	test_now += 10;
	fake_active = 8;
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_MISS);
	assert_int_equal(counts_get(&c, NULL, fake_loader, &out), 0);
	assert_int_equal(out.source, COUNTS_HIT);
	assert_int_equal(out.jobs.q[0].active, 8);
	assert_rendered(out.rendered.json, out.rendered.json_len, &out, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_ttl_hit),
		cmocka_unit_test(test_counts_rendered_once),
		cmocka_unit_test(test_counts_ttl_zero),
		cmocka_unit_test(test_counts_no_dir),
		cmocka_unit_test(test_counts_expiry),
		cmocka_unit_test(test_counts_error_remembered),
		cmocka_unit_test(test_counts_stale),
		cmocka_unit_test(test_counts_per_config),
		cmocka_unit_test(test_counts_unusable_dir),
		cmocka_unit_test(test_counts_waits_for_lock_holder),
		cmocka_unit_test(test_counts_lock_timeout),
		cmocka_unit_test(test_counts_progress),
		cmocka_unit_test(test_counts_leader_killed),
		cmocka_unit_test(test_counts_write_failure_said_once),
		cmocka_unit_test(test_counts_wall_clock),
		cmocka_unit_test(test_counts_clock_steps),
		cmocka_unit_test(test_counts_after_2038),
	};

	real_clocks = counts_clock;
	counts_clock = test_clock;
	test_now = 1700000000;

	return cmocka_run_group_tests_name("counts", tests, group_setup,
	    group_teardown);
}
