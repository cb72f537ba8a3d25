/*
 * immich-jobs - the CGI lighttpd runs for each request: it writes a cache
 * hit itself and hands every other request to immich-jobs-full (main.c).
 *
 * Why a front: a dashboard polls every few seconds and nearly every poll
 * is a hit, whose answer was rendered when the counts were fetched; what
 * is left to do is to find it and write it.  Linked statically where the
 * toolchain can (the Makefile's FRONT_LDFLAGS), this program starts
 * without the dynamic loader, which costs a dynamic program more than all
 * of a hit's own work.  The full program is exec'd in its place, with the
 * same arguments and environment, and answers as if run directly.
 */
#include <errno.h>
#include <limits.h>
#include <unistd.h>

#include "../lib/counts.h"
#include "answer.h"
#include "cap.h"
#include "request.h"
#include "sibling.h"

extern char **environ;

int
main(int argc, char **argv)
{
	static struct counts counts;	/* ~20 KB: not on the stack */
	const struct route *route;
	struct request req;
	char path[PATH_MAX];
	struct err e;
	int rc;

	(void)argc;
	keep_secrets();
	read_request(&req);
	if (req.is_cgi && prep_request(&req, &route) == 0 &&
	    answer_stored(&req, route, &counts, &rc) == 0)
		return rc;
	cap_off();
	if (sibling_path(SIBLING_FULL, path, sizeof(path), &e) == 0) {
		execve(path, argv, environ);
		sibling_missing(path, "answers all but a cache hit", errno, NULL,
		    &e);
	}
	return respond_error(&req, &e, NULL, 2);
}
