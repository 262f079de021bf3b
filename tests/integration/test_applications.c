/* Applications through the real assistd: a dibao application pushed through
 * its five steps enrolls the applicant, whose benefit the month's payment
 * run pays; a step out of order is dead-lettered (out_of_order_step) while
 * the rest of the batch applies; `assistctl application` prints the trail;
 * a step waiting past application.step_days raises application_overdue
 * once, not again after a restart. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults.h"
#include "fixture.h"

static struct fixture fx;
static char a[19], b[19], m1[19], m2[19], nobody[19];

static struct fixture_events evs;

static int push(const char *name, char **err)
{
	return fixture_events_push(&fx, &evs, name, err);
}

/* One step of application app of id for urban dibao; extra is appended. */
static void step(const char *app, const char *id, const char *name, const char *on,
		 const char *extra)
{
	fixture_ev(&evs, "civil_affairs", "application",
		   "\"application_id\":\"%s\",\"id_number\":\"%s\",\"scheme\":\"urban_dibao\","
		   "\"step\":\"%s\",\"officer\":\"officer-%s\",\"on\":\"%s\"%s",
		   app, id, name, name, on, extra);
}

static long long sql_int(const char *sql)
{
	char *v = fixture_sql(&fx, sql);
	long long n = v ? atoll(v) : -1;

	free(v);
	return n;
}

/* `assistctl application app`: its exit status, stdout in *out. */
static int trail(const char *app, char **out)
{
	const char *argv[] = {"assistctl", "-c", fx.conf, "application", app, NULL};
	char *err = NULL;
	int st = fixture_run(&fx, out, &err, argv);

	print_message("application %s: exit %d\n%s%s", app, st, out && *out ? *out : "", err);
	free(err);
	return st;
}

static long long overdue_alerts(const char *ref)
{
	char *v = fixture_sqlf(&fx, "SELECT count(*) FROM alert WHERE code = "
				    "'application_overdue' AND ref = '%s'", ref);
	long long n = v ? atoll(v) : -1;

	free(v);
	return n;
}

/* examples/application.jsonl as the README pushes it: one approved, one
 * rejected by the town. */
static void test_example(void **state)
{
	char path[4096], *out = NULL;
	const char *argv[] = {"assistctl", "-c", fx.conf, "push", path, NULL};
	json_error_t jerr;
	json_t *t, *rec;
	int code = -1;

	snprintf(path, sizeof(path), "%s/examples/application.jsonl", fx.src);
	assert_int_equal(fixture_run(&fx, NULL, NULL, argv), 0);
	assert_int_equal(trail("APP-2026-0002", &out), 0);
	t = json_loads(out, 0, &jerr);
	free(out);
	assert_non_null(t);
	assert_string_equal(fixture_str(t, "state"), "rejected");
	assert_string_equal(fixture_str(t, "steps.2.level"), "town");
	assert_string_equal(fixture_str(t, "steps.2.note"), "income above the urban standard");
	json_decref(t);
	rec = fixture_get(&fx, "420704197505050032", 2026, &code);
	assert_non_null(rec);
	assert_string_equal(fixture_str(rec, "benefits.0.scheme"), "urban_dibao");
	assert_string_equal(fixture_str(rec, "benefits.0.since"), "2026-03-01");
	assert_int_equal(fixture_int(rec, "benefits.0.monthly_fen"), 18500);
	json_decref(rec);
}

/* Submitted in January 2008, approved on 10 February without a start date:
 * urban dibao (3 x 185 - 300 = 255 yuan, 85 each) from 1 March. */
