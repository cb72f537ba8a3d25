/*
 * immich-jobs - Immich's job counts, added up for Homepage.
 *
 * Run by lighttpd as a CGI (GATEWAY_INTERFACE set) it answers / (JSON
 * totals and by_queue), /homepage (the same, errors as 200), /metrics
 * (Prometheus text) and /healthz (health.c),
 * with a full header block, also on every failure; from a shell, the body
 * alone (shell.c).  Flow: read the request once, check it (prep_request),
 * load the configuration, run the route's handler: the counts (lib/counts.c:
 * cache, else Immich through module.c) and the answer (respond.c).  A
 * failure anywhere is one struct err; the hard cap (cap.c) bounds the run.
 */
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/resource.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/config.h"
#include "../lib/counts.h"
#include "../lib/err.h"
#include "../lib/render.h"
#include "cap.h"
#include "log.h"
#include "module.h"
#include "respond.h"
#include "shell.h"
#include "health.h"

typedef int (*handler_fn)(const struct request *, struct config *);

static int	serve_jobs(const struct request *, struct config *);
static int	serve_metrics(const struct request *, struct config *);

static const struct {
	const char	*path;
	handler_fn	 serve;
	int		 errors_as_200;	/* see struct request */
} routes[] = {
	{ "/",		serve_jobs,	0 },
	{ "/homepage",	serve_jobs,	1 },
	{ "/metrics",	serve_metrics,	0 },
	{ "/healthz",	serve_health,	0 },
	{ NULL,		NULL,		0 }
};

static struct timespec started;
static struct counts counts;	/* ~20 KB: not on the stack */

static const char *
env(const char *name)
{
	return getenv(name);
}

static void
read_request(struct request *r)
{
	const char *gw = getenv("GATEWAY_INTERFACE");
	const char *path = getenv("PATH_INFO");

	r->is_cgi = gw != NULL && gw[0] != '\0';
	r->method = getenv("REQUEST_METHOD");
	if (r->method == NULL)
		r->method = "GET";
	r->head = strcmp(r->method, "HEAD") == 0;
	r->path = (path == NULL || path[0] == '\0') ? "/" : path;
	r->errors_as_200 = 0;
}

/*
 * 404 for an unknown path, 405 for a method but GET and HEAD, else 0 with
 * the route's handler in *serve.
 */
static int
prep_request(struct request *r, handler_fn *serve)
{
	size_t i;

	for (i = 0; routes[i].path != NULL; i++)
		if (strcmp(r->path, routes[i].path) == 0)
			break;
	if ((*serve = routes[i].serve) == NULL)
		return 404;
	if (strcmp(r->method, "GET") != 0 && !r->head)
		return 405;
	r->errors_as_200 = routes[i].errors_as_200;
	return 0;
}

static double
elapsed(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - started.tv_sec) +
	    (double)(now.tv_nsec - started.tv_nsec) / 1e9;
}

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
	cap_arm(r, &started, c->timeout, &e);
	deadline.tv_sec = started.tv_sec + c->timeout;
	deadline.tv_nsec = started.tv_nsec;
	counts_get(c, &deadline, module_load, &counts);
	explicit_bzero(c->key, sizeof(c->key));
	for (line = counts.note; *line != '\0'; line += n + (line[n] != '\0')) {
		n = strcspn(line, "\n");
		logmsg("%.*s", (int)n, line);
	}
	return &counts;
}

/*
 * Age and X-Cache, when the cache took part.  shown: the body carries cn's
 * counts (/metrics shows only the failure of stale ones: no Age then).
 */
static const char *
cache_headers(const struct counts *cn, int shown, char *buf, size_t size)
{
	const char *how = shown && cn->source == COUNTS_STALE ? "stale" :
	    cn->fetch;

	buf[0] = '\0';
	if (how != NULL && shown)
		snprintf(buf, size, "Age: %ld\r\nX-Cache: %s\r\n", cn->age,
		    how);
	else if (how != NULL)
		snprintf(buf, size, "X-Cache: %s\r\n", how);
	return buf;
}

static void
json_body(FILE *out, const void *arg)
{
	const struct counts *cn = arg;
	struct render_info info;

	if (cn->rendered.json != NULL) {	/* rendered once, when fetched */
		fwrite(cn->rendered.json, 1, cn->rendered.json_len, out);
		return;
	}
	info.fetched = cn->fetched;	/* one second for all from one fetch */
	info.stale = cn->source == COUNTS_STALE;
	info.age = info.stale ? cn->age : 0;
	info.upstream_error = info.stale ? cn->err.msg : "";
	render_json(out, &cn->jobs, &info);
}

