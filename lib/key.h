/*
 * key.h - the rules for secrets a user gives: the API key (in a variable
 * or a file) and the files of a TLS client certificate's key.
 *
 * Pure libc.  A secret file is opened without blocking (a FIFO would hang
 * every request until someone writes to it), must be a regular file, and
 * a file that cannot be read is named with the uid that tried.  No message
 * ever holds what a secret file holds.
 */
#ifndef IJP_KEY_H
#define IJP_KEY_H

#include <stddef.h>

#include "err.h"

#define KEY_MAX		512	/* bytes, the API key */
#define KEY_MIN		16	/* bytes; Immich's keys are longer */
/*
 * A refused key shorter than this is not masked in messages: "***" in
 * place of every "e" or "1" would garble them, and so short a string
 * hides nothing of a real key (Immich's are over 40 characters).
 */
#define KEY_SECRET_MIN	8

/*
 * key_clean - drop a UTF-8 byte-order mark and surrounding white space
 * from the len bytes at buf, check that what is left can be an Immich API
 * key and copy it to key (KEY_MAX bytes).  Immich makes its keys from
 * random bytes in base64 with every non-word character removed
 * (server/src/repositories/crypto.repository.ts, randomBytesAsText), so a
 * key is letters and digits only, KEY_MIN to KEY_MAX - 1 of them (a
 * shorter key could not be kept out of messages).  from names the
 * variable in errors.  Returns 0, or -1 with e (500) saying what is wrong
 * and where (which kind of character, at which one).  The message never
 * holds the key: what is left after the trimming is registered with
 * err_secret_add first, valid or not.
 */
int	key_clean(char *key, const char *buf, size_t len, const char *from,
	    struct err *e);

/*
 * key_file_check - whether the file at path, named by the variable name,
 * can be opened for reading as a regular file, without reading it; holds
 * says what it must hold ("the key").
 * Returns 0, or -1 with e (500) as key_file_read.
 */
int	key_file_check(const char *path, const char *name, const char *holds,
	    struct err *e);

/*
 * key_file_read - read the regular file at path, named by the variable
 * name, whole into buf (size bytes; *len set), without blocking: a
 * regular file this uid can read, under size bytes.  Returns 0, or -1
 * with e (500) naming the variable and the path and how to fix it (when
 * this uid cannot read it, with the file's owner and mode).  buf is wiped
 * on failure.
 */
int	key_file_read(const char *path, const char *name, const char *holds,
	    char *buf, size_t size, size_t *len, struct err *e);

#endif
