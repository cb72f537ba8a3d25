/*
 * cap.c - the hard cap; see cap.h.  A timer writes a prepared answer and
 * ends the process; its handler makes async-signal-safe calls only.
 */
#include <sys/time.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../lib/config.h"
#include "cap.h"
#include "log.h"

static struct {
	volatile sig_atomic_t	 answering;	/* the real answer has begun */
	volatile sig_atomic_t	 extended;	/* the extra second is given */
	/* Set: the answer is made when the cap strikes (cap_arm_files). */
	const struct request	*lazy;
	long			 timeout;
	char			 out[2048];	/* prepared answer for stdout */
	size_t			 out_len;
	char			 log[ERR_MSG_MAX + 64];	/* and for stderr */
	size_t			 log_len;
} cap;

static void	prepare(const struct request *, const struct err *);
static void	files_err(struct err *, long);

static void
on_hard_cap(int sig)
{
	struct err e;

	(void)sig;
	if (cap.lazy != NULL && !cap.answering) {
		files_err(&e, cap.timeout);
		prepare(cap.lazy, &e);
	}
	if (cap.answering && !cap.extended) {
		cap.extended = 1;
		alarm(1);
		return;
	}
	if (!cap.answering && cap.out_len > 0)
		(void)!write(STDOUT_FILENO, cap.out, cap.out_len);
	(void)!write(STDERR_FILENO, cap.log, cap.log_len);
	_exit(1);
}

/* r's answer with e into cap.out (none from a shell, or if it won't fit). */
static void
prepare(const struct request *r, const struct err *e)
{
	FILE *f;

	cap.out_len = 0;
	if (r->is_cgi && (f = fmemopen(cap.out, sizeof(cap.out), "w")) !=
	    NULL) {
		write_answer(f, r, e->status, "application/json", NULL,
		    error_body, e);
		if (fflush(f) == 0 && !ferror(f))
			cap.out_len = (size_t)ftell(f);
		fclose(f);
	}
	cap.log_len = r->is_cgi ?
	    log_line(cap.log, sizeof(cap.log), "%d: %s", e->status, e->msg) :
	    log_line(cap.log, sizeof(cap.log), "%s", e->msg);
}

/* The timer, timeout + 0.9 s after started; the answer is set. */
static void
arm(const struct timespec *started, long timeout)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };
	struct timespec now;
	struct sigaction sa;
	long ms;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_hard_cap;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	/* 100 ms before the bound: the answer still has to travel. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = timeout * 1000 + 900 - ((now.tv_sec - started->tv_sec) * 1000 +
	    (now.tv_nsec - started->tv_nsec) / 1000000);
	if (ms < 1)
		ms = 1;
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
}

void
cap_arm(const struct request *r, const struct timespec *started,
    long timeout, const struct err *e)
{
	cap_off();	/* no answer while it changes */
	prepare(r, e);
	arm(started, timeout);
}

static void
files_err(struct err *e, long timeout)
{
	err_set(e, 500, 0, "reading the configuration was stopped by the hard "
	    "cap (IMMICH_JOBS_TIMEOUT + 1 s = %ld s): a file it names "
	    "(IMMICH_JOBS_API_KEY_FILE, IMMICH_JOBS_CA_FILE, "
	    "IMMICH_JOBS_CACHE_DIR) may be on a stuck file system (a network "
	    "mount that hangs)", timeout + 1);
}

void
cap_arm_files(const struct request *r, const struct timespec *started,
    const char *(*get)(const char *))
{
	struct err e;
	long timeout;

	/* IMMICH_JOBS_TIMEOUT read as config_load will read it. */
	if (config_parse_seconds(&timeout, "IMMICH_JOBS_TIMEOUT",
	    get("IMMICH_JOBS_TIMEOUT"), CONFIG_TIMEOUT_DEFAULT, 1,
	    CONFIG_TIMEOUT_MAX, &e) != 0)
		timeout = CONFIG_TIMEOUT_DEFAULT;
	cap.lazy = r;
	cap.timeout = timeout;
	arm(started, timeout);
}

void
cap_off(void)
{
	struct itimerval off = { { 0, 0 }, { 0, 0 } };

	setitimer(ITIMER_REAL, &off, NULL);
	cap.lazy = NULL;
}

void
cap_answering(void)
{
	cap.answering = 1;
}
