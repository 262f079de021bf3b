/* Urban and rural dibao (docs/policy.md (1) and (2)): amounts, edges,
 * conflicts, refresh and dated parameters. */
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

static char *dibao_yaml;
static struct params *params;

static struct params *load(const char *yaml)
{
	struct params *ps = NULL;
	char err[256];

	if (params_load_string(yaml, "dibao.yaml", &ps, err, sizeof(err)) < 0)
		fail_msg("dibao.yaml: %s", err);
	return ps;
}

static int group_setup(void **state)
{
	dibao_yaml = policytest_yaml("dibao.yaml");
	if (dibao_yaml == NULL)
		return -1;
	return policytest_params("dibao.yaml", &params);
}

static int group_teardown(void **state)
{
	params_free(params);
	free(dibao_yaml);
	return 0;
}

/* ---- a small world: persons, one household, and the engine's loop ---- */

#define MAX_PERSONS 8

struct world {
	const struct params *params;
	struct household *hh;
	struct person *p[MAX_PERSONS];
	int n;
};

static struct person *add_person(struct world *w, Assist__Hukou hukou)
{
	char id[IDNUM_BUFLEN];
	struct person *p;

	snprintf(id, sizeof(id), "42070419800101%03d1", w->n);
	p = person_new(id);
	assert_non_null(p);
	p->hukou = hukou;
	if (w->hh != NULL)
		assert_int_equal(household_link(w->hh, p), 0);
	w->p[w->n++] = p;
	return p;
}

static void set_household(struct world *w, int members, fen_t income, Assist__Area area)
{
	w->hh = household_new("H1");
	assert_non_null(w->hh);
	w->hh->has_members = true;
	w->hh->members = members;
	w->hh->has_income = true;
	w->hh->monthly_income = income;
	w->hh->area = area;
}

static void world_free(struct world *w)
{
	for (int i = 0; i < w->n; i++)
		person_free(w->p[i]);
	household_free(w->hh);
}

static int apply_all(const struct decisions *d)
{
	int changed = 0;

	for (size_t i = 0; i < d->n; i++)
		changed += decision_apply(&d->items[i]);
	return changed;
}

/* Decide an enrollment event as the daemon does and apply the decisions. */
static void enroll(struct world *w, struct person *p, Assist__Scheme scheme, const char *class_,
		   fen_t amount, const char *start, const char *end)
{
	struct policy_ctx ctx = {.params = w->params, .source = "civil_affairs", .major = 1};
	Assist__Event ev = ASSIST__EVENT__INIT;
	Assist__Enrollment e = ASSIST__ENROLLMENT__INIT;
	struct decisions out = {0};

	e.id_number = p->id;
	e.scheme = scheme;
	e.class_ = (char *)class_;
	e.amount_fen = amount;
	e.start_date = (char *)start;
	e.end_date = (char *)end;
	ev.kind = ASSIST__KIND__KIND_ENROLLMENT;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_ENROLLMENT;
	ev.enrollment = &e;
	assert_int_equal(policy_event(&ctx, &ev, p, p->hh, &out), 0);
	apply_all(&out);
	decisions_free(&out);
}

/* dibao_refresh as of date; returns the number of decisions it made. */
static size_t refresh(struct world *w, struct person *p, const char *date)
{
	struct policy_ctx ctx = {.params = w->params, .source = "civil_affairs"};
	struct decisions out = {0};
	ymd_t d;
	size_t n;

	assert_int_equal(ymd_parse(date, &d), 0);
	assert_int_equal(dibao_refresh(&ctx, p, d, &out), 0);
	n = out.n;
	apply_all(&out);
	decisions_free(&out);
	return n;
}

static int alerts(const struct person *p, const char *code)
{
	int n = 0;

	for (size_t i = 0; i < p->n_alerts; i++)
		n += strcmp(p->alerts[i].code, code) == 0;
	return n;
}

static ymd_t day(const char *s)
{
	ymd_t d = YMD_NONE;

	assert_int_equal(ymd_parse(s, &d), 0);
	return d;
}

/* ---- urban dibao ---------------------------------------------------------- */

struct urban_case {
	Assist__Area area;
	int members;
	fen_t income;
	bool granted;
	fen_t monthly;
};

