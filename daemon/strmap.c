#include "strmap.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a: short keys (ID numbers, household numbers), no adversary to fear
 * since every key was validated or comes from our own database. */
static uint64_t strmap_hash(const char *key)
{
	uint64_t h = 1469598103934665603ULL;

	for (const unsigned char *p = (const unsigned char *)key; *p != '\0'; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	return h;
}

/* The slot of key (hash h): its own, or the empty one where it goes. The
 * hashes compared first, in the slots themselves, so that a probe past
 * other keys reads none of them: at 10^6 persons a miss probes several
 * slots, and each other key is a person's memory out of the caches. */
static struct strmap_slot *strmap_find(const struct strmap *t, const char *key, uint64_t h)
{
	size_t mask = t->cap - 1;

	for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
		struct strmap_slot *s = &t->slots[i];
		if (s->key == NULL || (s->hash == h && strcmp(s->key, key) == 0))
			return s;
	}
}

void *strmap_get(const struct strmap *t, const char *key)
{
	if (t->cap == 0)
		return NULL;
	return strmap_find(t, key, strmap_hash(key))->value;
}

static int strmap_grow(struct strmap *t)
{
	size_t ncap = t->cap ? t->cap * 2 : 1024;
	struct strmap old = *t;

	t->slots = calloc(ncap, sizeof(*t->slots));
	if (t->slots == NULL) {
		*t = old;
		return -ENOMEM;
	}
	t->cap = ncap;
	for (size_t i = 0; i < old.cap; i++) {
		const struct strmap_slot *o = &old.slots[i];

		if (o->key != NULL)
			*strmap_find(t, o->key, o->hash) = *o;
	}
	free(old.slots);
	return 0;
}

int strmap_put(struct strmap *t, const char *key, void *value)
{
	uint64_t h = strmap_hash(key);
	struct strmap_slot *s;
	int rc;

	/* Keep the load under 3/4 so probes stay short. */
	if ((t->n + 1) * 4 > t->cap * 3 && (rc = strmap_grow(t)) < 0)
		return rc;
	s = strmap_find(t, key, h);
	if (s->key == NULL) {
		s->key = key;
		s->hash = h;
		t->n++;
	}
	s->value = value;
	return 0;
}

void strmap_free(struct strmap *t)
{
	free(t->slots);
	*t = (struct strmap){0};
}
