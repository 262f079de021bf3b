/* A recompute job's chunk (docs/policy.md "Retroactive standards"): the
 * urban city standard raised from 18500 to 20000 from 2008-02-01, after
 * January to March were paid; a chunk recomputes its bucket's payees only,
 * books 1500 of arrears for February and March each, explained with the
 * parameter in force and the change, and booking again gives nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "params.h"
#include "policytest.h"
#include "recompute.h"
#include "worldtest.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* In parts 1, 0, 1 of 2 (buckets 33500, 2458, 36937 of 65521). */
static const char *const ids[] = {"420704198001010015", "420704198002010017",
				  "420704198003010019"};
static struct params *before, *raised;

/* Every shipped policy file as one document, the urban city standard given
 * a value of 20000 from 2008-02-01. */
static int load_raised(void)
{
	static const char *const files[] = {"dibao.yaml",   "education.yaml", "entitlements.yaml",
					    "housing.yaml", "medical.yaml",   "training.yaml"};
	static const char old[] = "    2008-01-01: 18500\n";
	char *all = calloc(1, 1), err[256];
	int rc;

	for (size_t i = 0; i < N(files) && all != NULL; i++) {
		char *text = policytest_yaml(files[i]), *at;
		size_t n = strlen(all);

		if (text == NULL)
			return -1;
		at = i == 0 ? strstr(strstr(text, "\ndibao.urban.standard.city:"), old) : NULL;
		all = realloc(all, n + strlen(text) + 64);
		if (at != NULL)
			sprintf(all + n, "%.*s    2008-02-01: 20000\n%s\n", (int)(at + strlen(old) - text),
				text, at + strlen(old));
		else if (all != NULL)
			sprintf(all + n, "%s\n", text);
		free(text);
	}
	rc = all != NULL ? params_load_string(all, "policy", &raised, err, sizeof(err)) : -1;
	if (rc < 0)
		print_error("%s\n", err);
	free(all);
	return rc < 0 ? -1 : 0;
}

static int group_setup(void **state)
{
	(void)state;
	return policytest_params(NULL, &before) < 0 ? -1 : load_raised();
}

static int group_teardown(void **state)
{
	(void)state;
	params_free(before);
	params_free(raised);
	return 0;
}

static void apply(struct worldtest *f, Assist__Event *ev)
{
	struct verdict reject;

	assert_int_equal(worldtest_apply(f, ev, &reject), 0);
}

/* id alone in household H-id, urban, city, no income, in urban dibao from
 * 2008-01-01: 18500 a month. */
static void recipient(struct worldtest *f, const char *id)
{
	Assist__Event ev = ASSIST__EVENT__INIT;
	Assist__HouseholdChange hc = ASSIST__HOUSEHOLD_CHANGE__INIT;
	Assist__PersonChange pc = ASSIST__PERSON_CHANGE__INIT;
	Assist__Enrollment en = ASSIST__ENROLLMENT__INIT;
	Assist__Int64Value income = ASSIST__INT64_VALUE__INIT;
	char hid[24], idbuf[19];

	snprintf(hid, sizeof(hid), "H-%.6s", id + 12);
	snprintf(idbuf, sizeof(idbuf), "%s", id);
	hc.household_id = hid;
	hc.members = 1;
	hc.monthly_income_fen = &income;
	hc.area = ASSIST__AREA__AREA_CITY;
	ev.kind = ASSIST__KIND__KIND_HOUSEHOLD;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_HOUSEHOLD;
	ev.household = &hc;
	apply(f, &ev);
	pc.id_number = idbuf;
	pc.household_id = hid;
	pc.hukou = ASSIST__HUKOU__HUKOU_URBAN;
	pc.area = ASSIST__AREA__AREA_CITY;
	ev = (Assist__Event)ASSIST__EVENT__INIT;
	ev.kind = ASSIST__KIND__KIND_PERSON;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_PERSON;
	ev.person = &pc;
	apply(f, &ev);
	en.id_number = idbuf;
	en.scheme = ASSIST__SCHEME__SCHEME_URBAN_DIBAO;
	en.start_date = "2008-01-01";
	ev = (Assist__Event)ASSIST__EVENT__INIT;
	ev.kind = ASSIST__KIND__KIND_ENROLLMENT;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_ENROLLMENT;
	ev.enrollment = &en;
	apply(f, &ev);
}

