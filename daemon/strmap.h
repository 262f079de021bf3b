/* A string-keyed hash table of pointers (open addressing, linear probing).
 * Keys are borrowed: they live in the values (a person's id, for instance).
 * No removal: the working set only grows, and is bounded by the city. */
#ifndef ASSIST_STRMAP_H
#define ASSIST_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap_slot {
	const char *key;
	void *value;
	uint64_t hash; /* of key */
};

struct strmap {
	struct strmap_slot *slots;
	size_t cap; /* a power of two, or 0 */
	size_t n;
};

/* The value stored under key, or NULL. */
void *strmap_get(const struct strmap *t, const char *key);
/* Store value under key (replacing); 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int strmap_put(struct strmap *t, const char *key, void *value);
/* Free the slots (not the values). */
void strmap_free(struct strmap *t);

#endif
