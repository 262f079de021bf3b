/* lib/zloop: real ZeroMQ PAIR sockets over inproc in a real libuv loop. The
 * socket under test is in the loop; its peer is driven directly. A fixture
 * timer gives up after WAIT_MS (a wait, not a timing assertion): a message
 * zloop leaves unread shows as the loop blocking until then. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>
#include <zmq.h>

#include "zloop.h"

#define WAIT_MS 10000

struct fixture {
	uv_loop_t loop;
	struct zl zl;
	struct zl_sock sock; /* in the loop */
	void *ctx;
	void *peer;          /* driven by the test */
	uv_timer_t giveup;
	uv_timer_t kick;
	int want;            /* messages to receive before closing */
	int got;
	int out_of_order;
	int after_close;     /* messages handed over once the socket was closing */
	bool closing;
	bool timed_out;
	bool sock_closed;
	bool zl_closed;
};

static void send_num(void *zs, int i)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%d", i);

	assert_int_equal(zmq_send(zs, buf, (size_t)n, 0), n);
}

static void on_sock_closed(struct zl_sock *s)
{
	struct fixture *f = s->data;

	zmq_close(s->zs);
	s->zs = NULL;
	f->sock_closed = true;
}

static void on_zl_closed(struct zl *zl)
{
	struct fixture *f = (struct fixture *)((char *)zl - offsetof(struct fixture, zl));

	f->zl_closed = true;
}

/* Close everything on the loop; uv_run returns once it is closed. */
static void fixture_stop(struct fixture *f)
{
	if (f->closing)
		return;
	f->closing = true;
	zl_sock_close(&f->sock, on_sock_closed);
	zl_close(&f->zl, on_zl_closed);
	uv_close((uv_handle_t *)&f->giveup, NULL);
	uv_close((uv_handle_t *)&f->kick, NULL);
}

static void on_giveup(uv_timer_t *t)
{
	struct fixture *f = t->data;

	f->timed_out = true;
	fixture_stop(f);
}

/* Count the messages, which the peer numbered from 0. */
static void on_msg(struct zl_sock *s, zmq_msg_t *frames, int n)
{
	struct fixture *f = s->data;
	char buf[16] = "";

	if (f->closing) {
		f->after_close++;
		return;
	}
	assert_int_equal(n, 1);
	memcpy(buf, zmq_msg_data(&frames[0]), zmq_msg_size(&frames[0]) < 15 ?
						      zmq_msg_size(&frames[0]) : 15);
	if (atoi(buf) != f->got)
		f->out_of_order++;
	f->got++;
	if (f->got == f->want)
		fixture_stop(f);
}

