/* Derived entitlements (docs/policy.md "Derived entitlements"
 * and cross-scheme rules 7 and 9): each one on and off, the
 * twelve-month boundary, death. */
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

/* Every policy file: entitlements follow the dibao rules too. */
static int group_setup(void **state)
{
	return policytest_params(NULL, &params);
}

static int group_teardown(void **state)
{
	params_free(params);
	return 0;
}

static ymd_t day(const char *s)
{
	ymd_t d = YMD_NONE;

	assert_int_equal(ymd_parse(s, &d), 0);
	return d;
}

static int apply_all(const struct decisions *d)
{
	int changed = 0;

	for (size_t i = 0; i < d->n; i++)
		changed += decision_apply(&d->items[i]);
	return changed;
}

static void enroll(struct person *p, Assist__Scheme scheme, const char *class_, const char *start)
{
	struct policy_ctx ctx = {.params = params, .source = "civil_affairs"};
	Assist__Event ev = ASSIST__EVENT__INIT;
	Assist__Enrollment e = ASSIST__ENROLLMENT__INIT;
	struct decisions out = {0};

	e.scheme = scheme;
	e.class_ = (char *)class_;
	e.start_date = (char *)start;
	ev.kind = ASSIST__KIND__KIND_ENROLLMENT;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_ENROLLMENT;
	ev.enrollment = &e;
	assert_int_equal(policy_event(&ctx, &ev, p, p->hh, &out), 0);
	apply_all(&out);
	decisions_free(&out);
}

/* policy_refresh as of date, applied; the number of persons it changed. */
static int refresh(struct person *p, const char *date)
{
	struct policy_ctx ctx = {.params = params, .source = "civil_affairs"};
	struct decisions out = {0};
	int changed;

	assert_int_equal(policy_refresh(&ctx, p, day(date), &out), 0);
	changed = apply_all(&out);
	decisions_free(&out);
	return changed;
}

static const struct entitlement *ent(const struct person *p, Assist__Scheme s)
{
	for (size_t i = 0; i < p->n_entitlements; i++) {
		if (p->entitlements[i].scheme == s)
			return &p->entitlements[i];
	}
	fail_msg("no entitlement %d", (int)s);
	return NULL;
}

enum dibao_kind { NONE, URBAN_SELF, URBAN_OTHER, RURAL_SELF, RURAL_OTHER };

#define MAX_CATS 3

struct ent_case {
	const char *name;
	enum dibao_kind dibao;
	int cats[MAX_CATS];  /* the person's categories (0 ends) */
	int other_cat;       /* a category of the other household member */
	const char *unemployed_since;
	int months;          /* registered_unemployed months, 0: not sent */
	/* huimin, utilities, education, public_welfare_post, ncms, central_support, legal_aid */
	bool expect[7];
};

static const Assist__Scheme order[7] = {
	ASSIST__SCHEME__SCHEME_HUIMIN,		    ASSIST__SCHEME__SCHEME_UTILITIES,
	ASSIST__SCHEME__SCHEME_EDUCATION,	    ASSIST__SCHEME__SCHEME_PUBLIC_WELFARE_POST,
	ASSIST__SCHEME__SCHEME_NCMS,		    ASSIST__SCHEME__SCHEME_CENTRAL_SUPPORT,
	ASSIST__SCHEME__SCHEME_LEGAL_AID,
};

#define C(x) ASSIST__CATEGORY__CATEGORY_##x