static void test_approved_enrolls(void **state)
{
	int code = -1;
	json_t *rec;
	const json_t *be;

	fixture_ev(&evs, "civil_affairs", "household", "\"household_id\":\"AP-1\",\"members\":3,"
		   "\"monthly_income_fen\":30000,\"area\":\"city\"");
	fixture_ev(&evs, "civil_affairs", "person", "\"id_number\":\"%s\",\"name\":\"A\",\"household_id\":"
		   "\"AP-1\",\"hukou\":\"urban\",\"area\":\"city\"", a);
	fixture_ev(&evs, "civil_affairs", "person", "\"id_number\":\"%s\",\"name\":\"B\",\"household_id\":"
		   "\"AP-2\",\"hukou\":\"urban\",\"area\":\"city\"", b);
	step("APP-1", a, "submitted", "2008-01-05", "");
	step("APP-1", a, "station_checked", "2008-01-08", "");
	step("APP-1", a, "town_audited", "2008-01-14", ",\"note\":\"income checked\"");
	step("APP-1", a, "district_audited", "2008-01-28", "");
	step("APP-1", a, "city_approved", "2008-02-10", "");
	assert_int_equal(push("approve.jsonl", NULL), 0);

	rec = fixture_get(&fx, a, 2008, &code);
	assert_non_null(rec);
	be = fixture_find(rec, "benefits", "scheme", "urban_dibao", NULL, NULL);
	assert_non_null(be);
	assert_string_equal(fixture_str(be, "since"), "2008-03-01");
	assert_int_equal(fixture_int(be, "monthly_fen"), 8500);
	assert_string_equal(fixture_str(rec, "applications.0.state"), "city_approved");
	assert_string_equal(fixture_str(rec, "applications.0.steps.2.level"), "town");
	assert_string_equal(fixture_str(rec, "applications.0.steps.2.note"), "income checked");
	assert_string_equal(fixture_str(rec, "applications.0.steps.4.level"), "city");
	json_decref(rec);
}

/* The month the approval enrolls from is paid by its run. */
static void test_paid(void **state)
{
	const char *argv[] = {"assistctl", "-c", fx.conf, "pay", "2008-03", NULL};
	char *out = NULL;

	assert_int_equal(fixture_run(&fx, &out, NULL, argv), 0);
	assert_non_null(strstr(out, "urban_dibao         1 recipients           8500 fen"));
	free(out);
	assert_int_equal(sql_int("SELECT count(*) FROM ledger WHERE kind = 'payment' AND "
				 "ref = 'pay/urban_dibao/2008-03'"),
			 1);
}

/* A step that skips one is dead-lettered; the rest of the batch applies. */
static void test_out_of_order(void **state)
{
	char *err = NULL, *reason;
	int code = -1;

	step("APP-2", b, "submitted", "2008-01-06", "");
	step("APP-2", b, "district_audited", "2008-01-09", "");
	step("APP-2", b, "station_checked", "2008-01-10", "");
	step("APP-1", a, "rejected", "2008-02-11", ",\"note\":\"too late\"");
	step("APP-9", nobody, "station_checked", "2008-01-10", "");
	/* The approval sent again as it was (a snapshot): no effect, no dead letter;
	 * the same step by another officer is a repeat. */
	step("APP-1", a, "city_approved", "2008-02-10", "");
	fixture_ev(&evs, "civil_affairs", "application",
		   "\"application_id\":\"APP-1\",\"id_number\":\"%s\",\"scheme\":\"urban_dibao\","
		   "\"step\":\"city_approved\",\"officer\":\"someone else\",\"on\":\"2008-02-10\"", a);
	assert_int_equal(push("skip.jsonl", &err), 1);
	assert_non_null(strstr(err, "out_of_order_step"));
	free(err);
	reason = fixture_sql(&fx, "SELECT field || ': ' || reason FROM dead_letter WHERE kind = "
				  "'application' ORDER BY id LIMIT 1");
	assert_non_null(reason);
	assert_string_equal(reason, "application.step: out_of_order_step: district_audited of "
				    "application APP-2 is out of order: station_checked or rejected "
				    "comes after submitted");
	free(reason);
	reason = fixture_sql(&fx, "SELECT reason FROM dead_letter WHERE kind = 'application' "
				  "ORDER BY id OFFSET 1 LIMIT 1");
	assert_non_null(strstr(reason, "after the application was closed (city_approved)"));
	free(reason);
	assert_int_equal(sql_int("SELECT count(*) FROM application WHERE application_id = "
				 "'APP-2' AND state = 'station_checked' AND open"),
			 1);
	/* A refused first step leaves no one behind. */
	assert_int_equal(sql_int("SELECT count(*) FROM dead_letter WHERE kind = 'application' "
				 "AND reason LIKE 'out_of_order_step: station_checked of "
				 "application APP-9 is not submitted%'"),
			 1);
	assert_null(fixture_get(&fx, nobody, 2008, &code));
	assert_int_equal(code, 3);
	assert_int_equal(sql_int("SELECT count(*) FROM dead_letter WHERE kind = 'application'"), 4);
	assert_int_equal(sql_int("SELECT count(*) FROM dead_letter WHERE reason LIKE "
				 "'out_of_order_step: city_approved of application APP-1 comes after "
				 "the application was closed%'"),
			 1);
}

