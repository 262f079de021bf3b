/* Claims corrected and voided (daemon/apply.c with policy_reversal): the
 * reversal takes back the amount in force, the year-to-date totals lose it,
 * the correction is decided again against what is left, later claims stand.
 * The rules run on the shipped parameters (config/policy): medical
 * assistance pays 50% of the burden within 800,000 fen a year. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "policytest.h"
#include "worldtest.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define ID_1 "420704198001010015"

#define DECIDE ASSIST__CLAIM_OP__CLAIM_OP_DECIDE
#define CORRECT ASSIST__CLAIM_OP__CLAIM_OP_CORRECT
#define VOID ASSIST__CLAIM_OP__CLAIM_OP_VOID
#define MA ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE
#define REVERSAL ASSIST__LEDGER_KIND__LEDGER_KIND_REVERSAL

static struct params *params;

static int load_params(void **state)
{
	return policytest_params(NULL, &params);
}

static int free_params(void **state)
{
	params_free(params);
	return 0;
}

static int setup(void **state)
{
	static struct worldtest f;

	worldtest_init(&f, params, "health");
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	worldtest_free(*state);
	return 0;
}

/* ID_1 holds category c (medical assistance needs one of its groups). */
static void hold(struct worldtest *f, Assist__Category c)
{
	Assist__Event ev = ASSIST__EVENT__INIT;
	Assist__StatusChange sc = ASSIST__STATUS_CHANGE__INIT;
	char id[IDNUM_BUFLEN] = ID_1;
	struct verdict reject;

	sc.id_number = id;
	sc.category = c;
	sc.since = "2008-01-01";
	ev.kind = ASSIST__KIND__KIND_STATUS;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_STATUS;
	ev.status = &sc;
	assert_int_equal(worldtest_apply(f, &ev, &reject), 0);
}

/* An inpatient bill for a major disease with no insurer: its burden is the
 * total, of which medical assistance asks half. */
static int bill(struct worldtest *f, const char *claim, Assist__ClaimOp op, fen_t total,
		struct verdict *reject)
{
	Assist__Event ev = ASSIST__EVENT__INIT;
	Assist__MedicalClaim mc = ASSIST__MEDICAL_CLAIM__INIT;
	char id[IDNUM_BUFLEN] = ID_1, ref[32];

	snprintf(ref, sizeof(ref), "%s", claim);
	mc.claim_id = ref;
	mc.id_number = id;
	mc.date = "2009-03-14";
	mc.setting = ASSIST__SETTING__SETTING_INPATIENT;
	mc.hospital = ASSIST__HOSPITAL__HOSPITAL_CENTRAL;
	mc.disease = ASSIST__DISEASE__DISEASE_MAJOR;
	mc.insurer = ASSIST__INSURER__INSURER_NONE;
	mc.total_fen = total;
	mc.op = op;
	ev.kind = ASSIST__KIND__KIND_MEDICAL_CLAIM;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_MEDICAL_CLAIM;
	ev.medical_claim = &mc;
	return worldtest_apply(f, &ev, reject);
}

static struct person *person(struct worldtest *f)
{
	struct person *p = strmap_get(&f->w.persons, ID_1);

	assert_non_null(p);
	return p;
}

/* The sum of p's entries of scheme under ref (kind: only those of it, or
 * -1 for all), and how many there are. */
static fen_t sum_ref(const struct person *p, const char *ref, Assist__Scheme scheme, int kind,
		     size_t *count)
{
	fen_t sum = 0;

	*count = 0;
	for (size_t i = 0; i < p->n_ledger; i++) {
		const struct ledger_entry *le = &p->ledger[i];

		if (strcmp(le->ref, ref) != 0 || le->scheme != scheme ||
		    (kind >= 0 && (int)le->kind != kind))
			continue;
		sum += le->amount;
		(*count)++;
	}
	return sum;
}

