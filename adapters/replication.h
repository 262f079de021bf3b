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
 * Every mapped table must be in the publication (a table dropped and made
 * anew drops out of it: it is added back, at start and whenever a Relation
 * message or the periodic check finds it missing) and have REPLICA IDENTITY
 * FULL (set when the adapter's role owns the table; otherwise the adapter
 * gives up saying what to run). A lost slot (wal_status 'lost', or the
 * server refusing to stream from it) is given up too: changes are gone, and
 * only an operator's re-snapshot (resnapshot) makes the slot anew.
 *
 * On connection loss: reconnect with backoff (1 s doubling to 30 s) and start
 * over from the slot. Standby status updates: write is what was received;
 * flush and apply are the confirmed LSN the owner sets, or the server's
 * position itself when the owner holds nothing unacknowledged and no
 * transaction is open (an idle slot moves on, and a server shutting down
 * sees everything flushed). Sent when the position changes, when the server
 * asks (at most once a tick when nothing changed) and every 10 s. A normal
 * connection writes a logical message every db_heartbeat_ms so that a
 * department with no changes of its own still produces WAL to confirm. */
#ifndef ASSIST_REPLICATION_H
#define ASSIST_REPLICATION_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "mapping.h"
#include "pgoutput.h"
#include "pgpoll.h"

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
	/* Whether the owner holds no event unacknowledged. */
	bool (*idle)(struct repl *r);
	/* A Relation message for a mapped table came: its columns may have changed. */
	void (*relation)(struct repl *r, const char *table);
	/* A transaction (the current one) truncated table. */
	void (*truncate)(struct repl *r, const char *table);
	/* Replication gave up for good (code: REPL_LOST or REPL_REFUSED); why
	 * was logged. */
	void (*failed)(struct repl *r, int code, const char *why);
};

/* Why replication gave up. */
#define REPL_LOST 1    /* the slot is lost: a re-snapshot is needed */
#define REPL_REFUSED 2 /* a table's setup the adapter may not fix */

/* What the normal connection runs while streaming. */
enum repl_side {
	SIDE_NONE,
	SIDE_MARK,     /* write the snapshot mark */
	SIDE_CHECK,    /* heartbeat message and the tables' check */
	SIDE_FIX,      /* add missing tables, set REPLICA IDENTITY FULL */
};

/* One libpq connection and the watch on its socket. */
struct repl_conn {
	PGconn *pg;
	struct pgpoll poll;
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

	char *setup[4];           /* statements REPL_SETUP runs in order */
	int nsetup;
	int isetup;
	bool slot_exists;
	bool mark_pending;        /* the snapshot is read, its mark not yet written */
	bool snapshot_acked;
	enum repl_side side;      /* what the normal connection runs while streaming */
	bool check_due;           /* check the tables at the next chance */
	bool resnapshot;          /* make the slot anew, even a lost one */
	bool slot_lost;           /* the server refused to stream from the slot */
	uint64_t db_heartbeat_ms; /* 0: none */
	uint64_t beat_ms;         /* last heartbeat message */
	char *tables_sql;         /* the tables' check: three columns, see repl_tables_sql */
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
	uint64_t sent_write;      /* write position of it */
	uint64_t sent_ms;
	bool reply_due;           /* the server asked for a status not yet sent */
	bool in_txn;
	uint64_t txn_lsn;

	int open_handles;         /* timers not yet closed (each poll counts its own) */
	void (*on_close)(struct repl *r);
	void *data;
};

/* Prepare; nothing runs until repl_start. conninfo is the department's
 * database (without replication=...); a heartbeat message goes into it every
 * db_heartbeat_ms (0: never); resnapshot drops any slot and reads the
 * tables anew. 0 or -errno. */
__attribute__((warn_unused_result)) int repl_init(struct repl *r, uv_loop_t *loop,
						  const struct department *dept,
						  const char *conninfo, const struct repl_ops *ops,
						  uint64_t db_heartbeat_ms, bool resnapshot);
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
