/* Stored forms round trip, and the published record masks the ID number. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

static struct person *sample(void)
{
	struct person *p = person_new("420704198001010015");
	struct benefit *b;
	struct ledger_entry *l;
	struct alert *a;
	struct enrollment *e;
	struct ytd *y;

	snprintf(p->name, sizeof(p->name), "张伟");
	snprintf(p->household_id, sizeof(p->household_id), "H-1");
	p->hukou = ASSIST__HUKOU__HUKOU_URBAN;
	p->area = ASSIST__AREA__AREA_CITY;
	snprintf(p->place.district, sizeof(p->place.district), "Echeng");
	p->cat[ASSIST__CATEGORY__CATEGORY_THREE_NOES].active = true;
	p->cat[ASSIST__CATEGORY__CATEGORY_THREE_NOES].since = 20250101;
	p->cat[ASSIST__CATEGORY__CATEGORY_REEMPLOYMENT_CARD].active = false;
	snprintf(p->cat[ASSIST__CATEGORY__CATEGORY_REEMPLOYMENT_CARD].class_, 16, "A");
	b = vec_grow((void **)&p->benefits, &p->n_benefits, &p->cap_benefits, sizeof(*b));
	b->scheme = ASSIST__SCHEME__SCHEME_URBAN_DIBAO;
	b->monthly = 8500;
	b->active = true;
	b->since = 20260101;
	snprintf(b->reason, sizeof(b->reason), "household 3 x 18500 - 30000 = 25500");
	l = vec_grow((void **)&p->ledger, &p->n_ledger, &p->cap_ledger, sizeof(*l));
	snprintf(l->ref, sizeof(l->ref), "B-1");
	l->scheme = ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE;
	l->date = 20260301;
	l->requested = 1019500;
	l->amount = 319500;
	l->clipped = true;
	a = vec_grow((void **)&p->alerts, &p->n_alerts, &p->cap_alerts, sizeof(*a));
	snprintf(a->code, sizeof(a->code), "cap_reached");
	a->scheme = ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE;
	e = vec_grow((void **)&p->enrollments, &p->n_enrollments, &p->cap_enrollments, sizeof(*e));
	e->scheme = ASSIST__SCHEME__SCHEME_URBAN_DIBAO;
	e->start = 20260101;
	e->granted = true;
	e->major = 5;
	snprintf(e->source, sizeof(e->source), "civil_affairs");
	y = person_ytd(p, 2026);
	y->totals[scheme_ytd(ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE)] = 800000;
	y->totals[SCHEME_YTD_MEDICAL_TOTAL] = 3000000;
	y = person_ytd(p, 2025);
	y->totals[scheme_ytd(ASSIST__SCHEME__SCHEME_HUIMIN)] = 12345;
	assert_int_equal(person_add_once_key(p, "training/sunshine"), 0);
	assert_int_equal(person_add_claim_key(p, "health/B-1"), 0);
	p->latest_date = 20260301;
	p->version = 7;
	p->feed_seq = 42;
	p->updated_at_ms = 1780000000123;
	return p;
}

static void test_person_round_trip(void **state)
{
	struct person *p = sample(), *q;
	size_t len;
	uint8_t *buf = record_pack_person(p, &len);

	assert_non_null(buf);
	q = record_unpack_person(buf, len);
	assert_non_null(q);
	assert_string_equal(q->id, p->id);
	assert_string_equal(q->name, "张伟");
	assert_string_equal(q->household_id, "H-1");
	assert_int_equal(q->hukou, ASSIST__HUKOU__HUKOU_URBAN);
	assert_true(q->cat[ASSIST__CATEGORY__CATEGORY_THREE_NOES].active);
	assert_int_equal(q->cat[ASSIST__CATEGORY__CATEGORY_THREE_NOES].since, 20250101);
	assert_false(q->cat[ASSIST__CATEGORY__CATEGORY_REEMPLOYMENT_CARD].active);
	assert_string_equal(q->cat[ASSIST__CATEGORY__CATEGORY_REEMPLOYMENT_CARD].class_, "A");
	assert_int_equal(q->n_benefits, 1);
	assert_int_equal(q->benefits[0].monthly, 8500);
	assert_true(q->benefits[0].active);
	assert_int_equal(q->benefits[0].until, YMD_NONE);
	assert_int_equal(q->n_ledger, 1);
	assert_int_equal(q->ledger[0].amount, 319500);
	assert_int_equal(q->ledger[0].requested, 1019500);
	assert_true(q->ledger[0].clipped);
	assert_int_equal(q->n_alerts, 1);
	assert_int_equal(q->n_enrollments, 1);
	assert_true(q->enrollments[0].granted);
	assert_int_equal(q->enrollments[0].major, 5);
	assert_int_equal(person_ytd_find(q, 2026)->totals[scheme_ytd(ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE)], 800000);
	assert_int_equal(person_ytd_find(q, 2025)->totals[scheme_ytd(ASSIST__SCHEME__SCHEME_HUIMIN)], 12345);
	assert_true(person_has_once_key(q, "training/sunshine"));
	assert_true(person_has_claim_key(q, "health/B-1"));
	assert_int_equal(q->latest_date, 20260301);
	assert_int_equal(q->version, 7);
	assert_int_equal(q->feed_seq, 42);
	assert_int_equal(q->updated_at_ms, 1780000000123);
	assert_true(q->stored);
	free(buf);
	person_free(p);
	person_free(q);
}

static void test_household_round_trip(void **state)
{
	struct household *hh = household_new("H-9"), *g;
	size_t len;
	uint8_t *buf;

	hh->has_income = true;
	hh->monthly_income = 0;
	hh->has_members = true;
	hh->members = 3;
	hh->has_area = true;
	hh->housing_area_m2 = 29.5;
	buf = record_pack_household(hh, &len);
	g = record_unpack_household(buf, len);
	assert_non_null(g);
	assert_string_equal(g->id, "H-9");
	assert_true(g->has_income);
	assert_int_equal(g->monthly_income, 0);
	assert_int_equal(g->members, 3);
	assert_true(g->housing_area_m2 == 29.5);
	free(buf);
	household_free(hh);
	household_free(g);
}

static void test_garbage_does_not_decode(void **state)
{
	const uint8_t junk[] = {0xff, 0xff, 0xff, 0x01, 0x02};

	assert_null(record_unpack_person(junk, sizeof(junk)));
	assert_null(record_unpack_person(NULL, 0)); /* no record, no ID */
}

