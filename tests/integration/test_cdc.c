/* Department databases to unified records, end to end: one PostgreSQL holds
 * assistd's database and the five department databases (their sample
 * schemas), a real assistd, and a real assist-adapter per department reading
 * logical replication. Rows are written with SQL; the test waits (bounded)
 * until `assistctl get` shows what docs/policy.md says. Then the faults: an
 * adapter killed mid-burst, assistd stopped while rows keep coming; and what
 * must not pass in silence: a TRUNCATE (an alert on the feed), a renamed
 * column (the source's problem in status), a row too big for a message (a
 * dead letter, and the rows after it flow), a lost slot (the adapter exits 3
 * with the problem in status; --resnapshot streams again). assistd and the
 * civil affairs adapter take messages of at most 1 MiB. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"

#define MAX_MSG "max_message_bytes = 1048576\n"

#define WAIT_S 20 /* a bound on every wait: reaching it fails the test */

enum { CIVIL, HEALTH, EDUCATION, LABOR, HOUSING, N_DEPTS };

static const char *const depts[N_DEPTS] = {"civil_affairs", "health", "education", "labor",
					   "housing"};

static struct fixture fx;
static pid_t adapter[N_DEPTS];
static PGconn *dept_db[N_DEPTS];
static PGconn *assist_db;

/* The family of the tests: urban hukou in the city area, household HCDC001
 * of three, 300 yuan a month, 25 m2; father and mother in urban dibao. */
static char father[19], mother[19], child[19];

static void exec_in(PGconn *db, const char *fmt, ...)
{
	char sql[4096];
	char *r;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	r = fixture_query(db, sql);
	if (r == NULL)
		fail_msg("SQL failed: %s", sql);
	free(r);
}

static long long assist_count(const char *fmt, ...)
{
	char sql[1024];
	char *r;
	long long n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	r = fixture_query(assist_db, sql);
	assert_non_null(r);
	n = atoll(r);
	free(r);
	return n;
}

/* Events of source in assistd's journal. */
static long long journaled(const char *source)
{
	return assist_count("SELECT count(*) FROM event_journal WHERE source = '%s'", source);
}

/* A figure read from a record; -1 when it is not there. */
typedef long long (*probe_fn)(const json_t *rec, const void *arg);

static long long probe_int(const json_t *rec, const void *arg)
{
	return fixture_int(rec, arg);
}

struct ledger_key {
	const char *ref;
	const char *scheme;
};

/* amount_fen of the ledger entry (ref, scheme); 0 when decided at 0. */
static long long probe_ledger(const json_t *rec, const void *arg)
{
	const struct ledger_key *k = arg;
	const json_t *ledger = json_object_get(rec, "ledger"), *e;
	size_t i;

	json_array_foreach(ledger, i, e) {
		if (strcmp(fixture_str(e, "ref"), k->ref) == 0 &&
		    strcmp(fixture_str(e, "scheme"), k->scheme) == 0)
			return fixture_int(e, "amount_fen") < 0 ? 0 : fixture_int(e, "amount_fen");
	}
	return -1;
}

/* 1: the record is there. */
static long long probe_found(const json_t *rec, const void *arg)
{
	return 1;
}

/* 1 when the record lists the category, else 0. */
static long long probe_category(const json_t *rec, const void *arg)
{
	const json_t *cats = json_object_get(rec, "categories"), *c;
	size_t i;

	json_array_foreach(cats, i, c) {
		if (json_is_string(c) && strcmp(json_string_value(c), arg) == 0)
			return 1;
	}
	return 0;
}

/* Poll `assistctl get id --year 2026` until probe gives want; the record,
 * or the test fails after WAIT_S. */
static json_t *await_record(const char *id, probe_fn probe, const void *arg, long long want,
			    const char *what)
{
	double deadline = fixture_now_s() + WAIT_S;
	long long got = -1;
	json_t *rec;

	for (;;) {
		rec = fixture_get(&fx, id, 2026, NULL);
		if (rec != NULL) {
			got = probe(rec, arg);
			if (got == want)
				return rec;
			if (fixture_now_s() > deadline) {
				char *text = json_dumps(rec, JSON_INDENT(1));
				print_error("%s\n", text);
				free(text);
			}
			json_decref(rec);
		}
		if (fixture_now_s() > deadline)
			fail_msg("%s of %.6s...: %lld, not %lld within %d s", what, id, got, want,
				 WAIT_S);
		fixture_sleep_ms(20);
	}
}

