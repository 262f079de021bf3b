/* Between the in-memory state and its protobuf forms: the unified recipient
 * record consumers see, and the PersonState / HouseholdState rows the store
 * keeps. Views are built in an arena and point into the person. */
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
 * year), with the ID number masked unless full_id, and its subject_key when a
 * key is set. NULL when out of memory. */
Assist__RecipientRecord *record_build(struct arena *a, const struct person *p, int year,
				      const struct params *params, bool full_id);
/* The key of subject_key for every record from now on (NULL: none). */
void record_set_subject_key(const uint8_t key[SUBJECT_KEY_BYTES]);
/* The subject_key of id into out, or NULL when no key is set. */
const char *record_subject_key(const char *id, char out[SUBJECT_HEX_LEN + 1]);
/* The year a record shows by default. */
int record_default_year(const struct person *p);
/* p's stored form, packed into a malloc'ed buffer (*len bytes); NULL when out
 * of memory. */
uint8_t *record_pack_person(const struct person *p, size_t *len);
/* A person from its stored form; NULL if the bytes do not decode. */
struct person *record_unpack_person(const uint8_t *data, size_t len);
/* hh's stored form, as above. */
uint8_t *record_pack_household(const struct household *hh, size_t *len);
struct household *record_unpack_household(const uint8_t *data, size_t len);
/* The explanation of one decision as JSON text (malloc'ed), for the store. */
char *record_explanation_json(const struct decision *d, const char *subject, const char *source,
			      uint64_t major, uint64_t minor);
/* Milliseconds since the epoch, now (wall clock: records carry it). */
int64_t record_now_ms(void);
/* RFC 3339 UTC time of ms since the epoch into buf (at least 32 bytes). */
char *record_time(int64_t ms, char *buf, size_t len);

#endif
