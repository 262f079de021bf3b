/* The monthly payment rule (policy/payment.c): a periodic benefit is paid
 * for a month when it is active on the month's first day, once per month
 * and scheme, with POLICY's examples. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/rules.h"

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

/* A person with one benefit of scheme (monthly fen from since to until)
 * resting on a granted enrollment from since to end. */
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
						.granted = true};
	return p;
}

static void test_person(void **state)
{
	static const struct {
		const char *what;
		Assist__Scheme scheme;
		fen_t monthly;
		ymd_t since, until, end, first;
		const char *ref; /* NULL: nothing booked */
	} cases[] = {
		{"urban dibao active on the first", ASSIST__SCHEME__SCHEME_URBAN_DIBAO, 52000,
		 20080301, YMD_NONE, YMD_NONE, 20080301, "pay/urban_dibao/2008-03"},
		{"rural dibao", ASSIST__SCHEME__SCHEME_RURAL_DIBAO, 30000, 20080101, YMD_NONE,
		 YMD_NONE, 20080301, "pay/rural_dibao/2008-03"},
		{"starts on the 15th", ASSIST__SCHEME__SCHEME_URBAN_DIBAO, 52000, 20080315, YMD_NONE,
		 YMD_NONE, 20080301, NULL},
		{"enrollment ends on the 31st, benefit row still open",
		 ASSIST__SCHEME__SCHEME_URBAN_DIBAO, 52000, 20080101, YMD_NONE, 20080331, 20080401,
		 NULL},
		{"ended by death in May, June", ASSIST__SCHEME__SCHEME_URBAN_DIBAO, 52000, 20080101,
		 20080531, YMD_NONE, 20080601, NULL},
		{"ended by death in May, May", ASSIST__SCHEME__SCHEME_URBAN_DIBAO, 52000, 20080101,
		 20080531, YMD_NONE, 20080501, "pay/urban_dibao/2008-05"},
		{"not a periodic scheme", ASSIST__SCHEME__SCHEME_HUIMIN, 52000, 20080101, YMD_NONE,
		 YMD_NONE, 20080301, NULL},
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct person *p = recipient(cases[i].scheme, cases[i].monthly, cases[i].since,
					     cases[i].until, cases[i].end);
		struct decisions out = {0};
		const struct ledger_entry *le;

		print_message("%s\n", cases[i].what);
		assert_int_equal(payment_person(p, cases[i].first, &out), 0);
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
			assert_int_equal(le->amount, cases[i].monthly);
			assert_int_equal(le->requested, cases[i].monthly);
			assert_true(out.items[0].has_trace);
			assert_string_equal(out.items[0].trace.rule, "payment.monthly");
			/* Booked once: the same month again books nothing. */
			assert_true(decision_apply(&out.items[0]));
			decisions_clear(&out);
			assert_int_equal(payment_person(p, cases[i].first, &out), 0);
			assert_int_equal(out.n, 0);
		}
		decisions_free(&out);
		person_free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_month),
		cmocka_unit_test(test_due),
		cmocka_unit_test(test_person),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
