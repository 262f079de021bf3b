/* The blocking query client (qclient.h). */
#include "qclient.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <zmq.h>

#include "curve.h"

int64_t qclient_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int set_int(void *sock, int opt, int value)
{
	return zmq_setsockopt(sock, opt, &value, sizeof(value));
}

void *qclient_socket(void *ctx, int type)
{
	void *sock = zmq_socket(ctx, type);
	int64_t max = QCLIENT_MAX_MSG;

	if (sock == NULL)
		return NULL;
	if (set_int(sock, ZMQ_LINGER, 0) != 0 ||
	    zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &max, sizeof(max)) != 0 ||
	    (type == ZMQ_DEALER && set_int(sock, ZMQ_IMMEDIATE, 1) != 0)) {
		int err = errno;
		zmq_close(sock);
		errno = err;
		return NULL;
	}
	return sock;
}

int qclient_connect(void *sock, const char *endpoint, const struct qclient_keys *keys)
{
	if (keys != NULL && curve_endpoint_networked(endpoint) &&
	    (keys->server[0] || keys->public[0] || keys->secret[0]) &&
	    curve_client_setup(sock, keys->server, keys->public, keys->secret) < 0) {
		errno = EINVAL;
		return -1;
	}
	return zmq_connect(sock, endpoint);
}

int qclient_open(struct qclient *c, void *ctx, const char *endpoint,
		 const struct qclient_keys *keys)
{
	c->next_id = 1;
	snprintf(c->endpoint, sizeof(c->endpoint), "%s", endpoint);
	c->sock = qclient_socket(ctx, ZMQ_DEALER);
	if (c->sock == NULL || qclient_connect(c->sock, endpoint, keys) != 0) {
		int err = errno;
		if (c->sock != NULL)
			zmq_close(c->sock);
		c->sock = NULL;
		return -err;
	}
	return 0;
}

void qclient_close(struct qclient *c)
{
	if (c->sock != NULL)
		zmq_close(c->sock);
	c->sock = NULL;
}

int qclient_send(struct qclient *c, const Assist__Request *req)
{
	size_t len = assist__request__get_packed_size(req);
	uint8_t *buf = malloc(len ? len : 1);
	int rc = 0;

	if (buf == NULL)
		return -ENOMEM;
	assist__request__pack(req, buf);
	if (zmq_send(c->sock, buf, len, ZMQ_DONTWAIT) < 0)
		rc = -errno;
	free(buf);
	return rc;
}

/* The payload is the last frame (a ROUTER peer may put others before it). */
int qclient_recv(struct qclient *c, Assist__Reply **out)
{
	zmq_msg_t msg;
	int rc = -EAGAIN;

	zmq_msg_init(&msg);
	for (;;) {
		if (zmq_msg_recv(&msg, c->sock, ZMQ_DONTWAIT) < 0) {
			rc = -errno;
			break;
		}
		if (!zmq_msg_more(&msg)) {
			*out = assist__reply__unpack(NULL, zmq_msg_size(&msg), zmq_msg_data(&msg));
			rc = *out != NULL ? 0 : -EBADMSG;
			break;
		}
	}
	zmq_msg_close(&msg);
	return rc;
}

int qclient_wait(void *sock, short events, int64_t timeout_ms)
{
	zmq_pollitem_t item = { .socket = sock, .events = events };
	int rc = zmq_poll(&item, 1, timeout_ms < 0 ? 0 : (long)timeout_ms);

	if (rc < 0)
		return -errno;
	return rc;
}

int qclient_put(struct qclient *c, Assist__Request *req, int64_t deadline)
{
	int rc;

	req->request_id = c->next_id++;
	for (;;) {
		rc = qclient_send(c, req);
		if (rc != -EAGAIN)
			return rc;
		rc = qclient_wait(c->sock, ZMQ_POLLOUT, deadline - qclient_now_ms());
		if (rc < 0)
			return rc;
		if (rc == 0 && qclient_now_ms() >= deadline)
			return -ETIMEDOUT;
	}
}

int qclient_call(struct qclient *c, Assist__Request *req, int64_t timeout_ms,
		 Assist__Reply **out)
{
	int64_t deadline = qclient_now_ms() + timeout_ms;
	int rc = qclient_put(c, req, deadline);

	if (rc < 0)
		return rc;
	for (;;) {
		rc = qclient_wait(c->sock, ZMQ_POLLIN, deadline - qclient_now_ms());
		if (rc < 0)
			return rc;
		if (rc == 0)
			return -ETIMEDOUT;
		while ((rc = qclient_recv(c, out)) == 0 || rc == -EBADMSG) {
			if (rc == 0 && (*out)->request_id == req->request_id)
				return 0;
			if (rc == 0)
				assist__reply__free_unpacked(*out, NULL);
		}
	}
}
