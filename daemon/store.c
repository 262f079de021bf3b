#include "store.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pgpoll.h"

/* A lock held by a session of a process that just died goes with that
 * session; until this long after the first refusal, keep trying. */
#define STORE_LOCK_GRACE_MS 5000
#define STORE_MIN_MS_DEFAULT 100
#define STORE_MAX_MS_DEFAULT 10000

/* Run first in every write transaction. It records the batch, and when the
 * batch is already there it fails with division_by_zero, which rolls the
 * transaction back: the connect-time check misses a COMMIT whose backend
 * outlived our connection, but this upsert waits on that backend's row lock
 * and then sees its value. */
#define STORE_GUARD_NAME "store_batch"
#define STORE_GUARD_SQL                                                              \
	"WITH u AS (INSERT INTO store_meta (key, value) VALUES ('last_batch', $1) "   \
	"ON CONFLICT (key) DO UPDATE SET value = excluded.value "                      \
	"WHERE store_meta.value < excluded.value RETURNING 1) "                       \
	"SELECT 1 / count(*) FROM u"
#define STORE_GUARD_CMD 1 /* its place in a write pipeline, after BEGIN */
#define SQLSTATE_DIVISION_BY_ZERO "22012"

/* One round trip: the store's own tables, then what the database holds. */
static const char store_schema_sql[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	"version int PRIMARY KEY, applied_at timestamptz DEFAULT now());"
	"CREATE TABLE IF NOT EXISTS store_meta (key text PRIMARY KEY, value bigint NOT NULL);"
	"SELECT version FROM schema_migrations;"
	"SELECT value FROM store_meta WHERE key = 'last_batch'";
enum { SCHEMA_RES_VERSIONS = 2, SCHEMA_RES_META = 3 };

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

/* A parameter in the job's arena: this header, then len bytes and a NUL
 * (libpq reads text parameters as C strings). len < 0 is SQL NULL. */
struct store_val_hdr {
	int32_t len;
	uint8_t binary;
} __attribute__((packed));

struct store_stmt {
	int id;
	int nvals;
	size_t off; /* its parameters in the arena */
};

struct store_job_priv {
	struct store_stmt *stmts;
	size_t n, cap;
	char *arena;
	size_t used, size;
};

struct store_job_block {
	struct store_job job;
	struct store_job_priv priv;
};

enum store_phase {
	STORE_DOWN,       /* no connection; the timer retries */
	STORE_CONNECTING, /* PQconnectPoll */
	STORE_SETUP,      /* schema, migrations, prepares */
	STORE_UP,
	STORE_GONE,       /* closed; handles closing */
};

enum store_step { STEP_LOCK, STEP_SCHEMA, STEP_MIGRATE, STEP_PREPARE };

struct store {
	uv_loop_t *loop;
	char *conninfo;
	unsigned backoff_min, backoff_max, backoff;
	const struct store_catalog *cat;
	store_state_cb on_state;
	void *data;
	int64_t lock_key;
	store_locked_cb on_locked;
	bool locked_out;    /* another session holds the lock: given up */
	bool lock_got;      /* this connection's try */
	int lock_holder;    /* the holder's pid when not got (0: unknown) */
	char lock_db[64];
	int backend_pid;    /* of the last connection that went up */
	uint64_t lock_refused_ms; /* loop time of the first refusal in a row (0: none) */
	uv_timer_t timer;
	PGconn *conn;
	struct pgpoll poll;
	bool want_write; /* PQflush left output behind */
	enum store_phase phase;
	bool up;
	/* setup */
	enum store_step step;
	size_t step_i;   /* migration, or statement (0 is the guard) */
	int step_result; /* results seen in this step */
	bool *applied;   /* per catalog migration */
	uint64_t last_batch;
	bool have_last_batch;
	uint64_t committed; /* newest batch known committed */
	/* jobs */
	struct store_job *head, *tail;
	size_t pending;
	bool running;      /* the head job is sent */
	size_t ncmds;      /* commands before the sync */
	size_t cmd;        /* command whose results come next */
	int status;        /* the running job's outcome so far */
	bool skipped;      /* its batch was found committed */
	bool rolling_back; /* ROLLBACK after a failed write */
	/* parameter arrays for PQsendQueryPrepared */
	const char **values;
	int *lengths;
	int *formats;
	int scratch_cap;
	bool in_run;
	bool closing;
	void (*on_closed)(void *data);
	bool timer_open;
};

static void store_run(struct store *st);
static void store_on_poll(struct pgpoll *pp, int status, int events);

/* libpq messages end in newlines and may span lines: one log line each. */
static void store_msg_copy(char *dst, size_t size, const char *src)
{
	size_t n = 0;

	for (; src != NULL && *src != '\0' && n + 1 < size; src++) {
		char c = (*src == '\n' || *src == '\t') ? ' ' : *src;
		if (c == ' ' && (n == 0 || dst[n - 1] == ' '))
			continue;
		dst[n++] = c;
	}
	while (n > 0 && dst[n - 1] == ' ')
		n--;
	dst[n] = '\0';
}

static void store_on_notice(void *arg, const char *message)
{
	char msg[256];

	store_msg_copy(msg, sizeof(msg), message);
	log_debug("store: %s", msg);
}

/* An error that means the session is gone, as opposed to a failed statement. */
static bool store_conn_error(PGconn *conn, const PGresult *r)
{
	const char *sev = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);

	if (PQstatus(conn) == CONNECTION_BAD)
		return true;
	if (PQresultErrorField(r, PG_DIAG_SQLSTATE) == NULL)
		return true; /* made by libpq itself */
	return sev != NULL && (strcmp(sev, "FATAL") == 0 || strcmp(sev, "PANIC") == 0);
}

