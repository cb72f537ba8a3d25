/*
 * str.h - white space as the configuration's values and files have it.
 */
#ifndef IJP_STR_H
#define IJP_STR_H

#include <stddef.h>

/* str_is_space - space, tab, CR, LF, VT or FF (the C locale's isspace). */
int	str_is_space(char c);

/*
 * str_trim - s (*len bytes) without the white space around it: returns
 * the first byte kept and sets *len to the bytes kept.
 */
const char *str_trim(const char *s, size_t *len);

#endif