static const struct urban_case urban_cases[] = {
	/* city: 18,500 per member */
	{ASSIST__AREA__AREA_CITY, 1, 0, true, 18500},
	{ASSIST__AREA__AREA_CITY, 1, 18499, true, 1},
	{ASSIST__AREA__AREA_CITY, 1, 18500, false, 0},
	{ASSIST__AREA__AREA_CITY, 2, 1, true, 18500},     /* 36999 / 2 = 18499.5 -> 18500 */
	{ASSIST__AREA__AREA_CITY, 2, 37000, false, 0},
	{ASSIST__AREA__AREA_CITY, 3, 30000, true, 8500},  /* 55500 - 30000 = 25500 */
	{ASSIST__AREA__AREA_CITY, 3, 10000, true, 15167}, /* 45500 / 3 = 15166.67 */
	{ASSIST__AREA__AREA_CITY, 3, 10001, true, 15166}, /* 45499 / 3 = 15166.33 */
	{ASSIST__AREA__AREA_CITY, 3, 55498, true, 1},     /* 2 / 3 */
	{ASSIST__AREA__AREA_CITY, 3, 55500, false, 0},
	{ASSIST__AREA__AREA_CITY, 3, 60000, false, 0},
	{ASSIST__AREA__AREA_CITY, 4, 20000, true, 13500}, /* 74000 - 20000 = 54000 */
	{ASSIST__AREA__AREA_CITY, 4, 74000, false, 0},
	{ASSIST__AREA__AREA_CITY, 5, 0, true, 18500},
	{ASSIST__AREA__AREA_CITY, 5, 92501, false, 0},
	{ASSIST__AREA__AREA_CITY, 6, 11000, true, 16667}, /* 100000 / 6 = 16666.67 */
	{ASSIST__AREA__AREA_CITY, 6, 111000, false, 0},
	/* district: 16,500 per member */
	{ASSIST__AREA__AREA_DISTRICT, 1, 0, true, 16500},
	{ASSIST__AREA__AREA_DISTRICT, 1, 16499, true, 1},
	{ASSIST__AREA__AREA_DISTRICT, 1, 16500, false, 0},
	{ASSIST__AREA__AREA_DISTRICT, 2, 10000, true, 11500}, /* 33000 - 10000 = 23000 */
	{ASSIST__AREA__AREA_DISTRICT, 2, 33001, false, 0},
	{ASSIST__AREA__AREA_DISTRICT, 3, 1, true, 16500},     /* 49499 / 3 = 16499.67 */
	{ASSIST__AREA__AREA_DISTRICT, 3, 49500, false, 0},
	{ASSIST__AREA__AREA_DISTRICT, 4, 30000, true, 9000},  /* 66000 - 30000 = 36000 */
	{ASSIST__AREA__AREA_DISTRICT, 4, 66000, false, 0},
	{ASSIST__AREA__AREA_DISTRICT, 5, 2, true, 16500},     /* 82498 / 5 = 16499.6 */
	{ASSIST__AREA__AREA_DISTRICT, 5, 82500, false, 0},
	{ASSIST__AREA__AREA_DISTRICT, 6, 33000, true, 11000}, /* 99000 - 33000 = 66000 */
	{ASSIST__AREA__AREA_DISTRICT, 6, 98999, true, 0},     /* 1 / 6 rounds to 0 */
	{ASSIST__AREA__AREA_DISTRICT, 6, 99000, false, 0},
};

static void test_urban_amounts(void **state)
{
	for (size_t i = 0; i < sizeof(urban_cases) / sizeof(urban_cases[0]); i++) {
		const struct urban_case *c = &urban_cases[i];
		struct world w = {.params = params};
		struct person *p;
		const struct benefit *b;

		set_household(&w, c->members, c->income, c->area);
		p = add_person(&w, ASSIST__HUKOU__HUKOU_URBAN);
		enroll(&w, p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO, "", 0, "2009-01-01", "");
		print_message("case %zu: %d members, income %lld\n", i, c->members,
			      (long long)c->income);
		assert_int_equal(p->n_enrollments, 1);
		assert_int_equal(p->enrollments[0].granted, c->granted);
		b = person_benefit(p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO);
		if (c->granted) {
			assert_non_null(b);
			assert_int_equal(b->monthly, c->monthly);
			assert_true(b->active);
			assert_int_equal(b->since, 20090101);
			assert_string_equal(b->class_, "");
			assert_int_equal(alerts(p, "not_eligible"), 0);
		} else {
			assert_null(b);
			assert_int_equal(alerts(p, "not_eligible"), 1);
		}
		assert_true(p->dirty);
		world_free(&w);
	}
}

