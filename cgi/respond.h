/*
 * respond.h - the answer of the CGI front: the one writer of HTTP headers
 * (cgit's shape: Status only through here, HEAD stops after the headers)
 * and the single flush-and-check of stdout.
 */
#ifndef IJP_RESPOND_H
#define IJP_RESPOND_H

#include <stdio.h>
#include <time.h>

#include "../lib/err.h"

/* The CGI environment, read once (read_request). */
struct request {
	struct timespec	 started;	/* CLOCK_MONOTONIC */
	int		 is_cgi;	/* GATEWAY_INTERFACE is set */
	int		 head;		/* REQUEST_METHOD is HEAD */
	const char	*method;	/* REQUEST_METHOD */
	const char	*path;		/* PATH_INFO, "/" when empty */
	/*
	 * GET /homepage: the answer of /, but an error with status 200.
	 * Homepage shows an answer of 400 or more as "HTTP Error" and our
	 * body as one escaped string; a 200 with an "error" key, as that
	 * error's sentence.
	 */
	int		 errors_as_200;
};

/* Writes a body to out from arg. */
typedef void (*body_fn)(FILE *out, const void *arg);

/*
 * write_answer - to out: the headers (none from a shell; status 200 when
 * r->errors_as_200; extra: more header lines, or NULL), then the body
 * unless HEAD.
 */
void	write_answer(FILE *out, const struct request *r, int status,
	    const char *type, const char *extra, body_fn body, const void *arg);

/*
 * respond - write_answer to stdout, then close it.  Returns 0, or 1 (said
 * in the log) when the answer could not be written.
 */
int	respond(const struct request *r, int status, const char *type,
	    const char *extra, body_fn body, const void *arg);

/* error_body - e (a const struct err *) as the JSON error body. */
void	error_body(FILE *out, const void *e);

/* log_error - log e: with its status for a CGI (lighttpd's log). */
void	log_error(const struct request *r, const struct err *e);

/* answer_error - answer the CGI's request with e, logging nothing. */
int	answer_error(const struct request *r, const struct err *e,
	    const char *extra);

/*
 * respond_error - log e and answer with it.  From a shell: the message on
 * stderr alone.  Returns respond's value, or shell_rc from a shell.
 */
int	respond_error(const struct request *r, const struct err *e,
	    const char *extra, int shell_rc);

#endif
