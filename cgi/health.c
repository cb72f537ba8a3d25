/* health.c - GET /healthz; see health.h. */
#include <stdio.h>

#include "../lib/cache.h"
#include "../lib/counts.h"
#include "../lib/err.h"
#include "health.h"
#include "module.h"

static void
health_body(FILE *out, const void *arg)
{
	(void)arg;
	fputs("{\"status\":\"ok\"}\n", out);
}

/*
 * Loading the module costs a health check ~12 M instructions, every 30 s
 * or so; a broken install answers every request 500.
 */
int
serve_health(const struct request *r, struct config *c)
{
	static struct cache_entry ent;	/* ~16 KB: not on the stack */
	char path[CONFIG_PATH_MAX];
	struct err e;

	err_clear(&e);
	if (module_load(&e) == NULL)
		return respond_error(r, &e, NULL, 1);
	if (c->cache_ttl > 0 && c->cache_dir[0] != '\0' &&
	    cache_path(c, path, sizeof(path)) == 0 &&
	    cache_read(path, c->id, &ent) == 0 &&
	    counts_last_failed(&ent) && err_needs_fix(&ent.err)) {
		/* The request that met it logged it: not every health check. */
		if (!r->is_cgi)
			return respond_error(r, &ent.err, NULL, 1);
		return answer_error(r, &ent.err, NULL);
	}
	return respond(r, 200, "application/json", NULL, health_body, NULL);
}
