/* One scenario per scheme family, pushed through assistctl as a department
 * would send it, then read back as a caseworker would: the record on `get`
 * (figures from docs/policy.md) and the reasons on `explain` (the rule, its
 * parameters with their values and effective dates, the result line). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static struct fixture fx;

/* ---- events ------------------------------------------------------------------ */

static char events[16384];
static size_t events_len;

/* Positions only grow per source, across every push of the run. */
static unsigned long next_seq(const char *source)
{
	static struct {
		const char *source;
		unsigned long seq;
	} seqs[8];

	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		if (seqs[i].source == NULL)
			seqs[i].source = source;
		if (strcmp(seqs[i].source, source) == 0)
			return ++seqs[i].seq;
	}
	fail_msg("too many sources");
	return 0;
}

/* Append one event line: the payload object's members in fmt. */
__attribute__((format(printf, 3, 4))) static void ev(const char *source, const char *kind,
						     const char *fmt, ...)
{
	char payload[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(payload, sizeof(payload), fmt, ap);
	va_end(ap);
	n = snprintf(events + events_len, sizeof(events) - events_len,
		     "{\"source\":\"%s\",\"seq\":%lu,\"kind\":\"%s\",\"%s\":{%s}}\n", source,
		     next_seq(source), kind, kind, payload);
	assert_true(n > 0 && (size_t)n < sizeof(events) - events_len);
	events_len += (size_t)n;
}

/* Push what ev() collected; every event must be applied. */
static void push(const char *name)
{
	char *err = NULL;
	int st = fixture_push(&fx, name, events, &err);

	if (st != 0)
		fail_msg("assistctl push %s: exit %d\n%s", name, st, err);
	free(err);
	events_len = 0;
	events[0] = '\0';
}

static void person(const char *id, const char *name, const char *household, const char *hukou,
		   const char *area, const char *categories)
{
	ev("civil_affairs", "person",
	   "\"id_number\":\"%s\",\"name\":\"%s\",\"household_id\":\"%s\",\"hukou\":\"%s\","
	   "\"area\":\"%s\",\"categories\":[%s]",
	   id, name, household, hukou, area, categories);
}

static void household(const char *id, int members, long income, const char *area)
{
	ev("civil_affairs", "household",
	   "\"household_id\":\"%s\",\"members\":%d,\"monthly_income_fen\":%ld,\"area\":\"%s\"", id,
	   members, income, area);
}

static void enroll(const char *id, const char *scheme, const char *extra, const char *start)
{
	ev("civil_affairs", "enrollment",
	   "\"id_number\":\"%s\",\"scheme\":\"%s\",%s\"start_date\":\"%s\"", id, scheme, extra,
	   start);
}

static void bill(const char *claim, const char *id, const char *date, const char *setting,
		 const char *hospital, const char *disease, long total, const char *insurer)
{
	ev("health", "medical_claim",
	   "\"claim_id\":\"%s\",\"id_number\":\"%s\",\"date\":\"%s\",\"setting\":\"%s\","
	   "\"hospital\":\"%s\",\"disease\":\"%s\",\"total_fen\":%ld,\"insurer\":\"%s\"",
	   claim, id, date, setting, hospital, disease, total, insurer);
}

/* ---- reading ----------------------------------------------------------------- */

static json_t *get(const char *id, int year)
{
	int code = -1;
	json_t *rec = fixture_get(&fx, id, year, &code);

	if (rec == NULL)
		fail_msg("assistctl get %s: exit %d", id, code);
	return rec;
}

static const json_t *ledger(const json_t *rec, const char *ref, const char *scheme)
{
	const json_t *le = fixture_find(rec, "ledger", "ref", ref, "scheme", scheme);

	if (le == NULL)
		fail_msg("no ledger entry %s %s in %s", ref, scheme,
			 json_dumps(json_object_get(rec, "ledger"), JSON_COMPACT));
	return le;
}

/* The ledger entry's requested and granted amounts. */
static void assert_ledger(const json_t *rec, const char *ref, const char *scheme,
			  long long requested, long long amount)
{
	const json_t *le = ledger(rec, ref, scheme);

	assert_int_equal(fixture_int(le, "requested_fen"), requested);
	assert_int_equal(fixture_int(le, "amount_fen"), amount);
	assert_true(json_is_true(json_object_get(le, "clipped")) == (amount < requested));
}

static void assert_alert(const json_t *rec, const char *code, const char *ref)
{
	if (fixture_find(rec, "alerts", "code", code, "ref", ref) == NULL)
		fail_msg("no alert %s for %s in %s", code, ref,
			 json_dumps(json_object_get(rec, "alerts"), JSON_COMPACT));
}

static void assert_entitled(const json_t *rec, const char *scheme, bool eligible,
			    const char *reason_part)
{
	const json_t *e = fixture_find(rec, "entitlements", "scheme", scheme, NULL, NULL);

	if (e == NULL)
		fail_msg("no entitlement %s", scheme);
	assert_true(json_is_true(json_object_get(e, "eligible")) == eligible);
	if (strstr(fixture_str(e, "reason"), reason_part) == NULL)
		fail_msg("entitlement %s: reason \"%s\" lacks \"%s\"", scheme,
			 fixture_str(e, "reason"), reason_part);
}

/* One explain item (from its head line to the blank line after it) must hold
 * every line of want (substrings of its lines, NULL-terminated). */
static void assert_explain(const char *id, const char *head, const char *const *want)
{
	int code = -1;
	char *text = fixture_explain(&fx, id, &code);
	char *item = text ? strstr(text, head) : NULL;
	char *end;

	if (code != 0 || item == NULL)
		fail_msg("explain %s (exit %d) has no \"%s\":\n%s", id, code, head, text);
	end = strstr(item, "\n\n");
	if (end != NULL)
		*end = '\0';
	for (const char *const *w = want; *w != NULL; w++) {
		if (strstr(item, *w) == NULL)
			fail_msg("explain %s, item \"%s\" lacks \"%s\":\n%s", id, head, *w, item);
	}
	free(text);
}

/* ---- dibao -------------------------------------------------------------------- */

static void test_dibao_urban_household(void **state)
{
	char a[19], b[19], c[19];
	json_t *rec;

	fixture_id(a, "420704", "19800101", 101);
	fixture_id(b, "420704", "19820202", 102);
	fixture_id(c, "420704", "20100303", 103);
	household("FU-1", 3, 30000, "city");
	person(a, "Zhang Wei", "FU-1", "urban", "city", "");
	person(b, "Li Na", "FU-1", "urban", "city", "");
	person(c, "Zhang Ming", "FU-1", "urban", "city", "");
	enroll(a, "urban_dibao", "", "2026-01-01");
	enroll(b, "urban_dibao", "", "2026-01-01");
	push("dibao-urban.jsonl");
	/* POLICY (1): 3 x 185 - 300 = 255 yuan a month, 85 per member. */
	for (int i = 0; i < 2; i++) {
		rec = get(i == 0 ? a : b, 0);
		assert_string_equal(fixture_str(rec, "benefits.0.scheme"), "urban_dibao");
		assert_string_equal(fixture_str(rec, "benefits.0.status"), "active");
		assert_int_equal(fixture_int(rec, "benefits.0.monthly_fen"), 8500);
		json_decref(rec);
	}
	rec = get(c, 0);
	assert_int_equal(json_array_size(json_object_get(rec, "benefits")), 0);
	json_decref(rec);
	assert_explain(a, "benefit urban_dibao: dibao.urban",
		       (const char *const[]){
			       "param dibao.urban.standard.city = 18500 fen (since 2008-01-01;",
			       "input members = 3", "input monthly_income_fen = 30000",
			       "input area = city",
			       "=> household 3 x 18500 - 30000 = 25500; 8500 per member", NULL});

	/* A household change (members and income) recomputes every enrolled
	 * member: 4 x 185 - 200 = 540, 135 each. */
	household("FU-1", 4, 20000, "city");
	push("dibao-urban-change.jsonl");
	for (int i = 0; i < 2; i++) {
		rec = get(i == 0 ? a : b, 0);
		assert_int_equal(fixture_int(rec, "benefits.0.monthly_fen"), 13500);
		assert_int_equal(fixture_int(rec, "household.members"), 4);
		json_decref(rec);
		assert_explain(i == 0 ? a : b, "benefit urban_dibao: dibao.urban",
			       (const char *const[]){
				       "input members = 4", "input monthly_income_fen = 20000",
				       "=> household 4 x 18500 - 20000 = 54000; 13500 per member",
				       NULL});
	}
}

static void test_dibao_rural_class_ii_clipped(void **state)
{
	char r[19];
	json_t *rec;

	fixture_id(r, "420702", "19600101", 111);
	household("FR-1", 2, 0, "district");
	person(r, "Wu Gang", "FR-1", "rural", "district", "");
	enroll(r, "rural_dibao", "\"class\":\"II\",\"amount_fen\":6500,", "2026-02-01");
	push("dibao-rural.jsonl");
	/* POLICY (2): class II inside 35-60 yuan; 65 asked is clipped to 60. */
	rec = get(r, 0);
	assert_string_equal(fixture_str(rec, "benefits.0.scheme"), "rural_dibao");
	assert_string_equal(fixture_str(rec, "benefits.0.class"), "II");
	assert_int_equal(fixture_int(rec, "benefits.0.monthly_fen"), 6000);
	assert_alert(rec, "out_of_range", "rural_dibao 2026-02-01");
	json_decref(rec);
	assert_explain(r, "benefit rural_dibao: dibao.rural",
		       (const char *const[]){
			       "param dibao.rural.class_ii.min = 3500 fen (since 2008-01-01;",
			       "param dibao.rural.class_ii.max = 6000 fen (since 2008-01-01;",
			       "input class = II", "input amount_fen = 6500",
			       "=> class II amount 6500 outside 3500-6000: clipped to 6000", NULL});
}

/* ---- medical ------------------------------------------------------------------ */

/* Huimin on an inpatient bill at a Huimin hospital, then a second bill that
 * would take medical assistance past its 8,000 yuan cap: 3,195 is paid, not
 * the 10,195 the rate gives. */
static void test_medical_huimin_then_cap(void **state)
{
	char m[19];
	json_t *rec;

	fixture_id(m, "420704", "19700404", 121);
	household("FM-1", 1, 0, "city");
	person(m, "Huang Fang", "FM-1", "urban", "city", "");
	enroll(m, "urban_dibao", "", "2026-01-01");
	bill("FM-1-a", m, "2026-03-10", "inpatient", "huimin", "major", 2387500, "huimin");
	bill("FM-1-b", m, "2026-06-10", "inpatient", "other", "common", 2039000, "none");
	push("medical-huimin.jsonl");
	rec = get(m, 0);
	/* (23,875 - 100) x 60% = 14,265; burden 9,610 x 50% = 4,805. */
	assert_ledger(rec, "FM-1-a", "huimin", 1426500, 1426500);
	assert_ledger(rec, "FM-1-a", "medical_assistance", 480500, 480500);
	/* 20,390 x 50% = 10,195 asked; 8,000 - 4,805 = 3,195 left. */
	assert_ledger(rec, "FM-1-b", "medical_assistance", 1019500, 319500);
	assert_alert(rec, "cap_reached", "FM-1-b");
	assert_int_equal(fixture_int(rec, "ytd.huimin_paid_fen"), 1426500);
	assert_int_equal(fixture_int(rec, "ytd.medical_assistance_paid_fen"), 800000);
	assert_int_equal(fixture_int(rec, "ytd.medical_assistance_cap_fen"), 800000);
	assert_int_equal(fixture_int(rec, "ytd.medical_total_fen"), 2387500 + 2039000);
	json_decref(rec);
	assert_explain(m, "ledger FM-1-a huimin: medical.huimin",
		       (const char *const[]){
			       "param medical.huimin.deductible = 10000 fen (since 2008-01-01;",
			       "param medical.huimin.rate.huimin = 6000 bp (since 2008-01-01;",
			       "param medical.huimin.cap = 2000000 fen (since 2008-01-01;",
			       "input hospital = huimin",
			       "=> (eligible 2387500 - deductible 10000) x 6000 bp = 1426500; "
			       "YTD 0 of cap 2000000 leaves 2000000: paid 1426500",
			       NULL});
	assert_explain(m, "ledger FM-1-b medical_assistance: medical.assistance",
		       (const char *const[]){
			       "param medical.assistance.rate = 5000 bp (since 2008-01-01;",
			       "param medical.assistance.cap = 800000 fen (since 2008-01-01;",
			       "input burden_fen = 2039000", "input medical_assistance_ytd = 480500",
			       "=> burden 2039000 x 5000 bp = 1019500; YTD 480500 of cap 800000 "
			       "leaves 319500: clipped to 319500",
			       NULL});
}

/* Three noes: no Huimin deductible and a 10,000 yuan assistance cap. */
static void test_medical_three_noes(void **state)
{
	char t[19];
	json_t *rec;

	fixture_id(t, "420704", "19500505", 131);
	household("FT-1", 1, 0, "city");
	person(t, "Wang Lao", "FT-1", "urban", "city", "\"three_noes\"");
	enroll(t, "urban_dibao", "", "2026-01-01");
	bill("FT-1-a", t, "2026-02-01", "inpatient", "huimin", "major", 1000000, "huimin");
	bill("FT-1-b", t, "2026-03-01", "inpatient", "other", "major", 2000000, "none");
	push("medical-three-noes.jsonl");
	rec = get(t, 0);
	assert_ledger(rec, "FT-1-a", "huimin", 600000, 600000);
	assert_ledger(rec, "FT-1-a", "medical_assistance", 200000, 200000);
	/* 10,000 asked, 10,000 - 2,000 = 8,000 left: past the ordinary 8,000 cap. */
	assert_ledger(rec, "FT-1-b", "medical_assistance", 1000000, 800000);
	assert_alert(rec, "cap_reached", "FT-1-b");
	assert_int_equal(fixture_int(rec, "ytd.medical_assistance_paid_fen"), 1000000);
	assert_int_equal(fixture_int(rec, "ytd.medical_assistance_cap_fen"), 1000000);
	json_decref(rec);
	assert_explain(t, "ledger FT-1-a huimin: medical.huimin",
		       (const char *const[]){
			       "param medical.huimin.rate.huimin = 6000 bp (since 2008-01-01;",
			       "input deductible = 0: three_noes",
			       "=> (eligible 1000000 - deductible 0) x 6000 bp = 600000", NULL});
	assert_explain(t, "ledger FT-1-b medical_assistance: medical.assistance",
		       (const char *const[]){
			       "param medical.assistance.cap_special = 1000000 fen (since 2008-01-01;",
			       "input status = urban_dibao three_noes",
			       "=> burden 2000000 x 5000 bp = 1000000; YTD 200000 of cap 1000000 "
			       "leaves 800000: clipped to 800000",
			       NULL});
}

/* A chronic-disease quota, then an insurer share later the same year. */
static void test_medical_chronic_quota_conflict(void **state)
{
	char q[19];
	json_t *rec;

	fixture_id(q, "420702", "19850707", 141);
	household("FQ-1", 2, 0, "district");
	person(q, "Liu Qiang", "FQ-1", "rural", "district", "");
	enroll(q, "rural_dibao", "\"class\":\"II\",\"amount_fen\":5000,", "2026-01-01");
	bill("FQ-1-a", q, "2026-02-10", "outpatient", "other", "chronic", 50000, "none");
	ev("health", "medical_claim",
	   "\"claim_id\":\"FQ-1-b\",\"id_number\":\"%s\",\"date\":\"2026-05-10\","
	   "\"setting\":\"inpatient\",\"hospital\":\"other\",\"disease\":\"common\","
	   "\"total_fen\":100000,\"insurer\":\"ncms\",\"insurer_paid_fen\":40000",
	   q);
	push("medical-chronic.jsonl");
	rec = get(q, 0);
	/* Class II quota: 400 yuan of the 500 yuan bill. */
	assert_ledger(rec, "FQ-1-a", "chronic_quota", 50000, 40000);
	assert_ledger(rec, "FQ-1-b", "ncms", 40000, 40000);
	assert_ledger(rec, "FQ-1-b", "medical_assistance", 30000, 30000);
	assert_alert(rec, "chronic_quota_conflict", "FQ-1-b");
	assert_int_equal(fixture_int(rec, "ytd.chronic_quota_paid_fen"), 40000);
	json_decref(rec);
	assert_explain(q, "ledger FQ-1-a chronic_quota: medical.chronic_quota",
		       (const char *const[]){
			       "param medical.chronic_quota.class_ii = 40000 fen (since 2008-01-01;",
			       "input insurer_paid_ytd = 0",
			       "=> unpaid part of the bill 50000; YTD 0 of cap 40000 leaves 40000: "
			       "clipped to 40000",
			       NULL});
	assert_explain(q, "ledger FQ-1-b ncms: medical.ncms",
		       (const char *const[]){
			       "param medical.ncms.cap = 2000000 fen (since 2008-01-01;",
			       "input insurer_paid_fen = 40000 (reported)", "=> reported share 40000",
			       NULL});
}

/* ---- education ---------------------------------------------------------------- */

static void test_education_dibao_child(void **state)
{
	char parent[19], child[19];
	json_t *rec;

	fixture_id(parent, "420704", "19780808", 151);
	fixture_id(child, "420704", "20170909", 152);
	household("FE-1", 2, 10000, "city");
	person(parent, "Zhou Jie", "FE-1", "urban", "city", "");
	person(child, "Zhou Xiao", "FE-1", "urban", "city", "");
	enroll(parent, "urban_dibao", "", "2026-01-01");
	ev("education", "education_aid",
	   "\"claim_id\":\"FE-1-a\",\"id_number\":\"%s\",\"scheme\":\"misc_fee_exemption\","
	   "\"stage\":\"primary\",\"term\":\"2026-spring\"",
	   child);
	ev("education", "education_aid",
	   "\"claim_id\":\"FE-1-b\",\"id_number\":\"%s\",\"scheme\":\"misc_fee_exemption\","
	   "\"stage\":\"primary\",\"term\":\"2026-spring\"",
	   child);
	push("education.jsonl");
	rec = get(child, 0);
	/* POLICY (4): 85 yuan a term for primary; the same term again pays 0. */
	assert_ledger(rec, "FE-1-a", "misc_fee_exemption", 8500, 8500);
	assert_int_equal(fixture_int(ledger(rec, "FE-1-b", "misc_fee_exemption"), "amount_fen"), 0);
	assert_alert(rec, "duplicate_one_time", "FE-1-b");
	assert_entitled(rec, "education", true, "urban dibao household");
	json_decref(rec);
	assert_explain(child, "ledger FE-1-a misc_fee_exemption: education",
		       (const char *const[]){
			       "param education.misc_fee.primary = 8500 fen (since 2008-01-01;",
			       "input term = 2026-spring", "input eligible_as = urban dibao household",
			       "=> misc_fee_exemption for primary 8500 a term", NULL});
	assert_explain(child, "ledger FE-1-b misc_fee_exemption: education",
		       (const char *const[]){
			       "input term = 2026-spring",
			       "=> already paid (education/misc_fee_exemption/2026-spring): 0", NULL});
}

/* ---- training ----------------------------------------------------------------- */

static void test_training(void **state)
{
	char s[19], v[19], late[19];
	json_t *rec;

	fixture_id(s, "420702", "19900606", 161);
	fixture_id(v, "420704", "19880808", 162);
	fixture_id(late, "420704", "19890909", 163);
	person(s, "Tang Lei", "FS-1", "rural", "district", "");
	person(v, "Xu Min", "FV-1", "urban", "city", "");
	person(late, "Xu Jun", "FV-2", "urban", "city", "");
	ev("labor", "training",
	   "\"claim_id\":\"FS-1-a\",\"id_number\":\"%s\",\"program\":\"sunshine\","
	   "\"locality\":\"district\",\"started_on\":\"2026-03-01\","
	   "\"completed_on\":\"2026-03-31\",\"days\":31",
	   s);
	ev("labor", "training",
	   "\"claim_id\":\"FV-1-a\",\"id_number\":\"%s\",\"program\":\"vocational\","
	   "\"locality\":\"city\",\"started_on\":\"2026-01-05\",\"completed_on\":\"2026-03-31\","
	   "\"employed_on\":\"2026-06-15\"",
	   v);
	ev("labor", "training",
	   "\"claim_id\":\"FV-2-a\",\"id_number\":\"%s\",\"program\":\"vocational\","
	   "\"locality\":\"city\",\"started_on\":\"2026-01-05\",\"completed_on\":\"2026-03-31\","
	   "\"employed_on\":\"2026-10-15\"",
	   late);
	push("training.jsonl");
	/* POLICY (8): 31 days is the 31-60 band, 300 yuan. */
	rec = get(s, 0);
	assert_ledger(rec, "FS-1-a", "sunshine_training", 30000, 30000);
	json_decref(rec);
	assert_explain(s, "ledger FS-1-a sunshine_training: training",
		       (const char *const[]){
			       "param training.sunshine.medium_max_days = 60 days (since 2008-01-01;",
			       "param training.sunshine.medium = 30000 fen (since 2008-01-01;",
			       "input days = 31", "input hukou = rural",
			       "=> sunshine training: one-time 30000", NULL});
	/* POLICY (6): employed within 6 months, 600 yuan in the city... */
	rec = get(v, 0);
	assert_ledger(rec, "FV-1-a", "vocational_training", 60000, 60000);
	json_decref(rec);
	assert_explain(v, "ledger FV-1-a vocational_training: training",
		       (const char *const[]){
			       "param training.vocational.window_months = 6 months (since 2008-01-01;",
			       "param training.vocational.city = 60000 fen (since 2008-01-01;",
			       "input employed_on = 2026-06-15",
			       "=> vocational training: one-time 60000", NULL});
	/* ...and nothing when employment came after the window. */
	rec = get(late, 0);
	assert_int_equal(fixture_int(ledger(rec, "FV-2-a", "vocational_training"), "amount_fen"),
			 0);
	assert_alert(rec, "not_eligible", "FV-2-a");
	json_decref(rec);
}

/* ---- housing ------------------------------------------------------------------ */

static void test_housing(void **state)
{
	char r[3][19], t[19];
	json_t *rec;

	fixture_id(r[0], "420702", "19700101", 171);
	fixture_id(r[1], "420702", "19720202", 172);
	fixture_id(r[2], "420702", "20050303", 173);
	fixture_id(t, "420704", "19450404", 174);
	household("FH-1", 3, 0, "district");
	person(r[0], "Chen Yi", "FH-1", "rural", "district", "");
	person(r[1], "Chen Er", "FH-1", "rural", "district", "");
	person(r[2], "Chen San", "FH-1", "rural", "district", "");
	enroll(r[0], "rural_dibao", "\"class\":\"I\",", "2026-01-01");
	ev("civil_affairs", "household",
	   "\"household_id\":\"FH-2\",\"members\":1,\"monthly_income_fen\":0,\"area\":\"city\","
	   "\"housing_area_m2\":5");
	person(t, "Ma Lao", "FH-2", "urban", "city", "\"three_noes\"");
	enroll(t, "urban_dibao", "", "2026-01-01");
	ev("housing", "housing_aid",
	   "\"claim_id\":\"FH-1-a\",\"household_id\":\"FH-1\",\"scheme\":\"rural_new_build\","
	   "\"date\":\"2026-04-01\"");
	ev("housing", "housing_aid",
	   "\"claim_id\":\"FH-2-a\",\"household_id\":\"FH-2\",\"scheme\":\"urban_rental\","
	   "\"date\":\"2026-04-01\",\"amount_fen\":30000");
	push("housing.jsonl");
	/* POLICY (5) 5.2: 3 persons, 60 m2 at 180 yuan = 10,800, on every
	 * member's ledger under the household's one claim. */
	for (int i = 0; i < 3; i++) {
		rec = get(r[i], 0);
		assert_ledger(rec, "FH-1-a", "rural_new_build", 1080000, 1080000);
		json_decref(rec);
		assert_explain(r[i], "ledger FH-1-a rural_new_build: housing",
			       (const char *const[]){
				       "param housing.rural.area_medium = 60 m2 (since 2008-01-01;",
				       "param housing.rural.price_per_m2 = 18000 fen (since 2008-01-01;",
				       "input members = 3", "=> 3 members: 60 m2 x 18000 = 1080000",
				       NULL});
	}
	/* 5.1: a household with a three-noes member gets no rental subsidy. */
	rec = get(t, 0);
	assert_int_equal(fixture_int(ledger(rec, "FH-2-a", "urban_rental"), "amount_fen"), 0);
	assert_alert(rec, "excluded", "FH-2-a");
	assert_entitled(rec, "central_support", true, "three noes");
	json_decref(rec);
	assert_explain(t, "ledger FH-2-a urban_rental: housing",
		       (const char *const[]){"input three_noes_member = yes",
					     "=> a three_noes member: central support instead: 0",
					     NULL});
}

/* ---- derived entitlements ----------------------------------------------------- */

static void test_derived_entitlements(void **state)
{
	char u[19], rural[19], t[19];
	json_t *rec;

	fixture_id(u, "420704", "19750505", 181);
	fixture_id(rural, "420702", "19650606", 182);
	fixture_id(t, "420704", "19400707", 183);
	household("FD-1", 2, 0, "district");
	person(u, "He Ping", "FD-1", "urban", "district", "");
	enroll(u, "urban_dibao", "", "2026-01-01");
	household("FD-2", 1, 0, "district");
	person(rural, "Lin Tian", "FD-2", "rural", "district", "");
	enroll(rural, "rural_dibao", "\"class\":\"III\",\"amount_fen\":2000,", "2026-01-01");
	household("FD-3", 1, 0, "city");
	person(t, "Gu Lao", "FD-3", "urban", "city", "\"three_noes\"");
	push("entitlements.jsonl");
	rec = get(u, 0);
	assert_entitled(rec, "huimin", true, "urban dibao");
	assert_entitled(rec, "utilities", true, "water 100 fen a month, 2 m3 gas, 50 kWh");
	assert_entitled(rec, "ncms", false, "not in rural dibao");
	assert_entitled(rec, "central_support", false, "three");
	assert_entitled(rec, "legal_aid", true, "urban dibao");
	json_decref(rec);
	rec = get(rural, 0);
	assert_entitled(rec, "ncms", true, "rural dibao");
	assert_entitled(rec, "huimin", false, "not in urban dibao");
	assert_entitled(rec, "utilities", false, "urban dibao");
	assert_entitled(rec, "legal_aid", true, "rural dibao");
	json_decref(rec);
	rec = get(t, 0);
	assert_entitled(rec, "central_support", true, "three noes");
	assert_entitled(rec, "legal_aid", true, "three_noes");
	json_decref(rec);
}

/* ---- death -------------------------------------------------------------------- */

static void test_death(void **state)
{
	char d[19];
	json_t *rec;

	fixture_id(d, "420703", "19400101", 191);
	household("FX-1", 1, 0, "district");
	person(d, "Zhao Lao", "FX-1", "urban", "district", "");
	enroll(d, "urban_dibao", "", "2026-01-01");
	ev("civil_affairs", "person", "\"id_number\":\"%s\",\"deceased_on\":\"2026-04-15\"", d);
	bill("FX-1-a", d, "2026-04-10", "inpatient", "huimin", "major", 100000, "huimin");
	bill("FX-1-b", d, "2026-05-10", "inpatient", "huimin", "major", 100000, "huimin");
	push("death.jsonl");
	rec = get(d, 0);
	assert_string_equal(fixture_str(rec, "deceased_on"), "2026-04-15");
	/* 165 yuan in a district; ended from the month after the death. */
	assert_int_equal(fixture_int(rec, "benefits.0.monthly_fen"), 16500);
	assert_string_equal(fixture_str(rec, "benefits.0.status"), "ended");
	assert_string_equal(fixture_str(rec, "benefits.0.until"), "2026-04-30");
	/* A bill dated before the death is still paid: (1,000 - 100) x 60%. */
	assert_ledger(rec, "FX-1-a", "huimin", 54000, 54000);
	/* One dated after it pays nothing. */
	assert_int_equal(fixture_int(ledger(rec, "FX-1-b", "medical_assistance"), "amount_fen"), 0);
	assert_null(fixture_find(rec, "ledger", "ref", "FX-1-b", "scheme", "huimin"));
	assert_alert(rec, "deceased_recipient", "FX-1-b");
	assert_entitled(rec, "huimin", false, "deceased on 2026-04-15");
	assert_entitled(rec, "legal_aid", false, "deceased on 2026-04-15");
	json_decref(rec);
	assert_explain(d, "benefit urban_dibao: dibao.urban",
		       (const char *const[]){
			       "param dibao.urban.standard.district = 16500 fen (since 2008-01-01;",
			       "=> ended: deceased on 2026-04-15", NULL});
	assert_explain(d, "ledger FX-1-b medical_assistance: policy.deceased",
		       (const char *const[]){"input deceased_on = 2026-04-15",
					     "input claim_date = 2026-05-10",
					     "=> deceased on 2026-04-15: nothing paid", NULL});
}

/* ---- years -------------------------------------------------------------------- */

static void test_get_year(void **state)
{
	char y[19];
	json_t *rec;

	fixture_id(y, "420702", "19600606", 201);
	household("FY-1", 1, 0, "district");
	person(y, "Sun Yi", "FY-1", "rural", "district", "");
	enroll(y, "rural_dibao", "\"class\":\"I\",", "2025-01-01");
	ev("health", "medical_claim",
	   "\"claim_id\":\"FY-1-a\",\"id_number\":\"%s\",\"date\":\"2025-06-01\","
	   "\"setting\":\"inpatient\",\"hospital\":\"other\",\"disease\":\"common\","
	   "\"total_fen\":100000,\"insurer\":\"ncms\",\"insurer_paid_fen\":50000",
	   y);
	ev("health", "medical_claim",
	   "\"claim_id\":\"FY-1-b\",\"id_number\":\"%s\",\"date\":\"2026-02-01\","
	   "\"setting\":\"inpatient\",\"hospital\":\"other\",\"disease\":\"common\","
	   "\"total_fen\":60000,\"insurer\":\"ncms\",\"insurer_paid_fen\":20000",
	   y);
	push("years.jsonl");
	/* By default the year of the latest dated event. */
	rec = get(y, 0);
	assert_int_equal(fixture_int(rec, "year"), 2026);
	assert_int_equal(fixture_int(rec, "ytd.ncms_paid_fen"), 20000);
	assert_int_equal(fixture_int(rec, "ytd.medical_assistance_paid_fen"), 20000);
	assert_int_equal(fixture_int(rec, "ytd.medical_total_fen"), 60000);
	json_decref(rec);
	rec = get(y, 2025);
	assert_int_equal(fixture_int(rec, "year"), 2025);
	assert_int_equal(fixture_int(rec, "ytd.ncms_paid_fen"), 50000);
	assert_int_equal(fixture_int(rec, "ytd.medical_assistance_paid_fen"), 25000);
	assert_int_equal(fixture_int(rec, "ytd.medical_total_fen"), 100000);
	/* The ledger keeps both years. */
	assert_ledger(rec, "FY-1-b", "ncms", 20000, 20000);
	json_decref(rec);
	rec = get(y, 2024);
	assert_int_equal(fixture_int(rec, "year"), 2024);
	assert_int_equal(fixture_int(rec, "ytd.medical_total_fen"), 0);
	assert_int_equal(fixture_int(rec, "ytd.medical_assistance_paid_fen"), 0);
	json_decref(rec);
}

static int setup(void **state)
{
	if (fixture_setup(&fx, "families", NULL) < 0 || fixture_assistd_start(&fx) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	fixture_teardown(&fx);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dibao_urban_household),
		cmocka_unit_test(test_dibao_rural_class_ii_clipped),
		cmocka_unit_test(test_medical_huimin_then_cap),
		cmocka_unit_test(test_medical_three_noes),
		cmocka_unit_test(test_medical_chronic_quota_conflict),
		cmocka_unit_test(test_education_dibao_child),
		cmocka_unit_test(test_training),
		cmocka_unit_test(test_housing),
		cmocka_unit_test(test_derived_entitlements),
		cmocka_unit_test(test_death),
		cmocka_unit_test(test_get_year),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
