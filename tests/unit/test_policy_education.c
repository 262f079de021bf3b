/* education_aid: the amounts, ranges, eligibility and once-only rules of
 * docs/policy.md (4). */
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
	return policytest_params("education.yaml", &params);
}

static int free_params(void **state)
{
	params_free(params);
	return 0;
}

enum profile {
	URBAN,         /* enrolled in urban dibao */
	URBAN_CHILD,   /* a child whose parent's household is in urban dibao */
	URBAN_ENDED,   /* urban dibao that ended in 2008 */
	RURAL,
	ORPHAN,
	FIVE_G,
	POOR_STUDENT,
	MARGINAL,
	NOBODY,
};

static void enroll(struct person *p, Assist__Scheme scheme, const char *class_, ymd_t end)
{
	struct enrollment *e = vec_grow((void **)&p->enrollments, &p->n_enrollments,
					  &p->cap_enrollments, sizeof(*e));

	assert_non_null(e);
	e->scheme = scheme;
	snprintf(e->class_, sizeof(e->class_), "%s", class_);
	e->start = 20080101;
	e->end = end;
	e->granted = true;
}

static void add_category(struct person *p, int c)
{
	person_category(p, c)->active = true;
	person_category(p, c)->since = 20080101;
}

/* The child, and in *hh / *parent what it needs to hold its status. */
static struct person *make_child(enum profile prof, struct household **hh,
				 struct person **parent)
{
	struct person *p = person_new("420704199801010013");

	assert_non_null(p);
	*hh = NULL;
	*parent = NULL;
	switch (prof) {
	case URBAN:
		enroll(p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO, "", YMD_NONE);
		break;
	case URBAN_CHILD:
		*hh = household_new("H-1");
		*parent = person_new("420704197001010016");
		assert_non_null(*hh);
		assert_non_null(*parent);
		enroll(*parent, ASSIST__SCHEME__SCHEME_URBAN_DIBAO, "", YMD_NONE);
		assert_int_equal(household_link(*hh, *parent), 0);
		assert_int_equal(household_link(*hh, p), 0);
		break;
	case URBAN_ENDED:
		enroll(p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO, "", 20081231);
		break;
	case RURAL:
		enroll(p, ASSIST__SCHEME__SCHEME_RURAL_DIBAO, "I", YMD_NONE);
		break;
	case ORPHAN:
		add_category(p, ASSIST__CATEGORY__CATEGORY_ORPHAN);
		break;
	case FIVE_G:
		add_category(p, ASSIST__CATEGORY__CATEGORY_FIVE_GUARANTEE);
		break;
	case POOR_STUDENT:
		add_category(p, ASSIST__CATEGORY__CATEGORY_POOR_STUDENT);
		break;
	case MARGINAL:
		add_category(p, ASSIST__CATEGORY__CATEGORY_MARGINAL);
		break;
	case NOBODY:
		break;
	}
	return p;
}

#define PRIMARY ASSIST__STAGE__STAGE_PRIMARY
#define JUNIOR ASSIST__STAGE__STAGE_JUNIOR
#define SENIOR ASSIST__STAGE__STAGE_SENIOR
#define UNIVERSITY ASSIST__STAGE__STAGE_UNIVERSITY
#define MISC ASSIST__SCHEME__SCHEME_MISC_FEE_EXEMPTION
#define TEXTBOOK ASSIST__SCHEME__SCHEME_TEXTBOOK_EXEMPTION
#define TUITION ASSIST__SCHEME__SCHEME_TUITION_EXEMPTION
#define BOARDING ASSIST__SCHEME__SCHEME_BOARDING_ALLOWANCE
#define KEY_HIGH ASSIST__SCHEME__SCHEME_KEY_HIGH_SCHOOL
#define UNI_ENTRY ASSIST__SCHEME__SCHEME_UNIVERSITY_ENTRY
#define UNI_MONTHLY ASSIST__SCHEME__SCHEME_UNIVERSITY_MONTHLY
#define VOCATIONAL ASSIST__SCHEME__SCHEME_VOCATIONAL
#define HUIMIN ASSIST__SCHEME__SCHEME_HUIMIN

