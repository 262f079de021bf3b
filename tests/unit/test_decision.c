/* decision_apply (the one place a rule's outcome changes a person), traces,
 * and the glue in policy.c: caps, parameter check, the deceased rule,
 * non-dibao enrollments. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/appstep.h"
#include "fund.h"
#include "policy/rules.h"
#include "policytest.h"

static struct params *load(const char *yaml)
{
	struct params *ps = NULL;
	char err[256];

	if (params_load_string(yaml, "test.yaml", &ps, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	return ps;
}

static struct decision ledger(struct person *p, Assist__Scheme scheme, const char *date,
			      fen_t amount)
{
	struct decision d;

	memset(&d, 0, sizeof(d));
	d.type = DEC_LEDGER;
	d.person = p;
	snprintf(d.u.ledger.ref, sizeof(d.u.ledger.ref), "C-1");
	d.u.ledger.scheme = scheme;
	assert_int_equal(ymd_parse(date, &d.u.ledger.date), 0);
	d.u.ledger.amount = amount;
	return d;
}

/* ---- ledger -> year-to-date totals ---------------------------------------- */

struct ytd_case {
	Assist__Scheme scheme;
	/* huimin, ncms, insurer, medical_assistance, temporary, chronic, vagrant */
	fen_t expect[7];
	bool counted; /* a year row appears */
};

static const struct ytd_case ytd_cases[] = {
	{ASSIST__SCHEME__SCHEME_HUIMIN, {1000, 0, 1000, 0, 0, 0, 0}, true},
	{ASSIST__SCHEME__SCHEME_NCMS, {0, 1000, 1000, 0, 0, 0, 0}, true},
	{ASSIST__SCHEME__SCHEME_WORKER_INSURANCE, {0, 0, 1000, 0, 0, 0, 0}, true},
	{ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE, {0, 0, 0, 1000, 0, 0, 0}, true},
	{ASSIST__SCHEME__SCHEME_TEMPORARY_MEDICAL, {0, 0, 0, 0, 1000, 0, 0}, true},
	{ASSIST__SCHEME__SCHEME_CHRONIC_QUOTA, {0, 0, 0, 0, 0, 1000, 0}, true},
	{ASSIST__SCHEME__SCHEME_VAGRANT_MEDICAL, {0, 0, 0, 0, 0, 0, 1000}, true},
	{ASSIST__SCHEME__SCHEME_MISC_FEE_EXEMPTION, {0}, false},
	{ASSIST__SCHEME__SCHEME_VOCATIONAL_TRAINING, {0}, false},
	{ASSIST__SCHEME__SCHEME_RURAL_NEW_BUILD, {0}, false},
	{ASSIST__SCHEME__SCHEME_URBAN_DIBAO, {0}, false},
};

static void test_ytd_mapping(void **state)
{
	for (size_t i = 0; i < sizeof(ytd_cases) / sizeof(ytd_cases[0]); i++) {
		const struct ytd_case *c = &ytd_cases[i];
		struct person *p = person_new("420704198001010011");
		struct decision d = ledger(p, c->scheme, "2009-05-01", 1000);
		const struct ytd *y;

		print_message("case %zu: scheme %d\n", i, (int)c->scheme);
		assert_true(decision_apply(&d));
		/* The stored form holds the counters, not the ledger. */
		assert_int_equal(p->dirty, c->counted);
		assert_int_equal(p->booked, !c->counted);
		assert_int_equal(p->n_ledger, 1);
		assert_int_equal(p->ledger[0].amount, 1000);
		assert_string_equal(p->ledger[0].ref, "C-1");
		y = person_ytd_find(p, 2009);
		if (!c->counted) {
			assert_null(y);
		} else {
			assert_non_null(y);
			assert_int_equal(y->totals[scheme_ytd(ASSIST__SCHEME__SCHEME_HUIMIN)], c->expect[0]);
			assert_int_equal(y->totals[scheme_ytd(ASSIST__SCHEME__SCHEME_NCMS)], c->expect[1]);
			assert_int_equal(y->totals[SCHEME_YTD_INSURER], c->expect[2]);
			assert_int_equal(y->totals[scheme_ytd(ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE)], c->expect[3]);
			assert_int_equal(y->totals[scheme_ytd(ASSIST__SCHEME__SCHEME_TEMPORARY_MEDICAL)], c->expect[4]);
			assert_int_equal(y->totals[scheme_ytd(ASSIST__SCHEME__SCHEME_CHRONIC_QUOTA)], c->expect[5]);
			assert_int_equal(y->totals[scheme_ytd(ASSIST__SCHEME__SCHEME_VAGRANT_MEDICAL)], c->expect[6]);
			assert_int_equal(y->totals[SCHEME_YTD_MEDICAL_TOTAL], 0);
		}
		person_free(p);
	}
}

