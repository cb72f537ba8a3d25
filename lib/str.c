/* str.c - white space in values and files; see str.h. */
#include "str.h"

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
