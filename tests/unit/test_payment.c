/* The monthly payment rule (policy/payment.c): a periodic benefit is paid
 * for a month when it is active on the month's first day, once per month
 * and scheme, the amount the facts and standards of that day give, with
 * POLICY's examples. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/rules.h"
#include "policytest.h"

#define ID "420704199001011234"
#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_month(void **state)
{
	static const struct {
		const char *text;
		int rc;
		ymd_t first;
	} cases[] = {
		{"2008-03", 0, 20080301}, {"2008-12", 0, 20081201}, {"2008-01", 0, 20080101},
		{"2008-13", -EINVAL, 0},  {"2008-00", -EINVAL, 0},  {"2008-3", -EINVAL, 0},
		{"2008-03-01", -EINVAL, 0}, {"", -EINVAL, 0},       {"march", -EINVAL, 0},
	};

	for (size_t i = 0; i < N(cases); i++) {
		ymd_t first = 0;

		print_message("%s\n", cases[i].text);
		assert_int_equal(ymd_parse_month(cases[i].text, &first), cases[i].rc);
		if (cases[i].rc == 0)
			assert_int_equal(first, cases[i].first);
	}
	assert_int_equal(ymd_parse_month(NULL, &(ymd_t){0}), -EINVAL);
}

/* since/until x month: paid or not. */
static void test_due(void **state)
{
	static const struct {
		const char *what;
		ymd_t since, until, first;
		bool paid;
	} cases[] = {
		{"starts on the 15th: not that month", 20080315, YMD_NONE, 20080301, false},
		{"starts on the 15th: paid from the next", 20080315, YMD_NONE, 20080401, true},
		{"starts on the first: paid that month", 20080301, YMD_NONE, 20080301, true},
		{"ends on the 31st: paid that month", 20080101, 20080331, 20080301, true},
		{"ends on the 31st: not the month after", 20080101, 20080331, 20080401, false},
		{"died in May (until 31 May): paid for May", 20080101, 20080531, 20080501, true},
		{"died in May: not for June", 20080101, 20080531, 20080601, false},
		{"ends on the first: paid that month", 20080101, 20080401, 20080401, true},
		{"open: paid years later", 20080101, YMD_NONE, 20120701, true},
		{"no start: never", YMD_NONE, YMD_NONE, 20080301, false},
		{"a month before it starts", 20080301, YMD_NONE, 20080201, false},
	};

	for (size_t i = 0; i < N(cases); i++) {
		print_message("%s\n", cases[i].what);
		assert_int_equal(payment_due(cases[i].since, cases[i].until, cases[i].first),
				 cases[i].paid);
	}
}

static struct params *params;

static int group_setup(void **state)
{
	return policytest_params(NULL, &params);
}

static int group_teardown(void **state)
{
	params_free(params);
	return 0;
}

/* A person with one benefit of scheme (monthly fen from since to until)
 * resting on a granted enrollment from since to end (rural: class I). */
static struct person *recipient(Assist__Scheme scheme, fen_t monthly, ymd_t since, ymd_t until,
				ymd_t end)
{
	struct person *p = person_new(ID);

	assert_non_null(p);
	p->benefits = calloc(1, sizeof(*p->benefits));
	p->enrollments = calloc(1, sizeof(*p->enrollments));
	assert_non_null(p->benefits);
	assert_non_null(p->enrollments);
	p->n_benefits = p->cap_benefits = 1;
	p->n_enrollments = p->cap_enrollments = 1;
	p->benefits[0] = (struct benefit){.scheme = scheme, .monthly = monthly,
					  .active = until == YMD_NONE, .since = since,
					  .until = until};
	p->enrollments[0] = (struct enrollment){.scheme = scheme, .start = since, .end = end,
						.granted = true, .class_ = "I"};
	p->hukou = scheme == ASSIST__SCHEME__SCHEME_RURAL_DIBAO ? ASSIST__HUKOU__HUKOU_RURAL :
								  ASSIST__HUKOU__HUKOU_URBAN;
	return p;
}

