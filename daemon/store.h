/* The store: assistd's PostgreSQL database through libpq in non-blocking,
 * pipelined mode, its socket watched by the libuv loop.
 *
 * Work is a FIFO of jobs run one at a time, in order. A write job is one
 * transaction (BEGIN, its statements, the batch number into store_meta,
 * COMMIT); a read job runs its statements and hands back the results. When
 * the connection is lost the store reconnects with backoff and runs the job
 * again; a write job whose COMMIT may have landed before the connection went
 * (its batch number is already in store_meta) is not run twice. So a job
 * completes exactly once, in order, or the store reports a fatal error.
 *
 * With a lock key, each connection takes a session-level advisory lock
 * before anything else and holds it while it lives; a lock another session
 * holds is the owner's to act on (on_locked), except when that session is
 * this store's own previous one, still ending, which is waited out.
 *
 * The schema is the caller's: numbered migrations applied at connect (each in
 * its own transaction, recorded in schema_migrations) and a catalog of named
 * statements prepared on every connection. */
#ifndef ASSIST_STORE_H
#define ASSIST_STORE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct store;
struct store_job;

struct store_migration {
	int version;
	const char *sql; /* may hold several statements */
};

struct store_statement {
	const char *name;
	const char *sql;
	int nparams;
};

struct store_catalog {
	const struct store_migration *migrations;
	size_t n_migrations;
	const struct store_statement *statements; /* statement id = index */
	size_t n_statements;
};

/* A parameter: data == NULL is SQL NULL; binary for bytea. */
struct store_val {
	const void *data;
	size_t len;
	bool binary;
};

enum store_job_type { STORE_WRITE, STORE_READ };

/* status: 0 done (write: committed; read: results[i] holds statement i's
 * result, owned by the job); negative errno: the job failed for good (an SQL
 * error, not a lost connection), message in job->error. -EIO: a statement
 * failed (a write is rolled back; a read keeps the results it got, the
 * failed statement's and those after it with their error status); -EINVAL:
 * an unknown statement id or a parameter count other than the catalog's
 * nparams; -ENOMEM. job->error is libpq's terse message (no DETAIL), which
 * may still quote a value: never log it unmasked. */
typedef void (*store_done_cb)(struct store_job *job, int status);
/* The connection came up (ready) or went down. */
typedef void (*store_state_cb)(struct store *st, bool up);
/* Another session holds the store's advisory lock: the store has given up its
 * connection and does not reconnect; why names the database and the holder. */
typedef void (*store_locked_cb)(struct store *st, const char *why);

struct store_job {
	enum store_job_type type;
	uint64_t batch;      /* write: strictly increasing batch number */
	store_done_cb done;
	void *data;          /* the caller's */
	PGresult **results;  /* read: one per statement, after done */
	size_t n_results;
	char error[256];
	char sqlstate[6];    /* the failed statement's SQLSTATE ("" if none) */
	/* private */
	struct store_job_priv *priv;
	struct store_job *next;
};

struct store_options {
	const char *conninfo;
	unsigned reconnect_min_ms; /* backoff doubles from here (0: 100) ... */
	unsigned reconnect_max_ms; /* ... up to here (0: 10000) */
	/* Not 0: every connection first takes this session-level advisory lock
	 * (pg_try_advisory_lock), so one owner at a time uses the database; held
	 * by another session, on_locked is called instead of going up. */
	int64_t lock_key;
	store_locked_cb on_locked;
	/* The session's name in pg_stat_activity unless conninfo names one
	 * (NULL: "assistd"). */
	const char *name;
};

/* A new store on loop; connects at once, and again whenever the connection is
 * lost. on_state tells the owner. 0 or a negative errno. */
__attribute__((warn_unused_result)) int store_open(uv_loop_t *loop,
						    const struct store_options *opt,
						    const struct store_catalog *cat,
						    store_state_cb on_state, void *data,
						    struct store **out);
/* The owner's data pointer. */
void *store_data(struct store *st);
/* True while connected, migrated and prepared. */
bool store_up(const struct store *st);
/* The newest batch number found committed in store_meta at the first connect
 * (0 for a new database); write jobs must number on from it. */
uint64_t store_last_batch(const struct store *st);
/* A new empty job; NULL when out of memory. */
struct store_job *store_job_new(enum store_job_type type, store_done_cb done, void *data);
/* Append statement id with its parameters (copied into the job). 0, -ENOMEM,
 * or -EINVAL (negative id or count, a value of 2 GiB or more). */
__attribute__((warn_unused_result)) int store_job_add(struct store_job *job, int statement,
						      const struct store_val *vals, int nvals);
/* Statements in the job so far. */
size_t store_job_size(const struct store_job *job);
/* Free a job (and its results); call it from or after done, or instead of submitting. */
void store_job_free(struct store_job *job);
/* Queue a job; it runs after every job queued before it. done() is never
 * called from inside store_submit(); a job submitted after store_close() is
 * freed without it. */
void store_submit(struct store *st, struct store_job *job);
/* Take back every write job queued and not yet sent (call it from the done
 * callback of a failed write: the jobs sent after it are unsent by then):
 * each one's done gets -ECANCELED, from inside this call. Read jobs stay
 * queued. */
void store_cancel_writes(struct store *st);
/* Hand PostgreSQL more of the jobs sent, without waiting: for a long run of
 * work on the loop (applying a batch), during which the socket is not
 * watched and the server would wait for the rest of a job. An error is left
 * for the loop to find. */
void store_push(struct store *st);
/* Jobs queued or running. */
size_t store_pending(const struct store *st);
/* Finish the queue if connected, then close every handle; on_closed(data)
 * runs when the store is gone. Jobs still queued when the connection cannot be
 * had are dropped without their done callback (the daemon is stopping, and
 * senders resend what was never acknowledged); the store frees them. */
void store_close(struct store *st, void (*on_closed)(void *data));

#endif
