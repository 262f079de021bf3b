/* ZeroMQ sockets inside a libuv loop.
 *
 * ZMQ_FD is edge-triggered and only says "look at ZMQ_EVENTS", so the fd can
 * not be trusted on its own: a uv_poll_t per socket (readable, empty callback)
 * only wakes the loop; a uv_check_t drains every socket until EAGAIN (a budget
 * per socket and iteration keeps one busy peer from starving the rest); a
 * uv_prepare_t re-reads ZMQ_EVENTS before the loop blocks and keeps a
 * uv_idle_t running while any socket still has input, so the loop does not
 * sleep on an edge that was already consumed (by a zmq_send, for instance). */
#ifndef ASSIST_ZLOOP_H
#define ASSIST_ZLOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>
#include <zmq.h>

#define ZL_MAX_FRAMES 8

struct zl;
struct zl_sock;

/* One whole message; frames are closed after the callback returns. A message
 * with more than ZL_MAX_FRAMES frames is dropped (and logged). */
typedef void (*zl_msg_cb)(struct zl_sock *s, zmq_msg_t *frames, int nframes);
typedef void (*zl_sock_close_cb)(struct zl_sock *s);
typedef void (*zl_close_cb)(struct zl *zl);

struct zl_sock {
	void *zs;          /* the ZeroMQ socket; the owner closes it in the close callback */
	uv_poll_t poll;
	struct zl *zl;
	zl_msg_cb on_msg;  /* NULL for send-only sockets (PUB) */
	zl_sock_close_cb on_close;
	bool paused;       /* input held back (backpressure): ZeroMQ queues, then blocks senders */
	void *data;        /* the owner's */
	struct zl_sock *next;
};

struct zl {
	uv_loop_t *loop;
	uv_prepare_t prepare;
	uv_check_t check;
	uv_idle_t idle;
	struct zl_sock *socks;
	unsigned budget;   /* messages per socket per loop iteration */
	int open_handles;
	zl_close_cb on_close;
};

/* Start the loop hooks. 0 or a negative errno. */
__attribute__((warn_unused_result)) int zl_init(struct zl *zl, uv_loop_t *loop);
/* Watch zsock; on_msg gets each message (NULL: never read). 0 or -errno. */
__attribute__((warn_unused_result)) int zl_sock_start(struct zl *zl, struct zl_sock *s,
						      void *zsock, zl_msg_cb on_msg);
/* Hold back or resume reading s. */
void zl_sock_pause(struct zl_sock *s, bool paused);
/* Send a multi-frame message without blocking: 0, -EAGAIN (peer at its
 * high-water mark or not connected), -EHOSTUNREACH (ROUTER: peer gone) or
 * another -errno. The next loop iteration re-reads ZMQ_EVENTS. */
int zl_sendv(struct zl_sock *s, const void *const *bufs, const size_t *lens, int n);
/* Stop watching s (no message is handed over after this, even from within
 * s's callback); on_close(s) runs once the poll handle is closed, and is
 * where the owner calls zmq_close(s->zs). */
void zl_sock_close(struct zl_sock *s, zl_sock_close_cb on_close);
/* Close the loop hooks (after every socket); on_close runs when they are. */
void zl_close(struct zl *zl, zl_close_cb on_close);

#endif
