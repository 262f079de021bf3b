#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pbjson.h"
#include "scheme.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define S(x) ASSIST__SCHEME__SCHEME_##x
#define F(x) SCHEME_FAMILY_##x

/* Every scheme as docs/policy.md describes it. */
static const struct {
	Assist__Scheme scheme;
	const char *name;
	enum scheme_family family;
	bool periodic;
	const char *ytd_field;
	bool insurer;
	const char *cap;
	const char *cap_special;
} cases[] = {
	{S(UNSPECIFIED), "unspecified", F(NONE), false, NULL, false, NULL, NULL},
	{S(URBAN_DIBAO), "urban_dibao", F(DIBAO), true, NULL, false, NULL, NULL},
	{S(RURAL_DIBAO), "rural_dibao", F(DIBAO), true, NULL, false, NULL, NULL},
	{S(HUIMIN), "huimin", F(MEDICAL), false, "huimin_paid_fen", true, "medical.huimin.cap", NULL},
	{S(NCMS), "ncms", F(MEDICAL), false, "ncms_paid_fen", true, "medical.ncms.cap", NULL},
	{S(MEDICAL_ASSISTANCE), "medical_assistance", F(MEDICAL), false, "medical_assistance_paid_fen",
	 false, "medical.assistance.cap", "medical.assistance.cap_special"},
	{S(CHRONIC_QUOTA), "chronic_quota", F(MEDICAL), false, "chronic_quota_paid_fen", false,
	 "medical.chronic_quota.other", "medical.chronic_quota.special"},
	{S(TEMPORARY_MEDICAL), "temporary_medical", F(MEDICAL), false, "temporary_medical_paid_fen",
	 false, "medical.temporary.cap", NULL},
	{S(VAGRANT_MEDICAL), "vagrant_medical", F(MEDICAL), false, "vagrant_medical_paid_fen", false,
	 "medical.vagrant.cap", NULL},
	{S(MISC_FEE_EXEMPTION), "misc_fee_exemption", F(EDUCATION), false, NULL, false, NULL,
	 NULL},
	{S(TEXTBOOK_EXEMPTION), "textbook_exemption", F(EDUCATION), false, NULL, false, NULL,
	 NULL},
	{S(TUITION_EXEMPTION), "tuition_exemption", F(EDUCATION), false, NULL, false, NULL,
	 NULL},
	{S(BOARDING_ALLOWANCE), "boarding_allowance", F(EDUCATION), false, NULL, false, NULL,
	 NULL},
	{S(KEY_HIGH_SCHOOL), "key_high_school", F(EDUCATION), false, NULL, false, NULL, NULL},
	{S(UNIVERSITY_ENTRY), "university_entry", F(EDUCATION), false, NULL, false, NULL, NULL},
	{S(UNIVERSITY_MONTHLY), "university_monthly", F(EDUCATION), false, NULL, false, NULL,
	 NULL},
	{S(VOCATIONAL), "vocational", F(EDUCATION), false, NULL, false, NULL, NULL},
	{S(URBAN_RENTAL), "urban_rental", F(HOUSING), false, NULL, false, NULL, NULL},
	{S(RENT_REDUCTION), "rent_reduction", F(HOUSING), false, NULL, false, NULL, NULL},
	{S(RURAL_NEW_BUILD), "rural_new_build", F(HOUSING), false, NULL, false, NULL, NULL},
	{S(RURAL_REPAIR), "rural_repair", F(HOUSING), false, NULL, false, NULL, NULL},
	{S(AFFORDABLE), "affordable", F(HOUSING), false, NULL, false, NULL, NULL},
	{S(VOCATIONAL_TRAINING), "vocational_training", F(TRAINING), false, NULL, false, NULL,
	 NULL},
	{S(ENTREPRENEURSHIP_TRAINING), "entrepreneurship_training", F(TRAINING), false, NULL,
	 false, NULL, NULL},
	{S(POVERTY_TRAINING), "poverty_training", F(TRAINING), false, NULL, false, NULL, NULL},
	{S(SUNSHINE_TRAINING), "sunshine_training", F(TRAINING), false, NULL, false, NULL,
	 NULL},
	{S(PUBLIC_WELFARE_POST), "public_welfare_post", F(ENTITLEMENT), false, NULL, false,
	 NULL, NULL},
	{S(UTILITIES), "utilities", F(ENTITLEMENT), false, NULL, false, NULL, NULL},
	{S(DISASTER_RELIEF), "disaster_relief", F(RELIEF), false, NULL, false, NULL, NULL},
	{S(LEGAL_AID), "legal_aid", F(ENTITLEMENT), false, NULL, false, NULL, NULL},
	{S(CENTRAL_SUPPORT), "central_support", F(ENTITLEMENT), false, NULL, false, NULL, NULL},
	{S(EDUCATION), "education", F(ENTITLEMENT), false, NULL, false, NULL, NULL},
	{S(WORKER_INSURANCE), "worker_insurance", F(MEDICAL), false, NULL, true, NULL, NULL},
};

