/*
 * shell.h - immich-jobs run from a shell: its arguments pick the route.
 */
#ifndef IJP_SHELL_H
#define IJP_SHELL_H

#include "respond.h"

/*
 * shell_args - set r's path (and GET) from the arguments: none for /,
 * --metrics, --healthz.  Returns -1 to go on, or the exit status after
 * --lighttpd-env, --help, --version (printed on stdout) or a usage error
 * (on stderr, 2).
 */
int	shell_args(int argc, char **argv, struct request *r);

#endif
