/* The stored forms: what a person and a household pack to is what assistd
 * wrote before the field maps (golden bytes; a person's without its ledger,
 * which the ledger table holds), they round trip, and garbage does not
 * decode. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atom.h"
#include "state.pb-c.h"
#include "stored.h"

/* Every field of a person set to something other than its zero value. */
static struct person *full_person(void)
{
	struct person *p = person_new("420704198001010015");
	struct benefit *b;
	struct entitlement en[2];
	struct ledger_entry *l;
	struct alert *a;
	struct enrollment *e;
	struct ytd *y;

	snprintf(p->name, sizeof(p->name), "张伟");
	snprintf(p->household_id, sizeof(p->household_id), "H-1");
	p->hukou = ASSIST__HUKOU__HUKOU_RURAL;
	p->area = ASSIST__AREA__AREA_DISTRICT;
	p->place = (struct place){atom_intern("Echeng"), atom_intern("Fenghuang"),
				  atom_intern("Nanhu")};
	p->deceased_on = 20261130;
	person_category(p, ASSIST__CATEGORY__CATEGORY_URBAN_DIBAO)->active = true;
	person_category(p, ASSIST__CATEGORY__CATEGORY_URBAN_DIBAO)->since = 20240315;
	snprintf(person_category(p, ASSIST__CATEGORY__CATEGORY_DISABLED)->class_, 16, "II");
	person_category(p, ASSIST__CATEGORY__CATEGORY_DISABLED)->active = true;
	person_category(p, ASSIST__CATEGORY__CATEGORY_REGISTERED_UNEMPLOYED)->active = true;
	person_category(p, ASSIST__CATEGORY__CATEGORY_REGISTERED_UNEMPLOYED)->months = 14;
	person_category(p, ASSIST__CATEGORY__CATEGORY_LOWEST_INCOME_HOUSING)->since = 20230101;
	for (int i = 0; i < 2; i++) {
		b = vec_grow((void **)&p->benefits, &p->n_benefits, &p->cap_benefits, sizeof(*b));
		b->scheme = i ? ASSIST__SCHEME__SCHEME_UNIVERSITY_MONTHLY : ASSIST__SCHEME__SCHEME_URBAN_DIBAO;
		snprintf(b->class_, sizeof(b->class_), i ? "B" : "A");
		b->monthly = 8500 + i;
		b->active = i == 0;
		b->since = 20260101;
		b->until = i ? 20260630 : YMD_NONE;
		snprintf(b->reason, sizeof(b->reason), "household 3 x 18500 - 30000 = %d", 25500 + i);
	}
	memset(en, 0, sizeof(en)); /* the padding too: the lists are compared bytewise */
	en[0].scheme = ASSIST__SCHEME__SCHEME_UTILITIES;
	en[0].eligible = true;
	en[0].reason = atom_intern("urban dibao");
	en[1].scheme = ASSIST__SCHEME__SCHEME_LEGAL_AID;
	en[1].reason = atom_intern("not a recipient");
	p->entitlements = state_entitlements_intern(en, 2);
	p->n_entitlements = 2;
	l = vec_grow((void **)&p->ledger, &p->n_ledger, &p->cap_ledger, sizeof(*l));
	snprintf(l->ref, sizeof(l->ref), "B-1");
	l->scheme = ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE;
	l->date = 20260301;
	l->requested = 1019500;
	l->amount = 319500;
	l->clipped = true;
	snprintf(l->reason, sizeof(l->reason), "cap reached");
	l = vec_grow((void **)&p->ledger, &p->n_ledger, &p->cap_ledger, sizeof(*l));
	snprintf(l->ref, sizeof(l->ref), "B-2");
	l->scheme = ASSIST__SCHEME__SCHEME_HUIMIN;
	l->date = 20251231;
	l->requested = -5;
	l->amount = -3;
	a = vec_grow((void **)&p->alerts, &p->n_alerts, &p->cap_alerts, sizeof(*a));
	snprintf(a->code, sizeof(a->code), "cap_reached");
	a->scheme = ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE;
	snprintf(a->ref, sizeof(a->ref), "B-1");
	snprintf(a->message, sizeof(a->message), "the annual cap is reached");
	for (int i = 0; i < 2; i++) {
		e = vec_grow((void **)&p->enrollments, &p->n_enrollments, &p->cap_enrollments, sizeof(*e));
		e->scheme = i ? ASSIST__SCHEME__SCHEME_KEY_HIGH_SCHOOL : ASSIST__SCHEME__SCHEME_URBAN_DIBAO;
		snprintf(e->class_, sizeof(e->class_), i ? "" : "I");
		e->has_amount = i == 1;
		e->amount = i ? 150000 : 0;
		e->start = 20260101 + i;
		e->end = i ? 20260701 : YMD_NONE;
		e->granted = i == 0;
		snprintf(e->source, sizeof(e->source), i ? "education" : "civil_affairs");
		e->major = 5 + i;
		e->minor = 9000000000ULL * i;
	}
	y = person_ytd(p, 2026);
	for (int c = 0; c < scheme_ytd_count(); c++)
		y->totals[c] = 1000 * (c + 1);
	y = person_ytd(p, 2025);
	y->totals[scheme_ytd(ASSIST__SCHEME__SCHEME_HUIMIN)] = 12345;
	assert_non_null(person_ytd(p, 2024)); /* a year with nothing in it */
	assert_int_equal(person_add_once_key(p, "training/sunshine"), 0);
	assert_int_equal(person_add_once_key(p, "training/vocational"), 0);
	assert_int_equal(person_add_claim_key(p, "health/B-1"), 0);
	assert_int_equal(person_add_claim_key(p, "health/B-2"), 0);
	p->latest_date = 20260301;
	p->version = 7;
	p->feed_seq = 42;
	p->updated_at_ms = 1780000000123;
	return p;
}

