/* The store against a real PostgreSQL (scripts/pg): migrations, big
 * pipelined jobs, SQL errors, server restarts and crashes with jobs queued,
 * commits whose outcome the store never heard, and a clean close. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

#define DEADLINE_MS 60000
#define MAX_DONE 256

static const struct store_migration migrations[] = {
	{1, "CREATE TABLE item (k bigint PRIMARY KEY, v text, b bytea);"
	    "CREATE TABLE mig_log (version int NOT NULL);"
	    "INSERT INTO mig_log VALUES (1);"},
	{2, "ALTER TABLE item ADD COLUMN n int;\n"
	    "INSERT INTO mig_log VALUES (2) -- a trailing comment"},
	{3, "INSERT INTO mig_log VALUES (3)"},
};

enum { S_INSERT, S_COUNT, S_GET, S_DIV, S_N };

static const struct store_statement statements[] = {
	[S_INSERT] = {"item_insert", "INSERT INTO item (k, v, b, n) VALUES ($1, $2, $3, $4)", 4},
	[S_COUNT] = {"item_count", "SELECT count(*), coalesce(sum(k), 0) FROM item", 0},
	[S_GET] = {"item_get", "SELECT v, b, n FROM item WHERE k = $1", 1},
	[S_DIV] = {"div", "SELECT 1 / $1::int", 1},
};

static const struct store_catalog catalog2 = {migrations, 2, statements, S_N};
static const struct store_catalog catalog3 = {migrations, 3, statements, S_N};

struct done_rec {
	int tag;
	int status;
	struct store_job *job;
};

/* One test's world: its loop, its database, what completed. */
static struct fix {
	uv_loop_t loop;
	uv_timer_t deadline;
	uv_timer_t poke;
	bool timed_out;
	struct store *st;
	char conninfo[512];
	PGconn *peek; /* a plain blocking connection to look at the database */
	int ups, downs, closed, ticks, terminated;
	struct done_rec done[MAX_DONE];
	int n_done;
	int poke_at;         /* tag whose completion starts the poke timer */
	int cancel_at;       /* tag whose failure cancels the writes queued */
	uv_timer_cb poke_cb;
	uint64_t batch;      /* the last batch number handed out */
} F;

static char pgdir[] = "/tmp/assist-store-XXXXXX";

static int pg(const char *verb, const char *arg)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "'%s/scripts/pg' %s '%s' %s >/dev/null", getenv("ASSIST_SOURCE_DIR"),
		 verb, pgdir, arg);
	return system(cmd);
}

