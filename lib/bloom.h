/* A Bloom filter of strings: "certainly not added" or "perhaps added". The
 * engine keeps one of every id the store may hold, so that a batch naming a
 * person or household that memory lacks asks PostgreSQL only when the store
 * may have it; a new one (most of them, in an initial load) costs no read.
 * Ten bits and seven probes a key give about 1 % false "perhaps" at the
 * capacity it was made for; past it the rate grows, never a wrong "no". */
#ifndef ASSIST_BLOOM_H
#define ASSIST_BLOOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bloom {
	uint64_t *words;
	uint64_t mask;   /* bits - 1 (a power of two) */
	size_t added;    /* keys that set a bit: about the different keys added */
	size_t capacity; /* keys it was sized for */
};

/* A filter for capacity keys (at least one). 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int bloom_init(struct bloom *b, size_t capacity);
/* Add key. */
void bloom_add(struct bloom *b, const char *key);
/* False when key was certainly never added. */
bool bloom_maybe(const struct bloom *b, const char *key);
/* Bytes of memory it holds. */
size_t bloom_bytes(const struct bloom *b);
void bloom_free(struct bloom *b);

#endif
