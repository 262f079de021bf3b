/* Which person and household ids the store may hold, as a Bloom filter
 * (lib/bloom.c), so that a batch naming an id memory lacks reads PostgreSQL
 * only when the store may have it. A new person (nearly every one in an
 * initial load) then costs no read, and no batch waits for one.
 *
 * The filter is read from the store when the engine starts (the ids of
 * person and household, a page at a time, on the reader connection), and
 * every id the engine writes is added as it is written; until the first
 * read is done, every id may be there. When the ids outgrow the filter, it
 * is read again into a bigger one, which replaces it when complete. */
#ifndef ASSIST_INSTORE_H
#define ASSIST_INSTORE_H

#include <stdbool.h>
#include <stdint.h>

#include "bloom.h"

struct engine;

struct instore {
	struct engine *e;
	struct bloom ids;  /* complete (NULL words: not read yet, all maybe) */
	struct bloom next; /* being read (NULL words: no read running) */
	int pass;          /* of the read: 0 persons, 1 households */
	char *after;       /* the last id of the read's last page ("" first) */
};

/* Start reading the store's ids, about expected of them. 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int instore_start(struct instore *s, struct engine *e,
						       uint64_t expected);
/* An id about to be written. */
void instore_add(struct instore *s, const char *id);
/* False when the store certainly does not hold id. */
bool instore_maybe(const struct instore *s, const char *id);
/* Bytes the filters hold (for the metrics and the benchmark). */
size_t instore_bytes(const struct instore *s);
void instore_free(struct instore *s);

#endif