static fen_t ytd_of(const struct person *p, int counter)
{
	const struct ytd *y = person_ytd_find(p, 2009);

	return y != NULL ? y->totals[counter] : 0;
}

/* ---- medical bills near the annual medical-assistance cap ---------------- */

struct bill_step {
	const char *claim;
	Assist__ClaimOp op;
	fen_t total;
	int rc;
	fen_t reversal;  /* the reversal this step books for claim (0: none) */
	fen_t in_force;  /* claim's medical assistance in force afterwards */
	fen_t ytd;       /* medical assistance paid this year afterwards */
	fen_t bills;     /* medical_total afterwards */
};

struct bill_case {
	const char *what;
	struct bill_step steps[4];
	size_t n;
	const char *later;  /* a claim decided after the corrected one... */
	fen_t later_amount; /* ...and its amount, which stands */
};

static const struct bill_case bill_cases[] = {
	{"corrected to a larger total: the new decision meets the cap less its own old amount",
	 {{"B-1", DECIDE, 1000000, 0, 0, 500000, 500000, 1000000},
	  {"B-2", DECIDE, 400000, 0, 0, 200000, 700000, 1400000},
	  /* reversal -500000 leaves YTD 200000; 700000 asked, 600000 of room */
	  {"B-1", CORRECT, 1400000, 0, -500000, 600000, 800000, 1800000}},
	 3, "B-2", 200000},
	{"corrected to a smaller total",
	 {{"B-1", DECIDE, 1000000, 0, 0, 500000, 500000, 1000000},
	  {"B-2", DECIDE, 400000, 0, 0, 200000, 700000, 1400000},
	  {"B-1", CORRECT, 600000, 0, -500000, 300000, 500000, 1000000}},
	 3, "B-2", 200000},
	{"a bill clipped by the cap, corrected: its own old amount is room again",
	 {{"B-1", DECIDE, 1200000, 0, 0, 600000, 600000, 1200000},
	  {"B-2", DECIDE, 800000, 0, 0, 200000, 800000, 2000000},
	  /* the later bill B-2 keeps its 200000: B-1 gets 600000 of 650000 */
	  {"B-1", CORRECT, 1300000, 0, -600000, 600000, 800000, 2100000}},
	 3, "B-2", 200000},
	{"a void returns the year to before the bill",
	 {{"B-1", DECIDE, 1000000, 0, 0, 500000, 500000, 1000000},
	  {"B-1", VOID, 1000000, 0, -500000, 0, 0, 0}},
	 2, NULL, 0},
	{"decide, correct, void: the entries under the ref sum to 0",
	 {{"B-1", DECIDE, 1000000, 0, 0, 500000, 500000, 1000000},
	  {"B-1", CORRECT, 800000, 0, -500000, 400000, 400000, 800000},
	  {"B-1", VOID, 800000, 0, -400000, 0, 0, 0}},
	 3, NULL, 0},
	{"a correction or void of a claim never seen is unknown_claim",
	 {{"B-1", DECIDE, 1000000, 0, 0, 500000, 500000, 1000000},
	  {"B-9", CORRECT, 1000000, -EINVAL, 0, 0, 500000, 1000000},
	  {"B-9", VOID, 1000000, -EINVAL, 0, 0, 500000, 1000000}},
	 3, NULL, 0},
	{"a correction to what is in force, or a second void, books nothing",
	 {{"B-1", DECIDE, 1000000, 0, 0, 500000, 500000, 1000000},
	  {"B-1", CORRECT, 1000000, 0, 0, 500000, 500000, 1000000},
	  {"B-1", VOID, 1000000, 0, -500000, 0, 0, 0},
	  {"B-1", VOID, 1000000, 0, 0, 0, 0, 0}},
	 4, NULL, 0},
	{"a decide of a claim corrected is still a duplicate_claim",
	 {{"B-1", DECIDE, 1000000, 0, 0, 500000, 500000, 1000000},
	  {"B-1", CORRECT, 800000, 0, -500000, 400000, 400000, 800000},
	  {"B-1", DECIDE, 900000, -EINVAL, 0, 400000, 400000, 800000}},
	 3, NULL, 0},
};

