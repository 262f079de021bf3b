/* The stored forms of the state: the PersonState and HouseholdState rows of
 * the store's person and household tables (proto/state.proto), packed from
 * and unpacked into the in-memory structs through the field maps
 * (statemap.h). A person's stored form carries its record (record_base)
 * but not its ledger and alerts: those are the ledger and alert tables'
 * rows, written once each and read with the person (daemon/load.c), so that
 * a payment or a refusal does not rewrite the person's row. */
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
/* A copy of p, its ledger and alerts included; NULL when out of memory. */
struct person *stored_copy_person(const struct person *p);
/* hh's stored form, as above. */
uint8_t *stored_pack_household(const struct household *hh, size_t *len);
/* A household from its stored form; NULL if the bytes do not decode. */
struct household *stored_unpack_household(const uint8_t *data, size_t len);

#endif
