/* training_claim: the programs of docs/policy.md (6)-(8), at
 * every boundary: the 6-month window, 90 days, ages 16 and 45, the Sunshine
 * day bands, once per person and program. */
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

static struct params *params;

static int load_params(void **state)
{
	return policytest_params("training.yaml", &params);
}

static int free_params(void **state)
{
	params_free(params);
	return 0;
}

/* A person born on birth (YYYYMMDD) with a valid ID number. */
static struct person *make_person(ymd_t birth, Assist__Hukou hukou, Assist__Area area)
{
	char id[IDNUM_BUFLEN];
	struct person *p;

	snprintf(id, sizeof(id), "420704%08d001", (int)birth);
	id[17] = idnum_check_char(id);
	id[18] = '\0';
	assert_int_equal(idnum_validate(id, NULL, NULL), 0);
	p = person_new(id);
	assert_non_null(p);
	p->hukou = hukou;
	p->area = area;
	return p;
}

#define VOC ASSIST__PROGRAM__PROGRAM_VOCATIONAL
#define ENT ASSIST__PROGRAM__PROGRAM_ENTREPRENEURSHIP
#define POV ASSIST__PROGRAM__PROGRAM_POVERTY_ALLEVIATION
#define SUN ASSIST__PROGRAM__PROGRAM_SUNSHINE
#define CITY ASSIST__AREA__AREA_CITY
#define DISTRICT ASSIST__AREA__AREA_DISTRICT
#define NO_AREA ASSIST__AREA__AREA_UNSPECIFIED
#define RURAL ASSIST__HUKOU__HUKOU_RURAL
#define URBAN ASSIST__HUKOU__HUKOU_URBAN

struct tr_case {
	const char *name;
	ymd_t birth;
	Assist__Hukou hukou;
	Assist__Area person_area;
	Assist__Program program;
	Assist__Area locality;
	const char *started_on, *completed_on, *employed_on;
	int days;
	fen_t amount;
	const char *alert; /* "" or the one alert code */
};

#define B30 19790101 /* 30 in 2009 */

static const struct tr_case cases[] = {
	/* Vocational: the 6-month window, city or district. */
	{"employed on the day of completion", B30, URBAN, NO_AREA, VOC, CITY, "2009-01-05",
	 "2009-03-31", "2009-03-31", 80, 60000, ""},
	{"employed the day before completion", B30, URBAN, NO_AREA, VOC, CITY, "2009-01-05",
	 "2009-03-31", "2009-03-30", 80, 0, "not_eligible"},
	{"employed 6 months after (31 March + 6 = 30 September)", B30, URBAN, NO_AREA, VOC,
	 DISTRICT, "2009-01-05", "2009-03-31", "2009-09-30", 80, 50000, ""},
	{"employed the day after the window", B30, URBAN, NO_AREA, VOC, DISTRICT, "2009-01-05",
	 "2009-03-31", "2009-10-01", 80, 0, "not_eligible"},
	{"employed exactly 6 months later to the day", B30, URBAN, NO_AREA, VOC, CITY,
	 "2008-11-01", "2009-01-15", "2009-07-15", 80, 60000, ""},
	{"employed 6 months and a day later", B30, URBAN, NO_AREA, VOC, CITY, "2008-11-01",
	 "2009-01-15", "2009-07-16", 80, 0, "not_eligible"},
	{"never employed", B30, URBAN, NO_AREA, VOC, CITY, "2008-11-01", "2009-01-15", "", 80, 0,
	 "not_eligible"},
	{"no locality: the person's area", B30, URBAN, DISTRICT, VOC, NO_AREA, "2008-11-01",
	 "2009-01-15", "2009-02-01", 80, 50000, ""},
	{"no locality and no area", B30, URBAN, NO_AREA, VOC, NO_AREA, "2008-11-01", "2009-01-15",
	 "2009-02-01", 80, 0, "not_eligible"},
	/* Entrepreneurship: 90 days or more. */
	{"entrepreneurship 90 days, city", B30, URBAN, NO_AREA, ENT, CITY, "2009-01-01",
	 "2009-04-01", "", 90, 120000, ""},
	{"entrepreneurship 120 days, district", B30, URBAN, NO_AREA, ENT, DISTRICT, "2009-01-01",
	 "2009-05-01", "", 120, 100000, ""},
	{"entrepreneurship 89 days", B30, URBAN, NO_AREA, ENT, CITY, "2009-01-01", "2009-03-31",
	 "", 89, 0, "not_eligible"},
	/* Poverty alleviation: aged 16-45 when the training starts. */
	{"poverty: 16 on the first day", 19930615, RURAL, NO_AREA, POV, NO_AREA, "2009-06-15",
	 "2009-07-15", "", 30, 60000, ""},
	{"poverty: 15, a day short of 16", 19930615, RURAL, NO_AREA, POV, NO_AREA, "2009-06-14",
	 "2009-07-15", "", 30, 0, "not_eligible"},
	{"poverty: 45 on the last day before 46", 19630615, RURAL, NO_AREA, POV, NO_AREA,
	 "2009-06-14", "2009-07-15", "", 30, 60000, ""},
	{"poverty: 46", 19630615, RURAL, NO_AREA, POV, NO_AREA, "2009-06-15", "2009-07-15", "", 30,
	 0, "not_eligible"},
	/* Sunshine: rural hukou, 16-45, day bands. */
	{"sunshine 19 days", B30, RURAL, NO_AREA, SUN, NO_AREA, "2009-03-01", "2009-03-19", "", 19,
	 0, "not_eligible"},
	{"sunshine 20 days", B30, RURAL, NO_AREA, SUN, NO_AREA, "2009-03-01", "2009-03-20", "", 20,
	 12300, ""},
	{"sunshine 30 days", B30, RURAL, NO_AREA, SUN, NO_AREA, "2009-03-01", "2009-03-30", "", 30,
	 12300, ""},
	{"sunshine 31 days", B30, RURAL, NO_AREA, SUN, NO_AREA, "2009-03-01", "2009-03-31", "", 31,
	 30000, ""},
	{"sunshine 60 days", B30, RURAL, NO_AREA, SUN, NO_AREA, "2009-03-01", "2009-04-29", "", 60,
	 30000, ""},
	{"sunshine 61 days", B30, RURAL, NO_AREA, SUN, NO_AREA, "2009-03-01", "2009-04-30", "", 61,
	 50000, ""},
	{"sunshine for urban hukou", B30, URBAN, NO_AREA, SUN, NO_AREA, "2009-03-01", "2009-04-30",
	 "", 61, 0, "not_eligible"},
	{"sunshine at 16", 19930615, RURAL, NO_AREA, SUN, NO_AREA, "2009-06-15", "2009-07-30", "",
	 45, 30000, ""},
	{"sunshine at 15", 19930615, RURAL, NO_AREA, SUN, NO_AREA, "2009-06-14", "2009-07-30", "",
	 45, 0, "not_eligible"},
	{"sunshine at 45", 19630615, RURAL, NO_AREA, SUN, NO_AREA, "2009-06-14", "2009-07-30", "",
	 45, 30000, ""},
	{"sunshine at 46", 19630615, RURAL, NO_AREA, SUN, NO_AREA, "2009-06-15", "2009-07-30", "",
	 45, 0, "not_eligible"},
};