/* Every case is judged on 2010-03-01. */
static const struct ent_case cases[] = {
	{"nothing", NONE, {0}, 0, NULL, 0, {0, 0, 0, 0, 0, 0, 0}},
	{"urban dibao", URBAN_SELF, {0}, 0, NULL, 0, {1, 1, 1, 0, 0, 0, 1}},
	{"urban dibao, workers' insurance", URBAN_SELF, {C(WORKER_INSURANCE)}, 0, NULL, 0,
	 {0, 1, 1, 0, 0, 0, 1}},
	{"urban dibao household", URBAN_OTHER, {0}, 0, NULL, 0, {1, 1, 1, 0, 0, 0, 1}},
	{"rural dibao", RURAL_SELF, {0}, 0, NULL, 0, {0, 0, 1, 0, 1, 0, 1}},
	{"rural dibao household", RURAL_OTHER, {0}, 0, NULL, 0, {0, 0, 1, 0, 1, 0, 1}},
	{"orphan", NONE, {C(ORPHAN)}, 0, NULL, 0, {0, 0, 1, 0, 0, 0, 1}},
	{"five guarantees", NONE, {C(FIVE_GUARANTEE)}, 0, NULL, 0, {0, 0, 1, 0, 1, 0, 1}},
	/* Legal aid: anyone holding an entitlement of any scheme (docs/policy.md). */
	{"poor student", NONE, {C(POOR_STUDENT)}, 0, NULL, 0, {0, 0, 1, 0, 0, 0, 1}},
	{"4050", NONE, {C(4050)}, 0, NULL, 0, {0, 0, 0, 1, 0, 0, 1}},
	{"zero-employment family", NONE, {C(ZERO_EMPLOYMENT_FAMILY)}, 0, NULL, 0,
	 {0, 0, 0, 1, 0, 0, 1}},
	{"zero-employment family member", NONE, {0}, C(ZERO_EMPLOYMENT_FAMILY), NULL, 0,
	 {0, 0, 0, 1, 0, 0, 1}},
	{"three noes", NONE, {C(THREE_NOES)}, 0, NULL, 0, {0, 0, 0, 0, 0, 1, 1}},
	/* central_support is the three-noes member's only */
	{"three noes in household", NONE, {0}, C(THREE_NOES), NULL, 0, {0, 0, 0, 0, 0, 0, 0}},
	{"entitled group", NONE, {C(ENTITLED_GROUP)}, 0, NULL, 0, {0, 0, 0, 0, 0, 0, 1}},
	{"marginal", NONE, {C(MARGINAL)}, 0, NULL, 0, {0, 0, 0, 0, 0, 0, 1}},
	{"vagrant", NONE, {C(VAGRANT)}, 0, NULL, 0, {0, 0, 0, 0, 0, 0, 1}},
	{"disabled", NONE, {C(DISABLED)}, 0, NULL, 0, {0, 0, 0, 0, 0, 0, 1}},
	{"urban_dibao category", NONE, {C(URBAN_DIBAO)}, 0, NULL, 0, {0, 0, 0, 0, 0, 0, 1}},
	{"workers' insurance only", NONE, {C(WORKER_INSURANCE)}, 0, NULL, 0, {0}},
	/* public-welfare post: urban dibao and unemployed over 12 months */
	{"unemployed since 12 months", URBAN_SELF, {C(REGISTERED_UNEMPLOYED)}, 0, "2009-03-01", 0,
	 {1, 1, 1, 1, 0, 0, 1}},
	{"unemployed 12 months less a day", URBAN_SELF, {C(REGISTERED_UNEMPLOYED)}, 0,
	 "2009-03-02", 0, {1, 1, 1, 0, 0, 0, 1}},
	{"unemployed 13 months reported", URBAN_SELF, {C(REGISTERED_UNEMPLOYED)}, 0, NULL, 13,
	 {1, 1, 1, 1, 0, 0, 1}},
	{"unemployed 12 months reported", URBAN_SELF, {C(REGISTERED_UNEMPLOYED)}, 0, NULL, 12,
	 {1, 1, 1, 0, 0, 0, 1}},
	{"unemployed long, not dibao", NONE, {C(REGISTERED_UNEMPLOYED)}, 0, "2005-01-01", 60,
	 {0, 0, 0, 0, 0, 0, 0}},
	{"unemployed long, rural dibao", RURAL_SELF, {C(REGISTERED_UNEMPLOYED)}, 0, "2005-01-01",
	 60, {0, 0, 1, 0, 1, 0, 1}},
};

/* The household of case c: p (the person judged) and o (another member). */
static struct household *make_case(const struct ent_case *c, struct person **pp,
				   struct person **op)
{
	bool rural = c->dibao == RURAL_SELF || c->dibao == RURAL_OTHER;
	Assist__Hukou hukou = rural ? ASSIST__HUKOU__HUKOU_RURAL : ASSIST__HUKOU__HUKOU_URBAN;
	Assist__Scheme scheme = rural ? ASSIST__SCHEME__SCHEME_RURAL_DIBAO :
					ASSIST__SCHEME__SCHEME_URBAN_DIBAO;
	struct household *hh = household_new("H1");
	struct person *p = person_new("420704198001010011");
	struct person *o = person_new("420704198001010021");

