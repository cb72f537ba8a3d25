/* err.c - the error value; see err.h. */
#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "err.h"

/*
 * The secrets no message may hold, longest first: a pair "user:password"
 * is replaced whole before the password alone is looked for.
 */
static char	secret[ERR_SECRETS_MAX][ERR_SECRET_MAX];
static size_t	secret_len[ERR_SECRETS_MAX];
static size_t	nsecrets;
/*
 * What err_secrets_clear must wipe: the slots and bytes ever used, not
 * all 11 KB, and which bytes start a secret, so that looking for them
 * costs one table look-up per byte: a miss redacts all of Immich's answer.
 */
static size_t	used_slots, used_len;
static unsigned char starts[256];

int
err_secret_add(const char *s, size_t len)
{
	size_t i, j;

	if (len == 0)
		return 0;
	if (len > ERR_SECRET_MAX)
		return -1;
	for (i = 0; i < nsecrets; i++)
		if (secret_len[i] == len && memcmp(secret[i], s, len) == 0)
			return 0;
	if (nsecrets == ERR_SECRETS_MAX)
		return -1;
	for (i = 0; i < nsecrets && secret_len[i] >= len; i++)
		;
	for (j = nsecrets; j > i; j--) {
		memcpy(secret[j], secret[j - 1], secret_len[j - 1]);
		secret_len[j] = secret_len[j - 1];
	}
	memcpy(secret[i], s, len);
	secret_len[i] = len;
	nsecrets++;
	starts[(unsigned char)s[0]] = 1;
	if (nsecrets > used_slots)
		used_slots = nsecrets;
	if (len > used_len)
		used_len = len;
	return 0;
}

void
err_secrets_clear(void)
{
	size_t i;

	for (i = 0; i < used_slots; i++)
		explicit_bzero(secret[i], used_len);
	memset(secret_len, 0, sizeof(secret_len));
	memset(starts, 0, sizeof(starts));
	nsecrets = used_slots = used_len = 0;
}

/* The length of the registered secret that starts at p (n bytes), or 0. */
static size_t
secret_at(const char *p, size_t n)
{
	size_t i;

	if (!starts[(unsigned char)p[0]])
		return 0;
	for (i = 0; i < nsecrets; i++)
		if (secret_len[i] <= n && p[0] == secret[i][0] &&
		    memcmp(p, secret[i], secret_len[i]) == 0)
			return secret_len[i];
	return 0;
}

void
err_redact(char *s)
{
	size_t n, i = 0, o, k, stars;

	if (nsecrets == 0)
		return;
	/*
	 * Up to the first secret nothing moves: a whole answer of Immich's
	 * (a miss redacts it) costs a table look-up per byte.
	 */
	n = strlen(s);
	while (i < n && (!starts[(unsigned char)s[i]] ||
	    secret_at(s + i, n - i) == 0))
		i++;
	for (o = i; i < n; ) {
		if ((k = secret_at(s + i, n - i)) > 0) {
			for (stars = k < 3 ? k : 3; stars > 0; stars--)
				s[o++] = '*';
			i += k;
		} else
			s[o++] = s[i++];
	}
	s[o] = '\0';
}

/* How many bytes from src[i] (of n) copy as they are, at most room. */
static size_t
plain_run(const char *src, size_t i, size_t n, size_t room)
{
	size_t run = i;

	while (run < n && run - i < room && (unsigned char)src[run] >= 0x20 &&
	    (unsigned char)src[run] < 0x7f && !starts[(unsigned char)src[run]])
		run++;
	return run - i;
}

/* One byte that is not plain, as printable ASCII. */
static char
printable(unsigned char c)
{
	if (c < 0x20 || c == 0x7f)
		return ' ';
	return c > 0x7f ? '?' : (char)c;
}

void
err_sanitize(char *dst, size_t max, const char *src, size_t srclen)
{
	size_t i = 0, o = 0, k, stars;

	if (max == 0)
		return;
	while (i < srclen && o < max - 1) {
		/* A run of plain bytes, copied at once. */
		if ((k = plain_run(src, i, srclen, max - 1 - o)) > 0) {
			memcpy(dst + o, src + i, k);
			o += k;
			i += k;
		} else if (nsecrets > 0 &&
		    (k = secret_at(src + i, srclen - i)) > 0) {
			for (stars = k < 3 ? k : 3; stars > 0 && o < max - 1;
			    stars--)
				dst[o++] = '*';
			i += k;
		} else
			dst[o++] = printable((unsigned char)src[i++]);
	}
	dst[o] = '\0';
	if (i < srclen && max > 4)
		memcpy(dst + max - 4, "...", 4);
}