static Assist__Scheme scheme_of(Assist__Program program)
{
	switch (program) {
	case VOC:
		return ASSIST__SCHEME__SCHEME_VOCATIONAL_TRAINING;
	case ENT:
		return ASSIST__SCHEME__SCHEME_ENTREPRENEURSHIP_TRAINING;
	case POV:
		return ASSIST__SCHEME__SCHEME_POVERTY_TRAINING;
	default:
		return ASSIST__SCHEME__SCHEME_SUNSHINE_TRAINING;
	}
}

/* Run one claim dated as the dispatcher dates it, and apply the outcome. */
static void run_claim(struct person *p, const struct tr_case *tc, const char *claim,
		      struct decisions *out)
{
	Assist__Training t = ASSIST__TRAINING__INIT;
	struct policy_ctx ctx = {.params = params, .source = "labor"};
	ymd_t date;

	t.claim_id = (char *)claim;
	t.id_number = p->id;
	t.program = tc->program;
	t.locality = tc->locality;
	t.started_on = (char *)tc->started_on;
	t.completed_on = (char *)tc->completed_on;
	t.employed_on = (char *)tc->employed_on;
	t.days = tc->days;
	assert_int_equal(ymd_parse(tc->completed_on, &date), 0);
	decisions_clear(out);
	assert_int_equal(training_claim(&ctx, &t, date, p, out), 0);
	for (size_t k = 0; k < out->n; k++)
		decision_apply(&out->items[k]);
}

/* Exactly one ledger line of amount, the alert wanted, and a once key
 * exactly when something was paid. */