static void store_handle_closed(struct store *st)
{
	void (*on_closed)(void *data) = st->on_closed;
	void *data = st->data;

	if (st->timer_open || st->poll.open > 0 || st->phase != STORE_GONE)
		return;
	free(st->values);
	free(st->lengths);
	free(st->formats);
	free(st->applied);
	free(st->conninfo);
	free(st);
	if (on_closed != NULL)
		on_closed(data);
}

static void store_on_poll_closed(struct pgpoll *pp)
{
	store_handle_closed(pp->data);
}

static void store_on_timer_closed(uv_handle_t *h)
{
	struct store *st = h->data;

	st->timer_open = false;
	store_handle_closed(st);
}

static void store_job_clear_results(struct store_job *job)
{
	for (size_t i = 0; i < job->n_results; i++)
		PQclear(job->results[i]);
	free(job->results);
	job->results = NULL;
	job->n_results = 0;
}

/* Forget the connection; the head job, if it was running, will run again. */
static void store_disconnect(struct store *st)
{
	pgpoll_unwatch(&st->poll);
	if (st->conn != NULL)
		PQfinish(st->conn);
	st->conn = NULL;
	st->phase = STORE_DOWN;
	st->up = false;
	st->want_write = false;
	if (st->running)
		store_job_clear_results(st->head);
	st->running = false;
}

static void store_on_timer(uv_timer_t *t);

/* The connection failed or was lost: retry later, tell the owner. */
static void store_lost(struct store *st, const char *why)
{
	bool was_up = st->up;
	char msg[256];

	store_msg_copy(msg, sizeof(msg),
		       why != NULL ? why : st->conn != NULL ? PQerrorMessage(st->conn) : "");
	store_disconnect(st);
	if (st->closing) {
		log_warn("store: %s: %s", was_up ? "connection lost" : "cannot connect", msg);
	} else {
		log_warn("store: %s: %s; reconnecting in %u ms",
			 was_up ? "connection lost" : "cannot connect", msg, st->backoff);
		uv_timer_start(&st->timer, store_on_timer, st->backoff, 0);
		st->backoff = st->backoff > st->backoff_max / 2 ? st->backoff_max : st->backoff * 2;
	}
	if (was_up && st->on_state != NULL)
		st->on_state(st, false);
}

/* Send what libpq holds; the rest waits for the socket to be writable. */
static int store_flush(struct store *st)
{
	int rc = pgpoll_flush(&st->poll, st->conn, UV_READABLE);

	if (rc < 0) {
		store_lost(st, rc == -EIO ? NULL : uv_strerror(rc));
		return -1;
	}
	st->want_write = rc == 1;
	return 0;
}

