/* medical_claim: the payer order of docs/policy.md "A medical bill", with every
 * figure and boundary it names, over sequences of bills of one person. */
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
#define NONE (-1) /* a wrapper field not carried */

static struct params *params;

static int load_params(void **state)
{
	return policytest_params("medical.yaml", &params);
}

static int free_params(void **state)
{
	params_free(params);
	return 0;
}

enum profile {
	URBAN,        /* urban dibao: Huimin, medical assistance */
	URBAN_3NOES,  /* urban dibao and three noes */
	URBAN_WORKER, /* urban dibao in workers' insurance: no Huimin */
	RURAL_I,      /* rural dibao class I */
	RURAL_II,     /* rural dibao class II */
	FIVE_G,       /* five guarantees, rural dibao class I */
	MARGINAL,
	VAGRANT,
	VAGRANT_FIVE_G, /* a vagrant medical assistance also covers */
	NOBODY,
};

static void add_category(struct person *p, int c)
{
	person_category(p, c)->active = true;
	person_category(p, c)->since = 20080101;
}

static void enroll(struct person *p, Assist__Scheme scheme, const char *class_)
{
	struct enrollment *e = vec_grow((void **)&p->enrollments, &p->n_enrollments,
					  &p->cap_enrollments, sizeof(*e));

	assert_non_null(e);
	e->scheme = scheme;
	snprintf(e->class_, sizeof(e->class_), "%s", class_);
	e->start = 20080101;
	e->end = YMD_NONE;
	e->granted = true;
}

static struct person *make_person(enum profile prof)
{
	struct person *p = person_new("420704198001010014");

	assert_non_null(p);
	switch (prof) {
	case URBAN_3NOES:
		add_category(p, ASSIST__CATEGORY__CATEGORY_THREE_NOES);
		/* fall through */
	case URBAN:
		p->hukou = ASSIST__HUKOU__HUKOU_URBAN;
		enroll(p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO, "");
		break;
	case URBAN_WORKER:
		p->hukou = ASSIST__HUKOU__HUKOU_URBAN;
		add_category(p, ASSIST__CATEGORY__CATEGORY_WORKER_INSURANCE);
		enroll(p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO, "");
		break;
	case FIVE_G:
		add_category(p, ASSIST__CATEGORY__CATEGORY_FIVE_GUARANTEE);
		/* fall through */
	case RURAL_I:
		p->hukou = ASSIST__HUKOU__HUKOU_RURAL;
		enroll(p, ASSIST__SCHEME__SCHEME_RURAL_DIBAO, "I");
		break;
	case RURAL_II:
		p->hukou = ASSIST__HUKOU__HUKOU_RURAL;
		enroll(p, ASSIST__SCHEME__SCHEME_RURAL_DIBAO, "II");
		break;
	case MARGINAL:
		add_category(p, ASSIST__CATEGORY__CATEGORY_MARGINAL);
		break;
	case VAGRANT_FIVE_G:
		add_category(p, ASSIST__CATEGORY__CATEGORY_FIVE_GUARANTEE);
		/* fall through */
	case VAGRANT:
		add_category(p, ASSIST__CATEGORY__CATEGORY_VAGRANT);
		break;
	case NOBODY:
		break;
	}
	return p;
}

#define INPATIENT ASSIST__SETTING__SETTING_INPATIENT
#define CHRONIC_OUT ASSIST__SETTING__SETTING_CHRONIC_OUTPATIENT
#define OUTPATIENT ASSIST__SETTING__SETTING_OUTPATIENT
#define H_HUIMIN ASSIST__HOSPITAL__HOSPITAL_HUIMIN
#define H_CENTRAL ASSIST__HOSPITAL__HOSPITAL_CENTRAL
#define H_PROVINCIAL ASSIST__HOSPITAL__HOSPITAL_PROVINCIAL
#define H_OTHER ASSIST__HOSPITAL__HOSPITAL_OTHER
#define D_CANCER ASSIST__DISEASE__DISEASE_CANCER
#define D_KIDNEY ASSIST__DISEASE__DISEASE_KIDNEY_TRANSPLANT
#define D_DIALYSIS ASSIST__DISEASE__DISEASE_DIALYSIS
#define D_MAJOR ASSIST__DISEASE__DISEASE_MAJOR
#define D_CHRONIC ASSIST__DISEASE__DISEASE_CHRONIC
#define D_COMMON ASSIST__DISEASE__DISEASE_COMMON
#define I_HUIMIN ASSIST__INSURER__INSURER_HUIMIN
#define I_NCMS ASSIST__INSURER__INSURER_NCMS
#define I_WORKER ASSIST__INSURER__INSURER_WORKER
#define I_NONE ASSIST__INSURER__INSURER_NONE
#define S_HUIMIN ASSIST__SCHEME__SCHEME_HUIMIN
#define S_NCMS ASSIST__SCHEME__SCHEME_NCMS
#define S_WORKER ASSIST__SCHEME__SCHEME_WORKER_INSURANCE
#define S_MA ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE
#define S_TEMP ASSIST__SCHEME__SCHEME_TEMPORARY_MEDICAL
#define S_VAGRANT ASSIST__SCHEME__SCHEME_VAGRANT_MEDICAL
#define S_QUOTA ASSIST__SCHEME__SCHEME_CHRONIC_QUOTA

/* A ledger entry a bill must produce. */
struct want {
	Assist__Scheme scheme; /* 0 ends the list */
	fen_t requested;
	fen_t amount;
};