struct claim_case {
	Assist__Scheme scheme; /* 0 ends the list */
	Assist__Stage stage;
	const char *term;
	fen_t amount_fen;
	fen_t requested, amount; /* the ledger line wanted */
	const char *alerts;      /* exactly these codes, space-separated */
	const char *once_key;    /* recorded, or "" */
};

struct edu_case {
	const char *name;
	enum profile profile;
	struct claim_case claims[4];
};

static const struct edu_case cases[] = {
	{"misc-fee exemption 85 / 135", URBAN,
	 {{MISC, PRIMARY, "2009-spring", 0, 8500, 8500, "",
	   "education/misc_fee_exemption/2009-spring"},
	  {MISC, JUNIOR, "2009-autumn", 0, 13500, 13500, "",
	   "education/misc_fee_exemption/2009-autumn"}}},
	{"textbook exemption 35 / 70", RURAL,
	 {{TEXTBOOK, PRIMARY, "2009-spring", 0, 3500, 3500, "",
	   "education/textbook_exemption/2009-spring"},
	  {TEXTBOOK, JUNIOR, "2009-autumn", 0, 7000, 7000, "",
	   "education/textbook_exemption/2009-autumn"}}},
	{"tuition exemption 105 / 170", ORPHAN,
	 {{TUITION, PRIMARY, "2009-spring", 0, 10500, 10500, "",
	   "education/tuition_exemption/2009-spring"},
	  {TUITION, JUNIOR, "2009-autumn", 0, 17000, 17000, "",
	   "education/tuition_exemption/2009-autumn"}}},
	{"per-term exemptions are for primary and junior only", URBAN,
	 {{MISC, SENIOR, "2009-spring", 0, 0, 0, "not_eligible", ""},
	  {TUITION, UNIVERSITY, "2009-spring", 0, 0, 0, "not_eligible", ""},
	  {TEXTBOOK, ASSIST__STAGE__STAGE_UNSPECIFIED, "2009-spring", 0, 0, 0, "not_eligible",
	   ""}}},
	{"key high school 2,000, vocational 1,500", FIVE_G,
	 {{KEY_HIGH, SENIOR, "2009", 0, 200000, 200000, "", "education/key_high_school/2009"},
	  {VOCATIONAL, ASSIST__STAGE__STAGE_VOCATIONAL, "2009", 0, 150000, 150000, "",
	   "education/vocational/2009"}}},
	{"boarding 150-300: inside and at the edges", POOR_STUDENT,
	 {{BOARDING, PRIMARY, "2009", 20000, 20000, 20000, "", "education/boarding_allowance/2009"},
	  {BOARDING, PRIMARY, "2010", 15000, 15000, 15000, "", "education/boarding_allowance/2010"},
	  {BOARDING, PRIMARY, "2011", 30000, 30000, 30000, "",
	   "education/boarding_allowance/2011"}}},
	{"boarding outside its range: clipped, out_of_range", URBAN_CHILD,
	 {{BOARDING, JUNIOR, "2009", 14999, 14999, 15000, "out_of_range",
	   "education/boarding_allowance/2009"},
	  {BOARDING, JUNIOR, "2010", 30001, 30001, 30000, "out_of_range",
	   "education/boarding_allowance/2010"},
	  {BOARDING, JUNIOR, "2011", 0, 0, 15000, "out_of_range",
	   "education/boarding_allowance/2011"}}},
	{"university entry 1,000-3,000, once ever", RURAL,
	 {{UNI_ENTRY, UNIVERSITY, "2009-autumn", 50000, 50000, 100000, "out_of_range",
	   "education/university_entry"},
	  {UNI_ENTRY, UNIVERSITY, "2010-autumn", 200000, 200000, 0, "duplicate_one_time", ""}}},
	{"university entry at the top of its range", POOR_STUDENT,
	 {{UNI_ENTRY, UNIVERSITY, "2009-autumn", 300000, 300000, 300000, "",
	   "education/university_entry"},
	  {UNI_ENTRY, UNIVERSITY, "2009-autumn", 300001, 300001, 0, "duplicate_one_time", ""}}},
	{"university monthly 80-150", URBAN,
	 {{UNI_MONTHLY, UNIVERSITY, "2009-09", 8000, 8000, 8000, "",
	   "education/university_monthly/2009-09"},
	  {UNI_MONTHLY, UNIVERSITY, "2009-10", 15001, 15001, 15000, "out_of_range",
	   "education/university_monthly/2009-10"},
	  {UNI_MONTHLY, UNIVERSITY, "2009-11", 7999, 7999, 8000, "out_of_range",
	   "education/university_monthly/2009-11"},
	  {UNI_MONTHLY, UNIVERSITY, "2009-10", 12000, 12000, 0, "duplicate_one_time", ""}}},
	{"the same scheme twice for one term: duplicate_one_time", URBAN,
	 {{MISC, PRIMARY, "2009-spring", 0, 8500, 8500, "",
	   "education/misc_fee_exemption/2009-spring"},
	  {MISC, PRIMARY, "2009-spring", 0, 0, 0, "duplicate_one_time", ""},
	  {TEXTBOOK, PRIMARY, "2009-spring", 0, 3500, 3500, "",
	   "education/textbook_exemption/2009-spring"},
	  {MISC, PRIMARY, "2009-autumn", 0, 8500, 8500, "",
	   "education/misc_fee_exemption/2009-autumn"}}},
	{"not eligible: no dibao, orphan, five guarantee or poor student", NOBODY,
	 {{MISC, PRIMARY, "2009-spring", 0, 0, 0, "not_eligible", ""},
	  {BOARDING, PRIMARY, "2009", 20000, 20000, 0, "not_eligible", ""}}},
	{"not eligible: marginal only", MARGINAL,
	 {{KEY_HIGH, SENIOR, "2009", 0, 0, 0, "not_eligible", ""}}},
	{"not eligible: urban dibao ended before the claim", URBAN_ENDED,
	 {{MISC, PRIMARY, "2009-spring", 0, 0, 0, "not_eligible", ""}}},
	{"not an education scheme", URBAN,
	 {{HUIMIN, PRIMARY, "2009", 0, 0, 0, "not_eligible", ""}}},
};

