/* Earmarked funds (daemon/fund.c): a budget is its year's only, a fund
 * without one has none, the check at start refuses what names no fund,
 * remaining is budget less spent, budget_exceeded is raised by the entry
 * that crosses and never again, and a refused batch goes back to the
 * committed totals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fund.h"
#include "policytest.h"

#define S(x) ASSIST__SCHEME__SCHEME_##x

static struct params *load(const char *yaml)
{
	struct params *ps = NULL;
	char err[256];

	if (params_load_string(yaml, "test.yaml", &ps, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return ps;
}

static const char budgets[] = "fund.rural_repair.budget:\n"
			      "  unit: fen\n"
			      "  clause: \"V (3)\"\n"
			      "  values:\n"
			      "    2008-01-01: 500000\n"
			      "    2010-01-01: 0\n"
			      "other.figure:\n"
			      "  unit: fen\n"
			      "  clause: \"x\"\n"
			      "  values:\n"
			      "    2008-01-01: 1\n";

static void test_budget_of_its_year_only(void **state)
{
	struct params *ps = load(budgets);
	struct {
		Assist__Scheme scheme;
		int year;
		int rc;
		fen_t budget;
	} cases[] = {
		{S(RURAL_REPAIR), 2008, 0, 500000},
		{S(RURAL_REPAIR), 2007, -ENOENT, 0}, /* before any value */
		{S(RURAL_REPAIR), 2009, -ENOENT, 0}, /* 2008's is not 2009's */
		{S(RURAL_REPAIR), 2010, 0, 0},       /* a budget of nothing is one */
		{S(URBAN_DIBAO), 2008, -ENOENT, 0},  /* no parameter at all */
		{(Assist__Scheme)999, 2008, -ENOENT, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fen_t b = -1;
		assert_int_equal(fund_budget(ps, cases[i].scheme, cases[i].year, &b), cases[i].rc);
		if (cases[i].rc == 0)
			assert_int_equal(b, cases[i].budget);
	}
	assert_int_equal(fund_check_params(ps, NULL, 0), 0);
	params_free(ps);
}

static void test_check_refuses(void **state)
{
	const char *cases[][2] = {
		{"fund.rural_repairs.budget", "not a scheme with a fund"},
		{"fund.utilities.budget", "not a scheme with a fund"}, /* an entitlement */
		{"fund.rural_repair.cap", "fund.<scheme>.budget"},
		{"fund.budget", "fund.<scheme>.budget"},
	};
	char yaml[256], err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct params *ps;
		snprintf(yaml, sizeof(yaml),
			 "%s:\n  unit: fen\n  clause: \"c\"\n  values:\n    2008-01-01: 1\n",
			 cases[i][0]);
		ps = load(yaml);
		err[0] = '\0';
		assert_int_equal(fund_check_params(ps, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, cases[i][1]));
		params_free(ps);
	}
	{
		struct params *ps = load("fund.rural_repair.budget:\n  unit: count\n"
					 "  clause: \"c\"\n  values:\n    2008-01-01: 1\n");
		assert_int_equal(fund_check_params(ps, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "in fen"));
		params_free(ps);
	}
}

/* The shipped budgets load and pass the check; the demo's years have them. */
static void test_shipped(void **state)
{
	struct params *ps = NULL;
	char err[256];
	fen_t b;

	assert_int_equal(policytest_params(NULL, &ps), 0);
	assert_int_equal(fund_check_params(ps, err, sizeof(err)), 0);
	assert_int_equal(fund_budget(ps, S(URBAN_DIBAO), 2008, &b), 0);
	assert_true(b > 0);
	assert_int_equal(fund_budget(ps, S(RURAL_NEW_BUILD), 2026, &b), 0);
	assert_int_equal(fund_budget(ps, S(UTILITIES), 2008, &b), -ENOENT);
	params_free(ps);
}

static void test_remaining(void **state)
{
	assert_int_equal(fund_remaining(1000, 0), 1000);
	assert_int_equal(fund_remaining(1000, 1000), 0);
	assert_int_equal(fund_remaining(1000, 1500), -500);
}

/* Entries booked in order against a budget of 1000: only the one that takes
 * the fund past it raises the alert. */
static void test_crosses_once(void **state)
{
	const struct {
		fen_t amount;
		bool raised;
	} entries[] = {
		{600, false}, {400, false}, /* at the budget, not past it */
		{-100, false},		    /* a reversal */
		{150, true},		    /* 1050: past it */
		{500, false},		    /* once a year */
		{-2000, false}, {3000, false},
	};
	fen_t spent = 0;
	bool alerted = false;

	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		bool r;
		spent += entries[i].amount;
		r = fund_crosses(true, 1000, spent, entries[i].amount, alerted);
		assert_true(r == entries[i].raised);
		alerted = alerted || r;
	}
	/* No budget: nothing, however much is spent. */
	assert_false(fund_crosses(false, 0, 1 << 30, 1 << 30, false));
}

/* A batch's deltas become committed at its COMMIT; a refusal goes back to
 * what was committed, the alert included. */
static void test_totals_commit_and_rewind(void **state)
{
	struct funds f = {0};
	struct fund_deltas d = {0};
	struct fund_total *t = funds_get(&f, S(RURAL_REPAIR), 2008);
	struct fund_delta *x = fund_deltas_get(&d, S(RURAL_REPAIR), 2008);

	assert_non_null(t);
	assert_non_null(x);
	assert_ptr_equal(funds_get(&f, S(RURAL_REPAIR), 2008), t);
	assert_ptr_equal(fund_deltas_get(&d, S(RURAL_REPAIR), 2008), x);
	t->spent += 700;
	x->spent += 700;
	funds_committed(&f, &d);
	assert_int_equal(t->spent_committed, 700);
	t->spent += 900; /* a later batch, refused */
	t->alerted = true;
	funds_rewind(&f);
	assert_int_equal(t->spent, 700);
	assert_false(t->alerted);
	assert_non_null(funds_get(&f, S(URBAN_DIBAO), 2008));
	assert_int_equal(f.n, 2);
	funds_clear(&f);
	assert_int_equal(f.n, 0);
	funds_free(&f);
	fund_deltas_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_budget_of_its_year_only),
		cmocka_unit_test(test_check_refuses),
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_remaining),
		cmocka_unit_test(test_crosses_once),
		cmocka_unit_test(test_totals_commit_and_rewind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
