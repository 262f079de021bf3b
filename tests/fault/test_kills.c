/* The fault suite's main run: a stream of events from four `assistctl push`
 * senders (civil_affairs, health, education, labor) and a CDC adapter on the
 * housing department's database, while assistd is SIGKILLed again and again,
 * the adapter SIGKILLed, and PostgreSQL stopped with -m immediate and -m fast.
 * At the end: every source's applied + rejected equals what it sent, its
 * position is its last event, the journal holds exactly the applied events,
 * no ledger entry is there twice, and `assistctl dump` equals the dump after
 * `assistd --rebuild` of the same journal.
 *
 * Sizes come from the environment so scripts/soak runs the same checks longer:
 * ASSIST_FAULT_EVENTS (100000), ASSIST_FAULT_KILLS (10), and
 * ASSIST_FAULT_WAIT_S (600), a bound on each wait (reaching it fails). */
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

#include "eventgen.h"
#include "faults.h"
#include "fixture.h"

#define PUSHERS 4      /* civil_affairs .. labor; housing comes through CDC */
#define CDC_CHUNK 25   /* rows per INSERT into the housing database */

static struct fixture fx;
static PGconn *assist_db, *housing_db;
static pid_t pusher[PUSHERS], adapter;
static long sent[EG_N];
static long events_target, kills, wait_s;
static int households, cdc_rows, cdc_done, bad_bills;

static long env_long(const char *name, long def)
{
	const char *v = getenv(name);

	return v != NULL && atol(v) > 0 ? atol(v) : def;
}

/* A connection to db that survives PostgreSQL restarts: NULL while down. */
static PGconn *conn(PGconn **c, const char *db)
{
	if (*c != NULL && PQstatus(*c) != CONNECTION_OK) {
		PQfinish(*c);
		*c = NULL;
	}
	if (*c == NULL)
		*c = fixture_connect(&fx, db);
	return *c;
}

/* sql on db; its first value (malloc'ed), or NULL while db is down. A
 * connection lost in a restart is found out by its first failing query. */
static char *query_on(PGconn **c, const char *db, const char *sql)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		char *v = conn(c, db) ? fixture_query(*c, sql) : NULL;
		if (v != NULL)
			return v;
		PQfinish(*c);
		*c = NULL;
	}
	return NULL;
}

/* A count from assistd's database; -1 while it cannot be read. */
static long long assist_count(const char *sql)
{
	char *v = query_on(&assist_db, "assist", sql);
	long long n = v != NULL && *v != '\0' ? atoll(v) : -1;

	free(v);
	return n;
}

/* The next rows of rent reductions into the housing database, if it is up:
 * one per household whose civil affairs events are in (a rent reduction for
 * a household with no known member decides nothing). */
static void cdc_insert_chunk(void)
{
	char sql[512], *r;
	long long civil;
	int last;

	if (cdc_done >= cdc_rows)
		return;
	civil = assist_count("SELECT count(*) FROM event_journal WHERE source = 'civil_affairs'");
	last = cdc_done + CDC_CHUNK < cdc_rows ? cdc_done + CDC_CHUNK : cdc_rows;
	if (civil < (long long)eventgen_per_household(EG_CIVIL, 0) * last)
		return;
	snprintf(sql, sizeof(sql),
		 "INSERT INTO rent_reduction (rr_no, hh_code, flat_code, public_rent_fen, "
		 "effective_from, approved) SELECT 'RR-F' || g, 'F' || g, 'FL-' || g, 30000, "
		 "'2026-05-01', true FROM generate_series(%d, %d) g",
		 cdc_done, last - 1);
	/* Not retried blindly: a lost connection is found by a SELECT first. */
	if ((r = query_on(&housing_db, "housing", "SELECT 1")) == NULL)
		return;
	free(r);
	if ((r = fixture_query(housing_db, sql)) != NULL)
		cdc_done = last;
	free(r);
}

static void adapter_start(void)
{
	adapter = fixture_adapter_start(&fx, "housing", NULL);
	assert_true(adapter > 0);
}

/* The adapter may exit when its database went away; it is restarted as
 * systemd would. */
