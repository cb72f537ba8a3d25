/* respond.c - headers, body, flush; see respond.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../lib/render.h"
#include "cap.h"
#include "log.h"
#include "respond.h"

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Error";
	}
}

void
write_answer(FILE *out, const struct request *r, int status,
    const char *type, const char *extra, body_fn body, const void *arg)
{
	if (r->errors_as_200)
		status = 200;
	if (r->is_cgi)
		fprintf(out, "Status: %d %s\r\n"
		    "Content-Type: %s\r\n"
		    "Cache-Control: no-store\r\n"
		    "%s"
		    "\r\n", status, reason(status), type,
		    extra != NULL ? extra : "");
	if (!r->head)
		body(out, arg);
}

/*
 * Close stdout, not just flush it, so the web server has all of the answer
 * and ends the request even if what follows (exit, libraries' cleanup, a
 * resolver thread) takes its time.
 */
int
respond(const struct request *r, int status, const char *type,
    const char *extra, body_fn body, const void *arg)
{
	int bad;

	cap_answering();
	write_answer(stdout, r, status, type, extra, body, arg);
	bad = ferror(stdout);
	if (fclose(stdout) != 0 || bad) {
		logmsg("writing the answer: %s", strerror(errno));
		return 1;
	}
	return 0;
}

void
error_body(FILE *out, const void *e)
{
	render_error(out, e);
}

void
log_error(const struct request *r, const struct err *e)
{
	cap_answering();
	if (r->is_cgi)
		logmsg("%d: %s", e->status, e->msg);
	else
		logmsg("%s", e->msg);
}

int
answer_error(const struct request *r, const struct err *e, const char *extra)
{
	return respond(r, e->status, "application/json", extra, error_body, e);
}

int
respond_error(const struct request *r, const struct err *e,
    const char *extra, int shell_rc)
{
	log_error(r, e);
	if (!r->is_cgi)
		return shell_rc;
	return answer_error(r, e, extra);
}
