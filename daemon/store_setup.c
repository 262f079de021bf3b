#include "store_setup.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* A lock held by a session of a process that just died goes with that
 * session; until this long after the first refusal, keep trying. */
#define STORE_LOCK_GRACE_MS 5000

/* Run first in every write transaction. It records the batch, and when the
 * batch is already there it fails with division_by_zero, which rolls the
 * transaction back: the connect-time check misses a COMMIT whose backend
 * outlived our connection, but this upsert waits on that backend's row lock
 * and then sees its value. */
#define STORE_GUARD_SQL                                                              \
	"WITH u AS (INSERT INTO store_meta (key, value) VALUES ('last_batch', $1) "   \
	"ON CONFLICT (key) DO UPDATE SET value = excluded.value "                      \
	"WHERE store_meta.value < excluded.value RETURNING 1) "                       \
	"SELECT 1 / count(*) FROM u"

/* One round trip: the session's settings, the store's own tables, then what
 * the database holds. No JIT: every statement here is a short one, and
 * compiling its plan took longer than running it (9 of 67 ms of a load). */
static const char store_schema_sql[] =
	"SET jit = off;"
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	"version int PRIMARY KEY, applied_at timestamptz DEFAULT now());"
	"CREATE TABLE IF NOT EXISTS store_meta (key text PRIMARY KEY, value bigint NOT NULL);"
	"SELECT version FROM schema_migrations;"
	"SELECT value FROM store_meta WHERE key = 'last_batch'";
enum { SCHEMA_RES_VERSIONS = 3, SCHEMA_RES_META = 4 };

/* The advisory lock, and who holds it when we do not get it (another
 * session's pid and what pg_stat_activity says of it). */
#define STORE_LOCK_SQL                                                              \
	"SET application_name = 'assistd';"                                            \
	"SELECT pg_try_advisory_lock(%" PRId64 "), "                                   \
	"(SELECT l.pid FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted "  \
	"AND l.pid <> pg_backend_pid() AND l.classid::bigint = %" PRId64 " >> 32 "     \
	"AND l.objid::bigint = %" PRId64 " & 4294967295 AND l.objsubid = 1 LIMIT 1) h, " \
	"current_database()"
enum { LOCK_RES_TRY = 1 };

static int store_setup_send_schema(struct store *st)
{
	if (!PQsendQuery(st->conn, store_schema_sql)) {
		store_lost(st, NULL);
		return -1;
	}
	return store_flush(st);
}

static int store_setup_send_lock(struct store *st)
{
	char sql[sizeof(STORE_LOCK_SQL) + 64];

	snprintf(sql, sizeof(sql), STORE_LOCK_SQL, st->lock_key, st->lock_key, st->lock_key);
	st->lock_got = false;
	st->lock_holder = 0;
	st->lock_db[0] = '\0';
	if (!PQsendQuery(st->conn, sql)) {
		store_lost(st, NULL);
		return -1;
	}
	return store_flush(st);
}

static void store_setup_read_lock(struct store *st, const PGresult *r)
{
	if (PQntuples(r) != 1)
		return;
	st->lock_got = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	st->lock_holder = atoi(PQgetvalue(r, 0, 1));
	snprintf(st->lock_db, sizeof(st->lock_db), "%s", PQgetvalue(r, 0, 2));
}

/* The lock is another's: give the connection up for good and tell the owner. */
static void store_setup_locked_out(struct store *st)
{
	char why[320];
	const char *host = PQhost(st->conn);

	snprintf(why, sizeof(why), "database \"%s\" (host %s) is in use by another assistd: "
		 "backend pid %d holds advisory lock %" PRId64, st->lock_db,
		 host != NULL && *host != '\0' ? host : "local", st->lock_holder, st->lock_key);
	store_disconnect(st);
	st->locked_out = true;
	log_error("store: %s", why);
	if (st->on_locked != NULL)
		st->on_locked(st, why);
}

void store_setup_start(struct store *st)
{
	memset(st->applied, 0, st->cat->n_migrations * sizeof(*st->applied));
	st->phase = STORE_SETUP;
	st->step = st->lock_key != 0 ? STEP_LOCK : STEP_SCHEMA;
	st->step_i = 0;
	st->step_result = 0;
	if (st->step == STEP_LOCK)
		store_setup_send_lock(st);
	else
		store_setup_send_schema(st);
}

static int store_setup_send_migration(struct store *st)
{
	const struct store_migration *m = &st->cat->migrations[st->step_i];
	char *sql;
	int ok;

	/* The newlines keep a trailing comment in m->sql from eating the rest. */
	if (asprintf(&sql, "BEGIN;\n%s\n;\nINSERT INTO schema_migrations (version) VALUES (%d);\nCOMMIT",
		     m->sql, m->version) < 0) {
		store_lost(st, "out of memory");
		return -1;
	}
	ok = PQsendQuery(st->conn, sql);
	free(sql);
	if (!ok) {
		store_lost(st, NULL);
		return -1;
	}
	return store_flush(st);
}