static void adapter_keep_running(void)
{
	int st;

	if (waitpid(adapter, &st, WNOHANG) == adapter) {
		print_message("adapter exited (%d); restarting it\n",
			      WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		adapter_start();
	}
}

static void wait_snapshot(void)
{
	double deadline = fixture_now_s() + (double)wait_s;

	for (;;) {
		char *log = fixture_read(&fx, "adapter-housing.log");
		bool done = strstr(log, "initial snapshot of assist_housing acknowledged") != NULL;
		free(log);
		if (done)
			return;
		if (fixture_now_s() > deadline)
			fail_msg("the housing adapter did not finish its snapshot in %ld s", wait_s);
		fixture_sleep_ms(100);
	}
}

static int setup(void **state)
{
	struct eventgen g = {.prefix = "F", .region = "420704", .first_seq = 1,
			     .sources = (1u << PUSHERS) - 1};
	char schema[700];
	double per_household = 0;

	events_target = env_long("ASSIST_FAULT_EVENTS", 100000);
	kills = env_long("ASSIST_FAULT_KILLS", 10);
	wait_s = env_long("ASSIST_FAULT_WAIT_S", 600);
	/* About one event in twenty comes through CDC, the rest from the senders. */
	for (int s = 0; s < PUSHERS; s++)
		per_household += eventgen_per_household(s, 1) * 0.5 +
				 eventgen_per_household(s, 2) * 0.5;
	per_household += 0.04; /* a bad bill every 25th household */
	cdc_rows = (int)(events_target / 20);
	households = (int)((double)(events_target - cdc_rows) / per_household);
	if (cdc_rows > households)
		cdc_rows = households;
	if (fixture_setup(&fx, "fault-kills", NULL) < 0)
		return -1;
	snprintf(schema, sizeof(schema), "%s/adapters/housing/schema.sql", fx.src);
	if (fixture_createdb(&fx, "housing", schema) < 0 || fixture_assistd_start(&fx) < 0)
		return -1;
	g.dir = fx.dir;
	g.n_households = households;
	if (eventgen_write(&g, sent) < 0)
		return -1;
	for (int h = 0; h < households; h += 25)
		bad_bills++;
	return 0;
}

static int teardown(void **state)
{
	if (adapter > 0) {
		kill(adapter, SIGKILL);
		fixture_wait(adapter);
	}
	PQfinish(assist_db);
	PQfinish(housing_db);
	fixture_teardown(&fx);
	return 0;
}

static bool pushers_running(void)
{
	for (int s = 0; s < PUSHERS; s++) {
		int st;
		if (pusher[s] > 0 && waitpid(pusher[s], &st, WNOHANG) == 0)
			return true;
	}
	return false;
}

/* Insert CDC rows and wait until the journal holds at least target events. */
static void wait_journal(long long target)
{
	double deadline = fixture_now_s() + (double)wait_s;

	while (assist_count("SELECT count(*) FROM event_journal") < target) {
		if (fixture_now_s() > deadline)
			fail_msg("the journal did not reach %lld events in %ld s", target, wait_s);
		cdc_insert_chunk();
		fixture_sleep_ms(20);
	}
}

static void pg_stop_start(const char *how)
{
	char pidfile[400];

	print_message("PostgreSQL: %s, then start\n", how);
	snprintf(pidfile, sizeof(pidfile), "%s/pgdata/postmaster.pid", fx.dir);
	fixture_pg(&fx, how); /* scripts/pg does not fail when pg_ctl gives up */
	/* With the adapter connected: the walsender it keeps busy must not hold
	 * up a fast shutdown (pg_ctl waits 60 s, then gives up). */
	if (access(pidfile, F_OK) == 0)
		fail_msg("PostgreSQL still running after scripts/pg %s (see pg-cmd.log, pg.log)",
			 how);
	fixture_sleep_ms(300);
	assert_int_equal(fixture_pg(&fx, "start"), 0);
}

/* Kill i of the run: assistd always; sometimes the adapter or PostgreSQL. */
static void fault(long i)
{
	assert_int_equal(fixture_assistd_stop(&fx, SIGKILL), 128 + SIGKILL);
	if (i % 4 == 1) {
		kill(adapter, SIGKILL);
		assert_int_equal(fixture_wait(adapter), 128 + SIGKILL);
		adapter = 0;
	}
	if (i % 5 == 2)
		pg_stop_start("kill"); /* pg_ctl stop -m immediate */
	else if (i % 5 == 4)
		pg_stop_start("stop"); /* pg_ctl stop -m fast */
	fixture_sleep_ms(100);
	assert_int_equal(fixture_assistd_start(&fx), 0);
	if (adapter == 0)
		adapter_start();
	else
		adapter_keep_running();
}

static long long source_int(const json_t *st, const char *source, const char *key)
{
	char path[96];

	snprintf(path, sizeof(path), "sources.%s.%s", source, key);
	return fixture_int(st, path);
}

static void wait_cdc_done(void)
{
	double deadline = fixture_now_s() + (double)wait_s;

	for (;;) {
		json_t *st = fixture_status(&fx);
		long long got = st ? source_int(st, "housing", "applied") +
					     source_int(st, "housing", "rejected")
				   : -1;
		json_decref(st);
		if (got == cdc_rows)
			return;
		if (fixture_now_s() > deadline)
			fail_msg("housing: %lld of %d CDC events in after %ld s", got, cdc_rows,
				 wait_s);
		adapter_keep_running();
		fixture_sleep_ms(200);
	}
}

static void check_counts(void)
{
	/* Claim refs of the stream: medical, education, training (one a
	 * household each), rent reductions (one a CDC row). */
	static const struct {
		const char *prefix;
		int n; /* 0: households, 1: CDC rows */
	} claims[] = {{"FM", 0}, {"FE", 0}, {"FT", 0}, {"RR-F", 1}};
	json_t *st = fixture_status(&fx);
	long long applied = 0, rejected = 0;
	char sql[256];

	assert_non_null(st);
	for (int s = 0; s < EG_N; s++) {
		const char *name = eventgen_sources[s];
		long want = s < PUSHERS ? sent[s] : cdc_rows;
		long long a = source_int(st, name, "applied"), r = source_int(st, name, "rejected");
		print_message("%-13s sent %6ld applied %6lld rejected %5lld\n", name, want, a, r);
		assert_int_equal(a + r, want);
		assert_int_equal(r, s == EG_HEALTH ? bad_bills : 0);
		if (s < PUSHERS)
			assert_int_equal(source_int(st, name, "position"), sent[s]);
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM event_journal WHERE source = '%s'",
			 name);
		assert_int_equal(assist_count(sql), a);
		applied += a;
		rejected += r;
	}
	assert_int_equal(assist_count("SELECT count(*) FROM event_journal"), applied);
	assert_int_equal(assist_count("SELECT count(*) FROM dead_letter"), rejected);
	assert_int_equal(fixture_int(st, "dead_letters"), rejected);
	json_decref(st);
	/* Each claim decided once for each person it concerns. */
	assert_int_equal(assist_count("SELECT count(*) FROM (SELECT 1 FROM ledger GROUP BY "
				      "id_number, ref, scheme HAVING count(*) > 1) d"),
			 0);
	/* And every claim decided: a ledger entry or an alert under its ref. */
	for (size_t k = 0; k < sizeof(claims) / sizeof(claims[0]); k++) {
		snprintf(sql, sizeof(sql),
			 "SELECT count(DISTINCT ref) FROM (SELECT ref FROM ledger UNION ALL "
			 "SELECT ref FROM alert) d WHERE ref LIKE '%s%%'",
			 claims[k].prefix);
		assert_int_equal(assist_count(sql), claims[k].n == 0 ? households : cdc_rows);
	}
}

