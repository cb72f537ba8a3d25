/*
 * test_history.c - cmocka unit tests of lib/history.c: scripted sequences
 * of fetches (draining steadily, growing, stalled, paused, restarted,
 * emptied, a new import, idle) with the time passed in, each compared with
 * values worked out by hand.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../lib/history.h"
#include "unit.h"

#define T0	1700000000	/* any Unix time */

static struct history h;
static struct jobs j;

/* One queue, "q", with the given counts. */
static void
one_queue(int64_t active, int64_t waiting, int64_t delayed, int paused)
{
	memset(&j, 0, sizeof(j));
	j.n = 1;
	strcpy(j.q[0].name, "q");
	j.q[0].active = active;
	j.q[0].waiting = waiting;
	j.q[0].delayed = delayed;
	j.q[0].is_paused = paused;
	if (paused) {
		j.q[0].paused = waiting;
		j.q[0].waiting = 0;
	}
}

static void
fetch(int64_t t, long stall_after)
{
	history_add(&h, t, &j);
	history_progress(&h, &j, t, stall_after);
}

static const char *
eta(const struct progress *p)
{
	static char buf[64];

	return history_eta_text(p, buf, sizeof(buf));
}

static void
reset(void **state)
{
	(void)state;
	memset(&h, 0, sizeof(h));
}

/*
 * 1000 jobs (2 active, 998 waiting), 20 fewer every 5 s: 4 jobs/s, 240 a
 * minute.  At 25 s the history spans less than 30 s; at 30 s it is 880
 * left, 880 / 4 = 220 s, shown "≈ 4m"; at 60 s 760 left, 190 s, "≈ 3m".
 */
static void
test_draining_steadily(void **state)
{
	int64_t t;

	reset(state);
	for (t = 0; t <= 25; t += 5) {
		one_queue(2, 998 - 4 * t, 0, 0);
		fetch(T0 + t, 300);
		assert_int_equal(j.q[0].progress.state, PROGRESS_COLLECTING);
		assert_string_equal(eta(&j.q[0].progress), "collecting data");
		assert_true(j.q[0].progress.rate == 0);
	}
	one_queue(2, 998 - 120, 0, 0);
	fetch(T0 + 30, 300);
	assert_int_equal(j.q[0].progress.state, PROGRESS_DRAINING);
	assert_true(j.q[0].progress.rate > 239.999 && j.q[0].progress.rate < 240.001);
	assert_int_equal(j.q[0].progress.eta_seconds, 220);
	assert_string_equal(eta(&j.q[0].progress), "\xe2\x89\x88 4m");
	/* One queue: the whole backlog moves the same. */
	assert_int_equal(j.total_progress.state, PROGRESS_DRAINING);
	assert_int_equal(j.total_progress.eta_seconds, 220);
	for (t = 35; t <= 60; t += 5) {
		one_queue(2, 998 - 4 * t, 0, 0);
		fetch(T0 + t, 300);
	}
	assert_int_equal(j.q[0].progress.eta_seconds, 190);
	assert_string_equal(eta(&j.q[0].progress), "\xe2\x89\x88 3m");
	assert_int_equal(j.q[0].progress.stalled, 0);
}

/* Noise on a steady drain: the least-squares line still gives 240/min. */
static void
test_draining_with_noise(void **state)
{
	static const int noise[] = { 3, -3, 3, -3, 3, -3, 3, -3, 3, -3, 3, -3,
	    3 };
	int i;

	reset(state);
	/* Symmetric noise around 5000 - 4 t leaves the slope at -4/s. */
	for (i = 0; i < 13; i++) {
		one_queue(4, 4996 - 20 * i + noise[i], 0, 0);
		fetch(T0 + 5 * i, 300);
	}
	assert_int_equal(j.q[0].progress.state, PROGRESS_DRAINING);
	assert_true(j.q[0].progress.rate > 235 && j.q[0].progress.rate < 245);
}

/*
 * A fast rise seen by sparse fetches (Prometheus every 60 s): each step
 * looks like a jump, yet the answer is "not draining", not "collecting".
 */
