/* assistd as a whole: configuration, policy set, store, engine and the
 * ZeroMQ sockets (ingest ROUTER, query ROUTER, feed PUB), signals and
 * systemd notification. main() only parses arguments and runs it.
 *
 * Each socket binds its ipc endpoints plain (file permissions guard them)
 * and its networked ones as a CURVE server behind the ZAP handler (zap.h):
 * libzmq applies security options to the binds made after them, so one
 * socket serves both and a reply always finds its peer. Messages over CURVE
 * carry the sender's role; ipc ones carry none and are trusted. */
#ifndef ASSIST_SERVER_H
#define ASSIST_SERVER_H

#include <stdbool.h>
#include <uv.h>

#include "appdue.h"
#include "config.h"
#include "engine.h"
#include "instance.h"
#include "metrics.h"
#include "params.h"
#include "roles.h"
#include "standards.h"
#include "store.h"
#include "zap.h"
#include "zloop.h"

struct server {
	uv_loop_t loop;
	char *config_path;
	struct instance instance; /* the pidfile lock, held while running */
	struct config cfg;
	struct params *params;
	struct store *store;
	struct store *reader; /* the engine's loads (engine.reader), once the store is up */
	struct engine engine;
	bool engine_ready;
	struct standards standards; /* retroactive standards' recompute jobs */

	void *zctx;
	struct zl zl;
	bool zl_up;
	struct zl_sock ingest, query, feed;
	int open_socks;
	struct zap_list *clients; /* CURVE allow-list (clients_file), or NULL */
	struct roles *roles;      /* the sources that may send, and what (roles_file) */
	struct zap zap;           /* its handler, running when curve_secret_key is set */
	bool zap_up;
	struct metrics metrics; /* GET /metrics, when metrics_listen is set */

	uv_signal_t sigterm, sigint, sighup;
	uv_timer_t stop_timer;  /* bounds how long a stop waits for the store */
	uv_timer_t watchdog;
	uv_timer_t freshness;   /* marks silent sources stale */
	uv_timer_t feed_beat;   /* the feed heartbeat, when nothing else was published */
	struct appdue app_due;  /* the application_overdue check */
	uint64_t feed_sent_ms;  /* loop time of the last message on the feed */
	bool stopping;
	int exit_code;
	bool closed;            /* every handle asked to close */
	struct log_limit malformed_log; /* lines about malformed ingest messages */
};

/* Load the configuration and the policy set, and open the loop; nothing runs
 * yet. 0, or a negative errno after logging why. */
__attribute__((warn_unused_result)) int server_init(struct server *srv, const char *config_path);
/* Run until stopped; returns the process exit code. */
int server_run(struct server *srv);
/* The pidfile lock in the runtime directory, before the store and any socket
 * (assistd and assistd --rebuild alike); refused when another assistd holds
 * it. 0, or the exit code. */
int server_take_instance_lock(struct server *srv);
/* The engine (its ops called with data) and the store (its callbacks called
 * with data too) on srv's loop, the store connecting: 0, or 1 (logged). */
int server_open_core(struct server *srv, const struct engine_ops *ops, store_state_cb on_state,
		     store_locked_cb on_locked, void *data);
/* The reader connection beside the store (no lock, no migrations: the store
 * has made them), for the engine's loads; call it once the store is up. */
void server_open_reader(struct server *srv);
/* Run srv's loop until nothing is left on it: 0, or 1 when a handle was left
 * open (logged). */
int server_run_loop(struct server *srv);
/* Close the engine, the reader and the store (srv->store is NULL once it is
 * closed). */
void server_close_core(struct server *srv);
/* Free what server_init set up (after server_run). */
void server_free(struct server *srv);

/* Send a reply to peer on a ROUTER socket (query.c, engine hooks). */
void server_reply(struct zl_sock *s, const uint8_t *peer, size_t peer_len,
		  const Assist__Reply *r);
/* Send an Error reply (code, message) to peer on a ROUTER socket. */
void server_reply_error(struct zl_sock *s, const uint8_t *peer, size_t peer_len,
			uint64_t request_id, Assist__ErrorCode code, const char *msg);

#endif