static void test_ytd_by_year(void **state)
{
	struct person *p = person_new("420704198001010011");
	struct decision a = ledger(p, ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE, "2009-12-31", 300);
	struct decision b = ledger(p, ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE, "2010-01-01", 500);
	struct decision c = ledger(p, ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE, "2009-02-01", 200);
	struct decision bill = {.type = DEC_BILL, .person = p};

	assert_true(decision_apply(&a));
	assert_true(decision_apply(&b));
	assert_true(decision_apply(&c));
	assert_int_equal(person_ytd_find(p, 2009)->totals[scheme_ytd(ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE)], 500);
	assert_int_equal(person_ytd_find(p, 2010)->totals[scheme_ytd(ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE)], 500);
	assert_int_equal(p->n_ledger, 3);

	bill.u.bill.date = 20100301;
	bill.u.bill.total = 1019500;
	assert_true(decision_apply(&bill));
	assert_true(decision_apply(&bill));
	assert_int_equal(person_ytd_find(p, 2010)->totals[SCHEME_YTD_MEDICAL_TOTAL], 2039000);
	assert_int_equal(person_ytd_find(p, 2009)->totals[SCHEME_YTD_MEDICAL_TOTAL], 0);
	bill.u.bill.total = 0;
	p->dirty = false;
	assert_false(decision_apply(&bill));
	assert_false(p->dirty);
	person_free(p);
}

/* ---- rows that are replaced ----------------------------------------------- */

static void test_benefit_replace(void **state)
{
	struct person *p = person_new("420704198001010011");
	struct decision d = {.type = DEC_BENEFIT, .person = p};

	d.u.benefit.scheme = ASSIST__SCHEME__SCHEME_URBAN_DIBAO;
	d.u.benefit.monthly = 8500;
	d.u.benefit.active = true;
	d.u.benefit.since = 20090101;
	assert_true(decision_apply(&d));
	p->dirty = false;
	assert_false(decision_apply(&d));
	assert_false(p->dirty);
	d.u.benefit.monthly = 8600;
	assert_true(decision_apply(&d));
	assert_true(p->dirty);
	assert_int_equal(p->n_benefits, 1);
	assert_int_equal(p->benefits[0].monthly, 8600);
	d.u.benefit.scheme = ASSIST__SCHEME__SCHEME_RURAL_DIBAO;
	assert_true(decision_apply(&d));
	assert_int_equal(p->n_benefits, 2);
	person_free(p);
}

static void test_enrollment_replace(void **state)
{
	struct person *p = person_new("420704198001010011");
	struct decision d = {.type = DEC_ENROLLMENT, .person = p};

	d.u.enrollment.scheme = ASSIST__SCHEME__SCHEME_RURAL_DIBAO;
	d.u.enrollment.start = 20090101;
	d.u.enrollment.granted = true;
	snprintf(d.u.enrollment.class_, sizeof(d.u.enrollment.class_), "II");
	assert_true(decision_apply(&d));
	assert_false(decision_apply(&d));
	d.u.enrollment.granted = false; /* same scheme and start: replaces */
	assert_true(decision_apply(&d));
	assert_int_equal(p->n_enrollments, 1);
	assert_false(p->enrollments[0].granted);
	d.u.enrollment.start = 20100101; /* another start: one per scheme, replaces */
	assert_true(decision_apply(&d));
	assert_int_equal(p->n_enrollments, 1);
	assert_int_equal(p->enrollments[0].start, 20100101);
	d.u.enrollment.scheme = ASSIST__SCHEME__SCHEME_URBAN_DIBAO; /* another scheme: adds */
	assert_true(decision_apply(&d));
	assert_int_equal(p->n_enrollments, 2);
	person_free(p);
}

