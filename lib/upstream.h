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
 * x-api-key and Accept: application/json, IMMICH_URL's user:password (if
 * any) as HTTP Basic authentication set apart from the URL, decodes every
 * content coding libcurl knows (gzip, deflate, br, zstd: sent whether asked
 * for or not by some proxies), follows no redirect, uses no proxy, trusts
 * c->ca_file when set (TLS is always verified), reads at most JOBS_BODY_MAX
 * decoded bytes, and finishes by *deadline in all (both requests; NULL
 * means c->timeout seconds from now).
 * Fills j (caller-owned) and returns 0, or returns -1 with e set to:
 *   503 - Immich in maintenance mode (v2.3+): the counts' request was a
 *         404, and /api/server/config says so; /api/admin/maintenance/
 *         status says what it does (diag_maintenance);
 *   502 - Immich unreachable (refused: starting up, migrating its
 *         database, restarting or stopped, as diag_refused says; DNS,
 *         reset), the host and port
 *         answering something that is not HTTP (another service's banner,
 *         a garbage status line, a socket closed before any header: names
 *         IMMICH_URL's port and https://), a content coding that cannot be
 *         decoded; a certificate that failed verification: untrusted issuer
 *         (names IMMICH_JOBS_CA_FILE), another host name, expired, not yet
 *         valid (diag_tls); a non-2xx answer, as diag_status() words it:
 *         Immich's own JSON error (401 key rejected or no key arrived, 403
 *         missing permission -- the one Immich named, for the endpoint
 *         asked, or both job.read and queue.read after the auto retry --
 *         or a non-admin user, 404 / 406 a wrong path in IMMICH_URL, 5xx,
 *         with Immich's correlationId), or any other page: from a reverse
 *         proxy, CDN or login gateway in front of Immich, with its status
 *         and Server / cf-mitigated / Location clues; 3xx (not followed);
 *         or a 2xx body that is HTML, empty, not JSON, not the shape or
 *         over 1 MiB; e->upstream_status holds the status when there was
 *         an answer;
 *   504 - no full answer by the deadline, or no connection within
 *         c->connect_timeout (IMMICH_JOBS_CONNECT_TIMEOUT: the message
 *         names the bound that ran out);
 *   500 - this machine's problem (err_local: out of memory, also in
 *         parsing, out of file descriptors, a thread that would not
 *         start, told apart from a dead Immich by err_fd_shortage), or
 *         libcurl refused IMMICH_URL (malformed).
 * Messages name the problem and what to check, and never hold the key nor
 * IMMICH_URL's password in any form config_secrets registers (nor do the
 * queue names in j): Immich or a proxy may echo them.
 * Returns on time even when a name server never answers: libcurl's
 * resolver thread is left behind, not joined (libcurl 7.87+).
 */
int	upstream_get(const struct config *c, const struct timespec *deadline,
	    struct jobs *j, struct err *e);

typedef int (*upstream_get_fn)(const struct config *, const struct timespec *,
    struct jobs *, struct err *);

#endif
