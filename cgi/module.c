/* module.c - the fetch module's loader; see module.h. */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "module.h"
#include "sibling.h"

/*
 * How the module is loaded (make bench measures the miss against a program
 * linked with libcurl): RTLD_LAZY binds functions on first call, as exec
 * does, where RTLD_NOW bound all of libcurl's 33 libraries up front.
 * RTLD_DEEPBIND makes those libraries look up symbols in their own scope
 * first, as in a program linked with libcurl, rather than in this binary's
 * scope first.  Nothing in the module uses the stdout/stderr copies this
 * binary holds.  Sanitizer runtimes refuse RTLD_DEEPBIND, so sanitizer
 * builds go without it, as does musl, which has no such flag.
 */
#ifdef RTLD_DEEPBIND			/* glibc; musl (Alpine) has none */
#define DLOPEN_DEEPBIND	RTLD_DEEPBIND
#else
#define DLOPEN_DEEPBIND	0
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#undef DLOPEN_DEEPBIND
#define DLOPEN_DEEPBIND	0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#undef DLOPEN_DEEPBIND
#define DLOPEN_DEEPBIND	0
#endif
#endif
#define DLOPEN_FLAGS	(RTLD_LAZY | RTLD_LOCAL | DLOPEN_DEEPBIND)

/*
 * Why the module at path did not load (dlerror's text in why): this
 * machine's problem in every case (500), never Immich's.  glibc keeps the
 * cause in the text alone, so the shortages are told by their strerror.
 */
static void
module_error(const char *path, const char *why, struct err *e)
{
	char doing[64];
	int fds;

	if (why == NULL)
		why = "(no reason given)";
	snprintf(doing, sizeof(doing), "loading %s", SIBLING_MODULE);
	if ((fds = err_fd_shortage()) != 0 ||
	    strstr(why, strerror(EMFILE)) != NULL)
		err_local(e, fds != 0 ? fds : EMFILE, doing);
	else if (strstr(why, strerror(ENOMEM)) != NULL ||
	    strstr(why, "failed to map segment") != NULL)
		err_local(e, ENOMEM, doing);
	else
		sibling_missing(path, "calls Immich", access(path, F_OK) == -1 ?
		    errno : 0, why, e);
}

upstream_get_fn
module_load(struct err *e)
{
	upstream_get_fn fn;
	char path[PATH_MAX];
	void *h;

	if (sibling_path(SIBLING_MODULE, path, sizeof(path), e) != 0)
		return NULL;
	if ((h = dlopen(path, DLOPEN_FLAGS)) == NULL ||
	    (fn = (upstream_get_fn)(uintptr_t)dlsym(h, UPSTREAM_SYMBOL)) ==
	    NULL) {
		module_error(path, dlerror(), e);
		return NULL;
	}
	return fn;
}
