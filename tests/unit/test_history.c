/*
 * test_history.c - cmocka unit tests of lib/history.c: scripted sequences
 * of fetches (draining steadily, an import, Immich's pipeline filling its
 * machine-learning queues, keeping up, delayed jobs, a queue outside the
 * pipeline, stalled, paused beside a drain, emptied, restarted, the wall
 * clock stepped) with the clocks passed in, each compared with values
 * worked out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../lib/history.h"
#include "../../lib/jobs.h"
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

/*
 * The wall clock's step from the time since boot, in seconds: 0 unless a
 * test steps it (a Raspberry Pi's NTP sync, a clock set by hand).
 */
static int64_t wall_step;

/*
 * A fetch t seconds into the test: the wall clock at T0 + t (plus any
 * step), the clock since boot at 1000 + t, one boot.
 */
static void
fetch(int64_t t, long stall_after)
{
	struct stamp at = { T0 + t + wall_step, 1000 + t, 42 };
	int64_t now = history_add(&h, &at, &j);

	history_progress(&h, &j, now, stall_after);
}

/* Empty j: queues are added with add_queue. */
static void
no_queues(void)
{
	memset(&j, 0, sizeof(j));
}

/* Add a queue called name with the given counts to j; returns its index. */
static size_t
add_queue(const char *name, int64_t active, int64_t waiting, int64_t delayed)
{
	struct queue *q = &j.q[j.n];

	strcpy(q->name, name);
	q->active = active;
	q->waiting = waiting;
	q->delayed = delayed;
	return j.n++;
}

/* Pause queue i: its waiting jobs show as paused, as Immich reports them. */
static void
pause_queue(size_t i)
{
	j.q[i].paused = j.q[i].active + j.q[i].waiting;
	j.q[i].active = j.q[i].waiting = 0;
	j.q[i].is_paused = 1;
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
	wall_step = 0;
}

/*
 * 1000 jobs (2 active, 998 waiting), 20 fewer every 5 s: 4 jobs/s, 240 a
 * minute.  The first fetch is too little to tell; then the backlog falls
 * ("draining") while the jobs finished since the fetch after the peak (at
 * 0 s) are fewer than 20 or span less than 20 s.  At 25 s: 80 jobs in
 * 20 s, 4/s; 900 left, 225 s, "≈ 4m"; at 60 s 760 left, 190 s, "≈ 3m".
 */
static void
test_draining_steadily(void **state)
{
	int64_t t;

	reset(state);
	one_queue(2, 998, 0, 0);
	fetch(0, 300);
	assert_int_equal(j.q[0].progress.state, PROGRESS_COLLECTING);
	assert_string_equal(eta(&j.q[0].progress), "collecting data");
	for (t = 5; t <= 20; t += 5) {
		one_queue(2, 998 - 4 * t, 0, 0);
		fetch(t, 300);
		assert_int_equal(j.q[0].progress.state, PROGRESS_FALLING);
		assert_string_equal(eta(&j.q[0].progress), "draining");
		assert_true(j.q[0].progress.rate == 0);
		assert_int_equal(j.q[0].progress.eta_seconds, 0);
	}
	one_queue(2, 998 - 100, 0, 0);
	fetch(25, 300);
	assert_int_equal(j.q[0].progress.state, PROGRESS_DRAINING);
	assert_true(j.q[0].progress.rate > 239.999 && j.q[0].progress.rate < 240.001);
	assert_int_equal(j.q[0].progress.eta_seconds, 225);
	assert_string_equal(eta(&j.q[0].progress), "\xe2\x89\x88 4m");
	/* One queue: the whole work is done when it is. */
	assert_int_equal(j.total_progress.state, PROGRESS_DRAINING);
	assert_int_equal(j.total_progress.eta_seconds, 225);
	assert_true(j.total_progress.rate > 239.999 &&
	    j.total_progress.rate < 240.001);
	for (t = 30; t <= 60; t += 5) {
		one_queue(2, 998 - 4 * t, 0, 0);
		fetch(t, 300);
	}
	assert_int_equal(j.q[0].progress.eta_seconds, 190);
	assert_string_equal(eta(&j.q[0].progress), "\xe2\x89\x88 3m");
	assert_int_equal(j.q[0].progress.stalled, 0);
}