	assert_non_null(hh);
	hh->has_members = true;
	hh->members = 2;
	hh->has_income = true;
	hh->area = ASSIST__AREA__AREA_CITY;
	p->hukou = o->hukou = hukou;
	assert_int_equal(household_link(hh, p), 0);
	assert_int_equal(household_link(hh, o), 0);
	for (int k = 0; k < MAX_CATS && c->cats[k] != 0; k++)
		person_category(p, c->cats[k])->active = true;
	if (c->other_cat != 0)
		person_category(o, c->other_cat)->active = true;
	if (c->unemployed_since != NULL)
		person_category(p, C(REGISTERED_UNEMPLOYED))->since = day(c->unemployed_since);
	person_category(p, C(REGISTERED_UNEMPLOYED))->months = c->months;
	if (c->dibao == URBAN_SELF || c->dibao == RURAL_SELF)
		enroll(p, scheme, rural ? "I" : "", "2009-01-01");
	else if (c->dibao != NONE)
		enroll(o, scheme, rural ? "I" : "", "2009-01-01");
	*pp = p;
	*op = o;
	return hh;
}

static void test_each_entitlement(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ent_case *c = &cases[i];
		struct person *p, *o;
		struct household *hh;

		print_message("case %zu: %s\n", i, c->name);
		hh = make_case(c, &p, &o);
		assert_true(refresh(p, "2010-03-01") >= 1);
		assert_int_equal(p->n_entitlements, 7);
		assert_int_equal(o->n_entitlements, 7);
		for (int k = 0; k < 7; k++) {
			const struct entitlement *e = &p->entitlements[k];

			assert_int_equal(e->scheme, order[k]);
			assert_int_equal(e->eligible, c->expect[k]);
			assert_true(e->reason[0] != '\0');
		}
		/* Nothing changed: the second refresh changes nobody. */
		assert_int_equal(refresh(p, "2010-03-01"), 0);
		person_free(p);
		person_free(o);
		household_free(hh);
	}
}

static void test_utilities_reason(void **state)
{
	struct person *p = person_new("420704198001010011");

	p->hukou = ASSIST__HUKOU__HUKOU_URBAN;
	enroll(p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO, "", "2009-01-01");
	refresh(p, "2009-02-01");
	assert_true(ent(p, ASSIST__SCHEME__SCHEME_UTILITIES)->eligible);
	assert_string_equal(ent(p, ASSIST__SCHEME__SCHEME_UTILITIES)->reason,
			    "urban dibao household: water 100 fen a month, 2 m3 gas, "
			    "50 kWh without surcharge");
	assert_string_equal(ent(p, ASSIST__SCHEME__SCHEME_NCMS)->reason,
			    "not in rural dibao or five guarantees");
	person_free(p);
}

/* Legal aid names the dibao held; as of a date before the enrollment's
 * start nothing is held yet (docs/policy.md "Validity"). */
static void test_legal_aid_names_the_benefit_held(void **state)
{
	struct person *p = person_new("420702196001010014");

	p->hukou = ASSIST__HUKOU__HUKOU_RURAL;
	enroll(p, ASSIST__SCHEME__SCHEME_RURAL_DIBAO, "I", "2026-03-27");
	refresh(p, "2026-04-01");
	assert_string_equal(ent(p, ASSIST__SCHEME__SCHEME_LEGAL_AID)->reason,
			    "assistance recipient: rural dibao");
	refresh(p, "2025-01-01");
	assert_false(ent(p, ASSIST__SCHEME__SCHEME_LEGAL_AID)->eligible);
	assert_string_equal(ent(p, ASSIST__SCHEME__SCHEME_LEGAL_AID)->reason,
			    "not an assistance recipient");
	person_free(p);
}

static const struct ent_case *case_named(const char *name)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (strcmp(cases[i].name, name) == 0)
			return &cases[i];
	}
	fail_msg("no case %s", name);
	return NULL;
}

/* The figures an entitlement states: the premiums the medical assistance
 * fund pays (3.3, [local] defaults) and the public-welfare post subsidy
 * (6: 50% of the [local] minimum wage). */
