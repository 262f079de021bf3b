/* housing_aid: docs/policy.md (5), decided for the household
 * and recorded on every living member. */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy/rules.h"
#include "policytest.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_MEMBERS 8

static struct params *params;

static int load_params(void **state)
{
	return policytest_params("housing.yaml", &params);
}

static int free_params(void **state)
{
	params_free(params);
	return 0;
}

#define NEW_BUILD ASSIST__SCHEME__SCHEME_RURAL_NEW_BUILD
#define REPAIR ASSIST__SCHEME__SCHEME_RURAL_REPAIR
#define RENTAL ASSIST__SCHEME__SCHEME_URBAN_RENTAL
#define RENT_RED ASSIST__SCHEME__SCHEME_RENT_REDUCTION
#define AFFORDABLE ASSIST__SCHEME__SCHEME_AFFORDABLE

enum dibao { NO_DIBAO, URBAN_DIBAO, RURAL_DIBAO };

struct hs_case {
	const char *name;
	Assist__Scheme scheme;
	/* One word per known member: hukou U or R, then 3 (three_noes),
	 * D (dispersed five_guarantee), C (centralized), X (dead before the claim). */
	const char *members;
	int32_t declared; /* 0: none declared */
	enum dibao dibao; /* held by the first member */
	double area;      /* < 0: unknown */
	fen_t income;     /* monthly; < 0: unknown */
	fen_t amount_fen, rent_fen;
	fen_t requested, amount;
	const char *alert;  /* "" or the code on every living member */
	const char *reason; /* a part of the ledger reason */
};

