/* The steps of an application (policy/appstep.c): every transition allowed
 * and refused, the level each step is taken at, the default start date of
 * an approval, and when a step is overdue; and the event's own checks
 * (application.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "application.h"
#include "params.h"
#include "policy/appstep.h"
#include "policytest.h"
#include "worldtest.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define STEP(s) ASSIST__APPLICATION_STEP__APPLICATION_STEP_##s

#define U STEP(UNSPECIFIED)
#define SUB STEP(SUBMITTED)
#define STA STEP(STATION_CHECKED)
#define TOWN STEP(TOWN_AUDITED)
#define DIST STEP(DISTRICT_AUDITED)
#define CITY STEP(CITY_APPROVED)
#define REJ STEP(REJECTED)
#define N_STEPS 7

/* allowed[state][step]: what may follow the latest step. */
static const bool allowed[N_STEPS][N_STEPS] = {
	[U] = {[SUB] = true},
	[SUB] = {[STA] = true, [REJ] = true},
	[STA] = {[TOWN] = true, [REJ] = true},
	[TOWN] = {[DIST] = true, [REJ] = true},
	[DIST] = {[CITY] = true, [REJ] = true},
	[CITY] = {0},
	[REJ] = {0},
};

static void test_every_transition(void **state)
{
	for (int from = 0; from < N_STEPS; from++) {
		for (int to = 0; to < N_STEPS; to++) {
			const char *why = NULL;
			int rc = appstep_next((Assist__ApplicationStep)from, (Assist__ApplicationStep)to, &why);

			print_message("%s -> %s\n", appstep_name((Assist__ApplicationStep)from),
				      appstep_name((Assist__ApplicationStep)to));
			if (allowed[from][to]) {
				assert_int_equal(rc, 0);
			} else {
				assert_int_equal(rc, -EINVAL);
				assert_non_null(why);
			}
		}
	}
}

/* What a sender reads for each kind of refusal. */
static void test_reasons(void **state)
{
	const char *why = NULL;

	assert_int_equal(appstep_next(SUB, DIST, &why), -EINVAL);
	assert_string_equal(why, "is out of order: station_checked or rejected comes after "
				 "submitted");
	assert_int_equal(appstep_next(STA, STA, &why), -EINVAL);
	assert_string_equal(why, "repeats the application's latest step");
	assert_int_equal(appstep_next(REJ, SUB, &why), -EINVAL);
	assert_string_equal(why, "comes after the application was closed (rejected)");
	assert_int_equal(appstep_next(CITY, REJ, &why), -EINVAL);
	assert_string_equal(why, "comes after the application was closed (city_approved)");
	assert_int_equal(appstep_next(U, REJ, &why), -EINVAL);
	assert_string_equal(why, "is not submitted: an application starts with submitted");
	assert_int_equal(appstep_next(SUB, (Assist__ApplicationStep)9, &why), -EINVAL);
	assert_string_equal(why, "is not a step");
	assert_true(appstep_closed(CITY));
	assert_true(appstep_closed(REJ));
	assert_false(appstep_closed(DIST));
	assert_false(appstep_closed(U));
}

/* Community for the station's two steps, then town, district, city; a
 * rejection at the level of the step it refused. */
static void test_levels(void **state)
{
	static const struct {
		Assist__ApplicationStep step, before;
		const char *level;
	} cases[] = {
		{SUB, U, "community"},     {STA, SUB, "community"},  {TOWN, STA, "town"},
		{DIST, TOWN, "district"},  {CITY, DIST, "city"},     {REJ, SUB, "community"},
		{REJ, STA, "town"},        {REJ, TOWN, "district"},  {REJ, DIST, "city"},
	};

	for (size_t i = 0; i < N(cases); i++)
		assert_string_equal(appstep_level(cases[i].step, cases[i].before), cases[i].level);
	assert_string_equal(appstep_name(TOWN), "town_audited");
	assert_string_equal(appstep_name((Assist__ApplicationStep)99), "unspecified");
}

/* The first day of the month after the approval, across a year's end. */
static void test_default_start(void **state)
{
	assert_int_equal(appstep_default_start(ymd_make(2008, 2, 10)), ymd_make(2008, 3, 1));
	assert_int_equal(appstep_default_start(ymd_make(2008, 3, 1)), ymd_make(2008, 4, 1));
	assert_int_equal(appstep_default_start(ymd_make(2008, 1, 31)), ymd_make(2008, 2, 1));
	assert_int_equal(appstep_default_start(ymd_make(2008, 12, 15)), ymd_make(2009, 1, 1));
}