/*
 * Noise on a steady drain: the jobs finished are what the backlog fell
 * from the fetch after the peak (5 s, 4977) to the last (60 s, 4763):
 * 214 jobs in 55 s, 233.45 a minute.
 */
static void
test_draining_with_noise(void **state)
{
	static const int noise[] = { 3, -3, 3, -3, 3, -3, 3, -3, 3, -3, 3, -3,
	    3 };
	int i;

	reset(state);
	for (i = 0; i < 13; i++) {
		one_queue(4, 4996 - 20 * i + noise[i], 0, 0);
		fetch(5 * i, 300);
	}
	assert_int_equal(j.q[0].progress.state, PROGRESS_DRAINING);
	assert_true(j.q[0].progress.rate > 233.44 &&
	    j.q[0].progress.rate < 233.46);
}

/*
 * A fast rise seen by sparse fetches (Prometheus every 60 s) while a job
 * runs: an import, at every fetch after the first.
 */
static void
test_growing_sparse(void **state)
{
	int64_t t;

	reset(state);
	for (t = 0; t <= 300; t += 60) {
		one_queue(1, 500 + 3 * t, 0, 0);
		fetch(t, 300);
		if (t > 0) {
			assert_int_equal(j.q[0].progress.state,
			    PROGRESS_IMPORTING);
			assert_int_equal(j.total_progress.state,
			    PROGRESS_IMPORTING);
		}
	}
	assert_true(j.q[0].progress.rate == 0);
}

/*
 * A backlog that grows while a job runs is an import in progress, not
 * "not draining": no rate from it, no ETA.
 */
static void
test_growing(void **state)
{
	int64_t t;

	reset(state);
	for (t = 0; t <= 60; t += 5) {
		one_queue(1, 500 + 4 * t, 0, 0);
		fetch(t, 300);
	}
	assert_int_equal(j.q[0].progress.state, PROGRESS_IMPORTING);
	assert_true(j.q[0].progress.rate == 0);
	assert_int_equal(j.q[0].progress.eta_seconds, 0);
	assert_string_equal(eta(&j.q[0].progress), "importing");
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
		fetch(t, 300);
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
		fetch(t, 300);
		for (i = 0; i < j.n; i++)
			assert_int_equal(j.q[i].progress.stalled, 0);
	}
	load_fixture("real-v2.7.5/jobs-no-worker-waiting.json", &j);
	fetch(300, 300);
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
	fetch(310, 300);
	assert_int_equal(j.q[0].progress.stalled, 0);
	load_fixture("real-v2.7.5/jobs-no-worker-waiting.json", &j);
	fetch(320, 300);
	assert_int_equal(j.q[0].progress.stalled, 0);
	assert_int_equal(j.q[1].progress.stalled, 1);
	fetch(330, 300);
	fetch(629, 300);
	assert_int_equal(j.q[0].progress.stalled, 0);
	fetch(630, 300);
	assert_int_equal(j.q[0].progress.stalled, 1);
}

/*
 * Delayed jobs wait for a set time (a retry, a scheduled notification),
 * not for work: "delayed", never stalled, no rate, no ETA, and no "< 1m"
 * over them, however long they sit; the total reads the same.
 */
static void
test_delayed_alone_not_stalled(void **state)
{
	int64_t t;

	reset(state);
	for (t = 0; t <= 600; t += 30) {
		one_queue(0, 0, 2, 0);
		fetch(t, 60);
		if (t > 0) {
			assert_int_equal(j.q[0].progress.state,
			    PROGRESS_DELAYED);
			assert_int_equal(j.total_progress.state,
			    PROGRESS_DELAYED);
		}
	}
	assert_int_equal(j.q[0].progress.stalled, 0);
	assert_string_equal(eta(&j.q[0].progress), "delayed");
	assert_int_equal(j.total_progress.eta_seconds, 0);
	assert_true(j.total_progress.rate == 0);
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
		fetch(t, 60);
	}
	assert_int_equal(j.q[0].progress.state, PROGRESS_PAUSED);
	assert_string_equal(eta(&j.q[0].progress), "paused");
	assert_int_equal(j.q[0].progress.stalled, 0);
	assert_true(j.q[0].progress.rate == 0);
	assert_int_equal(j.total_progress.state, PROGRESS_PAUSED);
}