struct bill_case {
	ymd_t date;
	Assist__Setting setting;
	Assist__Hospital hospital;
	Assist__Disease disease;
	fen_t total;
	Assist__Insurer insurer;
	fen_t reported; /* NONE: computed */
	fen_t eligible; /* NONE: total */
	int months;
	bool approval;
	struct want ledger[4]; /* exactly these, in payer order */
	const char *alerts;    /* exactly these codes, space-separated, in order */
};

struct scenario {
	const char *name;
	enum profile profile;
	struct bill_case bills[4]; /* date 0 ends the list */
};

#define D1 20090310
#define D2 20090612
#define D3 20090920
#define D4 20091105

static const struct scenario scenarios[] = {
	/* Step 1, Huimin computed. */
	{"huimin hospital 60%, deductible 100, then MA 50%", URBAN,
	 {{D1, INPATIENT, H_HUIMIN, D_COMMON, 1000000, I_HUIMIN, NONE, NONE, 0, false,
	   {{S_HUIMIN, 594000, 594000}, {S_MA, 203000, 203000}}, ""}}},
	{"three noes: no deductible", URBAN_3NOES,
	 {{D1, INPATIENT, H_HUIMIN, D_COMMON, 1000000, I_HUIMIN, NONE, NONE, 0, false,
	   {{S_HUIMIN, 600000, 600000}, {S_MA, 200000, 200000}}, ""}}},
	{"central 50% of the eligible expense", URBAN,
	 {{D1, INPATIENT, H_CENTRAL, D_COMMON, 600000, I_HUIMIN, NONE, 500000, 0, false,
	   {{S_HUIMIN, 245000, 245000}, {S_MA, 177500, 177500}}, ""}}},
	{"provincial 40%", URBAN,
	 {{D1, INPATIENT, H_PROVINCIAL, D_COMMON, 210000, I_HUIMIN, NONE, NONE, 0, false,
	   {{S_HUIMIN, 80000, 80000}, {S_MA, 65000, 65000}}, ""}}},
	{"other hospital 0%", URBAN,
	 {{D1, INPATIENT, H_OTHER, D_COMMON, 210000, I_HUIMIN, NONE, NONE, 0, false,
	   {{S_HUIMIN, 0, 0}, {S_MA, 105000, 105000}}, ""}}},
	{"eligible expense below the deductible: 0, never negative", URBAN,
	 {{D1, INPATIENT, H_HUIMIN, D_COMMON, 20000, I_HUIMIN, NONE, 5000, 0, false,
	   {{S_HUIMIN, 0, 0}, {S_MA, 10000, 10000}}, ""}}},
	{"chronic outpatient subsidies: cancer 150 (months 0 = 1), kidney 500 x 3, dialysis "
	 "600 x 2",
	 URBAN,
	 {{D1, CHRONIC_OUT, H_HUIMIN, D_CANCER, 50000, I_HUIMIN, NONE, NONE, 0, false,
	   {{S_HUIMIN, 15000, 15000}}, ""},
	  {D2, CHRONIC_OUT, H_HUIMIN, D_KIDNEY, 300000, I_HUIMIN, NONE, NONE, 3, false,
	   {{S_HUIMIN, 150000, 150000}}, ""},
	  {D3, CHRONIC_OUT, H_HUIMIN, D_DIALYSIS, 300000, I_HUIMIN, NONE, NONE, 2, false,
	   {{S_HUIMIN, 120000, 120000}}, ""}}},
	{"outpatient: no Huimin share", URBAN,
	 {{D1, OUTPATIENT, H_HUIMIN, D_COMMON, 30000, I_HUIMIN, NONE, NONE, 0, false,
	   {{S_HUIMIN, 0, 0}}, ""}}},
	{"outpatient at a central hospital: no Huimin share", URBAN,
	 {{D1, OUTPATIENT, H_CENTRAL, D_COMMON, 30000, I_HUIMIN, NONE, NONE, 0, false,
	   {{S_HUIMIN, 0, 0}}, ""}}},
	/* The Huimin cap: reached exactly, then exceeded. */
	{"huimin YTD reaches 20,000 exactly, the next bill is clipped to 0", URBAN_3NOES,
	 {{D1, INPATIENT, H_HUIMIN, D_COMMON, 2000000, I_HUIMIN, NONE, NONE, 0, false,
	   {{S_HUIMIN, 1200000, 1200000}, {S_MA, 400000, 400000}}, ""},
	  {D2, INPATIENT, H_HUIMIN, D_COMMON, 1333334, I_HUIMIN, NONE, NONE, 0, false,
	   {{S_HUIMIN, 800000, 800000}, {S_MA, 266667, 266667}}, ""},
	  {D3, INPATIENT, H_HUIMIN, D_COMMON, 100000, I_HUIMIN, NONE, NONE, 0, false,
	   {{S_HUIMIN, 60000, 0}, {S_MA, 50000, 50000}}, "cap_reached"}}},
	{"huimin cap exceeded: the second bill clipped, the burden grows", URBAN,
	 {{D1, INPATIENT, H_HUIMIN, D_COMMON, 3010000, I_HUIMIN, NONE, NONE, 0, false,
	   {{S_HUIMIN, 1800000, 1800000}, {S_MA, 605000, 605000}}, ""},
	  {D2, INPATIENT, H_HUIMIN, D_COMMON, 510000, I_HUIMIN, NONE, NONE, 0, false,
	   {{S_HUIMIN, 300000, 200000}, {S_MA, 155000, 155000}}, "cap_reached"}}},
	{"huimin cap counts chronic subsidies with hospital stays", URBAN,
	 {{D1, INPATIENT, H_HUIMIN, D_COMMON, 3210000, I_HUIMIN, NONE, NONE, 0, false,
	   {{S_HUIMIN, 1920000, 1920000}, {S_MA, 645000, 645000}}, ""},
	  {D2, CHRONIC_OUT, H_HUIMIN, D_DIALYSIS, 200000, I_HUIMIN, NONE, NONE, 2, false,
	   {{S_HUIMIN, 120000, 80000}}, "cap_reached"}}},
	{"huimin cap is per calendar year", URBAN,
	 {{20091201, INPATIENT, H_HUIMIN, D_COMMON, 3010000, I_HUIMIN, NONE, NONE, 0, false,
	   {{S_HUIMIN, 1800000, 1800000}, {S_MA, 605000, 605000}}, ""},
	  {20100105, INPATIENT, H_HUIMIN, D_COMMON, 1010000, I_HUIMIN, NONE, NONE, 0, false,
	   {{S_HUIMIN, 600000, 600000}, {S_MA, 205000, 205000}}, ""}}},
	/* Huimin eligibility and the reported share. */
	{"huimin bill of someone in workers' insurance: not_eligible, share 0", URBAN_WORKER,
	 {{D1, INPATIENT, H_HUIMIN, D_COMMON, 100000, I_HUIMIN, NONE, NONE, 0, false,
	   {{S_MA, 50000, 50000}}, "not_eligible"}}},
	{"huimin bill of someone in no scheme", NOBODY,
	 {{D1, INPATIENT, H_HUIMIN, D_COMMON, 100000, I_HUIMIN, 50000, NONE, 0, false, {{0}},
	   "not_eligible"}}},
	{"reported huimin share within one yuan of the computed one", URBAN,
	 {{D1, INPATIENT, H_HUIMIN, D_COMMON, 1010000, I_HUIMIN, 600100, NONE, 0, false,
	   {{S_HUIMIN, 600100, 600100}, {S_MA, 204950, 204950}}, ""},
	  {D2, INPATIENT, H_HUIMIN, D_COMMON, 1010000, I_HUIMIN, 599900, NONE, 0, false,
	   {{S_HUIMIN, 599900, 599900}, {S_MA, 205050, 205050}}, ""}}},
	{"reported huimin share beyond one yuan: insurer_mismatch, the report stands", URBAN,
	 {{D1, INPATIENT, H_HUIMIN, D_COMMON, 1010000, I_HUIMIN, 600101, NONE, 0, false,
	   {{S_HUIMIN, 600101, 600101}, {S_MA, 204950, 204950}}, "insurer_mismatch"},
	  {D2, INPATIENT, H_HUIMIN, D_COMMON, 1010000, I_HUIMIN, 599899, NONE, 0, false,
	   {{S_HUIMIN, 599899, 599899}, {S_MA, 205051, 205051}}, "insurer_mismatch"}}},
	/* NCMS and workers' insurance. */
	{"ncms share capped at 20,000 a year; MA cap 8,000 follows", RURAL_I,
	 {{D1, INPATIENT, H_OTHER, D_COMMON, 3000000, I_NCMS, 1500000, NONE, 0, false,
	   {{S_NCMS, 1500000, 1500000}, {S_MA, 750000, 750000}}, ""},
	  {D2, INPATIENT, H_OTHER, D_COMMON, 1000000, I_NCMS, 600000, NONE, 0, false,
	   {{S_NCMS, 600000, 500000}, {S_MA, 250000, 50000}}, "cap_reached cap_reached"}}},
	/* NCMS not reported: (eligible - 200 yuan) x 50% [local defaults], within the cap. */
	{"ncms computed: (total 10,000 - 200) x 50%, then MA 50%", RURAL_I,
	 {{D1, INPATIENT, H_OTHER, D_COMMON, 1000000, I_NCMS, NONE, NONE, 0, false,
	   {{S_NCMS, 490000, 490000}, {S_MA, 255000, 255000}}, ""}}},
	{"ncms computed on the eligible expense", RURAL_II,
	 {{D1, INPATIENT, H_CENTRAL, D_MAJOR, 1000000, I_NCMS, NONE, 500000, 0, false,
	   {{S_NCMS, 240000, 240000}, {S_MA, 380000, 380000}}, ""}}},
	{"ncms computed: below the deductible 0, one fen above rounds half up", RURAL_I,
	 {{D1, INPATIENT, H_OTHER, D_COMMON, 15000, I_NCMS, NONE, NONE, 0, false,
	   {{S_NCMS, 0, 0}, {S_MA, 7500, 7500}}, ""},
	  {D2, INPATIENT, H_OTHER, D_COMMON, 20000, I_NCMS, NONE, NONE, 0, false,
	   {{S_NCMS, 0, 0}, {S_MA, 10000, 10000}}, ""},
	  {D3, INPATIENT, H_OTHER, D_COMMON, 20001, I_NCMS, NONE, NONE, 0, false,
	   {{S_NCMS, 1, 1}, {S_MA, 10000, 10000}}, ""}}},
	{"ncms computed after a reported share: clipped by the 20,000 cap", RURAL_I,
	 {{D1, INPATIENT, H_OTHER, D_COMMON, 3000000, I_NCMS, 1900000, NONE, 0, false,
	   {{S_NCMS, 1900000, 1900000}, {S_MA, 550000, 550000}}, ""},
	  {D2, INPATIENT, H_OTHER, D_COMMON, 1000000, I_NCMS, NONE, NONE, 0, false,
	   {{S_NCMS, 490000, 100000}, {S_MA, 450000, 250000}}, "cap_reached cap_reached"}}},
	{"ncms not reported for an outpatient bill: no ncms share", RURAL_I,
	 {{D1, OUTPATIENT, H_OTHER, D_MAJOR, 10000, I_NCMS, NONE, NONE, 0, false,
	   {{S_MA, 5000, 5000}}, ""}}},
	{"workers' insurance share: no cap; no insurer ledger for insurer none", URBAN_WORKER,
	 {{D1, INPATIENT, H_OTHER, D_COMMON, 5000000, I_WORKER, 4000000, NONE, 0, false,
	   {{S_WORKER, 4000000, 4000000}, {S_MA, 500000, 500000}}, ""},
	  {D2, INPATIENT, H_OTHER, D_COMMON, 100000, I_NONE, NONE, NONE, 0, false,
	   {{S_MA, 50000, 50000}}, ""}}},
	/* Step 3: the medical assistance cap. */
	{"MA cap 8,000: 319,500 of 1,019,500", RURAL_I,
	 {{D1, INPATIENT, H_OTHER, D_COMMON, 1000000, I_NCMS, 39000, NONE, 0, false,
	   {{S_NCMS, 39000, 39000}, {S_MA, 480500, 480500}}, ""},
	  {D2, INPATIENT, H_OTHER, D_COMMON, 2039000, I_NONE, NONE, NONE, 0, false,
	   {{S_MA, 1019500, 319500}}, "cap_reached"},
	  {D3, OUTPATIENT, H_OTHER, D_MAJOR, 10000, I_NONE, NONE, NONE, 0, false,
	   {{S_MA, 5000, 0}}, "cap_reached"}}},
	{"MA cap 10,000 for five guarantees: 519,500", FIVE_G,
	 {{D1, INPATIENT, H_OTHER, D_COMMON, 1000000, I_NCMS, 39000, NONE, 0, false,
	   {{S_NCMS, 39000, 39000}, {S_MA, 480500, 480500}}, ""},
	  {D2, INPATIENT, H_OTHER, D_COMMON, 2039000, I_NONE, NONE, NONE, 0, false,
	   {{S_MA, 1019500, 519500}}, "cap_reached"}}},
	{"MA cap 10,000 for three noes, reached exactly", URBAN_3NOES,
	 {{D1, INPATIENT, H_OTHER, D_COMMON, 1000000, I_NONE, NONE, NONE, 0, false,
	   {{S_MA, 500000, 500000}}, ""},
	  {D2, INPATIENT, H_OTHER, D_COMMON, 1000000, I_NONE, NONE, NONE, 0, false,
	   {{S_MA, 500000, 500000}}, ""},
	  {D3, INPATIENT, H_OTHER, D_COMMON, 2, I_NONE, NONE, NONE, 0, false,
	   {{S_MA, 1, 0}}, "cap_reached"}}},
	{"MA only for inpatient or major bills", RURAL_II,
	 {{D1, OUTPATIENT, H_OTHER, D_COMMON, 10000, I_NONE, NONE, NONE, 0, false, {{0}}, ""},
	  {D2, OUTPATIENT, H_OTHER, D_MAJOR, 10001, I_NONE, NONE, NONE, 0, false,
	   {{S_MA, 5001, 5001}}, ""}}},
	/* Step 4: temporary assistance. */
	{"temporary 60%, 2,000 a year", MARGINAL,
	 {{D1, INPATIENT, H_OTHER, D_COMMON, 300000, I_NONE, NONE, NONE, 0, false,
	   {{S_TEMP, 180000, 180000}}, ""},
	  {D2, OUTPATIENT, H_OTHER, D_MAJOR, 100000, I_NONE, NONE, NONE, 0, false,
	   {{S_TEMP, 60000, 20000}}, "cap_reached"},
	  {D3, OUTPATIENT, H_OTHER, D_COMMON, 100000, I_NONE, NONE, NONE, 0, false, {{0}},
	   ""}}},
	{"temporary with city approval: 5,000 a year", MARGINAL,
	 {{D1, INPATIENT, H_OTHER, D_COMMON, 300000, I_NONE, NONE, NONE, 0, false,
	   {{S_TEMP, 180000, 180000}}, ""},
	  {D2, INPATIENT, H_OTHER, D_COMMON, 1000000, I_NONE, NONE, NONE, 0, true,
	   {{S_TEMP, 600000, 320000}}, "cap_reached"}}},
	/* Step 5: vagrants. */
	{"vagrant 50%, 800 a stay, 2,000 a year", VAGRANT,
	 {{D1, INPATIENT, H_OTHER, D_COMMON, 100000, I_NONE, NONE, NONE, 0, false,
	   {{S_VAGRANT, 50000, 50000}}, ""},
	  {D2, INPATIENT, H_OTHER, D_COMMON, 200000, I_NONE, NONE, NONE, 0, false,
	   {{S_VAGRANT, 100000, 80000}}, ""},
	  {D3, INPATIENT, H_OTHER, D_COMMON, 160000, I_NONE, NONE, NONE, 0, false,
	   {{S_VAGRANT, 80000, 70000}}, "cap_reached"},
	  {D4, INPATIENT, H_OTHER, D_COMMON, 160000, I_NONE, NONE, NONE, 0, false,
	   {{S_VAGRANT, 80000, 0}}, "cap_reached"}}},
	/* Step 6: the chronic-disease quota. */
	{"chronic quota 600 for three noes", URBAN_3NOES,
	 {{D1, OUTPATIENT, H_OTHER, D_CHRONIC, 50000, I_NONE, NONE, NONE, 0, false,
	   {{S_QUOTA, 50000, 50000}}, ""},
	  {D2, OUTPATIENT, H_OTHER, D_CHRONIC, 20000, I_NONE, NONE, NONE, 0, false,
	   {{S_QUOTA, 20000, 10000}}, "cap_reached"}}},
	{"chronic quota 400 for rural dibao class II", RURAL_II,
	 {{D1, OUTPATIENT, H_OTHER, D_CHRONIC, 50000, I_NONE, NONE, NONE, 0, false,
	   {{S_QUOTA, 50000, 40000}}, "cap_reached"}}},
	{"chronic quota 300 for others", RURAL_I,
	 {{D1, OUTPATIENT, H_OTHER, D_CHRONIC, 29999, I_NONE, NONE, NONE, 0, false,
	   {{S_QUOTA, 29999, 29999}}, ""},
	  {D2, OUTPATIENT, H_OTHER, D_CHRONIC, 5000, I_NONE, NONE, NONE, 0, false,
	   {{S_QUOTA, 5000, 1}}, "cap_reached"}}},
	{"chronic quota: not after an insurer share this year", URBAN,
	 {{D1, INPATIENT, H_HUIMIN, D_COMMON, 20000, I_HUIMIN, NONE, NONE, 0, false,
	   {{S_HUIMIN, 6000, 6000}, {S_MA, 7000, 7000}}, ""},
	  {D2, OUTPATIENT, H_OTHER, D_CHRONIC, 20000, I_NONE, NONE, NONE, 0, false, {{0}},
	   ""}}},
	{"chronic quota then an insurer share: chronic_quota_conflict", URBAN,
	 {{D1, OUTPATIENT, H_OTHER, D_CHRONIC, 20000, I_NONE, NONE, NONE, 0, false,
	   {{S_QUOTA, 20000, 20000}}, ""},
	  {D2, INPATIENT, H_HUIMIN, D_COMMON, 20000, I_HUIMIN, NONE, NONE, 0, false,
	   {{S_HUIMIN, 6000, 6000}, {S_MA, 7000, 7000}}, "chronic_quota_conflict"}}},
	{"chronic quota: not for someone medical assistance does not cover", MARGINAL,
	 {{D1, OUTPATIENT, H_OTHER, D_CHRONIC, 20000, I_NONE, NONE, NONE, 0, false, {{0}},
	   ""}}},
	/* Step 7: never more than the bill. */
	{"chronic subsidy above the bill: clipped to the total", URBAN,
	 {{D1, CHRONIC_OUT, H_HUIMIN, D_DIALYSIS, 100000, I_HUIMIN, NONE, NONE, 3, false,
	   {{S_HUIMIN, 180000, 100000}}, ""}}},
	{"reported share above the bill: clipped, MA on a zero burden", URBAN_WORKER,
	 {{D1, INPATIENT, H_OTHER, D_COMMON, 100000, I_WORKER, 150000, NONE, 0, false,
	   {{S_WORKER, 150000, 100000}, {S_MA, 0, 0}}, ""}}},
	{"vagrant and quota together pay at most the bill", VAGRANT_FIVE_G,
	 {{D1, OUTPATIENT, H_OTHER, D_CHRONIC, 40000, I_NONE, NONE, NONE, 0, false,
	   {{S_VAGRANT, 20000, 20000}, {S_QUOTA, 20000, 20000}}, ""}}},
};

