/* assist-adapter: one department's change stream (replication.h) mapped to
 * events (mapping.h) and sent to assistd (link.h).
 *
 * Replication starts once the first Ack has told assistd's stored position
 * for the department; events at or below it, or at or below the last one
 * taken (the server resends a transaction cut by a reconnect), are skipped.
 * Each event of a transaction takes the next minor position from 1, so
 * positions depend only on the data. When the window is full the stream is
 * paused; every Ack lets the slot confirm the commits it completes. */
#ifndef ASSIST_ADAPTER_H
#define ASSIST_ADAPTER_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "link.h"
#include "mapping.h"
#include "replication.h"
#include "zloop.h"

struct adapter_config {
	char *database;         /* the department's conninfo */
	char *ingest_endpoint;
	int64_t window;
	int64_t heartbeat_ms;
	int64_t resend_ms;
	char *log_level;
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
	struct link_pos last;
	bool snapshot_waiting;    /* the snapshot's events are not all acknowledged */
	struct link_pos snapshot_last;

	int closing;              /* parts still closing */
	void (*on_close)(struct adapter *a);
};

/* Load CONFIG into cfg (free with adapter_config_free). 0, -EINVAL with the
 * reason in err, or -errno. */
__attribute__((warn_unused_result)) int adapter_config_load(struct adapter_config *cfg,
							    const char *path, char *err,
							    size_t errlen);
void adapter_config_free(struct adapter_config *cfg);

/* Open the link and start; replication follows the first Ack. 0 or -errno. */
__attribute__((warn_unused_result)) int adapter_start(struct adapter *a, uv_loop_t *loop,
						      const struct department *dept,
						      const struct adapter_config *cfg);
/* Stop: a last standby status, then close everything; on_close runs when
 * every handle is closed. */
void adapter_stop(struct adapter *a, void (*on_close)(struct adapter *a));

#endif