/*
 * The paused queue's work is not in the total: the rest drains.  From the
 * fetch after the peak (10 s) to 60 s thumbnailGeneration finished 100
 * jobs in 50 s, 120 a minute; 480 left at 2/s, 240 s.
 */
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
		fetch(t, 300);
	}
	assert_int_equal(j.total_progress.state, PROGRESS_DRAINING);
	assert_true(j.total_progress.rate > 119.999 &&
	    j.total_progress.rate < 120.001);
	assert_int_equal(j.total_progress.eta_seconds, 240);
	assert_int_equal(j.q[0].progress.state, PROGRESS_PAUSED);
	assert_true(j.q[0].progress.rate == 0);
}

/*
 * Emptied (by hand, or Redis restarted empty), or simply done: idle at
 * once, rate 0, no ETA.
 */
static void
test_emptied(void **state)
{
	int64_t t;

	reset(state);
	for (t = 0; t <= 60; t += 10) {
		one_queue(2, 5000 - t, 0, 0);
		fetch(t, 300);
	}
	one_queue(0, 0, 0, 0);
	fetch(70, 300);
	assert_int_equal(j.q[0].progress.state, PROGRESS_IDLE);
	assert_string_equal(eta(&j.q[0].progress), "idle");
	assert_int_equal(j.q[0].progress.eta_seconds, 0);
	assert_true(j.q[0].progress.rate == 0);
	assert_int_equal(j.total_progress.state, PROGRESS_IDLE);
	assert_true(j.total_progress.rate == 0);
}

/*
 * Half emptied by hand (5002 to 2002 in 10 s) while 1 job a second
 * finishes: a fall of 3000 jobs, over ten times the 60 a minute measured
 * before it, is no work done.  The rate stays 60 a minute: at 70 s 2002
 * left, 2002 s; at 100 s 1972 left, 1972 s.
 */
static void
test_partly_emptied(void **state)
{
	int64_t t;

	reset(state);
	for (t = 0; t <= 60; t += 10) {
		one_queue(2, 5000 - t, 0, 0);
		fetch(t, 300);
	}
	assert_true(j.q[0].progress.rate > 59.999 && j.q[0].progress.rate < 60.001);
	for (t = 70; t <= 100; t += 10) {
		one_queue(2, 2000 - (t - 70), 0, 0);
		fetch(t, 300);
		assert_int_equal(j.q[0].progress.state, PROGRESS_DRAINING);
		assert_true(j.q[0].progress.rate > 59.999 &&
		    j.q[0].progress.rate < 60.001);
		assert_int_equal(j.q[0].progress.eta_seconds, 2002 - (t - 70));
	}
}

/*
 * A new import (161 to 50 108 jobs) after a drain: an import at once, no
 * ETA from the old rate; then the backlog falls from its new peak (70 s),
 * "draining" until 20 jobs over 20 s have finished after the fetch that
 * followed it: at 100 s, 200 jobs in 20 s, 600 a minute; 49 808 left,
 * 4980.8 s.
 */
static void
test_new_import(void **state)
{
	int64_t t;

	reset(state);
	for (t = 0; t <= 60; t += 10) {
		one_queue(1, 160 - t, 0, 0);
		fetch(t, 300);
	}
	assert_int_equal(j.q[0].progress.state, PROGRESS_DRAINING);
	one_queue(8, 50100, 0, 0);
	fetch(70, 300);
	assert_int_equal(j.q[0].progress.state, PROGRESS_IMPORTING);
	assert_int_equal(j.total_progress.state, PROGRESS_IMPORTING);
	for (t = 80; t < 100; t += 10) {
		one_queue(8, 50100 - 10 * (t - 70), 0, 0);
		fetch(t, 300);
		assert_int_equal(j.q[0].progress.state, PROGRESS_FALLING);
	}
	one_queue(8, 50100 - 300, 0, 0);
	fetch(100, 300);
	assert_int_equal(j.q[0].progress.state, PROGRESS_DRAINING);
	assert_int_equal(j.q[0].progress.eta_seconds, 4981);
	assert_string_equal(eta(&j.q[0].progress), "\xe2\x89\x88 1h 23m");
}

