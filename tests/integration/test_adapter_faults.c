/* A department database changed or broken under its adapter, with a real
 * assistd (max_message_bytes at the adapter's least, 262144) and a real
 * assist-adapter for civil_affairs:
 *   db heartbeat    the adapter writes its logical message into the
 *                   department's database (an idle slot has WAL to confirm);
 *   missing column  a mapped column renamed away is the source's problem in
 *                   `assistctl status` and the adapter's log; renamed back,
 *                   the problem clears;
 *   big rows        an unmappable row bigger than max_message_bytes becomes a
 *                   dead letter with its raw row cut, and a transaction of
 *                   rows together far bigger than it is sent in several
 *                   batches: the department does not stall;
 *   lost slot       with the slot's WAL removed (max_slot_wal_keep_size) the
 *                   adapter exits 3 and status shows the source failed; only
 *                   --resnapshot reads the tables anew, the row written while
 *                   the slot was lost comes through and the problem clears;
 *   identity        a table at REPLICA IDENTITY DEFAULT the adapter's role may
 *                   not alter: it exits 4, status and log give the SQL to
 *                   run; once run, the adapter streams again. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"

#define WAIT_S 30 /* a bound on every wait: reaching it fails the test */
#define MAX_MESSAGE "262144"
#define ADAPTER_CONF "heartbeat_ms = 200\ndb_heartbeat_ms = 300\nmax_message_bytes = " MAX_MESSAGE "\n"

static struct fixture fx;
static pid_t adapter;
static PGconn *db;
static PGconn *assist_db;

/* Run SQL on conn; its first value, malloc'ed (the test fails on error). */
static char *query(PGconn *conn, const char *fmt, ...)
{
	char sql[4096];
	char *r;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if ((r = fixture_query(conn, sql)) == NULL)
		fail_msg("SQL failed: %s", sql);
	return r;
}

static void exec_in(PGconn *conn, const char *sql)
{
	free(query(conn, "%s", sql));
}

static void id_of(int k, char out[19])
{
	fixture_id(out, "420701", "19900101", k);
}

/* Person k, its village village_sql (an SQL expression). */
static void insert_person(int k, const char *village_sql)
{
	char id[19];

	id_of(k, id);
	free(query(db,
		   "INSERT INTO persons (id_card_no, name, gender, hukou_type, district_code, "
		   "town, village) VALUES ('%s', 'P%d', '1', '1', '420701', 'Town', %s)",
		   id, k, village_sql));
}

/* Wait until assistd has a record of person k. */
static void await_person(int k)
{
	double deadline = fixture_now_s() + WAIT_S;
	char id[19];
	json_t *rec;

	id_of(k, id);
	while ((rec = fixture_get(&fx, id, 2026, NULL)) == NULL) {
		if (fixture_now_s() > deadline)
			fail_msg("person %d never arrived within %d s", k, WAIT_S);
		fixture_sleep_ms(50);
	}
	json_decref(rec);
}

/* civil_affairs' problem in `assistctl status --json`, malloc'ed ("" none). */
static char *problem(void)
{
	json_t *st = fixture_status(&fx);
	char *p;

	assert_non_null(st);
	p = strdup(fixture_str(st, "sources.civil_affairs.problem"));
	json_decref(st);
	assert_non_null(p);
	return p;
}

/* Wait until the problem contains what ("": until there is none). */
static void await_problem(const char *what)
{
	double deadline = fixture_now_s() + WAIT_S;
	char *p;

	for (;;) {
		p = problem();
		if (what[0] == '\0' ? p[0] == '\0' : strstr(p, what) != NULL)
			break;
		if (fixture_now_s() > deadline)
			fail_msg("status problem is \"%s\", waited for \"%s\"", p, what);
		free(p);
		fixture_sleep_ms(50);
	}
	free(p);
}

static bool log_has(const char *what)
{
	char *log = fixture_read(&fx, "adapter-civil_affairs.log");
	bool has = strstr(log, what) != NULL;

	free(log);
	return has;
}

static long long count_in(PGconn *conn, const char *sql)
{
	char *r = query(conn, "%s", sql);
	long long n = atoll(r);

	free(r);
	return n;
}

