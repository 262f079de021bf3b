/* The published record: the ID number masked unless asked for in full, the
 * year's totals and caps, and the same bytes as before the field maps. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

/* What the published record adds to the stored form (whose fields and lists
 * test_stored.c covers): the household, a year's totals and its caps. */
static struct person *sample(struct household *hh)
{
	struct person *p = person_new("420704198001010015");
	struct ytd *y = person_ytd(p, 2026);

	y->totals[scheme_ytd(ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE)] = 800000;
	y->totals[SCHEME_YTD_MEDICAL_TOTAL] = 3000000;
	y = person_ytd(p, 2025);
	y->totals[scheme_ytd(ASSIST__SCHEME__SCHEME_HUIMIN)] = 12345;
	person_category(p, ASSIST__CATEGORY__CATEGORY_THREE_NOES)->active = true;
	snprintf(person_category(p, ASSIST__CATEGORY__CATEGORY_REEMPLOYMENT_CARD)->class_, 16, "A");
	snprintf(p->name, sizeof(p->name), "Zhang Wei");
	p->latest_date = 20260301;
	p->updated_at_ms = 1780000000123;
	hh->has_members = true;
	hh->members = 3;
	hh->monthly_income = 90000;
	hh->housing_area_m2 = 41.25;
	assert_int_equal(household_link(hh, p), 0);
	return p;
}

/* sample()'s records as of 2026-05-28 (its benefits and entitlements as of
 * that day, and as_of): for year 0 with the ID masked and no subject key,
 * and for 2025 in full with the key 00 01 02 ... 1f. */
static const char masked_hex[] =
	"0a123432303730342a2a2a2a2a2a2a2a2a2a313512095a68616e672057656932004201034a0f0803"
	"1090bf05190000000000a044405a1608031a126e6f7420696e20757262616e20646962616f5a2008"
	"1b1a1c6e6f7420616e20757262616e20646962616f20686f757365686f6c645a4b081f1a476e6f74"
	"20696e206120646962616f20686f757365686f6c642c206e6f7420616e206f727068616e2c206669"
	"76652d67756172616e746565206f7220706f6f722073747564656e745a4d081a1a496e6f74203430"
	"35302c207a65726f2d656d706c6f796d656e742066616d696c79206f7220757262616e2064696261"
	"6f20756e656d706c6f796564206f766572203132206d6f6e7468735a2908041a256e6f7420696e20"
	"727572616c20646962616f206f7220666976652067756172616e746565735a10081e10011a0a7468"
	"726565206e6f65735a26081d10011a20617373697374616e636520726563697069656e743a207468"
	"7265655f6e6f657360ea0f6a111080897a1880ea3020c0843d48c08db701920118323032362d3035"
	"2d32385432303a32363a34302e3132335aa2010a323032362d30352d3238";

static const char full_hex[] =
	"0a1234323037303431393830303130313030313512095a68616e672057656932004201034a0f0803"
	"1090bf05190000000000a044405a1608031a126e6f7420696e20757262616e20646962616f5a2008"
	"1b1a1c6e6f7420616e20757262616e20646962616f20686f757365686f6c645a4b081f1a476e6f74"
	"20696e206120646962616f20686f757365686f6c642c206e6f7420616e206f727068616e2c206669"
	"76652d67756172616e746565206f7220706f6f722073747564656e745a4d081a1a496e6f74203430"
	"35302c207a65726f2d656d706c6f796d656e742066616d696c79206f7220757262616e2064696261"
	"6f20756e656d706c6f796564206f766572203132206d6f6e7468735a2908041a256e6f7420696e20"
	"727572616c20646962616f206f7220666976652067756172616e746565735a10081e10011a0a7468"
	"726565206e6f65735a26081d10011a20617373697374616e636520726563697069656e743a207468"
	"7265655f6e6f657360e90f6a0b08b9601080897a20c0843d920118323032362d30352d3238543230"
	"3a32363a34302e3132335a9a01206533366631326333333835646663643566363532346334633935"
	"616263613766a2010a323032362d30352d3238";

static void assert_packs_to(const Assist__RecipientRecord *r, const char *hex)
{
	size_t len = protobuf_c_message_get_packed_size(&r->base);
	uint8_t *buf = malloc(len);
	char *got = malloc(2 * len + 1);

	assert_non_null(buf);
	assert_non_null(got);
	protobuf_c_message_pack(&r->base, buf);
	for (size_t i = 0; i < len; i++)
		snprintf(got + 2 * i, 3, "%02x", buf[i]);
	assert_string_equal(got, hex);
	free(got);
	free(buf);
}

static void test_published_record(void **state)
{
	char dir[512], err[256];
	struct params *params = NULL;
	struct household *hh = household_new("H-1");
	struct person *p = sample(hh);
	struct arena a = {0};
	Assist__RecipientRecord *r;
	uint8_t key[SUBJECT_KEY_BYTES];

	snprintf(dir, sizeof(dir), "%s/config/policy",
		 getenv("ASSIST_SOURCE_DIR") ? getenv("ASSIST_SOURCE_DIR") : ".");
	assert_int_equal(params_load_dir(dir, &params, err, sizeof(err)), 0);
	r = record_build(&a, p, 0, ymd_make(2026, 5, 28), params, false);
	assert_non_null(r);
	assert_string_equal(r->id_number, "420704**********15");
	assert_int_equal(r->year, 2026); /* the latest dated event's */
	assert_int_equal(r->ytd->medical_assistance_paid_fen, 800000);
	/* three_noes: the special medical assistance cap. */
	assert_int_equal(r->ytd->medical_assistance_cap_fen, 1000000);
	assert_int_equal(r->ytd->huimin_cap_fen, 2000000);
	assert_int_equal(r->n_categories, 1);
	assert_int_equal(r->household->members, 3);
	assert_int_equal(r->household->monthly_income_fen, 90000);
	assert_packs_to(r, masked_hex);
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	record_set_subject_key(key);
	r = record_build(&a, p, 2025, ymd_make(2026, 5, 28), params, true);
	record_set_subject_key(NULL);
	assert_string_equal(r->id_number, "420704198001010015");
	assert_int_equal(r->ytd->huimin_paid_fen, 12345);
	assert_int_equal(r->ytd->medical_assistance_paid_fen, 0);
	assert_non_null(r->subject_key);
	assert_packs_to(r, full_hex);
	arena_free(&a);
	params_free(params);
	person_free(p);
	household_free(hh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_published_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