static void store_connect(struct store *st)
{
	int rc;

	st->conn = PQconnectStart(st->conninfo);
	if (st->conn == NULL) {
		store_lost(st, "out of memory");
		return;
	}
	if (PQstatus(st->conn) == CONNECTION_BAD) {
		store_lost(st, NULL);
		return;
	}
	st->phase = STORE_CONNECTING;
	/* Before the first PQconnectPoll, behave as if it asked for writing. */
	if ((rc = pgpoll_watch(&st->poll, st->conn, UV_WRITABLE)) < 0)
		store_lost(st, uv_strerror(rc));
}

static void store_on_timer(uv_timer_t *t)
{
	struct store *st = t->data;

	st->in_run = true;
	store_connect(st);
	st->in_run = false;
	store_run(st);
}

static int store_send_schema(struct store *st)
{
	if (!PQsendQuery(st->conn, store_schema_sql)) {
		store_lost(st, NULL);
		return -1;
	}
	return store_flush(st);
}

static int store_send_lock(struct store *st)
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

static void store_read_lock(struct store *st, const PGresult *r)
{
	if (PQntuples(r) != 1)
		return;
	st->lock_got = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	st->lock_holder = atoi(PQgetvalue(r, 0, 1));
	snprintf(st->lock_db, sizeof(st->lock_db), "%s", PQgetvalue(r, 0, 2));
}

/* The lock is another's: give the connection up for good and tell the owner. */
static void store_locked_out(struct store *st)
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

static void store_connected(struct store *st)
{
	if (PQsetnonblocking(st->conn, 1) != 0) {
		store_lost(st, NULL);
		return;
	}
	PQsetNoticeProcessor(st->conn, store_on_notice, st);
	/* No DETAIL lines: they quote key values, which may be ID numbers. */
	PQsetErrorVerbosity(st->conn, PQERRORS_TERSE);
	memset(st->applied, 0, st->cat->n_migrations * sizeof(*st->applied));
	st->phase = STORE_SETUP;
	st->step = st->lock_key != 0 ? STEP_LOCK : STEP_SCHEMA;
	st->step_i = 0;
	st->step_result = 0;
	if (st->step == STEP_LOCK)
		store_send_lock(st);
	else
		store_send_schema(st);
}

static void store_connect_step(struct store *st)
{
	int rc = pgpoll_connect_step(&st->poll, st->conn);

	if (rc == 1)
		store_connected(st);
	else if (rc < 0)
		store_lost(st, rc == -EIO ? NULL : uv_strerror(rc));
}

static int store_send_migration(struct store *st)
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

static int store_send_prepare(struct store *st)
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

static void store_went_up(struct store *st)
{
	if (!PQenterPipelineMode(st->conn)) {
		store_lost(st, NULL);
		return;
	}
	st->phase = STORE_UP;
	st->up = true;
	st->backoff = st->backoff_min;
	st->backend_pid = PQbackendPID(st->conn);
	log_info("store: up, last committed batch %" PRIu64, st->committed);
	if (st->on_state != NULL)
		st->on_state(st, true);
}

/* The lock step's outcome: go on, wait for a holder that is going away
 * (our own previous session; or any, for a grace period), or give up. */
static void store_lock_done(struct store *st)
{
	uint64_t now = uv_now(st->loop);
	char why[200];

	if (st->lock_got) {
		st->lock_refused_ms = 0;
		st->step = STEP_SCHEMA;
		st->step_result = 0;
		store_send_schema(st);
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
	store_locked_out(st);
}

/* The current setup step is complete: send the next one, or go up. */
static void store_setup_next(struct store *st)
{
	const struct store_catalog *cat = st->cat;

	if (st->step == STEP_LOCK) {
		store_lock_done(st);
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
			store_send_migration(st);
			return;
		}
		st->step = STEP_PREPARE;
		st->step_i = 0;
	}
	if (st->step_i <= cat->n_statements)
		store_send_prepare(st);
	else
		store_went_up(st);
}

static void store_read_versions(struct store *st, const PGresult *r)
{
	for (int row = 0; row < PQntuples(r); row++) {
		int version = atoi(PQgetvalue(r, row, 0));
		for (size_t i = 0; i < st->cat->n_migrations; i++)
			if (st->cat->migrations[i].version == version)
				st->applied[i] = true;
	}
}

