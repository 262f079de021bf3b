/* The stored forms of the state: the PersonState and HouseholdState rows of
 * the store's person and household tables (proto/state.proto), packed from
 * and unpacked into the in-memory structs through the field maps
 * (statemap.h). A person's stored form carries its record (record_base)
 * but not its ledger and alerts: those are the ledger and alert tables'
 * rows, written once each and read with the person (daemon/load.c), so that
 * a payment or a refusal does not rewrite the person's row. Nor does a
 * claim that changes only its years and keys: its first ledger row of the
 * batch carries them as a delta (stored_pack_delta), which a load lays over
 * the row when it is newer. Its entitlement
 * list is named by digest: a row of the entitlement_list table, the same
 * for every person with that list, read when assistd starts. */
#ifndef ASSIST_STORED_H
#define ASSIST_STORED_H

#include <stddef.h>
#include <stdint.h>

#include "state.h"

/* p's stored form, packed into a malloc'ed buffer (*len bytes); NULL when out
 * of memory. */
uint8_t *stored_pack_person(const struct person *p, size_t *len);
/* A person from its stored form; NULL if the bytes do not decode. */
struct person *stored_unpack_person(const uint8_t *data, size_t len);
/* The digest of p's stored form less what a claim changes (its years, its
 * one-time and claim keys, its latest date and its record's stamps) into
 * *core, never 0: when a batch leaves it as it was (known), p's row need not
 * be written again, and a delta carries the rest. Unless it is known, p's
 * stored form into *form (malloc'ed, *len bytes; else NULL), built from the
 * same message. 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int stored_form(const struct person *p, uint64_t known,
						     uint64_t *core, uint8_t **form,
						     size_t *len);
/* What a claim changes of p (those fields of its stored form, packed; *len
 * bytes), which a ledger row of the batch carries in place of p's row: of
 * the claim keys, those after the p->keys_stored its row and the deltas
 * after it hold. NULL when out of memory. */
uint8_t *stored_pack_delta(const struct person *p, size_t *len);
/* A delta onto p, whose years and one-time keys it replaces, and its claim
 * keys after the first the delta names (a load lays the deltas newer than
 * the row one after the other). 0; -EINVAL when it does not decode or p
 * has fewer claim keys; -ENOMEM. */
__attribute__((warn_unused_result)) int stored_apply_delta(struct person *p, const uint8_t *data,
							    size_t len);
/* A copy of p, its ledger and alerts included; NULL when out of memory. */
struct person *stored_copy_person(const struct person *p);
/* The row of shared entitlement list l (a RecipientRecord with only its
 * entitlements, packed; *len bytes), its digest made on the way; NULL when
 * out of memory. */
uint8_t *stored_pack_entitlements(struct entitlement_list *l, size_t *len);
/* An entitlement_list row (its digest, dlen bytes, and its packed list) into
 * the shared lists, stored. 0; -EINVAL when it does not decode or does not
 * match its digest; -ENOMEM. */
__attribute__((warn_unused_result)) int stored_unpack_entitlements(const uint8_t *digest,
								   size_t dlen,
								   const uint8_t *data,
								   size_t len);
/* hh's stored form, as above. */
uint8_t *stored_pack_household(const struct household *hh, size_t *len);
/* A household from its stored form; NULL if the bytes do not decode. */
struct household *stored_unpack_household(const uint8_t *data, size_t len);

#endif
