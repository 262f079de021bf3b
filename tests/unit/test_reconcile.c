/* Back-dated facts (docs/policy.md "Back-dated facts"): the months already
 * paid from a fact's date are computed again and the differences booked as
 * arrears or recovery, with POLICY's urban dibao figures (city standard
 * 18500: a household of 3 at income 30000 is paid 8500 a member). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/rules.h"
#include "policytest.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define URBAN ASSIST__SCHEME__SCHEME_URBAN_DIBAO

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

struct world {
	struct household *hh;
	struct person *p[3];
};

static void apply_all(struct decisions *d)
{
	for (size_t i = 0; i < d->n; i++)
		decision_apply(&d->items[i]);
	decisions_clear(d);
}

static void enroll(struct person *p, const char *start)
{
	struct policy_ctx ctx = {.params = params, .source = "civil_affairs", .major = 1};
	Assist__Event ev = ASSIST__EVENT__INIT;
	Assist__Enrollment e = ASSIST__ENROLLMENT__INIT;
	struct decisions out = {0};

	e.id_number = p->id;
	e.scheme = URBAN;
	e.start_date = (char *)start;
	ev.kind = ASSIST__KIND__KIND_ENROLLMENT;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_ENROLLMENT;
	ev.enrollment = &e;
	assert_int_equal(policy_event(&ctx, &ev, p, p->hh, &out), 0);
	apply_all(&out);
	decisions_free(&out);
}

/* A household of 3 in the city at income 30000, members enrolled from
 * January but for the last when late is set, paid January to March. */
static void world_init(struct world *w, bool late)
{
	struct decisions out = {0};

	w->hh = household_new("H1");
	assert_non_null(w->hh);
	w->hh->has_members = w->hh->has_income = true;
	w->hh->members = 3;
	w->hh->monthly_income = 30000;
	w->hh->area = ASSIST__AREA__AREA_CITY;
	for (int i = 0; i < 3; i++) {
		char id[IDNUM_BUFLEN];

		snprintf(id, sizeof(id), "42070419800101%03d1", i);
		assert_non_null(w->p[i] = person_new(id));
		w->p[i]->hukou = ASSIST__HUKOU__HUKOU_URBAN;
		assert_int_equal(household_link(w->hh, w->p[i]), 0);
	}
	for (int i = 0; i < 3; i++) {
		if (!(late && i == 2))
			enroll(w->p[i], "2008-01-01");
	}
	for (ymd_t m = 20080101; m <= 20080301; m += 100) {
		for (int i = 0; i < 3; i++)
			assert_int_equal(payment_person(params, w->p[i], m, &out), 0);
		apply_all(&out);
	}
	decisions_free(&out);
}

static void world_free(struct world *w)
{
	for (int i = 0; i < 3; i++)
		person_free(w->p[i]);
	household_free(w->hh);
}

enum change { INCOME, END_ENROLLMENT, DEATH, LATE_START };

struct want {
	int member;
	ymd_t month;
	fen_t amount;
};

static void change(struct world *w, enum change c, fen_t value, ymd_t from)
{
	switch (c) {
	case INCOME:
		w->hh->monthly_income = value;
		w->hh->changed_from = from;
		break;
	case END_ENROLLMENT:
		w->p[0]->enrollments[0].end = policy_day_before(from);
		break;
	case DEATH:
		w->p[0]->deceased_on = from;
		break;
	case LATE_START:
		enroll(w->p[2], "2008-02-01");
		break;
	}
}

/* The entry of out for member m and month, or NULL. */
static const struct decision *entry(const struct decisions *out, const struct person *m,
				    ymd_t month)
{
	for (size_t i = 0; i < out->n; i++) {
		const struct decision *d = &out->items[i];

		if (d->type == DEC_LEDGER && d->person == m && d->u.ledger.date == month)
			return d;
	}
	return NULL;
}

static void check_entry(const struct decision *d, fen_t amount, const char *why)
{
	const struct ledger_entry *le = &d->u.ledger;
	char day[YMD_BUFLEN], ref[64];

	snprintf(ref, sizeof(ref), "pay/urban_dibao/%.7s", ymd_format(le->date, day));
	assert_string_equal(le->ref, ref);
	assert_string_equal(le->period, ref + strlen(ref) - 7);
	assert_int_equal(le->amount, amount);
	assert_int_equal(le->kind, amount > 0 ? ASSIST__LEDGER_KIND__LEDGER_KIND_ARREARS :
						ASSIST__LEDGER_KIND__LEDGER_KIND_RECOVERY);
	assert_true(d->has_trace);
	assert_string_equal(d->trace.rule, amount > 0 ? "payment.arrears" : "payment.recovery");
	assert_non_null(strstr(d->trace.result, why));
}