static struct household *full_household(void)
{
	struct household *hh = household_new("H-9");

	hh->has_members = true;
	hh->members = 3;
	hh->has_income = true;
	hh->monthly_income = 123456;
	hh->has_area = true;
	hh->housing_area_m2 = 29.5;
	hh->area = ASSIST__AREA__AREA_CITY;
	return hh;
}

/* full_person() and full_household() packed by the field-by-field codec this
 * one replaced (record.c before the field maps), when the person's stored
 * form still held its ledger. Its YTD counters follow the
 * scheme table: a counter added there changes the first year's bytes. */
static const char person_hex_with_ledger[] =
	"0aa9030a123432303730343139383030313031303031351206e5bca0e4bc9f1a03482d3120022802"
	"321a0a06456368656e67120946656e676875616e671a054e616e68753a0a323032362d31312d3330"
	"420301090e523b080112014118b44220012a0a323032362d30312d30313a23686f757365686f6c64"
	"20332078203138353030202d203330303030203d2032353530305247080f12014218b54220022a0a"
	"323032362d30312d3031320a323032362d30362d33303a23686f757365686f6c6420332078203138"
	"353030202d203330303030203d2032353530315a11081b10011a0b757262616e20646962616f5a13"
	"081d1a0f6e6f74206120726563697069656e74722a0a03422d3110051a0a323032362d30332d3031"
	"20ec9c3e288cc01330013a0b636170207265616368656472290a03422d3210031a0a323032352d31"
	"322d333120fbffffffffffffffff0128fdffffffffffffffff017a2f0a0b6361705f726561636865"
	"6410051a03422d31221974686520616e6e75616c2063617020697320726561636865648001078801"
	"2a920118323032362d30352d32385432303a32363a34302e3132335a121d08ea0f121808b8171888"
	"2728d83630f02e38c03e40e80748d00f50a01f120808e90f120308b960120508e80f12001a100801"
	"10011a0a323032342d30332d31351a0808091001220249491a06080e1001280e1a0e08101a0a3230"
	"32332d30312d3031222608011201492a0a323032362d30312d30313801420d636976696c5f616666"
	"616972734a0208052235080d180120f093092a0a323032362d30312d3032320a323032362d30372d"
	"30314209656475636174696f6e4a0808061080b4c4c3212a11747261696e696e672f73756e736869"
	"6e652a13747261696e696e672f766f636174696f6e616c320a6865616c74682f422d31320a686561"
	"6c74682f422d3238cdcbd40940fb909282e733";