static void test_entitlements_unchanged(void **state)
{
	struct person *p = person_new("420704198001010011");
	struct decision d = {.type = DEC_ENTITLEMENTS, .person = p};

	d.u.entitlements.n = 2;
	d.u.entitlements.items[0].scheme = ASSIST__SCHEME__SCHEME_HUIMIN;
	d.u.entitlements.items[0].eligible = true;
	d.u.entitlements.items[0].reason = "urban dibao";
	d.u.entitlements.items[1].scheme = ASSIST__SCHEME__SCHEME_NCMS;
	d.u.entitlements.items[1].reason = "no";
	assert_true(decision_apply(&d));
	assert_int_equal(p->n_entitlements, 2);
	p->dirty = false;
	assert_false(decision_apply(&d));
	assert_false(p->dirty);
	/* A changed reason is a change. */
	d.u.entitlements.items[1].reason = "not in rural dibao";
	assert_true(decision_apply(&d));
	assert_string_equal(p->entitlements[1].reason, "not in rural dibao");
	/* A shorter list replaces the longer one. */
	d.u.entitlements.n = 1;
	assert_true(decision_apply(&d));
	assert_int_equal(p->n_entitlements, 1);
	person_free(p);
}

static void test_alert_and_once_key(void **state)
{
	struct person *p = person_new("420704198001010011");
	struct decisions out = {0};
	struct decision k = {.type = DEC_ONCE_KEY, .person = p};

	assert_int_equal(rules_alert(&out, p, "cap_reached", ASSIST__SCHEME__SCHEME_HUIMIN, "C-9",
				     "cap %d reached", 2000000),
			 0);
	assert_int_equal(rules_alert(&out, p, "cap_reached", ASSIST__SCHEME__SCHEME_HUIMIN, NULL,
				     "again"),
			 0);
	assert_int_equal(out.n, 2);
	assert_true(decision_apply(&out.items[0]));
	assert_true(decision_apply(&out.items[1]));
	assert_int_equal(p->n_alerts, 2);
	assert_string_equal(p->alerts[0].code, "cap_reached");
	assert_string_equal(p->alerts[0].ref, "C-9");
	assert_string_equal(p->alerts[0].message, "cap 2000000 reached");
	assert_string_equal(p->alerts[1].ref, "");
	decisions_clear(&out);
	assert_int_equal(out.n, 0);
	decisions_free(&out);

	snprintf(k.u.once_key, sizeof(k.u.once_key), "training/vocational");
	assert_true(decision_apply(&k));
	assert_false(decision_apply(&k));
	assert_true(person_has_once_key(p, "training/vocational"));
	person_free(p);
}

/* ---- traces ---------------------------------------------------------------- */

static const char two_values[] = "a.b:\n"
				 "  unit: fen\n"
				 "  clause: \"test clause\"\n"
				 "  values:\n"
				 "    2008-01-01: 100\n"
				 "    2010-01-01: 200\n";

static void test_trace_param(void **state)
{
	struct params *ps = load(two_values);
	struct trace t;

	trace_init(&t, "test.rule");
	assert_string_equal(t.rule, "test.rule");
	assert_int_equal(trace_param(&t, ps, "a.b", 20091231), 100);
	assert_int_equal(trace_param(&t, ps, "a.b", 20091231), 100); /* recorded once */
	assert_int_equal(trace_param(&t, ps, "a.b", 20100101), 200);
	assert_int_equal(t.n_params, 2);
	assert_int_equal(t.params[0].effective, 20080101);
	assert_int_equal(t.params[1].effective, 20100101);
	assert_int_equal(t.params[1].value, 200);
	assert_string_equal(t.params[1].clause, "test clause");
	assert_string_equal(t.params[1].unit, "fen");
	/* Not in force yet, or unknown: 0, and not recorded. */
	assert_int_equal(trace_param(&t, ps, "a.b", 20071231), 0);
	assert_int_equal(trace_param(&t, ps, "no.such", 20100101), 0);
	assert_int_equal(t.n_params, 2);
	trace_input(&t, "total_fen", "%d", 1000000);
	trace_result(&t, "granted %d", 5);
	assert_string_equal(t.inputs[0].name, "total_fen");
	assert_string_equal(t.inputs[0].value, "1000000");
	assert_string_equal(t.result, "granted 5");
	params_free(ps);
}

