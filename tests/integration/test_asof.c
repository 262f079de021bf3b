/* Records as of a date through the real daemon (docs/policy.md "Validity",
 * docs/interface.md `get --as-of`): an enrollment's end_date reaches the
 * record, the entitlements derived from it are withdrawn the day after, an
 * enrollment sent again with an end_date ends it, a hukou change holds from
 * its effective_on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"

static struct fixture fx;
static unsigned long seq;

/* Push the lines (each an event of civil_affairs, seq filled in); every
 * event must be applied. */
static void push(const char *const *lines)
{
	char text[8192];
	size_t len = 0;
	char *err = NULL;
	int st;

	for (size_t i = 0; lines[i] != NULL; i++) {
		int n = snprintf(text + len, sizeof(text) - len,
				 "{\"source\":\"civil_affairs\",\"seq\":%lu,%s}\n", ++seq, lines[i]);
		assert_true(n > 0 && (size_t)n < sizeof(text) - len);
		len += (size_t)n;
	}
	st = fixture_push(&fx, "asof.jsonl", text, &err);
	if (st != 0)
		fail_msg("assistctl push: exit %d\n%s", st, err);
	free(err);
}

/* `assistctl get ID [--as-of DATE]`, parsed. */
static json_t *get_as_of(const char *id, const char *as_of)
{
	const char *argv[] = {"assistctl", "-c", fx.conf, "get", id, "--as-of", as_of, NULL};
	char *out = NULL;
	json_t *rec = NULL;
	int st;

	if (as_of == NULL)
		argv[5] = NULL;
	st = fixture_run(&fx, &out, NULL, argv);
	if (st == 0)
		rec = json_loads(out, 0, NULL);
	if (rec == NULL)
		fail_msg("assistctl get %s --as-of %s: exit %d", id, as_of ? as_of : "-", st);
	free(out);
	return rec;
}

static bool eligible(const json_t *rec, const char *scheme)
{
	const json_t *e = fixture_find(rec, "entitlements", "scheme", scheme, NULL, NULL);

	if (e == NULL)
		fail_msg("no entitlement %s", scheme);
	return json_is_true(json_object_get(e, "eligible"));
}

static void assert_benefit(const json_t *rec, const char *status, const char *until)
{
	const json_t *b = fixture_find(rec, "benefits", "scheme", "urban_dibao", NULL, NULL);

	if (b == NULL)
		fail_msg("no urban_dibao benefit in %s", json_dumps(rec, JSON_COMPACT));
	assert_string_equal(fixture_str(b, "status"), status);
	assert_string_equal(fixture_str(b, "until"), until);
	assert_string_equal(fixture_str(b, "since"), "2008-01-01");
	assert_int_equal(fixture_int(b, "monthly_fen"), 18500);
}

/* The four entitlements urban dibao gives, all held or all withdrawn. */
static void assert_derived(const json_t *rec, bool held)
{
	assert_int_equal(eligible(rec, "huimin"), held);
	assert_int_equal(eligible(rec, "utilities"), held);
	assert_int_equal(eligible(rec, "education"), held);
	assert_int_equal(eligible(rec, "legal_aid"), held);
}

/* A household of one, urban hukou, no income: 18,500 a month in the city. */
static void person(const char *id, const char *household, const char *enrollment_extra)
{
	char p[512], h[256], e[512];
	const char *lines[] = {p, h, e, NULL};

	snprintf(p, sizeof(p),
		 "\"kind\":\"person\",\"person\":{\"id_number\":\"%s\",\"name\":\"Li Na\","
		 "\"household_id\":\"%s\",\"hukou\":\"urban\",\"area\":\"city\"}",
		 id, household);
	snprintf(h, sizeof(h),
		 "\"kind\":\"household\",\"household\":{\"household_id\":\"%s\",\"members\":1,"
		 "\"monthly_income_fen\":0,\"area\":\"city\"}",
		 household);
	snprintf(e, sizeof(e),
		 "\"kind\":\"enrollment\",\"enrollment\":{\"id_number\":\"%s\","
		 "\"scheme\":\"urban_dibao\",%s\"start_date\":\"2008-01-01\"}",
		 id, enrollment_extra);
	push(lines);
}

static void test_enrollment_end_reaches_the_record(void **state)
{
	char id[19], today[16];
	time_t now = time(NULL);
	json_t *rec;

	fixture_id(id, "420704", "19700101", 201);
	person(id, "HH-ASOF-1", "\"end_date\":\"2008-03-31\",");

	rec = get_as_of(id, "2008-02-15");
	assert_string_equal(fixture_str(rec, "as_of"), "2008-02-15");
	assert_benefit(rec, "active", "2008-03-31");
	assert_derived(rec, true);
	json_decref(rec);

	rec = get_as_of(id, "2008-04-01");
	assert_benefit(rec, "ended", "2008-03-31");
	assert_derived(rec, false);
	json_decref(rec);

	/* By default: as of today (UTC, as the daemon reckons days). */
	strftime(today, sizeof(today), "%Y-%m-%d", gmtime(&now));
	rec = get_as_of(id, NULL);
	assert_string_equal(fixture_str(rec, "as_of"), today);
	assert_benefit(rec, "ended", "2008-03-31");
	assert_derived(rec, false);
	json_decref(rec);
}

