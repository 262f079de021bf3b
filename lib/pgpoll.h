/* A non-blocking libpq connection's socket in a libuv loop (the store of
 * assistd, the adapter's replication connections).
 *
 * libpq may replace its socket while connecting, and a new socket may get the
 * number of the old one, so every PQconnectPoll step watches with a new
 * handle, and a watch re-reads PQsocket and replaces the handle when the
 * number changed. Each handle lives in its own block: a new one is opened
 * while the old one still waits for its close callback. */
#ifndef ASSIST_PGPOLL_H
#define ASSIST_PGPOLL_H

#include <libpq-fe.h>
#include <uv.h>

struct pgpoll;
struct pgpoll_handle;

/* The socket is ready for events (UV_READABLE, UV_WRITABLE), or status < 0. */
typedef void (*pgpoll_io_cb)(struct pgpoll *pp, int status, int events);
/* A handle finished closing (pp->open no longer counts it). */
typedef void (*pgpoll_closed_cb)(struct pgpoll *pp);

struct pgpoll {
	uv_loop_t *loop;
	struct pgpoll_handle *handle; /* NULL when not watching */
	int fd;                       /* the handle's socket */
	int events;                   /* what the handle waits for */
	int open;                     /* handles not yet closed, closing ones included */
	pgpoll_io_cb on_io;
	pgpoll_closed_cb on_closed;
	void *data;                   /* the owner's */
};

/* Set pp up to watch sockets in loop; nothing is opened yet. */
void pgpoll_init(struct pgpoll *pp, uv_loop_t *loop, pgpoll_io_cb on_io,
		 pgpoll_closed_cb on_closed, void *data);
/* Watch conn's socket for events (0: keep the handle, wait for nothing); a
 * socket other than the handle's gets a new handle. 0 or a negative errno. */
int pgpoll_watch(struct pgpoll *pp, PGconn *conn, int events);
/* Stop watching: the handle closes (on_closed follows). */
void pgpoll_unwatch(struct pgpoll *pp);
/* One PQconnectPoll step, then watch (with a new handle) for what it asks:
 * 1 connected (not watching), 0 in progress, -EIO when libpq failed (its
 * PQerrorMessage says why), or libuv's negative errno. */
int pgpoll_connect_step(struct pgpoll *pp, PGconn *conn);
/* PQflush, then watch for events and, while output is left, UV_WRITABLE:
 * 0 all sent, 1 output left, -EIO when libpq failed, or libuv's negative errno. */
int pgpoll_flush(struct pgpoll *pp, PGconn *conn, int events);

#endif
