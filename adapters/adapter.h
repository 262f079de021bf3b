/* assist-adapter: one department's change stream (replication.h) mapped to
 * events (mapping.h) and sent to assistd (link.h).
 *
 * Replication starts once the first Ack has told assistd's stored position
 * for the department; events at or below it, or at or below the last one
 * taken (the server resends a transaction cut by a reconnect), are skipped.
 * Each event of a transaction takes the next minor position from 1, so
 * positions depend only on the data. When the window is full the stream is
 * paused; every Ack lets the slot confirm the commits it completes.
 *
 * An event bigger than max_message_bytes allows (less room for the batch
 * around it) is sent as an invalid event instead, its raw row cut to
 * ADAPTER_RAW_MAX bytes with a marker. A mapped column missing from a row
 * is the source's standing problem (in assistd's status) until the table's
 * next Relation message; a TRUNCATE of a mapped table raises the alert
 * "truncated". When replication gives up (a lost slot, a table setup it may
 * not fix) the problem goes to assistd, then the adapter stops with
 * ADAPTER_EXIT_SLOT_LOST or ADAPTER_EXIT_REFUSED. */
#ifndef ASSIST_ADAPTER_H
#define ASSIST_ADAPTER_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "adapter_metrics.h"
#include "link.h"
#include "mapping.h"
#include "replication.h"
#include "zloop.h"

/* Exit statuses of assist-adapter besides 0 (stopped), 1 (failed) and 2
 * (bad usage or configuration). */
#define ADAPTER_EXIT_SLOT_LOST 3 /* the slot is lost: run once with --resnapshot */
#define ADAPTER_EXIT_REFUSED 4   /* a table's replica identity the role may not set */

/* What is kept of an unmappable row's JSON in an invalid event. */
#define ADAPTER_RAW_MAX 65536

struct adapter_config {
	char *database;         /* the department's conninfo */
	char *ingest_endpoint;
	int64_t window;
	int64_t heartbeat_ms;
	int64_t resend_ms;
	int64_t db_heartbeat_ms; /* logical message into the department database; 0: none */
	int64_t max_message_bytes; /* assistd's: no batch is bigger */
	char *log_level;
	char *metrics_listen;          /* HOST:PORT of GET /metrics (metricserve.h); "": none */
	char *curve_server_key;        /* Z85, for a tcp:// ingest_endpoint; "": plaintext */
	char *curve_client_public_key;
	char *curve_client_secret_key;
};

struct adapter {
	uv_loop_t *loop;
	const struct department *dept;
	const struct adapter_config *cfg;
	void *zctx;
	struct zl zl;
	struct link link;
	struct repl repl;

	bool repl_started;
	bool ready;               /* READY=1 sent */
	uint64_t major;           /* the transaction being read */
	uint64_t minor;
	bool snapshot;
	char occurred_at[40];
	bool have_last;           /* last position taken into the window */
	struct pos last;
	bool snapshot_waiting;    /* the snapshot's events are not all acknowledged */
	struct pos snapshot_last;
	char problem_table[64];   /* the table the standing problem is about; "" none */
	int exit_code;            /* replication gave up: the exit status */
	uv_timer_t quit;          /* bounds the wait for assistd to hear of it */
	struct adapter_metrics metrics;

	bool stopping;            /* adapter_stop ran */
	int closing;              /* parts still closing */
	void (*on_close)(struct adapter *a);
};

/* Load CONFIG into cfg (free with adapter_config_free). 0, -EINVAL with the
 * reason in err, or -errno. */
__attribute__((warn_unused_result)) int adapter_config_load(struct adapter_config *cfg,
							    const char *path, char *err,
							    size_t errlen);
void adapter_config_free(struct adapter_config *cfg);

/* Open the link and start; replication follows the first Ack; resnapshot
 * drops the slot (lost or not) and reads the tables anew. 0 or -errno. */
__attribute__((warn_unused_result)) int adapter_start(struct adapter *a, uv_loop_t *loop,
						      const struct department *dept,
						      const struct adapter_config *cfg,
						      bool resnapshot);
/* Stop: a last standby status, then close everything; on_close (kept when
 * NULL; the adapter stops itself when replication gives up) runs when every
 * handle is closed. Once only. */
void adapter_stop(struct adapter *a, void (*on_close)(struct adapter *a));

#endif
