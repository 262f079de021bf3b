/* The unified recipient record consumers see: a view of a person built in an
 * arena, pointing into the person. The stored forms (stored.h) carry it too. */
#ifndef ASSIST_RECORD_H
#define ASSIST_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "assist.pb-c.h"
#include "params.h"
#include "policy/policy.h"
#include "state.h"
#include "subject.h"

/* The record of p for year (0: the year of p's latest dated event, or this
 * year), its benefits and entitlements as of as_of (YMD_NONE: today), with
 * the ID number masked unless full_id, and its subject_key when a key is set.
 * The person is only read. NULL when out of memory. */
Assist__RecipientRecord *record_build(struct arena *a, const struct person *p, int year,
				      ymd_t as_of, const struct params *params, bool full_id);
/* The fields of p's record that the stored form keeps too (no household,
 * year, ytd, subject_key or ledger, which the ledger table holds), with the
 * ID number masked unless full_id. NULL when out of memory. */
Assist__RecipientRecord *record_base(struct arena *a, const struct person *p, bool full_id);
/* The key of subject_key for every record from now on (NULL: none). */
void record_set_subject_key(const uint8_t key[SUBJECT_KEY_BYTES]);
/* The subject_key of id into out, or NULL when no key is set. */
const char *record_subject_key(const char *id, char out[SUBJECT_HEX_LEN + 1]);
/* The year a record shows by default. */
int record_default_year(const struct person *p);

#endif
