/*
 * err.h - the one error value of immich-jobs-proxy.
 *
 * A failure is recorded where it happens (configuration, upstream fetch,
 * parsing) into a struct err and travels unchanged to the single place that
 * writes the response (cgi/main.c).  lib/ only fills it in; it never prints.
 */
#ifndef IJP_ERR_H
#define IJP_ERR_H

#define ERR_MSG_MAX 512		/* bytes, including the terminating NUL */

struct err {
	int	status;			/* HTTP status for our answer: 500, 502, 504 ... */
	int	upstream_status;	/* HTTP status Immich answered, 0 if none */
	char	msg[ERR_MSG_MAX];	/* human message, never holds the API key */
};

/*
 * err_set - record a failure: our HTTP status, Immich's status (0 when Immich
 * did not answer) and a printf-style message, truncated to ERR_MSG_MAX - 1
 * bytes.  The message goes through err_sanitize, so it is always safe in a
 * JSON string or a log line.
 * Always returns -1, so callers can write `return err_set(...)`.
 */
int	err_set(struct err *e, int status, int upstream_status,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * err_clear - reset e to "no error" (status 0, empty message).
 */
void	err_clear(struct err *e);

/*
 * err_sanitize - copy at most max - 1 bytes of src (srclen bytes, which may
 * hold NULs) into dst as printable ASCII: control bytes become spaces, bytes over 0x7f
 * become '?', and a
 * cut message ends with "...".  Used to quote Immich's own messages and
 * headers.  dst always ends with NUL; max is the size of dst in bytes.
 */
void	err_sanitize(char *dst, size_t max, const char *src, size_t srclen);

#endif