/* The same, as written since the ledger, the alerts and the entitlements
 * left the stored form: the record's two ledger entries (field 14), its
 * alert (field 15) and its two entitlements (field 11) taken out, and the
 * digest of the entitlements' list row added (PersonState field 11). */
static const char person_hex[] =
	"0af9010a123432303730343139383030313031303031351206e5bca0e4bc9f1a03482d3120022802"
	"321a0a06456368656e67120946656e676875616e671a054e616e68753a0a323032362d31312d3330"
	"420301090e523b080112014118b44220012a0a323032362d30312d30313a23686f757365686f6c64"
	"20332078203138353030202d203330303030203d2032353530305247080f12014218b54220022a0a"
	"323032362d30312d3031320a323032362d30362d33303a23686f757365686f6c6420332078203138"
	"353030202d203330303030203d20323535303180010788012a920118323032362d30352d32385432"
	"303a32363a34302e3132335a121d08ea0f121808b81718882728d83630f02e38c03e40e80748d00f"
	"50a01f120808e90f120308b960120508e80f12001a10080110011a0a323032342d30332d31351a08"
	"08091001220249491a06080e1001280e1a0e08101a0a323032332d30312d3031222608011201492a"
	"0a323032362d30312d30313801420d636976696c5f616666616972734a0208052235080d180120f0"
	"93092a0a323032362d30312d3032320a323032362d30372d30314209656475636174696f6e4a0808"
	"061080b4c4c3212a11747261696e696e672f73756e7368696e652a13747261696e696e672f766f63"
	"6174696f6e616c320a6865616c74682f422d31320a6865616c74682f422d3238cdcbd40940fb9092"
	"82e7335a10563db0be849d5991661c6b9eec0aee05";

/* The same, as written after the alerts left and before the entitlements
 * did (migration 21). */
static const char person_hex_with_entitlements[] =
	"0aa1020a123432303730343139383030313031303031351206e5bca0e4bc9f1a03482d3120022802"
	"321a0a06456368656e67120946656e676875616e671a054e616e68753a0a323032362d31312d3330"
	"420301090e523b080112014118b44220012a0a323032362d30312d30313a23686f757365686f6c64"
	"20332078203138353030202d203330303030203d2032353530305247080f12014218b54220022a0a"
	"323032362d30312d3031320a323032362d30362d33303a23686f757365686f6c6420332078203138"
	"353030202d203330303030203d2032353530315a11081b10011a0b757262616e20646962616f5a13"
	"081d1a0f6e6f74206120726563697069656e7480010788012a920118323032362d30352d32385432"
	"303a32363a34302e3132335a121d08ea0f121808b81718882728d83630f02e38c03e40e80748d00f"
	"50a01f120808e90f120308b960120508e80f12001a10080110011a0a323032342d30332d31351a08"
	"08091001220249491a06080e1001280e1a0e08101a0a323032332d30312d3031222608011201492a"
	"0a323032362d30312d30313801420d636976696c5f616666616972734a0208052235080d180120f0"
	"93092a0a323032362d30312d3032320a323032362d30372d30314209656475636174696f6e4a0808"
	"061080b4c4c3212a11747261696e696e672f73756e7368696e652a13747261696e696e672f766f63"
	"6174696f6e616c320a6865616c74682f422d31320a6865616c74682f422d3238cdcbd40940fb9092"
	"82e733";

/* The same, as written after the ledger left and before the alerts did
 * (migration 20). */