/* The area is the household's when set, else the person's. */
static void test_urban_area_source(void **state)
{
	struct world w = {.params = params};
	struct person *p;

	set_household(&w, 2, 0, ASSIST__AREA__AREA_UNSPECIFIED);
	p = add_person(&w, ASSIST__HUKOU__HUKOU_URBAN);
	p->area = ASSIST__AREA__AREA_DISTRICT;
	enroll(&w, p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO, "", 0, "2009-01-01", "");
	assert_int_equal(person_benefit(p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO)->monthly, 16500);
	w.hh->area = ASSIST__AREA__AREA_CITY;
	assert_int_equal(refresh(&w, p, "2009-02-01"), 1);
	assert_int_equal(person_benefit(p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO)->monthly, 18500);
	world_free(&w);
}

static void test_urban_trace(void **state)
{
	struct policy_ctx ctx = {.params = params, .source = "civil_affairs", .major = 7};
	struct world w = {.params = params};
	Assist__Enrollment e = ASSIST__ENROLLMENT__INIT;
	struct decisions out = {0};
	const struct decision *bd = NULL;
	struct person *p;

	set_household(&w, 3, 30000, ASSIST__AREA__AREA_CITY);
	p = add_person(&w, ASSIST__HUKOU__HUKOU_URBAN);
	e.scheme = ASSIST__SCHEME__SCHEME_URBAN_DIBAO;
	e.start_date = "2009-01-01";
	assert_int_equal(dibao_enrollment(&ctx, &e, day("2009-01-01"), p, &out), 0);
	for (size_t i = 0; i < out.n; i++) {
		if (out.items[i].type == DEC_BENEFIT)
			bd = &out.items[i];
		if (out.items[i].type == DEC_ENROLLMENT) {
			assert_true(out.items[i].u.enrollment.granted);
			assert_string_equal(out.items[i].u.enrollment.source, "civil_affairs");
			assert_int_equal(out.items[i].u.enrollment.major, 7);
		}
	}
	assert_non_null(bd);
	assert_true(bd->has_trace);
	assert_string_equal(bd->trace.rule, "dibao.urban");
	assert_string_equal(bd->trace.result,
			    "household 3 x 18500 - 30000 = 25500; 8500 per member");
	assert_string_equal(bd->u.benefit.reason, bd->trace.result);
	assert_int_equal(bd->trace.n_params, 1);
	assert_string_equal(bd->trace.params[0].name, "dibao.urban.standard.city");
	assert_int_equal(bd->trace.params[0].value, 18500);
	assert_int_equal(bd->trace.params[0].effective, 20080101);
	assert_string_equal(bd->trace.params[0].unit, "fen");
	assert_non_null(strstr(bd->trace.params[0].clause, "185"));
	assert_string_equal(bd->trace.inputs[0].name, "members");
	assert_string_equal(bd->trace.inputs[0].value, "3");
	assert_string_equal(bd->trace.inputs[1].value, "30000");
	assert_string_equal(bd->trace.inputs[2].value, "city");
	/* Pure: nothing changed before applying. */
	assert_int_equal(p->n_enrollments, 0);
	assert_null(person_benefit(p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO));
	decisions_free(&out);
	world_free(&w);
}

/* ---- rural dibao ----------------------------------------------------------- */

struct rural_case {
	const char *class_;
	bool orphan;
	fen_t amount;
	bool granted;
	fen_t monthly;
	int out_of_range;
};

static const struct rural_case rural_cases[] = {
	{"I", false, 0, true, 7000, 0},
	{"I", true, 0, true, 10000, 0},
	{"II", false, 3499, true, 3500, 1},
	{"II", false, 3500, true, 3500, 0},
	{"II", false, 4800, true, 4800, 0},
	{"II", false, 6000, true, 6000, 0},
	{"II", false, 6001, true, 6000, 1},
	{"III", false, 1499, true, 1500, 1},
	{"III", false, 1500, true, 1500, 0},
	{"III", false, 3000, true, 3000, 0},
	{"III", false, 3001, true, 3000, 1},
	{"III", false, 0, true, 1500, 1},
	{"IV", false, 3000, false, 0, 1},
	{"", false, 3000, false, 0, 1},
};