static void test_trace_full(void **state)
{
	char yaml[4096] = "";
	struct params *ps;
	struct trace t;

	for (int i = 0; i < TRACE_MAX_PARAMS + 3; i++) {
		char one[128];

		snprintf(one, sizeof(one),
			 "p%d:\n  unit: count\n  clause: \"c\"\n  values:\n    2008-01-01: %d\n", i,
			 i + 1);
		strcat(yaml, one);
	}
	ps = load(yaml);
	trace_init(&t, "test.full");
	for (int i = 0; i < TRACE_MAX_PARAMS + 3; i++) {
		char name[16];

		snprintf(name, sizeof(name), "p%d", i);
		assert_int_equal(trace_param(&t, ps, name, 20090101), i + 1);
	}
	assert_int_equal(t.n_params, TRACE_MAX_PARAMS);
	for (int i = 0; i < TRACE_MAX_INPUTS + 2; i++)
		trace_input(&t, "x", "%d", i);
	assert_int_equal(t.n_inputs, TRACE_MAX_INPUTS);
	params_free(ps);
}

/* ---- policy.c ------------------------------------------------------------- */

static const char caps_yaml[] = "medical.huimin.cap:\n"
				"  unit: fen\n"
				"  clause: \"c\"\n"
				"  values:\n"
				"    2008-01-01: 2000000\n"
				"medical.assistance.cap:\n"
				"  unit: fen\n"
				"  clause: \"c\"\n"
				"  values:\n"
				"    2008-01-01: 800000\n"
				"medical.assistance.cap_special:\n"
				"  unit: fen\n"
				"  clause: \"c\"\n"
				"  values:\n"
				"    2008-01-01: 1000000\n";

static void test_caps(void **state)
{
	static const struct {
		int category;
		fen_t ma_cap;
	} cases[] = {
		{0, 800000},
		{ASSIST__CATEGORY__CATEGORY_THREE_NOES, 1000000},
		{ASSIST__CATEGORY__CATEGORY_FIVE_GUARANTEE, 1000000},
		{ASSIST__CATEGORY__CATEGORY_ENTITLED_GROUP, 800000},
	};
	struct params *ps = load(caps_yaml);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct person *p = person_new("420704198001010011");
		Assist__Ytd y = ASSIST__YTD__INIT;

		if (cases[i].category != 0)
			person_category(p, cases[i].category)->active = true;
		policy_caps(ps, p, 2009, &y);
		assert_int_equal(y.huimin_cap_fen, 2000000);
		assert_int_equal(y.medical_assistance_cap_fen, cases[i].ma_cap);
		policy_caps(ps, p, 2007, &y);
		assert_int_equal(y.huimin_cap_fen, 0);
		person_free(p);
	}
	params_free(ps);
}

