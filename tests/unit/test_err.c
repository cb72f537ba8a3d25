/*
 * test_err.c - cmocka unit tests of lib/err.c: err_set, err_sanitize.
 */

#include <sys/resource.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../lib/err.h"
#include "../../lib/render.h"
#include "unit.h"

static void
test_err_set(void **state)
{
	char longmsg[ERR_MSG_MAX * 2];
	struct err e;

	(void)state;
	assert_int_equal(err_set(&e, 502, 403, "line1\nline2\t\"x\" \xc3\xa9"),
	    -1);
	assert_string_equal(e.msg, "line1 line2 \"x\" ??");
	assert_int_equal(e.status, 502);
	assert_int_equal(e.upstream_status, 403);
	memset(longmsg, 'm', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	err_set(&e, 500, 0, "%s", longmsg);
	assert_int_equal(strlen(e.msg), ERR_MSG_MAX - 1);
	/* A cut message ends with "..." (as err.h promises). */
	assert_string_equal(e.msg + ERR_MSG_MAX - 4, "...");
	assert_int_equal(e.msg[ERR_MSG_MAX - 5], 'm');
	/* err_sanitize marks a cut with "..." and stops at max - 1. */
	{
		char small[8];

		memset(small, 'X', sizeof(small));
		err_sanitize(small, 8, "abc\0def\x80ghij", 12);
		assert_string_equal(small, "abc ...");
		memset(small, 'X', sizeof(small));
		err_sanitize(small, 8, "ab\0c\x80\x7f", 6);
		assert_string_equal(small, "ab c? ");
		assert_int_equal(small[7], 'X');
		err_sanitize(small, 8, "abcdefg", 7);
		assert_string_equal(small, "abcdefg");
	}
	err_clear(&e);
	assert_int_equal(e.status, 0);
	assert_int_equal(e.upstream_status, 0);
	assert_string_equal(e.msg, "");
}

/*
 * Registered secrets never reach a message: err_set and err_sanitize
 * replace them before they cut (no prefix stays at the cut), the longest
 * first; err_redact does it in place and keeps every other byte.
 */
static void
test_err_secrets(void **state)
{
	char big[ERR_MSG_MAX + 64], small[12], name[64];
	struct err e;

	(void)state;
	err_secrets_clear();
	assert_int_equal(err_secret_add("SECRETpw", 8), 0);
	assert_int_equal(err_secret_add("user:SECRETpw", 13), 0);
	assert_int_equal(err_secret_add("SECRETpw", 8), 0);	/* known */
	assert_int_equal(err_secret_add("", 0), 0);		/* ignored */
	assert_int_equal(err_secret_add("x", ERR_SECRET_MAX + 1), -1);
	err_set(&e, 502, 0, "a user:SECRETpw@h b SECRETpw c SECRETp");
	assert_string_equal(e.msg, "a ***@h b *** c SECRETp");
	/* A secret that straddles the cut: no prefix of it stays. */
	memset(big, 'p', sizeof(big));
	memcpy(big + ERR_MSG_MAX - 6, "SECRETpw", 8);
	big[ERR_MSG_MAX + 40] = '\0';
	err_set(&e, 502, 0, "%s", big);
	assert_null(strstr(e.msg, "SECR"));
	assert_string_equal(e.msg + ERR_MSG_MAX - 10, "pppp**...");
	err_sanitize(small, sizeof(small), "ab SECRETpw cd", 14);
	assert_string_equal(small, "ab *** cd");
	err_sanitize(small, sizeof(small), "abcdefgh SECRETpw", 17);
	assert_string_equal(small, "abcdefgh **");	/* stars cut, no more */
	/* In place, UTF-8 kept: queue names. */
	strcpy(name, "q-SECRETpw-\xc3\xa9");
	err_redact(name);
	assert_string_equal(name, "q-***-\xc3\xa9");
	/* A secret under 3 bytes gets as many stars: s never grows. */
	assert_int_equal(err_secret_add("zz", 2), 0);
	strcpy(name, "azzb");
	err_redact(name);
	assert_string_equal(name, "a**b");
	err_secrets_clear();
	err_set(&e, 502, 0, "SECRETpw");
	assert_string_equal(e.msg, "SECRETpw");		/* forgotten */
}

/* This machine's shortages: 500, what ran out, the limit, never Immich. */
static void
test_err_local(void **state)
{
	struct rlimit old, low;
	struct err e;
	char want[160];
	int fds[64], n, i;

	(void)state;
	assert_int_equal(err_local(&e, ENOMEM, "calling Immich"), -1);
	assert_int_equal(e.status, 500);
	assert_int_equal(e.upstream_status, 0);
	assert_true(err_is_local(&e));
	assert_non_null(strstr(e.msg, "this machine's problem, not Immich's: "
	    "it ran out of memory while calling Immich"));
	err_local(&e, ENFILE, "loading x");
	assert_non_null(strstr(e.msg, "the system ran out of file descriptors "
	    "while loading x"));
	err_local(&e, EAGAIN, "y");
	assert_non_null(strstr(e.msg, "could not start a thread while y"));
	err_local(&e, EIO, "z");
	assert_non_null(strstr(e.msg, strerror(EIO)));
	err_set(&e, 502, 0, "Immich's host could not be reached");
	assert_false(err_is_local(&e));
	err_set(&e, 504, 0, "timed out");
	assert_false(err_is_local(&e));

	/* With a few descriptors left, the probe says so; with more, not. */
	assert_int_equal(err_fd_shortage(), 0);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = 32;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	for (n = 0; n < 64 && (fds[n] = dup(2)) != -1; n++)
		;
	assert_int_equal(err_fd_shortage(), EMFILE);
	err_local(&e, EMFILE, "calling Immich");
	snprintf(want, sizeof(want), "this process ran out of file "
	    "descriptors while calling Immich (it may open 32: raise ulimit -n");
	assert_non_null(strstr(e.msg, want));
	for (i = 0; i < n; i++)
		close(fds[i]);
	assert_int_equal(err_fd_shortage(), 0);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
}

/* What /healthz calls unhealthy: what lasts until someone acts. */
static void
test_err_needs_fix(void **state)
{
	static const struct {
		int	 status, upstream;
		const char *msg;
		int	 needs_fix;
	} cases[] = {
		{ 500, 0, "IMMICH_URL is not set", 1 },
		{ 502, 401, "Immich rejected the API key", 1 },
		{ 502, 403, "the API key lacks the job.read permission", 1 },
		{ 502, 404, "Immich has no /api/jobs", 1 },
		{ 502, 302, "IMMICH_URL answered HTTP 302, a redirect", 1 },
		{ 502, 200, "IMMICH_URL answered with an HTML page", 1 },
		{ 502, 0, "the server at http://h:22 (IMMICH_URL) did not "
		    "answer HTTP (x)", 1 },
		{ 502, 0, "TLS certificate problem talking to h", 1 },
		{ 502, 0, "the server at h asks for a TLS client certificate "
		    "and none is set", 1 },
		{ 502, 0, "the proxy refused to connect to h (HTTP 407)", 1 },
		{ 502, 0, "Immich's host could not be reached: its name "
		    "could not be resolved", 0 },
		{ 502, 0, "Immich's host could not be reached: Failed to "
		    "connect", 0 },
		{ 502, 0, "the connection to Immich at h failed: reset", 0 },
		{ 502, 500, "Immich answered HTTP 500", 0 },
		{ 502, 502, "HTTP 502 from a proxy", 0 },
		{ 502, 429, "it limits the rate of requests", 0 },
		{ 504, 0, "timed out after 10 s", 0 },
		{ 0, 0, "", 0 },
	};
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; cases[i].status != 0; i++) {
		err_set(&e, cases[i].status, cases[i].upstream, "%s",
		    cases[i].msg);
		if (err_needs_fix(&e) != cases[i].needs_fix)
			fail_msg("%d %d %s: %d", cases[i].status,
			    cases[i].upstream, cases[i].msg,
			    err_needs_fix(&e));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err_set),
		cmocka_unit_test(test_err_secrets),
		cmocka_unit_test(test_err_local),
		cmocka_unit_test(test_err_needs_fix),
	};

	return cmocka_run_group_tests_name("err", tests, NULL, NULL);
}