/* The trail as JSON; an unknown application exits 3. */
static void test_trail(void **state)
{
	char *out = NULL;
	json_error_t jerr;
	json_t *t;

	assert_int_equal(trail("APP-1", &out), 0);
	t = json_loads(out, 0, &jerr);
	free(out);
	assert_non_null(t);
	assert_string_equal(fixture_str(t, "application_id"), "APP-1");
	assert_string_equal(fixture_str(t, "scheme"), "urban_dibao");
	assert_string_equal(fixture_str(t, "state"), "city_approved");
	assert_int_equal(json_array_size(json_object_get(t, "steps")), 5);
	assert_string_equal(fixture_str(t, "steps.0.step"), "submitted");
	assert_string_equal(fixture_str(t, "steps.0.officer"), "officer-submitted");
	assert_string_equal(fixture_str(t, "steps.0.on"), "2008-01-05");
	assert_string_equal(fixture_str(t, "steps.0.level"), "community");
	assert_string_equal(fixture_str(t, "steps.3.level"), "district");
	json_decref(t);
	out = NULL;
	assert_int_equal(trail("APP-NONE", &out), 3);
	free(out);
}

/* A housing application names the household: every member keeps the trail. */
static void test_household(void **state)
{
	const char *ids[] = {m1, m2};
	char *out = NULL;
	int code = -1;

	fixture_ev(&evs, "civil_affairs", "person", "\"id_number\":\"%s\",\"name\":\"M1\",\"household_id\":"
		   "\"AP-3\",\"hukou\":\"urban\",\"area\":\"city\"", m1);
	fixture_ev(&evs, "civil_affairs", "person", "\"id_number\":\"%s\",\"name\":\"M2\",\"household_id\":"
		   "\"AP-3\",\"hukou\":\"urban\",\"area\":\"city\"", m2);
	fixture_ev(&evs, "housing", "application", "\"application_id\":\"HAPP-1\",\"household_id\":\"AP-3\","
		   "\"scheme\":\"urban_rental\",\"step\":\"submitted\",\"on\":\"2008-01-03\"");
	fixture_ev(&evs, "housing", "application", "\"application_id\":\"HAPP-1\",\"household_id\":\"AP-3\","
		   "\"scheme\":\"urban_rental\",\"step\":\"station_checked\",\"on\":\"2008-01-07\"");
	assert_int_equal(push("housing.jsonl", NULL), 0);
	for (size_t i = 0; i < 2; i++) {
		json_t *rec = fixture_get(&fx, ids[i], 2008, &code);

		assert_non_null(rec);
		assert_string_equal(fixture_str(rec, "applications.0.application_id"), "HAPP-1");
		assert_string_equal(fixture_str(rec, "applications.0.household_id"), "AP-3");
		assert_string_equal(fixture_str(rec, "applications.0.state"), "station_checked");
		json_decref(rec);
	}
	assert_int_equal(trail("HAPP-1", &out), 0);
	assert_non_null(strstr(out, "\"urban_rental\""));
	free(out);
	/* Housing's own role does not hold an education scheme. */
	fixture_ev(&evs, "housing", "application", "\"application_id\":\"HAPP-2\",\"id_number\":\"%s\","
		   "\"scheme\":\"vocational\",\"step\":\"submitted\",\"on\":\"2008-01-03\"", m1);
	assert_int_equal(push("not-housing.jsonl", &out), 1);
	assert_non_null(strstr(out, "not_authorized"));
	free(out);
}

