/* A row of the store's person_state / household_state tables, as assistd
 * reads them back at start. Whatever decodes must pack again, build a record,
 * and survive a second round trip unchanged: the stored form is a fixed point
 * of unpack and pack. What decodes as a ledger row's delta (a PersonState
 * without its record) must lay over a person, which then packs the same way. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "params.h"
#include "record.h"
#include "state.h"
#include "stored.h"

/* The caps policy_caps reads, with the shipped figures. */
static const char caps_yaml[] = "medical.huimin.cap:\n"
				"  unit: fen\n"
				"  clause: 'fuzz'\n"
				"  values:\n"
				"    2008-01-01: 2000000\n"
				"medical.assistance.cap:\n"
				"  unit: fen\n"
				"  clause: 'fuzz'\n"
				"  values:\n"
				"    2008-01-01: 800000\n"
				"medical.assistance.cap_special:\n"
				"  unit: fen\n"
				"  clause: 'fuzz'\n"
				"  values:\n"
				"    2008-01-01: 1000000\n";

static const struct params *caps(void)
{
	static struct params *params;
	char err[256];

	if (params == NULL && params_load_string(caps_yaml, "caps", &params, err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz_stored: %s\n", err);
		abort();
	}
	return params;
}

/* pack(unpack(b)) == b for b a packed person. */
static void person_fixed_point(const uint8_t *packed, size_t len)
{
	struct person *q = stored_unpack_person(packed, len);
	uint8_t *again;
	size_t len2;

	if (q == NULL)
		abort();
	again = stored_pack_person(q, &len2);
	if (again == NULL || len2 != len || memcmp(again, packed, len) != 0)
		abort();
	free(again);
	person_free(q);
}

static void household_fixed_point(const uint8_t *packed, size_t len)
{
	struct household *h = stored_unpack_household(packed, len);
	uint8_t *again;
	size_t len2;

	if (h == NULL)
		abort();
	again = stored_pack_household(h, &len2);
	if (again == NULL || len2 != len || memcmp(again, packed, len) != 0)
		abort();
	free(again);
	household_free(h);
}

/* The bytes as a ledger row's delta onto p: whatever it lays over must
 * pack, and p's delta must lay over p as it is. */
static void delta_onto(struct person *p, const uint8_t *data, size_t size)
{
	uint8_t *delta, *packed;
	size_t len, plen;
	uint64_t core;

	if (stored_apply_delta(p, data, size) == -EINVAL)
		return;
	if (stored_form(p, 0, &core, &packed, &plen) < 0 || packed == NULL ||
	    (delta = stored_pack_delta(p, &len)) == NULL)
		abort();
	person_fixed_point(packed, plen);
	if (stored_apply_delta(p, delta, len) != 0)
		abort();
	free(delta);
	free(packed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct person *p = stored_unpack_person(data, size);
	struct household *hh = stored_unpack_household(data, size);
	struct arena a = {0};
	uint8_t *packed;
	size_t len;

	if (hh != NULL) {
		if ((packed = stored_pack_household(hh, &len)) != NULL)
			household_fixed_point(packed, len);
		free(packed);
	}
	if (p != NULL) {
		if (hh != NULL)
			(void)household_link(hh, p);
		if ((packed = stored_pack_person(p, &len)) != NULL)
			person_fixed_point(packed, len);
		free(packed);
		(void)record_build(&a, p, 0, YMD_NONE, caps(), false);
		(void)record_build(&a, p, 2026, YMD_NONE, caps(), true);
		arena_free(&a);
	}
	/* A delta is a PersonState without its record: onto a fresh person. */
	if (p == NULL && (p = person_new("420704198001010015")) != NULL)
		delta_onto(p, data, size);
	person_free(p);
	household_free(hh);
	return 0;
}
