/* Reading persons and households from the store into memory: the read a
 * batch or a query needs (persons by id, households by id, a payment run's
 * payees), and adopting what it brought. A person's stored form holds no
 * ledger: its entries are the ledger table's rows, read with it. */
#ifndef ASSIST_LOAD_H
#define ASSIST_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* A PostgreSQL text[] literal being built: {"a","b"}. */
struct load_ids {
	char *buf;
	size_t len, cap;
	size_t n;
};

/* Add s to a; 0 or -ENOMEM. */
int load_ids_add(struct load_ids *a, const char *s);
/* Free a's buffer. */
void load_ids_free(struct load_ids *a);

/* Whom a city-level event reads: the payees of part of parts (none: parts 0). */
struct load_payees {
	uint32_t part, parts;
};

/* A read job of the persons ids (with their households' members and their
 * ledger rows), the households hhs, and the payees py with their
 * households, then done(job, status) with data; NULL when out of memory. */
struct store_job *load_job_new(struct load_ids *ids, struct load_ids *hhs,
			       const struct load_payees *py, store_done_cb done, void *data);

struct engine;

/* Put what a load job read into memory: households first, so persons link;
 * a person memory already has keeps its own. 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int load_adopt(struct engine *e, struct store_job *job);

#endif