/* The reversal step s booked in out: one ledger decision of kind reversal
 * for the claim, explained with the op and the amount in force. */
static void assert_reversal(const struct worldtest *f, const struct bill_step *s)
{
	size_t n = 0;

	for (size_t i = 0; i < f->out.n; i++) {
		const struct decision *d = &f->out.items[i];

		if (d->type != DEC_LEDGER || d->u.ledger.kind != REVERSAL)
			continue;
		n++;
		assert_string_equal(d->u.ledger.ref, s->claim);
		assert_int_equal(d->u.ledger.scheme, MA);
		assert_int_equal(d->u.ledger.amount, s->reversal);
		assert_true(d->has_trace);
		assert_string_equal(d->trace.rule, "claim.reversal");
		assert_non_null(strstr(d->trace.result, s->op == VOID ? "void" : "correct"));
	}
	assert_int_equal(n, s->reversal != 0 ? 1 : 0);
}

static void run_step(struct worldtest *f, const struct bill_step *s)
{
	struct verdict reject;
	struct person *p;
	size_t n;

	assert_int_equal(bill(f, s->claim, s->op, s->total, &reject), s->rc);
	p = person(f);
	if (s->rc < 0) {
		assert_string_equal(reject.field, "medical_claim.claim_id");
		assert_non_null(strstr(reject.reason, s->op == DECIDE ? "duplicate_claim: "
								      : "unknown_claim: "));
		assert_ptr_equal(strstr(reject.reason, s->op == DECIDE ? "duplicate_claim: "
									 : "unknown_claim: "),
				 reject.reason);
		assert_int_equal(f->out.n, 0);
	} else {
		assert_reversal(f, s);
	}
	assert_int_equal(sum_ref(p, s->claim, MA, -1, &n), s->in_force);
	assert_int_equal(ytd_of(p, scheme_ytd(MA)), s->ytd);
	assert_int_equal(ytd_of(p, SCHEME_YTD_MEDICAL_TOTAL), s->bills);
}

static void test_bill_corrections(void **state)
{
	for (size_t i = 0; i < N(bill_cases); i++) {
		const struct bill_case *c = &bill_cases[i];
		struct worldtest *f = *state;
		size_t n;

		print_message("%s\n", c->what);
		teardown(state);
		setup(state);
		hold(f, ASSIST__CATEGORY__CATEGORY_ENTITLED_GROUP);
		for (size_t j = 0; j < c->n; j++) {
			print_message("  step %zu: %s op %d total %lld\n", j, c->steps[j].claim,
				      (int)c->steps[j].op, (long long)c->steps[j].total);
			run_step(f, &c->steps[j]);
		}
		/* A claim decided after the corrected one is not decided again. */
		if (c->later != NULL) {
			assert_int_equal(sum_ref(person(f), c->later, MA, -1, &n), c->later_amount);
			assert_int_equal(n, 1);
		}
	}
}

/* ---- a once-only education scheme --------------------------------------- */

static int edu(struct worldtest *f, const char *claim, Assist__ClaimOp op, Assist__Stage stage,
	       struct verdict *reject)
{
	Assist__Event ev = ASSIST__EVENT__INIT;
	Assist__EducationAid ea = ASSIST__EDUCATION_AID__INIT;
	char id[IDNUM_BUFLEN] = ID_1, ref[32];

	snprintf(ref, sizeof(ref), "%s", claim);
	ea.claim_id = ref;
	ea.id_number = id;
	ea.scheme = ASSIST__SCHEME__SCHEME_MISC_FEE_EXEMPTION;
	ea.stage = stage;
	ea.term = "2009-2010-1";
	ea.op = op;
	ev.kind = ASSIST__KIND__KIND_EDUCATION_AID;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_EDUCATION_AID;
	ev.education_aid = &ea;
	return worldtest_apply(f, &ev, reject);
}