static const struct hs_case cases[] = {
	/* Rural new build by household size, repair. */
	{"new build, 1 member: 40 m2", NEW_BUILD, "R", 0, RURAL_DIBAO, -1, -1, 0, 0, 720000, 720000,
	 "", "40 m2"},
	{"new build, 2 members: 40 m2", NEW_BUILD, "R R", 0, RURAL_DIBAO, -1, -1, 0, 0, 720000,
	 720000, "", "40 m2"},
	{"new build, 3 members: 60 m2", NEW_BUILD, "R R R", 0, RURAL_DIBAO, -1, -1, 0, 0, 1080000,
	 1080000, "", "60 m2"},
	{"new build, 5 members: 60 m2", NEW_BUILD, "R R R R R", 0, RURAL_DIBAO, -1, -1, 0, 0,
	 1080000, 1080000, "", "60 m2"},
	{"new build, 6 members: 80 m2", NEW_BUILD, "R R R R R R", 0, RURAL_DIBAO, -1, -1, 0, 0,
	 1440000, 1440000, "", "80 m2"},
	{"new build, 6 declared, 2 known", NEW_BUILD, "R R", 6, RURAL_DIBAO, -1, -1, 0, 0, 1440000,
	 1440000, "", "80 m2"},
	{"repair 4,000", REPAIR, "R R R", 0, RURAL_DIBAO, -1, -1, 0, 0, 400000, 400000, "",
	 "repair"},
	{"new build, not rural dibao", NEW_BUILD, "R R", 0, NO_DIBAO, -1, -1, 0, 0, 0, 0,
	 "not_eligible", "not a rural dibao household"},
	{"repair for an urban dibao household", REPAIR, "U", 0, URBAN_DIBAO, -1, -1, 0, 0, 0, 0,
	 "not_eligible", "not a rural dibao household"},
	{"dispersed five guarantee member: excluded", NEW_BUILD, "R RD", 0, RURAL_DIBAO, -1, -1, 0,
	 0, 0, 0, "excluded", "welfare home"},
	{"centralized five guarantee member: not excluded", REPAIR, "R RC", 0, RURAL_DIBAO, -1, -1,
	 0, 0, 400000, 400000, "", "repair"},
	{"a dead member gets nothing", NEW_BUILD, "R RX R", 0, RURAL_DIBAO, -1, -1, 0, 0, 1080000,
	 1080000, "", "60 m2"},
	/* Urban rental subsidy and rent reduction. */
	{"rental: 29.9 m2 for 3, below 30", RENTAL, "U U U", 0, URBAN_DIBAO, 29.9, 50000, 30000, 0,
	 30000, 30000, "", "as reported"},
	{"rental: 30 m2 for 3 is not below 30", RENTAL, "U U U", 0, URBAN_DIBAO, 30.0, 50000, 30000,
	 0, 0, 0, "not_eligible", "not below 30 m2"},
	{"rental: area unknown", RENTAL, "U U", 0, URBAN_DIBAO, -1, 50000, 30000, 0, 0, 0,
	 "not_eligible", "area unknown"},
	{"rental: not urban dibao", RENTAL, "U U", 0, NO_DIBAO, 5.0, 50000, 30000, 0, 0, 0,
	 "not_eligible", "not an urban dibao household"},
	{"rental: a three noes member, excluded", RENTAL, "U U3", 0, URBAN_DIBAO, 5.0, 0, 30000, 0,
	 0, 0, "excluded", "central support"},
	{"rent reduction 50%, rounded half up", RENT_RED, "U U", 0, URBAN_DIBAO, 12.0, 0, 0, 12345,
	 12345, 6173, "", "rent reduction"},
	{"rent reduction: a three noes member, excluded", RENT_RED, "U3", 0, URBAN_DIBAO, 5.0, 0, 0,
	 12345, 0, 0, "excluded", "central support"},
	/* Rental subsidy housing did not report: (800 - 100) a m2 x 12 m2 a member. */
	{"rental computed: 3 members, 36 m2", RENTAL, "U U U", 0, URBAN_DIBAO, 25.0, 50000, 0, 0,
	 25200, 25200, "", "urban rental subsidy: (market rent 800 - low rent 100) a m2 x 36 m2"},
	{"rental computed: 1 member, 12 m2", RENTAL, "U", 0, URBAN_DIBAO, 9.99, 0, 0, 0, 8400, 8400,
	 "", "a m2 x 12 m2"},
	{"rental computed: 5 declared, 2 known, 60 m2", RENTAL, "U U", 5, URBAN_DIBAO, 49.5, 0, 0,
	 0, 42000, 42000, "", "a m2 x 60 m2"},
	{"rental computed: 20 m2 for 2 is not below 20", RENTAL, "U U", 0, URBAN_DIBAO, 20.0, 0, 0,
	 0, 0, 0, "not_eligible", "not below 20 m2"},
	{"rental computed: not urban dibao", RENTAL, "U U", 0, NO_DIBAO, 5.0, 0, 0, 0, 0, 0,
	 "not_eligible", "not an urban dibao household"},
	{"rental computed: a three noes member, excluded", RENTAL, "U U3", 0, URBAN_DIBAO, 5.0, 0, 0,
	 0, 0, 0, "excluded", "central support"},
	{"rental reported as 1 fen: the report stands", RENTAL, "U U", 0, URBAN_DIBAO, 5.0, 0, 1, 0,
	 1, 1, "", "as reported"},
	/* Affordable housing: eligibility only. */
	{"affordable: eligible", AFFORDABLE, "U U U", 0, NO_DIBAO, 50.9, 179999, 0, 0, 0, 0, "",
	 "eligible for affordable housing"},
	{"affordable: 51 m2 for 3 is not below 51", AFFORDABLE, "U U U", 0, NO_DIBAO, 51.0, 100000,
	 0, 0, 0, 0, "not_eligible", "not below 51 m2"},
	{"affordable: 7,200 a member a year is not below 7,200", AFFORDABLE, "U U U", 0, NO_DIBAO,
	 30.0, 180000, 0, 0, 0, 0, "not_eligible", "yearly income 720000 a member"},
	{"affordable: a rural hukou member", AFFORDABLE, "U R", 0, NO_DIBAO, 10.0, 1000, 0, 0, 0, 0,
	 "not_eligible", "urban hukou"},
	{"affordable: income unknown", AFFORDABLE, "U", 0, NO_DIBAO, 10.0, -1, 0, 0, 0, 0,
	 "not_eligible", "income unknown"},
	{"affordable: the flat and the price ceiling", AFFORDABLE, "U", 0, NO_DIBAO, 16.99, 59999, 0,
	 0, 0, 0, "",
	 "eligible for affordable housing: one flat of 60 m2 at no more than 7000 bp of the "
	 "commercial price"},
	{"affordable: not eligible, no flat", AFFORDABLE, "U", 0, NO_DIBAO, 17.0, 59999, 0, 0, 0, 0,
	 "not_eligible", "not below 17 m2"},
};

