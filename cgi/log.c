/* log.c - log lines; see log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

#define PREFIX	"immich-jobs-proxy: "

static size_t	vlog_line(char *, size_t, const char *, va_list)
	    __attribute__((format(printf, 3, 0)));

static size_t
vlog_line(char *buf, size_t size, const char *fmt, va_list ap)
{
	size_t len = sizeof(PREFIX) - 1;
	int n;

	if (size < len + 2) {
		if (size > 0)
			buf[0] = '\0';
		return 0;
	}
	memcpy(buf, PREFIX, len);
	n = vsnprintf(buf + len, size - len - 1, fmt, ap);
	if (n > 0)
		len += (size_t)n < size - len - 1 ? (size_t)n : size - len - 2;
	buf[len++] = '\n';
	buf[len] = '\0';
	return len;
}

size_t
log_line(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	len = vlog_line(buf, size, fmt, ap);
	va_end(ap);
	return len;
}

void
logmsg(const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vlog_line(line, sizeof(line), fmt, ap);
	va_end(ap);
	fputs(line, stderr);
}