/* policy_backdate() for a fact valid from from, explained by why. */
static int backdate(struct person *p, ymd_t from, const char *why, struct decisions *out)
{
	const struct policy_cause c = {.from = from, .why = why, .ps = params};

	return policy_backdate(p, &c, out);
}

static void test_reconcile(void **state)
{
	static const struct {
		const char *what;
		enum change change;
		fen_t value;
		ymd_t from;
		const char *why; /* what the result starts with */
		struct want want[8];
		size_t n;
	} cases[] = {
		{"income 45000 from 1 February: 3 x 18500 - 45000 = 10500, 3500 a member",
		 INCOME, 45000, 20080201, "household 3 x 18500 - 45000 = 10500; 3500 per member",
		 {{0, 20080201, -5000}, {0, 20080301, -5000}, {1, 20080201, -5000},
		  {1, 20080301, -5000}, {2, 20080201, -5000}, {2, 20080301, -5000}},
		 6},
		{"income 45000 from 1 March: February stays as paid", INCOME, 45000, 20080301,
		 "3500 per member, paid 8500",
		 {{0, 20080301, -5000}, {1, 20080301, -5000}, {2, 20080301, -5000}},
		 3},
		{"income 15000 from 1 February: 13500 a member, arrears", INCOME, 15000, 20080201,
		 "13500 per member",
		 {{0, 20080201, 5000}, {0, 20080301, 5000}, {1, 20080201, 5000},
		  {1, 20080301, 5000}, {2, 20080201, 5000}, {2, 20080301, 5000}},
		 6},
		{"income 60000 from 1 February: above the line 55500, nothing due", INCOME, 60000,
		 20080201, "not due (household income 60000 at or above 3 x 18500 = 55500), paid 8500",
		 {{0, 20080201, -8500}, {0, 20080301, -8500}, {1, 20080201, -8500},
		  {1, 20080301, -8500}, {2, 20080201, -8500}, {2, 20080301, -8500}},
		 6},
		{"enrollment ended on 15 February, sent late: March recovered", END_ENROLLMENT, 0,
		 20080216, "not due (enrollment ended on 2008-02-15), paid 8500", {{0, 20080301, -8500}}, 1},
		{"died on 10 February, registered late: paid for February, not March", DEATH, 0,
		 20080210, "deceased on 2008-02-10", {{0, 20080301, -8500}}, 1},
		{"enrollment started on 1 February after February and March were paid", LATE_START,
		 0, 20080201, "8500 per member", {{2, 20080201, 8500}, {2, 20080301, 8500}}, 2},
	};
	struct policy_ctx ctx = {.params = params, .source = "civil_affairs"};

	for (size_t i = 0; i < N(cases); i++) {
		struct decisions out = {0};
		struct world w;
		size_t n_ledger;

		print_message("%s\n", cases[i].what);
		world_init(&w, cases[i].change == LATE_START);
		change(&w, cases[i].change, cases[i].value, cases[i].from);
		assert_int_equal(policy_refresh(&ctx, w.p[0], 20080401, &out), 0);
		apply_all(&out);
		assert_int_equal(backdate(w.p[0], cases[i].from, "the fact", &out), 0);
		assert_int_equal(out.n, cases[i].n);
		for (size_t j = 0; j < cases[i].n; j++) {
			const struct want *x = &cases[i].want[j];
			const struct decision *d = entry(&out, w.p[x->member], x->month);

			assert_non_null(d);
			check_entry(d, x->amount, cases[i].why);
			assert_memory_equal(d->trace.result, d->u.ledger.ref, strlen(d->u.ledger.ref));
			assert_non_null(strstr(d->trace.result, ": the fact: "));
		}
		/* January, before every date here, is never booked again. */
		for (int m = 0; m < 3; m++)
			assert_null(entry(&out, w.p[m], 20080101));
		apply_all(&out);
		/* Reconciling again books nothing. */
		n_ledger = w.p[0]->n_ledger;
		assert_int_equal(backdate(w.p[0], cases[i].from, "the fact", &out), 0);
		assert_int_equal(out.n, 0);
		assert_int_equal(w.p[0]->n_ledger, n_ledger);
		decisions_free(&out);
		world_free(&w);
	}
}

/* A household whose income rose to 45000 from 2008-03-01 (March booked
 * again at 3500 a member), then the first member's enrollment ended on
 * 2008-01-20, sent late: its February and March are recovered whole, and the
 * others' February is computed with the income of February (30000, 8500 a
 * member, as paid), not with today's. */