#define CLAIM_DATE 20090501

/* The household of c, its members in m[]; returns the count. */
static size_t make_household(const struct hs_case *c, struct household *hh,
			     struct person *m[MAX_MEMBERS])
{
	const char *s = c->members;
	size_t n = 0;

	while (*s != '\0') {
		char id[IDNUM_BUFLEN];
		struct person *p;

		snprintf(id, sizeof(id), "4207041980010100%02zu", n);
		p = person_new(id);
		assert_non_null(p);
		p->hukou = *s == 'U' ? ASSIST__HUKOU__HUKOU_URBAN : ASSIST__HUKOU__HUKOU_RURAL;
		for (s++; *s != '\0' && *s != ' '; s++) {
			int cat = *s == '3' ? ASSIST__CATEGORY__CATEGORY_THREE_NOES
					    : ASSIST__CATEGORY__CATEGORY_FIVE_GUARANTEE;

			if (*s == 'X') {
				p->deceased_on = 20090101;
				continue;
			}
			struct category_state *cs = person_category(p, cat);
			cs->active = true;
			snprintf(cs->class_, sizeof(cs->class_), "%s",
				 *s == 'D' ? "dispersed" : *s == 'C' ? "centralized" : "");
		}
		while (*s == ' ')
			s++;
		assert_int_equal(household_link(hh, p), 0);
		m[n++] = p;
	}
	if (c->dibao != NO_DIBAO) {
		struct enrollment *e = vec_grow((void **)&m[0]->enrollments, &m[0]->n_enrollments,
						  &m[0]->cap_enrollments, sizeof(*e));

		assert_non_null(e);
		e->scheme = c->dibao == URBAN_DIBAO ? ASSIST__SCHEME__SCHEME_URBAN_DIBAO
						    : ASSIST__SCHEME__SCHEME_RURAL_DIBAO;
		snprintf(e->class_, sizeof(e->class_), "%s", c->dibao == RURAL_DIBAO ? "I" : "");
		e->start = 20080101;
		e->granted = true;
	}
	hh->has_members = c->declared > 0;
	hh->members = c->declared;
	hh->has_area = c->area >= 0;
	hh->housing_area_m2 = c->area;
	hh->has_income = c->income >= 0;
	hh->monthly_income = c->income;
	return n;
}

static void run_claim(const struct hs_case *c, struct household *hh, struct decisions *out)
{
	Assist__HousingAid h = ASSIST__HOUSING_AID__INIT;
	struct policy_ctx ctx = {.params = params, .source = "housing"};

	h.claim_id = "H-7";
	h.household_id = hh != NULL ? hh->id : "HH-0";
	h.scheme = c->scheme;
	h.date = "2009-05-01";
	h.amount_fen = c->amount_fen;
	h.rent_fen = c->rent_fen;
	decisions_clear(out);
	assert_int_equal(housing_aid(&ctx, &h, CLAIM_DATE, hh, out), 0);
}

