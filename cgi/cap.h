/*
 * cap.h - the hard cap.  Whatever blocks (a name server that never answers
 * under a libcurl that waits for it, a key file that never ends, a stuck
 * disk), the process answers by IMMICH_JOBS_TIMEOUT + 1 s and is gone by
 * + 2 s, so it never holds the cache lock longer (the lock goes with the
 * process).
 */
#ifndef IJP_CAP_H
#define IJP_CAP_H

#include <time.h>

#include "../lib/err.h"
#include "respond.h"

/*
 * cap_arm - just before timeout + 1 s after started (CLOCK_MONOTONIC),
 * answer r with e (prepared now, headers and all), log it and end the
 * process with status 1; when the real answer has begun by then
 * (cap_answering), give it one more second first.  Re-arming replaces the
 * previous answer.  Call it before each step that may block.
 */
void	cap_arm(const struct request *r, const struct timespec *started,
	    long timeout, const struct err *e);

/*
 * cap_arm_files - the cap for reading the configuration and the cache,
 * whose files a stuck file system can block.  What it answers (500) is
 * made when it strikes, not now, so a cache hit pays for no answer it
 * does not give: those steps allocate nothing and write with no stdio
 * stream, so the handler may.  The next cap_arm replaces it.
 */
void	cap_arm_files(const struct request *r, const struct timespec *started,
	    const char *(*get)(const char *));

/* cap_off - no cap: before handing the request to another program. */
void	cap_off(void);

/* cap_answering - the real answer has begun: the cap must not write one. */
void	cap_answering(void);

#endif