static void
test_growing_sparse(void **state)
{
	int64_t t;

	reset(state);
	for (t = 0; t <= 300; t += 60) {
		one_queue(1, 500 + 3 * t, 0, 0);
		fetch(T0 + t, 300);
		if (t > 0)
			assert_int_equal(j.q[0].progress.state,
			    PROGRESS_NOT_DRAINING);
	}
	assert_true(j.q[0].progress.rate == 0);
}

/* A growing backlog never drains: no negative rate, no ETA. */
static void
test_growing(void **state)
{
	int64_t t;

	reset(state);
	for (t = 0; t <= 60; t += 5) {
		one_queue(1, 500 + 4 * t, 0, 0);
		fetch(T0 + t, 300);
	}
	assert_int_equal(j.q[0].progress.state, PROGRESS_NOT_DRAINING);
	assert_true(j.q[0].progress.rate == 0);
	assert_int_equal(j.q[0].progress.eta_seconds, 0);
	assert_string_equal(eta(&j.q[0].progress), "not draining");
	assert_int_equal(j.q[0].progress.stalled, 0);	/* it is active */
}

/* Unchanged counts with work active: not draining, not stalled. */
static void
test_flat_active(void **state)
{
	int64_t t;

	reset(state);
	for (t = 0; t <= 600; t += 10) {
		one_queue(1, 50, 0, 0);
		fetch(T0 + t, 300);
	}
	assert_int_equal(j.q[0].progress.state, PROGRESS_NOT_DRAINING);
	assert_int_equal(j.q[0].progress.stalled, 0);
}

/*
 * Immich's API without its worker (a real v2.7.5 answer): 7 queues hold
 * waiting jobs, notifications only delayed ones, nothing is active.  With
 * IMMICH_JOBS_STALL_AFTER=300 the 7 are stalled from the fetch 300 s after
 * the first, not before; notifications never.
 */
static void
test_stalled_no_worker(void **state)
{
	static const char *const stalled[] = { "thumbnailGeneration",
	    "metadataExtraction", "smartSearch", "duplicateDetection",
	    "faceDetection", "sidecar", "library" };
	int64_t t;
	size_t i, k, n;

	reset(state);
	for (t = 0; t <= 290; t += 10) {
		load_fixture("real-v2.7.5/jobs-no-worker-waiting.json", &j);
		fetch(T0 + t, 300);
		for (i = 0; i < j.n; i++)
			assert_int_equal(j.q[i].progress.stalled, 0);
	}
	load_fixture("real-v2.7.5/jobs-no-worker-waiting.json", &j);
	fetch(T0 + 300, 300);
	for (i = 0, n = 0; i < j.n; i++) {
		int want = 0;

		for (k = 0; k < sizeof(stalled) / sizeof(stalled[0]); k++)
			if (strcmp(j.q[i].name, stalled[k]) == 0)
				want = 1;
		print_message("%s\n", j.q[i].name);
		assert_int_equal(j.q[i].progress.stalled, want);
		n += j.q[i].progress.stalled;
		if (want)
			assert_int_equal(j.q[i].progress.state,
			    PROGRESS_NOT_DRAINING);
	}
	assert_int_equal(n, 7);
	/* 23 jobs (21 waiting, 2 delayed) that do not move. */
	assert_int_equal(j.total_progress.state, PROGRESS_NOT_DRAINING);

	/*
	 * One active job anywhere in a queue's fetches resets its clock, and
	 * so does its backlog falling (that job done): the clock starts
	 * again at the first fetch after that with neither.
	 */
	load_fixture("real-v2.7.5/jobs-no-worker-waiting.json", &j);
	j.q[0].active = 1;
	fetch(T0 + 310, 300);
	assert_int_equal(j.q[0].progress.stalled, 0);
	load_fixture("real-v2.7.5/jobs-no-worker-waiting.json", &j);
	fetch(T0 + 320, 300);
	assert_int_equal(j.q[0].progress.stalled, 0);
	assert_int_equal(j.q[1].progress.stalled, 1);
	fetch(T0 + 330, 300);
	fetch(T0 + 629, 300);
	assert_int_equal(j.q[0].progress.stalled, 0);
	fetch(T0 + 630, 300);
	assert_int_equal(j.q[0].progress.stalled, 1);
}

