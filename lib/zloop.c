#include "zloop.h"

#include <errno.h>
#include <stdint.h>

#include "log.h"

#define ZL_DEFAULT_BUDGET 256

static bool zl_sock_readable(struct zl_sock *s)
{
	uint32_t events = 0;
	size_t len = sizeof(events);

	if (s->on_msg == NULL || s->paused)
		return false;
	if (zmq_getsockopt(s->zs, ZMQ_EVENTS, &events, &len) != 0)
		return false;
	return (events & ZMQ_POLLIN) != 0;
}

/* Receive one whole message and hand it over; false when there was none. */
static bool zl_sock_read_one(struct zl_sock *s)
{
	zmq_msg_t frames[ZL_MAX_FRAMES];
	int n = 0;
	int more = 1;
	bool dropped = false;

	while (more) {
		zmq_msg_t part;
		zmq_msg_init(&part);
		if (zmq_msg_recv(&part, s->zs, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&part);
			if (n == 0 && !dropped)
				return false;
			break; /* cannot happen mid-message: ZeroMQ delivers messages whole */
		}
		more = zmq_msg_more(&part);
		if (n < ZL_MAX_FRAMES && !dropped) {
			frames[n++] = part;
		} else {
			dropped = true;
			zmq_msg_close(&part);
		}
	}
	if (dropped)
		log_warn("zloop: dropped a message of more than %d frames", ZL_MAX_FRAMES);
	else
		s->on_msg(s, frames, n);
	for (int i = 0; i < n; i++)
		zmq_msg_close(&frames[i]);
	return true;
}

static void zl_on_check(uv_check_t *h)
{
	struct zl *zl = h->data;

	for (struct zl_sock *s = zl->socks; s != NULL; s = s->next) {
		for (unsigned i = 0; i < zl->budget; i++) {
			if (!zl_sock_readable(s) || !zl_sock_read_one(s))
				break;
		}
	}
}

static void zl_on_idle(uv_idle_t *h)
{
	/* Only keeps the loop from blocking; the check hook does the work. */
}

static void zl_on_prepare(uv_prepare_t *h)
{
	struct zl *zl = h->data;
	bool pending = false;

	for (struct zl_sock *s = zl->socks; s != NULL && !pending; s = s->next)
		pending = zl_sock_readable(s);
	if (pending)
		uv_idle_start(&zl->idle, zl_on_idle);
	else
		uv_idle_stop(&zl->idle);
}

static void zl_on_poll(uv_poll_t *h, int status, int events)
{
	/* Wakes the loop; the check hook reads ZMQ_EVENTS and drains. */
}

int zl_init(struct zl *zl, uv_loop_t *loop)
{
	int rc;

	*zl = (struct zl){.loop = loop, .budget = ZL_DEFAULT_BUDGET};
	if ((rc = uv_prepare_init(loop, &zl->prepare)) < 0)
		return rc;
	zl->open_handles++;
	if ((rc = uv_check_init(loop, &zl->check)) < 0)
		return rc;
	zl->open_handles++;
	if ((rc = uv_idle_init(loop, &zl->idle)) < 0)
		return rc;
	zl->open_handles++;
	zl->prepare.data = zl->check.data = zl->idle.data = zl;
	uv_prepare_start(&zl->prepare, zl_on_prepare);
	uv_check_start(&zl->check, zl_on_check);
	return 0;
}

int zl_sock_start(struct zl *zl, struct zl_sock *s, void *zsock, zl_msg_cb on_msg)
{
	int fd;
	size_t len = sizeof(fd);
	int rc;

	s->zs = zsock;
	s->zl = zl;
	s->on_msg = on_msg;
	s->paused = false;
	if (zmq_getsockopt(zsock, ZMQ_FD, &fd, &len) != 0)
		return -errno;
	if ((rc = uv_poll_init_socket(zl->loop, &s->poll, fd)) < 0)
		return rc;
	s->poll.data = s;
	if (on_msg != NULL && (rc = uv_poll_start(&s->poll, UV_READABLE, zl_on_poll)) < 0)
		return rc;
	s->next = zl->socks;
	zl->socks = s;
	return 0;
}

void zl_sock_pause(struct zl_sock *s, bool paused)
{
	/* Resuming needs nothing more: the prepare hook reads ZMQ_EVENTS itself. */
	s->paused = paused;
}

int zl_sendv(struct zl_sock *s, const void *const *bufs, const size_t *lens, int n)
{
	for (int i = 0; i < n; i++) {
		int flags = ZMQ_DONTWAIT | (i + 1 < n ? ZMQ_SNDMORE : 0);
		if (zmq_send(s->zs, bufs[i], lens[i], flags) < 0)
			return -errno;
	}
	/* A send may consume the fd's edge; the prepare hook re-reads ZMQ_EVENTS
	 * before the loop next blocks, so no input is left waiting. */
	return 0;
}

static void zl_sock_on_closed(uv_handle_t *h)
{
	struct zl_sock *s = h->data;

	if (s->on_close != NULL)
		s->on_close(s);
}

void zl_sock_close(struct zl_sock *s, zl_sock_close_cb on_close)
{
	struct zl_sock **pp;

	for (pp = &s->zl->socks; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	/* Never read again, though the check hook may be draining it right now
	 * (the close came from its callback) and ZeroMQ still holds input. */
	s->on_msg = NULL;
	s->on_close = on_close;
	uv_close((uv_handle_t *)&s->poll, zl_sock_on_closed);
}

static void zl_on_handle_closed(uv_handle_t *h)
{
	struct zl *zl = h->data;

	if (--zl->open_handles == 0 && zl->on_close != NULL)
		zl->on_close(zl);
}

void zl_close(struct zl *zl, zl_close_cb on_close)
{
	zl->on_close = on_close;
	uv_close((uv_handle_t *)&zl->prepare, zl_on_handle_closed);
	uv_close((uv_handle_t *)&zl->check, zl_on_handle_closed);
	uv_close((uv_handle_t *)&zl->idle, zl_on_handle_closed);
}