static int group_setup(void **state)
{
	if (getenv("ASSIST_SOURCE_DIR") == NULL || mkdtemp(pgdir) == NULL)
		return -1;
	setenv("ASSIST_PG_FSYNC", "off", 1);
	return pg("start", "") == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
	char cmd[256];

	pg("stop", "");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", pgdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void on_deadline(uv_timer_t *t)
{
	F.timed_out = true;
}

/* Run the loop until *counter reaches target; false after the deadline. */
static bool run_until(const int *counter, int target)
{
	F.timed_out = false;
	uv_timer_start(&F.deadline, on_deadline, DEADLINE_MS, 0);
	while (*counter < target && !F.timed_out)
		if (uv_run(&F.loop, UV_RUN_ONCE) == 0)
			break;
	uv_timer_stop(&F.deadline);
	return *counter >= target;
}

static void on_state(struct store *st, bool up)
{
	assert_ptr_equal(store_data(st), &F);
	if (up)
		F.ups++;
	else
		F.downs++;
}

static void on_done(struct store_job *job, int status)
{
	assert_true(F.n_done < MAX_DONE);
	F.done[F.n_done++] = (struct done_rec){(int)(intptr_t)job->data, status, job};
	if ((int)(intptr_t)job->data == F.poke_at && F.poke_cb != NULL)
		uv_timer_start(&F.poke, F.poke_cb, 0, 0);
	if ((int)(intptr_t)job->data == F.cancel_at && status < 0)
		store_cancel_writes(F.st); /* as the engine does for a refused batch */
}

static void on_closed(void *data)
{
	assert_ptr_equal(data, &F);
	F.closed++;
}

static void fix_init(const char *db)
{
	char cmd[1024];
	FILE *p;

	memset(&F, 0, sizeof(F));
	F.poke_at = -1;
	F.cancel_at = -1;
	assert_int_equal(pg("createdb", db), 0);
	snprintf(cmd, sizeof(cmd), "'%s/scripts/pg' conninfo '%s' %s", getenv("ASSIST_SOURCE_DIR"),
		 pgdir, db);
	assert_non_null(p = popen(cmd, "r"));
	assert_non_null(fgets(F.conninfo, sizeof(F.conninfo), p));
	pclose(p);
	F.conninfo[strcspn(F.conninfo, "\n")] = '\0';
	assert_int_equal(uv_loop_init(&F.loop), 0);
	assert_int_equal(uv_timer_init(&F.loop, &F.deadline), 0);
	assert_int_equal(uv_timer_init(&F.loop, &F.poke), 0);
	F.peek = PQconnectdb(F.conninfo);
	assert_int_equal(PQstatus(F.peek), CONNECTION_OK);
}

static void store_start(const struct store_catalog *cat)
{
	struct store_options opt = {.conninfo = F.conninfo, .reconnect_min_ms = 10, .reconnect_max_ms = 200};
	int ups = F.ups;

	assert_int_equal(store_open(&F.loop, &opt, cat, on_state, &F, &F.st), 0);
	assert_true(run_until(&F.ups, ups + 1));
	assert_true(store_up(F.st));
	F.batch = store_last_batch(F.st);
}

static void store_stop(void)
{
	int closed = F.closed;

	store_close(F.st, on_closed);
	assert_true(run_until(&F.closed, closed + 1));
	F.st = NULL;
}

/* Close everything; the loop must have no handle left. */
static void fix_fini(void)
{
	if (F.st != NULL)
		store_stop();
	for (int i = 0; i < F.n_done; i++)
		store_job_free(F.done[i].job);
	PQfinish(F.peek);
	uv_close((uv_handle_t *)&F.deadline, NULL);
	uv_close((uv_handle_t *)&F.poke, NULL);
	assert_int_equal(uv_run(&F.loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(uv_loop_close(&F.loop), 0);
}

/* The first value of a query on the peek connection. */
static long long peek_int(const char *sql)
{
	PGresult *r = PQexec(F.peek, sql);
	long long v;

	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	v = PQgetisnull(r, 0, 0) ? -1 : strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

static void peek_exec(const char *sql)
{
	PGresult *r = PQexec(F.peek, sql);

	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
}

static struct store_job *job_new(enum store_job_type type, int tag)
{
	struct store_job *job = store_job_new(type, on_done, (void *)(intptr_t)tag);

	assert_non_null(job);
	if (type == STORE_WRITE)
		job->batch = ++F.batch;
	return job;
}

/* Row k: v = "v<k>" padded to vlen, b = 00 ff <k mod 256>, n = k for even k
 * and NULL for odd. */
static void add_item(struct store_job *job, long long k, size_t vlen)
{
	char key[24], v[1024], n[24];
	unsigned char b[3] = {0x00, 0xff, (unsigned char)k};
	struct store_val vals[4] = {
		{key, 0, false}, {v, 0, false}, {b, sizeof(b), true}, {NULL, 0, false}};

	vals[0].len = snprintf(key, sizeof(key), "%lld", k);
	vals[1].len = snprintf(v, sizeof(v), "v%lld", k);
	while (vals[1].len < vlen && vals[1].len + 1 < sizeof(v))
		v[vals[1].len++] = '.';
	if (k % 2 == 0) {
		vals[3].data = n;
		vals[3].len = snprintf(n, sizeof(n), "%lld", k);
	}
	assert_int_equal(store_job_add(job, S_INSERT, vals, 4), 0);
}

static void add_text(struct store_job *job, int statement, const char *text)
{
	struct store_val val = {text, strlen(text), false};

	assert_int_equal(store_job_add(job, statement, &val, 1), 0);
}

static void add_get(struct store_job *job, long long k)
{
	char key[24];

	snprintf(key, sizeof(key), "%lld", k);
	add_text(job, S_GET, key);
}

static long long count_items(void)
{
	return peek_int("SELECT count(*) FROM item");
}

/* Jobs completed in the order submitted (tags from first), each once. */
static void assert_in_order(int first, int n)
{
	assert_int_equal(F.n_done, first + n);
	for (int i = 0; i < n; i++)
		assert_int_equal(F.done[first + i].tag, first + i);
}

static void test_migrations(void **state)
{
	fix_init("t_migrations");
	store_start(&catalog2);
	assert_int_equal(store_last_batch(F.st), 0);
	assert_int_equal(peek_int("SELECT count(*) FROM schema_migrations"), 2);
	assert_int_equal(peek_int("SELECT count(*) FROM mig_log"), 2);
	assert_int_equal(peek_int("SELECT count(*) FROM information_schema.columns "
				  "WHERE table_name = 'item' AND column_name = 'n'"), 1);
	store_stop();

	/* Again: nothing re-applied (migration 1 would fail: its table exists). */
	store_start(&catalog2);
	assert_int_equal(peek_int("SELECT count(*) FROM mig_log"), 2);
	store_stop();

	/* A newer build: only the new migration. */
	store_start(&catalog3);
	assert_int_equal(peek_int("SELECT count(*) FROM mig_log"), 3);
	assert_int_equal(peek_int("SELECT max(version) FROM schema_migrations"), 3);
	assert_int_equal(peek_int("SELECT count(*) FROM mig_log WHERE version = 3"), 1);
	fix_fini();
}

static const char *value(const struct store_job *job, size_t i, int col)
{
	assert_true(i < job->n_results);
	assert_int_equal(PQresultStatus(job->results[i]), PGRES_TUPLES_OK);
	assert_int_equal(PQntuples(job->results[i]), 1);
	return PQgetisnull(job->results[i], 0, col) ? NULL : PQgetvalue(job->results[i], 0, col);
}

static void test_big_jobs(void **state)
{
	enum { ROWS = 5000, GETS = 3000 };
	struct store_job *w, *r, *many;

	fix_init("t_big");
	store_start(&catalog2);
	/* 5,000 rows of 200 bytes: far more than a socket buffer holds. */
	w = job_new(STORE_WRITE, 0);
	for (long long k = 1; k <= ROWS; k++)
		add_item(w, k, 200);
	assert_int_equal(store_job_size(w), ROWS);
	r = job_new(STORE_READ, 1);
	assert_int_equal(store_job_add(r, S_COUNT, NULL, 0), 0);
	add_get(r, 42);
	add_get(r, 43);
	add_get(r, ROWS + 1);
	many = job_new(STORE_READ, 2);
	for (long long k = 1; k <= GETS; k++)
		add_get(many, k);
	store_submit(F.st, w);
	store_submit(F.st, r);
	store_submit(F.st, many);
	assert_int_equal(store_pending(F.st), 3);
	assert_true(run_until(&F.n_done, 3));
	assert_in_order(0, 3);
	assert_int_equal(store_pending(F.st), 0);
	assert_int_equal(F.done[0].status, 0);
	assert_int_equal(F.done[1].status, 0);
	assert_int_equal(F.done[2].status, 0);

	assert_int_equal(r->n_results, 4);
	assert_string_equal(value(r, 0, 0), "5000");
	assert_string_equal(value(r, 0, 1), "12502500");
	assert_int_equal(strncmp(value(r, 1, 0), "v42....", 7), 0);
	assert_int_equal(strlen(value(r, 1, 0)), 200);
	assert_string_equal(value(r, 1, 1), "\\x00ff2a");
	assert_string_equal(value(r, 1, 2), "42");
	assert_null(value(r, 2, 2));
	assert_int_equal(PQntuples(r->results[3]), 0);

	assert_int_equal(many->n_results, GETS);
	for (size_t i = 0; i < GETS; i += 499) {
		char want[24];
		snprintf(want, sizeof(want), "v%zu.", i + 1);
		assert_int_equal(strncmp(value(many, i, 0), want, strlen(want)), 0);
	}
	assert_int_equal(peek_int("SELECT value FROM store_meta WHERE key = 'last_batch'"), w->batch);
	assert_int_equal(count_items(), ROWS);
	fix_fini();
}

/* One parameter bigger than the socket buffers: the server answers nothing
 * until it has all of it, so only a writable socket moves it on. */
static void test_big_value(void **state)
{
	enum { BIG = 8 << 20 };
	char *v = malloc(BIG);
	struct store_val vals[4] = {{"7", 1, false}, {v, BIG, false}, {NULL, 0, true}, {NULL, 0, false}};
	struct store_job *j;

	assert_non_null(v);
	memset(v, 'x', BIG);
	fix_init("t_big_value");
	store_start(&catalog2);
	j = job_new(STORE_WRITE, 0);
	assert_int_equal(store_job_add(j, S_INSERT, vals, 4), 0);
	free(v); /* copied into the job */
	store_submit(F.st, j);
	assert_true(run_until(&F.n_done, 1));
	assert_int_equal(F.done[0].status, 0);
	assert_int_equal(peek_int("SELECT length(v) FROM item WHERE k = 7 AND b IS NULL AND n IS NULL"), BIG);
	fix_fini();
}

static void test_sql_errors(void **state)
{
	struct store_job *j;
	struct store_val bad = {"1", 1, false};

	fix_init("t_errors");
	store_start(&catalog2);
	j = job_new(STORE_WRITE, 0);
	add_item(j, 1, 0);
	store_submit(F.st, j);
	j = job_new(STORE_WRITE, 1); /* a duplicate key: all of it rolled back */
	add_item(j, 2, 0);
	add_item(j, 1, 0);
	store_submit(F.st, j);
	j = job_new(STORE_WRITE, 2); /* division by zero, not the batch guard's */
	add_item(j, 3, 0);
	add_text(j, S_DIV, "0");
	store_submit(F.st, j);
	j = job_new(STORE_READ, 3);
	add_text(j, S_DIV, "1");
	add_text(j, S_DIV, "0");
	add_text(j, S_DIV, "2");
	store_submit(F.st, j);
	j = job_new(STORE_WRITE, 4); /* wrong parameter count */
	assert_int_equal(store_job_add(j, S_GET, &bad, 1), 0);
	assert_int_equal(store_job_add(j, S_INSERT, &bad, 1), 0);
	store_submit(F.st, j);
	j = job_new(STORE_READ, 5); /* unknown statement */
	assert_int_equal(store_job_add(j, S_N, NULL, 0), 0);
	store_submit(F.st, j);
	j = job_new(STORE_WRITE, 6);
	add_item(j, 4, 0);
	store_submit(F.st, j);
	assert_int_equal(store_job_add(j, -1, NULL, 0), -EINVAL);
	assert_true(run_until(&F.n_done, 7));
	assert_in_order(0, 7);

	assert_int_equal(F.done[0].status, 0);
	assert_int_equal(F.done[1].status, -EIO);
	assert_non_null(strstr(F.done[1].job->error, "duplicate key"));
	assert_null(strstr(F.done[1].job->error, "DETAIL")); /* terse: no key values */
	assert_int_equal(F.done[2].status, -EIO);
	assert_non_null(strstr(F.done[2].job->error, "division by zero"));
	assert_int_equal(F.done[3].status, -EIO);
	assert_string_equal(value(F.done[3].job, 0, 0), "1");
	assert_int_equal(PQresultStatus(F.done[3].job->results[1]), PGRES_FATAL_ERROR);
	assert_int_equal(F.done[4].status, -EINVAL);
	assert_int_equal(F.done[5].status, -EINVAL);
	assert_int_equal(F.done[6].status, 0);
	assert_int_equal(F.done[0].job->error[0], '\0');

	assert_int_equal(peek_int("SELECT count(*) FROM item WHERE k IN (1, 4)"), 2);
	assert_int_equal(count_items(), 2);
	assert_int_equal(peek_int("SELECT value FROM store_meta WHERE key = 'last_batch'"),
			 F.done[6].job->batch);
	fix_fini();
}

/* Writes sent behind a failed one (pipelined: all seven jobs go at once)
 * run in its aborted transaction and commit nothing; they come back unsent,
 * so the owner can cancel them from the failure's done, and a read among
 * them still runs. */
static void test_cancel_behind_failure(void **state)
{
	struct store_job *j;

	fix_init("t_cancel");
	store_start(&catalog2);
	F.cancel_at = 1;
	j = job_new(STORE_WRITE, 0);
	add_item(j, 1, 0);
	store_submit(F.st, j);
	j = job_new(STORE_WRITE, 1); /* a duplicate key */
	add_item(j, 1, 0);
	store_submit(F.st, j);
	for (int tag = 2; tag <= 4; tag++) {
		j = job_new(STORE_WRITE, tag);
		add_item(j, 10 + tag, 0);
		store_submit(F.st, j);
	}
	j = job_new(STORE_READ, 5);
	assert_int_equal(store_job_add(j, S_COUNT, NULL, 0), 0);
	store_submit(F.st, j);
	j = job_new(STORE_WRITE, 6);
	add_item(j, 20, 0);
	store_submit(F.st, j);
	assert_true(run_until(&F.n_done, 7));

	assert_int_equal(F.done[0].tag, 0);
	assert_int_equal(F.done[0].status, 0);
	assert_int_equal(F.done[1].tag, 1);
	assert_int_equal(F.done[1].status, -EIO);
	for (int i = 2; i < 6; i++) /* from inside store_cancel_writes, in order */
		assert_int_equal(F.done[i].status, -ECANCELED);
	assert_int_equal(F.done[2].tag, 2);
	assert_int_equal(F.done[4].tag, 4);
	assert_int_equal(F.done[5].tag, 6);
	assert_int_equal(F.done[6].tag, 5);
	assert_int_equal(F.done[6].status, 0);
	assert_string_equal(PQgetvalue(F.done[6].job->results[0], 0, 0), "1");
	assert_int_equal(count_items(), 1);
	assert_int_equal(peek_int("SELECT value FROM store_meta WHERE key = 'last_batch'"),
			 F.done[0].job->batch);
	fix_fini();
}

static void restart_now(uv_timer_t *t)
{
	assert_int_equal(pg("restart", ""), 0);
}

static void start_now(uv_timer_t *t)
{
	assert_int_equal(pg("start", ""), 0);
}

static void kill_now(uv_timer_t *t)
{
	assert_int_equal(pg("kill", ""), 0);
	/* Down for a while: several reconnects fail and back off. */
	uv_timer_start(&F.poke, start_now, 700, 0);
}

/* N jobs of ROWS rows; the server goes away when job 5 completes, while the
 * jobs after it are on the wire (as many as the store pipelines) and the
 * rest are queued. */
static void jobs_through_outage(const char *db, uv_timer_cb outage)
{
	enum { N = 30, ROWS = 200 };

	fix_init(db);
	store_start(&catalog2);
	F.poke_at = 5;
	F.poke_cb = outage;
	for (int i = 0; i < N; i++) {
		struct store_job *j = job_new(STORE_WRITE, i);
		for (int k = 0; k < ROWS; k++)
			add_item(j, (long long)i * ROWS + k, 100);
		store_submit(F.st, j);
	}
	assert_true(run_until(&F.n_done, N));
	assert_in_order(0, N);
	for (int i = 0; i < N; i++)
		assert_int_equal(F.done[i].status, 0);
	assert_true(F.downs >= 1);
	assert_int_equal(F.ups, F.downs + 1);
	assert_true(store_up(F.st));
	PQreset(F.peek); /* the server it knew is gone */
	assert_int_equal(PQstatus(F.peek), CONNECTION_OK);
	assert_int_equal(count_items(), N * ROWS);
	assert_int_equal(peek_int("SELECT count(DISTINCT k) FROM item"), N * ROWS);
	assert_int_equal(peek_int("SELECT value FROM store_meta WHERE key = 'last_batch'"), F.batch);
}

static void test_restart(void **state)
{
	jobs_through_outage("t_restart", restart_now);
	fix_fini();
}

static void test_crash(void **state)
{
	jobs_through_outage("t_crash", kill_now);
	fix_fini();
}

/* While a COMMIT waits for a synchronous standby that does not exist, it is
 * already durable: terminating the backend then makes a commit whose outcome
 * the store never hears. */
static void terminate_in_syncrep(uv_timer_t *t)
{
	PGresult *r = PQexec(F.peek, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
				     "WHERE wait_event = 'SyncRep'");
	bool hit = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;

	PQclear(r);
	if (!hit) {
		uv_timer_start(t, terminate_in_syncrep, 10, 0);
		return;
	}
	F.terminated++;
	peek_exec("ALTER SYSTEM RESET synchronous_standby_names");
	peek_exec("SELECT pg_reload_conf()");
}

static void wait_setting(const char *want)
{
	for (int i = 0; i < 500; i++) {
		PGresult *r = PQexec(F.peek, "SHOW synchronous_standby_names");
		bool ok = PQresultStatus(r) == PGRES_TUPLES_OK &&
			  strcmp(PQgetvalue(r, 0, 0), want) == 0;
		PQclear(r);
		if (ok) {
			usleep(200000); /* the checkpointer reloads too, and it decides */
			return;
		}
		usleep(10000);
	}
	fail_msg("synchronous_standby_names never became '%s'", want);
}

static void test_ambiguous_commit(void **state)
{
	struct store_job *j;

	fix_init("t_ambiguous");
	store_start(&catalog2);
	peek_exec("ALTER SYSTEM SET synchronous_standby_names = 'nobody'");
	peek_exec("SELECT pg_reload_conf()");
	wait_setting("nobody");
	j = job_new(STORE_WRITE, 0);
	add_item(j, 100, 0);
	store_submit(F.st, j);
	j = job_new(STORE_WRITE, 1);
	add_item(j, 101, 0);
	store_submit(F.st, j);
	uv_timer_start(&F.poke, terminate_in_syncrep, 10, 0);
	assert_true(run_until(&F.n_done, 2));
	assert_in_order(0, 2);
	assert_int_equal(F.done[0].status, 0);
	assert_int_equal(F.done[1].status, 0);
	assert_int_equal(F.terminated, 1);
	assert_int_equal(F.downs, 1);
	assert_int_equal(F.ups, 2);
	assert_int_equal(count_items(), 2);
	assert_int_equal(peek_int("SELECT value FROM store_meta WHERE key = 'last_batch'"), F.batch);
	wait_setting("");
	fix_fini();
}

static struct store_job *item_job(uint64_t batch, long long k, int tag)
{
	struct store_job *j = job_new(STORE_WRITE, tag);

	j->batch = batch;
	add_item(j, k, 0);
	return j;
}

static long long count_item(long long k)
{
	char sql[80];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM item WHERE k = %lld", k);
	return peek_int(sql);
}

/* A batch found committed is done without running its statements: found in
 * the transaction (by the guard) and found at connect. */
static void test_batch_committed(void **state)
{
	fix_init("t_committed");
	store_start(&catalog2);
	peek_exec("INSERT INTO store_meta VALUES ('last_batch', 50) "
		  "ON CONFLICT (key) DO UPDATE SET value = 50");
	store_submit(F.st, item_job(20, 200, 0));
	store_submit(F.st, item_job(51, 201, 1));
	assert_true(run_until(&F.n_done, 2));
	assert_in_order(0, 2);
	assert_int_equal(F.done[0].status, 0);
	assert_int_equal(F.done[1].status, 0);
	assert_int_equal(count_item(200), 0);
	assert_int_equal(count_item(201), 1);
	assert_int_equal(peek_int("SELECT value FROM store_meta WHERE key = 'last_batch'"), 51);
	store_stop();

	peek_exec("UPDATE store_meta SET value = 60 WHERE key = 'last_batch'");
	store_start(&catalog2);
	assert_int_equal(store_last_batch(F.st), 60);
	store_submit(F.st, item_job(55, 300, 2));
	store_submit(F.st, item_job(61, 301, 3));
	assert_true(run_until(&F.n_done, 4));
	assert_in_order(0, 4);
	assert_int_equal(F.done[2].status, 0);
	assert_int_equal(F.done[3].status, 0);
	assert_int_equal(count_item(300), 0);
	assert_int_equal(count_item(301), 1);
	assert_int_equal(peek_int("SELECT value FROM store_meta WHERE key = 'last_batch'"), 61);
	fix_fini();
}

/* Closing while connected finishes the queue first. */
static void test_close_drains_queue(void **state)
{
	fix_init("t_close");
	store_start(&catalog2);
	for (int i = 0; i < 3; i++)
		store_submit(F.st, item_job(F.batch + 1 + i, i, i));
	store_close(F.st, on_closed);
	store_submit(F.st, item_job(F.batch + 10, 10, 10)); /* too late: dropped */
	assert_true(run_until(&F.closed, 1));
	F.st = NULL;
	assert_in_order(0, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(F.done[i].status, 0);
	assert_int_equal(count_items(), 3);
	fix_fini();
}

static void tick(uv_timer_t *t)
{
	F.ticks++;
}

/* Closing while the database cannot be had drops the queue, done() unsaid. */
static void test_close_while_down(void **state)
{
	struct store_options opt = {.conninfo = "host=/nonexistent user=assist dbname=assist",
				    .reconnect_min_ms = 10, .reconnect_max_ms = 40};

	fix_init("t_down");
	assert_int_equal(store_open(&F.loop, &opt, &catalog2, on_state, &F, &F.st), 0);
	store_submit(F.st, item_job(1, 1, 0));
	store_submit(F.st, item_job(2, 2, 1));
	uv_timer_start(&F.poke, tick, 150, 0);
	assert_true(run_until(&F.ticks, 1));
	assert_false(store_up(F.st));
	assert_int_equal(store_pending(F.st), 2);
	store_stop();
	assert_int_equal(F.n_done, 0);
	assert_int_equal(F.ups + F.downs, 0);
	fix_fini();
}

/* A migration that fails keeps the store down (it retries) and records nothing. */
static void test_bad_migration(void **state)
{
	static const struct store_migration bad[] = {
		{1, "CREATE TABLE good (x int)"},
		{2, "CREATE TABLE oops (x int); SELECT * FROM no_such_table"},
	};
	static const struct store_catalog cat = {bad, 2, statements, S_N};
	struct store_options opt = {.reconnect_min_ms = 10, .reconnect_max_ms = 40};

	fix_init("t_bad_migration");
	opt.conninfo = F.conninfo;
	assert_int_equal(store_open(&F.loop, &opt, &cat, on_state, &F, &F.st), 0);
	uv_timer_start(&F.poke, tick, 300, 0);
	assert_true(run_until(&F.ticks, 1));
	assert_false(store_up(F.st));
	assert_int_equal(F.ups, 0);
	assert_int_equal(peek_int("SELECT count(*) FROM schema_migrations"), 1);
	assert_int_equal(peek_int("SELECT count(*) FROM pg_tables WHERE tablename = 'oops'"), 0);
	fix_fini();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrations),
		cmocka_unit_test(test_big_jobs),
		cmocka_unit_test(test_big_value),
		cmocka_unit_test(test_sql_errors),
		cmocka_unit_test(test_cancel_behind_failure),
		cmocka_unit_test(test_batch_committed),
		cmocka_unit_test(test_close_drains_queue),
		cmocka_unit_test(test_close_while_down),
		cmocka_unit_test(test_bad_migration),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_crash),
		cmocka_unit_test(test_ambiguous_commit),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
