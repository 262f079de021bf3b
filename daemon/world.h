/* Every person and household in memory: the working set the rules read,
 * found by id, and the lists of what changed since the last batch was
 * written. */
#ifndef ASSIST_WORLD_H
#define ASSIST_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state.h"
#include "strmap.h"

/* A person's bucket: its ID number's first 17 digits modulo WORLD_BUCKETS
 * (0 when it does not start with 17 digits), written into person.bucket
 * with the row (payee_bucket() in SQL gives the same for rows before). */
#define WORLD_BUCKETS 65521 /* a prime: IDs that differ in a few digits spread */

/* Every person and household in memory. */
struct world {
	struct strmap persons;    /* id -> struct person */
	struct strmap households; /* household id -> struct household */
	uint64_t created;        /* persons created since start (not loaded) */
	/* What changed since the last world_take_changes(), each once. */
	struct person **changed_p;
	size_t n_changed_p, cap_changed_p;
	struct household **changed_h;
	size_t n_changed_h, cap_changed_h;
	/* Every person by bucket (WORLD_BUCKETS heads, chained by bucket_next;
	 * NULL until the first person), so that a payment run's part reads its
	 * buckets, not the whole world. */
	struct person **bucket_head;
	/* The buckets whose payees were loaded (bit b): memory holds every
	 * person of them who may be paid, since whoever becomes payable later
	 * does so in memory. */
	uint64_t payees_loaded[(WORLD_BUCKETS + 63) / 64];
};

/* The person with id, created (not stored yet) if unknown; NULL when out of
 * memory. */
struct person *world_person(struct world *w, const char *id);
/* The household with id, created if unknown; NULL when out of memory. */
struct household *world_household(struct world *w, const char *id);
/* Take a person loaded from the store, unless memory already has one (memory
 * is never behind the store), and link it to its household. Adopt a load's
 * households first. Consumes p either way. 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int world_adopt_person(struct world *w, struct person *p);
/* Likewise for a household. */
__attribute__((warn_unused_result)) int world_adopt_household(struct world *w,
							      struct household *hh);
/* Put p (when dirty and not yet queued) on the change list; 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int world_queue_person(struct world *w, struct person *p);
/* Likewise for a household. */
__attribute__((warn_unused_result)) int world_queue_household(struct world *w,
							      struct household *hh);
/* Forget the change lists (after the batch holding them was written) and
 * clear the marks. */
void world_take_changes(struct world *w);
/* Whether p holds a benefit row of a periodic scheme, active or ended (an
 * ended one may still be owed a month before its end): a payment run reads
 * p, and the store marks its row (person.periodic) so that a run loads it. */
bool world_may_be_paid(const struct person *p);
/* id's bucket (see WORLD_BUCKETS), 0..WORLD_BUCKETS-1. */
uint32_t world_bucket(const char *id);
/* Payees in parts: part k of n holds the buckets b with
 * b * n / WORLD_BUCKETS = k. */
/* The part among parts (1: all in part 0) an ID number is in. */
uint32_t world_bucket_of(const char *id, uint32_t parts);
/* The buckets of part k of parts: from *lo to before *hi. */
void world_bucket_range(uint32_t k, uint32_t parts, uint32_t *lo, uint32_t *hi);
/* The persons in memory who may be paid, of part k of parts (all: 0 of 1 or
 * of 0), ordered by ID (a run books the same entries in the same order whatever
 * memory held before) in *out (malloc'ed; the persons are borrowed) and their
 * number in *n. 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int world_payees(const struct world *w, uint32_t k,
						     uint32_t parts, struct person ***out,
						     size_t *n);
/* Whether the payees of part k of parts are all in memory (loaded once). */
bool world_payees_in_memory(const struct world *w, uint32_t k, uint32_t parts);
/* Record that the payees of part k of parts were loaded. */
void world_payees_loaded(struct world *w, uint32_t k, uint32_t parts);
/* Free everything. */
void world_free(struct world *w);
/* Forget every person and household (they are loaded again from the store
 * when next named); the counter of created persons is kept. */
void world_clear(struct world *w);

#endif