static const char person_hex_with_alerts[] =
	"0ad2020a123432303730343139383030313031303031351206e5bca0e4bc9f1a03482d3120022802"
	"321a0a06456368656e67120946656e676875616e671a054e616e68753a0a323032362d31312d3330"
	"420301090e523b080112014118b44220012a0a323032362d30312d30313a23686f757365686f6c64"
	"20332078203138353030202d203330303030203d2032353530305247080f12014218b54220022a0a"
	"323032362d30312d3031320a323032362d30362d33303a23686f757365686f6c6420332078203138"
	"353030202d203330303030203d2032353530315a11081b10011a0b757262616e20646962616f5a13"
	"081d1a0f6e6f74206120726563697069656e747a2f0a0b6361705f7265616368656410051a03422d"
	"31221974686520616e6e75616c20636170206973207265616368656480010788012a920118323032"
	"362d30352d32385432303a32363a34302e3132335a121d08ea0f121808b81718882728d83630f02e"
	"38c03e40e80748d00f50a01f120808e90f120308b960120508e80f12001a10080110011a0a323032"
	"342d30332d31351a0808091001220249491a06080e1001280e1a0e08101a0a323032332d30312d30"
	"31222608011201492a0a323032362d30312d30313801420d636976696c5f616666616972734a0208"
	"052235080d180120f093092a0a323032362d30312d3032320a323032362d30372d30314209656475"
	"636174696f6e4a0808061080b4c4c3212a11747261696e696e672f73756e7368696e652a13747261"
	"696e696e672f766f636174696f6e616c320a6865616c74682f422d31320a6865616c74682f422d32"
	"38cdcbd40940fb909282e733";

static const char household_hex[] =
	"0a03482d3910011803200128c0c4073001390000000000803d404001";

static uint8_t *unhex(const char *hex, size_t *len)
{
	uint8_t *b = malloc(strlen(hex) / 2);

	assert_non_null(b);
	*len = strlen(hex) / 2;
	for (size_t i = 0; i < *len; i++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		b[i] = (uint8_t)v;
	}
	return b;
}

static void assert_bytes(const uint8_t *got, size_t got_len, const char *want_hex)
{
	size_t len;
	uint8_t *want = unhex(want_hex, &len);

	assert_non_null(got);
	assert_int_equal(got_len, len);
	assert_memory_equal(got, want, len);
	free(want);
}

static void test_person_golden(void **state)
{
	struct person *p = full_person(), *q;
	size_t len, len2;
	uint8_t *buf = stored_pack_person(p, &len), *again;

	assert_bytes(buf, len, person_hex);
	q = stored_unpack_person(buf, len);
	assert_non_null(q);
	again = stored_pack_person(q, &len2);
	assert_bytes(again, len2, person_hex);
	free(again);
	free(buf);
	person_free(q);
	person_free(p);
}

/* A row written while the stored form held the ledger, the alerts or the
 * entitlements still reads: the ledger and alerts are left for their
 * tables' rows, the entitlements become a shared list, the rest is kept. */
static void test_older_forms_read(void **state)
{
	const char *older[] = {person_hex_with_ledger, person_hex_with_alerts,
			       person_hex_with_entitlements};

	for (size_t i = 0; i < sizeof(older) / sizeof(older[0]); i++) {
		size_t len, len2;
		uint8_t *old = unhex(older[i], &len), *again;
		struct person *q = stored_unpack_person(old, len);

		assert_non_null(q);
		assert_int_equal(q->n_ledger, 0);
		assert_int_equal(q->n_alerts, 0);
		assert_int_equal(q->n_entitlements, 2);
		again = stored_pack_person(q, &len2);
		assert_bytes(again, len2, person_hex);
		free(again);
		free(old);
		person_free(q);
	}
}