static void pay(struct worldtest *f, const char *month)
{
	Assist__Event ev = ASSIST__EVENT__INIT;
	Assist__PaymentRun run = ASSIST__PAYMENT_RUN__INIT;

	run.month = (char *)month;
	ev.kind = ASSIST__KIND__KIND_PAYMENT_RUN;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_PAYMENT_RUN;
	ev.payment_run = &run;
	apply(f, &ev);
}

static void chunk(struct worldtest *f, int32_t bucket, int32_t buckets)
{
	char *names[] = {"dibao.urban.standard.city"};
	Assist__Event ev = ASSIST__EVENT__INIT;
	Assist__Recompute r = ASSIST__RECOMPUTE__INIT;

	r.from = "2008-02-01";
	r.params = names;
	r.n_params = 1;
	r.bucket = bucket;
	r.buckets = buckets;
	ev.kind = ASSIST__KIND__KIND_RECOMPUTE;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_RECOMPUTE;
	ev.recompute = &r;
	apply(f, &ev);
}

static const struct trace_input *input(const struct trace *t, const char *name)
{
	for (int i = 0; i < t->n_inputs; i++) {
		if (strcmp(t->inputs[i].name, name) == 0)
			return &t->inputs[i];
	}
	return NULL;
}

static void test_bucket_of(void **state)
{
	static const struct {
		const char *id;
		uint32_t buckets, want;
	} cases[] = {
		{"420704198001010015", 2, 1},  {"420704198002010017", 2, 0},
		{"420704198003010019", 7, 3},  {"420704198004010010", 7, 0},
		{"420704198001010015", 1, 0},  {"420704198007010016", 100, 66},
		{"4207041980010100XX", 7, 0}, /* not 17 digits: bucket 0 */
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++)
		assert_int_equal(world_bucket_of(cases[i].id, cases[i].buckets), cases[i].want);
}

/* The parts' ranges of buckets tile 0..WORLD_BUCKETS, and a bucket's part
 * is the one whose range holds it (what the store reads is what the world
 * filters). */
static void test_bucket_range(void **state)
{
	static const uint32_t parts[] = {1, 2, 7, 100, 65521, 65536};

	(void)state;
	for (size_t i = 0; i < N(parts); i++) {
		uint32_t n = parts[i], lo, hi, next = 0;

		for (uint32_t k = 0; k < n; k++) {
			world_bucket_range(k, n, &lo, &hi);
			assert_int_equal(lo, next);
			for (uint32_t b = lo; b < hi && b < lo + 3; b++)
				assert_int_equal((uint64_t)b * n / WORLD_BUCKETS, k);
			if (hi > lo)
				assert_int_equal((uint64_t)(hi - 1) * n / WORLD_BUCKETS, k);
			next = hi;
		}
		assert_int_equal(next, WORLD_BUCKETS);
	}
}

