/* subject_key: a stable pseudonym of an ID number, the keyed BLAKE2b hash
 * (libsodium crypto_generichash) of its 18 characters (normalized, upper-case
 * X) under a 32-byte secret key, 16 bytes written as 32 lower-case hex
 * characters. One key gives the same pseudonym for the same ID everywhere;
 * without the key a pseudonym cannot be turned back into an ID by trying the
 * few billion valid ones. The key file holds the key as 64 hex characters. */
#ifndef ASSIST_SUBJECT_H
#define ASSIST_SUBJECT_H

#include <stddef.h>
#include <stdint.h>

#define SUBJECT_KEY_BYTES 32
#define SUBJECT_HASH_BYTES 16
#define SUBJECT_HEX_LEN (2 * SUBJECT_HASH_BYTES)

/* Decode a key of 64 hex characters (surrounding white space ignored). 0 or
 * -EINVAL. */
__attribute__((warn_unused_result)) int subject_key_parse(const char *hex,
							  uint8_t key[SUBJECT_KEY_BYTES]);
/* Read and decode the key file path. 0, or a negative errno with the reason in err. */
__attribute__((warn_unused_result)) int subject_key_load(const char *path,
							 uint8_t key[SUBJECT_KEY_BYTES],
							 char *err, size_t errlen);
/* The pseudonym of id under key into out; returns out. */
char *subject_of(const uint8_t key[SUBJECT_KEY_BYTES], const char *id,
		 char out[SUBJECT_HEX_LEN + 1]);

#endif