/* Longer than the limit: exactly at it is not overdue, a day past it is. */
static void test_overdue(void **state)
{
	ymd_t since = ymd_make(2008, 1, 10);

	assert_false(appstep_overdue(since, ymd_make(2008, 1, 10), 30));
	assert_false(appstep_overdue(since, ymd_make(2008, 2, 8), 30)); /* 29 days */
	assert_false(appstep_overdue(since, ymd_make(2008, 2, 9), 30)); /* 30: at the limit */
	assert_true(appstep_overdue(since, ymd_make(2008, 2, 10), 30)); /* 31 */
	assert_true(appstep_overdue(since, ymd_make(2026, 1, 1), 30));
	assert_false(appstep_overdue(since, ymd_make(2008, 1, 10), 0));
	assert_true(appstep_overdue(since, ymd_make(2008, 1, 11), 0));
}

struct check_case {
	const char *scheme;
	Assist__ApplicationStep step;
	const char *id, *household, *note, *class_, *start;
	int64_t amount;
	const char *field, *reason; /* NULL: accepted */
};

#define ID "420704198001011237"

static const struct check_case check_cases[] = {
	{"urban_dibao", SUB, ID, "", "", "", "", 0, NULL, NULL},
	{"urban_dibao", CITY, ID, "", "", "I", "2008-03-01", 30000, NULL, NULL},
	{"urban_dibao", SUB, "", "", "", "", "", 0, "application.id_number", "is required"},
	{"urban_dibao", SUB, ID, "H-1", "", "", "", 0, "application.household_id",
	 "is sent only for a housing scheme"},
	{"urban_rental", SUB, "", "H-1", "", "", "", 0, NULL, NULL},
	{"urban_rental", SUB, "", "", "", "", "", 0, "application.household_id",
	 "is required for a housing scheme"},
	{"urban_rental", SUB, ID, "H-1", "", "", "", 0, "application.id_number",
	 "is not sent for a housing scheme: the household applies"},
	{"vocational", SUB, ID, "", "", "", "", 0, NULL, NULL},
	{"vocational_training", SUB, ID, "", "", "", "", 0, NULL, NULL},
	{"huimin", SUB, ID, "", "", "", "", 0, "application.scheme",
	 "is not applied for (dibao, education, training and housing schemes are)"},
	{"urban_dibao", REJ, ID, "", "", "", "", 0, "application.note",
	 "is required for rejected (the reason)"},
	{"urban_dibao", REJ, ID, "", "income too high", "", "", 0, NULL, NULL},
	{"urban_dibao", DIST, ID, "", "", "I", "", 0, "application.class",
	 "is sent only with city_approved of a dibao scheme"},
	{"vocational", CITY, ID, "", "", "", "", 100, "application.amount_fen",
	 "is sent only with city_approved of a dibao scheme"},
	{"urban_dibao", TOWN, ID, "", "", "", "2008-03-01", 0, "application.start_date",
	 "is sent only with city_approved of a dibao scheme"},
};

static void test_check(void **state)
{
	for (size_t i = 0; i < N(check_cases); i++) {
		const struct check_case *c = &check_cases[i];
		const struct scheme *s = scheme_by_name(c->scheme);
		Assist__Application a = ASSIST__APPLICATION__INIT;
		char id[32];
		struct verdict v = {0};
		int rc;

		print_message("%s %s\n", c->scheme, appstep_name(c->step));
		assert_non_null(s);
		snprintf(id, sizeof(id), "%s", c->id);
		a.application_id = "A-1";
		a.scheme = s->scheme;
		a.step = c->step;
		a.id_number = id;
		a.household_id = (char *)c->household;
		a.note = (char *)c->note;
		a.class_ = (char *)c->class_;
		a.start_date = (char *)c->start;
		a.amount_fen = c->amount;
		a.on = "2008-02-10";
		rc = application_check(&a.base, &v);
		if (c->field == NULL) {
			assert_int_equal(rc, 0);
			continue;
		}
		assert_int_equal(rc, -EINVAL);
		assert_string_equal(v.field, c->field);
		assert_string_equal(v.reason, c->reason);
	}
}

/* ---- through the world, with a fixed clock -------------------------------- */

#define APPLICANT "420704198001010015"

static struct params *params;

/* One step of application A-1 of APPLICANT for urban dibao, from f's source. */
static int world_step(struct worldtest *f, Assist__ApplicationStep step, const char *on,
		      bool overdue, struct verdict *reject)
{
	Assist__Event ev = ASSIST__EVENT__INIT;
	Assist__Application a = ASSIST__APPLICATION__INIT;
	char id[] = APPLICANT;

	a.application_id = "A-1";
	a.id_number = id;
	a.scheme = ASSIST__SCHEME__SCHEME_URBAN_DIBAO;
	a.step = step;
	a.on = (char *)on;
	a.overdue = overdue;
	ev.kind = ASSIST__KIND__KIND_APPLICATION;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_APPLICATION;
	ev.application = &a;
	return worldtest_apply(f, &ev, reject);
}

