/* checks/check.h - CHECK(cond): abort with the harness's name and the failed
 * condition, so libFuzzer keeps the input as a crash. */
#ifndef IJP_FUZZ_CHECK_H
#define IJP_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

#endif
