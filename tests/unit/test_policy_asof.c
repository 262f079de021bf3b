/* Benefits and entitlements as of a date (docs/policy.md "Validity"):
 * tables of dated facts, the rules refreshed on the day the last fact was
 * applied, then the record's view read on several dates. */
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

#define C(x) ASSIST__CATEGORY__CATEGORY_##x

static ymd_t day(const char *s)
{
	ymd_t d = YMD_NONE;

	if (s != NULL)
		assert_int_equal(ymd_parse(s, &d), 0);
	return d;
}

/* The facts of one case: an urban dibao household of one (income 0, the
 * city's standard 18,500 a month) enrolled from 2008-01-01, and what
 * happened later. */
struct facts {
	const char *end_date;      /* the enrollment's end_date */
	const char *deceased_on;
	const char *hukou_rural_from; /* the hukou became rural from this day */
	const char *income_from;   /* income 100,000 a month from this day */
	const char *lower_income_from; /* income 10,000 a month from this day (0 before) */
	int category;              /* a civil-affairs category held... */
	const char *category_since;
	const char *category_until; /* ...and ended after this day */
	bool enrolled;
	const char *applied_on;    /* the day the rules ran after the last fact */
};

/* What the record shows as of one date. */
struct view {
	const char *as_of;
	bool has_row;         /* the urban dibao row is shown */
	bool active;
	const char *until;    /* NULL: none known */
	/* huimin, utilities, education, legal_aid */
	bool huimin, utilities, education, legal_aid;
	fen_t monthly; /* the row's amount that day */
};

#define MAX_VIEWS 4

struct asof_case {
	const char *name;
	struct facts f;
	struct view v[MAX_VIEWS];
};

static const struct asof_case cases[] = {
	{"enrollment 2008-01-01..2008-03-31",
	 {.end_date = "2008-03-31", .enrolled = true, .applied_on = "2008-01-01"},
	 {{"2008-02-15", true, true, "2008-03-31", 1, 1, 1, 1, 18500},
	  {"2008-03-31", true, true, "2008-03-31", 1, 1, 1, 1, 18500},
	  {"2008-04-01", true, false, "2008-03-31", 0, 0, 0, 0, 18500}}},
	{"open enrollment",
	 {.enrolled = true, .applied_on = "2008-01-01"},
	 {{"2008-02-15", true, true, NULL, 1, 1, 1, 1, 18500},
	  {"2026-12-02", true, true, NULL, 1, 1, 1, 1, 18500}}},
	{"death mid-month: until the month's end",
	 {.deceased_on = "2008-05-10", .enrolled = true, .applied_on = "2008-05-10"},
	 {{"2008-05-09", true, true, "2008-05-31", 1, 1, 1, 1, 18500},
	  {"2008-05-20", true, true, "2008-05-31", 1, 1, 1, 1, 18500},
	  {"2008-06-01", true, false, "2008-05-31", 0, 0, 0, 0, 18500}}},
	{"hukou changed to rural from 2008-07-01",
	 {.hukou_rural_from = "2008-07-01", .enrolled = true, .applied_on = "2008-07-01"},
	 {{"2008-06-30", true, true, "2008-06-30", 1, 1, 1, 1, 18500},
	  {"2008-07-01", true, false, "2008-06-30", 0, 0, 0, 0, 18500}}},
	{"income at the line from 2008-09-01",
	 {.income_from = "2008-09-01", .enrolled = true, .applied_on = "2008-09-01"},
	 {{"2008-08-31", true, true, "2008-08-31", 1, 1, 1, 1, 18500},
	  {"2008-09-01", true, false, "2008-08-31", 0, 0, 0, 0, 18500}}},
	{"income 10,000 from 2008-05-01: each day its own amount",
	 {.lower_income_from = "2008-05-01", .enrolled = true, .applied_on = "2008-05-01"},
	 {{"2008-04-30", true, true, NULL, 1, 1, 1, 1, 18500},
	  {"2008-05-01", true, true, NULL, 1, 1, 1, 1, 8500},
	  {"2009-01-01", true, true, NULL, 1, 1, 1, 1, 8500}}},
	{"legal aid through a civil-affairs category after the dibao ended",
	 {.end_date = "2008-03-31", .category = C(DISABLED), .enrolled = true,
	  .applied_on = "2008-01-01"},
	 {{"2008-04-01", true, false, "2008-03-31", 0, 0, 0, 1, 18500}}},
	{"a status ended: three noes 2008-02-01..2008-12-31, no dibao",
	 {.category = C(THREE_NOES), .category_since = "2008-02-01",
	  .category_until = "2008-12-31", .applied_on = "2009-01-01"},
	 {{"2008-01-31", false, false, NULL, 0, 0, 0, 0, 18500},
	  {"2008-06-01", false, false, NULL, 0, 0, 0, 1, 18500},
	  {"2009-01-01", false, false, NULL, 0, 0, 0, 0, 18500}}},
};

static struct person *make_person(const struct facts *f, struct household *hh)
{
	struct person *p = person_new("420704198001010011");
	struct enrollment *e;

	assert_non_null(p);
	p->hukou = ASSIST__HUKOU__HUKOU_URBAN;
	p->area = ASSIST__AREA__AREA_CITY;
	assert_int_equal(household_link(hh, p), 0);
	if (f->enrolled) {
		e = vec_grow((void **)&p->enrollments, &p->n_enrollments, &p->cap_enrollments,
			     sizeof(*e));
		assert_non_null(e);
		memset(e, 0, sizeof(*e));
		e->scheme = ASSIST__SCHEME__SCHEME_URBAN_DIBAO;
		e->start = day("2008-01-01");
		e->end = day(f->end_date);
		e->granted = true;
	}
	if (f->category != 0) {
		person_category(p, f->category)->active = f->category_until == NULL;
		person_category(p, f->category)->since = day(f->category_since);
		person_category(p, f->category)->until = day(f->category_until);
	}
	p->deceased_on = day(f->deceased_on);
	return p;
}