static void test_figure_reasons(void **state)
{
	static const struct {
		const char *ent_case;
		Assist__Scheme scheme;
		const char *reason;
	} reasons[] = {
		{"urban dibao", ASSIST__SCHEME__SCHEME_HUIMIN,
		 "urban dibao, not in workers' basic medical insurance; premium 5000 fen a year "
		 "paid by the medical assistance fund"},
		{"urban dibao household", ASSIST__SCHEME__SCHEME_HUIMIN,
		 "urban dibao, not in workers' basic medical insurance; premium 5000 fen a year "
		 "paid by the medical assistance fund"},
		{"urban dibao, workers' insurance", ASSIST__SCHEME__SCHEME_HUIMIN,
		 "urban dibao, but in workers' basic medical insurance"},
		{"rural dibao", ASSIST__SCHEME__SCHEME_NCMS,
		 "ncms premium paid: rural dibao; 3000 fen a year by the medical assistance fund"},
		{"rural dibao household", ASSIST__SCHEME__SCHEME_NCMS,
		 "ncms premium paid: rural dibao; 3000 fen a year by the medical assistance fund"},
		{"five guarantees", ASSIST__SCHEME__SCHEME_NCMS,
		 "ncms premium paid: five guarantees; 3000 fen a year by the medical assistance "
		 "fund"},
		{"orphan", ASSIST__SCHEME__SCHEME_NCMS, "not in rural dibao or five guarantees"},
		{"4050", ASSIST__SCHEME__SCHEME_PUBLIC_WELFARE_POST,
		 "4050 card holder; post subsidy at least 45000 fen a month (minimum wage 90000 x "
		 "5000 bp)"},
		{"zero-employment family member", ASSIST__SCHEME__SCHEME_PUBLIC_WELFARE_POST,
		 "zero-employment family; post subsidy at least 45000 fen a month (minimum wage "
		 "90000 x 5000 bp)"},
		{"unemployed 13 months reported", ASSIST__SCHEME__SCHEME_PUBLIC_WELFARE_POST,
		 "urban dibao, registered unemployed over 12 months; post subsidy at least 45000 "
		 "fen a month (minimum wage 90000 x 5000 bp)"},
		{"unemployed 12 months reported", ASSIST__SCHEME__SCHEME_PUBLIC_WELFARE_POST,
		 "not 4050, zero-employment family or urban dibao unemployed over 12 months"},
	};
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		struct person *p, *o;
		struct household *hh = make_case(case_named(reasons[i].ent_case), &p, &o);

		print_message("case %zu: %s\n", i, reasons[i].ent_case);
		assert_true(refresh(p, "2010-03-01") >= 1);
		assert_string_equal(ent(p, reasons[i].scheme)->reason, reasons[i].reason);
		person_free(p);
		person_free(o);
		household_free(hh);
	}
}

/* The subsidy is the minimum wage times the rate, rounded half up, with the
 * values in force on the day. */
static void test_post_subsidy_dated(void **state)
{
	static const char yaml[] =
		"entitlements.public_welfare_post.minimum_wage:\n"
		"  unit: fen\n  clause: x\n  local_default: true\n"
		"  values:\n    2008-01-01: 90000\n    2010-01-01: 90001\n"
		"entitlements.public_welfare_post.subsidy_rate:\n"
		"  unit: bp\n  clause: x\n  values:\n    2008-01-01: 5000\n"
		"entitlements.public_welfare_post.unemployed_months:\n"
		"  unit: months\n  clause: x\n  values:\n    2008-01-01: 12\n";
	static const struct {
		const char *date, *reason;
	} days[] = {
		{"2009-12-31", "4050 card holder; post subsidy at least 45000 fen a month "
			       "(minimum wage 90000 x 5000 bp)"},
		{"2010-01-01", "4050 card holder; post subsidy at least 45001 fen a month "
			       "(minimum wage 90001 x 5000 bp)"},
	};
	struct params *ps = NULL;
	struct person *p = person_new("420704198001010011");
	char err[256] = "";

	assert_int_equal(params_load_string(yaml, "t.yaml", &ps, err, sizeof(err)), 0);
	person_category(p, C(4050))->active = true;
	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		struct policy_ctx ctx = {.params = ps, .source = "labor"};
		struct decisions out = {0};
		const struct decision *d;

		assert_int_equal(entitlements_refresh(&ctx, p, day(days[i].date), &out), 0);
		assert_int_equal(out.n, 1);
		d = &out.items[0];
		assert_int_equal(d->u.entitlements.items[3].scheme,
				 ASSIST__SCHEME__SCHEME_PUBLIC_WELFARE_POST);
		assert_string_equal(d->u.entitlements.items[3].reason, days[i].reason);
		decisions_free(&out);
	}
	person_free(p);
	params_free(ps);
}

