/* A bump allocator for short-lived protobuf views: a record is built, packed
 * and sent, then everything it used goes at once. */
#ifndef ASSIST_ARENA_H
#define ASSIST_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
};

/* size zeroed bytes, aligned for any type; NULL when out of memory. */
void *arena_alloc(struct arena *a, size_t size);
/* A copy of s in the arena; NULL when out of memory. */
char *arena_strdup(struct arena *a, const char *s);
/* Free every block. The arena can be used again. */
void arena_free(struct arena *a);

#endif