/* A shared list's row reads back under its digest, and not under another. */
static void test_entitlement_list_row(void **state)
{
	struct person *p = full_person();
	struct entitlement_list *l = state_entitlements_list(p->entitlements);
	uint8_t digest[STATE_LIST_DIGEST_BYTES], *row;
	size_t len, dlen;

	row = stored_pack_entitlements(l, &len);
	assert_non_null(row);
	assert_string_equal(l->hex, "563db0be849d5991661c6b9eec0aee05");
	assert_int_equal(sodium_hex2bin(digest, sizeof(digest), l->hex, strlen(l->hex), NULL,
					&dlen, NULL), 0);
	assert_int_equal(stored_unpack_entitlements(digest, dlen, row, len), 0);
	assert_true(l->stored);
	assert_ptr_equal(state_entitlements_by_digest(l->hex), l);
	digest[0] ^= 1;
	assert_int_equal(stored_unpack_entitlements(digest, dlen, row, len), -EINVAL);
	free(row);
	person_free(p);
}

/* A copy (what simulate works on) keeps the ledger and alerts the stored
 * form leaves out. */
static void test_person_copy(void **state)
{
	struct person *p = full_person(), *q = stored_copy_person(p);

	assert_non_null(q);
	assert_int_equal(p->n_ledger, 2);
	assert_int_equal(q->n_ledger, 2);
	assert_memory_equal(q->ledger, p->ledger, p->n_ledger * sizeof(*p->ledger));
	assert_int_equal(p->n_alerts, 1);
	assert_int_equal(q->n_alerts, 1);
	assert_memory_equal(q->alerts, p->alerts, p->n_alerts * sizeof(*p->alerts));
	assert_int_equal(q->n_benefits, p->n_benefits);
	person_free(p);
	person_free(q);
}

static void test_household_golden(void **state)
{
	struct household *hh = full_household(), *g;
	size_t len, len2;
	uint8_t *buf = stored_pack_household(hh, &len), *again;

	assert_bytes(buf, len, household_hex);
	g = stored_unpack_household(buf, len);
	assert_non_null(g);
	assert_true(g->stored);
	again = stored_pack_household(g, &len2);
	assert_bytes(again, len2, household_hex);
	free(again);
	free(buf);
	household_free(hh);
	household_free(g);
}

static void assert_enrollment(const struct enrollment *e, const struct enrollment *want)
{
	assert_int_equal(e->scheme, want->scheme);
	assert_string_equal(e->class_, want->class_);
	assert_int_equal(e->has_amount, want->has_amount);
	assert_int_equal(e->amount, want->amount);
	assert_int_equal(e->start, want->start);
	assert_int_equal(e->end, want->end);
	assert_int_equal(e->granted, want->granted);
	assert_string_equal(e->source, want->source);
	assert_int_equal(e->major, want->major);
	assert_int_equal(e->minor, want->minor);
}

static void assert_lists(const struct person *q, const struct person *p)
{
	assert_int_equal(q->n_benefits, p->n_benefits);
	assert_memory_equal(q->benefits, p->benefits, p->n_benefits * sizeof(*p->benefits));
	assert_int_equal(q->n_entitlements, p->n_entitlements);
	assert_memory_equal(q->entitlements, p->entitlements,
			    p->n_entitlements * sizeof(*p->entitlements));
	assert_int_equal(q->n_ledger, 0); /* the ledger table's rows */
	assert_int_equal(q->n_alerts, 0); /* the alert table's rows */
	assert_int_equal(q->n_enrollments, p->n_enrollments);
	for (size_t i = 0; i < p->n_enrollments; i++)
		assert_enrollment(&q->enrollments[i], &p->enrollments[i]);
}

