/* The store's private side, shared by its files and by no one else: the
 * struct store that store.c (the connection and the run loop),
 * store_setup.c (what runs after connecting) and store_exec.c (running the
 * head job) all work on, and store.c's functions the other two call when the
 * connection must be flushed or given up. Callers of the store use store.h. */
#ifndef ASSIST_STORE_INTERNAL_H
#define ASSIST_STORE_INTERNAL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "pgpoll.h"
#include "store.h"

/* The guard every write transaction runs first, after BEGIN (store_setup.c
 * prepares it and says what it does; store_exec.c runs it). */
#define STORE_GUARD_NAME "store_batch"

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
	const char *name; /* fallback_application_name */
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
	/* Jobs are sent ahead of their results (pipelined): the first inflight
	 * jobs from head are sent, unsent is the next to send. */
	struct store_job *unsent;
	size_t inflight;
	size_t discard;    /* syncs to come of jobs sent after a failed write */
	/* the head job's results as they are read */
	size_t ncmds;      /* commands before the sync */
	size_t cmd;        /* command whose results come next */
	int status;        /* its outcome so far */
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

/* Copy a libpq message into dst as one line (newlines and tabs made spaces,
 * a run of them one space, none at the ends). */
void store_msg_copy(char *dst, size_t size, const char *src);
/* True when r's error means the session is gone, not a failed statement. */
bool store_conn_error(PGconn *conn, const PGresult *r);
/* Forget the connection; the head job, if it was running, will run again. */
void store_disconnect(struct store *st);
/* The connection failed or was lost (why, or libpq's message when NULL):
 * reconnect after the backoff unless closing, tell the owner if it was up. */
void store_lost(struct store *st, const char *why);
/* Send what libpq holds; 0, or -1 when the connection was given up. */
int store_flush(struct store *st);
/* Setup is done: into pipeline mode and up, and tell the owner. */
void store_went_up(struct store *st);

#endif
