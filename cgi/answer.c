/* answer.c - the answers from the counts; see answer.h. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../lib/render.h"
#include "answer.h"
#include "cap.h"
#include "log.h"

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
jobs(const struct request *r, const struct counts *cn)
{
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

/* Seconds since r started, for the scrape duration. */
static double
elapsed(const struct request *r)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - r->started.tv_sec) +
	    (double)(now.tv_nsec - r->started.tv_nsec) / 1e9;
}

/* What metrics_body writes: the counts, and the request for its duration. */
struct metrics_arg {
	const struct request	*r;
	const struct counts	*cn;
};

static void
metrics_body(FILE *out, const void *arg)
{
	const struct metrics_arg *m = arg;
	const struct counts *cn = m->cn;

	if (cn->source == COUNTS_STALE || cn->source == COUNTS_NONE)
		render_metrics(out, NULL, elapsed(m->r));
	else if (cn->rendered.json != NULL) {	/* rendered once */
		fwrite(cn->rendered.prom, 1, cn->rendered.prom_len, out);
		render_scrape_duration(out, elapsed(m->r));
	} else
		render_metrics(out, &cn->jobs, elapsed(m->r));
}

/* Prometheus: 200 with immich_jobs_up 0 when Immich failed, as exporters do. */
static int
metrics(const struct request *r, const struct counts *cn)
{
	const struct jobs *j = cn->source == COUNTS_HIT ||
	    cn->source == COUNTS_MISS ? &cn->jobs : NULL;
	const struct metrics_arg m = { r, cn };
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
	    sizeof(extra)), metrics_body, &m);
	return (!r->is_cgi && j == NULL) ? 1 : rc;
}

int
answer(const struct request *r, const struct route *route,
    const struct counts *cn)
{
	return route->kind == ANSWER_METRICS ? metrics(r, cn) : jobs(r, cn);
}

int
answer_stored(const struct request *r, const struct route *route,
    struct counts *cn, int *rc)
{
	cap_arm_files(r, &r->started, env_get);
	if (route->stored == 0 || counts_cached(env_get, route->stored, cn) != 0)
		return -1;
	*rc = answer(r, route, cn);
	return 0;
}
