/* request.c - the request and its route; see request.h. */
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/resource.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/cache.h"
#include "request.h"

static const struct route routes[] = {
	{ "/",		ANSWER_JOBS,	CACHE_JSON,	0 },
	{ "/homepage",	ANSWER_JOBS,	CACHE_JSON,	1 },
	{ "/metrics",	ANSWER_METRICS,	CACHE_PROM,	0 },
	{ "/healthz",	ANSWER_HEALTH,	0,		0 },
	{ NULL,		ANSWER_JOBS,	0,		0 }
};

const char *
env_get(const char *name)
{
	return getenv(name);
}

void
read_request(struct request *r)
{
	const char *gw = getenv("GATEWAY_INTERFACE");
	const char *path = getenv("PATH_INFO");

	clock_gettime(CLOCK_MONOTONIC, &r->started);
	r->is_cgi = gw != NULL && gw[0] != '\0';
	r->method = getenv("REQUEST_METHOD");
	if (r->method == NULL)
		r->method = "GET";
	r->head = strcmp(r->method, "HEAD") == 0;
	r->path = (path == NULL || path[0] == '\0') ? "/" : path;
	r->errors_as_200 = 0;
}

int
prep_request(struct request *r, const struct route **route)
{
	size_t i;

	for (i = 0; routes[i].path != NULL; i++)
		if (strcmp(r->path, routes[i].path) == 0)
			break;
	if ((*route = &routes[i])->path == NULL)
		return 404;
	if (strcmp(r->method, "GET") != 0 && !r->head)
		return 405;
	r->errors_as_200 = routes[i].errors_as_200;
	return 0;
}

/*
 * No core at all: qemu-user (an ARM build on another machine, e.g. a
 * multi-platform image under emulation) writes the guest's core file
 * itself, minding the core size limit but not the flag.
 */
void
keep_secrets(void)
{
#ifdef PR_SET_DUMPABLE
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
	setrlimit(RLIMIT_CORE, &(const struct rlimit){ 0, 0 });
}