static void test_enrollment_sent_again_ends_it(void **state)
{
	char id[19], line[512];
	const char *lines[] = {line, NULL};
	json_t *rec;

	fixture_id(id, "420704", "19700101", 202);
	person(id, "HH-ASOF-2", "");
	rec = get_as_of(id, NULL);
	assert_benefit(rec, "active", "");
	assert_derived(rec, true);
	json_decref(rec);

	snprintf(line, sizeof(line),
		 "\"kind\":\"enrollment\",\"enrollment\":{\"id_number\":\"%s\","
		 "\"scheme\":\"urban_dibao\",\"start_date\":\"2008-01-01\","
		 "\"end_date\":\"2008-06-30\"}",
		 id);
	push(lines);
	rec = get_as_of(id, NULL);
	assert_benefit(rec, "ended", "2008-06-30");
	assert_derived(rec, false);
	json_decref(rec);
	rec = get_as_of(id, "2008-06-30");
	assert_benefit(rec, "active", "2008-06-30");
	assert_derived(rec, true);
	json_decref(rec);
}

static void test_hukou_change_from_its_effective_day(void **state)
{
	char id[19], line[512];
	const char *lines[] = {line, NULL};
	const json_t *b;
	json_t *rec;

	fixture_id(id, "420704", "19700101", 203);
	person(id, "HH-ASOF-3", "");
	snprintf(line, sizeof(line),
		 "\"kind\":\"person\",\"person\":{\"id_number\":\"%s\",\"hukou\":\"rural\","
		 "\"effective_on\":\"2008-07-01\"}",
		 id);
	push(lines);

	rec = get_as_of(id, "2008-06-30");
	assert_benefit(rec, "active", "2008-06-30");
	assert_derived(rec, true);
	json_decref(rec);
	rec = get_as_of(id, "2008-07-01");
	assert_benefit(rec, "ended", "2008-06-30");
	b = fixture_find(rec, "benefits", "scheme", "urban_dibao", NULL, NULL);
	assert_string_equal(fixture_str(b, "reason"), "hukou changed to rural");
	assert_derived(rec, false);
	json_decref(rec);
}

static void test_income_and_death(void **state)
{
	char id[19], id2[19], h[512], d[512];
	const char *income[] = {h, NULL}, *death[] = {d, NULL};
	json_t *rec;

	fixture_id(id, "420704", "19700101", 204);
	person(id, "HH-ASOF-4", "");
	snprintf(h, sizeof(h),
		 "\"kind\":\"household\",\"household\":{\"household_id\":\"HH-ASOF-4\","
		 "\"monthly_income_fen\":100000,\"effective_on\":\"2008-09-01\"}");
	push(income);
	rec = get_as_of(id, "2008-08-31");
	assert_benefit(rec, "active", "2008-08-31");
	assert_derived(rec, true);
	json_decref(rec);
	rec = get_as_of(id, "2008-09-01");
	assert_benefit(rec, "ended", "2008-08-31");
	assert_derived(rec, false);
	json_decref(rec);

	/* A death on 2008-05-10: paid through May, everything withdrawn from June. */
	fixture_id(id2, "420704", "19700101", 205);
	person(id2, "HH-ASOF-5", "");
	snprintf(d, sizeof(d),
		 "\"kind\":\"person\",\"person\":{\"id_number\":\"%s\","
		 "\"deceased_on\":\"2008-05-10\"}",
		 id2);
	push(death);
	rec = get_as_of(id2, "2008-05-20");
	assert_benefit(rec, "active", "2008-05-31");
	assert_derived(rec, true);
	json_decref(rec);
	rec = get_as_of(id2, "2008-06-01");
	assert_benefit(rec, "ended", "2008-05-31");
	assert_derived(rec, false);
	json_decref(rec);
}

/* A status held from since and ended from a later since. */
static void test_status_ended(void **state)
{
	char id[19], p[512], on[512], off[512];
	const char *lines[] = {p, on, off, NULL};
	json_t *rec;

	fixture_id(id, "420704", "19700101", 206);
	snprintf(p, sizeof(p),
		 "\"kind\":\"person\",\"person\":{\"id_number\":\"%s\",\"name\":\"Wang Wu\","
		 "\"household_id\":\"HH-ASOF-6\",\"hukou\":\"urban\",\"area\":\"city\"}",
		 id);
	snprintf(on, sizeof(on),
		 "\"kind\":\"status\",\"status\":{\"id_number\":\"%s\","
		 "\"category\":\"three_noes\",\"since\":\"2008-01-01\"}",
		 id);
	snprintf(off, sizeof(off),
		 "\"kind\":\"status\",\"status\":{\"id_number\":\"%s\","
		 "\"category\":\"three_noes\",\"active\":false,\"since\":\"2009-01-01\"}",
		 id);
	push(lines);
	rec = get_as_of(id, "2008-06-01");
	assert_true(eligible(rec, "central_support"));
	assert_true(eligible(rec, "legal_aid"));
	json_decref(rec);
	rec = get_as_of(id, "2009-01-01");
	assert_false(eligible(rec, "central_support"));
	assert_false(eligible(rec, "legal_aid"));
	json_decref(rec);
}

static void test_bad_as_of(void **state)
{
	char id[19];
	const char *argv[] = {"assistctl", "-c", fx.conf, "get", id, "--as-of", "2008-02-30", NULL};

	fixture_id(id, "420704", "19700101", 201);
	assert_int_equal(fixture_run(&fx, NULL, NULL, argv), 64);
}

static int setup(void **state)
{
	if (fixture_setup(&fx, "asof", NULL) < 0 || fixture_assistd_start(&fx) < 0)
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
		cmocka_unit_test(test_enrollment_end_reaches_the_record),
		cmocka_unit_test(test_enrollment_sent_again_ends_it),
		cmocka_unit_test(test_hukou_change_from_its_effective_day),
		cmocka_unit_test(test_income_and_death),
		cmocka_unit_test(test_status_ended),
		cmocka_unit_test(test_bad_as_of),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