/* Delayed jobs wait for their retry time: alone they are no stall. */
static void
test_delayed_alone_not_stalled(void **state)
{
	int64_t t;

	reset(state);
	for (t = 0; t <= 600; t += 30) {
		one_queue(0, 0, 2, 0);
		fetch(T0 + t, 60);
	}
	assert_int_equal(j.q[0].progress.stalled, 0);
}

/* A paused queue reads "paused" and is never stalled; so does the total
 * when paused queues hold all the work. */
static void
test_paused(void **state)
{
	int64_t t;

	reset(state);
	for (t = 0; t <= 600; t += 30) {
		one_queue(0, 2417, 0, 1);
		fetch(T0 + t, 60);
	}
	assert_int_equal(j.q[0].progress.state, PROGRESS_PAUSED);
	assert_string_equal(eta(&j.q[0].progress), "paused");
	assert_int_equal(j.q[0].progress.stalled, 0);
	assert_true(j.q[0].progress.rate == 0);
	assert_int_equal(j.total_progress.state, PROGRESS_PAUSED);
}

/* The paused queue's work is not in the total: the rest drains. */
static void
test_paused_beside_draining(void **state)
{
	int64_t t;

	reset(state);
	for (t = 0; t <= 60; t += 10) {
		memset(&j, 0, sizeof(j));
		j.n = 2;
		strcpy(j.q[0].name, "smartSearch");
		j.q[0].paused = 2417;
		j.q[0].is_paused = 1;
		strcpy(j.q[1].name, "thumbnailGeneration");
		j.q[1].active = 4;
		j.q[1].waiting = 596 - 2 * t;	/* 2 jobs/s = 120/min */
		fetch(T0 + t, 300);
	}
	/* 600 - 120 = 480 left at 2/s: 240 s. */
	assert_int_equal(j.total_progress.state, PROGRESS_DRAINING);
	assert_true(j.total_progress.rate > 119.999 &&
	    j.total_progress.rate < 120.001);
	assert_int_equal(j.total_progress.eta_seconds, 240);
	assert_int_equal(j.q[0].progress.state, PROGRESS_PAUSED);
}

/* Emptied (by hand, or Redis restarted empty): idle at once, no ETA. */
static void
test_emptied(void **state)
{
	int64_t t;

	reset(state);
	for (t = 0; t <= 60; t += 10) {
		one_queue(2, 5000 - t, 0, 0);
		fetch(T0 + t, 300);
	}
	one_queue(0, 0, 0, 0);
	fetch(T0 + 70, 300);
	assert_int_equal(j.q[0].progress.state, PROGRESS_IDLE);
	assert_string_equal(eta(&j.q[0].progress), "idle");
	assert_int_equal(j.q[0].progress.eta_seconds, 0);
	assert_true(j.q[0].progress.rate >= 0);
}

/*
 * Half emptied by hand (5000 to 2000): not a drain of 3000 jobs in 10 s.
 * The window starts afresh, so for 30 s there is no estimate; then the
 * real rate, 60/min, gives 2000 - 30 = 1970 left in 1970 s.
 */
static void
test_partly_emptied(void **state)
{
	int64_t t;

	reset(state);
	for (t = 0; t <= 60; t += 10) {
		one_queue(2, 5000 - t, 0, 0);
		fetch(T0 + t, 300);
	}
	for (t = 70; t < 100; t += 10) {
		one_queue(2, 2000 - (t - 70), 0, 0);
		fetch(T0 + t, 300);
		assert_int_equal(j.q[0].progress.state, PROGRESS_COLLECTING);
	}
	one_queue(2, 2000 - 30, 0, 0);
	fetch(T0 + 100, 300);
	assert_int_equal(j.q[0].progress.state, PROGRESS_DRAINING);
	assert_true(j.q[0].progress.rate > 59.999 && j.q[0].progress.rate < 60.001);
	assert_int_equal(j.q[0].progress.eta_seconds, 1972);
}

/*
 * A new import (100 to 50 100 jobs): no "not draining" for the minutes the
 * old samples stay in the window, and no ETA from the old rate: collecting
 * data for 30 s, then the new rate.
 */