#define MISC ASSIST__SCHEME__SCHEME_MISC_FEE_EXEMPTION
#define PRIMARY ASSIST__STAGE__STAGE_PRIMARY
#define JUNIOR ASSIST__STAGE__STAGE_JUNIOR

/* The once-per-term key does not refuse the corrected claim because of its
 * own earlier decision; a void gives the term back. */
static void test_once_per_term(void **state)
{
	struct worldtest *f = *state;
	struct verdict reject;
	struct person *p;
	size_t n;

	f->ctx.source = "education";
	hold(f, ASSIST__CATEGORY__CATEGORY_ORPHAN);
	assert_int_equal(edu(f, "E-1", DECIDE, PRIMARY, &reject), 0);
	p = person(f);
	assert_int_equal(sum_ref(p, "E-1", MISC, -1, &n), 8500);
	/* another claim of the term is refused, and pays 0 */
	assert_int_equal(edu(f, "E-2", DECIDE, PRIMARY, &reject), 0);
	assert_int_equal(sum_ref(p, "E-2", MISC, -1, &n), 0);

	/* corrected to junior: 8500 reversed, 13500 decided, not a second payment */
	assert_int_equal(edu(f, "E-1", CORRECT, JUNIOR, &reject), 0);
	assert_int_equal(sum_ref(p, "E-1", MISC, REVERSAL, &n), -8500);
	assert_int_equal(n, 1);
	assert_int_equal(sum_ref(p, "E-1", MISC, -1, &n), 13500);
	assert_int_equal(n, 3);
	assert_true(person_has_once_key(p, "education/misc_fee_exemption/2009-2010-1"));

	/* voided: the term is free for another claim */
	assert_int_equal(edu(f, "E-1", VOID, JUNIOR, &reject), 0);
	assert_int_equal(sum_ref(p, "E-1", MISC, -1, &n), 0);
	assert_false(person_has_once_key(p, "education/misc_fee_exemption/2009-2010-1"));
	assert_int_equal(edu(f, "E-3", DECIDE, PRIMARY, &reject), 0);
	assert_int_equal(sum_ref(p, "E-3", MISC, -1, &n), 8500);
}

/* ---- a household's claim, on every member ------------------------------- */

static int join(struct worldtest *f, const char *id, const char *household)
{
	Assist__Event ev = ASSIST__EVENT__INIT;
	Assist__PersonChange pc = ASSIST__PERSON_CHANGE__INIT;
	char idbuf[IDNUM_BUFLEN];
	struct verdict reject;

	snprintf(idbuf, sizeof(idbuf), "%s", id);
	pc.id_number = idbuf;
	pc.household_id = (char *)household;
	pc.hukou = ASSIST__HUKOU__HUKOU_RURAL;
	ev.kind = ASSIST__KIND__KIND_PERSON;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_PERSON;
	ev.person = &pc;
	return worldtest_apply(f, &ev, &reject);
}

static int housing(struct worldtest *f, Assist__ClaimOp op, fen_t amount, struct verdict *reject)
{
	Assist__Event ev = ASSIST__EVENT__INIT;
	Assist__HousingAid ha = ASSIST__HOUSING_AID__INIT;

	ha.claim_id = "H-1";
	ha.household_id = "HH-A";
	ha.scheme = ASSIST__SCHEME__SCHEME_RURAL_REPAIR;
	ha.date = "2009-03-14";
	ha.amount_fen = amount;
	ha.op = op;
	ev.kind = ASSIST__KIND__KIND_HOUSING_AID;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_HOUSING_AID;
	ev.housing_aid = &ha;
	return worldtest_apply(f, &ev, reject);
}