/* Wait up to 20 s for n overdue alerts of ref. */
static void wait_overdue(const char *ref, long long n)
{
	double until = fixture_now_s() + 20;

	while (overdue_alerts(ref) < n && fixture_now_s() < until)
		fixture_sleep_ms(200);
	assert_int_equal(overdue_alerts(ref), n);
}

/* APP-2's station_checked of January 2008 has waited far longer than 30
 * days by the wall clock: raised once, on the applicant's record, and not
 * again by later checks or after a restart. The closed APP-1 raises none. */
static void test_overdue_once(void **state)
{
	int code = -1;
	json_t *rec;

	wait_overdue("APP-2/station_checked", 1);
	fixture_sleep_ms(2500); /* two more checks */
	assert_int_equal(overdue_alerts("APP-2/station_checked"), 1);
	assert_int_equal(fixture_assistd_stop(&fx, SIGTERM), 0);
	assert_int_equal(fixture_assistd_start(&fx), 0);
	fixture_sleep_ms(2500);
	assert_int_equal(overdue_alerts("APP-2/station_checked"), 1);
	assert_int_equal(sql_int("SELECT count(*) FROM alert WHERE ref LIKE 'APP-1/%'"), 0);
	rec = fixture_get(&fx, b, 2008, &code);
	assert_non_null(rec);
	assert_non_null(fixture_find(rec, "alerts", "code", "application_overdue", "ref",
				     "APP-2/station_checked"));
	json_decref(rec);
	/* A household's open step: on every member. */
	wait_overdue("HAPP-1/station_checked", 2);
	/* The next step is a new wait: overdue again, for that step. */
	step("APP-2", b, "town_audited", "2008-01-20", "");
	assert_int_equal(push("town.jsonl", NULL), 0);
	wait_overdue("APP-2/town_audited", 1);
}

/* Replaying the journal gives the same trails, enrollment and alerts: the
 * overdue marks are journal events too. */
static void test_rebuild(void **state)
{
	const char *alerts = "SELECT count(*) FROM alert WHERE code = 'application_overdue'";
	const char *audit[] = {"assist-audit", "-c", fx.conf, NULL};
	long long before = sql_int(alerts);
	char *out = NULL;

	assert_true(before >= 2);
	assert_int_equal(fixture_assistd_stop(&fx, SIGTERM), 0);
	assert_int_equal(faults_rebuild(&fx, fx.conf, NULL), 0);
	assert_int_equal(sql_int(alerts), before);
	assert_int_equal(sql_int("SELECT count(*) FROM application WHERE application_id = "
				 "'APP-2' AND state = 'town_audited' AND raised"),
			 1);
	assert_int_equal(fixture_assistd_start(&fx), 0);
	assert_int_equal(fixture_run(&fx, NULL, NULL, audit), 0);
	assert_int_equal(trail("APP-1", &out), 0);
	assert_non_null(strstr(out, "\"income checked\""));
	free(out);
	assert_int_equal(sql_int("SELECT count(*) FROM ledger WHERE kind = 'payment' AND "
				 "ref = 'pay/urban_dibao/2008-03'"),
			 1);
}

static int setup(void **state)
{
	evs.seq = 100; /* after the example's positions */
	fixture_id(a, "420704", "19800101", 301);
	fixture_id(b, "420704", "19820202", 302);
	fixture_id(m1, "420704", "19700101", 303);
	fixture_id(m2, "420704", "19720202", 304);
	fixture_id(nobody, "420704", "19900303", 305);
	if (fixture_setup(&fx, "applications", "application_check_s = 1\n") < 0 ||
	    fixture_assistd_start(&fx) < 0)
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
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_approved_enrolls),
		cmocka_unit_test(test_paid),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_trail),
		cmocka_unit_test(test_household),
		cmocka_unit_test(test_overdue_once),
		cmocka_unit_test(test_rebuild),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