static void test_kills_under_load(void **state)
{
	char file[PUSHERS][300];
	const char *argv[] = {"assistctl", "-c", fx.conf, "push", "--timeout", "1000",
			      "--wait", "3600", NULL, NULL};
	long long total = cdc_rows;
	const char *audit[] = {"assist-audit", "-c", fx.conf, NULL};
	char *out = NULL;

	for (int s = 0; s < PUSHERS; s++)
		total += sent[s];
	print_message("%lld events (%d households, %d through CDC), %ld kills of assistd\n",
		      total, households, cdc_rows, kills);
	adapter_start();
	/* The faults hit a streaming adapter: one killed inside its initial
	 * snapshot makes the snapshot anew, a case of its own (the slot). */
	wait_snapshot();
	for (int s = 0; s < PUSHERS; s++) {
		snprintf(file[s], sizeof(file[s]), "%s/F-%s.jsonl", fx.dir, eventgen_sources[s]);
		argv[8] = file[s];
		pusher[s] = fixture_spawn(&fx, argv);
		assert_true(pusher[s] > 0);
	}
	/* Spread the kills over the stream; each lands while senders still send. */
	for (long i = 0; i < kills; i++) {
		wait_journal((total - bad_bills) * 9 / 10 * (i + 1) / (kills + 1));
		assert_true(pushers_running());
		fault(i);
	}
	while (cdc_done < cdc_rows) {
		cdc_insert_chunk();
		fixture_sleep_ms(5);
	}
	for (int s = 0; s < PUSHERS; s++)
		assert_int_equal(fixture_wait(pusher[s]), s == EG_HEALTH ? 1 : 0);
	wait_cdc_done();
	check_counts();
	assert_int_equal(fixture_run(&fx, NULL, NULL, audit), 0);

	/* The state equals the one rebuilt from the journal alone. */
	assert_int_equal(faults_dump(&fx, fx.conf, "dump-live"), 0);
	kill(adapter, SIGTERM);
	fixture_wait(adapter);
	adapter = 0;
	assert_int_equal(fixture_assistd_stop(&fx, SIGTERM), 0);
	assert_int_equal(faults_rebuild(&fx, fx.conf, &out), 0);
	print_message("%s", out);
	free(out);
	assert_int_equal(fixture_assistd_start(&fx), 0);
	assert_int_equal(faults_dump(&fx, fx.conf, "dump-rebuilt"), 0);
	assert_true(faults_lines(&fx, "dump-live") >= 3L * households);
	assert_true(faults_same(&fx, "dump-live", "dump-rebuilt"));
	check_counts();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kills_under_load),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
