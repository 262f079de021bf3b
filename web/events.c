#include "events.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "cli.h"
#include "feedfollow.h"
#include "log.h"
#include "pbjson.h"

/* A replay yields to the browser once this much is waiting. */
#define CATCHUP_BYTES (256u << 10)
/* A comment line this often keeps proxies from closing a quiet stream, and
 * finds a browser that went away (the write fails). */
#define KEEPALIVE_MS 15000
#define POLL_MS 1000
#define BLOCK_BYTES (64u << 10)

struct stream {
	struct web *w;
	struct qclient query;
	struct feedfollow follow;
	bool full_ids;
	bool catching_up; /* replay from follow.next to the end before reading live */
	char *buf;
	size_t len, off, cap;
	int64_t last_write_ms;
};

static int append(struct stream *s, const char *text, size_t n)
{
	if (s->len + n > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		char *b;
		while (cap < s->len + n)
			cap *= 2;
		if ((b = realloc(s->buf, cap)) == NULL)
			return -ENOMEM;
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, text, n);
	s->len += n;
	return 0;
}

/* One feed message as an SSE message; stop (1) a replay once enough waits. */
static int deliver(void *data, const Assist__FeedMessage *m)
{
	struct stream *s = data;
	json_t *j = pbjson_encode(&m->base, PBJSON_EMIT_DEFAULTS);
	char *text, head[96];
	int n, rc;

	if (j != NULL && !s->full_ids)
		gateway_mask_json(j);
	text = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (text == NULL)
		return 1; /* out of memory: the stream ends, the browser resumes */
	n = snprintf(head, sizeof(head), "id: %" PRIu64 "\nevent: %s\ndata: ", m->seq,
		     strncmp(m->topic, "alert/", 6) == 0 ? "alert" : "record");
	rc = append(s, head, (size_t)n) || append(s, text, strlen(text)) || append(s, "\n\n", 2);
	free(text);
	return rc != 0 || (s->catching_up && s->len >= CATCHUP_BYTES);
}

/* Fill the buffer: 0, or -1 when the stream should end. */
static int fill(struct stream *s)
{
	int rc;

	if (s->catching_up) {
		rc = feedfollow_replay(&s->follow, s->follow.next, 0);
		if (rc < 0)
			log_info("event stream: %s", s->follow.err);
		s->catching_up = rc > 0;
		return rc < 0 || (rc > 0 && s->len == 0) ? -1 : 0;
	}
	rc = qclient_wait(s->follow.sub, ZMQ_POLLIN, POLL_MS);
	if (rc > 0) {
		rc = feedfollow_read(&s->follow);
		if (rc < 0) {
			log_info("event stream: %s", s->follow.err);
			return -1;
		}
		/* Stopped with messages left: the rest come by replay. */
		s->catching_up = rc > 0;
		return rc > 0 && s->len == 0 ? -1 : 0;
	}
	if (rc == 0 && qclient_now_ms() - s->last_write_ms >= KEEPALIVE_MS)
		return append(s, ": keepalive\n\n", 13);
	return rc < 0 && rc != -EINTR ? -1 : 0;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct stream *s = cls;
	size_t n;

	while (s->off == s->len) {
		s->off = s->len = 0;
		if (atomic_load(&s->w->stopping) || fill(s) < 0)
			return MHD_CONTENT_READER_END_OF_STREAM;
	}
	n = s->len - s->off < max ? s->len - s->off : max;
	memcpy(out, s->buf + s->off, n);
	s->off += n;
	s->last_write_ms = qclient_now_ms();
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct stream *s = cls;

	if (s->follow.sub != NULL)
		zmq_close(s->follow.sub);
	qclient_close(&s->query);
	free(s->buf);
	free(s);
}

/* The sequence to resume at: after Last-Event-ID, else ?from (SEQ itself). */
static bool resume_point(struct web_request *rq, uint64_t *next)
{
	const char *last = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "Last-Event-ID");
	const char *from = gateway_arg(rq, "from");
	bool after = last != NULL && last[0] != '\0';
	uint64_t n;

	if (!cli_parse_u64(after ? last : from, &n) || n >= INT64_MAX)
		return false;
	*next = after ? n + 1 : n;
	return true;
}

static int stream_connect(struct stream *s, const char *prefix)
{
	struct web *w = s->w;

	if (qclient_open(&s->query, w->zmq, w->query_endpoint, &w->keys) < 0)
		return -1;
	s->follow.sub = qclient_socket(w->zmq, ZMQ_SUB);
	if (s->follow.sub == NULL || feedfollow_subscribe(s->follow.sub, prefix) != 0 ||
	    qclient_connect(s->follow.sub, w->feed_endpoint, &w->keys) != 0)
		return -1;
	return 0;
}

static struct stream *stream_new(struct web_request *rq)
{
	struct stream *s = calloc(1, sizeof(*s));
	const char *topic = gateway_arg(rq, "topic");
	uint64_t next;

	if (s == NULL)
		return NULL;
	s->w = rq->w;
	s->full_ids = rq->full_ids;
	s->follow = (struct feedfollow){.query = &s->query, .prefix = topic ? topic : "",
					.timeout_ms = rq->w->conf.query_timeout_ms,
					.deliver = deliver, .data = s};
	if (stream_connect(s, s->follow.prefix) < 0 || append(s, "retry: 2000\n\n", 13) < 0) {
		stream_free(s);
		return NULL;
	}
	if (resume_point(rq, &next)) {
		feedfollow_resume(&s->follow, next);
		s->catching_up = true;
	}
	s->last_write_ms = qclient_now_ms();
	return s;
}

enum MHD_Result events_open(struct web_request *rq)
{
	struct stream *s = stream_new(rq);
	struct MHD_Response *r;
	enum MHD_Result rc;

	if (s == NULL)
		return gateway_error(rq, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "cannot follow the feed at %s", rq->w->feed_endpoint);
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, BLOCK_BYTES, stream_read, s,
					      stream_free);
	if (r == NULL) {
		stream_free(s);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "text/event-stream");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Accel-Buffering", "no");
	rc = MHD_queue_response(rq->conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return rc;
}