static void test_rural_amounts(void **state)
{
	for (size_t i = 0; i < sizeof(rural_cases) / sizeof(rural_cases[0]); i++) {
		const struct rural_case *c = &rural_cases[i];
		struct world w = {.params = params};
		struct person *p = add_person(&w, ASSIST__HUKOU__HUKOU_RURAL);
		const struct benefit *b;

		print_message("case %zu: class %s amount %lld\n", i, c->class_,
			      (long long)c->amount);
		person_category(p, ASSIST__CATEGORY__CATEGORY_ORPHAN)->active = c->orphan;
		enroll(&w, p, ASSIST__SCHEME__SCHEME_RURAL_DIBAO, c->class_, c->amount,
		       "2009-03-01", "");
		assert_int_equal(p->n_enrollments, 1);
		assert_int_equal(p->enrollments[0].granted, c->granted);
		/* The record keeps what was asked. */
		assert_int_equal(p->enrollments[0].amount, c->amount);
		assert_int_equal(alerts(p, "out_of_range"), c->out_of_range);
		b = person_benefit(p, ASSIST__SCHEME__SCHEME_RURAL_DIBAO);
		if (!c->granted) {
			assert_null(b);
		} else {
			assert_non_null(b);
			assert_int_equal(b->monthly, c->monthly);
			assert_string_equal(b->class_, c->class_);
			assert_true(b->active);
			assert_int_equal(b->since, 20090301);
		}
		world_free(&w);
	}
}

static void test_rural_trace_params(void **state)
{
	struct world w = {.params = params};
	struct person *p = add_person(&w, ASSIST__HUKOU__HUKOU_RURAL);
	struct policy_ctx ctx = {.params = params, .source = "civil_affairs"};
	Assist__Enrollment e = ASSIST__ENROLLMENT__INIT;
	struct decisions out = {0};
	bool seen = false;

	e.scheme = ASSIST__SCHEME__SCHEME_RURAL_DIBAO;
	e.class_ = "II";
	e.amount_fen = 6001;
	assert_int_equal(dibao_enrollment(&ctx, &e, day("2009-03-01"), p, &out), 0);
	for (size_t i = 0; i < out.n; i++) {
		const struct decision *d = &out.items[i];

		if (d->type != DEC_BENEFIT)
			continue;
		seen = true;
		assert_string_equal(d->trace.rule, "dibao.rural");
		assert_int_equal(d->trace.n_params, 2);
		assert_string_equal(d->trace.params[0].name, "dibao.rural.class_ii.min");
		assert_int_equal(d->trace.params[0].value, 3500);
		assert_string_equal(d->trace.params[1].name, "dibao.rural.class_ii.max");
		assert_int_equal(d->trace.params[1].value, 6000);
		assert_non_null(strstr(d->trace.result, "clipped to 6000"));
	}
	assert_true(seen);
	decisions_free(&out);
	world_free(&w);
}

/* ---- rule 1: matching hukou, never both dibao ------------------------------ */