static void test_months_before_household_change(void **state)
{
	struct household_past was;
	struct decisions out = {0};
	struct world w;

	world_init(&w, false);
	was = household_now(w.hh);
	assert_int_equal(household_supersede(w.hh, &was, 20080301), 0);
	w.hh->monthly_income = 45000;
	assert_int_equal(backdate(w.p[0], 20080301, "household income 45000 from 2008-03-01", &out),
			 0);
	assert_int_equal(out.n, 3);
	for (int m = 0; m < 3; m++)
		check_entry(entry(&out, w.p[m], 20080301), -5000, "3500 per member");
	apply_all(&out);

	w.p[0]->enrollments[0].end = 20080120;
	assert_int_equal(backdate(w.p[0], 20080121, "enrollment urban_dibao ended on 2008-01-20",
				  &out),
			 0);
	assert_int_equal(out.n, 2);
	check_entry(entry(&out, w.p[0], 20080201), -8500, "ended on 2008-01-20");
	check_entry(entry(&out, w.p[0], 20080301), -3500, "ended on 2008-01-20");
	decisions_free(&out);
	world_free(&w);
}

/* The first member moved into the household on 2008-03-01 (its February
 * was paid with another household): an income of 45000 from 2008-02-01
 * recomputes its March only, the others' February and March. */
static void test_not_before_a_move(void **state)
{
	struct decisions out = {0};
	struct world w;

	world_init(&w, false);
	w.p[0]->household_from = 20080301;
	w.hh->monthly_income = 45000;
	assert_int_equal(backdate(w.p[0], 20080201, "household income 45000 from 2008-02-01",
				  &out),
			 0);
	assert_int_equal(out.n, 5);
	assert_null(entry(&out, w.p[0], 20080201));
	check_entry(entry(&out, w.p[0], 20080301), -5000, "3500 per member");
	for (int m = 1; m < 3; m++) {
		check_entry(entry(&out, w.p[m], 20080201), -5000, "3500 per member");
		check_entry(entry(&out, w.p[m], 20080301), -5000, "3500 per member");
	}
	decisions_free(&out);
	world_free(&w);
}

/* A claim dated on or after a death registered later is reversed and
 * alerted; one dated before stands. */
static void test_claims_after_death(void **state)
{
	struct decisions out = {0};
	struct world w;
	struct decision *d;
	int reversals = 0, alerts = 0;

	world_init(&w, false);
	d = decisions_add(&out, DEC_LEDGER, w.p[0]);
	*d = (struct decision){.type = DEC_LEDGER, .person = w.p[0]};
	snprintf(d->u.ledger.ref, sizeof(d->u.ledger.ref), "B-before");
	d->u.ledger.scheme = ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE;
	d->u.ledger.date = 20080205;
	d->u.ledger.amount = 40000;
	d = decisions_add(&out, DEC_LEDGER, w.p[0]);
	*d = out.items[0];
	snprintf(d->u.ledger.ref, sizeof(d->u.ledger.ref), "B-after");
	d->u.ledger.date = 20080220;
	d->u.ledger.amount = 30000;
	d = decisions_add(&out, DEC_LEDGER, w.p[0]);
	*d = out.items[0];
	snprintf(d->u.ledger.ref, sizeof(d->u.ledger.ref), "B-on-the-day");
	d->u.ledger.date = 20080210;
	d->u.ledger.amount = 20000;
	apply_all(&out);
	w.p[0]->deceased_on = 20080210;
	assert_int_equal(backdate(w.p[0], 20080210, "deceased on 2008-02-10", &out), 0);
	for (size_t i = 0; i < out.n; i++) {
		const struct decision *x = &out.items[i];

		if (x->type == DEC_ALERT) {
			assert_string_equal(x->u.alert.code, "deceased_recipient");
			assert_string_not_equal(x->u.alert.ref, "B-before");
			alerts++;
		} else if (x->u.ledger.kind == ASSIST__LEDGER_KIND__LEDGER_KIND_REVERSAL) {
			bool after = strcmp(x->u.ledger.ref, "B-after") == 0;

			assert_true(after || strcmp(x->u.ledger.ref, "B-on-the-day") == 0);
			assert_int_equal(x->u.ledger.amount, after ? -30000 : -20000);
			reversals++;
		}
	}
	assert_int_equal(alerts, 2);
	assert_int_equal(reversals, 2);
	apply_all(&out);
	assert_int_equal(backdate(w.p[0], 20080210, "deceased on 2008-02-10", &out), 0);
	assert_int_equal(out.n, 0);
	decisions_free(&out);
	world_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reconcile),
		cmocka_unit_test(test_months_before_household_change),
		cmocka_unit_test(test_not_before_a_move),
		cmocka_unit_test(test_claims_after_death),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