/*
 * Immich restarted: a gap longer than the window leaves nothing to compare
 * with ("collecting data"), and clocks that both went back (the history's
 * own, since boot, and the wall clock) start the history afresh.
 */
static void
test_restarted(void **state)
{
	int64_t t;

	reset(state);
	for (t = 0; t <= 60; t += 10) {
		one_queue(1, 1000 - t, 0, 0);
		fetch(t, 300);
	}
	one_queue(1, 900, 0, 0);
	fetch(60 + HISTORY_WINDOW + 1, 300);
	assert_int_equal(j.q[0].progress.state, PROGRESS_COLLECTING);
	one_queue(1, 890, 0, 0);
	fetch(10, 300);
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
		fetch(t, 300);
	}
	assert_int_equal(h.ns, 7);
	j.n = 2;
	strcpy(j.q[1].name, "ocr");
	fetch(70, 300);
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
		fetch(t, 300);
	}
	assert_int_equal(h.ns, HISTORY_SAMPLES);
	assert_int_equal(h.t[0], T0 + (200 - HISTORY_SAMPLES) * 5);
	assert_true(j.q[0].progress.rate > 119.999 && j.q[0].progress.rate < 120.001);
}

/*
 * Too slow to matter: 30 jobs a minute with 10 million left is 231 days,
 * over 30: "not draining", the rate still said.
 */
static void
test_eta_cap(void **state)
{
	int64_t t;

	reset(state);
	for (t = 0; t <= 180; t += 60) {
		one_queue(1, 10000000 - t / 2, 0, 0);
		fetch(t, 300);
	}
	assert_int_equal(j.q[0].progress.state, PROGRESS_NOT_DRAINING);
	assert_true(j.q[0].progress.rate > 29.999 && j.q[0].progress.rate < 30.001);
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
	p.state = PROGRESS_IMPORTING;
	assert_string_equal(eta(&p), "importing");
	p.state = PROGRESS_KEEPING_UP;
	assert_string_equal(eta(&p), "keeping up");
	p.state = PROGRESS_DELAYED;
	assert_string_equal(eta(&p), "delayed");
	p.state = PROGRESS_FALLING;
	assert_string_equal(eta(&p), "draining");
	p.state = PROGRESS_NOT_DRAINING;
	assert_string_equal(eta(&p), "not draining");
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
		fetch(t, 300);
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
		fetch(t, 10);
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
		fetch(t, 300);
		assert_true(j.q[0].progress.eta_seconds >= 0);
		assert_true(j.q[0].progress.rate >= 0);
		assert_true(j.total_progress.eta_seconds >= 0);
	}
}

/*
 * Immich's pipeline with machine learning on: thumbnailGeneration (300,
 * 30 done every 10 s) feeds smartSearch, faceDetection and ocr one for
 * one; smartSearch keeps up (finishes its 30), faceDetection finishes 20
 * (grows by 10), ocr 5 (grows by 25).  The total backlog rises (300 to
 * 330 at 60 s), yet the work to come falls from the start.  From the
 * fetch after the peak (10 s) to 60 s: thumbnailGeneration 150 jobs in
 * 50 s, 180 a minute, 120 left: 40 s; faceDetection 100, 120 a minute,
 * its 60 and the 120 still to come: 90 s; ocr 25, 30 a minute, 150 + 120:
 * 540 s, when the last of the work is done.  At 40 s ocr has finished 15
 * jobs after the peak: no rate, and so no ETA for the whole yet.
 */
