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

/* sample()'s records as record_build made them before the field maps: for
 * year 0 with the ID masked and no subject key, and for 2025 in full with
 * the key 00 01 02 ... 1f. */
static const char masked_hex[] =
	"0a123432303730342a2a2a2a2a2a2a2a2a2a31351206e5bca0e4bc9f1a03482d312001280132080a"
	"06456368656e674201034a005238080118b44220012a0a323032362d30312d30313a23686f757365"
	"686f6c6420332078203138353030202d203330303030203d20323535303060ea0f6a111080897a18"
	"80ea3020c0843d48c08db701721d0a03422d3110051a0a323032362d30332d303120ec9c3e288cc0"
	"1330017a0f0a0b6361705f72656163686564100580010788012a920118323032362d30352d323854"
	"32303a32363a34302e3132335a";

static const char full_hex[] =
	"0a123432303730343139383030313031303031351206e5bca0e4bc9f1a03482d312001280132080a"
	"06456368656e674201034a005238080118b44220012a0a323032362d30312d30313a23686f757365"
	"686f6c6420332078203138353030202d203330303030203d20323535303060e90f6a0b08b9601080"
	"897a20c0843d721d0a03422d3110051a0a323032362d30332d303120ec9c3e288cc01330017a0f0a"
	"0b6361705f72656163686564100580010788012a920118323032362d30352d32385432303a32363a"
	"34302e3132335a9a0120653336663132633333383564666364356636353234633463393561626361"
	"3766";

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
	struct person *p = sample();
	struct arena a = {0};
	Assist__RecipientRecord *r;
	uint8_t key[SUBJECT_KEY_BYTES];

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
	assert_packs_to(r, masked_hex);
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	record_set_subject_key(key);
	r = record_build(&a, p, 2025, params, true);
	record_set_subject_key(NULL);
	assert_string_equal(r->id_number, "420704198001010015");
	assert_int_equal(r->ytd->huimin_paid_fen, 12345);
	assert_int_equal(r->ytd->medical_assistance_paid_fen, 0);
	assert_non_null(r->subject_key);
	assert_packs_to(r, full_hex);
	arena_free(&a);
	params_free(params);
	person_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_published_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
