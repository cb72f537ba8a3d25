/*
 * log.h - the one way cgi/ writes to stderr: lighttpd's error log for a
 * CGI, the terminal from a shell.  Every line starts "immich-jobs-proxy: ".
 * lib/ never logs: it hands what is worth saying back (struct err, a note).
 */
#ifndef IJP_LOG_H
#define IJP_LOG_H

#include <stddef.h>

/*
 * log_line - the log line for fmt into buf (size bytes, always
 * NUL-terminated, ending in "\n"; cut to fit).  Returns its length.
 */
size_t	log_line(char *buf, size_t size, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* logmsg - write the log line for fmt to stderr. */
void	logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
