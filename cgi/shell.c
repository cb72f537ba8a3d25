/* shell.c - immich-jobs run from a shell; see shell.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/config.h"
#include "log.h"
#include "shell.h"

static int
usage(FILE *out, int rc)
{
	const struct config_setting *s;

	fprintf(out,
	    "usage: immich-jobs [--metrics | --healthz | --lighttpd-env | --help |\n"
	    "                    --version]\n"
	    "\n"
	    "Prints Immich's job counts, added up across queues, as JSON (or\n"
	    "Prometheus text with --metrics).  Configuration comes from the\n"
	    "environment: IMMICH_URL and IMMICH_JOBS_API_KEY (or\n"
	    "IMMICH_JOBS_API_KEY_FILE) are required.\n"
	    "\n");
	for (s = config_settings; s->name != NULL; s++)
		fprintf(out, "  %-28s %s (%s%s%s)\n", s->name, s->help,
		    s->range, s->def[0] != '\0' ? ", default " : "", s->def);
	fprintf(out,
	    "\n"
	    "Exit status: 0 ok, 1 Immich failed (or the fetch module did not\n"
	    "load), 2 configuration error.\n"
	    "Run by a web server with GATEWAY_INTERFACE set, it is a CGI that\n"
	    "answers /, /homepage (errors with status 200), /metrics and\n"
	    "/healthz.  --lighttpd-env prints the lighttpd.conf lines that pass\n"
	    "it the settings above that are set.\n"
	    "\n"
	    "Every variable, the answer's keys and the errors:\n"
	    "man 8 immich-jobs-proxy (in the source tree:\n"
	    "man -l docs/immich-jobs-proxy.8).\n");
	return rc;
}

/*
 * lighttpd.conf's include_shell runs this: mod_cgi passes the CGI only what
 * setenv names, and lighttpd refuses an env.X that is not set, so the
 * settings of the table that are set, and no list kept by hand.
 */
static int
lighttpd_env(void)
{
	const struct config_setting *s;

	printf("# immich-jobs --lighttpd-env: its settings that are set\n"
	    "setenv.add-environment += (\n");
	for (s = config_settings; s->name != NULL; s++)
		if (getenv(s->name) != NULL)
			printf("    \"%s\" => env.%s,\n", s->name, s->name);
	printf(")\n");
	return fflush(stdout) != 0 || ferror(stdout) ? 1 : 0;
}

int
shell_args(int argc, char **argv, struct request *r)
{
	if (argc > 2)
		return usage(stderr, 2);
	if (argc == 1)
		r->path = "/";
	else if (strcmp(argv[1], "--metrics") == 0)
		r->path = "/metrics";
	else if (strcmp(argv[1], "--healthz") == 0)
		r->path = "/healthz";
	else if (strcmp(argv[1], "--lighttpd-env") == 0)
		return lighttpd_env();
	else if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return usage(stdout, 0);
	else if (strcmp(argv[1], "--version") == 0) {
		printf("immich-jobs-proxy %s\n", VERSION);
		return 0;
	} else {
		logmsg("unknown option: %s", argv[1]);
		return usage(stderr, 2);
	}
	r->method = "GET";
	r->head = 0;
	return -1;
}
