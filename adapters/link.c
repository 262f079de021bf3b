#include "link.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "curve.h"
#include "log.h"
#include "mapping.h"

#define LINK_BATCH_MAX 256
#define LINK_TICK_MS 100
#define LINK_MAX_MSG (16 * 1024 * 1024)
/* Bytes a batch adds around its events (request id, source, prev) and each
 * event adds (its tag and length), generously. */
#define LINK_BATCH_OVERHEAD 256
#define LINK_EVENT_OVERHEAD 16

static struct link_slot *link_at(const struct link *l, size_t i)
{
	return &l->ring[(l->head + i) % l->cap];
}

static uint64_t link_now(const struct link *l)
{
	return uv_now(l->timer.loop);
}

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int link_send(struct link *l, Assist__Request *req)
{
	size_t len = assist__request__get_packed_size(req);
	uint8_t *buf = malloc(len ? len : 1);
	const void *bufs[1];
	int rc;

	if (buf == NULL)
		return -ENOMEM;
	assist__request__pack(req, buf);
	bufs[0] = buf;
	rc = zl_sendv(&l->sock, bufs, &len, 1);
	free(buf);
	return rc;
}

static void link_heartbeat(struct link *l)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__Heartbeat hb = ASSIST__HEARTBEAT__INIT;
	Assist__SourceAlert alerts[LINK_ALERTS_MAX];
	Assist__SourceAlert *ptrs[LINK_ALERTS_MAX];
	uint64_t id = l->next_request_id;

	hb.source = l->source;
	hb.sent_at_ms = wall_ms();
	hb.problem = l->problem;
	for (size_t i = 0; i < l->nalerts; i++) {
		assist__source_alert__init(&alerts[i]);
		alerts[i].code = l->alerts[i].code;
		alerts[i].message = l->alerts[i].message;
		ptrs[i] = &alerts[i];
	}
	hb.n_alerts = l->nalerts;
	hb.alerts = ptrs;
	req.request_id = id;
	req.body_case = ASSIST__REQUEST__BODY_HEARTBEAT;
	req.heartbeat = &hb;
	if (link_send(l, &req) < 0)
		return;
	l->next_request_id++;
	l->last_heartbeat_ms = link_now(l);
	for (size_t i = 0; i < l->nalerts; i++) {
		if (l->alerts[i].first_beat == 0)
			l->alerts[i].first_beat = id;
	}
	if (l->nalerts > 0)
		l->alert_beat = id;
	if (l->problem_beat == 0)
		l->problem_beat = id;
}

/* The Ack of request_id came: drop the alerts a heartbeat carrying them got
 * through with (only the latest such heartbeat is tracked). */
static void link_beat_acked(struct link *l, uint64_t request_id)
{
	size_t kept = 0;

	if (request_id == l->problem_beat)
		l->problem_acked = true;
	if (l->nalerts == 0 || request_id != l->alert_beat)
		return;
	for (size_t i = 0; i < l->nalerts; i++) {
		if (l->alerts[i].first_beat == 0 || l->alerts[i].first_beat > request_id)
			l->alerts[kept++] = l->alerts[i];
	}
	l->nalerts = kept;
}

/* Send one batch of the unsent events; false when there is none or the
 * socket cannot take it now (not connected: retried on the next tick). */
static bool link_send_batch(struct link *l)
{
	Assist__Event *events[LINK_BATCH_MAX];
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__Batch batch = ASSIST__BATCH__INIT;
	Assist__Position prev = ASSIST__POSITION__INIT;
	size_t n = 0, bytes = LINK_BATCH_OVERHEAD;
	int rc;

	while (l->sent + n < l->count && n < LINK_BATCH_MAX) {
		Assist__Event *ev = link_at(l, l->sent + n)->ev;
		size_t size = assist__event__get_packed_size(ev) + LINK_EVENT_OVERHEAD;
		if (n > 0 && bytes + size > l->max_message_bytes)
			break;
		bytes += size;
		events[n++] = ev;
	}
	if (n == 0)
		return false;
	batch.source = l->source;
	if (l->have_prev) {
		prev.major = l->prev.major;
		prev.minor = l->prev.minor;
		batch.prev = &prev;
	}
	batch.n_events = n;
	batch.events = events;
	req.request_id = l->next_request_id;
	req.body_case = ASSIST__REQUEST__BODY_BATCH;
	req.batch = &batch;
	if ((rc = link_send(l, &req)) < 0) {
		if (rc != -EAGAIN)
			log_warn("link: send: %s", zmq_strerror(-rc));
		return false;
	}
	l->next_request_id++;
	if (l->sent == 0)
		l->progress_ms = link_now(l);
	l->sent += n;
	l->prev = link_at(l, l->sent - 1)->pos;
	l->have_prev = true;
	return true;
}

static void link_flush(struct link *l)
{
	while (link_send_batch(l))
		;
}