static void store_read_meta(struct store *st, const PGresult *r)
{
	st->committed = PQntuples(r) == 1 ? strtoull(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	if (!st->have_last_batch) {
		st->last_batch = st->committed;
		st->have_last_batch = true;
	}
}

static const char *store_step_name(const struct store *st, char *buf, size_t size)
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
			store_read_lock(st, r);
		else if (st->step == STEP_SCHEMA && st->step_result == SCHEMA_RES_VERSIONS)
			store_read_versions(st, r);
		else if (st->step == STEP_SCHEMA && st->step_result == SCHEMA_RES_META)
			store_read_meta(st, r);
		st->step_result++;
		PQclear(r);
		return true;
	}
	store_msg_copy(msg, sizeof(msg), PQresultErrorMessage(r));
	if (!store_conn_error(st->conn, r))
		log_error("store: %s failed: %s", store_step_name(st, name, sizeof(name)), msg);
	PQclear(r);
	store_lost(st, msg);
	return false;
}

/* Read the setup step's results: 1 when it moved on, 0 to wait for input. */
static int store_setup_read(struct store *st)
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

/* Room for n parameters in the arrays handed to PQsendQueryPrepared. */
static int store_scratch_grow(struct store *st, int n)
{
	const char **values;
	int *lengths, *formats;

	if (n <= st->scratch_cap)
		return 0;
	if ((values = realloc(st->values, n * sizeof(*values))) == NULL)
		return -ENOMEM;
	st->values = values;
	if ((lengths = realloc(st->lengths, n * sizeof(*lengths))) == NULL)
		return -ENOMEM;
	st->lengths = lengths;
	if ((formats = realloc(st->formats, n * sizeof(*formats))) == NULL)
		return -ENOMEM;
	st->formats = formats;
	st->scratch_cap = n;
	return 0;
}

/* The job's statements all exist and have the parameters they were prepared
 * with (a count mismatch would be a protocol error). */
static int store_job_check(struct store *st, struct store_job *job)
{
	const struct store_job_priv *p = job->priv;
	int most = 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct store_stmt *s = &p->stmts[i];
		if ((size_t)s->id >= st->cat->n_statements ||
		    s->nvals != st->cat->statements[s->id].nparams) {
			snprintf(job->error, sizeof(job->error),
				 "statement %zu: unknown statement %d or wrong parameter count %d", i,
				 s->id, s->nvals);
			return -EINVAL;
		}
		if (s->nvals > most)
			most = s->nvals;
	}
	if (store_scratch_grow(st, most) < 0)
		goto nomem;
	if (job->type == STORE_READ && p->n > 0) {
		job->results = calloc(p->n, sizeof(*job->results));
		if (job->results == NULL)
			goto nomem;
		job->n_results = p->n;
	}
	return 0;
nomem:
	snprintf(job->error, sizeof(job->error), "out of memory");
	return -ENOMEM;
}

static bool store_send_stmt(struct store *st, const struct store_job *job, const struct store_stmt *s)
{
	const char *at = job->priv->arena + s->off;

	for (int i = 0; i < s->nvals; i++) {
		struct store_val_hdr h;
		memcpy(&h, at, sizeof(h));
		at += sizeof(h);
		st->values[i] = h.len < 0 ? NULL : at;
		st->lengths[i] = h.len < 0 ? 0 : h.len;
		st->formats[i] = h.binary;
		if (h.len >= 0)
			at += h.len + 1;
	}
	return PQsendQueryPrepared(st->conn, st->cat->statements[s->id].name, s->nvals, st->values,
				   st->lengths, st->formats, 0) == 1;
}

static bool store_send_cmd(struct store *st, const char *sql)
{
	return PQsendQueryParams(st->conn, sql, 0, NULL, NULL, NULL, NULL, 0) == 1;
}