static Assist__Int64Value *wrap(Assist__Int64Value *w, fen_t v)
{
	if (v == NONE)
		return NULL;
	assist__int64_value__init(w);
	w->value = v;
	return w;
}

/* Run one bill and apply what it decided, as the dispatcher does. */
static void run_bill(struct person *p, const struct bill_case *bc, int i,
		     struct decisions *out)
{
	Assist__MedicalClaim c = ASSIST__MEDICAL_CLAIM__INIT;
	Assist__Int64Value rep, elig;
	struct policy_ctx ctx = {.params = params, .source = "health"};
	char claim[16];

	snprintf(claim, sizeof(claim), "C-%d", i + 1);
	c.claim_id = claim;
	c.id_number = p->id;
	c.setting = bc->setting;
	c.hospital = bc->hospital;
	c.disease = bc->disease;
	c.total_fen = bc->total;
	c.insurer = bc->insurer;
	c.insurer_paid_fen = wrap(&rep, bc->reported);
	c.eligible_fen = wrap(&elig, bc->eligible);
	c.months = bc->months;
	c.special_approval = bc->approval;
	decisions_clear(out);
	assert_int_equal(medical_claim(&ctx, &c, bc->date, p, out), 0);
	for (size_t k = 0; k < out->n; k++)
		decision_apply(&out->items[k]);
}