/* Each living member has one ledger line (and the alert); the dead none. */
static void check_member(const struct hs_case *c, const struct person *p,
			 const struct decisions *out)
{
	bool dead = p->deceased_on != YMD_NONE;
	size_t nl = 0, na = 0;

	for (size_t k = 0; k < out->n; k++) {
		const struct decision *d = &out->items[k];

		if (d->person != p)
			continue;
		if (d->type == DEC_LEDGER) {
			const struct ledger_entry *le = &d->u.ledger;

			if (le->requested != c->requested || le->amount != c->amount)
				fail_msg("%s: %" PRId64 "/%" PRId64 ", want %" PRId64 "/%" PRId64
					 " (%s)",
					 c->name, le->requested, le->amount, c->requested,
					 c->amount,
					 d->trace.result);
			if (strstr(le->reason, c->reason) == NULL)
				fail_msg("%s: reason \"%s\" lacks \"%s\"", c->name, le->reason,
					 c->reason);
			assert_string_equal(le->ref, "H-7");
			assert_int_equal(le->scheme, c->scheme);
			assert_int_equal(le->date, CLAIM_DATE);
			assert_true(d->has_trace);
			assert_string_equal(d->trace.rule, "housing");
			nl++;
		} else if (d->type == DEC_ALERT) {
			assert_string_equal(d->u.alert.code, c->alert);
			assert_string_equal(d->u.alert.ref, "H-7");
			na++;
		} else {
			fail_msg("%s: unexpected decision type %d", c->name, d->type);
		}
	}
	if (nl != !dead || na != (!dead && c->alert[0] != '\0'))
		fail_msg("%s: member %s has %zu ledger lines and %zu alerts", c->name, p->id, nl,
			 na);
}

static void test_cases(void **state)
{
	struct decisions out = {0};

	for (size_t i = 0; i < N(cases); i++) {
		struct household *hh = household_new("HH-1");
		struct person *m[MAX_MEMBERS];
		size_t n;

		assert_non_null(hh);
		n = make_household(&cases[i], hh, m);
		run_claim(&cases[i], hh, &out);
		for (size_t k = 0; k < n; k++)
			check_member(&cases[i], m[k], &out);
		for (size_t k = 0; k < n; k++)
			person_free(m[k]);
		household_free(hh);
	}
	decisions_free(&out);
}

/* No household, or none of its members known: nothing to decide on. */
static void test_no_members(void **state)
{
	struct decisions out = {0};
	struct household *hh = household_new("HH-2");

	run_claim(&cases[0], NULL, &out);
	assert_int_equal(out.n, 0);
	run_claim(&cases[0], hh, &out);
	assert_int_equal(out.n, 0);
	household_free(hh);
	decisions_free(&out);
}

static void test_trace(void **state)
{
	struct decisions out = {0};
	struct household *hh = household_new("HH-3");
	struct person *m[MAX_MEMBERS];
	const struct trace *t;
	size_t n = make_household(&cases[4], hh, m); /* 6 members */

	run_claim(&cases[4], hh, &out);
	t = &out.items[0].trace;
	assert_string_equal(t->result, "6 members: 80 m2 x 18000 = 1440000");
	assert_int_equal(t->n_params, 4);
	assert_string_equal(t->params[2].name, "housing.rural.area_large");
	assert_int_equal(t->params[2].value, 80);
	assert_string_equal(t->params[2].unit, "m2");
	assert_string_equal(t->params[3].name, "housing.rural.price_per_m2");
	assert_int_equal(t->params[3].effective, 20080101);
	for (size_t k = 0; k < n; k++)
		person_free(m[k]);
	household_free(hh);

	hh = household_new("HH-4");
	n = make_household(&cases[17], hh, m); /* rent reduction */
	run_claim(&cases[17], hh, &out);
	t = &out.items[0].trace;
	assert_string_equal(t->result, "housing 12.00 m2 below 20 m2: rent 12345 x 5000 bp = 6173");
	for (size_t k = 0; k < n; k++)
		person_free(m[k]);
	household_free(hh);
	decisions_free(&out);
}

/* The case named name, or fail. */
static const struct hs_case *case_named(const char *name)
{
	for (size_t i = 0; i < N(cases); i++) {
		if (strcmp(cases[i].name, name) == 0)
			return &cases[i];
	}
	fail_msg("no case %s", name);
	return NULL;
}