static int store_setup_send_prepare(struct store *st)
{
	const struct store_statement *s;
	int ok;

	if (st->step_i == 0) {
		ok = PQsendPrepare(st->conn, STORE_GUARD_NAME, STORE_GUARD_SQL, 1, NULL);
	} else {
		s = &st->cat->statements[st->step_i - 1];
		ok = PQsendPrepare(st->conn, s->name, s->sql, s->nparams, NULL);
	}
	if (!ok) {
		store_lost(st, NULL);
		return -1;
	}
	return store_flush(st);
}

/* The lock step's outcome: go on, wait for a holder that is going away
 * (our own previous session; or any, for a grace period), or give up. */
static void store_setup_lock_done(struct store *st)
{
	uint64_t now = uv_now(st->loop);
	char why[200];

	if (st->lock_got) {
		st->lock_refused_ms = 0;
		st->step = STEP_SCHEMA;
		st->step_result = 0;
		store_setup_send_schema(st);
		return;
	}
	if (st->lock_refused_ms == 0)
		st->lock_refused_ms = now;
	if ((st->lock_holder != 0 && st->lock_holder == st->backend_pid) ||
	    now - st->lock_refused_ms < STORE_LOCK_GRACE_MS) {
		snprintf(why, sizeof(why), "advisory lock %" PRId64 " is held by backend pid %d "
			 "(another assistd, or the session of one that has just ended)",
			 st->lock_key, st->lock_holder);
		store_lost(st, why);
		return;
	}
	store_setup_locked_out(st);
}

/* The current setup step is complete: send the next one, or go up. */
static void store_setup_next(struct store *st)
{
	const struct store_catalog *cat = st->cat;

	if (st->step == STEP_LOCK) {
		store_setup_lock_done(st);
		return;
	}
	if (st->step == STEP_SCHEMA) {
		st->step = STEP_MIGRATE;
		st->step_i = 0;
	} else if (st->step == STEP_MIGRATE) {
		log_info("store: applied migration %d", cat->migrations[st->step_i].version);
		st->applied[st->step_i++] = true;
	} else {
		st->step_i++;
	}
	st->step_result = 0;
	if (st->step == STEP_MIGRATE) {
		while (st->step_i < cat->n_migrations && st->applied[st->step_i])
			st->step_i++;
		if (st->step_i < cat->n_migrations) {
			store_setup_send_migration(st);
			return;
		}
		st->step = STEP_PREPARE;
		st->step_i = 0;
	}
	if (st->step_i <= cat->n_statements)
		store_setup_send_prepare(st);
	else
		store_went_up(st);
}

static void store_setup_read_versions(struct store *st, const PGresult *r)
{
	for (int row = 0; row < PQntuples(r); row++) {
		int version = atoi(PQgetvalue(r, row, 0));
		for (size_t i = 0; i < st->cat->n_migrations; i++)
			if (st->cat->migrations[i].version == version)
				st->applied[i] = true;
	}
}

static void store_setup_read_meta(struct store *st, const PGresult *r)
{
	st->committed = PQntuples(r) == 1 ? strtoull(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	if (!st->have_last_batch) {
		st->last_batch = st->committed;
		st->have_last_batch = true;
	}
}

static const char *store_setup_step_name(const struct store *st, char *buf, size_t size)
{
	if (st->step == STEP_LOCK)
		return "advisory lock";
	if (st->step == STEP_SCHEMA)
		return "store schema";
	if (st->step == STEP_MIGRATE)
		snprintf(buf, size, "migration %d", st->cat->migrations[st->step_i].version);
	else if (st->step_i == 0)
		snprintf(buf, size, "statement %s", STORE_GUARD_NAME);
	else
		snprintf(buf, size, "statement %s", st->cat->statements[st->step_i - 1].name);
	return buf;
}

/* One result of the current setup step; false when the connection was given up. */
static bool store_setup_result(struct store *st, PGresult *r)
{
	ExecStatusType s = PQresultStatus(r);
	char name[160];
	char msg[256];

	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
		if (st->step == STEP_LOCK && st->step_result == LOCK_RES_TRY)
			store_setup_read_lock(st, r);
		else if (st->step == STEP_SCHEMA && st->step_result == SCHEMA_RES_VERSIONS)
			store_setup_read_versions(st, r);
		else if (st->step == STEP_SCHEMA && st->step_result == SCHEMA_RES_META)
			store_setup_read_meta(st, r);
		st->step_result++;
		PQclear(r);
		return true;
	}
	store_msg_copy(msg, sizeof(msg), PQresultErrorMessage(r));
	if (!store_conn_error(st->conn, r))
		log_error("store: %s failed: %s", store_setup_step_name(st, name, sizeof(name)), msg);
	PQclear(r);
	store_lost(st, msg);
	return false;
}

int store_setup_read(struct store *st)
{
	while (!PQisBusy(st->conn)) {
		PGresult *r = PQgetResult(st->conn);
		if (r == NULL) {
			store_setup_next(st);
			return 1;
		}
		if (!store_setup_result(st, r))
			return 1;
	}
	return 0;
}
