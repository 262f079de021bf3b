/* assistd.conf: the daemon's keys, in one table. */
#ifndef ASSIST_CONFIG_H
#define ASSIST_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config {
	char *database;          /* libpq connection string */
	char *ingest_endpoint;   /* comma-separated ZeroMQ endpoints to bind */
	char *query_endpoint;
	char *feed_endpoint;
	char *policy_dir;
	char *log_level;
	int64_t batch_max_events; /* group commit: at most this many events ... */
	int64_t batch_max_ms;     /* ... or this long after the first one */
	int64_t max_inflight;     /* batches taken in but not committed before ingest pauses */
	int64_t max_message_bytes;
	int64_t reconnect_min_ms;
	int64_t reconnect_max_ms;
	int64_t source_freshness_s; /* a source silent longer than this is stale */
	bool feed_full_ids;       /* publish full ID numbers on the feed (default: masked) */
	char *curve_secret_key;   /* Z85; "" when no endpoint is networked */
	char *clients_file;       /* the CURVE allow-list (zap.h) */
	bool allow_plain_tcp;     /* tests on loopback only: TCP without CURVE */
	char *subject_key_file;   /* the key of subject_key (subject.h); "": none */
	char *runtime_dir;        /* the pidfile's; $RUNTIME_DIRECTORY wins */
	char *roles_file;         /* sources and their roles (roles.h); "": the built-in */
	int64_t dead_letter_max_bytes; /* a dead letter's event JSON and raw are cut past this */
	int64_t recompute_chunk;  /* payees a recompute job's chunk covers, about */
	int64_t application_check_s;   /* how often open application steps are checked */
	char *full_id_clients;    /* CURVE clients whose exports may carry full IDs */
	char *metrics_listen;     /* HOST:PORT of GET /metrics (metrics.h); "": none */
};

/* Load path into cfg (zeroed first). 0, or a negative errno with "file:line:
 * reason" in err. */
__attribute__((warn_unused_result)) int config_load(const char *path, struct config *cfg,
						    char *err, size_t errlen);
/* Free what config_load allocated. */
void config_free(struct config *cfg);
/* The first key a reload from old to new may not change, or NULL. */
const char *config_reload_conflict(const struct config *old, const struct config *new_cfg);

#endif
