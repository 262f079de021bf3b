/* The feed's heartbeat against a real assistd: a subscriber that joins late
 * or loses the tail learns the last committed sequence from it, and
 * `assistctl watch --from` prints every record exactly once across an
 * assistd restart (what is published while its SUB is reconnecting is lost
 * to it, and nothing may follow). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "assist.pb-c.h"
#include "fixture.h"

static struct fixture fx;
static int next_person = 1;
static uint64_t next_seq = 1;

static int setup(void **state)
{
	if (fixture_setup(&fx, "feed", NULL) < 0 || fixture_assistd_start(&fx) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	fixture_teardown(&fx);
	return 0;
}

/* Push n new persons (one record each) as civil_affairs. */
static void push_persons(int n)
{
	size_t cap = (size_t)n * 200 + 1, len = 0;
	char *buf = malloc(cap), id[19], name[32];

	assert_non_null(buf);
	for (int i = 0; i < n; i++) {
		fixture_id(id, "420704", "19900101", next_person);
		snprintf(name, sizeof(name), "feed-%d", next_person++);
		len += (size_t)snprintf(buf + len, cap - len,
					"{\"source\":\"civil_affairs\",\"seq\":%llu,\"kind\":\"person\","
					"\"person\":{\"id_number\":\"%s\",\"name\":\"%s\"}}\n",
					(unsigned long long)next_seq++, id, name);
	}
	assert_int_equal(fixture_push(&fx, "persons.jsonl", buf, NULL), 0);
	free(buf);
}

static long long feed_seq(void)
{
	json_t *st = fixture_status(&fx);
	long long seq;

	assert_non_null(st);
	seq = fixture_int(st, "feed_seq");
	json_decref(st);
	return seq;
}

/* One replay request on the query endpoint, and its reply. */
static Assist__ReplayReply *replay(void *ctx, uint64_t from, const char *prefix, uint32_t limit,
				   Assist__Reply **reply)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__ReplayRequest rr = ASSIST__REPLAY_REQUEST__INIT;
	void *s = zmq_socket(ctx, ZMQ_DEALER);
	int timeout = 30000, zero = 0;
	char ep[400];
	uint8_t buf[256], *in;
	zmq_msg_t m;
	size_t len;

	assert_non_null(s);
	snprintf(ep, sizeof(ep), "ipc://%s/query.sock", fx.dir);
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof(timeout));
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	assert_int_equal(zmq_connect(s, ep), 0);
	req.request_id = from;
	req.body_case = ASSIST__REQUEST__BODY_REPLAY;
	req.replay = &rr;
	rr.from_seq = from;
	rr.topic_prefix = (char *)prefix;
	rr.limit = limit;
	len = assist__request__get_packed_size(&req);
	assert_true(len <= sizeof(buf));
	assist__request__pack(&req, buf);
	assert_int_equal(zmq_send(s, buf, len, 0), (int)len);
	zmq_msg_init(&m);
	assert_true(zmq_msg_recv(&m, s, 0) >= 0);
	in = zmq_msg_data(&m);
	*reply = assist__reply__unpack(NULL, zmq_msg_size(&m), in);
	zmq_msg_close(&m);
	zmq_close(s);
	assert_non_null(*reply);
	assert_int_equal((*reply)->body_case, ASSIST__REPLY__BODY_REPLAY);
	return (*reply)->replay;
}

/* Replay from from with prefix in pages of limit until no more: the
 * sequences received, in order, into seqs (at most cap); their number. */
static size_t replay_all(void *ctx, uint64_t from, const char *prefix, uint32_t limit,
			 uint64_t *seqs, size_t cap)
{
	size_t n = 0;
	bool more = true;

	while (more) {
		Assist__Reply *reply;
		Assist__ReplayReply *rr = replay(ctx, from, prefix, limit, &reply);

		assert_true(rr->n_messages <= limit);
		for (size_t i = 0; i < rr->n_messages; i++) {
			assert_true(n < cap);
			assert_true(rr->messages[i]->seq >= from);
			assert_true(strncmp(rr->messages[i]->topic, prefix, strlen(prefix)) == 0);
			seqs[n++] = rr->messages[i]->seq;
		}
		more = rr->more;
		assert_true(rr->next_seq > from || !more);
		from = rr->next_seq;
		assist__reply__free_unpacked(reply, NULL);
	}
	return n;
}

/* Records are stored a page a batch and alerts a row each; a replay in
 * small pages from anywhere gives every message once, in order, and a
 * prefix gives those of its topics only. */
static void test_replay_in_pages(void **state)
{
	void *ctx = zmq_ctx_new();
	uint64_t first = (uint64_t)feed_seq() + 1, last, seqs[64];
	char id[19], line[256], *err = NULL, *pages;
	size_t n;

	push_persons(5);
	fixture_id(id, "420704", "19900101", next_person++);
	snprintf(line, sizeof(line), "{\"source\":\"finance\",\"seq\":1,\"kind\":\"person\","
		 "\"person\":{\"id_number\":\"%s\",\"name\":\"X\"}}\n", id);
	assert_int_equal(fixture_push(&fx, "by-finance.jsonl", line, &err), 1);
	free(err);
	push_persons(3);
	last = (uint64_t)feed_seq();
	assert_int_equal(last - first + 1, 9); /* 8 records and the alert */
	pages = fixture_sql(&fx, "SELECT count(*) FROM feed_page");
	assert_non_null(pages);
	assert_true(atoi(pages) >= 2);
	free(pages);

	for (uint32_t limit = 1; limit <= 4; limit++) {
		n = replay_all(ctx, first, "", limit, seqs, 64);
		assert_int_equal(n, 9);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(seqs[i], first + i);
		n = replay_all(ctx, first + 2, "record/", limit, seqs, 64);
		assert_int_equal(n, 6);
		for (size_t i = 1; i < n; i++)
			assert_true(seqs[i] > seqs[i - 1]);
		n = replay_all(ctx, first, "alert/not_authorized/", limit, seqs, 64);
		assert_int_equal(n, 1);
		assert_int_equal(seqs[0], first + 5);
		assert_int_equal(replay_all(ctx, first, "record/x", limit, seqs, 64), 0);
	}
	zmq_ctx_term(ctx);
}

