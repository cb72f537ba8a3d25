/*
 * health.h - GET /healthz.
 */
#ifndef IJP_HEALTH_H
#define IJP_HEALTH_H

#include "../lib/config.h"
#include "respond.h"

/*
 * serve_health - answer {"status":"ok"} (200) unless the service cannot
 * work until someone acts: the fetch module does not load (500), or the
 * last call to Immich, as the cache holds it, met a failure that lasts
 * (err_needs_fix: a key Immich refuses, an address that is not Immich's
 * API).  Immich down or slow is Immich's own health: still 200.  Never
 * calls Immich.  Returns as respond_error and respond do.
 */
int	serve_health(const struct request *r, struct config *c);

#endif