static void assert_str_or_null(const char *got, const char *want)
{
	if (want == NULL)
		assert_null(got);
	else
		assert_string_equal(got, want);
}

static void test_rows(void **state)
{
	assert_int_equal(N(cases), assist__scheme__descriptor.n_values);
	for (size_t i = 0; i < N(cases); i++) {
		const struct scheme *row = scheme_get(cases[i].scheme);

		assert_non_null(row);
		assert_int_equal(row->scheme, cases[i].scheme);
		assert_string_equal(row->name, cases[i].name);
		assert_int_equal(row->family, cases[i].family);
		assert_int_equal(scheme_family(cases[i].scheme), cases[i].family);
		assert_int_equal(row->periodic, cases[i].periodic);
		if (cases[i].ytd_field == NULL) {
			assert_null(row->ytd_field);
			assert_int_equal(scheme_ytd(row->scheme), SCHEME_YTD_NONE);
		} else {
			assert_string_equal(row->ytd_field, cases[i].ytd_field);
			assert_string_equal(scheme_ytd_field(scheme_ytd(row->scheme)),
					    cases[i].ytd_field);
		}
		assert_int_equal(row->insurer, cases[i].insurer);
		assert_str_or_null(row->cap, cases[i].cap);
		assert_str_or_null(row->cap_special, cases[i].cap_special);
	}
}

/* The names are the ones the JSON form, the ledger and the record use. */
static void test_names_as_json(void **state)
{
	for (size_t i = 0; i < N(cases); i++) {
		char buf[64];

		assert_string_equal(pbjson_enum_name(&assist__scheme__descriptor, cases[i].scheme,
						     buf, sizeof(buf)),
				    scheme_get(cases[i].scheme)->name);
	}
}

static void test_by_name(void **state)
{
	for (size_t i = 0; i < N(cases); i++) {
		const struct scheme *row = scheme_get(cases[i].scheme);

		assert_ptr_equal(scheme_by_name(row->name), row);
	}
	assert_null(scheme_by_name("no_such_scheme"));
	assert_null(scheme_by_name(""));
	assert_null(scheme_get((Assist__Scheme)-1));
	assert_null(scheme_get((Assist__Scheme)N(cases)));
	assert_int_equal(scheme_family((Assist__Scheme)N(cases)), SCHEME_FAMILY_NONE);
}

/* Counters and the record's caps land in the proto fields of their name. */
/* The counters: the two fixed ones, then one per capped row, each once. */
static void test_counters(void **state)
{
	assert_int_equal(scheme_ytd_count(), SCHEME_YTD_ROWS + 6);
	for (int c = 0; c < scheme_ytd_count(); c++) {
		for (int d = 0; d < c; d++)
			assert_string_not_equal(scheme_ytd_field(c), scheme_ytd_field(d));
	}
	assert_null(scheme_ytd_field(scheme_ytd_count()));
}

/* Each counter's slot is its named field's, and there is none past them. */
static void test_counter_slots(void **state)
{
	Assist__Ytd y = ASSIST__YTD__INIT;

	for (int c = 0; c < scheme_ytd_count(); c++) {
		assert_non_null(scheme_ytd_counter(&y, c));
		assert_ptr_equal(scheme_ytd_counter(&y, c), scheme_ytd_slot(&y, scheme_ytd_field(c)));
	}
	assert_ptr_equal(scheme_ytd_counter(&y, scheme_ytd(S(HUIMIN))), &y.huimin_paid_fen);
	assert_null(scheme_ytd_counter(&y, scheme_ytd_count()));
	assert_null(scheme_ytd_counter(&y, -1));
}

