/* err.c - the error value; see err.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

void
err_sanitize(char *dst, size_t max, const char *src, size_t srclen)
{
	size_t i, n;

	if (max == 0)
		return;
	n = srclen < max - 1 ? srclen : max - 1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[i] = (c < 0x20 || c == 0x7f) ? ' ' : c > 0x7f ? '?' : (char)c;
	}
	dst[n] = '\0';
	if (srclen > n && max > 4)
		memcpy(dst + max - 4, "...", 4);
}

int
err_set(struct err *e, int status, int upstream_status, const char *fmt, ...)
{
	char buf[ERR_MSG_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	/* n is the untruncated length: err_sanitize marks a cut with "...". */
	err_sanitize(e->msg, sizeof(e->msg), buf, (size_t)n);
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