static void test_person_round_trip(void **state)
{
	struct person *p = full_person(), *q;
	size_t len;
	uint8_t *buf = stored_pack_person(p, &len);

	assert_non_null(buf);
	q = stored_unpack_person(buf, len);
	assert_non_null(q);
	assert_string_equal(q->id, p->id);
	assert_string_equal(q->name, "张伟");
	assert_string_equal(q->household_id, "H-1");
	assert_int_equal(q->hukou, p->hukou);
	assert_int_equal(q->area, p->area);
	assert_memory_equal(&q->place, &p->place, sizeof(p->place));
	assert_int_equal(q->deceased_on, 20261130);
	for (int c = 1; c < STATE_CATEGORY_MAX; c++) {
		assert_int_equal(person_category_of(q, c)->active, person_category_of(p, c)->active);
		assert_int_equal(person_category_of(q, c)->since, person_category_of(p, c)->since);
		assert_string_equal(person_category_of(q, c)->class_, person_category_of(p, c)->class_);
		assert_int_equal(person_category_of(q, c)->months, person_category_of(p, c)->months);
	}
	assert_lists(q, p);
	assert_int_equal(q->n_years, 3);
	for (int c = 0; c < scheme_ytd_count(); c++)
		assert_int_equal(person_ytd_find(q, 2026)->totals[c], 1000 * (c + 1));
	assert_int_equal(person_ytd_find(q, 2025)->totals[scheme_ytd(ASSIST__SCHEME__SCHEME_HUIMIN)],
			 12345);
	assert_true(person_has_once_key(q, "training/vocational"));
	assert_true(person_has_claim_key(q, "health/B-2"));
	assert_int_equal(q->latest_date, 20260301);
	assert_int_equal(q->version, 7);
	assert_int_equal(q->feed_seq, 42);
	assert_int_equal(q->updated_at_ms, 1780000000123);
	assert_true(q->stored);
	free(buf);
	person_free(p);
	person_free(q);
}

/* p's core digest, as a write finds it (stored_form with none known). */
static uint64_t core_of(const struct person *p)
{
	uint64_t core = 0;
	uint8_t *form;
	size_t len;

	assert_int_equal(stored_form(p, 0, &core, &form, &len), 0);
	assert_non_null(form);
	free(form);
	return core;
}

/* What a claim changes, each of which leaves the core as it was, and what
 * changes the core: a change of each kind, made on a fresh full person. */
static void bump_year(struct person *p) { person_ytd(p, 2026)->totals[0] += 500; }
static void new_year(struct person *p) { person_ytd(p, 2027)->totals[1] = 1; }
static void add_claim_key(struct person *p) { assert_int_equal(person_add_claim_key(p, "health/C-9"), 0); }
static void add_once_key(struct person *p) { assert_int_equal(person_add_once_key(p, "housing/x"), 0); }
static void later_date(struct person *p) { p->latest_date = 20261201; }
static void stamped(struct person *p) { p->version++; p->feed_seq += 5; p->updated_at_ms += 1000; }
static void renamed(struct person *p) { snprintf(p->name, sizeof(p->name), "李娜"); }
static void moved(struct person *p) { p->place.town = atom_intern("Changgang"); }
static void category_ended(struct person *p) { person_category(p, ASSIST__CATEGORY__CATEGORY_DISABLED)->active = false; }
static void benefit_raised(struct person *p) { p->benefits[0].monthly += 100; }
static void enrollment_ended(struct person *p) { p->enrollments[0].end = 20261231; }
static void no_entitlements(struct person *p) { p->entitlements = NULL; p->n_entitlements = 0; }
static void rehoused(struct person *p) { p->household_from = 20260401; }

static void test_core(void **state)
{
	static const struct {
		const char *what;
		void (*change)(struct person *p);
		bool core;
	} cases[] = {
		{"a year's total", bump_year, false},
		{"a new year", new_year, false},
		{"a claim key", add_claim_key, false},
		{"a one-time key", add_once_key, false},
		{"the latest date", later_date, false},
		{"the record's stamps", stamped, false},
		{"the name", renamed, true},
		{"the place", moved, true},
		{"a category", category_ended, true},
		{"a benefit", benefit_raised, true},
		{"an enrollment", enrollment_ended, true},
		{"the entitlements", no_entitlements, true},
		{"the household's date", rehoused, true},
	};
	uint64_t before, after;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct person *p = full_person();

		before = core_of(p);
		assert_int_not_equal(before, 0);
		cases[i].change(p);
		after = core_of(p);
		if ((before != after) != cases[i].core)
			fail_msg("%s: the core %s", cases[i].what,
				 cases[i].core ? "did not change" : "changed");
		person_free(p);
	}
}

