#include "pgpoll.h"

#include <errno.h>
#include <stdlib.h>

struct pgpoll_handle {
	uv_poll_t poll;
	struct pgpoll *pp;
};

void pgpoll_init(struct pgpoll *pp, uv_loop_t *loop, pgpoll_io_cb on_io,
		 pgpoll_closed_cb on_closed, void *data)
{
	*pp = (struct pgpoll){.loop = loop, .fd = -1, .on_io = on_io, .on_closed = on_closed,
			      .data = data};
}

static void pgpoll_on_poll(uv_poll_t *h, int status, int events)
{
	struct pgpoll *pp = ((struct pgpoll_handle *)h->data)->pp;

	pp->on_io(pp, status, events);
}

static void pgpoll_on_closed(uv_handle_t *h)
{
	struct pgpoll_handle *ph = h->data;
	struct pgpoll *pp = ph->pp;

	free(ph);
	pp->open--;
	if (pp->on_closed != NULL)
		pp->on_closed(pp);
}

void pgpoll_unwatch(struct pgpoll *pp)
{
	if (pp->handle == NULL)
		return;
	uv_close((uv_handle_t *)&pp->handle->poll, pgpoll_on_closed);
	pp->handle = NULL;
	pp->fd = -1;
	pp->events = 0;
}

int pgpoll_watch(struct pgpoll *pp, PGconn *conn, int events)
{
	int fd = PQsocket(conn);
	int rc;

	if (fd < 0)
		return -EBADF;
	if (pp->handle != NULL && pp->fd != fd)
		pgpoll_unwatch(pp);
	if (pp->handle == NULL) {
		struct pgpoll_handle *ph = malloc(sizeof(*ph));
		if (ph == NULL)
			return -ENOMEM;
		if ((rc = uv_poll_init_socket(pp->loop, &ph->poll, fd)) < 0) {
			free(ph);
			return rc;
		}
		ph->poll.data = ph;
		ph->pp = pp;
		pp->handle = ph;
		pp->fd = fd;
		pp->events = 0;
		pp->open++;
	}
	if (events == pp->events)
		return 0;
	rc = events == 0 ? uv_poll_stop(&pp->handle->poll)
			 : uv_poll_start(&pp->handle->poll, events, pgpoll_on_poll);
	if (rc < 0)
		return rc;
	pp->events = events;
	return 0;
}

int pgpoll_connect_step(struct pgpoll *pp, PGconn *conn)
{
	pgpoll_unwatch(pp);
	switch (PQconnectPoll(conn)) {
	case PGRES_POLLING_READING:
		return pgpoll_watch(pp, conn, UV_READABLE);
	case PGRES_POLLING_WRITING:
		return pgpoll_watch(pp, conn, UV_WRITABLE);
	case PGRES_POLLING_OK:
		return 1;
	default:
		return -EIO;
	}
}

int pgpoll_flush(struct pgpoll *pp, PGconn *conn, int events)
{
	int left = PQflush(conn);
	int rc;

	if (left < 0)
		return -EIO;
	if ((rc = pgpoll_watch(pp, conn, events | (left ? UV_WRITABLE : 0))) < 0)
		return rc;
	return left;
}