/*
 * Whether the CGI's log says nothing of Immich's failure in cn: with the
 * cache, counts_get said it once, when Immich's state changed, rather
 * than on every request (a dashboard polls every few seconds).
 */
static int
logged_once(const struct request *r, const struct counts *cn)
{
	return r->is_cgi && cn->fetch != NULL && !err_is_local(&cn->err);
}

static int
serve_jobs(const struct request *r, struct config *c)
{
	const struct counts *cn = get_counts(r, c);
	char extra[96];

	cache_headers(cn, 1, extra, sizeof(extra));
	if (cn->source == COUNTS_NONE && logged_once(r, cn))
		return answer_error(r, &cn->err, extra);
	if (cn->source == COUNTS_NONE)
		return respond_error(r, &cn->err, extra, 1);
	/* Logged by the request that met the failure, not by every hit. */
	if (cn->source == COUNTS_STALE && strcmp(cn->fetch, "hit") != 0 &&
	    !logged_once(r, cn))
		logmsg("answering with %ld s old counts: %s", cn->age,
		    cn->err.msg);
	return respond(r, 200, "application/json", extra, json_body, cn);
}

static void
metrics_body(FILE *out, const void *arg)
{
	const struct counts *cn = arg;

	if (cn->source == COUNTS_STALE || cn->source == COUNTS_NONE)
		render_metrics(out, NULL, elapsed());
	else if (cn->rendered.json != NULL) {	/* rendered once */
		fwrite(cn->rendered.prom, 1, cn->rendered.prom_len, out);
		render_scrape_duration(out, elapsed());
	} else
		render_metrics(out, &cn->jobs, elapsed());
}

/* Prometheus: 200 with immich_jobs_up 0 when Immich failed, as exporters do. */
static int
serve_metrics(const struct request *r, struct config *c)
{
	const struct counts *cn = get_counts(r, c);
	const struct jobs *j = cn->source == COUNTS_HIT ||
	    cn->source == COUNTS_MISS ? &cn->jobs : NULL;
	char extra[96];
	int rc;

	/*
	 * immich_jobs_up 0 says Immich failed; this machine's own failure
	 * is an error of this exporter instead (Prometheus's up goes 0).
	 */
	if (j == NULL && cn->source != COUNTS_STALE &&
	    err_is_local(&cn->err))
		return respond_error(r, &cn->err, NULL, 1);
	if (j == NULL && !logged_once(r, cn))
		logmsg("Immich failed (immich_jobs_up 0): %s", cn->err.msg);
	rc = respond(r, 200, "text/plain; version=0.0.4; charset=utf-8",
	    cache_headers(cn, cn->source != COUNTS_STALE, extra,
	    sizeof(extra)), metrics_body, cn);
	return (!r->is_cgi && j == NULL) ? 1 : rc;
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

/*
 * The key (and IMMICH_URL's password) is in this process's memory and
 * environment: a crash must write no core file holding it, and no other
 * process of the same user may read it through /proc or ptrace.  And no
 * core at all: qemu-user (an ARM build on another machine, e.g. a
 * multi-platform image under emulation) writes the guest's core file
 * itself, minding the core size limit but not the flag.
 */
static void
keep_secrets(void)
{
#ifdef PR_SET_DUMPABLE
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
	setrlimit(RLIMIT_CORE, &(const struct rlimit){ 0, 0 });
}

int
main(int argc, char **argv)
{
	static struct config cfg;
	struct request req;
	handler_fn serve;
	struct err e;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &started);
	keep_secrets();
	read_request(&req);
	if (!req.is_cgi && (rc = shell_args(argc, argv, &req)) >= 0)
		return rc;
	if ((rc = prep_request(&req, &serve)) != 0)
		return refuse(&req, rc);
	cap_arm_files(&req, &started, env);
	if (config_load(&cfg, env, &e) != 0) {
		/* Set on the service, they never reached this CGI. */
		if (req.is_cgi && !config_seen(env))
			err_set(&e, 500, 0, "the web server passed none of the "
			    "service's variables (IMMICH_URL, IMMICH_JOBS_...) "
			    "to this CGI: it must pass them (lighttpd: "
			    "setenv.add-environment, as in this project's "
			    "lighttpd.conf); %s", e.msg);
		return respond_error(&req, &e, NULL, 2);
	}
	rc = serve(&req, &cfg);
	explicit_bzero(cfg.key, sizeof(cfg.key));
	return rc;
}
