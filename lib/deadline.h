/*
 * deadline.h - one point in time by which a request must be answered.
 *
 * Every wait of a request (the cache lock, libcurl's whole exchange with
 * Immich, both endpoints in IMMICH_JOBS_API=auto) counts down to the same
 * deadline, set once when the request starts, so the answer always comes
 * within IMMICH_JOBS_TIMEOUT.  CLOCK_MONOTONIC: a changed wall clock does
 * not move it.  Needs only libc.
 */
#ifndef IJP_DEADLINE_H
#define IJP_DEADLINE_H

#include <time.h>

/* deadline_set - *d becomes now + seconds (caller-owned). */
void	deadline_set(struct timespec *d, long seconds);

/*
 * deadline_left_ms - milliseconds from now until *d; 0 or less once it has
 * passed.
 */
long	deadline_left_ms(const struct timespec *d);

#endif
