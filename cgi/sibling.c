/* sibling.c - the programs beside this one; see sibling.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sibling.h"

int
sibling_path(const char *name, char *path, size_t size, struct err *e)
{
	ssize_t n;
	char *slash;

	n = readlink("/proc/self/exe", path, size - 1);
	if (n <= 0)
		return err_set(e, 500, 0, "cannot find this program's "
		    "directory: %s", strerror(errno));
	path[n] = '\0';
	if ((slash = strrchr(path, '/')) == NULL ||
	    (size_t)(slash + 1 - path) + strlen(name) + 1 > size)
		return err_set(e, 500, 0, "cannot find this program's "
		    "directory");
	memcpy(slash + 1, name, strlen(name) + 1);
	return 0;
}

void
sibling_missing(const char *path, const char *what, int err,
    const char *why, struct err *e)
{
	const char *name = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 :
	    path;

	if (err == ENOENT)
		err_set(e, 500, 0, "this installation is incomplete: %s, which "
		    "%s, is missing beside this program (%s): install both "
		    "together (make install, or the Docker image)", name, what,
		    path);
	else
		err_set(e, 500, 0, "this machine's problem, not Immich's: "
		    "cannot load %s: %s", name, why != NULL ? why :
		    strerror(err));
}