static void test_person(void **state)
{
	/* The row's monthly (52000) is not what is paid: the amount is computed
	 * for the day, here for one person alone (urban: 1 x 18500 - 0) or of
	 * rural class I (7000). */
	static const struct {
		const char *what;
		Assist__Scheme scheme;
		fen_t monthly;
		ymd_t since, until, end, first;
		const char *ref; /* NULL: nothing booked */
		fen_t paid;
	} cases[] = {
		{"urban dibao active on the first", ASSIST__SCHEME__SCHEME_URBAN_DIBAO, 52000,
		 20080301, YMD_NONE, YMD_NONE, 20080301, "pay/urban_dibao/2008-03", 18500},
		{"rural dibao", ASSIST__SCHEME__SCHEME_RURAL_DIBAO, 30000, 20080101, YMD_NONE,
		 YMD_NONE, 20080301, "pay/rural_dibao/2008-03", 7000},
		{"starts on the 15th", ASSIST__SCHEME__SCHEME_URBAN_DIBAO, 52000, 20080315, YMD_NONE,
		 YMD_NONE, 20080301, NULL, 0},
		{"enrollment ends on the 31st, benefit row still open",
		 ASSIST__SCHEME__SCHEME_URBAN_DIBAO, 52000, 20080101, YMD_NONE, 20080331, 20080401,
		 NULL, 0},
		{"ended by death in May, June", ASSIST__SCHEME__SCHEME_URBAN_DIBAO, 52000, 20080101,
		 20080531, YMD_NONE, 20080601, NULL, 0},
		{"ended by death in May, May", ASSIST__SCHEME__SCHEME_URBAN_DIBAO, 52000, 20080101,
		 20080531, YMD_NONE, 20080501, "pay/urban_dibao/2008-05", 18500},
		{"not a periodic scheme", ASSIST__SCHEME__SCHEME_HUIMIN, 52000, 20080101, YMD_NONE,
		 YMD_NONE, 20080301, NULL, 0},
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct person *p = recipient(cases[i].scheme, cases[i].monthly, cases[i].since,
					     cases[i].until, cases[i].end);
		struct decisions out = {0};
		const struct ledger_entry *le;

		print_message("%s\n", cases[i].what);
		assert_int_equal(payment_person(params, p, cases[i].first, &out), 0);
		if (cases[i].ref == NULL) {
			assert_int_equal(out.n, 0);
		} else {
			assert_int_equal(out.n, 1);
			le = &out.items[0].u.ledger;
			assert_int_equal(out.items[0].type, DEC_LEDGER);
			assert_ptr_equal(out.items[0].person, p);
			assert_string_equal(le->ref, cases[i].ref);
			assert_int_equal(le->kind, ASSIST__LEDGER_KIND__LEDGER_KIND_PAYMENT);
			assert_string_equal(le->period, cases[i].ref + strlen(cases[i].ref) - 7);
			assert_int_equal(le->date, cases[i].first);
			assert_int_equal(le->amount, cases[i].paid);
			assert_int_equal(le->requested, cases[i].paid);
			assert_true(out.items[0].has_trace);
			assert_string_equal(out.items[0].trace.rule, "payment.monthly");
			/* Booked once: the same month again books nothing. */
			assert_true(decision_apply(&out.items[0]));
			decisions_clear(&out);
			assert_int_equal(payment_person(params, p, cases[i].first, &out), 0);
			assert_int_equal(out.n, 0);
		}
		decisions_free(&out);
		person_free(p);
	}
}

/* A household of 3 in the city, income 30000 and 45000 from 2008-03-01,
 * the standard 18500 and 20000 from 2008-07-01: each month is paid what
 * the household and the standard of its first day give. */
static void test_amount_of_the_day(void **state)
{
	static const char yaml[] = "dibao.urban.standard.city:\n"
				   "  unit: fen\n"
				   "  clause: \"test\"\n"
				   "  values:\n"
				   "    2008-01-01: 18500\n"
				   "    2008-07-01: 20000\n";
	static const struct {
		ymd_t first;
		fen_t paid;
		const char *how;
	} cases[] = {
		{20080201, 8500, "household 3 x 18500 - 30000 = 25500; 8500 per member"},
		{20080301, 3500, "household 3 x 18500 - 45000 = 10500; 3500 per member"},
		{20080601, 3500, "household 3 x 18500 - 45000 = 10500; 3500 per member"},
		{20080701, 5000, "household 3 x 20000 - 45000 = 15000; 5000 per member"},
	};
	struct person *p = recipient(ASSIST__SCHEME__SCHEME_URBAN_DIBAO, 52000, 20080101,
				     YMD_NONE, YMD_NONE);
	struct household *hh = household_new("H1");
	struct household_past was;
	struct params *ps = NULL;
	char err[256];

	assert_int_equal(params_load_string(yaml, "test.yaml", &ps, err, sizeof(err)), 0);
	assert_non_null(hh);
	assert_int_equal(household_link(hh, p), 0);
	hh->has_members = hh->has_income = true;
	hh->members = 3;
	hh->monthly_income = 30000;
	was = household_now(hh);
	assert_int_equal(household_supersede(hh, &was, 20080301), 0);
	hh->monthly_income = 45000;
	for (size_t i = 0; i < N(cases); i++) {
		struct decisions out = {0};
		const struct trace *t;
		bool found = false;

		print_message("%d\n", (int)cases[i].first);
		assert_int_equal(payment_person(ps, p, cases[i].first, &out), 0);
		assert_int_equal(out.n, 1);
		assert_int_equal(out.items[0].u.ledger.amount, cases[i].paid);
		t = &out.items[0].trace;
		for (int j = 0; j < t->n_inputs; j++)
			found |= strcmp(t->inputs[j].name, "amount") == 0 &&
				 strcmp(t->inputs[j].value, cases[i].how) == 0;
		assert_true(found);
		decisions_free(&out);
	}
	params_free(ps);
	household_free(hh);
	person_free(p);
}

/* A rural class I recipient who became an orphan from 2008-03-01: 7000 a
 * month before, the orphan's 10000 from then on (POLICY (2)). */
static void test_orphan_from(void **state)
{
	static const struct {
		ymd_t first;
		fen_t paid;
	} cases[] = {{20080201, 7000}, {20080301, 10000}, {20080401, 10000}};
	struct person *p = recipient(ASSIST__SCHEME__SCHEME_RURAL_DIBAO, 52000, 20080101,
				     YMD_NONE, YMD_NONE);
	struct category_state *cs = person_category(p, ASSIST__CATEGORY__CATEGORY_ORPHAN);

	assert_non_null(cs);
	cs->active = true;
	cs->since = 20080301;
	for (size_t i = 0; i < N(cases); i++) {
		struct decisions out = {0};

		assert_int_equal(payment_person(params, p, cases[i].first, &out), 0);
		assert_int_equal(out.n, 1);
		assert_int_equal(out.items[0].u.ledger.amount, cases[i].paid);
		decisions_free(&out);
	}
	person_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_month),
		cmocka_unit_test(test_due),
		cmocka_unit_test(test_person),
		cmocka_unit_test(test_amount_of_the_day),
		cmocka_unit_test(test_orphan_from),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
