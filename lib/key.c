/* key.c - the rules for the API key and other secret files; see key.h. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "key.h"
#include "str.h"

#define UTF8_BOM	"\xef\xbb\xbf"
#define QUOTE_HINT	": copy the key without quotation marks or other text"

/* What an ASCII character no key has is, for messages, and what to do. */
static const struct {
	unsigned char	 lo, hi;
	const char	*kind, *hint;
} ascii_kinds[] = {
	{ '\r', '\r', "a line break", ": the key must be on one line" },
	{ '\n', '\n', "a line break", ": the key must be on one line" },
	{ ' ', ' ', "a space", ": copy the key alone" },
	{ '\t', '\t', "a tab", ": copy the key alone" },
	{ 0x00, 0x1f, "a control character", "" },
	{ 0x7f, 0x7f, "a control character", "" },
	{ '"', '"', "a quotation mark", QUOTE_HINT },
	{ '\'', '\'', "a quotation mark", QUOTE_HINT },
	{ '`', '`', "a quotation mark", QUOTE_HINT },
	{ '=', '=', "an '='", "" },
};

/* The UTF-8 characters a copied key most often holds: lead, then a range. */
static const struct {
	const char	*lead;
	unsigned char	 lo, hi;
	const char	*kind;
} utf8_kinds[] = {
	{ "\xe2\x80", 0x98, 0x9f, "a typographic quotation mark" },
	{ "\xc2", 0xa0, 0xa0, "a non-breaking space" },
	{ "\xe2\x80", 0x8b, 0x8d, "a zero-width space" },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static int
is_alnum(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9');
}

/* A variable name followed by '=' at the start of s: its length, or 0. */
static size_t
assignment(const char *s, size_t len)
{
	size_t i = 0;
	int underscore = 0;

	/*
	 * An Immich key has no '_', so a name holding one is no piece of a
	 * key: it may be shown.
	 */
	while (i < len && i < 64 && (s[i] == '_' ||
	    is_alnum((unsigned char)s[i])) &&
	    !(i == 0 && s[i] >= '0' && s[i] <= '9'))
		underscore |= s[i++] == '_';
	return underscore && i < len && s[i] == '=' ? i : 0;
}

/* A UTF-8 character at s (n bytes) that utf8_kinds names, or NULL. */
static const char *
utf8_kind(const unsigned char *s, size_t n)
{
	size_t i, l;

	for (i = 0; i < NELEM(utf8_kinds); i++) {
		l = strlen(utf8_kinds[i].lead);
		if (n > l && memcmp(s, utf8_kinds[i].lead, l) == 0 &&
		    s[l] >= utf8_kinds[i].lo && s[l] <= utf8_kinds[i].hi)
			return utf8_kinds[i].kind;
	}
	return "a non-ASCII character";
}

/*
 * What kind of character starts at s (n bytes), and the hint for it; buf
 * (8 bytes) holds an ASCII punctuation character's own name: it cannot be
 * a piece of an Immich key.
 */
static const char *
char_kind(const unsigned char *s, size_t n, char *buf, const char **hint)
{
	size_t i;

	if (*s >= 0x80) {
		*hint = QUOTE_HINT;
		return utf8_kind(s, n);
	}
	*hint = "";
	for (i = 0; i < NELEM(ascii_kinds); i++)
		if (*s >= ascii_kinds[i].lo && *s <= ascii_kinds[i].hi) {
			*hint = ascii_kinds[i].hint;
			return ascii_kinds[i].kind;
		}
	snprintf(buf, 8, "a '%c'", *s);
	return buf;
}

/*
 * The length of the NAME in a copied "NAME=..." or "export NAME=..."
 * line at s, with *name pointing at it; 0 when s is no such line.
 */
static size_t
copied_line(const char *s, size_t len, const char **name)
{
	size_t n;

	*name = s;
	if ((n = assignment(s, len)) > 0)
		return n;
	if (len > 7 && memcmp(s, "export", 6) == 0 && str_is_space(s[6])) {
		*name = s + 7;
		return assignment(s + 7, len - 7);
	}
	return 0;
}

/* The first character of s no Immich key has, as an error; 0 if none. */
static int
check_key_chars(const char *s, size_t len, const char *from, struct err *e)
{
	const unsigned char *u = (const unsigned char *)s;
	const char *name, *hint, *kind;
	size_t i, n;
	char buf[8];

	for (i = 0; i < len && is_alnum(u[i]); i++)
		;
	if (i == len)
		return 0;
	if ((n = copied_line(s, len, &name)) > 0)
		return err_set(e, 500, 0, "%s: the key holds an '=' at "
		    "character %zu: it looks like a copied \"%.*s=...\" line; "
		    "give only the key (Immich's keys are letters and digits)",
		    from, (size_t)(name - s) + n + 1, (int)n, name);
	kind = char_kind(u + i, len - i, buf, &hint);
	return err_set(e, 500, 0, "%s: the key holds %s at character %zu of "
	    "%zu; Immich's API keys are only letters and digits%s", from,
	    kind, i + 1, len, hint);
}

int
key_clean(char *key, const char *buf, size_t len, const char *from,
    struct err *e)
{
	const char *s = buf;

	if (len >= 2 && (memcmp(s, "\xff\xfe", 2) == 0 ||
	    memcmp(s, "\xfe\xff", 2) == 0))
		return err_set(e, 500, 0, "%s is in UTF-16 (\"Unicode\" on "
		    "Windows): save the key as plain text (UTF-8 or ASCII)",
		    from);
	if (len >= 3 && memcmp(s, UTF8_BOM, 3) == 0) {
		s += 3;		/* Windows editors start UTF-8 files with it */
		len -= 3;
	}
	s = str_trim(s, &len);
	if (len >= KEY_SECRET_MIN)
		err_secret_add(s, len);	/* refused or not, it may be one */
	if (len == 0)
		return err_set(e, 500, 0, "%s is empty: it must hold an Immich "
		    "API key", from);
	if (len >= KEY_MAX)
		return err_set(e, 500, 0, "%s is too long for an API key "
		    "(over %d bytes)", from, KEY_MAX - 1);
	if (check_key_chars(s, len, from, e) != 0)
		return -1;
	if (len < KEY_MIN)
		return err_set(e, 500, 0, "%s is too short for an Immich API key "
		    "(under %d characters): copy the whole key Immich showed "
		    "when it was created", from, KEY_MIN);
	memcpy(key, s, len);
	key[len] = '\0';
	return 0;
}

/* What a file that is not a regular one is, for messages. */
static const char *
file_kind(mode_t m)
{
	if (S_ISFIFO(m))
		return "a named pipe (FIFO)";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

/* Why path (named by name) cannot be opened (errno err), naming who tried. */
static int
file_error(const char *path, const char *name, int err, struct err *e)
{
	unsigned long uid = (unsigned long)geteuid();
	struct stat st;

	if ((err == EACCES || err == EPERM) && stat(path, &st) == 0)
		return err_set(e, 500, 0, "%s %s cannot be read by uid %lu, "
		    "which runs the service: %s (it belongs to uid %lu, mode "
		    "%04o): make it readable by uid %lu, e.g. chown %lu %s && "
		    "chmod 0400 %s", name, path, uid, strerror(err),
		    (unsigned long)st.st_uid, (unsigned)(st.st_mode & 07777),
		    uid, uid, path, path);
	if (err == ENOENT || err == ENOTDIR)
		return err_set(e, 500, 0, "%s %s does not exist (check the "
		    "path, and that the file is mounted into the container or "
		    "given to the service)", name, path);
	return err_set(e, 500, 0, "%s %s cannot be read by uid %lu, which "
	    "runs the service: %s", name, path, uid, strerror(err));
}

/* path opened for reading, a regular file: the descriptor, or -1 and e. */
static int
open_regular(const char *path, const char *name, const char *holds,
    struct err *e)
{
	struct stat st;
	int fd, saved;

	/*
	 * Never block: a FIFO would hang every request, /healthz and the
	 * start-up check until someone writes to it.
	 */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1)
		return file_error(path, name, errno, e);
	if (fstat(fd, &st) != 0) {
		saved = errno;
		close(fd);
		return file_error(path, name, saved, e);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, 500, 0, "%s %s is %s: give a regular file "
		    "holding only %s", name, path, file_kind(st.st_mode),
		    holds);
	}
	return fd;
}

int
key_file_check(const char *path, const char *name, const char *holds,
    struct err *e)
{
	int fd = open_regular(path, name, holds, e);

	if (fd == -1)
		return -1;
	close(fd);
	return 0;
}

int
key_file_read(const char *path, const char *name, const char *holds,
    char *buf, size_t size, size_t *len, struct err *e)
{
	ssize_t n = 1;
	int fd, saved = 0;

	*len = 0;
	if ((fd = open_regular(path, name, holds, e)) == -1)
		return -1;
	while (*len < size && n != 0) {
		n = read(fd, buf + *len, size - *len);
		if (n > 0)
			*len += (size_t)n;
		else if (n < 0 && errno != EINTR) {
			saved = errno;
			break;
		}
	}
	close(fd);
	if (saved == 0 && *len < size)
		return 0;
	explicit_bzero(buf, size);
	if (saved != 0)
		return file_error(path, name, saved, e);
	return err_set(e, 500, 0, "%s is larger than %zu bytes: it must hold "
	    "only %s", name, size - 1, holds);
}