/* Send again everything after pos (all when have is false). */
static void link_rewind(struct link *l, bool have, struct pos pos)
{
	size_t keep = 0;

	if (have) {
		while (keep < l->sent && pos_cmp(link_at(l, keep)->pos, pos) <= 0)
			keep++;
	}
	l->sent = keep;
	l->have_prev = have;
	l->prev = pos;
	l->rewind_request_id = l->next_request_id;
	l->progress_ms = link_now(l);
}

static void link_drop_applied(struct link *l)
{
	uint64_t dropped_major = 0;
	bool dropped_streamed = false;

	while (l->count > 0 && pos_cmp(link_at(l, 0)->pos, l->applied) <= 0) {
		struct link_slot *s = link_at(l, 0);
		if (s->streamed) {
			dropped_major = s->pos.major;
			dropped_streamed = true;
		}
		protobuf_c_message_free_unpacked(&s->ev->base, NULL);
		s->ev = NULL;
		l->head = (l->head + 1) % l->cap;
		l->count--;
		if (l->sent > 0)
			l->sent--;
	}
	/* A transaction is done when none of its events is left: all of it when
	 * the window is empty, else those before the oldest event still held. */
	if (l->count == 0) {
		if (l->last_commit > l->done_lsn)
			l->done_lsn = l->last_commit;
	} else if (dropped_streamed && dropped_major < link_at(l, 0)->pos.major &&
		   dropped_major > l->done_lsn) {
		l->done_lsn = dropped_major;
	}
}

static struct pos pos_of(const Assist__Position *p)
{
	return p == NULL ? (struct pos){0, 0} : (struct pos){p->major, p->minor};
}

static void link_on_ack(struct link *l, uint64_t request_id, const Assist__Ack *ack)
{
	struct pos applied = pos_of(ack->applied);

	link_beat_acked(l, request_id);
	for (size_t i = 0; i < ack->n_rejections; i++) {
		const Assist__Rejection *rj = ack->rejections[i];
		struct pos p = pos_of(rj->position);
		log_warn("link: assistd rejected %llu/%llu: %s%s%s", (unsigned long long)p.major,
			 (unsigned long long)p.minor, rj->reason, rj->field[0] ? " field " : "",
			 rj->field);
	}
	if (!l->have_applied || pos_cmp(applied, l->applied) > 0) {
		l->applied = applied;
		l->have_applied = true;
		l->progress_ms = link_now(l);
	}
	link_drop_applied(l);
	if (ack->gap && request_id >= l->rewind_request_id) {
		struct pos expected = pos_of(ack->expected);
		log_info("link: gap, assistd expects after %llu/%llu",
			 (unsigned long long)expected.major, (unsigned long long)expected.minor);
		link_rewind(l, ack->expected != NULL, expected);
	}
	if (l->on_ack != NULL)
		l->on_ack(l, l->applied);
	link_flush(l);
}

static void link_on_msg(struct zl_sock *s, zmq_msg_t *frames, int nframes)
{
	struct link *l = s->data;
	Assist__Reply *reply;

	if (nframes != 1) {
		log_warn("link: dropped a reply of %d frames", nframes);
		return;
	}
	reply = assist__reply__unpack(NULL, zmq_msg_size(&frames[0]), zmq_msg_data(&frames[0]));
	if (reply == NULL) {
		log_warn("link: dropped an undecodable reply");
		return;
	}
	if (reply->body_case == ASSIST__REPLY__BODY_ACK)
		link_on_ack(l, reply->request_id, reply->ack);
	else if (reply->body_case == ASSIST__REPLY__BODY_ERROR)
		log_warn("link: assistd: %s (%d)", reply->error->message, reply->error->code);
	else
		log_warn("link: unexpected reply %d", reply->body_case);
	assist__reply__free_unpacked(reply, NULL);
}

static void link_on_tick(uv_timer_t *t)
{
	struct link *l = t->data;
	uint64_t now = link_now(l);

	if (l->last_heartbeat_ms == 0 || now - l->last_heartbeat_ms >= l->heartbeat_ms)
		link_heartbeat(l);
	if (l->sent > 0 && now - l->progress_ms >= l->resend_ms) {
		log_info("link: no progress for %llu ms, resending %zu events",
			 (unsigned long long)(now - l->progress_ms), l->count);
		link_rewind(l, l->have_applied, l->applied);
	}
	link_flush(l);
}

static void link_on_check(uv_check_t *c)
{
	link_flush(c->data);
}

static int set_int(void *zs, int opt, int value)
{
	return zmq_setsockopt(zs, opt, &value, sizeof(value)) == 0 ? 0 : -errno;
}