/* A write's form: none when the core is the one known, else the stored
 * form itself, with the core it gives when none is known. */
static void test_form(void **state)
{
	struct person *p = full_person();
	uint64_t core, again;
	uint8_t *form, *whole;
	size_t len, wlen;

	core = core_of(p);
	bump_year(p);
	assert_int_equal(stored_form(p, core, &again, &form, &len), 0);
	assert_null(form);
	assert_true(again == core);
	renamed(p);
	assert_int_equal(stored_form(p, core, &again, &form, &len), 0);
	assert_non_null(form);
	assert_true(again != core);
	assert_non_null(whole = stored_pack_person(p, &wlen));
	assert_int_equal(len, wlen);
	assert_memory_equal(form, whole, len);
	assert_true(again == core_of(p));
	free(form);
	free(whole);
	person_free(p);
}

/* A delta laid over an older copy gives the years and keys of the newer,
 * and nothing else of it. */
static void test_delta(void **state)
{
	struct person *p = full_person(), *old = full_person();
	size_t len;
	uint8_t *delta;

	bump_year(p);
	new_year(p);
	add_claim_key(p);
	later_date(p);
	stamped(p);
	person_drop_claim_keys(p, "health/B-2");
	renamed(old); /* a core field the delta does not carry */
	assert_non_null(delta = stored_pack_delta(p, &len));
	assert_int_equal(stored_apply_delta(old, delta, len), 0);
	assert_int_equal(old->n_years, p->n_years);
	for (size_t y = 0; y < p->n_years; y++)
		assert_memory_equal(person_ytd_find(old, p->years[y].year), &p->years[y],
				    sizeof(p->years[y]));
	assert_true(person_has_claim_key(old, "health/C-9"));
	assert_false(person_has_claim_key(old, "health/B-2"));
	assert_int_equal(old->n_claim_keys, p->n_claim_keys);
	assert_int_equal(old->n_once_keys, p->n_once_keys);
	assert_true(person_has_once_key(old, "training/vocational"));
	assert_int_equal(old->latest_date, 20261201);
	assert_int_equal(old->updated_at_ms, p->updated_at_ms);
	assert_string_equal(old->name, "李娜");
	assert_int_equal(old->version, 7); /* the ledger row's stamp gives it */
	/* A person's whole row is not a delta. */
	free(delta);
	assert_non_null(delta = stored_pack_person(p, &len));
	assert_int_equal(stored_apply_delta(old, delta, len), -EINVAL);
	free(delta);
	person_free(p);
	person_free(old);
}

/* The claim keys of the delta of a person whose row holds keys: those since,
 * in order, not the row's again. */