static void
test_new_import(void **state)
{
	int64_t t;

	reset(state);
	for (t = 0; t <= 60; t += 10) {
		one_queue(1, 160 - t, 0, 0);
		fetch(T0 + t, 300);
	}
	assert_int_equal(j.q[0].progress.state, PROGRESS_DRAINING);
	/* It rose: that much is known at once. */
	one_queue(8, 50100, 0, 0);
	fetch(T0 + 70, 300);
	assert_int_equal(j.q[0].progress.state, PROGRESS_NOT_DRAINING);
	for (t = 80; t < 100; t += 10) {
		one_queue(8, 50100 - 10 * (t - 70), 0, 0);
		fetch(T0 + t, 300);
		assert_int_equal(j.q[0].progress.state, PROGRESS_COLLECTING);
	}
	one_queue(8, 50100 - 300, 0, 0);
	fetch(T0 + 100, 300);
	/* 600/min: 49 808 left, 4980.8 s. */
	assert_int_equal(j.q[0].progress.state, PROGRESS_DRAINING);
	assert_int_equal(j.q[0].progress.eta_seconds, 4981);
	assert_string_equal(eta(&j.q[0].progress), "\xe2\x89\x88 1h 23m");
}

/*
 * Immich restarted: a gap longer than the window leaves nothing to compare
 * with, and a clock that went back starts the history afresh.
 */
static void
test_restarted(void **state)
{
	int64_t t;

	reset(state);
	for (t = 0; t <= 60; t += 10) {
		one_queue(1, 1000 - t, 0, 0);
		fetch(T0 + t, 300);
	}
	one_queue(1, 900, 0, 0);
	fetch(T0 + 60 + HISTORY_WINDOW + 1, 300);
	assert_int_equal(j.q[0].progress.state, PROGRESS_COLLECTING);
	one_queue(1, 890, 0, 0);
	fetch(T0 + 10, 300);
	assert_int_equal(h.ns, 1);
	assert_int_equal(j.q[0].progress.state, PROGRESS_COLLECTING);
}

/* Another set of queues (an Immich upgrade) starts afresh. */
static void
test_queues_changed(void **state)
{
	int64_t t;

	reset(state);
	for (t = 0; t <= 60; t += 10) {
		one_queue(1, 1000 - t, 0, 0);
		fetch(T0 + t, 300);
	}
	assert_int_equal(h.ns, 7);
	j.n = 2;
	strcpy(j.q[1].name, "ocr");
	fetch(T0 + 70, 300);
	assert_int_equal(h.ns, 1);
	assert_int_equal(h.nq, 2);
	assert_int_equal(j.q[0].progress.state, PROGRESS_COLLECTING);
}

/* Idle queues and an idle total. */
static void
test_idle(void **state)
{
	reset(state);
	load_fixture("jobs-idle.json", &j);
	fetch(T0, 300);
	assert_int_equal(j.total_progress.state, PROGRESS_IDLE);
	assert_int_equal(j.q[3].progress.state, PROGRESS_IDLE);
	assert_string_equal(eta(&j.total_progress), "idle");
}

/* No more than HISTORY_SAMPLES are kept; the window is the last 300 s. */
static void
test_bounded(void **state)
{
	int64_t t;

	reset(state);
	for (t = 0; t < 200 * 5; t += 5) {
		one_queue(1, 100000 - 2 * t, 0, 0);
		fetch(T0 + t, 300);
	}
	assert_int_equal(h.ns, HISTORY_SAMPLES);
	assert_int_equal(h.t[0], T0 + (200 - HISTORY_SAMPLES) * 5);
	assert_true(j.q[0].progress.rate > 119.999 && j.q[0].progress.rate < 120.001);
}

/* Too slow to matter: over 30 days reads "not draining". */
static void
test_eta_cap(void **state)
{
	int64_t t;

	reset(state);
	/* 1 job per 60 s with 10 million left: 19 years. */
	for (t = 0; t <= 120; t += 60) {
		one_queue(1, 10000000 - t / 60, 0, 0);
		fetch(T0 + t, 300);
	}
	assert_int_equal(j.q[0].progress.state, PROGRESS_NOT_DRAINING);
	assert_true(j.q[0].progress.rate > 0.99 && j.q[0].progress.rate < 1.01);
	assert_int_equal(j.q[0].progress.eta_seconds, 0);
}

