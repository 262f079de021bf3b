/* Field maps: the check finds every way a row can disagree with its message,
 * and the copies convert as the types say (text truncated, dates parsed,
 * BenefitStatus, nested messages, lists). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pbmap.h"
#include "state.h"
#include "statemap.h"

struct thing {
	Assist__Scheme scheme;
	char class_[4];
	int64_t monthly;
	bool active;
	ymd_t since;
	const char *reason;
	int32_t small;
};

static const struct pbmap_field thing_rows[] = {
	PBMAP_FIELD(struct thing, scheme, "scheme", PBMAP_ENUM),
	PBMAP_FIELD(struct thing, class_, "class", PBMAP_TEXT),
	PBMAP_FIELD(struct thing, monthly, "monthly_fen", PBMAP_INT64),
	PBMAP_FIELD(struct thing, active, "status", PBMAP_BENEFIT_STATUS),
	PBMAP_FIELD(struct thing, since, "since", PBMAP_DATE),
	PBMAP_FIELD(struct thing, reason, "reason", PBMAP_CSTR),
};

static const struct pbmap thing_map = {&assist__benefit__descriptor, sizeof(struct thing),
				       thing_rows, sizeof(thing_rows) / sizeof(thing_rows[0])};

static void test_shipped_maps_check(void **state)
{
	char err[256] = "";

	assert_int_equal(statemap_check(err, sizeof(err)), 0);
	assert_int_equal(pbmap_check(&thing_map, err, sizeof(err)), 0);
}

/* One bad row in a map of Benefit over struct thing: refused, naming it. */
static void test_check_faults(void **state)
{
	static const struct pbmap_field bad[] = {
		PBMAP_FIELD(struct thing, class_, "klass", PBMAP_TEXT),           /* no field */
		PBMAP_FIELD(struct thing, monthly, "reason", PBMAP_INT64),        /* string */
		PBMAP_FIELD(struct thing, small, "monthly_fen", PBMAP_INT64),     /* 4 bytes */
		{"class", sizeof(struct thing), 4, PBMAP_TEXT, NULL},             /* outside */
		PBMAP_FIELD(struct thing, scheme, "scheme", PBMAP_BENEFIT_STATUS),/* not bool */
		{"scheme", 0, sizeof(bool), PBMAP_BENEFIT_STATUS, NULL},          /* not BenefitStatus */
		PBMAP_FIELD(struct thing, scheme, "scheme", PBMAP_MESSAGE),       /* no sub map */
	};
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pbmap m = {&assist__benefit__descriptor, sizeof(struct thing), &bad[i], 1};

		err[0] = '\0';
		assert_int_equal(pbmap_check(&m, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, bad[i].name));
	}
}

static void test_check_list_faults(void **state)
{
	const struct pbmap_list singular = {&assist__recipient_record__descriptor, "place",
					    &thing_map};
	const struct pbmap_list other = {&assist__recipient_record__descriptor, "ledger",
					 &thing_map};
	const struct pbmap_list good = {&assist__recipient_record__descriptor, "benefits",
					&thing_map};
	char err[256];

	assert_int_equal(pbmap_check_list(&singular, err, sizeof(err)), -EINVAL);
	assert_int_equal(pbmap_check_list(&other, err, sizeof(err)), -EINVAL);
	assert_int_equal(pbmap_check_list(&good, err, sizeof(err)), 0);
}

static void test_to_message(void **state)
{
	struct thing t = {ASSIST__SCHEME__SCHEME_HUIMIN, "II", -7, true, 20260229, NULL, 0};
	Assist__Benefit b = ASSIST__BENEFIT__INIT;
	struct arena a = {0};

	assert_int_equal(pbmap_to_message(&thing_map, &t, &b.base, &a), 0);
	assert_int_equal(b.scheme, ASSIST__SCHEME__SCHEME_HUIMIN);
	assert_ptr_equal(b.class_, t.class_); /* a view of the struct */
	assert_int_equal(b.monthly_fen, -7);
	assert_int_equal(b.status, ASSIST__BENEFIT_STATUS__BENEFIT_STATUS_ACTIVE);
	assert_string_equal(b.since, "2026-02-29"); /* formatted, not validated */
	assert_string_equal(b.reason, "");          /* NULL */
	t.active = false;
	t.since = YMD_NONE;
	assert_int_equal(pbmap_to_message(&thing_map, &t, &b.base, &a), 0);
	assert_int_equal(b.status, ASSIST__BENEFIT_STATUS__BENEFIT_STATUS_ENDED);
	assert_string_equal(b.since, "");
	arena_free(&a);
}

