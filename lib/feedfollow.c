/* Following the feed (feedfollow.h). */
#include "feedfollow.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <zmq.h>

#define REPLAY_PAGE 500

int feedfollow_subscribe(void *sub, const char *prefix)
{
	if (zmq_setsockopt(sub, ZMQ_SUBSCRIBE, prefix, strlen(prefix)) != 0)
		return -1;
	if (prefix[0] != '\0' && zmq_setsockopt(sub, ZMQ_SUBSCRIBE, FEEDFOLLOW_HEARTBEAT,
						strlen(FEEDFOLLOW_HEARTBEAT)) != 0)
		return -1;
	return 0;
}

void feedfollow_resume(struct feedfollow *f, uint64_t next)
{
	f->have_next = true;
	f->next = next;
}

/* Deliver m unless it was delivered already. */
static int deliver(struct feedfollow *f, const Assist__FeedMessage *m)
{
	if (f->have_next && m->seq < f->next)
		return 0;
	f->have_next = true;
	f->next = m->seq + 1;
	return f->deliver(f->data, m);
}

/* The whole of [.., stop) is delivered: nothing before stop is missing. */
static void covered(struct feedfollow *f, uint64_t stop)
{
	if (!f->have_next || stop > f->next)
		f->next = stop;
	f->have_next = true;
}

/* One replay page from from: 0 and *out, or -errno with f->err set. */
static int replay_page(struct feedfollow *f, uint64_t from, Assist__Reply **out)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__ReplayRequest rr = ASSIST__REPLAY_REQUEST__INIT;
	int rc;

	req.body_case = ASSIST__REQUEST__BODY_REPLAY;
	req.replay = &rr;
	rr.topic_prefix = (char *)f->prefix;
	rr.limit = REPLAY_PAGE;
	rr.from_seq = from;
	rc = qclient_call(f->query, &req, f->timeout_ms, out);
	if (rc < 0) {
		snprintf(f->err, sizeof(f->err), "cannot reach assistd at %s: %s",
			 f->query->endpoint, rc == -ETIMEDOUT ? "no answer" : zmq_strerror(-rc));
		return rc;
	}
	if ((*out)->body_case != ASSIST__REPLY__BODY_REPLAY) {
		snprintf(f->err, sizeof(f->err), "replay from %" PRIu64 " refused: %s", from,
			 (*out)->body_case == ASSIST__REPLY__BODY_ERROR ? (*out)->error->message :
									   "unexpected reply");
		assist__reply__free_unpacked(*out, NULL);
		return -EPROTO;
	}
	return 0;
}

int feedfollow_replay(struct feedfollow *f, uint64_t from, uint64_t stop)
{
	if (f->query == NULL) {
		snprintf(f->err, sizeof(f->err), "no query endpoint to replay the feed from");
		return -ENOTCONN;
	}
	for (;;) {
		const Assist__ReplayReply *page;
		Assist__Reply *reply;
		bool more;
		int rc = replay_page(f, from, &reply);

		if (rc < 0)
			return rc;
		page = reply->replay;
		for (size_t i = 0; i < page->n_messages && rc == 0; i++) {
			if (stop == 0 || page->messages[i]->seq < stop)
				rc = deliver(f, page->messages[i]);
		}
		more = page->more && page->next_seq > from && (stop == 0 || page->next_seq < stop);
		from = page->next_seq;
		assist__reply__free_unpacked(reply, NULL);
		if (rc == 0 && !more)
			covered(f, stop != 0 ? stop : from);
		if (rc != 0 || !more)
			return rc;
	}
}

/* Records up to latest were committed: replay those not seen (the PUB
 * dropped them) before going on. */
static int on_heartbeat(struct feedfollow *f, uint64_t latest)
{
	if (!f->have_next) {
		covered(f, latest + 1); /* live only: start from what comes next */
		return 0;
	}
	if (latest < f->next || f->query == NULL)
		return 0;
	return feedfollow_replay(f, f->next, latest + 1);
}

/* One two-frame message from the SUB socket, or NULL (none, or not ours). */
static Assist__FeedMessage *read_message(struct feedfollow *f, bool *empty)
{
	zmq_msg_t frames[2];
	int n = 0, more = 1;
	Assist__FeedMessage *m;

	*empty = false;
	while (more) {
		zmq_msg_t part;
		zmq_msg_init(&part);
		if (zmq_msg_recv(&part, f->sub, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&part);
			*empty = n == 0;
			break;
		}
		more = zmq_msg_more(&part);
		if (n < 2)
			frames[n++] = part;
		else
			zmq_msg_close(&part);
	}
	m = n == 2 ? assist__feed_message__unpack(NULL, zmq_msg_size(&frames[1]),
						  zmq_msg_data(&frames[1])) : NULL;
	for (int i = 0; i < n; i++)
		zmq_msg_close(&frames[i]);
	return m;
}

int feedfollow_read(struct feedfollow *f)
{
	int rc = 0;

	while (rc == 0) {
		bool empty;
		Assist__FeedMessage *m = read_message(f, &empty);

		if (empty)
			return 0;
		if (m == NULL)
			continue;
		if (strcmp(m->topic, FEEDFOLLOW_HEARTBEAT) == 0) {
			rc = on_heartbeat(f, m->latest_seq);
		} else {
			if (f->have_next && m->seq > f->next && f->query != NULL)
				rc = feedfollow_replay(f, f->next, m->seq);
			if (rc == 0)
				rc = deliver(f, m);
		}
		assist__feed_message__free_unpacked(m, NULL);
	}
	return rc;
}
