/* The server's connections to PostgreSQL: the store, which runs migrations,
 * holds the database's lock and writes, and the reader beside it for the
 * engine's loads. */
#include "server.h"

#include <errno.h>
#include <string.h>

#include "log.h"
#include "schema.h"

/* How either connection reaches the database. */
static struct store_options options_of(const struct server *srv)
{
	return (struct store_options){
		.conninfo = srv->cfg.database,
		.reconnect_min_ms = (unsigned)srv->cfg.reconnect_min_ms,
		.reconnect_max_ms = (unsigned)srv->cfg.reconnect_max_ms,
	};
}

void server_open_reader(struct server *srv)
{
	struct store_options opt = options_of(srv);
	int rc;

	opt.name = "assistd reader";
	rc = store_open(&srv->loop, &opt, &schema_catalog, NULL, srv, &srv->reader);
	if (rc < 0) {
		log_warn("store: no reader connection (%s): batches load through the store",
			 strerror(-rc));
		return;
	}
	srv->engine.reader = srv->reader;
}

static void on_store_closed(void *data)
{
	struct server *srv = data;

	srv->store = NULL;
}

static void on_reader_closed(void *data)
{
	struct server *srv = data;

	srv->reader = NULL;
}

static void on_engine_closed(void *data)
{
}

void server_close_core(struct server *srv)
{
	engine_close(&srv->engine, on_engine_closed);
	srv->engine.reader = NULL;
	if (srv->reader != NULL)
		store_close(srv->reader, on_reader_closed);
	if (srv->store != NULL)
		store_close(srv->store, on_store_closed);
}

int server_open_core(struct server *srv, const struct engine_ops *ops, store_state_cb on_state,
		     store_locked_cb on_locked, void *data)
{
	struct store_options opt = options_of(srv);
	int rc;

	opt.lock_key = INSTANCE_DB_LOCK_KEY;
	opt.on_locked = on_locked;

	if ((rc = engine_init(&srv->engine, &srv->loop, NULL, ops, data)) < 0) {
		log_error("engine: %s", uv_strerror(rc));
		return 1;
	}
	srv->engine.cfg = &srv->cfg;
	srv->engine.params = srv->params;
	if ((rc = store_open(&srv->loop, &opt, &schema_catalog, on_state, data, &srv->store)) < 0) {
		log_error("store: %s", strerror(-rc));
		return 1;
	}
	srv->engine.store = srv->store;
	return 0;
}