/* Wait until sql counts n. */
static void await_count(PGconn *conn, const char *sql, long long n)
{
	double deadline = fixture_now_s() + WAIT_S;
	long long got;

	while ((got = count_in(conn, sql)) != n) {
		if (fixture_now_s() > deadline)
			fail_msg("%s: %lld, not %lld", sql, got, n);
		fixture_sleep_ms(50);
	}
}

static int setup(void **state)
{
	char schema[700];

	if (fixture_setup(&fx, "adapter_faults", "max_message_bytes = " MAX_MESSAGE "\n") < 0)
		return -1;
	snprintf(schema, sizeof(schema), "%s/adapters/civil_affairs/schema.sql", fx.src);
	if (fixture_createdb(&fx, "civil_affairs", schema) < 0 ||
	    (db = fixture_connect(&fx, "civil_affairs")) == NULL)
		return -1;
	if (fixture_assistd_start(&fx) < 0 || (assist_db = fixture_connect(&fx, "assist")) == NULL)
		return -1;
	adapter = fixture_adapter_start(&fx, "civil_affairs", ADAPTER_CONF);
	return adapter > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	if (adapter > 0) {
		kill(adapter, SIGTERM);
		fixture_wait(adapter);
	}
	PQfinish(db);
	PQfinish(assist_db);
	fixture_teardown(&fx);
	return 0;
}

/* The logical message the adapter writes every db_heartbeat_ms (300 here),
 * seen through a slot of the server's own test_decoding plugin. */
static void test_db_heartbeat(void **state)
{
	double deadline = fixture_now_s() + WAIT_S;

	exec_in(db, "SELECT pg_create_logical_replication_slot('beats', 'test_decoding')");
	while (count_in(db, "SELECT count(*) FROM pg_logical_slot_peek_changes('beats', NULL, "
			    "NULL) WHERE data LIKE 'message: transactional: 0 prefix: "
			    "assist_heartbeat%'") < 2) {
		if (fixture_now_s() > deadline)
			fail_msg("no heartbeat message in civil_affairs within %d s", WAIT_S);
		fixture_sleep_ms(100);
	}
	exec_in(db, "SELECT pg_drop_replication_slot('beats')");
}

static void test_missing_column(void **state)
{
	insert_person(1, "'Village'");
	await_person(1);
	exec_in(db, "ALTER TABLE persons RENAME COLUMN household_no TO household_ref");
	insert_person(2, "'Village'");
	await_problem("persons.household_no: no such column");
	assert_true(log_has("persons.household_no: no such column"));
	exec_in(db, "ALTER TABLE persons RENAME COLUMN household_ref TO household_no");
	insert_person(3, "'Village'");
	await_person(3);
	await_problem("");
}

static void test_big_rows(void **state)
{
	char sql[2048], id[19];
	size_t len = 0;
	char *raw;

	exec_in(db, "ALTER TABLE persons ALTER COLUMN village TYPE text");
	/* Its event would be 300 kB: an invalid event with the raw row cut. */
	insert_person(100, "repeat('v', 300000)");
	/* Ten rows of 50 kB in one transaction: 500 kB in all. */
	len = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO persons (id_card_no, name, gender, "
				"hukou_type, district_code, town, village) VALUES ");
	for (int k = 101; k <= 110; k++) {
		id_of(k, id);
		len += (size_t)snprintf(sql + len, sizeof(sql) - len,
					"%s('%s', 'P%d', '1', '1', '420701', 'Town', "
					"repeat('w', 50000))", k > 101 ? ", " : "", id, k);
	}
	exec_in(db, sql);
	insert_person(111, "'Village'");
	await_person(111);

	id_of(100, id);
	/* The ten are rejected by assistd (a community is at most 63 bytes),
	 * each its own whole dead letter, stored a little after the records. */
	await_count(assist_db, "SELECT count(*) FROM dead_letter WHERE source = 'civil_affairs' "
			       "AND (field || reason) LIKE '%community%' AND "
			       "length(event::text) > 50000", 10);
	raw = query(assist_db, "SELECT length(raw) || ' ' || reason FROM dead_letter WHERE "
			       "source = 'civil_affairs' AND raw LIKE '%%%s%%'", id);
	print_message("the 300 kB row's dead letter: %.120s\n", raw);
	assert_true(atoll(raw) > 0 && atoll(raw) <= 65536);
	assert_non_null(strstr(raw, "max_message_bytes"));
	free(raw);
	raw = query(assist_db, "SELECT raw FROM dead_letter WHERE raw LIKE '%%%s%%'", id);
	assert_non_null(strstr(raw, "... [truncated: "));
	free(raw);
}