/* Run the rules on day, applying what they decide. */
static void refresh(struct person *p, const char *on)
{
	struct policy_ctx ctx = {.params = params, .source = "test"};
	struct decisions out = {0};

	assert_int_equal(policy_refresh(&ctx, p, day(on), &out), 0);
	for (size_t i = 0; i < out.n; i++)
		decision_apply(&out.items[i]);
	decisions_free(&out);
}

/* The facts that came after the enrollment: applied, then the rules again. */
static void later_facts(const struct facts *f, struct person *p, struct household *hh)
{
	if (f->hukou_rural_from != NULL) {
		p->hukou = ASSIST__HUKOU__HUKOU_RURAL;
		p->hukou_from = day(f->hukou_rural_from);
	}
	if (f->income_from != NULL) {
		hh->monthly_income = 100000;
		hh->changed_from = day(f->income_from);
	}
	if (f->lower_income_from != NULL) {
		struct household_past was = household_now(hh);

		assert_int_equal(household_supersede(hh, &was, day(f->lower_income_from)), 0);
		hh->monthly_income = 10000;
	}
	if (f->hukou_rural_from != NULL || f->income_from != NULL || f->deceased_on != NULL ||
	    f->lower_income_from != NULL)
		refresh(p, f->applied_on);
}

static bool eligible(const struct entitlement *e, int n, Assist__Scheme s)
{
	for (int i = 0; i < n; i++) {
		if (e[i].scheme == s)
			return e[i].eligible;
	}
	fail_msg("no entitlement %d", (int)s);
	return false;
}

static void check_view(const struct person *p, const struct view *v)
{
	struct benefit b[4];
	struct entitlement e[POLICY_MAX_ENTITLEMENTS];
	size_t nb;
	int ne;

	print_message("  as of %s\n", v->as_of);
	assert_true(p->n_benefits <= 4);
	nb = policy_benefits_as_of(params, p, day(v->as_of), b);
	assert_int_equal(nb, v->has_row ? 1 : 0);
	if (v->has_row) {
		assert_int_equal(b[0].scheme, ASSIST__SCHEME__SCHEME_URBAN_DIBAO);
		assert_int_equal(b[0].active, v->active);
		assert_int_equal(b[0].until, day(v->until));
		assert_int_equal(b[0].since, day("2008-01-01"));
		assert_int_equal(b[0].monthly, v->monthly);
	}
	ne = policy_entitlements_as_of(params, p, day(v->as_of), e);
	assert_int_equal(ne, 7);
	assert_int_equal(eligible(e, ne, ASSIST__SCHEME__SCHEME_HUIMIN), v->huimin);
	assert_int_equal(eligible(e, ne, ASSIST__SCHEME__SCHEME_UTILITIES), v->utilities);
	assert_int_equal(eligible(e, ne, ASSIST__SCHEME__SCHEME_EDUCATION), v->education);
	assert_int_equal(eligible(e, ne, ASSIST__SCHEME__SCHEME_LEGAL_AID), v->legal_aid);
}

static void test_cases(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct asof_case *c = &cases[i];
		struct household *hh = household_new("H1");
		struct person *p;
		uint64_t version;

		print_message("case %zu: %s\n", i, c->name);
		assert_non_null(hh);
		hh->has_members = true;
		hh->members = 1;
		hh->has_income = true;
		hh->area = ASSIST__AREA__AREA_CITY;
		p = make_person(&c->f, hh);
		refresh(p, c->f.enrolled ? "2008-01-01" : c->f.applied_on);
		later_facts(&c->f, p, hh);
		version = p->version;
		for (int k = 0; k < MAX_VIEWS && c->v[k].as_of != NULL; k++)
			check_view(p, &c->v[k]);
		/* The view changes nothing. */
		assert_int_equal(p->version, version);
		person_free(p);
		household_free(hh);
	}
}

/* A benefit ended by income shows why, as of a date after; as of a date
 * before, it is active and says when it ends. */
static void test_reasons(void **state)
{
	const struct facts f = {.income_from = "2008-09-01", .enrolled = true,
				.applied_on = "2008-09-01"};
	struct household *hh = household_new("H1");
	struct person *p;
	struct benefit b[1];

	assert_non_null(hh);
	hh->has_members = true;
	hh->members = 1;
	hh->has_income = true;
	hh->area = ASSIST__AREA__AREA_CITY;
	p = make_person(&f, hh);
	refresh(p, "2008-01-01");
	later_facts(&f, p, hh);
	assert_int_equal(policy_benefits_as_of(params, p, day("2008-09-01"), b), 1);
	assert_string_equal(b[0].reason, "household income 100000 at or above 1 x 18500 = 18500");
	assert_int_equal(policy_benefits_as_of(params, p, day("2008-08-01"), b), 1);
	assert_string_equal(b[0].reason, "active through 2008-08-31, then ended: household income "
					 "100000 at or above 1 x 18500 = 18500");
	person_free(p);
	household_free(hh);

	const struct facts g = {.end_date = "2008-03-31", .enrolled = true, .applied_on = "2008-01-01"};
	hh = household_new("H1");
	assert_non_null(hh);
	hh->has_income = true;
	p = make_person(&g, hh);
	refresh(p, "2008-01-01");
	assert_int_equal(policy_benefits_as_of(params, p, day("2008-04-01"), b), 1);
	assert_string_equal(b[0].reason, "enrollment ended on 2008-03-31");
	person_free(p);
	household_free(hh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_reasons),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
