/* A department's change stream: a libpq logical replication connection
 * (replication=database, pgoutput protocol 1) driven by libuv, never blocking.
 *
 * Setup, on a normal connection: create the publication assist_<dept> for the
 * department's tables if missing, and look at the slot assist_<dept>.
 *  - No slot: CREATE_REPLICATION_SLOT ... EXPORT_SNAPSHOT, read every row of
 *    every table in that snapshot (a REPEATABLE READ transaction, a cursor
 *    fetched in pages), then stream from the slot's consistent point.
 *  - A slot whose initial snapshot was acknowledged (the publication's comment
 *    says so): stream from the slot's confirmed position (START_REPLICATION
 *    with 0/0). The server resends every transaction after the confirmed LSN.
 *  - A slot without that mark (the adapter died during its snapshot): the
 *    snapshot cannot be read again, so the slot is dropped and made anew.
 *
 * Positions (major, minor): a streamed change is (commit LSN of its
 * transaction, index); a snapshot row is (consistent point - 1, index). A
 * transaction committing at the consistent point is streamed, not in the
 * snapshot, so every snapshot position is below every streamed one; the
 * index is the caller's (it counts events, in order, from 1).
 *
 * On connection loss: reconnect with backoff (1 s doubling to 30 s) and start
 * over from the slot. Standby status updates every few seconds and when the
 * server asks report the confirmed LSN the owner sets (never beyond). */
#ifndef ASSIST_REPLICATION_H
#define ASSIST_REPLICATION_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "mapping.h"
#include "pgoutput.h"

struct repl;

struct repl_ops {
	/* A transaction (or the snapshot) starts: major of its positions, and
	 * its commit time in µs since the Unix epoch. */
	void (*begin)(struct repl *r, uint64_t major, int64_t time_us);
	/* One row change of it. */
	void (*change)(struct repl *r, const struct row_change *rc);
	/* It ended; snapshot: it was the initial snapshot (lsn is its major). */
	void (*commit)(struct repl *r, uint64_t lsn, bool snapshot);
	/* Streaming has started (after any snapshot). */
	void (*streaming)(struct repl *r);
};

/* One libpq connection and the poll handle on its socket. */
struct repl_conn {
	PGconn *pg;
	uv_poll_t *poll;  /* allocated: replaced whenever libpq's socket changes */
	int fd;
	int events;
	PGresult *result; /* the last result of the running query */
	bool failed;      /* the running query failed (already logged) */
	bool busy;        /* a query is running */
	struct repl *r;
};

enum repl_state {
	REPL_IDLE,
	REPL_CONNECT,     /* normal connection */
	REPL_INSPECT,     /* publication, slot and mark */
	REPL_SETUP,       /* create the publication, drop a half-made slot, clear the mark */
	REPL_CONNECT_REPL,
	REPL_CREATE_SLOT,
	REPL_SNAP_BEGIN,
	REPL_SNAP_DECLARE,
	REPL_SNAP_FETCH,
	REPL_SNAP_ROWS,
	REPL_SNAP_END,
	REPL_START,
	REPL_STREAMING,
	REPL_STOPPED,
};

struct repl {
	uv_loop_t *loop;
	const struct department *dept;
	const struct repl_ops *ops;
	char *conninfo;
	char name[64];            /* slot and publication: assist_<dept> */
	enum repl_state state;

	struct repl_conn sql;
	struct repl_conn rep;
	uv_timer_t retry;         /* backoff between attempts */
	uv_timer_t status;        /* periodic standby status updates */
	uv_timer_t kick;          /* resume reading outside the caller's stack */
	uint64_t backoff_ms;
	bool paused;              /* the owner's window is full */
	bool closing;

	char *setup[3];           /* statements REPL_SETUP runs in order */
	int nsetup;
	int isetup;
	bool slot_exists;
	bool mark_pending;        /* the snapshot is read, its mark not yet written */
	bool snapshot_acked;
	bool mark_running;
	uint64_t consistent_point;
	char snapshot_name[64];
	int table;                /* snapshot: index into dept->tables */
	PGresult *page;           /* snapshot: the fetched page being delivered */
	int page_row;

	struct pgo_cache rels;
	uint64_t received_lsn;    /* highest WAL position seen */
	uint64_t confirmed_lsn;   /* what the owner lets the slot confirm */
	uint64_t slot_floor;      /* the slot's confirmed position at start */
	uint64_t sent_lsn;        /* flush position of the last status update */
	uint64_t sent_ms;
	bool in_txn;
	uint64_t txn_lsn;

	int open_handles;
	void (*on_close)(struct repl *r);
	void *data;
};

/* Prepare; nothing runs until repl_start. conninfo is the department's
 * database (without replication=...). 0 or -errno. */
__attribute__((warn_unused_result)) int repl_init(struct repl *r, uv_loop_t *loop,
						  const struct department *dept,
						  const char *conninfo, const struct repl_ops *ops);
/* Connect and run (and reconnect whenever the connection is lost). */
void repl_start(struct repl *r);
/* Stop or resume reading changes (backpressure). */
void repl_pause(struct repl *r, bool paused);
/* Every transaction up to lsn is acknowledged: the slot may confirm it. */
void repl_confirm(struct repl *r, uint64_t lsn);
/* Every snapshot event is acknowledged: mark the slot's snapshot complete. */
void repl_snapshot_acked(struct repl *r);
/* Send a last standby status, close both connections and every handle;
 * on_close runs once they are closed. */
void repl_close(struct repl *r, void (*on_close)(struct repl *r));

#endif