static void test_ytd_fields(void **state)
{
	static const struct {
		const char *field;
		size_t offset;
	} fields[] = {
		{"huimin_paid_fen", offsetof(Assist__Ytd, huimin_paid_fen)},
		{"huimin_cap_fen", offsetof(Assist__Ytd, huimin_cap_fen)},
		{"medical_assistance_paid_fen", offsetof(Assist__Ytd, medical_assistance_paid_fen)},
		{"medical_assistance_cap_fen", offsetof(Assist__Ytd, medical_assistance_cap_fen)},
		{"temporary_medical_paid_fen", offsetof(Assist__Ytd, temporary_medical_paid_fen)},
		{"chronic_quota_paid_fen", offsetof(Assist__Ytd, chronic_quota_paid_fen)},
		{"vagrant_medical_paid_fen", offsetof(Assist__Ytd, vagrant_medical_paid_fen)},
		{"insurer_paid_fen", offsetof(Assist__Ytd, insurer_paid_fen)},
		{"medical_total_fen", offsetof(Assist__Ytd, medical_total_fen)},
		{"ncms_paid_fen", offsetof(Assist__Ytd, ncms_paid_fen)},
	};
	Assist__Ytd y = ASSIST__YTD__INIT;

	for (size_t i = 0; i < N(fields); i++) {
		assert_ptr_equal(scheme_ytd_slot(&y, fields[i].field),
				 (int64_t *)((char *)&y + fields[i].offset));
		*scheme_ytd_slot(&y, fields[i].field) = (int64_t)i + 1;
		assert_int_equal(scheme_ytd_get(&y, fields[i].field), (int64_t)i + 1);
	}
	assert_null(scheme_ytd_slot(&y, "no_such_field"));
	assert_int_equal(scheme_ytd_get(&y, "no_such_field"), 0);
	assert_string_equal(scheme_ytd_field(scheme_ytd(S(HUIMIN))), "huimin_paid_fen");
	assert_string_equal(scheme_ytd_field(SCHEME_YTD_INSURER), "insurer_paid_fen");
	assert_string_equal(scheme_ytd_field(SCHEME_YTD_MEDICAL_TOTAL), "medical_total_fen");
	assert_string_equal(scheme_get(S(HUIMIN))->cap_field, "huimin_cap_fen");
	assert_string_equal(scheme_get(S(MEDICAL_ASSISTANCE))->cap_field,
			    "medical_assistance_cap_fen");
	assert_null(scheme_get(S(NCMS))->cap_field);
}

/* A copy of the built-in table, to break. */
static size_t copy_table(struct scheme *out)
{
	size_t n = 0;

	for (const struct scheme *row; (row = scheme_get((Assist__Scheme)n)) != NULL; n++)
		out[n] = *row;
	return n;
}

static void test_check(void **state)
{
	struct scheme table[64];
	char err[256] = "";
	size_t n = copy_table(table);

	assert_int_equal(n, N(cases));
	assert_int_equal(scheme_check(err, sizeof(err)), 0);
	assert_int_equal(scheme_check_table(table, n, err, sizeof(err)), 0);

	/* The last row missing. */
	assert_int_equal(scheme_check_table(table, n - 1, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "scheme table: no row for SCHEME_WORKER_INSURANCE");

	/* A row missing in the middle. */
	memmove(&table[S(NCMS)], &table[S(NCMS) + 1], (n - S(NCMS) - 1) * sizeof(table[0]));
	assert_int_equal(scheme_check_table(table, n - 1, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no row for SCHEME_NCMS"));

	/* A name the JSON form does not use. */
	n = copy_table(table);
	table[S(HUIMIN)].name = "huimin_insurance";
	assert_int_equal(scheme_check_table(table, n, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "scheme table: SCHEME_HUIMIN is named huimin_insurance");

	/* A cap shown in a field Ytd does not have. */
	n = copy_table(table);
	table[S(NCMS)].cap_field = "ncms_cap_fen";
	assert_int_equal(scheme_check_table(table, n, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "scheme table: ncms has a bad counter or cap");

	/* A counter in a field Ytd does not have. */
	n = copy_table(table);
	table[S(NCMS)].ytd_field = "ncms_total_fen";
	assert_int_equal(scheme_check_table(table, n, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "scheme table: ncms has a bad counter or cap");

	/* More counters than a person's year has room for. */
	n = copy_table(table);
	for (size_t i = S(MISC_FEE_EXEMPTION); i < S(MISC_FEE_EXEMPTION) + 3; i++)
		table[i].ytd_field = "huimin_paid_fen";
	assert_int_equal(scheme_check_table(table, n, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "scheme table: 11 year-to-date counters, room for 10 "
				 "(SCHEME_YTD_MAX in lib/scheme.h)");

	/* One row too many. */
	n = copy_table(table);
	table[n] = table[n - 1];
	assert_int_equal(scheme_check_table(table, n + 1, err, sizeof(err)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),	   cmocka_unit_test(test_names_as_json),
		cmocka_unit_test(test_by_name),	   cmocka_unit_test(test_ytd_fields), cmocka_unit_test(test_counters),
		cmocka_unit_test(test_counter_slots),
		cmocka_unit_test(test_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
