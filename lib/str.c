/* str.c - white space in values and files; see str.h. */
#include "str.h"

/*
 * Well-formed UTF-8 (RFC 3629, table 3-7 of Unicode): the first byte's
 * range, the length, the range of the second byte; later bytes 80..BF.
 */
static const struct {
	unsigned char	 first_lo, first_hi;
	unsigned char	 n;
	unsigned char	 second_lo, second_hi;
} utf8_forms[] = {
	{ 0x01, 0x7f, 1, 0x00, 0x00 },
	{ 0xc2, 0xdf, 2, 0x80, 0xbf },
	{ 0xe0, 0xe0, 3, 0xa0, 0xbf },
	{ 0xe1, 0xec, 3, 0x80, 0xbf },
	{ 0xed, 0xed, 3, 0x80, 0x9f },	/* no surrogates */
	{ 0xee, 0xef, 3, 0x80, 0xbf },
	{ 0xf0, 0xf0, 4, 0x90, 0xbf },
	{ 0xf1, 0xf3, 4, 0x80, 0xbf },
	{ 0xf4, 0xf4, 4, 0x80, 0x8f },	/* nothing above U+10FFFF */
};

size_t
str_utf8_len(const unsigned char *s, size_t left)
{
	size_t f, i, n;

	for (f = 0; f < sizeof(utf8_forms) / sizeof(utf8_forms[0]); f++)
		if (s[0] >= utf8_forms[f].first_lo &&
		    s[0] <= utf8_forms[f].first_hi)
			break;
	if (f == sizeof(utf8_forms) / sizeof(utf8_forms[0]) ||
	    left < (n = utf8_forms[f].n))
		return 0;
	if (n > 1 && (s[1] < utf8_forms[f].second_lo ||
	    s[1] > utf8_forms[f].second_hi))
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

int
str_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	    c == '\f';
}

const char *
str_trim(const char *s, size_t *len)
{
	const char *end = s + *len;

	while (s < end && str_is_space(*s))
		s++;
	while (end > s && str_is_space(end[-1]))
		end--;
	*len = (size_t)(end - s);
	return s;
}

unsigned long long
str_hash(unsigned long long h, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len-- > 0) {
		h ^= *p++;
		h *= 0x100000001b3ull;
	}
	return h;
}