static void test_check_params(void **state)
{
	struct params *ps = load(caps_yaml);
	char err[128] = "";

	/* The dibao names are walked first. */
	assert_int_equal(policy_check_params(ps, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "missing policy parameter dibao.urban.standard.city");
	params_free(ps);
}

/* The shipped configuration holds every parameter the rules read. */
static void test_shipped_params(void **state)
{
	struct person *p = person_new("420704198001010011");
	struct params *ps = NULL;
	char err[256] = "";
	Assist__Ytd y = ASSIST__YTD__INIT;

	assert_int_equal(policytest_params(NULL, &ps), 0);
	if (policy_check_params(ps, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	policy_caps(ps, p, 2009, &y);
	assert_int_equal(y.huimin_cap_fen, 2000000);
	assert_int_equal(y.medical_assistance_cap_fen, 800000);
	person_category(p, ASSIST__CATEGORY__CATEGORY_THREE_NOES)->active = true;
	policy_caps(ps, p, 2009, &y);
	assert_int_equal(y.medical_assistance_cap_fen, 1000000);
	person_free(p);
	params_free(ps);
}

/* No shipped parameter goes unread: every name in config/policy is one a
 * rule lists, and no rule lists a name twice. */
static void test_shipped_params_all_read(void **state)
{
	static const char *const *const lists[] = {
		dibao_param_names,     entitlements_param_names, medical_param_names,
		education_param_names, training_param_names,     housing_param_names,
		appstep_param_names,
	};
	struct params *ps = NULL;
	struct param_value pv;
	size_t n = 0;

	assert_int_equal(policytest_params(NULL, &ps), 0);
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		for (const char *const *name = lists[i]; *name != NULL; name++, n++) {
			if (params_get(ps, *name, 20080101, &pv) != 0)
				fail_msg("%s: not in force on 2008-01-01", *name);
			for (size_t j = 0; j <= i; j++) {
				for (const char *const *o = lists[j]; *o != NULL && o != name; o++) {
					if (strcmp(*o, *name) == 0)
						fail_msg("%s listed twice", *name);
				}
			}
		}
	}
	/* The funds' budgets are read by scheme name (daemon/fund.c), each one
	 * checked at start by fund_check_params. */
	for (size_t i = 0; params_name(ps, i) != NULL; i++)
		n += strncmp(params_name(ps, i), "fund.", 5) == 0;
	assert_int_equal(fund_check_params(ps, NULL, 0), 0);
	assert_int_equal(params_count(ps), n);
	params_free(ps);
}

struct deceased_case {
	Assist__Event__PayloadCase kind;
	const char *date;
	Assist__Scheme scheme;
	fen_t requested;
};

static void test_deceased_claims(void **state)
{
	static const struct deceased_case cases[] = {
		{ASSIST__EVENT__PAYLOAD_MEDICAL_CLAIM, "2009-03-14",
		 ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE, 500000},
		{ASSIST__EVENT__PAYLOAD_MEDICAL_CLAIM, "2010-01-01",
		 ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE, 500000},
		{ASSIST__EVENT__PAYLOAD_EDUCATION_AID, "2010-spring",
		 ASSIST__SCHEME__SCHEME_TUITION_EXEMPTION, 10500},
		{ASSIST__EVENT__PAYLOAD_TRAINING, "2009-06-01",
		 ASSIST__SCHEME__SCHEME_VOCATIONAL_TRAINING, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct deceased_case *c = &cases[i];
		struct policy_ctx ctx = {.params = NULL, .source = "health"};
		struct person *p = person_new("420704198001010011");
		Assist__Event ev = ASSIST__EVENT__INIT;
		Assist__MedicalClaim mc = ASSIST__MEDICAL_CLAIM__INIT;
		Assist__EducationAid ea = ASSIST__EDUCATION_AID__INIT;
		Assist__Training tr = ASSIST__TRAINING__INIT;
		struct decisions out = {0};

		p->deceased_on = 20090314;
		ev.payload_case = c->kind;
		switch (c->kind) {
		case ASSIST__EVENT__PAYLOAD_MEDICAL_CLAIM:
			ev.kind = ASSIST__KIND__KIND_MEDICAL_CLAIM;
			mc.claim_id = "C-1";
			mc.date = (char *)c->date;
			mc.total_fen = c->requested;
			ev.medical_claim = &mc;
			break;
		case ASSIST__EVENT__PAYLOAD_EDUCATION_AID:
			ev.kind = ASSIST__KIND__KIND_EDUCATION_AID;
			ea.claim_id = "C-1";
			ea.scheme = c->scheme;
			ea.term = (char *)c->date;
			ea.amount_fen = c->requested;
			ev.education_aid = &ea;
			break;
		default:
			ev.kind = ASSIST__KIND__KIND_TRAINING;
			tr.claim_id = "C-1";
			tr.program = ASSIST__PROGRAM__PROGRAM_VOCATIONAL;
			tr.started_on = "2009-01-01";
			tr.completed_on = (char *)c->date;
			ev.training = &tr;
			break;
		}
		print_message("case %zu\n", i);
		assert_int_equal(policy_event(&ctx, &ev, p, NULL, &out), 0);
		/* An alert and a ledger entry of 0, nothing else. */
		assert_int_equal(out.n, 2);
		assert_int_equal(out.items[0].type, DEC_ALERT);
		assert_string_equal(out.items[0].u.alert.code, "deceased_recipient");
		assert_string_equal(out.items[0].u.alert.ref, "C-1");
		assert_int_equal(out.items[1].type, DEC_LEDGER);
		assert_int_equal(out.items[1].u.ledger.amount, 0);
		assert_int_equal(out.items[1].u.ledger.requested, c->requested);
		assert_int_equal(out.items[1].u.ledger.scheme, c->scheme);
		assert_string_equal(out.items[1].u.ledger.reason, "deceased on 2009-03-14: nothing paid");
		assert_true(out.items[1].has_trace);
		assert_string_equal(out.items[1].trace.rule, "policy.deceased");
		decisions_free(&out);
		person_free(p);
	}
}

/* An enrollment in a scheme without its own rule is recorded as granted. */
static void test_other_enrollment(void **state)
{
	struct policy_ctx ctx = {.params = NULL, .source = "labor", .major = 3, .minor = 1};
	struct person *p = person_new("420704198001010011");
	Assist__Event ev = ASSIST__EVENT__INIT;
	Assist__Enrollment e = ASSIST__ENROLLMENT__INIT;
	struct decisions out = {0};

	e.scheme = ASSIST__SCHEME__SCHEME_PUBLIC_WELFARE_POST;
	e.start_date = "2009-04-01";
	e.end_date = "2010-03-31";
	ev.kind = ASSIST__KIND__KIND_ENROLLMENT;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_ENROLLMENT;
	ev.enrollment = &e;
	assert_int_equal(policy_event(&ctx, &ev, p, NULL, &out), 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.items[0].type, DEC_ENROLLMENT);
	assert_true(decision_apply(&out.items[0]));
	assert_int_equal(p->n_enrollments, 1);
	assert_true(p->enrollments[0].granted);
	assert_int_equal(p->enrollments[0].start, 20090401);
	assert_int_equal(p->enrollments[0].end, 20100331);
	assert_string_equal(p->enrollments[0].source, "labor");
	assert_int_equal(p->enrollments[0].major, 3);
	assert_int_equal(p->enrollments[0].minor, 1);
	assert_int_equal(p->n_benefits, 0);
	assert_non_null(rules_enrollment_on(p, ASSIST__SCHEME__SCHEME_PUBLIC_WELFARE_POST, 20100331));
	assert_null(rules_enrollment_on(p, ASSIST__SCHEME__SCHEME_PUBLIC_WELFARE_POST, 20100401));
	assert_null(rules_enrollment_on(p, ASSIST__SCHEME__SCHEME_PUBLIC_WELFARE_POST, 20090331));
	decisions_free(&out);
	person_free(p);
}

static void test_dispersed_five_guarantee(void **state)
{
	static const struct {
		bool active;
		const char *class_;
		bool dispersed;
	} cases[] = {
		{true, "", true},
		{true, "dispersed", true},
		{true, "centralized", false},
		{false, "dispersed", false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct person *p = person_new("420704198001010011");
		struct category_state *s = person_category(p, ASSIST__CATEGORY__CATEGORY_FIVE_GUARANTEE);

		s->active = cases[i].active;
		snprintf(s->class_, sizeof(s->class_), "%s", cases[i].class_);
		assert_int_equal(rules_dispersed_five_guarantee(p), cases[i].dispersed);
		person_free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ytd_mapping),
		cmocka_unit_test(test_ytd_by_year),
		cmocka_unit_test(test_benefit_replace),
		cmocka_unit_test(test_enrollment_replace),
		cmocka_unit_test(test_entitlements_unchanged),
		cmocka_unit_test(test_alert_and_once_key),
		cmocka_unit_test(test_trace_param),
		cmocka_unit_test(test_trace_full),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_check_params),
		cmocka_unit_test(test_shipped_params),
		cmocka_unit_test(test_shipped_params_all_read),
		cmocka_unit_test(test_deceased_claims),
		cmocka_unit_test(test_other_enrollment),
		cmocka_unit_test(test_dispersed_five_guarantee),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