static void assert_trace_param(const struct trace *t, int i, const char *name, int64_t value,
			       const char *unit)
{
	assert_true(i < t->n_params);
	assert_string_equal(t->params[i].name, name);
	assert_int_equal(t->params[i].value, value);
	assert_string_equal(t->params[i].unit, unit);
	assert_int_equal(t->params[i].effective, 20080101);
	assert_true(t->params[i].clause[0] != '\0');
}

/* The trace of the first decision of case name. */
static void trace_of(const char *name, struct decisions *out, struct trace *t)
{
	const struct hs_case *c = case_named(name);
	struct household *hh = household_new("HH-5");
	struct person *m[MAX_MEMBERS];
	size_t n = make_household(c, hh, m);

	run_claim(c, hh, out);
	assert_true(out->n > 0);
	*t = out->items[0].trace;
	for (size_t k = 0; k < n; k++)
		person_free(m[k]);
	household_free(hh);
}

static void test_trace_figures(void **state)
{
	struct decisions out = {0};
	struct trace t;

	trace_of("rental computed: 3 members, 36 m2", &out, &t);
	assert_int_equal(t.n_params, 4);
	assert_trace_param(&t, 0, "housing.urban.area_per_member", 10, "m2");
	assert_trace_param(&t, 1, "housing.urban.rental.market_rent_per_m2", 800, "fen");
	assert_trace_param(&t, 2, "housing.urban.rental.low_rent_per_m2", 100, "fen");
	assert_trace_param(&t, 3, "housing.urban.rental.area_per_member", 12, "m2");
	assert_string_equal(t.result, "housing 25.00 m2 below 30 m2: (800 - 100) a m2 x 36 m2 "
				      "(12 a member x 3) = 25200");

	trace_of("rental: 29.9 m2 for 3, below 30", &out, &t);
	assert_int_equal(t.n_params, 1);
	assert_string_equal(t.result, "housing 29.90 m2 below 30 m2: rental subsidy 30000 as "
				      "reported");

	trace_of("affordable: the flat and the price ceiling", &out, &t);
	assert_int_equal(t.n_params, 4);
	assert_trace_param(&t, 2, "housing.affordable.flat_area", 60, "m2");
	assert_trace_param(&t, 3, "housing.affordable.price_rate", 7000, "bp");
	assert_string_equal(t.result, "eligible: urban hukou, 16.99 m2 below 17, yearly income "
				      "719988 below 720000 for 1 members; one flat of 60 m2 at "
				      "no more than 7000 bp of the commercial price");

	trace_of("affordable: not eligible, no flat", &out, &t);
	assert_int_equal(t.n_params, 2);
	assert_null(strstr(t.result, "flat"));
	decisions_free(&out);
}

static void test_param_names(void **state)
{
	size_t n = policytest_names_in_force(params, housing_param_names, 20080101);
	assert_int_equal(params_count(params), n);
}

/* The figures the text leaves to local measures are labelled as defaults;
 * the ones it gives are not. */
static void test_local_defaults(void **state)
{
	static const struct {
		const char *name;
		bool local_default;
	} labels[] = {
		{"housing.urban.rental.market_rent_per_m2", true},
		{"housing.urban.rental.low_rent_per_m2", true},
		{"housing.urban.rental.area_per_member", true},
		{"housing.affordable.flat_area", false},
		{"housing.affordable.price_rate", false},
		{"housing.urban.area_per_member", false},
	};
	struct param_value pv;

	for (size_t i = 0; i < N(labels); i++) {
		assert_int_equal(params_get(params, labels[i].name, 20080101, &pv), 0);
		if (pv.local_default != labels[i].local_default)
			fail_msg("%s: local_default %d", labels[i].name, pv.local_default);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_no_members),
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_trace_figures),
		cmocka_unit_test(test_param_names),
		cmocka_unit_test(test_local_defaults),
	};

	return cmocka_run_group_tests(tests, load_params, free_params);
}
