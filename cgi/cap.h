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
 * cap_arm_files - cap_arm for reading the configuration, only when it
 * names a file (IMMICH_JOBS_API_KEY_FILE, IMMICH_JOBS_CA_FILE), which a
 * stuck file system can block: the common case, the key in the
 * environment, spares a cache hit preparing an answer.
 */
void	cap_arm_files(const struct request *r, const struct timespec *started,
	    const char *(*get)(const char *));

/* cap_answering - the real answer has begun: the cap must not write one. */
void	cap_answering(void);

#endif
