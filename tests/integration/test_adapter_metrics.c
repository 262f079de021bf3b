/* GET /metrics of a real assist-adapter (metrics_listen on a free loopback
 * port) streaming civil affairs to a real assistd: the rows it read per
 * table and operation are the ones written, the LSN it confirmed to its
 * slot moves past 0 and is at least the slot's, nothing stays unacknowledged,
 * promtool accepts the text, and any other path is 404. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "promtest.h"

static struct fixture fx;
static PGconn *dept;
static pid_t adapter;
static int port;
static char a[19], b[19];

static void exec_sql(const char *sql)
{
	PGresult *res = PQexec(dept, sql);

	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(res));
	PQclear(res);
}

/* Whether the adapter streams (its initial snapshot, empty, acknowledged). */
static bool streaming(void)
{
	char *log = fixture_read(&fx, "adapter-civil_affairs.log");
	bool yes = strstr(log, "initial snapshot of assist_civil_affairs acknowledged") != NULL;

	free(log);
	return yes;
}

static int setup(void **state)
{
	char schema[700], conf[64];

	fixture_id(a, "420701", "19800101", 41);
	fixture_id(b, "420701", "19820202", 42);
	if ((port = promtest_free_port()) < 0 || fixture_setup(&fx, "adapter_metrics", NULL) < 0)
		return -1;
	snprintf(schema, sizeof(schema), "%s/adapters/civil_affairs/schema.sql", fx.src);
	if (fixture_createdb(&fx, "civil_affairs", schema) < 0 ||
	    (dept = fixture_connect(&fx, "civil_affairs")) == NULL || fixture_assistd_start(&fx) < 0)
		return -1;
	snprintf(conf, sizeof(conf), "metrics_listen = 127.0.0.1:%d\n", port);
	return (adapter = fixture_adapter_start(&fx, "civil_affairs", conf)) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	if (adapter > 0) {
		kill(adapter, SIGTERM);
		fixture_wait(adapter);
	}
	PQfinish(dept);
	fixture_teardown(&fx);
	return 0;
}

/* assist_adapter_WHAT_lsn of text. */
static long long lsn(const char *text, const char *what)
{
	char series[128];

	snprintf(series, sizeof(series), "assist_adapter_%s_lsn{department=\"civil_affairs\"}",
		 what);
	return promtest_sample(text, series);
}

/* /metrics once the confirmed LSN is past 0 and at least floor (15 s at
 * most), malloc'ed; NULL when it never is. */
static char *confirmed_at_least(long long floor)
{
	double end = fixture_now_s() + 15;
	char *resp;

	do {
		resp = promtest_http(port, "GET", "/metrics");
		if (resp != NULL && lsn(promtest_body(resp), "confirmed") > 0 &&
		    lsn(promtest_body(resp), "confirmed") >= floor)
			return resp;
		free(resp);
		fixture_sleep_ms(200);
	} while (fixture_now_s() < end);
	return NULL;
}

static void test_rows(void **state)
{
	const char *upd = "assist_adapter_rows_total{department=\"civil_affairs\","
			  "table=\"persons\",op=\"update\"}";
	char sql[1024], *resp, *slot;
	const char *text;

	/* Rows written before the slot exists would come as its snapshot. */
	for (double end = fixture_now_s() + 30; !streaming() && fixture_now_s() < end;)
		fixture_sleep_ms(100);
	assert_true(streaming());
	snprintf(sql, sizeof(sql),
		 "INSERT INTO persons (id_card_no, name, gender, hukou_type, district_code, town, "
		 "village, household_no) VALUES "
		 "('%s', 'Zhang Wei', '1', '1', '420701', 'Fenghuang Street', 'Minxin', 'HAM001'),"
		 "('%s', 'Li Na', '2', '1', '420701', 'Fenghuang Street', 'Minxin', 'HAM001')",
		 a, b);
	exec_sql(sql);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO households (household_no, head_id_card_no, district_code, "
		 "member_count, monthly_income_yuan, housing_area_sqm) "
		 "VALUES ('HAM001', '%s', '420701', 2, 300.00, 25.00)", a);
	exec_sql(sql);
	exec_sql("UPDATE persons SET name = 'Zhang Wei Jr' WHERE household_no = 'HAM001' AND "
		 "gender = '1'");
	resp = promtest_until(port, upd, 1);
	assert_non_null(resp);
	assert_non_null(text = promtest_body(resp));
	assert_non_null(strstr(resp, "Content-Type: text/plain; version=0.0.4"));
	assert_int_equal(promtest_sample(text, upd), 1);
	assert_int_equal(promtest_sample(text, "assist_adapter_rows_total{department=\"civil_affairs"
					       "\",table=\"persons\",op=\"insert\"}"), 2);
	assert_int_equal(promtest_sample(text, "assist_adapter_rows_total{department=\"civil_affairs"
					       "\",table=\"households\",op=\"insert\"}"), 1);
	assert_int_equal(promtest_sample(text, "assist_adapter_rows_total{department=\"civil_affairs"
					       "\",table=\"persons\",op=\"delete\"}"), 0);
	assert_true(promtest_sample(text, "assist_adapter_resident_memory_bytes{department="
					  "\"civil_affairs\"}") > 0);
	assert_int_equal(promtest_promtool(fx.dir, "adapter-metrics.txt", text), 0);
	free(resp);

	/* Every event acknowledged, the adapter confirms up to them (a status
	 * goes out when the position moves, or every 10 s): what it says it
	 * confirmed is past 0, at least what the slot shows (read first), and
	 * the lag is what it received beyond that. */
	slot = fixture_sqlf(&fx, "SELECT confirmed_flush_lsn - '0/0' FROM pg_replication_slots "
				 "WHERE slot_name = 'assist_civil_affairs'");
	resp = confirmed_at_least(strtoll(slot, NULL, 10));
	free(slot);
	assert_non_null(resp);
	text = promtest_body(resp);
	assert_true(lsn(text, "confirmed") > 0);
	assert_int_equal(lsn(text, "received") - lsn(text, "confirmed"),
			 promtest_sample(text, "assist_adapter_slot_lag_bytes{department="
					       "\"civil_affairs\"}"));
	assert_int_equal(promtest_sample(text, "assist_adapter_unacknowledged_events{department="
					       "\"civil_affairs\"}"), 0);
	free(resp);
}

static void test_other_path(void **state)
{
	char *resp = promtest_http(port, "GET", "/");

	assert_non_null(resp);
	assert_non_null(strstr(resp, " 404 "));
	free(resp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_other_path),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