static void test_chunk_books_its_bucket(void **state)
{
	struct worldtest f;
	const struct decision *d;
	size_t arrears = 0;

	(void)state;
	worldtest_init(&f, before, "civil_affairs");
	for (size_t i = 0; i < N(ids); i++)
		recipient(&f, ids[i]);
	pay(&f, "2008-01");
	pay(&f, "2008-02");
	pay(&f, "2008-03");
	f.ctx.params = raised;
	chunk(&f, 0, 2);
	/* Bucket 0 holds the second recipient alone: February and March. */
	for (size_t i = 0; i < f.out.n; i++) {
		d = &f.out.items[i];
		if (d->type != DEC_LEDGER)
			continue;
		arrears++;
		assert_string_equal(d->person->id, ids[1]);
		assert_int_equal(d->u.ledger.kind, ASSIST__LEDGER_KIND__LEDGER_KIND_ARREARS);
		assert_int_equal(d->u.ledger.amount, 1500);
		assert_string_equal(d->u.ledger.ref, arrears == 1 ? "pay/urban_dibao/2008-02"
								  : "pay/urban_dibao/2008-03");
		assert_string_equal(input(&d->trace, "changed")->value,
				    "standard dibao.urban.standard.city from 2008-02-01");
		assert_int_equal(d->trace.n_params, 1);
		assert_string_equal(d->trace.params[0].name, "dibao.urban.standard.city");
		assert_int_equal(d->trace.params[0].value, 20000);
		assert_int_equal(d->trace.params[0].effective, 20080201);
		assert_non_null(strstr(d->trace.params[0].clause, "urban standard 185"));
	}
	assert_int_equal(arrears, 2);
	/* The same chunk again books nothing; the other bucket books the others. */
	chunk(&f, 0, 2);
	for (size_t i = 0; i < f.out.n; i++)
		assert_int_not_equal(f.out.items[i].type, DEC_LEDGER);
	chunk(&f, 1, 2);
	arrears = 0;
	for (size_t i = 0; i < f.out.n; i++) {
		d = &f.out.items[i];
		if (d->type != DEC_LEDGER)
			continue;
		arrears++;
		assert_true(strcmp(d->person->id, ids[0]) == 0 || strcmp(d->person->id, ids[2]) == 0);
		assert_int_equal(d->u.ledger.amount, 1500);
	}
	assert_int_equal(arrears, 4);
	worldtest_free(&f);
}

/* A household whose income became 5000 from 2008-03-01 (March booked again:
 * 13500), then the standard raised from 2008-02-01: February is recomputed
 * with February's facts (1 x 20000 - 0, paid 18500) and March with March's
 * (1 x 20000 - 5000, in force 13500): 1500 of arrears each. */
static void test_before_household_change(void **state)
{
	static const char *const how[] = {"household 1 x 20000 - 0 = 20000",
					  "household 1 x 20000 - 5000 = 15000"};
	Assist__HouseholdChange hc = ASSIST__HOUSEHOLD_CHANGE__INIT;
	Assist__Int64Value income = ASSIST__INT64_VALUE__INIT;
	Assist__Event ev = ASSIST__EVENT__INIT;
	struct worldtest f;
	size_t n = 0;

	(void)state;
	worldtest_init(&f, before, "civil_affairs");
	recipient(&f, ids[1]);
	pay(&f, "2008-01");
	pay(&f, "2008-02");
	pay(&f, "2008-03");
	income.value = 5000;
	hc.household_id = "H-010017";
	hc.monthly_income_fen = &income;
	hc.effective_on = "2008-03-01";
	ev.kind = ASSIST__KIND__KIND_HOUSEHOLD;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_HOUSEHOLD;
	ev.household = &hc;
	apply(&f, &ev);
	f.ctx.params = raised;
	chunk(&f, 0, 2);
	for (size_t i = 0; i < f.out.n; i++) {
		const struct decision *d = &f.out.items[i];

		if (d->type != DEC_LEDGER)
			continue;
		assert_true(n < N(how));
		assert_string_equal(d->u.ledger.ref, n == 0 ? "pay/urban_dibao/2008-02" :
							      "pay/urban_dibao/2008-03");
		assert_int_equal(d->u.ledger.amount, 1500);
		assert_non_null(strstr(input(&d->trace, "benefit")->value, how[n]));
		n++;
	}
	assert_int_equal(n, 2);
	worldtest_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_of),
		cmocka_unit_test(test_bucket_range),
		cmocka_unit_test(test_chunk_books_its_bucket),
		cmocka_unit_test(test_before_household_change),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
