/*
 * str.h - white space and UTF-8, as values, files and Immich's names have them.
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

/*
 * str_utf8_len - the length of the well-formed UTF-8 character at s (left
 * bytes, left > 0), 1 to 4, or 0 for a byte that starts none: no overlong
 * forms, no surrogates, nothing above U+10FFFF.  NUL counts as ill-formed.
 */
size_t	str_utf8_len(const unsigned char *s, size_t left);

/*
 * str_hash - 64-bit FNV-1a of len bytes at data, continuing from h
 * (STR_HASH_BASIS to start): the cache's ids and the boot's id.  Not a
 * cryptographic hash; it cannot give back what went in.
 */
#define STR_HASH_BASIS	0xcbf29ce484222325ull
unsigned long long str_hash(unsigned long long h, const void *data,
	    size_t len);

#endif