/* Urban dibao eligibility follows the enrollment's dates (rule 9). */
static void test_enrollment_end(void **state)
{
	struct person *p = person_new("420704198001010011");
	struct policy_ctx ctx = {.params = params, .source = "civil_affairs"};
	Assist__Event ev = ASSIST__EVENT__INIT;
	Assist__Enrollment e = ASSIST__ENROLLMENT__INIT;
	struct decisions out = {0};

	p->hukou = ASSIST__HUKOU__HUKOU_URBAN;
	e.scheme = ASSIST__SCHEME__SCHEME_URBAN_DIBAO;
	e.start_date = "2009-01-01";
	e.end_date = "2009-12-31";
	ev.kind = ASSIST__KIND__KIND_ENROLLMENT;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_ENROLLMENT;
	ev.enrollment = &e;
	assert_int_equal(policy_event(&ctx, &ev, p, NULL, &out), 0);
	apply_all(&out);
	decisions_free(&out);
	refresh(p, "2009-12-31");
	assert_true(ent(p, ASSIST__SCHEME__SCHEME_HUIMIN)->eligible);
	refresh(p, "2010-01-01");
	assert_false(ent(p, ASSIST__SCHEME__SCHEME_HUIMIN)->eligible);
	assert_false(ent(p, ASSIST__SCHEME__SCHEME_UTILITIES)->eligible);
	assert_false(person_benefit(p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO)->active);
	person_free(p);
}

static void test_death(void **state)
{
	struct household *hh = household_new("H1");
	struct person *p = person_new("420704198001010011");
	struct person *o = person_new("420704198001010021");

	p->hukou = o->hukou = ASSIST__HUKOU__HUKOU_URBAN;
	assert_int_equal(household_link(hh, p), 0);
	assert_int_equal(household_link(hh, o), 0);
	person_category(p, C(THREE_NOES))->active = true;
	enroll(p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO, "", "2009-01-01");
	refresh(p, "2009-02-01");
	assert_true(ent(p, ASSIST__SCHEME__SCHEME_HUIMIN)->eligible);
	assert_true(ent(o, ASSIST__SCHEME__SCHEME_HUIMIN)->eligible);

	p->deceased_on = day("2009-03-14");
	/* p's benefit row ends with the month of death; what derives from it
	 * holds through that month too. */
	assert_int_equal(refresh(o, "2009-03-20"), 1);
	assert_int_equal(person_benefit(p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO)->until, 20090331);
	assert_true(ent(p, ASSIST__SCHEME__SCHEME_HUIMIN)->eligible);
	assert_true(ent(o, ASSIST__SCHEME__SCHEME_HUIMIN)->eligible);
	/* p's entitlements and o's, from the month after */
	assert_int_equal(refresh(o, "2009-04-01"), 2);
	assert_int_equal(p->n_entitlements, 7);
	for (size_t i = 0; i < p->n_entitlements; i++) {
		assert_false(p->entitlements[i].eligible);
		assert_string_equal(p->entitlements[i].reason, "deceased on 2009-03-14");
	}
	/* The household's dibao was p's: gone for o after the month of death. */
	assert_false(ent(o, ASSIST__SCHEME__SCHEME_HUIMIN)->eligible);
	assert_false(ent(o, ASSIST__SCHEME__SCHEME_UTILITIES)->eligible);
	assert_false(ent(o, ASSIST__SCHEME__SCHEME_CENTRAL_SUPPORT)->eligible);
	/* On the day of death p still counted. */
	refresh(o, "2009-03-14");
	assert_true(ent(o, ASSIST__SCHEME__SCHEME_HUIMIN)->eligible);
	/* central_support is the three-noes member's own */
	assert_false(ent(o, ASSIST__SCHEME__SCHEME_CENTRAL_SUPPORT)->eligible);
	person_free(p);
	person_free(o);
	household_free(hh);
}

static void test_param_names_exist(void **state)
{
	struct param_value pv;
	size_t n = policytest_names_in_force(params, entitlements_param_names, 20080101);
	assert_int_equal(n, 8);
	/* The figures the text leaves to local measures are labelled defaults. */
	assert_int_equal(params_get(params, "entitlements.public_welfare_post.minimum_wage",
				    20080101, &pv), 0);
	assert_true(pv.local_default);
	assert_int_equal(params_get(params, "entitlements.public_welfare_post.subsidy_rate",
				    20080101, &pv), 0);
	assert_false(pv.local_default);
	assert_int_equal(params_get(params, "entitlements.huimin.premium", 20080101, &pv), 0);
	assert_true(pv.local_default);
	assert_int_equal(params_get(params, "entitlements.ncms.premium", 20080101, &pv), 0);
	assert_true(pv.local_default);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_entitlement),
		cmocka_unit_test(test_utilities_reason),
		cmocka_unit_test(test_legal_aid_names_the_benefit_held),
		cmocka_unit_test(test_figure_reasons),
		cmocka_unit_test(test_post_subsidy_dated),
		cmocka_unit_test(test_enrollment_end),
		cmocka_unit_test(test_death),
		cmocka_unit_test(test_param_names_exist),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