int link_init(struct link *l, struct zl *zl, void *zctx, const char *endpoint,
	      const struct link_keys *keys, const char *source, size_t window,
	      uint64_t heartbeat_ms, uint64_t resend_ms, size_t max_message_bytes,
	      link_ack_cb on_ack)
{
	bool curve = keys->server[0] != '\0' && curve_endpoint_networked(endpoint);
	int64_t maxmsg = LINK_MAX_MSG;
	void *zs;
	int rc;

	*l = (struct link){.window = window, .heartbeat_ms = heartbeat_ms,
			   .resend_ms = resend_ms, .max_message_bytes = max_message_bytes,
			   .on_ack = on_ack, .next_request_id = 1};
	l->cap = window + MAPPING_MAX_EVENTS;
	if ((l->source = strdup(source)) == NULL ||
	    (l->ring = calloc(l->cap, sizeof(*l->ring))) == NULL) {
		free(l->source);
		return -ENOMEM;
	}
	if ((zs = zmq_socket(zctx, ZMQ_DEALER)) == NULL) {
		rc = -errno;
		goto fail;
	}
	if ((rc = set_int(zs, ZMQ_IMMEDIATE, 1)) < 0 || (rc = set_int(zs, ZMQ_LINGER, 0)) < 0 ||
	    (zmq_setsockopt(zs, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)) != 0 && (rc = -errno)) ||
	    (curve && (rc = curve_client_setup(zs, keys->server, keys->public_key,
					       keys->secret)) < 0) ||
	    (zmq_connect(zs, endpoint) != 0 && (rc = -errno)) ||
	    (rc = zl_sock_start(zl, &l->sock, zs, link_on_msg)) < 0) {
		zmq_close(zs);
		goto fail;
	}
	l->sock.data = l;
	l->open_handles = 1;
	uv_timer_init(zl->loop, &l->timer);
	uv_check_init(zl->loop, &l->check);
	l->open_handles += 2;
	l->timer.data = l->check.data = l;
	uv_timer_start(&l->timer, link_on_tick, 0, LINK_TICK_MS);
	uv_check_start(&l->check, link_on_check);
	return 0;
fail:
	free(l->ring);
	free(l->source);
	return rc;
}

bool link_has_room(const struct link *l)
{
	return l->count < l->window;
}

bool link_is_applied(const struct link *l, struct pos pos)
{
	return l->have_applied && pos_cmp(pos, l->applied) <= 0;
}

int link_queue(struct link *l, Assist__Event *ev, struct pos pos, bool streamed)
{
	if (l->count == l->cap)
		return -ENOBUFS;
	*link_at(l, l->count) = (struct link_slot){.ev = ev, .pos = pos, .streamed = streamed};
	l->count++;
	return 0;
}

void link_commit(struct link *l, uint64_t lsn)
{
	l->last_commit = lsn;
	if (l->count == 0 && lsn > l->done_lsn)
		l->done_lsn = lsn;
}

uint64_t link_done_lsn(const struct link *l)
{
	uint64_t done = l->done_lsn;

	/* Below a transaction whose alert is not through: it is streamed again
	 * after a crash (the server resends commits at or above the slot's). */
	for (size_t i = 0; i < l->nalerts; i++) {
		if (l->alerts[i].lsn <= done)
			done = l->alerts[i].lsn - 1;
	}
	return done;
}

void link_set_problem(struct link *l, const char *problem)
{
	if (strcmp(problem, l->problem) == 0)
		return;
	snprintf(l->problem, sizeof(l->problem), "%s", problem);
	l->problem_beat = 0;
	l->problem_acked = false;
	link_heartbeat(l);
}

int link_alert(struct link *l, const char *code, const char *message, uint64_t lsn)
{
	struct link_alert *a;

	if (l->nalerts == LINK_ALERTS_MAX)
		return -ENOBUFS;
	a = &l->alerts[l->nalerts++];
	*a = (struct link_alert){.lsn = lsn};
	snprintf(a->code, sizeof(a->code), "%s", code);
	snprintf(a->message, sizeof(a->message), "%s", message);
	link_heartbeat(l);
	return 0;
}

size_t link_alerts_pending(const struct link *l)
{
	return l->nalerts;
}

bool link_last_queued(const struct link *l, struct pos *out)
{
	if (l->count == 0)
		return false;
	*out = link_at(l, l->count - 1)->pos;
	return true;
}

size_t link_pending(const struct link *l)
{
	return l->count;
}

static void link_on_handle_closed(struct link *l)
{
	if (--l->open_handles > 0)
		return;
	while (l->count > 0) {
		protobuf_c_message_free_unpacked(&link_at(l, 0)->ev->base, NULL);
		l->head = (l->head + 1) % l->cap;
		l->count--;
	}
	free(l->ring);
	free(l->source);
	l->ring = NULL;
	l->source = NULL;
	if (l->on_close != NULL)
		l->on_close(l);
}

static void link_on_sock_closed(struct zl_sock *s)
{
	zmq_close(s->zs);
	link_on_handle_closed(s->data);
}

static void link_on_uv_closed(uv_handle_t *h)
{
	link_on_handle_closed(h->data);
}

void link_close(struct link *l, link_close_cb on_close)
{
	l->on_close = on_close;
	zl_sock_close(&l->sock, link_on_sock_closed);
	uv_close((uv_handle_t *)&l->timer, link_on_uv_closed);
	uv_close((uv_handle_t *)&l->check, link_on_uv_closed);
}