static void expect_record(const char *id, probe_fn probe, const void *arg, long long want,
			  const char *what)
{
	json_decref(await_record(id, probe, arg, want, what));
}

/* An integer of `assistctl status --json`, -1 when absent. */
static long long status_int(const char *path)
{
	json_t *st = fixture_status(&fx);
	long long v = fixture_int(st, path);

	json_decref(st);
	return v;
}

/* Poll status until path reaches at least want; its value. */
static long long await_status(const char *path, long long want)
{
	double deadline = fixture_now_s() + WAIT_S;
	long long v;

	while ((v = status_int(path)) < want) {
		if (fixture_now_s() > deadline)
			fail_msg("status %s: %lld, not %lld within %d s", path, v, want, WAIT_S);
		fixture_sleep_ms(20);
	}
	return v;
}

static long long applied(int dept)
{
	char path[64];

	snprintf(path, sizeof(path), "sources.%s.applied", depts[dept]);
	return status_int(path);
}

static bool running(pid_t pid)
{
	int st;

	return waitpid(pid, &st, WNOHANG) == 0;
}

static int setup(void **state)
{
	char schema[700];

	fixture_id(father, "420701", "19800101", 1);
	fixture_id(mother, "420701", "19820202", 2);
	fixture_id(child, "420701", "20160303", 3);
	if (fixture_setup(&fx, "cdc", MAX_MSG) < 0)
		return -1;
	for (int d = 0; d < N_DEPTS; d++) {
		snprintf(schema, sizeof(schema), "%s/adapters/%s/schema.sql", fx.src, depts[d]);
		if (fixture_createdb(&fx, depts[d], schema) < 0 ||
		    (dept_db[d] = fixture_connect(&fx, depts[d])) == NULL)
			return -1;
	}
	if (fixture_assistd_start(&fx) < 0 || (assist_db = fixture_connect(&fx, "assist")) == NULL)
		return -1;
	for (int d = 0; d < N_DEPTS; d++) {
		if ((adapter[d] = fixture_adapter_start(&fx, depts[d], d == CIVIL ? MAX_MSG : NULL)) <
		    0)
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	for (int d = 0; d < N_DEPTS; d++) {
		if (adapter[d] > 0) {
			kill(adapter[d], SIGTERM);
			fixture_wait(adapter[d]);
		}
		PQfinish(dept_db[d]);
	}
	PQfinish(assist_db);
	fixture_teardown(&fx);
	return 0;
}

static void test_civil_affairs_family(void **state)
{
	exec_in(dept_db[CIVIL],
		"INSERT INTO persons (id_card_no, name, gender, hukou_type, district_code, town, "
		"village, household_no) VALUES "
		"('%s', 'Zhang Wei', '1', '1', '420701', 'Fenghuang Street', 'Minxin', 'HCDC001'),"
		"('%s', 'Li Na', '2', '1', '420701', 'Fenghuang Street', 'Minxin', 'HCDC001'),"
		"('%s', 'Zhang Ming', '1', '1', '420701', 'Fenghuang Street', 'Minxin', 'HCDC001');"
		"INSERT INTO households (household_no, head_id_card_no, district_code, "
		"member_count, monthly_income_yuan, housing_area_sqm) "
		"VALUES ('HCDC001', '%s', '420701', 3, 300.00, 25.00);"
		"INSERT INTO household_members VALUES ('HCDC001', '%s', '02', '2020-01-01'),"
		"('HCDC001', '%s', '10', '2020-01-01'), ('HCDC001', '%s', '20', '2020-01-01');"
		"INSERT INTO dibao_enrollments (enrollment_no, id_card_no, household_no, scheme, "
		"approved_on) VALUES ('DB-CDC-1', '%s', 'HCDC001', 'C', '2026-01-01'),"
		"('DB-CDC-2', '%s', 'HCDC001', 'C', '2026-01-01')",
		father, mother, child, father, father, mother, child, father, mother);
	/* POLICY (1): 3 x 18,500 - 30,000 = 25,500 a month, 8,500 per member. */
	for (int i = 0; i < 2; i++) {
		json_t *rec = await_record(i ? mother : father, probe_int, "benefits.0.monthly_fen",
					   8500, "urban dibao");

		assert_string_equal(fixture_str(rec, "benefits.0.scheme"), "urban_dibao");
		assert_string_equal(fixture_str(rec, "benefits.0.status"), "active");
		assert_string_equal(fixture_str(rec, "household_id"), "HCDC001");
		assert_string_equal(fixture_str(rec, "hukou"), "urban");
		assert_string_equal(fixture_str(rec, "place.district"), "City");
		assert_int_equal(fixture_int(rec, "household.members"), 3);
		assert_int_equal(fixture_int(rec, "household.monthly_income_fen"), 30000);
		json_decref(rec);
	}
	/* The child is not enrolled: no benefit of its own. */
	json_t *rec = await_record(child, probe_int, "household.monthly_income_fen", 30000,
				   "household income");
	assert_int_equal(json_array_size(json_object_get(rec, "benefits")), 0);
	json_decref(rec);
}

static void test_health_hospital_bill(void **state)
{
	const struct ledger_key huimin = {"ZY-CDC-1", "huimin"};
	const struct ledger_key assistance = {"ZY-CDC-1", "medical_assistance"};
	json_t *rec;

	/* 5,000 yuan inpatient at a Huimin hospital, Huimin insured, share not reported. */
	exec_in(dept_db[HEALTH],
		"INSERT INTO hosp_bill (bill_no, patient_idno, hospital_code, hosp_level, "
		"settle_type, diag_group, service_date, discharge_date, total_yuan, insurer) "
		"VALUES ('ZY-CDC-1', '%s', 'H0001', 'HM', '21', 'ZB', '2026-03-01', '2026-03-10', "
		"5000.00, 'H')",
		father);
	/* Huimin: (500,000 - 10,000) x 60% = 294,000; medical assistance on the
	 * burden: (500,000 - 294,000) x 50% = 103,000. */
	rec = await_record(father, probe_ledger, &huimin, 294000, "Huimin share");
	assert_int_equal(probe_ledger(rec, &assistance), 103000);
	assert_int_equal(fixture_int(rec, "ytd.huimin_paid_fen"), 294000);
	assert_int_equal(fixture_int(rec, "ytd.medical_assistance_paid_fen"), 103000);
	assert_int_equal(fixture_int(rec, "ytd.medical_total_fen"), 500000);
	json_decref(rec);
}

static void test_education_aid_grant(void **state)
{
	const struct ledger_key misc = {"JY-CDC-1", "misc_fee_exemption"};

	exec_in(dept_db[EDUCATION],
		"INSERT INTO student (student_no, id_no, name, school_code, school_name, "
		"stage_code, grade, enrolled_on) VALUES ('G%s', '%s', 'Zhang Ming', '4207010001', "
		"'Fenghuang Primary School', 'XX', 4, '2022-09-01');"
		"INSERT INTO aid_grant (grant_no, student_no, term_code, aid_type, stage_code, "
		"amount_yuan, granted_on) VALUES ('JY-CDC-1', 'G%s', '2026-2027-1', '01', 'XX', "
		"85.00, '2026-09-01')",
		child, child, child);
	/* A child of an urban dibao household: primary misc-fee exemption, 8,500 a term. */
	expect_record(child, probe_ledger, &misc, 8500, "misc-fee exemption");
}

static void test_labor_training_completion(void **state)
{
	const struct ledger_key training = {"PX-CDC-1", "vocational_training"};

	/* City vocational training, employed a month after: 60,000 once. */
	exec_in(dept_db[LABOR],
		"INSERT INTO training_completion (cert_no, course_code, citizen_id, program_type, "
		"run_by, start_date, end_date, days, employed_on, employer_name) VALUES "
		"('PX-CDC-1', 'ZY2026-01', '%s', 'ZY', 'S', '2026-03-01', '2026-04-30', 60, "
		"'2026-06-01', 'Ezhou Textile')",
		father);
	expect_record(father, probe_ledger, &training, 60000, "vocational training subsidy");
}

static void test_housing_rent_reduction(void **state)
{
	const struct ledger_key rr = {"RR-CDC-1", "rent_reduction"};

	/* An urban dibao household with 25 m2 for three: rent halved, 30,000 -> 15,000,
	 * in the ledger of every member under the same ref. */
	exec_in(dept_db[HOUSING],
		"INSERT INTO rent_reduction (rr_no, hh_code, flat_code, public_rent_fen, "
		"effective_from, approved) VALUES ('RR-CDC-1', 'HCDC001', 'F-101', 30000, "
		"'2026-05-01', true)");
	expect_record(father, probe_ledger, &rr, 15000, "rent reduction");
	expect_record(child, probe_ledger, &rr, 15000, "rent reduction");
}

static void test_update_and_delete(void **state)
{
	exec_in(dept_db[CIVIL],
		"UPDATE households SET monthly_income_yuan = 450.00 "
		"WHERE household_no = 'HCDC001'");
	/* 3 x 18,500 - 45,000 = 10,500: 3,500 for each enrolled member. */
	expect_record(father, probe_int, "benefits.0.monthly_fen", 3500, "recomputed dibao");
	expect_record(mother, probe_int, "benefits.0.monthly_fen", 3500, "recomputed dibao");

	exec_in(dept_db[CIVIL],
		"INSERT INTO category_registrations (id_card_no, category_code, grade, valid_from, "
		"cert_no) VALUES ('%s', '51', '2', '2026-02-01', 'CJ-CDC-1')",
		child);
	expect_record(child, probe_category, "disabled", 1, "disabled status");
	exec_in(dept_db[CIVIL], "DELETE FROM category_registrations WHERE cert_no = 'CJ-CDC-1'");
	expect_record(child, probe_category, "disabled", 0, "disabled status after delete");
}

static void test_unmappable_row(void **state)
{
	long long rejected = status_int("sources.civil_affairs.rejected");
	long long dead = status_int("dead_letters");
	char *reason;

	assert_true(rejected >= 0 && dead >= 0);
	exec_in(dept_db[CIVIL],
		"INSERT INTO category_registrations (id_card_no, category_code, valid_from) "
		"VALUES ('%s', '99', '2026-02-01')",
		mother);
	exec_in(dept_db[CIVIL],
		"INSERT INTO category_registrations (id_card_no, category_code, valid_from) "
		"VALUES ('%s', '31', '2026-02-01')",
		mother);
	/* The row after it flows. */
	expect_record(mother, probe_category, "marginal", 1, "marginal status");
	assert_int_equal(status_int("sources.civil_affairs.rejected"), rejected + 1);
	assert_int_equal(status_int("dead_letters"), dead + 1);
	reason = fixture_query(assist_db, "SELECT field || ': ' || reason FROM dead_letter "
					  "WHERE source = 'civil_affairs' ORDER BY id DESC LIMIT 1");
	assert_non_null(reason);
	assert_non_null(strstr(reason, "category_registrations.category_code: unknown code '99'"));
	free(reason);
	reason = fixture_query(assist_db, "SELECT raw FROM dead_letter WHERE source = "
					  "'civil_affairs' ORDER BY id DESC LIMIT 1");
	assert_non_null(reason);
	assert_non_null(strstr(reason, mother));
	free(reason);
}

/* n bills of 200 yuan, inpatient at a Huimin hospital, for the mother:
 * Huimin pays (20,000 - 10,000) x 60% = 6,000 for each. */
static void insert_bills(int from, int to)
{
	for (int i = from; i < to; i++)
		exec_in(dept_db[HEALTH],
			"INSERT INTO hosp_bill (bill_no, patient_idno, hospital_code, hosp_level, "
			"settle_type, diag_group, service_date, total_yuan, insurer) VALUES "
			"('KL-%04d', '%s', 'H0001', 'HM', '21', 'ZB', '2026-04-01', 200.00, 'H')",
			i, mother);
}

static void test_adapter_sigkill_mid_burst(void **state)
{
	const int n = 240;
	long long before = applied(HEALTH);
	long long journal = journaled("health");
	double deadline;

	assert_true(before > 0);
	insert_bills(0, n / 2);
	/* Kill once part of the burst is through, the rest still in flight. */
	deadline = fixture_now_s() + WAIT_S;
	while (applied(HEALTH) < before + n / 8) {
		if (fixture_now_s() > deadline)
			fail_msg("health: no progress within %d s", WAIT_S);
		fixture_sleep_ms(5);
	}
	kill(adapter[HEALTH], SIGKILL);
	assert_int_equal(fixture_wait(adapter[HEALTH]), 128 + SIGKILL);
	adapter[HEALTH] = 0;
	assert_true(applied(HEALTH) < before + n);
	insert_bills(n / 2, n);
	adapter[HEALTH] = fixture_adapter_start(&fx, "health", NULL);
	assert_true(adapter[HEALTH] > 0);

	await_status("sources.health.applied", before + n);
	/* Exactly once: no more applied than changes, each journaled once. */
	assert_int_equal(applied(HEALTH), before + n);
	assert_int_equal(status_int("sources.health.rejected"), 0);
	assert_int_equal(journaled("health"), journal + n);
	assert_int_equal(assist_count("SELECT count(*) FROM (SELECT 1 FROM ledger WHERE source = "
				      "'health' GROUP BY ref, scheme HAVING count(*) > 1) d"),
			 0);
	assert_int_equal(assist_count("SELECT count(DISTINCT ref) FROM ledger WHERE scheme = "
				      "'huimin' AND ref LIKE 'KL-%%'"),
			 n);
	/* And the year-to-date total counts each bill once. */
	expect_record(mother, probe_int, "ytd.huimin_paid_fen", 6000LL * n, "Huimin YTD");
}

/* Registered unemployed persons k in [from, to), one row each. */
static void insert_unemployed(int from, int to, int pause_ms)
{
	char id[19];

	for (int k = from; k < to; k++) {
		fixture_id(id, "420702", "19900101", k);
		exec_in(dept_db[LABOR],
			"INSERT INTO unemployment_registration (reg_no, citizen_id, "
			"registered_since) VALUES ('UR-CDC-%03d', '%s', '2026-01-15')",
			k, id);
		fixture_sleep_ms(pause_ms);
	}
}

static void test_assistd_down(void **state)
{
	const int n = 60;
	long long before = applied(LABOR);
	long long journal = journaled("labor");
	char id[19], sql[256], *held;

	assert_true(before > 0);
	insert_unemployed(0, n / 4, 0);
	await_status("sources.labor.applied", before + n / 4);
	assert_int_equal(fixture_assistd_stop(&fx, SIGTERM), 0);
	insert_unemployed(n / 4, n, 40);
	/* The adapters wait, and the slot keeps what assistd has not acknowledged. */
	held = fixture_query(dept_db[LABOR], "SELECT pg_current_wal_lsn()");
	assert_non_null(held);
	snprintf(sql, sizeof(sql),
		 "SELECT confirmed_flush_lsn < '%s'::pg_lsn FROM pg_replication_slots "
		 "WHERE slot_name = 'assist_labor'",
		 held);
	free(held);
	fixture_sleep_ms(1500);
	for (int d = 0; d < N_DEPTS; d++)
		assert_true(running(adapter[d]));
	held = fixture_query(dept_db[LABOR], sql);
	assert_non_null(held);
	assert_string_equal(held, "t");
	free(held);

	assert_int_equal(fixture_assistd_start(&fx), 0);
	await_status("sources.labor.applied", before + n);
	assert_int_equal(applied(LABOR), before + n);
	assert_int_equal(journaled("labor"), journal + n);
	fixture_id(id, "420702", "19900101", n - 1);
	expect_record(id, probe_category, "registered_unemployed", 1, "registered unemployed");
}

/* A string of `assistctl status --json`, "" when absent or null. */
static char *status_str(const char *path)
{
	json_t *st = fixture_status(&fx);
	char *v = strdup(fixture_str(st, path));

	json_decref(st);
	assert_non_null(v);
	return v;
}

/* Poll status until the string at path contains want ("" : is empty). */
static void await_status_str(const char *path, const char *want)
{
	double deadline = fixture_now_s() + WAIT_S;

	for (;;) {
		char *v = status_str(path);
		bool ok = want[0] == '\0' ? v[0] == '\0' : strstr(v, want) != NULL;
		if (ok) {
			free(v);
			return;
		}
		if (fixture_now_s() > deadline)
			fail_msg("status %s: \"%s\", not \"%s\" within %d s", path, v, want, WAIT_S);
		free(v);
		fixture_sleep_ms(50);
	}
}

static void test_truncate_alert(void **state)
{
	double deadline = fixture_now_s() + WAIT_S;

	exec_in(dept_db[CIVIL], "TRUNCATE category_registrations");
	while (assist_count("SELECT count(*) FROM feed WHERE topic = "
			    "'alert/truncated/civil_affairs'") < 1) {
		if (fixture_now_s() > deadline)
			fail_msg("no truncated alert in the feed within %d s", WAIT_S);
		fixture_sleep_ms(50);
	}
	/* Nothing was voided: the dibao benefit stands. */
	expect_record(father, probe_int, "benefits.0.monthly_fen", 3500, "dibao after truncate");
}

static void insert_person(const char *id, const char *name_sql, const char *town_col)
{
	exec_in(dept_db[CIVIL],
		"INSERT INTO persons (id_card_no, name, gender, hukou_type, district_code, %s, "
		"village) VALUES ('%s', %s, '1', '1', '420701', 'Town', 'Village')",
		town_col, id, name_sql);
}

static void test_renamed_column(void **state)
{
	long long dead = status_int("dead_letters");
	char a[19], b[19];

	fixture_id(a, "420703", "19700101", 1);
	fixture_id(b, "420703", "19700101", 2);
	exec_in(dept_db[CIVIL], "ALTER TABLE persons RENAME COLUMN town TO township");
	insert_person(a, "'Renamed'", "township");
	await_status_str("sources.civil_affairs.problem", "persons.town: no such column");
	await_status("dead_letters", dead + 1);
	/* Put back: the next Relation message clears the problem, rows map again. */
	exec_in(dept_db[CIVIL], "ALTER TABLE persons RENAME COLUMN township TO town");
	insert_person(b, "'Restored'", "town");
	expect_record(b, probe_found, NULL, 1, "person after the rename back");
	await_status_str("sources.civil_affairs.problem", "");
}

static void test_huge_row(void **state)
{
	long long dead = status_int("dead_letters");
	char big[19], after[19], *v;

	fixture_id(big, "420703", "19700101", 3);
	fixture_id(after, "420703", "19700101", 4);
	exec_in(dept_db[CIVIL], "ALTER TABLE persons ALTER COLUMN name TYPE text");
	/* A mapped event of 5 MB, more than a message may be. */
	insert_person(big, "repeat('x', 5 * 1024 * 1024)", "town");
	/* An unmappable row of 5 MB: its raw JSON is cut. */
	exec_in(dept_db[CIVIL], "ALTER TABLE category_registrations ALTER COLUMN approved_by "
				"TYPE text");
	exec_in(dept_db[CIVIL],
		"INSERT INTO category_registrations (id_card_no, category_code, valid_from, "
		"approved_by) VALUES ('%s', '99', '2026-02-01', repeat('y', 5 * 1024 * 1024))",
		big);
	insert_person(after, "'After'", "town");
	expect_record(after, probe_found, NULL, 1, "the row after the big ones");
	await_status("dead_letters", dead + 2);
	v = fixture_query(assist_db, "SELECT string_agg(reason || ' ' || length(raw), '; ' "
				     "ORDER BY id) FROM (SELECT * FROM dead_letter WHERE source = "
				     "'civil_affairs' ORDER BY id DESC LIMIT 2) d");
	assert_non_null(v);
	print_message("dead letters: %s\n", v);
	assert_non_null(strstr(v, "more than max_message_bytes allows"));
	assert_non_null(strstr(v, "unknown code '99'"));
	free(v);
	assert_int_equal(assist_count("SELECT count(*) FROM dead_letter WHERE source = "
				      "'civil_affairs' AND length(raw) > 65536"),
			 0);
}

/* WAL written and switched, and a checkpoint, until the slot is lost. */
static void lose_slot(const char *slot)
{
	double deadline = fixture_now_s() + WAIT_S;
	char sql[200], *st;

	exec_in(dept_db[CIVIL], "ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'");
	exec_in(dept_db[CIVIL], "SELECT pg_reload_conf()");
	snprintf(sql, sizeof(sql),
		 "SELECT wal_status FROM pg_replication_slots WHERE slot_name = '%s'", slot);
	for (;;) {
		for (int i = 0; i < 3; i++) {
			exec_in(dept_db[CIVIL], "SELECT pg_logical_emit_message(false, 'noise', "
						"repeat('z', 100000))");
			exec_in(dept_db[CIVIL], "SELECT pg_switch_wal()");
		}
		exec_in(dept_db[CIVIL], "CHECKPOINT");
		st = fixture_query(dept_db[CIVIL], sql);
		assert_non_null(st);
		bool lost = strcmp(st, "lost") == 0;
		free(st);
		if (lost)
			break;
		if (fixture_now_s() > deadline)
			fail_msg("slot %s not lost within %d s", slot, WAIT_S);
	}
	exec_in(dept_db[CIVIL], "ALTER SYSTEM RESET max_slot_wal_keep_size");
	exec_in(dept_db[CIVIL], "SELECT pg_reload_conf()");
}

/* assist-adapter for dept with --resnapshot, its output to its log. */
static pid_t resnapshot_start(const char *dept)
{
	char exe[600], conf[400], log[400];
	pid_t pid;

	snprintf(exe, sizeof(exe), "%s/assist-adapter", fx.bin);
	snprintf(conf, sizeof(conf), "%s/adapter-%s.conf", fx.dir, dept);
	snprintf(log, sizeof(log), "%s/adapter-%s.log", fx.dir, dept);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(exe, exe, "--department", dept, "-c", conf, "--resnapshot", (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void test_lost_slot(void **state)
{
	char id[19];

	kill(adapter[CIVIL], SIGTERM);
	assert_int_equal(fixture_wait(adapter[CIVIL]), 0);
	adapter[CIVIL] = 0;
	lose_slot("assist_civil_affairs");
	adapter[CIVIL] = fixture_adapter_start(&fx, "civil_affairs", MAX_MSG);
	assert_true(adapter[CIVIL] > 0);
	assert_int_equal(fixture_wait(adapter[CIVIL]), 3);
	adapter[CIVIL] = 0;
	await_status_str("sources.civil_affairs.problem", "is lost");

	/* The operator's re-snapshot. */
	adapter[CIVIL] = resnapshot_start("civil_affairs");
	fixture_id(id, "420703", "19700101", 5);
	insert_person(id, "'After the re-snapshot'", "town");
	expect_record(id, probe_found, NULL, 1, "person after the re-snapshot");
	await_status_str("sources.civil_affairs.problem", "");
}

/* Health read anew: its 242 bills come again, each the claim already
 * applied: acknowledged, not 242 duplicate_claim dead letters. */
static void test_resnapshot_claims(void **state)
{
	const struct ledger_key last = {"KL-0999", "huimin"};
	long long dead = assist_count("SELECT count(*) FROM dead_letter WHERE source = 'health'");
	long long rejected = status_int("sources.health.rejected");

	kill(adapter[HEALTH], SIGTERM);
	fixture_wait(adapter[HEALTH]); /* 0, or 3 if its slot was lost too */
	adapter[HEALTH] = resnapshot_start("health");
	exec_in(dept_db[HEALTH],
		"INSERT INTO hosp_bill (bill_no, patient_idno, hospital_code, hosp_level, "
		"settle_type, diag_group, service_date, total_yuan, insurer) VALUES "
		"('KL-0999', '%s', 'H0001', 'HM', '21', 'ZB', '2026-04-01', 200.00, 'H')",
		mother);
	expect_record(mother, probe_ledger, &last, 6000, "the bill after the re-snapshot");
	assert_int_equal(assist_count("SELECT count(*) FROM dead_letter WHERE source = 'health'"),
			 dead);
	assert_int_equal(status_int("sources.health.rejected"), rejected);
	assert_int_equal(assist_count("SELECT count(*) FROM dead_letter WHERE reason LIKE "
				      "'duplicate_claim%%'"),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_civil_affairs_family),
		cmocka_unit_test(test_health_hospital_bill),
		cmocka_unit_test(test_education_aid_grant),
		cmocka_unit_test(test_labor_training_completion),
		cmocka_unit_test(test_housing_rent_reduction),
		cmocka_unit_test(test_update_and_delete),
		cmocka_unit_test(test_unmappable_row),
		cmocka_unit_test(test_adapter_sigkill_mid_burst),
		cmocka_unit_test(test_assistd_down),
		cmocka_unit_test(test_truncate_alert),
		cmocka_unit_test(test_renamed_column),
		cmocka_unit_test(test_huge_row),
		cmocka_unit_test(test_lost_slot),
		cmocka_unit_test(test_resnapshot_claims),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