static void assert_delta_keys(const uint8_t *delta, size_t len, uint32_t after,
			      const char *const *keys, size_t n)
{
	Assist__PersonState *st = assist__person_state__unpack(NULL, len, delta);

	assert_non_null(st);
	assert_int_equal(st->claim_keys_after, after);
	assert_int_equal(st->n_claim_keys, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(st->claim_keys[i], keys[i]);
	assist__person_state__free_unpacked(st, NULL);
}

/* A delta carries the claim keys its batch added, not those of the row or
 * of the deltas before it; laid over the row one after the other, as a
 * load does, the deltas give every key in order. */
static void test_delta_after_row(void **state)
{
	static const char *const first[] = {"health/D-1", "health/D-1#ab"};
	static const char *const then[] = {"health/E-2"};
	struct person *p = full_person(), *row, *fewer;
	uint8_t *form, *d1, *d2;
	size_t len, len1, len2, held;
	char key[64];

	p->core = 1; /* as written whole */
	p->keys_stored = (uint32_t)(held = p->n_claim_keys);
	assert_true(held > 0);
	assert_non_null(form = stored_pack_person(p, &len));
	assert_int_equal(person_add_claim_key(p, first[0]), 0);
	assert_int_equal(person_add_claim_key(p, first[1]), 0);
	assert_non_null(d1 = stored_pack_delta(p, &len1));
	assert_delta_keys(d1, len1, (uint32_t)held, first, 2);
	p->keys_stored += 2; /* as its batch was written */
	assert_int_equal(person_add_claim_key(p, then[0]), 0);
	assert_non_null(d2 = stored_pack_delta(p, &len2));
	assert_delta_keys(d2, len2, (uint32_t)held + 2, then, 1);

	assert_non_null(row = stored_unpack_person(form, len));
	assert_int_equal(stored_apply_delta(row, d1, len1), 0);
	assert_int_equal(stored_apply_delta(row, d2, len2), 0);
	assert_int_equal(row->n_claim_keys, p->n_claim_keys);
	for (size_t i = 0; i < p->n_claim_keys; i++)
		assert_string_equal(row->claim_keys[i], p->claim_keys[i]);

	/* The second without the first: refused. */
	assert_non_null(fewer = stored_unpack_person(form, len));
	assert_int_equal(stored_apply_delta(fewer, d2, len2), -EINVAL);

	/* Dropping a key the row holds makes the next write whole. */
	person_drop_claim_keys(p, "health/E-2");
	assert_int_not_equal(p->core, 0);
	snprintf(key, sizeof(key), "%s", p->claim_keys[0]);
	person_drop_claim_keys(p, key);
	assert_int_equal(p->core, 0);

	free(form);
	free(d1);
	free(d2);
	person_free(p);
	person_free(row);
	person_free(fewer);
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
	buf = stored_pack_household(hh, &len);
	g = stored_unpack_household(buf, len);
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

/* Persons whose entitlement lists are equal share one copy, read back or
 * made; a different list is another copy. */
static void test_entitlements_shared(void **state)
{
	struct person *p = full_person(), *a, *b;
	struct entitlement other = {ASSIST__SCHEME__SCHEME_LEGAL_AID, true, atom_intern("other")};
	size_t len;
	uint8_t *buf = stored_pack_person(p, &len);

	(void)state;
	a = stored_unpack_person(buf, len);
	b = stored_unpack_person(buf, len);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->n_entitlements, 2);
	assert_ptr_equal(a->entitlements, p->entitlements);
	assert_ptr_equal(b->entitlements, p->entitlements);
	assert_string_equal(b->entitlements[0].reason, "urban dibao");
	assert_ptr_not_equal(state_entitlements_intern(&other, 1), p->entitlements);
	assert_ptr_equal(state_entitlements_intern(&other, 1), state_entitlements_intern(&other, 1));
	assert_null(state_entitlements_intern(&other, 0));
	free(buf);
	person_free(a);
	person_free(b);
	person_free(p);
}

static void test_garbage_does_not_decode(void **state)
{
	const uint8_t junk[] = {0xff, 0xff, 0xff, 0x01, 0x02};

	assert_null(stored_unpack_person(junk, sizeof(junk)));
	assert_null(stored_unpack_person(NULL, 0)); /* no record, no ID */
	assert_null(stored_unpack_household(junk, sizeof(junk)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_person_golden),
		cmocka_unit_test(test_older_forms_read),
		cmocka_unit_test(test_entitlement_list_row),
		cmocka_unit_test(test_person_copy),
		cmocka_unit_test(test_core),
		cmocka_unit_test(test_delta),
		cmocka_unit_test(test_delta_after_row),
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_household_golden),
		cmocka_unit_test(test_person_round_trip),
		cmocka_unit_test(test_household_round_trip),
		cmocka_unit_test(test_entitlements_shared),
		cmocka_unit_test(test_garbage_does_not_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