static void
test_pipeline_ml_fill(void **state)
{
	size_t th, ss, fd, oc;
	int64_t i;

	reset(state);
	for (i = 0; i <= 6; i++) {
		no_queues();
		th = add_queue("thumbnailGeneration", 3, 297 - 30 * i, 0);
		ss = add_queue("smartSearch", 0, 0, 0);
		fd = add_queue("faceDetection", i > 0 ? 2 : 0,
		    i > 0 ? 10 * i - 2 : 0, 0);
		oc = add_queue("ocr", i > 0 ? 1 : 0, i > 0 ? 25 * i - 1 : 0, 0);
		fetch(10 * i, 300);
		if (i >= 1 && i <= 4) {
			assert_int_equal(j.total_progress.state,
			    PROGRESS_FALLING);
			assert_string_equal(eta(&j.total_progress), "draining");
		}
		if (i == 5) {
			/* ocr: 20 jobs in 40 s, 275 to do: 550 s. */
			assert_int_equal(j.q[oc].progress.eta_seconds, 550);
			assert_int_equal(j.total_progress.eta_seconds, 550);
		}
	}
	assert_int_equal(j.q[th].progress.state, PROGRESS_DRAINING);
	assert_int_equal(j.q[th].progress.eta_seconds, 40);
	assert_true(j.q[th].progress.rate > 179.999 &&
	    j.q[th].progress.rate < 180.001);
	assert_int_equal(j.q[ss].progress.eta_seconds, 40);
	assert_int_equal(j.q[fd].progress.eta_seconds, 90);
	assert_true(j.q[fd].progress.rate > 119.999 &&
	    j.q[fd].progress.rate < 120.001);
	assert_int_equal(j.q[oc].progress.eta_seconds, 540);
	assert_true(j.q[oc].progress.rate > 29.999 &&
	    j.q[oc].progress.rate < 30.001);
	assert_int_equal(j.total_progress.state, PROGRESS_DRAINING);
	assert_int_equal(j.total_progress.eta_seconds, 540);
	/* Jobs finished a minute, all queues: 180 + 180 + 120 + 30. */
	assert_true(j.total_progress.rate > 509.999 &&
	    j.total_progress.rate < 510.001);
}

/*
 * An import: metadataExtraction works through each upload at once (2
 * active, 0 or 1 waiting: keeping up) while thumbnailGeneration grows by
 * 50 every 10 s: an import, for the queue and the whole.  The upload ends
 * at 50 s: metadataExtraction empty, "keeping up" for its last fetches,
 * then idle; thumbnailGeneration falls 40 every 10 s from its peak at
 * 50 s, "draining" until 80 s, when 80 jobs in 20 s give 240 a minute:
 * 133 left, 33 s.
 */
static void
test_import_then_drain(void **state)
{
	size_t me, th;
	int64_t i;

	reset(state);
	for (i = 0; i <= 9; i++) {
		no_queues();
		me = add_queue("metadataExtraction", i <= 5 ? 2 : 0,
		    i <= 5 ? i % 2 : 0, 0);
		add_queue("storageTemplateMigration", 0, 0, 0);
		th = add_queue("thumbnailGeneration", 3,
		    i <= 5 ? 50 * i : 250 - 40 * (i - 5), 0);
		fetch(10 * i, 300);
		if (i >= 1 && i <= 5) {
			assert_int_equal(j.q[me].progress.state,
			    PROGRESS_KEEPING_UP);
			assert_string_equal(eta(&j.q[me].progress),
			    "keeping up");
			assert_int_equal(j.q[th].progress.state,
			    PROGRESS_IMPORTING);
			assert_int_equal(j.total_progress.state,
			    PROGRESS_IMPORTING);
			assert_int_equal(j.total_progress.eta_seconds, 0);
		}
		if (i == 6 || i == 7) {
			assert_int_equal(j.q[me].progress.state,
			    PROGRESS_KEEPING_UP);
			assert_int_equal(j.q[th].progress.state,
			    PROGRESS_FALLING);
			assert_int_equal(j.total_progress.state,
			    PROGRESS_FALLING);
		}
	}
	assert_int_equal(j.q[me].progress.state, PROGRESS_IDLE);
	assert_true(j.q[me].progress.rate == 0);
	assert_int_equal(j.q[th].progress.state, PROGRESS_DRAINING);
	/* at 90 s: 120 jobs in 30 s, 240 a minute; 93 left: 23 s */
	assert_int_equal(j.q[th].progress.eta_seconds, 23);
	assert_int_equal(j.total_progress.eta_seconds, 23);
}

/*
 * A queue the pipeline does not know (library) stands alone beside
 * thumbnailGeneration: each its own rate, and the whole is done when the
 * slower is, not when the summed backlog falls at the summed rate.  At
 * 60 s: library 30 jobs in 50 s, 36 a minute, 84 left: 140 s;
 * thumbnailGeneration 200 in 50 s, 240 a minute, 160 left: 40 s.  (Summed:
 * 244 at 276 a minute, 53 s: far too soon.)
 */