/* A SUB on assistd's feed, subscribed to prefix. */
static void *subscribe(void *ctx, const char *prefix)
{
	char ep[400];
	void *sub = zmq_socket(ctx, ZMQ_SUB);
	int zero = 0;

	assert_non_null(sub);
	snprintf(ep, sizeof(ep), "ipc://%s/feed.sock", fx.dir);
	assert_int_equal(zmq_setsockopt(sub, ZMQ_LINGER, &zero, sizeof(zero)), 0);
	assert_int_equal(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, prefix, strlen(prefix)), 0);
	assert_int_equal(zmq_connect(sub, ep), 0);
	return sub;
}

/* The next heartbeat on sub within 10 s (records before it skipped). */
static Assist__FeedMessage *next_heartbeat(void *sub)
{
	time_t deadline = time(NULL) + 10;

	while (time(NULL) < deadline) {
		zmq_pollitem_t item = { .socket = sub, .events = ZMQ_POLLIN };
		char topic[128];
		uint8_t body[1 << 16];
		int tn, bn;

		if (zmq_poll(&item, 1, 500) <= 0)
			continue;
		tn = zmq_recv(sub, topic, sizeof(topic) - 1, 0);
		assert_true(tn >= 0);
		topic[tn < (int)sizeof(topic) ? tn : (int)sizeof(topic) - 1] = '\0';
		bn = zmq_recv(sub, body, sizeof(body), 0);
		assert_true(bn >= 0);
		if (strcmp(topic, "heartbeat") == 0)
			return assist__feed_message__unpack(NULL, (size_t)bn, body);
	}
	fail_msg("no heartbeat on the feed within 10 s");
	return NULL;
}

/* A subscriber that joins after the records were published sees none of
 * them, but the heartbeat names the last committed sequence. */
static void test_heartbeat_carries_last_committed(void **state)
{
	void *ctx = zmq_ctx_new(), *sub;
	Assist__FeedMessage *hb;
	long long last;

	push_persons(5);
	last = feed_seq();
	assert_true(last >= 5);
	sub = subscribe(ctx, "");
	hb = next_heartbeat(sub);
	assert_non_null(hb);
	assert_string_equal(hb->topic, "heartbeat");
	assert_int_equal(hb->seq, 0);
	assert_null(hb->record);
	assert_null(hb->alert);
	assert_int_equal(hb->latest_seq, last);
	assist__feed_message__free_unpacked(hb, NULL);
	/* It follows the feed: three more records, and it says so. */
	push_persons(3);
	assert_int_equal(feed_seq(), last + 3);
	for (;;) {
		/* Heartbeats sent before the push may still be queued. */
		uint64_t latest;
		hb = next_heartbeat(sub);
		assert_non_null(hb);
		latest = hb->latest_seq;
		assist__feed_message__free_unpacked(hb, NULL);
		assert_true(latest == (uint64_t)last || latest == (uint64_t)last + 3);
		if (latest == (uint64_t)last + 3)
			break;
	}
	zmq_close(sub);
	zmq_ctx_term(ctx);
}

/* Wait up to 60 s for pid; its exit status, or -1 (killed) on timeout. */
static int wait_for(pid_t pid)
{
	for (int i = 0; i < 600; i++) {
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		usleep(100 * 1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

/* watch --from: records pushed while it runs, across an assistd restart
 * (the last ones published before its SUB is back), each printed once. */
static void test_watch_every_record_once(void **state)
{
	long long first = feed_seq() + 1;
	char from[32], count[32], *out, *line, path[400];
	const char *argv[] = {"assistctl", "-c", fx.conf, "watch", "--from", from,
			      "--count", count, NULL};
	pid_t watch;

	snprintf(from, sizeof(from), "%lld", first);
	snprintf(count, sizeof(count), "%d", 20);
	watch = fixture_spawn(&fx, argv);
	assert_true(watch > 0);
	push_persons(10);
	assert_int_equal(fixture_assistd_stop(&fx, SIGTERM), 0);
	assert_int_equal(fixture_assistd_start(&fx), 0);
	push_persons(10);
	assert_int_equal(feed_seq(), first + 19);
	assert_int_equal(wait_for(watch), 0);
	snprintf(path, sizeof(path), "assistctl.out");
	out = fixture_read(&fx, path);
	line = out;
	for (long long seq = first; seq < first + 20; seq++) {
		char want[48];
		char *nl = strchr(line, '\n');
		assert_non_null(nl);
		*nl = '\0';
		snprintf(want, sizeof(want), "{\"seq\":%lld,", seq);
		assert_true(strncmp(line, want, strlen(want)) == 0);
		line = nl + 1;
	}
	assert_string_equal(line, "");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_in_pages),
		cmocka_unit_test(test_heartbeat_carries_last_committed),
		cmocka_unit_test(test_watch_every_record_once),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