static size_t overdue_alerts(const struct person *p, const char *ref)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n_alerts; i++)
		n += strcmp(p->alerts[i].code, APPLICATION_OVERDUE) == 0 &&
		     strcmp(p->alerts[i].ref, ref) == 0;
	return n;
}

/* A mark applied on today (assistd's source). */
static int mark(struct worldtest *f, ymd_t today, Assist__ApplicationStep step)
{
	struct verdict reject;
	char day[YMD_BUFLEN];
	int rc;

	ymd_set_today(today);
	f->ctx.source = APPLICATION_SOURCE;
	rc = world_step(f, step, ymd_format(today, day), true, &reject);
	f->ctx.source = "civil_affairs";
	ymd_set_today(0);
	return rc;
}

/* Taken on 10 January with a limit of 30 days: nothing on 9 February, the
 * alert on 10 February, and only once; the next step waits anew. */
static void test_overdue_once(void **state)
{
	struct worldtest f;
	struct verdict reject;
	struct person *p;

	assert_int_equal(policytest_params(NULL, &params), 0);
	worldtest_init(&f, params, "civil_affairs");
	assert_int_equal(world_step(&f, SUB, "2008-01-10", false, &reject), 0);
	p = strmap_get(&f.w.persons, APPLICANT);
	assert_non_null(p);
	assert_int_equal(mark(&f, ymd_make(2008, 2, 9), SUB), 0);
	assert_int_equal(overdue_alerts(p, "A-1/submitted"), 0);
	assert_int_equal(mark(&f, ymd_make(2008, 2, 10), SUB), 0);
	assert_int_equal(overdue_alerts(p, "A-1/submitted"), 1);
	assert_int_equal(f.out.n, 1);
	assert_true(application_raised(p, application_find(p, "A-1")));
	assert_int_equal(mark(&f, ymd_make(2008, 3, 1), SUB), 0);
	assert_int_equal(overdue_alerts(p, "A-1/submitted"), 1);
	assert_int_equal(f.out.n, 0);
	/* A mark for a step no longer the latest changes nothing. */
	assert_int_equal(world_step(&f, STA, "2008-03-02", false, &reject), 0);
	assert_false(application_raised(p, application_find(p, "A-1")));
	assert_int_equal(mark(&f, ymd_make(2008, 6, 1), SUB), 0);
	assert_int_equal(f.out.n, 0);
	assert_int_equal(mark(&f, ymd_make(2008, 6, 1), STA), 0);
	assert_int_equal(overdue_alerts(p, "A-1/station_checked"), 1);
	/* A department cannot raise it. */
	assert_int_equal(world_step(&f, STA, "2008-06-02", true, &reject), -EINVAL);
	assert_string_equal(reject.field, "application.overdue");
	worldtest_free(&f);
	params_free(params);
}

/* The approval without a start date enrolls from the next month's first day;
 * a step out of order changes nothing. */
static void test_approval_enrolls(void **state)
{
	static const Assist__ApplicationStep steps[] = {SUB, STA, TOWN, DIST};
	struct worldtest f;
	struct verdict reject;
	struct person *p;

	assert_int_equal(policytest_params(NULL, &params), 0);
	worldtest_init(&f, params, "civil_affairs");
	for (size_t i = 0; i < N(steps); i++)
		assert_int_equal(world_step(&f, steps[i], "2008-01-20", false, &reject), 0);
	assert_int_equal(world_step(&f, TOWN, "2008-01-21", false, &reject), -EINVAL);
	assert_string_equal(reject.field, "application.step");
	assert_non_null(strstr(reject.reason, "out_of_order_step: "));
	p = strmap_get(&f.w.persons, APPLICANT);
	assert_int_equal(p->n_enrollments, 0);
	assert_int_equal(world_step(&f, CITY, "2008-02-10", false, &reject), 0);
	assert_int_equal(p->n_enrollments, 1);
	assert_int_equal(p->enrollments[0].scheme, ASSIST__SCHEME__SCHEME_URBAN_DIBAO);
	assert_int_equal(p->enrollments[0].start, ymd_make(2008, 3, 1));
	assert_int_equal(application_find(p, "A-1")->n_steps, 5);
	worldtest_free(&f);
	params_free(params);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_transition), cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_levels),		 cmocka_unit_test(test_default_start),
		cmocka_unit_test(test_overdue),		 cmocka_unit_test(test_check),
		cmocka_unit_test(test_overdue_once),	 cmocka_unit_test(test_approval_enrolls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