static void check_claim(const char *name, const struct tr_case *tc, fen_t amount,
			const char *alert, const char *claim, const struct decisions *out)
{
	size_t nl = 0, na = 0, nk = 0;

	for (size_t k = 0; k < out->n; k++) {
		const struct decision *d = &out->items[k];

		switch (d->type) {
		case DEC_LEDGER:
			if (d->u.ledger.amount != amount)
				fail_msg("%s: paid %" PRId64 ", want %" PRId64 " (%s)", name,
					 d->u.ledger.amount, amount, d->trace.result);
			assert_int_equal(d->u.ledger.scheme, scheme_of(tc->program));
			assert_string_equal(d->u.ledger.ref, claim);
			assert_true(d->has_trace);
			assert_string_equal(d->trace.rule, "training");
			nl++;
			break;
		case DEC_ALERT:
			if (strcmp(d->u.alert.code, alert) != 0)
				fail_msg("%s: alert %s, want \"%s\" (%s)", name, d->u.alert.code,
					 alert, d->u.alert.message);
			na++;
			break;
		case DEC_ONCE_KEY:
			nk++;
			break;
		default:
			fail_msg("%s: unexpected decision type %d", name, d->type);
		}
	}
	if (nl != 1 || na != (alert[0] != '\0') || nk != (amount > 0))
		fail_msg("%s: %zu ledger lines, %zu alerts, %zu once keys", name, nl, na, nk);
}

static void test_cases(void **state)
{
	struct decisions out = {0};

	for (size_t i = 0; i < N(cases); i++) {
		const struct tr_case *tc = &cases[i];
		struct person *p = make_person(tc->birth, tc->hukou, tc->person_area);

		run_claim(p, tc, "T-1", &out);
		check_claim(tc->name, tc, tc->amount, tc->alert, "T-1", &out);
		person_free(p);
	}
	decisions_free(&out);
}

/* Every program once per person; a refused claim does not use the once. */
static void test_once(void **state)
{
	static const struct {
		size_t first, second; /* indexes into cases */
		fen_t amount;
		const char *alert;
	} seq[] = {
		{0, 0, 0, "duplicate_one_time"},  /* vocational twice */
		{0, 2, 0, "duplicate_one_time"},  /* vocational, city then district */
		{9, 10, 0, "duplicate_one_time"}, /* entrepreneurship twice */
		{12, 12, 0, "duplicate_one_time"}, /* poverty twice */
		{17, 21, 0, "duplicate_one_time"}, /* sunshine 20 then 61 days */
		{16, 17, 12300, ""},              /* sunshine 19 days refused, then 20 paid */
		{1, 0, 60000, ""},                /* vocational refused, then paid */
		{0, 9, 120000, ""},               /* another program */
	};
	struct decisions out = {0};

	for (size_t i = 0; i < N(seq); i++) {
		const struct tr_case *a = &cases[seq[i].first], *b = &cases[seq[i].second];
		struct person *p = make_person(a->birth, a->hukou, a->person_area);

		run_claim(p, a, "T-1", &out);
		run_claim(p, b, "T-2", &out);
		check_claim(b->name, b, seq[i].amount, seq[i].alert, "T-2", &out);
		person_free(p);
	}
	decisions_free(&out);
}

static const char *input_of(const struct trace *t, const char *name)
{
	for (int i = 0; i < t->n_inputs; i++) {
		if (strcmp(t->inputs[i].name, name) == 0)
			return t->inputs[i].value;
	}
	fail_msg("%s: input %s not in the trace", t->rule, name);
	return NULL;
}

static void test_trace(void **state)
{
	struct decisions out = {0};
	struct person *p = make_person(19630615, RURAL, NO_AREA);
	const struct decision *d;

	run_claim(p, &cases[26], "T-1", &out); /* sunshine at 46 */
	d = &out.items[0];
	assert_int_equal(d->type, DEC_LEDGER);
	assert_string_equal(input_of(&d->trace, "age"), "46 on 2009-06-15");
	assert_string_equal(d->trace.result, "aged 46, not 16-45: 0");
	assert_string_equal(d->trace.params[0].name, "training.sunshine.age_min");
	assert_int_equal(d->trace.params[1].value, 45);
	assert_string_equal(d->trace.params[1].unit, "years");
	assert_int_equal(d->trace.params[1].effective, 20080101);
	person_free(p);

	p = make_person(B30, URBAN, NO_AREA);
	run_claim(p, &cases[3], "T-1", &out); /* employed the day after the window */
	d = &out.items[0];
	assert_string_equal(d->trace.result,
			    "employed on 2009-10-01, not between 2009-03-31 and 2009-09-30: 0");
	assert_string_equal(d->u.ledger.reason,
			    "employed on 2009-10-01, not between 2009-03-31 and 2009-09-30");
	run_claim(p, &cases[2], "T-2", &out);
	d = &out.items[0];
	assert_string_equal(input_of(&d->trace, "locality"), "district (training)");
	assert_string_equal(d->trace.result, "vocational training: one-time 50000");
	person_free(p);
	decisions_free(&out);
}

static void test_param_names(void **state)
{
	size_t n = policytest_names_in_force(params, training_param_names, 20080101);
	assert_int_equal(params_count(params), n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_once),
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_param_names),
	};

	return cmocka_run_group_tests(tests, load_params, free_params);
}