int
err_set(struct err *e, int status, int upstream_status, const char *fmt, ...)
{
	/*
	 * Room for a whole secret that starts before the cut at
	 * ERR_MSG_MAX - 1, so it is replaced rather than cut into a prefix.
	 */
	char buf[ERR_MSG_MAX + ERR_SECRET_MAX + 64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(buf))
		n = (int)sizeof(buf) - 1;	/* still over ERR_MSG_MAX: cut */
	err_sanitize(e->msg, sizeof(e->msg), buf, (size_t)n);
	explicit_bzero(buf, sizeof(buf));
	e->status = status;
	e->upstream_status = upstream_status;
	return -1;
}

void
err_clear(struct err *e)
{
	e->status = 0;
	e->upstream_status = 0;
	e->msg[0] = '\0';
}

int
err_local(struct err *e, int errnum, const char *doing)
{
	struct rlimit rl;

	switch (errnum) {
	case EMFILE:
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
		    rl.rlim_cur != RLIM_INFINITY)
			return err_set(e, 500, 0, "this machine's problem, not "
			    "Immich's: this process ran out of file descriptors "
			    "while %s (it may open %llu: raise ulimit -n, "
			    "systemd's LimitNOFILE= or Docker's --ulimit nofile)",
			    doing, (unsigned long long)rl.rlim_cur);
		return err_set(e, 500, 0, "this machine's problem, not "
		    "Immich's: this process ran out of file descriptors while "
		    "%s (raise ulimit -n)", doing);
	case ENFILE:
		return err_set(e, 500, 0, "this machine's problem, not "
		    "Immich's: the system ran out of file descriptors while %s "
		    "(the kernel's fs.file-max)", doing);
	case ENOMEM:
		return err_set(e, 500, 0, "this machine's problem, not "
		    "Immich's: it ran out of memory while %s (check the "
		    "memory left, ulimit -v, or the container's memory limit)",
		    doing);
	case EAGAIN:
		return err_set(e, 500, 0, "this machine's problem, not "
		    "Immich's: it could not start a thread while %s (out of "
		    "memory, or a limit on processes: ulimit -u, a container's "
		    "pids limit)", doing);
	default:
		return err_set(e, 500, 0, "this machine's problem, not "
		    "Immich's: %s while %s", strerror(errnum), doing);
	}
}

int
err_fd_shortage(void)
{
	int fds[8], n, i, src, saved = 0;

	for (src = 0; src <= 2 && fcntl(src, F_GETFD) == -1; src++)
		;
	if (src > 2)
		return 0;	/* nothing to copy from: cannot tell */
	for (n = 0; n < 8; n++)
		if ((fds[n] = fcntl(src, F_DUPFD_CLOEXEC, 0)) == -1) {
			saved = errno;
			break;
		}
	for (i = 0; i < n; i++)
		close(fds[i]);
	return saved == EMFILE || saved == ENFILE ? saved : 0;
}

int
err_is_local(const struct err *e)
{
	return e->status == 500;
}

int
err_needs_fix(const struct err *e)
{
	/*
	 * Without an HTTP status, the transport's messages (lib/upstream.c,
	 * lib/diagnose.c) tell a server that is not Immich's API, one whose
	 * certificate cannot be trusted or that wants a client certificate,
	 * or a proxy that refuses the way, from one that is down.
	 */
	static const char *const wrong_server[] = {
		"did not answer HTTP", "TLS certificate problem",
		"TLS handshake", "IMMICH_JOBS_CA_FILE",
		"TLS client certificate", "refused to connect to", NULL
	};
	int st = e->upstream_status;
	size_t i;

	if (e->status == 500)
		return 1;
	if (e->status != 502)
		return 0;
	if (st == 0) {
		for (i = 0; wrong_server[i] != NULL; i++)
			if (strstr(e->msg, wrong_server[i]) != NULL)
				return 1;
		return 0;
	}
	/* Immich failing, a proxy that cannot reach it, a rate limit. */
	return !(st >= 500 || st == 408 || st == 429);
}
