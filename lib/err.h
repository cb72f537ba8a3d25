/*
 * err.h - the one error value of immich-jobs-proxy.
 *
 * A failure is recorded where it happens (configuration, upstream fetch,
 * parsing) into a struct err and travels unchanged to the single place that
 * writes the response (cgi/respond.c).  lib/ only fills it in; it never
 * prints nor logs (what else is worth saying comes back too: counts.h).
 */
#ifndef IJP_ERR_H
#define IJP_ERR_H

#define ERR_MSG_MAX 1024	/* bytes, including the terminating NUL: room
				   for every configuration problem at once */
#define ERR_SECRETS_MAX	8	/* secrets err_secret_add keeps */
#define ERR_SECRET_MAX	1400	/* bytes of one secret (base64 of a URL's
				   user:password fits) */

struct err {
	int	status;			/* HTTP status for our answer: 500, 502, 504 ... */
	int	upstream_status;	/* HTTP status Immich answered, 0 if none */
	char	msg[ERR_MSG_MAX];	/* human message, never holds the API key */
};

/*
 * err_set - record a failure: our HTTP status, Immich's status (0 when Immich
 * did not answer) and a printf-style message, truncated to ERR_MSG_MAX - 1
 * bytes.  The message goes through err_sanitize, so it is always safe in a
 * JSON string or a log line and holds no registered secret (the whole
 * message is formatted before it is cut, so no piece of one either).
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
 * hold NULs) into dst as printable ASCII: every registered secret becomes
 * "***" (fewer stars for one under 3 bytes), control bytes become spaces,
 * bytes over 0x7f become '?', and a cut message ends with "...".  Secrets
 * are replaced before the cut, so none is cut into a prefix that stays.
 * Used to quote Immich's own messages and headers, and by err_set.  dst
 * always ends with NUL; max is the size of dst in bytes.
 */
void	err_sanitize(char *dst, size_t max, const char *src, size_t srclen);

/*
 * err_secret_add - remember the len bytes at s (copied) as text that no
 * message may hold: err_set, err_sanitize and err_redact replace it from
 * now on, in this copy of lib/err.c (each binary and the fetch module have
 * their own).  The longest secrets are looked for first.  Returns 0 (also
 * for len 0, ignored, and a secret already known), or -1 when len is over
 * ERR_SECRET_MAX or ERR_SECRETS_MAX are kept already.
 */
int	err_secret_add(const char *s, size_t len);

/* err_secrets_clear - forget (and wipe) every registered secret. */
void	err_secrets_clear(void);

/*
 * err_redact - replace every registered secret in the string s, in place,
 * as err_sanitize does, leaving every other byte as it is (for queue names
 * Immich sent, which keep their UTF-8).  s never grows.
 */
void	err_redact(char *s);

/*
 * err_local - record a shortage on this machine, met while doing what
 * ("loading immich-jobs-fetch.so", "calling Immich"): status 500, and a
 * message that says what ran out and that Immich is not to blame:
 * errnum EMFILE (this process's file descriptors, with its limit and how
 * to raise it), ENFILE (the system's), ENOMEM (memory), EAGAIN (threads or
 * processes), else strerror(errnum).  Always returns -1.
 */
int	err_local(struct err *e, int errnum, const char *doing);

/*
 * err_fd_shortage - whether this process is (nearly) out of file
 * descriptors: it tries to open 8 more for a moment.  Returns EMFILE or
 * ENFILE when it could not, 0 otherwise.  A failure to connect, resolve or
 * load a library right after one of these is this machine's, not Immich's.
 */
int	err_fd_shortage(void);

/*
 * err_is_local - whether e is this machine's problem (status 500: the
 * configuration, the installation, a shortage of memory or descriptors),
 * as opposed to Immich's answer or silence (502, 504).  A local error is
 * never stored in the shared cache as Immich's answer.
 */
int	err_is_local(const struct err *e);

/*
 * err_needs_fix - whether e lasts until someone changes something: the
 * configuration or installation (500), a key Immich refuses or that lacks
 * a permission, an address that answers but not as Immich's API (a 404,
 * a redirect, a login page, HTML, another protocol, a TLS certificate
 * that does not verify).  0 for what passes by itself: Immich down,
 * asleep, unreachable, slow (504), failing (5xx) or limiting the rate.
 * /healthz reports the first kind as unhealthy.
 */
int	err_needs_fix(const struct err *e);

#endif