static void test_from_message(void **state)
{
	Assist__Benefit b = ASSIST__BENEFIT__INIT;
	struct thing t = {.reason = "kept"};

	b.scheme = ASSIST__SCHEME__SCHEME_NCMS;
	b.class_ = "centralized";
	b.monthly_fen = INT64_MAX;
	b.status = ASSIST__BENEFIT_STATUS__BENEFIT_STATUS_ACTIVE;
	b.since = "2026-13-01";
	b.reason = "ignored";
	assert_int_equal(pbmap_from_message(&thing_map, &b.base, &t), 0);
	assert_int_equal(t.scheme, ASSIST__SCHEME__SCHEME_NCMS);
	assert_string_equal(t.class_, "cen"); /* truncated to the array */
	assert_int_equal(t.monthly, INT64_MAX);
	assert_true(t.active);
	assert_int_equal(t.since, YMD_NONE); /* no date */
	assert_string_equal(t.reason, "kept"); /* one way */
	b.status = ASSIST__BENEFIT_STATUS__BENEFIT_STATUS_UNSPECIFIED;
	b.since = "2025-06-30";
	assert_int_equal(pbmap_from_message(&thing_map, &b.base, &t), 0);
	assert_false(t.active);
	assert_int_equal(t.since, 20250630);
}

/* A nested message is made on the way out and left alone when absent. */
static void test_nested(void **state)
{
	struct person *p = person_new("420704198001010015");
	Assist__RecipientRecord r = ASSIST__RECIPIENT_RECORD__INIT;
	struct arena a = {0};

	p->place.town = "Fenghuang";
	assert_int_equal(pbmap_to_message(&statemap_person, p, &r.base, &a), 0);
	assert_non_null(r.place);
	assert_string_equal(r.place->town, "Fenghuang");
	r.place = NULL;
	r.name = "Li";
	assert_int_equal(pbmap_from_message(&statemap_person, &r.base, p), 0);
	assert_string_equal(p->name, "Li");
	assert_string_equal(p->place.town, "Fenghuang");
	arena_free(&a);
	person_free(p);
}

static void test_lists(void **state)
{
	const struct pbmap_list list = {&assist__recipient_record__descriptor, "benefits",
					&thing_map};
	struct thing in[3] = {{.monthly = 1}, {.monthly = 2}, {.monthly = 3}};
	struct thing *out = NULL;
	size_t n = 0, cap = 0;
	Assist__RecipientRecord r = ASSIST__RECIPIENT_RECORD__INIT;
	Assist__Benefit b = ASSIST__BENEFIT__INIT;
	struct arena a = {0};

	assert_int_equal(pbmap_to_list(&list, in, 3, &r.base, &a), 0);
	assert_int_equal(r.n_benefits, 3);
	assert_int_equal(r.benefits[2]->monthly_fen, 3);
	assert_int_equal(pbmap_from_list(&list, &r.base, (void **)&out, &n, &cap), 0);
	assert_int_equal(n, 3);
	assert_int_equal(out[1].monthly, 2);
	assert_int_equal(pbmap_to_list(&list, in, 0, &r.base, &a), 0);
	assert_int_equal(r.n_benefits, 0);
	/* A message that is not the list's parent. */
	assert_int_equal(pbmap_to_list(&list, in, 1, &b.base, &a), -EINVAL);
	assert_int_equal(pbmap_from_list(&list, &b.base, (void **)&out, &n, &cap), -EINVAL);
	free(out);
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_maps_check),
		cmocka_unit_test(test_check_faults),
		cmocka_unit_test(test_check_list_faults),
		cmocka_unit_test(test_to_message),
		cmocka_unit_test(test_from_message),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_lists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
