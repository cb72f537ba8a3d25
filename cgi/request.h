/*
 * request.h - the request as the CGI environment gives it, and its route:
 * shared by the front (front.c), which answers cache hits, and the full
 * program (main.c), which answers the rest.
 */
#ifndef IJP_REQUEST_H
#define IJP_REQUEST_H

#include "respond.h"

enum answer_kind {
	ANSWER_JOBS,	/* JSON totals and by_queue (answer.c) */
	ANSWER_METRICS,	/* Prometheus text (answer.c) */
	ANSWER_HEALTH	/* the service's own health (health.c) */
};

struct route {
	const char		*path;
	enum answer_kind	 kind;
	int			 stored;	/* what a hit writes: CACHE_JSON... */
	int			 errors_as_200;	/* see struct request */
};

/* env_get - getenv, as lib's config_getenv_fn. */
const char *env_get(const char *name);

/* read_request - r from the environment, and the time it started. */
void	read_request(struct request *r);

/*
 * prep_request - 404 for an unknown path, 405 for a method but GET and
 * HEAD, else 0 with the route in *route.
 */
int	prep_request(struct request *r, const struct route **route);

/*
 * keep_secrets - the key is in this process's memory and environment: no
 * core file, and no other process of the same user reading it.
 */
void	keep_secrets(void);

#endif
