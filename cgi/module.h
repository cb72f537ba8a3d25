/*
 * module.h - load immich-jobs-fetch.so, the part that calls Immich.
 *
 * Why a module: loading libcurl costs ~12 M instructions per process (ld.so
 * relocating its 33 libraries), ~100x a hello-world CGI, and most requests
 * are answered from the cache.  So the full program links only libc and
 * lib/'s libc-only parts; libcurl and json-c live in the module beside
 * it, loaded on a cache miss (and by /healthz) alone.
 */
#ifndef IJP_MODULE_H
#define IJP_MODULE_H

#include "../lib/err.h"
#include "../lib/upstream.h"

/*
 * module_load - load immich-jobs-fetch.so (SIBLING_MODULE) from the directory of this binary.
 * Returns its upstream_get, or NULL with e set: always 500 (this machine's
 * problem): an incomplete installation, a shortage of memory or file
 * descriptors, or dlopen's own reason.
 */
upstream_get_fn	module_load(struct err *e);

#endif