static void run_claim(struct person *p, const struct claim_case *cc, ymd_t date, int i,
		      struct decisions *out)
{
	Assist__EducationAid a = ASSIST__EDUCATION_AID__INIT;
	struct policy_ctx ctx = {.params = params, .source = "education"};
	char claim[16];

	snprintf(claim, sizeof(claim), "E-%d", i + 1);
	a.claim_id = claim;
	a.id_number = p->id;
	a.scheme = cc->scheme;
	a.stage = cc->stage;
	a.term = (char *)cc->term;
	a.amount_fen = cc->amount_fen;
	decisions_clear(out);
	assert_int_equal(education_aid(&ctx, &a, date, p, out), 0);
	for (size_t k = 0; k < out->n; k++)
		decision_apply(&out->items[k]);
}

static void check_claim(const char *name, int i, const struct claim_case *cc, ymd_t date,
			const struct decisions *out)
{
	char alerts[128] = "", claim[16];
	size_t nl = 0, na = 0, len = 0;
	const char *key = "";

	snprintf(claim, sizeof(claim), "E-%d", i + 1);
	for (size_t k = 0; k < out->n; k++) {
		const struct decision *d = &out->items[k];

		switch (d->type) {
		case DEC_LEDGER:
			if (d->u.ledger.scheme != cc->scheme ||
			    d->u.ledger.requested != cc->requested ||
			    d->u.ledger.amount != cc->amount)
				fail_msg("%s, claim %d: ledger %d %" PRId64 "/%" PRId64
					 ", want %" PRId64 "/%" PRId64 " (%s)",
					 name, i + 1, d->u.ledger.scheme, d->u.ledger.requested,
					 d->u.ledger.amount, cc->requested, cc->amount,
					 d->trace.result);
			assert_string_equal(d->u.ledger.ref, claim);
			assert_int_equal(d->u.ledger.date, date);
			assert_true(d->has_trace);
			assert_string_equal(d->trace.rule, "education");
			nl++;
			break;
		case DEC_ALERT:
			len += snprintf(alerts + len, sizeof(alerts) - len, "%s%s", na ? " " : "",
					d->u.alert.code);
			assert_string_equal(d->u.alert.ref, claim);
			na++;
			break;
		case DEC_ONCE_KEY:
			key = d->u.once_key;
			break;
		default:
			fail_msg("%s, claim %d: unexpected decision type %d", name, i + 1, d->type);
		}
	}
	if (nl != 1)
		fail_msg("%s, claim %d: %zu ledger lines, want 1", name, i + 1, nl);
	if (strcmp(alerts, cc->alerts) != 0)
		fail_msg("%s, claim %d: alerts \"%s\", want \"%s\"", name, i + 1, alerts,
			 cc->alerts);
	if (strcmp(key, cc->once_key) != 0)
		fail_msg("%s, claim %d: once key \"%s\", want \"%s\"", name, i + 1, key,
			 cc->once_key);
}