static void test_hukou_mismatch(void **state)
{
	static const struct {
		Assist__Scheme scheme;
		Assist__Hukou hukou;
		const char *class_;
	} cases[] = {
		{ASSIST__SCHEME__SCHEME_URBAN_DIBAO, ASSIST__HUKOU__HUKOU_RURAL, ""},
		{ASSIST__SCHEME__SCHEME_URBAN_DIBAO, ASSIST__HUKOU__HUKOU_UNSPECIFIED, ""},
		{ASSIST__SCHEME__SCHEME_RURAL_DIBAO, ASSIST__HUKOU__HUKOU_URBAN, "I"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct world w = {.params = params};
		struct person *p;

		set_household(&w, 1, 0, ASSIST__AREA__AREA_CITY);
		p = add_person(&w, cases[i].hukou);
		enroll(&w, p, cases[i].scheme, cases[i].class_, 0, "2009-01-01", "");
		assert_int_equal(alerts(p, "hukou_mismatch"), 1);
		assert_int_equal(p->n_enrollments, 1);
		assert_false(p->enrollments[0].granted);
		assert_int_equal(p->n_benefits, 0);
		world_free(&w);
	}
}

/* A household with an urban-hukou and a rural-hukou member: whichever dibao
 * comes second is refused, for either member and either order. */
static void test_dibao_conflict(void **state)
{
	for (int order = 0; order < 2; order++) {
		struct world w = {.params = params};
		struct person *u, *r, *second;

		set_household(&w, 2, 0, ASSIST__AREA__AREA_CITY);
		u = add_person(&w, ASSIST__HUKOU__HUKOU_URBAN);
		r = add_person(&w, ASSIST__HUKOU__HUKOU_RURAL);
		if (order == 0) {
			enroll(&w, u, ASSIST__SCHEME__SCHEME_URBAN_DIBAO, "", 0, "2009-01-01", "");
			enroll(&w, r, ASSIST__SCHEME__SCHEME_RURAL_DIBAO, "I", 0, "2009-02-01", "");
			second = r;
		} else {
			enroll(&w, r, ASSIST__SCHEME__SCHEME_RURAL_DIBAO, "I", 0, "2009-01-01", "");
			enroll(&w, u, ASSIST__SCHEME__SCHEME_URBAN_DIBAO, "", 0, "2009-02-01", "");
			second = u;
		}
		assert_int_equal(alerts(second, "dibao_conflict"), 1);
		assert_int_equal(alerts(u, "dibao_conflict") + alerts(r, "dibao_conflict"), 1);
		assert_false(second->enrollments[0].granted);
		assert_int_equal(second->n_benefits, 0);
		assert_true((order == 0 ? u : r)->benefits[0].active);
		world_free(&w);
	}
}

/* The same person: the conflict is found before the hukou (either would do). */
static void test_conflict_same_person(void **state)
{
	struct world w = {.params = params};
	struct person *p = add_person(&w, ASSIST__HUKOU__HUKOU_URBAN);

	enroll(&w, p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO, "", 0, "2009-01-01", "");
	enroll(&w, p, ASSIST__SCHEME__SCHEME_RURAL_DIBAO, "I", 0, "2009-05-01", "");
	assert_int_equal(alerts(p, "dibao_conflict") + alerts(p, "hukou_mismatch"), 1);
	assert_int_equal(p->n_enrollments, 2);
	assert_false(p->enrollments[1].granted);
	assert_null(person_benefit(p, ASSIST__SCHEME__SCHEME_RURAL_DIBAO));
	world_free(&w);
}

/* An urban dibao that ended (by its end date) no longer conflicts. */
static void test_no_conflict_after_end(void **state)
{
	struct world w = {.params = params};
	struct person *u, *r;

	set_household(&w, 2, 0, ASSIST__AREA__AREA_CITY);
	u = add_person(&w, ASSIST__HUKOU__HUKOU_URBAN);
	r = add_person(&w, ASSIST__HUKOU__HUKOU_RURAL);
	enroll(&w, u, ASSIST__SCHEME__SCHEME_URBAN_DIBAO, "", 0, "2009-01-01", "2009-06-30");
	enroll(&w, r, ASSIST__SCHEME__SCHEME_RURAL_DIBAO, "I", 0, "2009-07-01", "");
	assert_int_equal(alerts(r, "dibao_conflict"), 0);
	assert_true(r->enrollments[0].granted);
	world_free(&w);
}

/* ---- refresh -------------------------------------------------------------- */

static void test_household_change_recomputes_all(void **state)
{
	struct world w = {.params = params};
	static const struct {
		int members;
		fen_t income;
		fen_t monthly;
	} steps[] = {
		{3, 15000, 13500}, /* 55500 - 15000 = 40500 */
		{4, 15000, 14750}, /* 74000 - 15000 = 59000 */
		{4, 14999, 14750}, /* 59001 / 4 = 14750.25 */
		{4, 14998, 14751}, /* 59002 / 4 = 14750.5 */
	};

	set_household(&w, 3, 30000, ASSIST__AREA__AREA_CITY);
	for (int i = 0; i < 3; i++) {
		struct person *p = add_person(&w, ASSIST__HUKOU__HUKOU_URBAN);

		enroll(&w, p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO, "", 0, "2009-01-01", "");
		assert_int_equal(person_benefit(p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO)->monthly,
				 8500);
	}
	/* Nothing changed: nothing decided. */
	assert_int_equal(refresh(&w, w.p[0], "2009-02-01"), 0);
	for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		w.hh->members = steps[s].members;
		w.hh->monthly_income = steps[s].income;
		for (int i = 0; i < 3; i++)
			w.p[i]->dirty = false;
		assert_int_equal(refresh(&w, w.p[1], "2009-03-01"), 3);
		for (int i = 0; i < 3; i++) {
			const struct benefit *b = person_benefit(w.p[i],
								 ASSIST__SCHEME__SCHEME_URBAN_DIBAO);

			assert_int_equal(b->monthly, steps[s].monthly);
			assert_true(b->active);
			assert_int_equal(b->since, 20090101);
			assert_true(w.p[i]->dirty);
		}
	}
	/* Income at the line: every member's benefit ends, each with an alert. */
	w.hh->monthly_income = 74000;
	assert_int_equal(refresh(&w, w.p[2], "2009-04-15"), 6);
	for (int i = 0; i < 3; i++) {
		const struct benefit *b = person_benefit(w.p[i], ASSIST__SCHEME__SCHEME_URBAN_DIBAO);

		assert_false(b->active);
		assert_int_equal(b->until, 20090415);
		assert_int_equal(alerts(w.p[i], "not_eligible"), 1);
	}
	/* Ended stays ended, without new alerts. */
	w.hh->monthly_income = 0;
	assert_int_equal(refresh(&w, w.p[0], "2009-05-01"), 0);
	assert_false(person_benefit(w.p[0], ASSIST__SCHEME__SCHEME_URBAN_DIBAO)->active);
	world_free(&w);
}

