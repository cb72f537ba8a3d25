/*
 * answer.h - the answers of / and /homepage (JSON) and /metrics
 * (Prometheus text) from the counts: the bytes stored when they were
 * fetched when there are some, else rendered from the counts.
 */
#ifndef IJP_ANSWER_H
#define IJP_ANSWER_H

#include "../lib/counts.h"
#include "request.h"

/*
 * answer - answer r, whose route's kind is ANSWER_JOBS or ANSWER_METRICS,
 * from cn (with its error when it holds no counts).  Returns respond's
 * value, or 1 from a shell when there were no counts.
 */
int	answer(const struct request *r, const struct route *route,
	    const struct counts *cn);

/*
 * answer_stored - arm the hard cap for reading the configuration and the
 * cache (cap_arm_files), then answer r with the answer stored for its
 * route when it is fresh (counts_cached, into cn): 0 with *rc set as
 * answer returns, or -1 when there is none (nothing written).
 */
int	answer_stored(const struct request *r, const struct route *route,
	    struct counts *cn, int *rc);

#endif