static void
test_unknown_queue(void **state)
{
	size_t li, th;
	int64_t i;

	reset(state);
	for (i = 0; i <= 6; i++) {
		no_queues();
		li = add_queue("library", 1, 119 - 6 * i, 0);
		th = add_queue("thumbnailGeneration", 3, 397 - 40 * i, 0);
		fetch(10 * i, 300);
	}
	assert_int_equal(j.q[li].progress.eta_seconds, 140);
	assert_int_equal(j.q[th].progress.eta_seconds, 40);
	assert_int_equal(j.total_progress.state, PROGRESS_DRAINING);
	assert_int_equal(j.total_progress.eta_seconds, 140);
}

/*
 * A pause of one queue does not blind another: library drains 12 jobs
 * every 10 s (72 a minute) while thumbnailGeneration, 100 jobs that do
 * not move, is paused at 30 s and resumed at 60 s.  library's ETA goes on
 * as if nothing happened (at 30 s 204 left: 170 s; 40 s: 160 s; 50 s:
 * 150 s); thumbnailGeneration reads "paused", never stalled, and after
 * the resume "draining" while its jobs go, then idle.
 */
static void
test_pause_beside_drain(void **state)
{
	static const int64_t thumbs[] = { 100, 100, 100, 100, 100, 100, 60, 20,
	    0 };
	size_t li, th;
	int64_t i;

	reset(state);
	for (i = 0; i <= 8; i++) {
		no_queues();
		li = add_queue("library", 2, 238 - 12 * i, 0);
		th = add_queue("thumbnailGeneration", thumbs[i] ? 3 : 0,
		    thumbs[i] ? thumbs[i] - 3 : 0, 0);
		if (i >= 3 && i <= 5)
			pause_queue(th);
		fetch(10 * i, 60);
		if (i >= 3 && i <= 5) {
			assert_int_equal(j.q[th].progress.state,
			    PROGRESS_PAUSED);
			assert_int_equal(j.q[th].progress.stalled, 0);
			assert_int_equal(j.q[li].progress.state,
			    PROGRESS_DRAINING);
			assert_int_equal(j.q[li].progress.eta_seconds,
			    (240 - 12 * i) * 60 / 72);
		}
		if (i == 6 || i == 7) {
			assert_int_equal(j.q[th].progress.state,
			    PROGRESS_FALLING);
			assert_int_not_equal(j.total_progress.state,
			    PROGRESS_NOT_DRAINING);
		}
	}
	assert_int_equal(j.q[th].progress.state, PROGRESS_IDLE);
	assert_int_equal(j.q[li].progress.state, PROGRESS_DRAINING);
}

/*
 * facialRecognition's one job waits until faceDetection is empty, its
 * queue growing meanwhile: done when faceDetection is (at 60 s 100 jobs
 * in 50 s, 120 a minute, 80 left: 40 s), and never stalled.
 */
static void
test_facial_recognition_waits(void **state)
{
	size_t fd, fr;
	int64_t i;

	reset(state);
	for (i = 0; i <= 6; i++) {
		no_queues();
		fd = add_queue("faceDetection", 2, 198 - 20 * i, 0);
		fr = add_queue("facialRecognition", 1, 5 * i, 0);
		fetch(10 * i, 30);
	}
	assert_int_equal(j.q[fd].progress.eta_seconds, 40);
	assert_int_equal(j.q[fr].progress.state, PROGRESS_DRAINING);
	assert_int_equal(j.q[fr].progress.eta_seconds, 40);
	assert_int_equal(j.q[fr].progress.stalled, 0);
	assert_int_equal(j.total_progress.eta_seconds, 40);
	/* faceDetection done: facialRecognition clears at once. */
	no_queues();
	fd = add_queue("faceDetection", 0, 0, 0);
	fr = add_queue("facialRecognition", 0, 0, 0);
	fetch(70, 30);
	assert_int_equal(j.q[fr].progress.state, PROGRESS_IDLE);
	assert_int_equal(j.total_progress.state, PROGRESS_IDLE);
}