static void test_cases(void **state)
{
	struct decisions out = {0};

	for (size_t c = 0; c < N(cases); c++) {
		struct household *hh;
		struct person *parent;
		struct person *p = make_child(cases[c].profile, &hh, &parent);

		for (int i = 0; i < (int)N(cases[c].claims) && cases[c].claims[i].scheme != 0;
		     i++) {
			run_claim(p, &cases[c].claims[i], 20090301, i, &out);
			check_claim(cases[c].name, i, &cases[c].claims[i], 20090301, &out);
		}
		person_free(p);
		person_free(parent);
		household_free(hh);
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

static const struct decision *ledger_of(const struct decisions *out)
{
	for (size_t k = 0; k < out->n; k++) {
		if (out->items[k].type == DEC_LEDGER)
			return &out->items[k];
	}
	fail_msg("no ledger decision");
	return NULL;
}

/* The education event has no date: the dispatcher's, else the latest dated
 * event's, else today's, and the trace says which. */
static void test_date(void **state)
{
	static const struct claim_case misc = {MISC, PRIMARY, "2009-spring", 0, 8500, 8500, "",
					       ""};
	struct decisions out = {0};
	struct person *p = person_new("420704199801010013");
	const struct decision *d;
	char want[64], buf[YMD_BUFLEN];

	enroll(p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO, "", YMD_NONE);
	run_claim(p, &misc, 20090301, 0, &out);
	d = ledger_of(&out);
	assert_string_equal(input_of(&d->trace, "date"), "2009-03-01 (from the event)");
	assert_int_equal(d->u.ledger.date, 20090301);

	p->latest_date = 20100415;
	run_claim(p, &(struct claim_case){MISC, PRIMARY, "2010-spring", 0, 0, 0, "", ""}, 0, 1,
		  &out);
	d = ledger_of(&out);
	assert_string_equal(input_of(&d->trace, "date"), "2010-04-15 (latest dated event)");
	assert_int_equal(d->u.ledger.date, 20100415);
	assert_int_equal(d->u.ledger.amount, 8500);

	p->latest_date = YMD_NONE;
	run_claim(p, &(struct claim_case){MISC, PRIMARY, "2010-autumn", 0, 0, 0, "", ""}, 0, 2,
		  &out);
	d = ledger_of(&out);
	snprintf(want, sizeof(want), "%s (today)", ymd_format(ymd_today(), buf));
	assert_string_equal(input_of(&d->trace, "date"), want);
	assert_int_equal(d->u.ledger.amount, 8500);
	person_free(p);
	decisions_free(&out);
}

/* Through the dispatcher: a term's leading year dates the claim only when it
 * is a year a date may have (the store reads it back); else the event's time. */
static void test_term_year(void **state)
{
	static const struct {
		const char *term;
		ymd_t want;
	} terms[] = {
		{"2009-autumn", 20090101},
		{"2199", 21990101},
		{"4052-spring", 20260305}, /* past 2199: occurred_at */
		{"1899-spring", 20260305},
		{"0000", 20260305},
		{"20x9", 20260305},
	};
	struct policy_ctx ctx = {.params = params, .source = "education"};
	struct decisions out = {0};
	struct person *p = person_new("420704199801010013");

	enroll(p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO, "", YMD_NONE);
	for (size_t i = 0; i < N(terms); i++) {
		Assist__Event ev = ASSIST__EVENT__INIT;
		Assist__EducationAid a = ASSIST__EDUCATION_AID__INIT;
		char claim[16];

		snprintf(claim, sizeof(claim), "T-%zu", i + 1);
		a.claim_id = claim;
		a.id_number = p->id;
		a.scheme = MISC;
		a.stage = PRIMARY;
		a.term = (char *)terms[i].term;
		ev.kind = ASSIST__KIND__KIND_EDUCATION_AID;
		ev.payload_case = ASSIST__EVENT__PAYLOAD_EDUCATION_AID;
		ev.education_aid = &a;
		ev.occurred_at = "2026-03-05T08:00:00Z";
		decisions_clear(&out);
		assert_int_equal(policy_event(&ctx, &ev, p, NULL, &out), 0);
		if (ledger_of(&out)->u.ledger.date != terms[i].want)
			fail_msg("term %s: dated %d, want %d", terms[i].term,
				 ledger_of(&out)->u.ledger.date, terms[i].want);
	}
	person_free(p);
	decisions_free(&out);
}

static void test_trace(void **state)
{
	static const struct claim_case boarding = {BOARDING, JUNIOR, "2009", 40000, 0, 0, "", ""};
	struct decisions out = {0};
	struct person *p = person_new("420704199801010013");
	const struct decision *d;

	add_category(p, ASSIST__CATEGORY__CATEGORY_ORPHAN);
	run_claim(p, &boarding, 20090301, 0, &out);
	d = ledger_of(&out);
	assert_int_equal(d->trace.n_params, 2);
	assert_string_equal(d->trace.params[0].name, "education.boarding.min");
	assert_int_equal(d->trace.params[0].value, 15000);
	assert_int_equal(d->trace.params[0].effective, 20080101);
	assert_string_equal(d->trace.params[1].name, "education.boarding.max");
	assert_int_equal(d->trace.params[1].value, 30000);
	assert_string_equal(d->trace.params[1].unit, "fen");
	assert_string_equal(input_of(&d->trace, "eligible_as"), "orphan");
	assert_string_equal(input_of(&d->trace, "amount_fen"), "40000");
	assert_string_equal(d->trace.result,
			    "requested 40000 outside 15000-30000: clipped to 30000");
	assert_true(d->u.ledger.clipped);

	run_claim(p, &boarding, 20090301, 1, &out);
	d = ledger_of(&out);
	assert_string_equal(d->trace.result, "already paid (education/boarding_allowance/2009): 0");
	person_free(p);
	decisions_free(&out);
}

static void test_param_names(void **state)
{
	size_t n = policytest_names_in_force(params, education_param_names, 20080101);
	assert_int_equal(params_count(params), n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_term_year),
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_param_names),
	};

	return cmocka_run_group_tests(tests, load_params, free_params);
}