static void check_bill(const char *name, int i, const struct bill_case *bc,
		       const struct decisions *out)
{
	char alerts[256] = "", claim[16];
	size_t nl = 0, na = 0, nbill = 0, len = 0;

	for (size_t k = 0; k < out->n; k++) {
		const struct decision *d = &out->items[k];

		switch (d->type) {
		case DEC_LEDGER: {
			const struct want *w = &bc->ledger[nl];

			if (nl >= N(bc->ledger) || w->scheme == 0)
				fail_msg("%s, bill %d: unexpected ledger scheme %d", name, i + 1,
					 d->u.ledger.scheme);
			if (d->u.ledger.scheme != w->scheme ||
			    d->u.ledger.requested != w->requested ||
			    d->u.ledger.amount != w->amount)
				fail_msg("%s, bill %d: ledger %zu is scheme %d %" PRId64 "/%" PRId64
					 ", want %d %" PRId64 "/%" PRId64 " (%s)",
					 name, i + 1, nl, d->u.ledger.scheme, d->u.ledger.requested,
					 d->u.ledger.amount, w->scheme, w->requested, w->amount,
					 d->trace.result);
			assert_int_equal(d->u.ledger.clipped, w->amount < w->requested);
			assert_int_equal(d->u.ledger.date, bc->date);
			assert_true(d->has_trace);
			snprintf(claim, sizeof(claim), "C-%d", i + 1);
			assert_string_equal(d->u.ledger.ref, claim);
			nl++;
			break;
		}
		case DEC_ALERT:
			len += snprintf(alerts + len, sizeof(alerts) - len, "%s%s", na ? " " : "",
					d->u.alert.code);
			na++;
			break;
		case DEC_BILL:
			assert_int_equal(d->u.bill.total, bc->total);
			assert_int_equal(d->u.bill.date, bc->date);
			nbill++;
			break;
		default:
			fail_msg("%s, bill %d: unexpected decision type %d", name, i + 1, d->type);
		}
	}
	if (nl < N(bc->ledger) && bc->ledger[nl].scheme != 0)
		fail_msg("%s, bill %d: missing ledger scheme %d", name, i + 1,
			 bc->ledger[nl].scheme);
	if (strcmp(alerts, bc->alerts) != 0)
		fail_msg("%s, bill %d: alerts \"%s\", want \"%s\"", name, i + 1, alerts,
			 bc->alerts);
	assert_int_equal(nbill, 1);
}