/* Queue the job's commands in libpq (the caller syncs and flushes). */
static bool store_job_send(struct store *st, struct store_job *job)
{
	const struct store_job_priv *p = job->priv;
	bool write = job->type == STORE_WRITE;
	char batch[24];
	const char *guard[1] = {batch};

	snprintf(batch, sizeof(batch), "%" PRIu64, job->batch);
	if (write && (!store_send_cmd(st, "BEGIN") ||
		      !PQsendQueryPrepared(st->conn, STORE_GUARD_NAME, 1, guard, NULL, NULL, 0)))
		return false;
	for (size_t i = 0; i < p->n; i++)
		if (!store_send_stmt(st, job, &p->stmts[i]))
			return false;
	if (write && !store_send_cmd(st, "COMMIT"))
		return false;
	st->ncmds = p->n + (write ? 3 : 0);
	return true;
}

/* Start the head job. A job that needs no statements (invalid, or its batch
 * already committed) still sends a sync, so that done() always comes from the
 * loop and never from inside store_submit(). */
static int store_job_start(struct store *st)
{
	struct store_job *job = st->head;

	if (job == NULL)
		return 0;
	st->running = true;
	st->cmd = 0;
	st->ncmds = 0;
	st->status = 0;
	st->skipped = false;
	st->rolling_back = false;
	job->error[0] = '\0';
	job->sqlstate[0] = '\0';
	st->status = store_job_check(st, job);
	if (st->status == 0 && job->type == STORE_WRITE && job->batch <= st->committed) {
		st->skipped = true;
	} else if (st->status == 0 && !store_job_send(st, job)) {
		store_lost(st, NULL);
		return 1;
	}
	if (!PQpipelineSync(st->conn)) {
		store_lost(st, NULL);
		return 1;
	}
	store_flush(st);
	return 1;
}

static void store_job_keep(struct store *st, PGresult *r)
{
	struct store_job *job = st->head;

	if (job->type == STORE_READ && st->cmd < job->n_results && job->results[st->cmd] == NULL)
		job->results[st->cmd] = r;
	else
		PQclear(r);
}

/* A statement failed; the server skips the rest up to the sync. */
static void store_job_error(struct store *st, PGresult *r)
{
	struct store_job *job = st->head;
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	if (st->status != 0 || st->skipped)
		return;
	if (job->type == STORE_WRITE && st->cmd == STORE_GUARD_CMD &&
	    state != NULL && strcmp(state, SQLSTATE_DIVISION_BY_ZERO) == 0) {
		st->skipped = true;
		return;
	}
	st->status = -EIO;
	store_msg_copy(job->error, sizeof(job->error), PQresultErrorMessage(r));
	snprintf(job->sqlstate, sizeof(job->sqlstate), "%s", state ? state : "");
}

static int store_job_finish(struct store *st)
{
	struct store_job *job = st->head;

	st->head = job->next;
	if (st->head == NULL)
		st->tail = NULL;
	job->next = NULL;
	st->pending--;
	st->running = false;
	if (job->type == STORE_WRITE && st->status == 0) {
		if (st->skipped)
			log_info("store: batch %" PRIu64 " was already committed", job->batch);
		if (job->batch > st->committed)
			st->committed = job->batch;
	}
	job->done(job, st->status);
	return 1;
}

/* The pipeline reached its sync. A failed write leaves its explicit
 * transaction aborted until a ROLLBACK. */
static int store_job_synced(struct store *st)
{
	bool failed = st->status != 0 || st->skipped;

	if (st->rolling_back || st->head->type != STORE_WRITE || !failed || st->ncmds == 0)
		return store_job_finish(st);
	st->rolling_back = true;
	st->cmd = 0;
	st->ncmds = 1;
	if (!store_send_cmd(st, "ROLLBACK") || !PQpipelineSync(st->conn)) {
		store_lost(st, NULL);
		return 1;
	}
	store_flush(st);
	return 1;
}

/* Read the running job's results: 1 when it finished (or the connection was
 * given up), 0 to wait for input. */
static int store_job_read(struct store *st)
{
	char msg[256];

	while (!PQisBusy(st->conn)) {
		PGresult *r = PQgetResult(st->conn);
		if (r == NULL) {
			st->cmd++; /* the end of one command's results */
			continue;
		}
		switch (PQresultStatus(r)) {
		case PGRES_PIPELINE_SYNC:
			PQclear(r);
			return store_job_synced(st);
		case PGRES_FATAL_ERROR:
			if (store_conn_error(st->conn, r)) {
				store_msg_copy(msg, sizeof(msg), PQresultErrorMessage(r));
				PQclear(r);
				store_lost(st, msg);
				return 1;
			}
			store_job_error(st, r);
			store_job_keep(st, r);
			break;
		default:
			store_job_keep(st, r);
			break;
		}
	}
	return 0;
}