static void test_published_record(void **state)
{
	char dir[512], err[256];
	struct params *params = NULL;
	struct person *p = sample();
	struct arena a = {0};
	Assist__RecipientRecord *r;

	snprintf(dir, sizeof(dir), "%s/config/policy",
		 getenv("ASSIST_SOURCE_DIR") ? getenv("ASSIST_SOURCE_DIR") : ".");
	assert_int_equal(params_load_dir(dir, &params, err, sizeof(err)), 0);
	r = record_build(&a, p, 0, params, false);
	assert_non_null(r);
	assert_string_equal(r->id_number, "420704**********15");
	assert_int_equal(r->year, 2026); /* the latest dated event's */
	assert_int_equal(r->ytd->medical_assistance_paid_fen, 800000);
	/* three_noes: the special medical assistance cap. */
	assert_int_equal(r->ytd->medical_assistance_cap_fen, 1000000);
	assert_int_equal(r->ytd->huimin_cap_fen, 2000000);
	assert_int_equal(r->n_categories, 1);
	r = record_build(&a, p, 2025, params, true);
	assert_string_equal(r->id_number, "420704198001010015");
	assert_int_equal(r->ytd->huimin_paid_fen, 12345);
	assert_int_equal(r->ytd->medical_assistance_paid_fen, 0);
	arena_free(&a);
	params_free(params);
	person_free(p);
}

/* Milliseconds before 1970 count back from the previous second. */
static void test_record_time(void **state)
{
	static const struct {
		int64_t ms;
		const char *want;
	} cases[] = {
		{0, "1970-01-01T00:00:00.000Z"},
		{1780000000123, "2026-05-28T20:26:40.123Z"},
		{-1, "1969-12-31T23:59:59.999Z"},
		{-1000, "1969-12-31T23:59:59.000Z"},
		{-1001, "1969-12-31T23:59:58.999Z"},
		{INT64_MIN, "-292275055-05-16T16:47:04.192Z"},
	};
	char buf[40];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(record_time(cases[i].ms, buf, sizeof(buf)), cases[i].want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_person_round_trip),
		cmocka_unit_test(test_household_round_trip),
		cmocka_unit_test(test_garbage_does_not_decode),
		cmocka_unit_test(test_published_record),
		cmocka_unit_test(test_record_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
