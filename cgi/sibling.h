/*
 * sibling.h - the programs installed beside this one: the front finds the
 * full program there, the full program its fetch module.
 */
#ifndef IJP_SIBLING_H
#define IJP_SIBLING_H

#include <stddef.h>

#include "../lib/err.h"

#define SIBLING_FULL	"immich-jobs-full"
#define SIBLING_MODULE	"immich-jobs-fetch.so"

/*
 * sibling_path - "<this program's directory>/<name>" into path (size
 * bytes), this program read from /proc/self/exe (links resolved).
 * Returns 0, or -1 with e set (500).
 */
int	sibling_path(const char *name, char *path, size_t size, struct err *e);

/*
 * sibling_missing - e (500) for the sibling at path that could not be
 * used (errno err): an incomplete installation when it is missing, else
 * this machine's problem, with why (NULL: strerror(err)).  what: what the
 * sibling does, for the message.
 */
void	sibling_missing(const char *path, const char *what, int err,
	    const char *why, struct err *e);

#endif