/* Write WAL until the server removed what the slot needs. */
static void lose_slot(void)
{
	char *status = NULL;

	exec_in(db, "ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'");
	exec_in(db, "SELECT pg_reload_conf()");
	exec_in(db, "CREATE TABLE filler (t text)");
	for (int i = 0; i < 20; i++) {
		exec_in(db, "INSERT INTO filler SELECT repeat(md5(g::text), 32) "
			    "FROM generate_series(1, 10000) g");
		exec_in(db, "SELECT pg_switch_wal()");
		exec_in(db, "CHECKPOINT");
		free(status);
		status = query(db, "SELECT wal_status FROM pg_replication_slots "
				   "WHERE slot_name = 'assist_civil_affairs'");
		if (strcmp(status, "lost") == 0)
			break;
	}
	if (strcmp(status, "lost") != 0)
		fail_msg("the slot is still %s", status);
	free(status);
	exec_in(db, "ALTER SYSTEM RESET max_slot_wal_keep_size");
	exec_in(db, "SELECT pg_reload_conf()");
}

static void test_lost_slot(void **state)
{
	char conf[400];
	const char *const resnapshot[] = {"assist-adapter", "--department", "civil_affairs",
					  "-c", conf, "--resnapshot", NULL};

	assert_int_equal(kill(adapter, SIGTERM), 0);
	assert_int_equal(fixture_wait(adapter), 0);
	adapter = 0;
	insert_person(200, "'Village'"); /* its change goes with the WAL */
	lose_slot();

	adapter = fixture_adapter_start(&fx, "civil_affairs", ADAPTER_CONF);
	assert_true(adapter > 0);
	assert_int_equal(fixture_wait(adapter), 3);
	adapter = 0;
	await_problem("is lost");
	assert_true(log_has("--resnapshot"));

	snprintf(conf, sizeof(conf), "%s/adapter-civil_affairs.conf", fx.dir);
	adapter = fixture_spawn(&fx, resnapshot);
	assert_true(adapter > 0);
	await_person(200);
	await_problem("");
	insert_person(201, "'Village'");
	await_person(201);
	assert_int_equal(kill(adapter, SIGTERM), 0);
	assert_int_equal(fixture_wait(adapter), 0);
	adapter = 0;
}

/* A table back at REPLICA IDENTITY DEFAULT that the adapter's role does not
 * own: the adapter refuses (exit 4) saying the SQL to run; run, it streams. */
static void test_replica_identity_refused(void **state)
{
	char *conninfo, extra[1024];

	assert_int_equal(adapter, 0); /* test_lost_slot stopped it */
	exec_in(db, "ALTER TABLE households REPLICA IDENTITY DEFAULT");
	exec_in(db, "CREATE ROLE clerk LOGIN REPLICATION");
	exec_in(db, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO clerk");
	conninfo = fixture_read(&fx, "conninfo-civil_affairs");
	conninfo[strcspn(conninfo, "\n")] = '\0';
	snprintf(extra, sizeof(extra), "max_message_bytes = " MAX_MESSAGE "\n"
		 "database = %s user=clerk\n", conninfo);
	free(conninfo);
	adapter = fixture_adapter_start(&fx, "civil_affairs", extra);
	assert_true(adapter > 0);
	assert_int_equal(fixture_wait(adapter), 4);
	adapter = 0;
	await_problem("ALTER TABLE households REPLICA IDENTITY FULL");
	assert_true(log_has("ALTER TABLE households REPLICA IDENTITY FULL"));

	exec_in(db, "ALTER TABLE households REPLICA IDENTITY FULL");
	adapter = fixture_adapter_start(&fx, "civil_affairs", ADAPTER_CONF);
	assert_true(adapter > 0);
	insert_person(300, "'Village'");
	await_person(300);
	await_problem("");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_db_heartbeat),
		cmocka_unit_test(test_missing_column),
		cmocka_unit_test(test_big_rows),
		cmocka_unit_test(test_lost_slot),
		cmocka_unit_test(test_replica_identity_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