struct death_case {
	const char *died;
	ymd_t until;
};

static void test_death_ends_at_month_end(void **state)
{
	static const struct death_case cases[] = {
		{"2009-03-14", 20090331}, {"2009-03-31", 20090331}, {"2009-12-01", 20091231},
		{"2012-02-10", 20120229}, {"2011-02-10", 20110228},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct world w = {.params = params};
		struct person *u, *r;
		const struct benefit *b;

		u = add_person(&w, ASSIST__HUKOU__HUKOU_URBAN);
		r = add_person(&w, ASSIST__HUKOU__HUKOU_RURAL);
		enroll(&w, u, ASSIST__SCHEME__SCHEME_URBAN_DIBAO, "", 0, "2009-01-01", "");
		enroll(&w, r, ASSIST__SCHEME__SCHEME_RURAL_DIBAO, "III", 2000, "2009-01-01", "");
		u->deceased_on = r->deceased_on = day(cases[i].died);
		assert_int_equal(refresh(&w, u, cases[i].died), 1);
		assert_int_equal(refresh(&w, r, cases[i].died), 1);
		b = person_benefit(u, ASSIST__SCHEME__SCHEME_URBAN_DIBAO);
		assert_false(b->active);
		assert_int_equal(b->until, cases[i].until);
		assert_int_equal(b->monthly, 18500);
		assert_non_null(strstr(b->reason, "deceased on"));
		b = person_benefit(r, ASSIST__SCHEME__SCHEME_RURAL_DIBAO);
		assert_false(b->active);
		assert_int_equal(b->until, cases[i].until);
		assert_int_equal(b->monthly, 2000);
		assert_int_equal(refresh(&w, u, "2013-01-01"), 0);
		world_free(&w);
	}
}

static void test_end_date_ends(void **state)
{
	struct world w = {.params = params};
	struct person *p = add_person(&w, ASSIST__HUKOU__HUKOU_RURAL);
	const struct benefit *b;

	enroll(&w, p, ASSIST__SCHEME__SCHEME_RURAL_DIBAO, "I", 0, "2009-01-01", "2009-06-30");
	assert_int_equal(p->enrollments[0].end, 20090630);
	assert_int_equal(refresh(&w, p, "2009-06-30"), 0);
	assert_true(person_benefit(p, ASSIST__SCHEME__SCHEME_RURAL_DIBAO)->active);
	assert_int_equal(refresh(&w, p, "2009-07-01"), 1);
	b = person_benefit(p, ASSIST__SCHEME__SCHEME_RURAL_DIBAO);
	assert_false(b->active);
	assert_int_equal(b->until, 20090630);
	assert_string_equal(b->reason, "enrollment ended on 2009-06-30");
	/* A new enrollment opens it again. */
	enroll(&w, p, ASSIST__SCHEME__SCHEME_RURAL_DIBAO, "I", 0, "2010-01-01", "");
	b = person_benefit(p, ASSIST__SCHEME__SCHEME_RURAL_DIBAO);
	assert_true(b->active);
	assert_int_equal(b->since, 20100101);
	assert_int_equal(b->until, YMD_NONE);
	world_free(&w);
}