/*
 * The wall clock steps (3 h forward at 30 s, 5 h back at 45 s) during the
 * steady drain of test_draining_steadily: the figures are the same (at
 * 60 s 760 left, 190 s); and a queue stuck from 0 s with
 * IMMICH_JOBS_STALL_AFTER=60 is stalled from 60 s, not at the step.
 */
static void
test_wall_clock_steps(void **state)
{
	size_t d, s;
	int64_t t;

	reset(state);
	for (t = 0; t <= 60; t += 5) {
		if (t == 30)
			wall_step = 3 * 3600;
		if (t == 45)
			wall_step = -5 * 3600;
		no_queues();
		d = add_queue("library", 2, 998 - 4 * t, 0);
		s = add_queue("sidecar", 0, 7, 0);
		fetch(t, 60);
		assert_int_equal(h.ns, (uint32_t)(t / 5 + 1));
		assert_int_equal(j.q[s].progress.stalled, t >= 60);
		if (t >= 25)
			assert_int_equal(j.q[d].progress.state,
			    PROGRESS_DRAINING);
	}
	assert_int_equal(j.q[d].progress.eta_seconds, 190);
}

/*
 * Work that does not move gets no "< 1m": 100 jobs fall 20 every 10 s to
 * 2 at 50 s (78 jobs in 40 s after the peak's next fetch, 117 a minute),
 * then stay.  The ETA holds while the wait is what three jobs take at
 * that rate plus 30 s (31.5 s); from 90 s it reads "not draining".
 */
static void
test_not_moving(void **state)
{
	int64_t t;

	reset(state);
	for (t = 0; t <= 40; t += 10) {
		one_queue(1, 99 - 2 * t, 0, 0);
		fetch(t, 300);
	}
	for (t = 50; t <= 150; t += 10) {
		one_queue(0, 2, 0, 0);
		fetch(t, 300);
		if (t <= 80) {
			assert_int_equal(j.q[0].progress.state,
			    PROGRESS_DRAINING);
			assert_string_equal(eta(&j.q[0].progress), "< 1m");
		} else {
			assert_int_equal(j.q[0].progress.state,
			    PROGRESS_NOT_DRAINING);
			assert_int_equal(j.q[0].progress.eta_seconds, 0);
			assert_int_equal(j.total_progress.eta_seconds, 0);
		}
	}
}

/*
 * One connection, as the phone app uploads: metadataExtraction keeps up
 * with a slow upload (1 job active at every fetch) while thumbnailGeneration
 * falls 20 every 10 s from its peak of 834.  The feed is unseen, so what
 * thumbnailGeneration finished is at least its fall: 120 a minute, and the
 * ETA is when the work runs out at that pace.  From 30 s (40 jobs in 20 s
 * after the fetch that followed the peak) an ETA; at 80 s 674 thumbnails
 * and 1 metadata job, 675 at 2 a second: 338 s.
 */
static void
test_one_connection(void **state)
{
	size_t th;
	int64_t i;

	reset(state);
	for (i = 0; i <= 8; i++) {
		no_queues();
		add_queue("metadataExtraction", 1, 0, 0);
		add_queue("storageTemplateMigration", 0, 0, 0);
		th = add_queue("thumbnailGeneration", 3, 831 - 20 * i, 0);
		fetch(10 * i, 300);
		if (i >= 3)
			assert_int_equal(j.total_progress.state,
			    PROGRESS_DRAINING);
	}
	assert_true(j.q[th].progress.rate > 119.999 &&
	    j.q[th].progress.rate < 120.001);
	assert_int_equal(j.q[th].progress.eta_seconds, 338);
	assert_int_equal(j.total_progress.eta_seconds, 338);
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
		cmocka_unit_test(test_pipeline_ml_fill),
		cmocka_unit_test(test_import_then_drain),
		cmocka_unit_test(test_unknown_queue),
		cmocka_unit_test(test_pause_beside_drain),
		cmocka_unit_test(test_facial_recognition_waits),
		cmocka_unit_test(test_wall_clock_steps),
		cmocka_unit_test(test_not_moving),
		cmocka_unit_test(test_one_connection),
	};

	return cmocka_run_group_tests_name("history", tests, group_setup,
	    group_teardown);
}