static void
test_eta_text(void **state)
{
	struct progress p = { 0, 0, PROGRESS_DRAINING, 0 };

	(void)state;
	p.eta_seconds = 29;
	assert_string_equal(eta(&p), "< 1m");
	p.eta_seconds = 30;
	assert_string_equal(eta(&p), "\xe2\x89\x88 1m");
	p.eta_seconds = 2 * 3600 + 14 * 60 + 10;
	assert_string_equal(eta(&p), "\xe2\x89\x88 2h 14m");
	p.eta_seconds = 3 * 86400 + 4 * 3600 + 100;
	assert_string_equal(eta(&p), "\xe2\x89\x88 3d 4h");
	p.state = PROGRESS_COLLECTING;
	assert_string_equal(eta(&p), "collecting data");
	p.state = PROGRESS_UNKNOWN;
	assert_string_equal(eta(&p), "unknown");
}

/*
 * Pausing a queue takes its work out of the total: that fall is not a
 * drain.  a and b hold 602 and 402 jobs that do not move; b is paused at
 * 40 s.  The total must never read as draining.
 */
static void
test_pause_is_not_progress(void **state)
{
	int64_t t;

	reset(state);
	for (t = 0; t <= 120; t += 5) {
		memset(&j, 0, sizeof(j));
		j.n = 2;
		strcpy(j.q[0].name, "a");
		j.q[0].active = 2;
		j.q[0].waiting = 600;
		strcpy(j.q[1].name, "b");
		if (t < 40) {
			j.q[1].active = 2;
			j.q[1].waiting = 400;
		} else {
			j.q[1].paused = 402;
			j.q[1].is_paused = 1;
		}
		fetch(T0 + t, 300);
		if (t >= 30)
			assert_int_not_equal(j.total_progress.state,
			    PROGRESS_DRAINING);
		assert_true(j.total_progress.rate == 0);
	}
	assert_int_equal(j.total_progress.state, PROGRESS_NOT_DRAINING);
}

/*
 * Jobs so quick that no fetch sees one active, yet the backlog falls: not
 * a stall, whatever IMMICH_JOBS_STALL_AFTER.
 */
static void
test_fast_jobs_not_stalled(void **state)
{
	int64_t t;

	reset(state);
	for (t = 0; t <= 120; t += 5) {
		one_queue(0, 1000 - 4 * t, 0, 0);
		fetch(T0 + t, 10);
		assert_int_equal(j.q[0].progress.stalled, 0);
	}
	assert_int_equal(j.q[0].progress.state, PROGRESS_DRAINING);
}

/* Counts near 2^63: the backlog is held, never wrapped to a negative ETA. */
static void
test_huge_counts(void **state)
{
	int64_t t;

	reset(state);
	for (t = 0; t <= 60; t += 5) {
		one_queue(INT64_MAX - 1, INT64_MAX - 1 - 20 * t, 0, 0);
		fetch(T0 + t, 300);
		assert_true(j.q[0].progress.eta_seconds >= 0);
		assert_true(j.q[0].progress.rate >= 0);
		assert_true(j.total_progress.eta_seconds >= 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_draining_steadily),
		cmocka_unit_test(test_draining_with_noise),
		cmocka_unit_test(test_growing),
		cmocka_unit_test(test_growing_sparse),
		cmocka_unit_test(test_flat_active),
		cmocka_unit_test(test_stalled_no_worker),
		cmocka_unit_test(test_delayed_alone_not_stalled),
		cmocka_unit_test(test_paused),
		cmocka_unit_test(test_paused_beside_draining),
		cmocka_unit_test(test_emptied),
		cmocka_unit_test(test_partly_emptied),
		cmocka_unit_test(test_new_import),
		cmocka_unit_test(test_restarted),
		cmocka_unit_test(test_queues_changed),
		cmocka_unit_test(test_idle),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_eta_cap),
		cmocka_unit_test(test_eta_text),
		cmocka_unit_test(test_pause_is_not_progress),
		cmocka_unit_test(test_fast_jobs_not_stalled),
		cmocka_unit_test(test_huge_counts),
	};

	return cmocka_run_group_tests_name("history", tests, group_setup,
	    group_teardown);
}