static void test_scenarios(void **state)
{
	struct decisions out = {0};

	for (size_t s = 0; s < N(scenarios); s++) {
		const struct scenario *sc = &scenarios[s];
		struct person *p = make_person(sc->profile);

		for (int i = 0; i < (int)N(sc->bills) && sc->bills[i].date != 0; i++) {
			run_bill(p, &sc->bills[i], i, &out);
			check_bill(sc->name, i, &sc->bills[i], &out);
		}
		person_free(p);
	}
	decisions_free(&out);
}

/* The ledger decision of scheme among out, or fail. */
static const struct decision *ledger_of(const struct decisions *out, Assist__Scheme scheme)
{
	for (size_t k = 0; k < out->n; k++) {
		if (out->items[k].type == DEC_LEDGER && out->items[k].u.ledger.scheme == scheme)
			return &out->items[k];
	}
	fail_msg("no ledger decision of scheme %d", scheme);
	return NULL;
}

static const struct trace_param *param_of(const struct trace *t, const char *name)
{
	for (int i = 0; i < t->n_params; i++) {
		if (strcmp(t->params[i].name, name) == 0)
			return &t->params[i];
	}
	fail_msg("%s: parameter %s not in the trace", t->rule, name);
	return NULL;
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

static void assert_param(const struct trace *t, const char *name, int64_t value,
			 const char *unit)
{
	const struct trace_param *tp = param_of(t, name);

	assert_int_equal(tp->value, value);
	assert_int_equal(tp->effective, 20080101);
	assert_string_equal(tp->unit, unit);
	assert_non_null(tp->clause);
	assert_true(tp->clause[0] != '\0');
}

static void assert_contains(const char *s, const char *part)
{
	if (strstr(s, part) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"", s, part);
}

/* Run the first nbills bills (0: all) of scenario name; out keeps the last
 * bill's decisions. */
static struct person *run_scenario(const char *name, int nbills, struct decisions *out)
{
	for (size_t s = 0; s < N(scenarios); s++) {
		const struct scenario *sc = &scenarios[s];
		struct person *p;

		if (strcmp(sc->name, name) != 0)
			continue;
		p = make_person(sc->profile);
		for (int i = 0; i < (int)N(sc->bills) && sc->bills[i].date != 0; i++) {
			if (nbills > 0 && i == nbills)
				break;
			run_bill(p, &sc->bills[i], i, out);
		}
		return p;
	}
	fail_msg("no scenario %s", name);
	return NULL;
}

static void test_trace_assistance_clipped(void **state)
{
	struct decisions out = {0};
	struct person *p = run_scenario("MA cap 8,000: 319,500 of 1,019,500", 2, &out);
	const struct decision *d;
	const struct ytd *y;

	d = ledger_of(&out, S_MA);
	assert_string_equal(d->trace.rule, "medical.assistance");
	assert_param(&d->trace, "medical.assistance.rate", 5000, "bp");
	assert_param(&d->trace, "medical.assistance.cap", 800000, "fen");
	assert_string_equal(input_of(&d->trace, "burden_fen"), "2039000");
	assert_string_equal(input_of(&d->trace, "medical_assistance_ytd"), "480500");
	assert_string_equal(input_of(&d->trace, "status"), "rural_dibao(I)");
	assert_string_equal(d->trace.result, "burden 2039000 x 5000 bp = 1019500; YTD 480500 of "
					     "cap 800000 leaves 319500: clipped to 319500");
	assert_contains(d->u.ledger.reason, "annual cap");
	y = person_ytd_find(p, 2009);
	assert_non_null(y);
	assert_int_equal(y->totals[scheme_ytd(ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE)], 800000);
	assert_int_equal(y->totals[scheme_ytd(ASSIST__SCHEME__SCHEME_NCMS)], 39000);
	assert_int_equal(y->totals[SCHEME_YTD_INSURER], 39000);
	assert_int_equal(y->totals[SCHEME_YTD_MEDICAL_TOTAL], 1000000 + 2039000);
	person_free(p);
	decisions_free(&out);
}

static void test_trace_huimin(void **state)
{
	struct decisions out = {0};
	struct person *p = run_scenario("three noes: no deductible", 0, &out);
	const struct decision *d = ledger_of(&out, S_HUIMIN);

	assert_string_equal(d->trace.rule, "medical.huimin");
	assert_param(&d->trace, "medical.huimin.deductible", 10000, "fen");
	assert_param(&d->trace, "medical.huimin.rate.huimin", 6000, "bp");
	assert_param(&d->trace, "medical.huimin.cap", 2000000, "fen");
	assert_string_equal(input_of(&d->trace, "deductible"), "0: three_noes");
	assert_string_equal(input_of(&d->trace, "huimin_paid_ytd"), "0");
	assert_string_equal(d->trace.result, "(eligible 1000000 - deductible 0) x 6000 bp = "
					     "600000; YTD 0 of cap 2000000 leaves 2000000: paid "
					     "600000");
	person_free(p);

	p = run_scenario("huimin cap exceeded: the second bill clipped, the burden grows", 0, &out);
	d = ledger_of(&out, S_HUIMIN);
	assert_contains(d->trace.result, "YTD 1800000 of cap 2000000 leaves 200000: clipped to "
					 "200000");
	assert_int_equal(person_ytd_find(p, 2009)->totals[scheme_ytd(ASSIST__SCHEME__SCHEME_HUIMIN)], 2000000);
	person_free(p);

	p = run_scenario("chronic subsidy above the bill: clipped to the total", 0, &out);
	d = ledger_of(&out, S_HUIMIN);
	assert_param(&d->trace, "medical.huimin.chronic.dialysis", 60000, "fen");
	assert_string_equal(input_of(&d->trace, "months"), "3");
	assert_contains(d->trace.result, "dialysis 60000 a month x 3 = 180000");
	assert_contains(d->trace.result, "the bill's total 100000 has 100000 left: clipped to "
					 "100000");
	assert_contains(d->u.ledger.reason, "bill total");
	person_free(p);
	decisions_free(&out);
}

static void test_trace_others(void **state)
{
	struct decisions out = {0};
	struct person *p = run_scenario("vagrant 50%, 800 a stay, 2,000 a year", 0, &out);
	const struct decision *d = ledger_of(&out, S_VAGRANT);

	assert_param(&d->trace, "medical.vagrant.rate", 5000, "bp");
	assert_param(&d->trace, "medical.vagrant.stay_cap", 80000, "fen");
	assert_param(&d->trace, "medical.vagrant.cap", 200000, "fen");
	assert_string_equal(d->trace.result, "total 160000 x 5000 bp = 80000; at most 80000; YTD "
					     "200000 of cap 200000 leaves 0: clipped to 0");
	assert_int_equal(person_ytd_find(p, 2009)->totals[scheme_ytd(ASSIST__SCHEME__SCHEME_VAGRANT_MEDICAL)], 200000);
	person_free(p);

	p = run_scenario("temporary with city approval: 5,000 a year", 0, &out);
	d = ledger_of(&out, S_TEMP);
	assert_param(&d->trace, "medical.temporary.cap_approved", 500000, "fen");
	assert_string_equal(input_of(&d->trace, "special_approval"), "yes");
	person_free(p);

	p = run_scenario("chronic quota 400 for rural dibao class II", 0, &out);
	d = ledger_of(&out, S_QUOTA);
	assert_string_equal(d->trace.rule, "medical.chronic_quota");
	assert_param(&d->trace, "medical.chronic_quota.class_ii", 40000, "fen");
	assert_string_equal(d->trace.result, "unpaid part of the bill 50000; YTD 0 of cap 40000 "
					     "leaves 40000: clipped to 40000");
	person_free(p);

	p = run_scenario("ncms share capped at 20,000 a year; MA cap 8,000 follows", 0, &out);
	d = ledger_of(&out, S_NCMS);
	assert_param(&d->trace, "medical.ncms.cap", 2000000, "fen");
	assert_string_equal(input_of(&d->trace, "insurer_paid_fen"), "600000 (reported)");
	assert_int_equal(person_ytd_find(p, 2009)->totals[scheme_ytd(ASSIST__SCHEME__SCHEME_NCMS)], 2000000);
	person_free(p);
	decisions_free(&out);
}

static bool has_param(const struct trace *t, const char *name)
{
	for (int i = 0; i < t->n_params; i++) {
		if (strcmp(t->params[i].name, name) == 0)
			return true;
	}
	return false;
}

static void test_trace_ncms_computed(void **state)
{
	struct decisions out = {0};
	struct person *p = run_scenario("ncms computed: (total 10,000 - 200) x 50%, then MA 50%", 0,
					&out);
	const struct decision *d = ledger_of(&out, S_NCMS);

	assert_string_equal(d->trace.rule, "medical.ncms");
	assert_param(&d->trace, "medical.ncms.deductible", 20000, "fen");
	assert_param(&d->trace, "medical.ncms.rate", 5000, "bp");
	assert_param(&d->trace, "medical.ncms.cap", 2000000, "fen");
	assert_string_equal(input_of(&d->trace, "insurer_paid_fen"), "not reported: computed");
	assert_string_equal(input_of(&d->trace, "eligible_fen"), "1000000 (total)");
	assert_string_equal(d->trace.result, "(eligible 1000000 - deductible 20000) x 5000 bp = "
					     "490000; YTD 0 of cap 2000000 leaves 2000000: paid "
					     "490000");
	assert_string_equal(d->u.ledger.reason, "NCMS share");
	assert_int_equal(person_ytd_find(p, 2009)->totals[scheme_ytd(ASSIST__SCHEME__SCHEME_NCMS)], 490000);
	assert_int_equal(person_ytd_find(p, 2009)->totals[SCHEME_YTD_INSURER], 490000);
	person_free(p);

	p = run_scenario("ncms computed after a reported share: clipped by the 20,000 cap", 0,
			 &out);
	d = ledger_of(&out, S_NCMS);
	assert_contains(d->trace.result, "= 490000; YTD 1900000 of cap 2000000 leaves 100000: "
					 "clipped to 100000");
	assert_contains(d->u.ledger.reason, "annual cap");
	assert_int_equal(person_ytd_find(p, 2009)->totals[scheme_ytd(ASSIST__SCHEME__SCHEME_NCMS)], 2000000);
	person_free(p);

	/* A reported share is taken as it is: no deductible or rate read. */
	p = run_scenario("ncms share capped at 20,000 a year; MA cap 8,000 follows", 1, &out);
	d = ledger_of(&out, S_NCMS);
	assert_false(has_param(&d->trace, "medical.ncms.deductible"));
	assert_false(has_param(&d->trace, "medical.ncms.rate"));
	assert_string_equal(d->trace.result, "reported share 1500000; YTD 0 of cap 2000000 leaves "
					     "2000000: paid 1500000");
	person_free(p);
	decisions_free(&out);
}

/* An outpatient bill at a Huimin hospital: the ten halvings are in the bill. */
static void test_trace_huimin_halvings(void **state)
{
	struct decisions out = {0};
	struct person *p = run_scenario("outpatient: no Huimin share", 0, &out);
	const struct decision *d = ledger_of(&out, S_HUIMIN);

	assert_param(&d->trace, "medical.huimin.halving_rate", 5000, "bp");
	assert_string_equal(input_of(&d->trace, "hospital"), "huimin");
	assert_string_equal(d->trace.result,
			    "ten halvings (5000 bp) and ten exemptions are in the Huimin hospital's "
			    "bill; no Huimin share for outpatient bills = 0; YTD 0 of cap 2000000 "
			    "leaves 2000000: paid 0");
	person_free(p);

	p = run_scenario("outpatient at a central hospital: no Huimin share", 0, &out);
	d = ledger_of(&out, S_HUIMIN);
	assert_false(has_param(&d->trace, "medical.huimin.halving_rate"));
	assert_string_equal(d->trace.result, "no Huimin share for outpatient bills = 0; YTD 0 of "
					     "cap 2000000 leaves 2000000: paid 0");
	person_free(p);

	/* Inpatient stays at a Huimin hospital are reimbursed as before. */
	p = run_scenario("three noes: no deductible", 0, &out);
	d = ledger_of(&out, S_HUIMIN);
	assert_false(has_param(&d->trace, "medical.huimin.halving_rate"));
	person_free(p);
	decisions_free(&out);
}

/* Every parameter the rule reads is in medical.yaml and in force from 2008. */
static void test_param_names(void **state)
{
	struct param_value pv;
	size_t n = policytest_names_in_force(params, medical_param_names, 20080101);
	assert_int_equal(params_count(params), n);
	assert_int_equal(params_get(params, "medical.huimin.cap", 20080101, &pv), 0);
	assert_int_equal(pv.value, 2000000);
	assert_int_equal(params_get(params, "medical.assistance.rate", 20080101, &pv), 0);
	assert_true(pv.local_default);
	/* [local]: the text leaves NCMS deductible and rate to separate measures. */
	assert_int_equal(params_get(params, "medical.ncms.deductible", 20080101, &pv), 0);
	assert_true(pv.local_default);
	assert_int_equal(params_get(params, "medical.ncms.rate", 20080101, &pv), 0);
	assert_true(pv.local_default);
	assert_int_equal(params_get(params, "medical.ncms.cap", 20080101, &pv), 0);
	assert_false(pv.local_default);
	assert_int_equal(params_get(params, "medical.huimin.halving_rate", 20080101, &pv), 0);
	assert_false(pv.local_default);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenarios),
		cmocka_unit_test(test_trace_assistance_clipped),
		cmocka_unit_test(test_trace_huimin),
		cmocka_unit_test(test_trace_others),
		cmocka_unit_test(test_trace_ncms_computed),
		cmocka_unit_test(test_trace_huimin_halvings),
		cmocka_unit_test(test_param_names),
	};

	return cmocka_run_group_tests(tests, load_params, free_params);
}