static void store_shutdown(struct store *st)
{
	store_disconnect(st);
	while (st->head != NULL) {
		struct store_job *job = st->head;
		st->head = job->next;
		store_job_free(job);
	}
	st->tail = NULL;
	st->pending = 0;
	st->phase = STORE_GONE;
	uv_close((uv_handle_t *)&st->timer, store_on_timer_closed);
}

/* One move: 1 when something changed and another may follow, 0 to wait. */
static int store_step(struct store *st)
{
	if (st->phase == STORE_GONE)
		return 0;
	if (st->closing && (st->phase != STORE_UP || (!st->running && st->head == NULL))) {
		store_shutdown(st);
		return 0;
	}
	if ((st->phase == STORE_SETUP || st->phase == STORE_UP) &&
	    PQstatus(st->conn) == CONNECTION_BAD) {
		store_lost(st, NULL);
		return 1;
	}
	if (st->phase == STORE_SETUP)
		return store_setup_read(st);
	if (st->phase != STORE_UP)
		return 0;
	return st->running ? store_job_read(st) : store_job_start(st);
}

/* Move on as far as possible without waiting, then watch for what is needed.
 * Callbacks to the owner run only in here (or in the poll and timer
 * callbacks): a store_submit() or store_close() made from one of them is
 * picked up by the loop instead of nesting. */
static void store_run(struct store *st)
{
	int rc;

	if (st->in_run)
		return;
	st->in_run = true;
	for (;;) {
		while (store_step(st) > 0)
			;
		if (st->phase != STORE_SETUP && st->phase != STORE_UP)
			break;
		rc = pgpoll_watch(&st->poll, st->conn,
				  UV_READABLE | (st->want_write ? UV_WRITABLE : 0));
		if (rc == 0)
			break;
		store_lost(st, uv_strerror(rc));
	}
	st->in_run = false;
}

static void store_on_io(struct store *st, int status, int events)
{
	if (status < 0) {
		store_lost(st, uv_strerror(status));
		return;
	}
	if (st->phase == STORE_CONNECTING) {
		store_connect_step(st);
		return;
	}
	if ((events & UV_READABLE) && !PQconsumeInput(st->conn)) {
		store_lost(st, NULL);
		return;
	}
	/* Reading may have made room on the server's side: flush again. */
	if ((events & UV_WRITABLE) || st->want_write)
		store_flush(st);
}

static void store_on_poll(struct pgpoll *pp, int status, int events)
{
	struct store *st = pp->data;

	st->in_run = true;
	store_on_io(st, status, events);
	st->in_run = false;
	store_run(st);
}

int store_open(uv_loop_t *loop, const struct store_options *opt, const struct store_catalog *cat,
	       store_state_cb on_state, void *data, struct store **out)
{
	struct store *st;
	int rc = -ENOMEM;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return -ENOMEM;
	st->loop = loop;
	st->cat = cat;
	st->on_state = on_state;
	st->data = data;
	st->lock_key = opt->lock_key;
	st->on_locked = opt->on_locked;
	st->backoff_min = opt->reconnect_min_ms > 0 ? opt->reconnect_min_ms : STORE_MIN_MS_DEFAULT;
	st->backoff_max = opt->reconnect_max_ms > 0 ? opt->reconnect_max_ms : STORE_MAX_MS_DEFAULT;
	if (st->backoff_max < st->backoff_min)
		st->backoff_max = st->backoff_min;
	st->backoff = st->backoff_min;
	if ((st->conninfo = strdup(opt->conninfo)) == NULL)
		goto cleanup;
	if ((st->applied = calloc(cat->n_migrations + 1, sizeof(*st->applied))) == NULL)
		goto cleanup;
	if ((rc = uv_timer_init(loop, &st->timer)) < 0)
		goto cleanup;
	st->timer.data = st;
	st->timer_open = true;
	pgpoll_init(&st->poll, loop, store_on_poll, store_on_poll_closed, st);
	st->in_run = true;
	store_connect(st);
	st->in_run = false;
	*out = st;
	return 0;
cleanup:
	free(st->applied);
	free(st->conninfo);
	free(st);
	return rc;
}

