/*
 * upstream.h - ask Immich for its job counts (libcurl + json-c).
 *
 * This is the only part of the proxy that loads libcurl and json-c.  cgi/
 * reaches it through dlopen() on a cache miss (see cgi/main.c), so the
 * symbol below is the module's whole interface.
 */
#ifndef IJP_UPSTREAM_H
#define IJP_UPSTREAM_H

#include "config.h"
#include "deadline.h"
#include "err.h"
#include "jobs.h"

#define UPSTREAM_SYMBOL	"upstream_get"

/*
 * upstream_get - GET <base_url>/api/jobs (Immich v1.x - v3.2) or
 * <base_url>/api/queues (v2.4+), as c->api says; in CONFIG_API_AUTO a 404
 * from /api/jobs, or Immich's 403 "Missing required permission" (a key
 * with queue.read alone), is retried once on /api/queues; when that one is
 * a 404 (Immich before v2.4), /api/jobs' refusal is the error.  Sends
 * x-api-key, IMMICH_URL's user:password (if any) as HTTP Basic
 * authentication, goes through c->proxy when set (not for c->no_proxy's
 * hosts; never the environment's proxy variables),
 * follows no redirect, always verifies TLS, reads at most JOBS_BODY_MAX
 * decoded bytes, and finishes by *deadline in all (both requests; NULL
 * means c->timeout seconds from now), even when a name server never
 * answers (libcurl's resolver thread is left behind, not joined).
 * Fills j (caller-owned) and returns 0, or returns -1 with e set, by who
 * is to blame:
 *   503 - Immich is in maintenance mode;
 *   502 - Immich, or something in front of it, answered but not with
 *         counts, or could not be reached (e->upstream_status holds the
 *         HTTP status when there was an answer);
 *   504 - no connection within c->connect_timeout, or no full answer by
 *         the deadline;
 *   500 - this machine's problem (err_local, a client certificate it
 *         cannot use, an IMMICH_URL libcurl cannot use): never Immich's
 *         answer.
 * Each message names the cause and what to check; the words are
 * upstream.c's and diagnose.c's (tests assert them), the man page's
 * DIAGNOSTICS tells them to the user.  No message, nor a queue name in j,
 * holds a secret config_secrets registers: Immich or a proxy may echo one.
 */
int	upstream_get(const struct config *c, const struct timespec *deadline,
	    struct jobs *j, struct err *e);

typedef int (*upstream_get_fn)(const struct config *, const struct timespec *,
    struct jobs *, struct err *);

#endif
