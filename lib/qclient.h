/* A blocking client of assistd's query endpoint (a DEALER socket), for the
 * programs that are not event loops: assistctl and assist-web's connection
 * threads. A reply is matched to its request by request_id; replies to
 * earlier requests that timed out are skipped. One qclient per thread (a
 * ZeroMQ socket is not thread-safe; the context is). */
#ifndef ASSIST_QCLIENT_H
#define ASSIST_QCLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "assist.pb-c.h"

/* The largest message a client takes (a dump or replay page fits). */
#define QCLIENT_MAX_MSG ((int64_t)64 << 20)

/* CURVE keys of a client, Z85 text; all empty: plaintext (ipc://, or a
 * daemon with allow_plain_tcp). */
struct qclient_keys {
	char server[128];
	char public[128];
	char secret[128];
};

struct qclient {
	void *sock;
	uint64_t next_id;
	char endpoint[512];
};

/* Milliseconds on the monotonic clock (for deadlines). */
int64_t qclient_now_ms(void);
/* A socket of type with the options every client socket has (no linger, the
 * size limit, DEALERs queue only to a connected peer), or NULL (errno). */
void *qclient_socket(void *ctx, int type);
/* Connect sock to endpoint, over CURVE with keys when it is networked and
 * keys are given (keys may be NULL). 0, or -1 with errno (EINVAL: bad keys). */
int qclient_connect(void *sock, const char *endpoint, const struct qclient_keys *keys);
/* Open c on endpoint: 0 or -errno. */
__attribute__((warn_unused_result)) int qclient_open(struct qclient *c, void *ctx,
						     const char *endpoint,
						     const struct qclient_keys *keys);
/* Close c's socket (nothing when not open). */
void qclient_close(struct qclient *c);
/* Pack and send req without blocking: 0, -EAGAIN (no peer yet) or -errno. */
int qclient_send(struct qclient *c, const Assist__Request *req);
/* Receive one reply if one is queued: 0 and *out, -EAGAIN, or -EBADMSG for a
 * reply that does not unpack (skipped). */
int qclient_recv(struct qclient *c, Assist__Reply **out);
/* Wait up to timeout_ms for events on sock: >0 ready, 0 timeout, -errno. */
int qclient_wait(void *sock, short events, int64_t timeout_ms);
/* Send req with a fresh request_id, waiting for a peer until deadline (on
 * qclient_now_ms's clock): 0, -ETIMEDOUT, -EINTR or -errno. */
int qclient_put(struct qclient *c, Assist__Request *req, int64_t deadline);
/* Send req (a fresh request_id) and wait for its reply: 0 and *out (free it
 * with assist__reply__free_unpacked), -ETIMEDOUT, -EINTR or -errno. */
int qclient_call(struct qclient *c, Assist__Request *req, int64_t timeout_ms,
		 Assist__Reply **out);

#endif