static void test_hukou_change_ends(void **state)
{
	struct world w = {.params = params};
	struct person *p = add_person(&w, ASSIST__HUKOU__HUKOU_URBAN);
	const struct benefit *b;

	enroll(&w, p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO, "", 0, "2009-01-01", "");
	assert_true(rules_in_urban_dibao(p, day("2009-05-01")));
	p->hukou = ASSIST__HUKOU__HUKOU_RURAL;
	assert_int_equal(refresh(&w, p, "2009-05-01"), 1);
	b = person_benefit(p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO);
	assert_false(b->active);
	assert_int_equal(b->until, 20090501);
	assert_string_equal(b->reason, "hukou changed to rural");
	/* The ended row ends the status after its last day (rule 9). */
	assert_true(rules_in_urban_dibao(p, day("2009-05-01")));
	assert_false(rules_in_urban_dibao(p, day("2009-05-02")));
	/* And a rural dibao may now be granted. */
	enroll(&w, p, ASSIST__SCHEME__SCHEME_RURAL_DIBAO, "I", 0, "2009-06-01", "");
	assert_true(p->enrollments[1].granted);
	world_free(&w);
}

/* A value that changes from 2010 applies to dates from 2010 only. */
static void test_dated_parameter(void **state)
{
	static const char old_line[] = "    2008-01-01: 18500\n";
	static const char new_lines[] = "    2008-01-01: 18500\n    2010-01-01: 20000\n";
	const char *at = strstr(dibao_yaml, old_line);
	struct world w = {0};
	struct params *dated;
	struct person *p, *q;
	char *yaml;

	assert_non_null(at);
	yaml = calloc(1, strlen(dibao_yaml) + sizeof(new_lines));
	assert_non_null(yaml);
	memcpy(yaml, dibao_yaml, (size_t)(at - dibao_yaml));
	strcat(yaml, new_lines);
	strcat(yaml, at + strlen(old_line));
	dated = load(yaml);
	w.params = dated;

	set_household(&w, 3, 30000, ASSIST__AREA__AREA_CITY);
	p = add_person(&w, ASSIST__HUKOU__HUKOU_URBAN);
	enroll(&w, p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO, "", 0, "2009-06-01", "");
	assert_int_equal(person_benefit(p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO)->monthly, 8500);
	assert_int_equal(refresh(&w, p, "2009-12-31"), 0);
	assert_int_equal(refresh(&w, p, "2010-01-01"), 1);
	/* (3 x 20000 - 30000) / 3 */
	assert_int_equal(person_benefit(p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO)->monthly, 10000);
	assert_int_equal(person_benefit(p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO)->since, 20090601);
	/* An enrollment dated before the change still gets the old value. */
	q = add_person(&w, ASSIST__HUKOU__HUKOU_URBAN);
	enroll(&w, q, ASSIST__SCHEME__SCHEME_URBAN_DIBAO, "", 0, "2009-11-01", "");
	assert_int_equal(person_benefit(q, ASSIST__SCHEME__SCHEME_URBAN_DIBAO)->monthly, 8500);
	world_free(&w);
	params_free(dated);
	free(yaml);
}

static void test_param_names_exist(void **state)
{
	size_t n = policytest_names_in_force(params, dibao_param_names, 20080101);
	assert_int_equal(n, 8);
	assert_int_equal(params_count(params), 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_urban_amounts),
		cmocka_unit_test(test_urban_area_source),
		cmocka_unit_test(test_urban_trace),
		cmocka_unit_test(test_rural_amounts),
		cmocka_unit_test(test_rural_trace_params),
		cmocka_unit_test(test_hukou_mismatch),
		cmocka_unit_test(test_dibao_conflict),
		cmocka_unit_test(test_conflict_same_person),
		cmocka_unit_test(test_no_conflict_after_end),
		cmocka_unit_test(test_household_change_recomputes_all),
		cmocka_unit_test(test_death_ends_at_month_end),
		cmocka_unit_test(test_end_date_ends),
		cmocka_unit_test(test_hukou_change_ends),
		cmocka_unit_test(test_dated_parameter),
		cmocka_unit_test(test_param_names_exist),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
