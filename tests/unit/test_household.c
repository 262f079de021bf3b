/* A household's facts through time (docs/policy.md "Validity"): the first
 * values known hold from the earliest date, a later change from its
 * effective_on, and the facts before it stay known for the days before it
 * (household_on), applied as assistd applies household events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "idnum.h"
#include "policytest.h"
#include "stored.h"
#include "worldtest.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_CHANGES 4
#define MAX_ASKS 6

static struct params *params;

static int group_setup(void **state)
{
	(void)state;
	return policytest_params(NULL, &params);
}

static int group_teardown(void **state)
{
	(void)state;
	params_free(params);
	return 0;
}

/* A household event for H1: members (0: not carried), income (-1: not
 * carried), effective_on ("" none). */
struct change {
	int32_t members;
	fen_t income;
	const char *from;
};

/* What household_on(H1, day) says. */
struct ask {
	ymd_t day;
	int32_t members;
	bool has_income;
	fen_t income;
};

static void send(struct worldtest *f, const struct change *c)
{
	Assist__HouseholdChange hc = ASSIST__HOUSEHOLD_CHANGE__INIT;
	Assist__Int64Value income = ASSIST__INT64_VALUE__INIT;
	Assist__Event ev = ASSIST__EVENT__INIT;
	struct verdict reject;

	hc.household_id = "H1";
	hc.members = c->members;
	if (c->income >= 0) {
		income.value = c->income;
		hc.monthly_income_fen = &income;
	}
	hc.effective_on = (char *)c->from;
	ev.kind = ASSIST__KIND__KIND_HOUSEHOLD;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_HOUSEHOLD;
	ev.household = &hc;
	assert_int_equal(worldtest_apply(f, &ev, &reject), 0);
}

/* A household event for H1 with its housing area alone. */
static void send_area(struct worldtest *f, double m2)
{
	Assist__HouseholdChange hc = ASSIST__HOUSEHOLD_CHANGE__INIT;
	Assist__DoubleValue area = ASSIST__DOUBLE_VALUE__INIT;
	Assist__Event ev = ASSIST__EVENT__INIT;
	struct verdict reject;

	hc.household_id = "H1";
	area.value = m2;
	hc.housing_area_m2 = &area;
	ev.kind = ASSIST__KIND__KIND_HOUSEHOLD;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_HOUSEHOLD;
	ev.household = &hc;
	assert_int_equal(worldtest_apply(f, &ev, &reject), 0);
}

static void check(const struct household *hh, const struct ask *a)
{
	struct household buf;
	const struct household *on = household_on(hh, a->day, &buf);

	print_message("  on %d: members %d, income %lld\n", (int)a->day, on->members,
		      (long long)on->monthly_income);
	assert_int_equal(on->members, a->members);
	assert_int_equal(on->has_income, a->has_income);
	if (a->has_income)
		assert_int_equal(on->monthly_income, a->income);
	assert_ptr_equal(on->m, hh->m); /* members borrowed, not copied */
}

