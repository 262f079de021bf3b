/* Monthly payment runs through the real assistd: `assistctl pay MONTH` books
 * one payment per recipient and scheme (pay/<scheme>/<YYYY-MM>) of the
 * benefit active on the month's first day, a second run of the month books
 * nothing, persons no longer in memory are paid too, the audit and a
 * rebuild agree, and only finance may order a run. */
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
static char a[19], b[19], c[19], r[19];

static struct fixture_events evs;

/* Push what fixture_ev(&evs, ) collected: its exit status, stderr in *err. */
			static int push(const char *name, char **err)
			{
			return fixture_events_push(&fx, &evs, name, err);
}

static void person(const char *id, const char *household, const char *hukou, const char *area)
{
	fixture_ev(&evs, "civil_affairs", "person",
		   "\"id_number\":\"%s\",\"name\":\"P\",\"household_id\":\"%s\",\"hukou\":\"%s\","
		   "\"area\":\"%s\"",
		   id, household, hukou, area);
}

/* `assistctl pay month`: its exit status, stdout in *out. */
static int pay(const char *month, char **out)
{
	const char *argv[] = {"assistctl", "-c", fx.conf, "pay", month, NULL};
	char *err = NULL;
	int st = fixture_run(&fx, out, &err, argv);

	print_message("pay %s: exit %d\n%s%s", month, st, out && *out ? *out : "", err);
	free(err);
	return st;
}

static long long sql_int(const char *sql)
{
	char *v = fixture_sql(&fx, sql);
	long long n = v ? atoll(v) : -1;

	free(v);
	return n;
}

static void assert_payment(const char *id, const char *ref, long long amount)
{
	int code = -1;
	json_t *rec = fixture_get(&fx, id, 2008, &code);
	const json_t *le = rec ? fixture_find(rec, "ledger", "ref", ref, NULL, NULL) : NULL;

	if (le == NULL)
		fail_msg("%s has no %s (get exit %d)", id, ref, code);
	assert_int_equal(fixture_int(le, "amount_fen"), amount);
	assert_int_equal(fixture_int(le, "requested_fen"), amount);
	assert_string_equal(fixture_str(le, "kind"), "payment");
	assert_string_equal(fixture_str(le, "period"), ref + strlen(ref) - 7);
	json_decref(rec);
}

static void assert_unpaid(const char *id, const char *ref)
{
	int code = -1;
	json_t *rec = fixture_get(&fx, id, 2008, &code);

	assert_non_null(rec);
	if (fixture_find(rec, "ledger", "ref", ref, NULL, NULL) != NULL)
		fail_msg("%s was paid %s", id, ref);
	json_decref(rec);
}

/* Two urban dibao members (3 x 185 - 300 = 255 yuan: 85 each) from
 * January, a rural class II dibao of 50 yuan from February, a single urban
 * dibao recipient (185 yuan) from 15 March. */
static void test_march(void **state)
{
	char *out = NULL;

	fixture_ev(&evs, "civil_affairs", "household", "\"household_id\":\"PA-1\",\"members\":3,"
		   "\"monthly_income_fen\":30000,\"area\":\"city\"");
	fixture_ev(&evs, "civil_affairs", "household", "\"household_id\":\"PR-1\",\"members\":2,"
		   "\"monthly_income_fen\":0,\"area\":\"district\"");
	fixture_ev(&evs, "civil_affairs", "household", "\"household_id\":\"PC-1\",\"members\":1,"
		   "\"monthly_income_fen\":0,\"area\":\"city\"");
	person(a, "PA-1", "urban", "city");
	person(b, "PA-1", "urban", "city");
	person(r, "PR-1", "rural", "district");
	person(c, "PC-1", "urban", "city");
	fixture_ev(&evs, "civil_affairs", "enrollment", "\"id_number\":\"%s\",\"scheme\":\"urban_dibao\","
		   "\"start_date\":\"2008-01-01\"", a);
	fixture_ev(&evs, "civil_affairs", "enrollment", "\"id_number\":\"%s\",\"scheme\":\"urban_dibao\","
		   "\"start_date\":\"2008-01-01\"", b);
	fixture_ev(&evs, "civil_affairs", "enrollment", "\"id_number\":\"%s\",\"scheme\":\"rural_dibao\","
		   "\"class\":\"II\",\"amount_fen\":5000,\"start_date\":\"2008-02-01\"", r);
	fixture_ev(&evs, "civil_affairs", "enrollment", "\"id_number\":\"%s\",\"scheme\":\"urban_dibao\","
		   "\"start_date\":\"2008-03-15\"", c);
	assert_int_equal(push("enroll.jsonl", NULL), 0);

	assert_int_equal(pay("2008-03", &out), 0);
	assert_non_null(strstr(out, "payments for 2008-03"));
	assert_non_null(strstr(out, "urban_dibao         2 recipients          17000 fen"));
	assert_non_null(strstr(out, "rural_dibao         1 recipients           5000 fen"));
	free(out);
	assert_payment(a, "pay/urban_dibao/2008-03", 8500);
	assert_payment(b, "pay/urban_dibao/2008-03", 8500);
	assert_payment(r, "pay/rural_dibao/2008-03", 5000);
	/* From the 15th: not active on 1 March. */
	assert_unpaid(c, "pay/urban_dibao/2008-03");
	assert_int_equal(sql_int("SELECT count(*) FROM ledger WHERE kind = 'payment' AND "
				 "period = '2008-03' AND date = '2008-03-01'"), 3);
}