static void fixture_open(struct fixture *f, const char *endpoint, int want)
{
	int linger = 0;
	void *zs;

	memset(f, 0, sizeof(*f));
	f->want = want;
	assert_int_equal(uv_loop_init(&f->loop), 0);
	assert_int_equal(zl_init(&f->zl, &f->loop), 0);
	assert_non_null(f->ctx = zmq_ctx_new());
	assert_non_null(zs = zmq_socket(f->ctx, ZMQ_PAIR));
	assert_non_null(f->peer = zmq_socket(f->ctx, ZMQ_PAIR));
	zmq_setsockopt(zs, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(f->peer, ZMQ_LINGER, &linger, sizeof(linger));
	assert_int_equal(zmq_bind(zs, endpoint), 0);
	assert_int_equal(zmq_connect(f->peer, endpoint), 0);
	f->sock.zs = zs;
	assert_int_equal(uv_timer_init(&f->loop, &f->giveup), 0);
	assert_int_equal(uv_timer_init(&f->loop, &f->kick), 0);
	f->giveup.data = f->kick.data = f;
	assert_int_equal(uv_timer_start(&f->giveup, on_giveup, WAIT_MS, 0), 0);
}

/* Watch the socket (from now on its messages are read) and run the loop
 * until everything is closed. */
static void fixture_run(struct fixture *f, zl_msg_cb cb)
{
	assert_int_equal(zl_sock_start(&f->zl, &f->sock, f->sock.zs, cb), 0);
	f->sock.data = f;
	uv_run(&f->loop, UV_RUN_DEFAULT);
	assert_true(f->sock_closed);
	assert_true(f->zl_closed);
	assert_int_equal(uv_loop_close(&f->loop), 0);
}

static void fixture_close(struct fixture *f)
{
	zmq_close(f->peer);
	zmq_ctx_term(f->ctx);
}

/* Queued before the loop starts: far more than one iteration's budget, and
 * no edge on ZMQ_FD comes for them once the loop runs. */
static void test_drained_before_start(void **state)
{
	struct fixture f;

	fixture_open(&f, "inproc://zloop-before", 2000);
	for (int i = 0; i < 2000; i++)
		send_num(f.peer, i);
	fixture_run(&f, on_msg);
	assert_false(f.timed_out);
	assert_int_equal(f.got, 2000);
	assert_int_equal(f.out_of_order, 0);
	fixture_close(&f);
}

static void on_kick_burst(uv_timer_t *t)
{
	struct fixture *f = t->data;

	for (int i = 0; i < 1000; i++)
		send_num(f->peer, i);
}

/* Many messages arrive behind one wake-up of the running loop. */
static void test_burst_in_one_wakeup(void **state)
{
	struct fixture f;

	fixture_open(&f, "inproc://zloop-burst", 1000);
	assert_int_equal(uv_timer_start(&f.kick, on_kick_burst, 1, 0), 0);
	fixture_run(&f, on_msg);
	assert_false(f.timed_out);
	assert_int_equal(f.got, 1000);
	assert_int_equal(f.out_of_order, 0);
	fixture_close(&f);
}

/* Each message answered from the callback and the peer's next message sent
 * at once: it arrives while the socket sends, and the send takes the fd's
 * edge with ZeroMQ's pending commands, so only a re-read of ZMQ_EVENTS
 * before the loop blocks finds it. */
static void on_msg_reply(struct zl_sock *s, zmq_msg_t *frames, int n)
{
	struct fixture *f = s->data;
	const void *bufs[] = {"ack"};
	size_t lens[] = {3};
	char buf[8];

	on_msg(s, frames, n);
	if (f->closing)
		return;
	assert_int_equal(zl_sendv(s, bufs, lens, 1), 0);
	assert_int_equal(zmq_recv(f->peer, buf, sizeof(buf), 0), 3);
	send_num(f->peer, f->got);
}

static void on_kick_first(uv_timer_t *t)
{
	struct fixture *f = t->data;

	send_num(f->peer, 0);
}

static void test_read_after_send(void **state)
{
	struct fixture f;

	fixture_open(&f, "inproc://zloop-pong", 500);
	assert_int_equal(uv_timer_start(&f.kick, on_kick_first, 1, 0), 0);
	fixture_run(&f, on_msg_reply);
	assert_false(f.timed_out);
	assert_int_equal(f.got, 500);
	assert_int_equal(f.out_of_order, 0);
	fixture_close(&f);
}

/* Closing the socket from its own callback, with more messages queued: no
 * message is handed over after the close, and every handle closes. */
static void test_close_in_callback(void **state)
{
	struct fixture f;

	fixture_open(&f, "inproc://zloop-close", 1);
	for (int i = 0; i < 50; i++)
		send_num(f.peer, i);
	fixture_run(&f, on_msg);
	assert_false(f.timed_out);
	assert_int_equal(f.got, 1);
	assert_int_equal(f.after_close, 0);
	fixture_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drained_before_start),
		cmocka_unit_test(test_burst_in_one_wakeup),
		cmocka_unit_test(test_read_after_send),
		cmocka_unit_test(test_close_in_callback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
