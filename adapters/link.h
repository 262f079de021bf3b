/* The adapter's link to assistd: a ZeroMQ DEALER (one frame per message, an
 * Assist__Request out, an Assist__Reply with an Ack back) inside the libuv
 * loop. It owns the window of events not yet acknowledged: sends them in
 * batches in position order, drops them when an Ack's applied position covers
 * them, rewinds on a gap or after resend_ms without progress, and sends a
 * Heartbeat every heartbeat_ms so a quiet department still looks alive.
 * A batch is cut at max_message_bytes as well as at a count (an event is
 * never bigger: the adapter sees to that). Heartbeats carry the sender's
 * standing problem and its pending alerts; an alert is pending until the
 * Ack of a heartbeat carrying it came, and until then the slot may not
 * confirm the transaction that raised it. */
#ifndef ASSIST_LINK_H
#define ASSIST_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "assist.pb-c.h"
#include "pos.h"
#include "zloop.h"

struct link_slot {
	Assist__Event *ev;
	struct pos pos;
	bool streamed;     /* from the replication stream (major is a commit LSN) */
};

/* CURVE client keys (Z85) for a networked endpoint; server "" means none
 * (plaintext, for an assistd with allow_plain_tcp). */
struct link_keys {
	const char *server;
	const char *public_key;
	const char *secret;
};

/* A one-off alert (Heartbeat.alerts) raised by the transaction at lsn. */
struct link_alert {
	char code[32];
	char message[256];
	uint64_t lsn;
	uint64_t first_beat;  /* request id of the first heartbeat carrying it; 0: none */
};

#define LINK_ALERTS_MAX 64

struct link;
/* An Ack came in: applied is assistd's stored position for this source. */
typedef void (*link_ack_cb)(struct link *l, struct pos applied);
typedef void (*link_close_cb)(struct link *l);

struct link {
	struct zl_sock sock;
	uv_timer_t timer;          /* heartbeats and the resend check */
	uv_check_t check;          /* sends what was queued during the iteration */
	char *source;
	size_t window;
	uint64_t heartbeat_ms;
	uint64_t resend_ms;
	size_t max_message_bytes;
	char problem[256];         /* the standing problem heartbeats carry; "" none */
	struct link_alert alerts[LINK_ALERTS_MAX];
	size_t nalerts;
	uint64_t alert_beat;       /* request id of the last heartbeat carrying alerts */
	uint64_t problem_beat;     /* the first heartbeat carrying the current problem */
	bool problem_acked;        /* assistd acknowledged a heartbeat carrying it */

	struct link_slot *ring;    /* unacknowledged events, oldest first */
	size_t cap;
	size_t head;
	size_t count;
	size_t sent;               /* how many of them are in flight (the rest unsent) */

	bool have_prev;            /* prev: position of the last event sent */
	struct pos prev;
	bool have_applied;         /* assistd's stored position, once an Ack told it */
	struct pos applied;
	uint64_t last_commit;      /* last commit LSN the stream finished */
	uint64_t done_lsn;         /* highest commit LSN whose events are all acknowledged */

	uint64_t next_request_id;
	uint64_t rewind_request_id; /* gap answers to requests before it are stale */
	uint64_t progress_ms;      /* last send or progress; the resend clock */
	uint64_t last_heartbeat_ms; /* 0: none got out yet */

	link_ack_cb on_ack;
	link_close_cb on_close;
	int open_handles;
	void *data;
};

/* Connect a DEALER (ZMQ_IMMEDIATE, linger 0; a CURVE client with keys when
 * endpoint is networked) to endpoint and start the timers; send the first
 * Heartbeat at once. window bounds the events kept. 0 or -errno. */
__attribute__((warn_unused_result)) int link_init(struct link *l, struct zl *zl, void *zctx,
						  const char *endpoint,
						  const struct link_keys *keys,
						  const char *source, size_t window,
						  uint64_t heartbeat_ms, uint64_t resend_ms,
						  size_t max_message_bytes, link_ack_cb on_ack);
/* Whether the window has room for the events of one more row change. */
bool link_has_room(const struct link *l);
/* Whether an event at pos is already stored by assistd (skip it). */
bool link_is_applied(const struct link *l, struct pos pos);
/* Take ev (sent at the end of this loop iteration, freed once acknowledged).
 * Positions must increase. 0 or -ENOBUFS (window overrun: a caller bug). */
__attribute__((warn_unused_result)) int link_queue(struct link *l, Assist__Event *ev,
						   struct pos pos, bool streamed);
/* The stream finished the transaction committed at lsn. */
void link_commit(struct link *l, uint64_t lsn);
/* The highest commit LSN whose events assistd has all acknowledged: what the
 * replication slot may confirm. 0 while none. */
uint64_t link_done_lsn(const struct link *l);
/* Position of the last event taken, or false when the window is empty. */
bool link_last_queued(const struct link *l, struct pos *out);
/* Unacknowledged events, sent or not. */
size_t link_pending(const struct link *l);
/* Set the standing problem ("" clears it) and tell assistd at once. */
void link_set_problem(struct link *l, const char *problem);
/* Raise an alert for the transaction committing at lsn and send it at once.
 * 0 or -ENOBUFS (too many unacknowledged). */
__attribute__((warn_unused_result)) int link_alert(struct link *l, const char *code,
						   const char *message, uint64_t lsn);
/* Alerts not yet acknowledged. */
size_t link_alerts_pending(const struct link *l);
/* Stop and free everything; on_close runs once every handle is closed (the
 * ZeroMQ socket is closed then). */
void link_close(struct link *l, link_close_cb on_close);

#endif