/* HH-A of two, no income, in rural dibao from 2009 (ID_1 enrolled). */
static void rural_dibao(struct worldtest *f)
{
	Assist__Event ev = ASSIST__EVENT__INIT;
	Assist__HouseholdChange hc = ASSIST__HOUSEHOLD_CHANGE__INIT;
	Assist__Int64Value income = ASSIST__INT64_VALUE__INIT;
	Assist__Enrollment en = ASSIST__ENROLLMENT__INIT;
	char id[IDNUM_BUFLEN] = ID_1;
	struct verdict reject;

	f->ctx.source = "civil_affairs";
	hc.household_id = "HH-A";
	hc.members = 2;
	hc.monthly_income_fen = &income;
	hc.area = ASSIST__AREA__AREA_DISTRICT;
	ev.kind = ASSIST__KIND__KIND_HOUSEHOLD;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_HOUSEHOLD;
	ev.household = &hc;
	assert_int_equal(worldtest_apply(f, &ev, &reject), 0);
	en.id_number = id;
	en.scheme = ASSIST__SCHEME__SCHEME_RURAL_DIBAO;
	en.class_ = "II";
	en.start_date = "2009-01-01";
	ev = (Assist__Event)ASSIST__EVENT__INIT;
	ev.kind = ASSIST__KIND__KIND_ENROLLMENT;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_ENROLLMENT;
	ev.enrollment = &en;
	assert_int_equal(worldtest_apply(f, &ev, &reject), 0);
}

#define REPAIR ASSIST__SCHEME__SCHEME_RURAL_REPAIR
#define ID_2 "420704198002020020"

/* Every member's entries under the ref are reversed: each its own. */
static void test_household_claim(void **state)
{
	static const char *const ids[] = {ID_1, ID_2};
	struct worldtest *f = *state;
	struct verdict reject;
	fen_t decided[2];
	size_t n;

	for (size_t i = 0; i < N(ids); i++)
		assert_int_equal(join(f, ids[i], "HH-A"), 0);
	rural_dibao(f);
	f->ctx.source = "housing";
	assert_int_equal(housing(f, CORRECT, 300000, &reject), -EINVAL);
	assert_string_equal(reject.field, "housing_aid.claim_id");
	assert_ptr_equal(strstr(reject.reason, "unknown_claim: "), reject.reason);
	assert_int_equal(housing(f, DECIDE, 400000, &reject), 0);
	for (size_t i = 0; i < N(ids); i++) {
		struct person *p = strmap_get(&f->w.persons, ids[i]);

		decided[i] = sum_ref(p, "H-1", REPAIR, -1, &n);
		assert_int_equal(n, 1);
		assert_true(decided[i] > 0);
	}
	assert_int_equal(housing(f, CORRECT, 300000, &reject), 0);
	for (size_t i = 0; i < N(ids); i++) {
		struct person *p = strmap_get(&f->w.persons, ids[i]);

		assert_int_equal(sum_ref(p, "H-1", REPAIR, REVERSAL, &n), -decided[i]);
		assert_int_equal(n, 1);
		sum_ref(p, "H-1", REPAIR, -1, &n);
		assert_int_equal(n, 3);
	}
	assert_int_equal(housing(f, VOID, 300000, &reject), 0);
	for (size_t i = 0; i < N(ids); i++) {
		struct person *p = strmap_get(&f->w.persons, ids[i]);

		assert_int_equal(sum_ref(p, "H-1", REPAIR, -1, &n), 0);
		assert_int_equal(n, 4);
	}
	/* a decide of it again is still a duplicate */
	assert_int_equal(housing(f, DECIDE, 300000, &reject), -EINVAL);
	assert_ptr_equal(strstr(reject.reason, "duplicate_claim: "), reject.reason);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bill_corrections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_once_per_term, setup, teardown),
		cmocka_unit_test_setup_teardown(test_household_claim, setup, teardown),
	};

	return cmocka_run_group_tests(tests, load_params, free_params);
}