void *store_data(struct store *st)
{
	return st->data;
}

bool store_up(const struct store *st)
{
	return st->up;
}

uint64_t store_last_batch(const struct store *st)
{
	return st->last_batch;
}

struct store_job *store_job_new(enum store_job_type type, store_done_cb done, void *data)
{
	struct store_job_block *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->job.type = type;
	b->job.done = done;
	b->job.data = data;
	b->job.priv = &b->priv;
	return &b->job;
}

static int store_grow(void **buf, size_t *cap, size_t need, size_t elem, size_t first)
{
	size_t n = *cap > 0 ? *cap : first;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	if ((p = realloc(*buf, n * elem)) == NULL)
		return -ENOMEM;
	*buf = p;
	*cap = n;
	return 0;
}

int store_job_add(struct store_job *job, int statement, const struct store_val *vals, int nvals)
{
	struct store_job_priv *p = job->priv;
	struct store_stmt *s;
	size_t need = 0;

	if (statement < 0 || nvals < 0 || (nvals > 0 && vals == NULL))
		return -EINVAL;
	for (int i = 0; i < nvals; i++) {
		if (vals[i].data != NULL && vals[i].len >= INT32_MAX)
			return -EINVAL;
		need += sizeof(struct store_val_hdr) + (vals[i].data != NULL ? vals[i].len + 1 : 0);
	}
	if (store_grow((void **)&p->stmts, &p->cap, p->n + 1, sizeof(*p->stmts), 16) < 0 ||
	    store_grow((void **)&p->arena, &p->size, p->used + need, 1, 1024) < 0)
		return -ENOMEM;
	s = &p->stmts[p->n++];
	s->id = statement;
	s->nvals = nvals;
	s->off = p->used;
	for (int i = 0; i < nvals; i++) {
		struct store_val_hdr h = {
			.len = vals[i].data != NULL ? (int32_t)vals[i].len : -1,
			.binary = vals[i].binary,
		};
		memcpy(p->arena + p->used, &h, sizeof(h));
		p->used += sizeof(h);
		if (vals[i].data == NULL)
			continue;
		memcpy(p->arena + p->used, vals[i].data, vals[i].len);
		p->arena[p->used + vals[i].len] = '\0';
		p->used += vals[i].len + 1;
	}
	return 0;
}

size_t store_job_size(const struct store_job *job)
{
	return job->priv->n;
}

void store_job_free(struct store_job *job)
{
	if (job == NULL)
		return;
	store_job_clear_results(job);
	free(job->priv->stmts);
	free(job->priv->arena);
	free(job);
}

void store_submit(struct store *st, struct store_job *job)
{
	job->next = NULL;
	if (st->closing) {
		store_job_free(job);
		return;
	}
	if (st->tail != NULL)
		st->tail->next = job;
	else
		st->head = job;
	st->tail = job;
	st->pending++;
	store_run(st);
}

void store_cancel_writes(struct store *st)
{
	struct store_job **at = &st->head, *cancelled = NULL, **ctail = &cancelled;

	if (st->running && *at != NULL)
		at = &(*at)->next;
	while (*at != NULL) {
		struct store_job *job = *at;
		if (job->type != STORE_WRITE) {
			at = &job->next;
			continue;
		}
		*at = job->next;
		job->next = NULL;
		*ctail = job;
		ctail = &job->next;
		st->pending--;
	}
	st->tail = NULL;
	for (struct store_job *j = st->head; j != NULL; j = j->next)
		st->tail = j;
	while (cancelled != NULL) {
		struct store_job *job = cancelled;
		cancelled = job->next;
		job->next = NULL;
		snprintf(job->error, sizeof(job->error), "cancelled");
		job->done(job, -ECANCELED);
	}
}

size_t store_pending(const struct store *st)
{
	return st->pending;
}

void store_close(struct store *st, void (*on_closed)(void *data))
{
	if (st->closing)
		return;
	st->closing = true;
	st->on_closed = on_closed;
	uv_timer_stop(&st->timer);
	store_run(st);
}