static void test_facts_on_a_day(void **state)
{
	static const struct {
		const char *what;
		struct change changes[MAX_CHANGES];
		size_t n_changes;
		struct ask asks[MAX_ASKS];
		size_t n_asks;
		size_t n_past;
	} cases[] = {
		{"first values only: they hold from the earliest date",
		 {{3, 30000, "2008-05-01"}},
		 1,
		 {{20000101, 3, true, 30000}, {20080501, 3, true, 30000}},
		 2,
		 0},
		{"income 45000 from 2008-03-01: 30000 before",
		 {{3, 30000, ""}, {0, 45000, "2008-03-01"}},
		 2,
		 {{20080101, 3, true, 30000}, {20080229, 3, true, 30000}, {20080301, 3, true, 45000},
		  {20090101, 3, true, 45000}},
		 4,
		 1},
		{"two changes in order: each holds until the next",
		 {{3, 30000, ""}, {0, 45000, "2008-03-01"}, {4, -1, "2008-06-01"}},
		 3,
		 {{20080201, 3, true, 30000}, {20080401, 3, true, 45000}, {20080601, 4, true, 45000}},
		 3,
		 2},
		{"a change back-dated before the last: it holds from its day on",
		 {{3, 30000, ""}, {0, 45000, "2008-06-01"}, {0, 40000, "2008-03-01"}},
		 3,
		 {{20080201, 3, true, 30000}, {20080301, 3, true, 40000}, {20080701, 3, true, 40000}},
		 3,
		 1},
		{"a value known for the first time later was held all along",
		 {{3, -1, ""}, {4, -1, "2008-03-01"}, {0, 30000, "2008-09-01"}},
		 3,
		 {{20080101, 3, true, 30000}, {20080301, 4, true, 30000}},
		 2,
		 1},
		{"the same value again changes nothing",
		 {{3, 30000, ""}, {3, 30000, "2008-03-01"}},
		 2,
		 {{20080101, 3, true, 30000}},
		 1,
		 0},
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct worldtest f;
		struct household *hh, *back;
		uint8_t *data;
		size_t len;

		print_message("%s\n", cases[i].what);
		worldtest_init(&f, params, "civil_affairs");
		for (size_t j = 0; j < cases[i].n_changes; j++)
			send(&f, &cases[i].changes[j]);
		hh = strmap_get(&f.w.households, "H1");
		assert_non_null(hh);
		assert_int_equal(hh->n_past, cases[i].n_past);
		for (size_t j = 0; j < cases[i].n_asks; j++)
			check(hh, &cases[i].asks[j]);
		/* The stored form keeps the past: the same answers read back. */
		data = stored_pack_household(hh, &len);
		assert_non_null(data);
		back = stored_unpack_household(data, len);
		assert_non_null(back);
		assert_int_equal(back->n_past, hh->n_past);
		assert_int_equal(back->changed_from, hh->changed_from);
		for (size_t j = 0; j < cases[i].n_asks; j++)
			check(back, &cases[i].asks[j]);
		household_free(back);
		free(data);
		worldtest_free(&f);
	}
}

/* Person n's ID: a valid one, born 1980-01-01, sequence n. */
static void id_of(int n, char id[IDNUM_BUFLEN])
{
	snprintf(id, IDNUM_BUFLEN, "42070419800101%03d", n);
	id[17] = idnum_check_char(id);
	id[18] = '\0';
}

static void join(struct worldtest *f, int n, const char *household)
{
	Assist__PersonChange pc = ASSIST__PERSON_CHANGE__INIT;
	Assist__Event ev = ASSIST__EVENT__INIT;
	struct verdict reject;
	char id[IDNUM_BUFLEN];

	id_of(n, id);
	pc.id_number = id;
	pc.household_id = (char *)household;
	pc.hukou = ASSIST__HUKOU__HUKOU_URBAN;
	ev.kind = ASSIST__KIND__KIND_PERSON;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_PERSON;
	ev.person = &pc;
	assert_int_equal(worldtest_apply(f, &ev, &reject), 0);
}

/* Whose records an event changes: a member joining a household of a
 * declared size changes its own only; one joining a household counted by
 * its members changes every member's; a change of the household's facts
 * every member's. */
static void test_records_changed(void **state)
{
	static const struct {
		const char *what;
		int32_t declared; /* 0: the size is the members known */
		int joined;       /* members before the third */
		size_t changed;   /* records the third member's joining changes */
	} cases[] = {
		{"declared size: the newcomer's record alone", 3, 2, 1},
		{"counted size: every member's", 0, 2, 3},
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct worldtest f;
		struct change c = {cases[i].declared, 30000, ""};

		print_message("%s\n", cases[i].what);
		worldtest_init(&f, params, "civil_affairs");
		send(&f, &c);
		for (int n = 0; n < cases[i].joined; n++)
			join(&f, n, "H1");
		world_take_changes(&f.w);
		join(&f, cases[i].joined, "H1");
		assert_int_equal(f.w.n_changed_p, cases[i].changed);
		world_take_changes(&f.w);
		/* The housing area shows on every member's record. */
		send_area(&f, 41.5);
		assert_int_equal(f.w.n_changed_p, (size_t)cases[i].joined + 1);
		worldtest_free(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_facts_on_a_day),
		cmocka_unit_test(test_records_changed),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