/* The same month again: accepted, nothing more booked. */
static void test_march_again(void **state)
{
	char *out = NULL;

	assert_int_equal(pay("2008-03", &out), 0);
	assert_non_null(strstr(out, "urban_dibao         2 recipients          17000 fen"));
	free(out);
	assert_int_equal(sql_int("SELECT count(*) FROM ledger WHERE kind = 'payment'"), 3);
}

/* A department may not order a run; finance may not send a person. */
static void test_not_authorized(void **state)
{
	char *err = NULL;

	fixture_ev(&evs, "civil_affairs", "payment_run", "\"month\":\"2008-04\"");
	assert_int_equal(push("run-by-civil-affairs.jsonl", &err), 1);
	assert_non_null(strstr(err, "not_authorized: civil_affairs may not send payment_run"));
	free(err);
	err = NULL;
	fixture_ev(&evs, "finance", "person", "\"id_number\":\"%s\",\"name\":\"X\"", a);
	assert_int_equal(push("person-by-finance.jsonl", &err), 1);
	assert_non_null(strstr(err, "not_authorized: finance may not send person"));
	free(err);
	assert_int_equal(sql_int("SELECT count(*) FROM ledger WHERE period = '2008-04'"), 0);
}

static long long record_int(const char *id, const char *field)
{
	int code = -1;
	json_t *rec = fixture_get(&fx, id, 2008, &code);
	long long v = rec != NULL ? fixture_int(rec, field) : -1;

	json_decref(rec);
	return v;
}

/* a's row, which a payment does not rewrite. */
static char *stored_form(void)
{
	return fixture_sqlf(&fx, "SELECT md5(state) || version FROM person WHERE id_number = '%s'",
			    a);
}

/* After a restart no one is in memory: the run loads every recipient. A
 * payment leaves the person's row as it was: its ledger row carries the
 * record's version and feed sequence, which a load takes. A fund's
 * recipients are counted once. */
static void test_april_after_restart(void **state)
{
	const char *audit[] = {"assist-audit", "-c", fx.conf, NULL};
	long long version = record_int(a, "version"), seq = record_int(a, "feed_seq");
	char *out = NULL, *form = stored_form(), *now;

	assert_true(version > 1);
	assert_int_equal(fixture_assistd_stop(&fx, SIGTERM), 0);
	assert_int_equal(fixture_assistd_start(&fx), 0);
	assert_int_equal(record_int(a, "version"), version);
	assert_int_equal(record_int(a, "feed_seq"), seq);
	assert_int_equal(pay("2008-04", &out), 0);
	assert_int_equal(record_int(a, "version"), version + 1);
	assert_true(record_int(a, "feed_seq") > seq);
	now = stored_form();
	assert_non_null(form);
	assert_non_null(now);
	assert_string_equal(now, form);
	free(now);
	free(form);
	assert_int_equal(sql_int("SELECT sum(recipients) FROM fund_year"),
			 sql_int("SELECT count(*) FROM (SELECT DISTINCT scheme, "
				 "extract(year FROM date), id_number FROM ledger) t"));
	assert_int_equal(sql_int("SELECT recipients FROM fund_year WHERE year = 2008 AND "
				 "scheme = 'urban_dibao'"), 3);
	assert_non_null(strstr(out, "urban_dibao         3 recipients          35500 fen"));
	assert_non_null(strstr(out, "rural_dibao         1 recipients           5000 fen"));
	free(out);
	assert_payment(a, "pay/urban_dibao/2008-04", 8500);
	assert_payment(c, "pay/urban_dibao/2008-04", 18500);
	assert_payment(r, "pay/rural_dibao/2008-04", 5000);
	assert_int_equal(fixture_run(&fx, NULL, NULL, audit), 0);
	/* assistd writes each person's bucket: the figure the SQL function gives. */
	assert_true(sql_int("SELECT count(*) FROM person") > 0);
	assert_int_equal(sql_int("SELECT count(*) FROM person "
				 "WHERE bucket IS DISTINCT FROM payee_bucket(id_number)"),
			 0);
}

/* Replaying the journal books the same payments. */
static void test_rebuild(void **state)
{
	const char *sum = "SELECT count(*) * 1000000 + sum(amount_fen) FROM ledger "
			  "WHERE kind = 'payment'";
	long long before = sql_int(sum);

	assert_int_equal(fixture_assistd_stop(&fx, SIGTERM), 0);
	assert_int_equal(faults_rebuild(&fx, fx.conf, NULL), 0);
	assert_int_equal(sql_int(sum), before);
	assert_int_equal(sql_int("SELECT count(*) FROM ledger WHERE kind = 'payment' AND "
				 "ref = 'pay/urban_dibao/2008-04'"), 3);
	assert_int_equal(fixture_assistd_start(&fx), 0);
}

static int setup(void **state)
{
	fixture_id(a, "420704", "19800101", 201);
	fixture_id(b, "420704", "19820202", 202);
	fixture_id(c, "420704", "19700303", 203);
	fixture_id(r, "420702", "19600404", 204);
	if (fixture_setup(&fx, "payments", NULL) < 0 || fixture_assistd_start(&fx) < 0)
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
		cmocka_unit_test(test_march),
		cmocka_unit_test(test_march_again),
		cmocka_unit_test(test_not_authorized),
		cmocka_unit_test(test_april_after_restart),
		cmocka_unit_test(test_rebuild),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
