/*
 * clock_shim.c - the clocks of a replay (make replay) and of the tests
 * that step the wall clock.  Preloaded into the CGI (LD_PRELOAD), it
 * answers CLOCK_REALTIME (and time, gettimeofday) from IJP_SHIM_WALL and
 * CLOCK_BOOTTIME from IJP_SHIM_BOOT, each in seconds (fractions allowed)
 * and moving on with the real monotonic clock from the process's first
 * look at a clock; a variable that is unset leaves its clock alone.
 *
 * Built for the tests only and never installed: the service has no code
 * that sets or shifts a clock, so nothing a request, lighttpd or its
 * documented variables carry can move its time.
 */
#define _GNU_SOURCE
#include <sys/time.h>

#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

/*
 * Built as the CGI is (_TIME_BITS=64): on a 32-bit system the functions
 * below are then the 64-bit ones the CGI calls, and so is the real one.
 */
#if defined(__USE_TIME_BITS64) && __TIMESIZE == 32
#define REAL_CLOCK	"__clock_gettime64"
#else
#define REAL_CLOCK	"clock_gettime"
#endif

typedef int (*clock_fn)(clockid_t, struct timespec *);

static clock_fn	real_clock;
static struct timespec start;
static int	started;

static int
real(clockid_t id, struct timespec *ts)
{
	if (real_clock == NULL)
		real_clock = (clock_fn)dlsym(RTLD_NEXT, REAL_CLOCK);
	return real_clock(id, ts);
}

/* The clock set by variable var, moved on since the start; 0 if unset. */
static int
shifted(const char *var, struct timespec *ts)
{
	const char *v = getenv(var);
	struct timespec now;
	double t;

	if (v == NULL || *v == '\0')
		return 0;
	real(CLOCK_MONOTONIC, &now);
	if (!started) {
		start = now;
		started = 1;
	}
	t = strtod(v, NULL) + (double)(now.tv_sec - start.tv_sec) +
	    (double)(now.tv_nsec - start.tv_nsec) / 1e9;
	ts->tv_sec = (time_t)t;
	ts->tv_nsec = (long)((t - (double)ts->tv_sec) * 1e9);
	return 1;
}

int
clock_gettime(clockid_t id, struct timespec *ts)
{
	if ((id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE) &&
	    shifted("IJP_SHIM_WALL", ts))
		return 0;
	if (id == CLOCK_BOOTTIME && shifted("IJP_SHIM_BOOT", ts))
		return 0;
	return real(id, ts);
}

time_t
time(time_t *out)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (out != NULL)
		*out = ts.tv_sec;
	return ts.tv_sec;
}

int
gettimeofday(struct timeval *tv, void *tz)
{
	struct timespec ts;

	(void)tz;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (tv != NULL) {
		tv->tv_sec = ts.tv_sec;
		tv->tv_usec = ts.tv_nsec / 1000;
	}
	return 0;
}
