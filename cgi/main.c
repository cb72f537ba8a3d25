/*
 * immich-jobs-full - all the CGI's answers but a cache hit, which the
 * front (front.c, installed as immich-jobs) writes and hands the rest to
 * this program.
 *
 * Run by lighttpd through the front (GATEWAY_INTERFACE set) it answers /
 * (JSON totals and by_queue), /homepage (the same, errors as 200),
 * /metrics (Prometheus text) and /healthz (health.c), with a full header
 * block, also on every failure; from a shell, the body alone (shell.c).
 * Flow: read the request once, check it (prep_request), load the
 * configuration, get the counts (lib/counts.c: cache, else Immich through
 * module.c) and answer (answer.c).  A failure anywhere is one struct err;
 * the hard cap (cap.c) bounds the run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/config.h"
#include "../lib/counts.h"
#include "../lib/err.h"
#include "answer.h"
#include "cap.h"
#include "health.h"
#include "log.h"
#include "module.h"
#include "request.h"
#include "respond.h"
#include "shell.h"

static struct counts counts;	/* ~20 KB: not on the stack */

/* The counts for c, the hard cap armed; what counts_get says is logged. */
static const struct counts *
get_counts(const struct request *r, struct config *c)
{
	struct timespec deadline;
	const char *line;
	struct err e;
	size_t n;

	err_set(&e, 504, 0, "timed out after %ld s (IMMICH_JOBS_TIMEOUT): "
	    "Immich at %s did not answer in time, and the call was stopped by "
	    "the hard cap (IMMICH_JOBS_TIMEOUT + 1 s): something blocked past "
	    "the timeout (a name server that never answers, a stuck disk, this "
	    "machine short of resources)", c->timeout, c->shown_url);
	cap_arm(r, &r->started, c->timeout, &e);
	deadline.tv_sec = r->started.tv_sec + c->timeout;
	deadline.tv_nsec = r->started.tv_nsec;
	counts_get(c, &deadline, module_load, &counts);
	explicit_bzero(c->key, sizeof(c->key));
	for (line = counts.note; *line != '\0'; line += n + (line[n] != '\0')) {
		n = strcspn(line, "\n");
		logmsg("%.*s", (int)n, line);
	}
	return &counts;
}

/* A request prep_request refused with status (404, 405). */
static int
refuse(const struct request *r, int status)
{
	struct err e;

	if (status == 405) {
		err_set(&e, 405, 0, "method not allowed: use GET or HEAD");
		return respond_error(r, &e, "Allow: GET, HEAD\r\n", 2);
	}
	err_set(&e, 404, 0, "no such path: this service answers /, "
	    "/homepage, /metrics and /healthz");
	return respond_error(r, &e, NULL, 2);
}

int
main(int argc, char **argv)
{
	static struct config cfg;
	const struct route *route;
	struct request req;
	struct err e;
	int rc;

	keep_secrets();
	read_request(&req);
	if (!req.is_cgi && (rc = shell_args(argc, argv, &req)) >= 0)
		return rc;
	if ((rc = prep_request(&req, &route)) != 0)
		return refuse(&req, rc);
	if (answer_stored(&req, route, &counts, &rc) == 0)
		return rc;
	if (config_load(&cfg, env_get, &e) != 0) {
		/* Set on the service, they never reached this CGI. */
		if (req.is_cgi && !config_seen(env_get))
			err_set(&e, 500, 0, "the web server passed none of the "
			    "service's variables (IMMICH_URL, IMMICH_JOBS_...) "
			    "to this CGI: it must pass them (lighttpd: "
			    "setenv.add-environment, as in this project's "
			    "lighttpd.conf); %s", e.msg);
		return respond_error(&req, &e, NULL, 2);
	}
	rc = route->kind == ANSWER_HEALTH ? serve_health(&req, &cfg) :
	    answer(&req, route, get_counts(&req, &cfg));
	explicit_bzero(cfg.key, sizeof(cfg.key));
	return rc;
}
