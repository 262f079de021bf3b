#include "ingest.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "event.h"
#include "idnum.h"
#include "record.h"
#include "utf8.h"
#include "vec.h"
#include "walltime.h"
#include "ymd.h"

static const char *source_label(const char *name)
{
	return name[0] != '\0' ? name : "-";
}

/* ---- positions ---------------------------------------------------------------- */

bool ingest_pos_ok(struct pos pos)
{
	return pos.major <= INGEST_POSITION_MAX && pos.minor <= INGEST_POSITION_MAX;
}

struct pos ingest_event_pos(const Assist__Event *ev)
{
	if (ev->position != NULL)
		return (struct pos){ev->position->major, ev->position->minor};
	return (struct pos){ev->seq, 0};
}

enum ingest_order ingest_order(struct pos taken, const struct pos *prev,
			       struct pos ev)
{
	if (prev != NULL && pos_cmp(ev, *prev) <= 0)
		return INGEST_OUT_OF_ORDER;
	if (pos_cmp(ev, taken) <= 0)
		return INGEST_DUPLICATE;
	if (prev != NULL && pos_cmp(*prev, taken) != 0)
		return INGEST_GAP;
	return INGEST_NEXT;
}

/* A sender's value quoted in a message: bad bytes escaped, cut, ID numbers
 * masked. */
static const char *quoted(const char *s, char *out, size_t len)
{
	char *clean = utf8_clean(s, strlen(s), len > 1 ? len - 1 : 0);

	snprintf(out, len, "%s", clean ? clean : "?");
	free(clean);
	utf8_trim(out);
	return idnum_mask_text(out);
}

static void position_text(struct pos p, char *out, size_t len)
{
	if (p.minor == 0)
		snprintf(out, len, "%" PRIu64, p.major);
	else
		snprintf(out, len, "%" PRIu64 "/%" PRIu64, p.major, p.minor);
}

/* Why event i (at pos, after last) refuses its batch, into msg, or false. */
static bool event_refused(const Assist__Event *ev, size_t i, const char *source,
			  struct pos pos, struct pos last, char *msg, size_t len)
{
	const char *field = ev->position != NULL ? "position" : "seq";
	char q[48], a[48], c[48];

	if (ev->source[0] != '\0' && strcmp(ev->source, source) != 0) {
		snprintf(msg, len, "batch.events[%zu].source: \"%s\" differs from "
			 "batch.source; a batch holds one source's events", i,
			 quoted(ev->source, q, sizeof(q)));
		return true;
	}
	if (!ingest_pos_ok(pos)) {
		if (ev->position != NULL)
			field = pos.major > INGEST_POSITION_MAX ? "position.major" : "position.minor";
		snprintf(msg, len, "batch.events[%zu].%s: must not be above %" PRIu64, i, field,
			 INGEST_POSITION_MAX);
		return true;
	}
	if (pos.major == 0 && pos.minor == 0) {
		snprintf(msg, len, "batch.events[%zu].%s: is required (positions start at "
			 "1)", i, field);
		return true;
	}
	if (i > 0 && pos_cmp(pos, last) <= 0) {
		position_text(pos, a, sizeof(a));
		position_text(last, c, sizeof(c));
		snprintf(msg, len, "batch.events[%zu].%s: %s is not after %s (events of a "
			 "batch go in strictly increasing position order)", i, field, a, c);
		return true;
	}
	return false;
}

bool ingest_batch_refused(const Assist__Batch *b, const char *source, char *msg, size_t len)
{
	struct pos last = {0, 0};

	if (b->prev != NULL &&
	    !ingest_pos_ok((struct pos){b->prev->major, b->prev->minor})) {
		snprintf(msg, len, "batch.prev.%s: must not be above %" PRIu64,
			 b->prev->major > INGEST_POSITION_MAX ? "major" : "minor",
			 INGEST_POSITION_MAX);
		return true;
	}
	for (size_t i = 0; i < b->n_events; i++) {
		struct pos pos = ingest_event_pos(b->events[i]);

		if (event_refused(b->events[i], i, source, pos, last, msg, len))
			return true;
		last = pos;
	}
	return false;
}

/* ---- sources --------------------------------------------------------------------- */

struct ingest_source *ingest_source_get(struct engine *e, const char *name, bool create)
{
	struct ingest_source *s;

	for (s = e->ingest.sources; s != NULL; s = s->next) {
		if (strcmp(s->name, name) == 0)
			return s;
	}
	if (!create || (s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->next = e->ingest.sources;
	e->ingest.sources = s;
	return s;
}

static void source_peer(struct ingest_source *s, const uint8_t *peer, size_t len)
{
	if (len > sizeof(s->peer))
		len = sizeof(s->peer);
	memcpy(s->peer, peer, len);
	s->peer_len = len;
	s->last_seen_ms = walltime_now_ms();
}

void ingest_log(struct engine *e, const char *who, const char *fmt, ...)
{
	struct ingest_source *s = ingest_source_get(e, who, false);
	struct log_limit *l = s != NULL ? &s->reject_log : &e->ingest.input_log;
	char line[1024];
	unsigned held;
	va_list ap;

	if (!log_limit(l, walltime_now_ms(), &held))
		return;
	if (held > 0)
		log_info("%s: %u similar lines suppressed", source_label(who), held);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_info("%s", line);
}

void ingest_ack(struct engine *e, const struct ingest_source *s, const uint8_t *peer,
		size_t peer_len, uint64_t request_id, bool gap, Assist__Rejection **rej,
		size_t n_rej)
{
	Assist__Reply r = ASSIST__REPLY__INIT;
	Assist__Ack ack = ASSIST__ACK__INIT;
	Assist__Position applied = ASSIST__POSITION__INIT;
	Assist__Position expected = ASSIST__POSITION__INIT;

	applied.major = s->done_major;
	applied.minor = s->done_minor;
	expected.major = s->taken_major;
	expected.minor = s->taken_minor;
	ack.source = (char *)s->name;
	ack.applied = &applied;
	ack.expected = &expected;
	ack.gap = gap;
	ack.rejections = rej;
	ack.n_rejections = n_rej;
	r.request_id = request_id;
	r.body_case = ASSIST__REPLY__BODY_ACK;
	r.ack = &ack;
	e->ops->reply(e->data, peer, peer_len, &r);
}

/* ---- taking events in ------------------------------------------------------------ */

static bool city_level(const Assist__Event *ev)
{
	const struct event_kind *k = event_of(ev);

	return k != NULL && (k->flags & EVENT_CITY_LEVEL);
}

/* Take b's events in order into the filling batch; *gap when the sender must
 * resend from what assistd has. Whether any was taken. What is not taken
 * stays in b (freed with the request). */
static bool take_events(struct engine *e, struct ingest_source *src, Assist__Batch *b,
			bool *gap)
{
	struct pos prev = {0, 0};
	bool prev_known = b->prev != NULL, took = false;
	size_t kept = 0;

	if (prev_known)
		prev = (struct pos){b->prev->major, b->prev->minor};
	for (size_t i = 0; i < b->n_events; i++) {
		Assist__Event *ev = b->events[i];
		struct pos pos = ingest_event_pos(ev);
		enum ingest_order o =
			*gap ? INGEST_OUT_OF_ORDER
			     : ingest_order((struct pos){src->taken_major, src->taken_minor},
					    prev_known ? &prev : NULL, pos);

		if (o == INGEST_NEXT && batch_add(e, src, ev, pos.major, pos.minor) < 0) {
			engine_fatal(e, "out of memory taking events");
			o = INGEST_GAP;
		}
		if (o != INGEST_NEXT)
			b->events[kept++] = ev;
		if (o == INGEST_OUT_OF_ORDER || o == INGEST_GAP) {
			*gap = true;
			continue;
		}
		if (o == INGEST_NEXT) {
			src->taken_major = pos.major;
			src->taken_minor = pos.minor;
			took = true;
			/* A large request goes in slices: one transaction each;
			 * a city-level event, which may touch everyone, ends its own. */
			if (batch_full(e->queue.filling->n_events, e->cfg->batch_max_events) ||
			    city_level(ev))
				batch_seal(e);
		}
		prev = pos;
		prev_known = true;
	}
	b->n_events = kept;
	return took;
}

int ingest_take(struct engine *e, const uint8_t *peer, size_t peer_len, uint64_t request_id,
		Assist__Batch *b, char *why, size_t len)
{
	struct ingest_source *src;
	bool gap = false, took;

	if (!conf_name_ok(b->source)) {
		snprintf(why, len, "batch.source: must be 1-31 characters of a-z, 0-9, _ or -");
		return -EINVAL;
	}
	if (ingest_batch_refused(b, b->source, why, len)) {
		ingest_log(e, b->source, "refused a batch of %s: %s", source_label(b->source), why);
		return -EINVAL;
	}
	if ((src = ingest_source_get(e, b->source, true)) == NULL) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	source_peer(src, peer, peer_len);
	for (size_t i = 0; i < b->n_events; i++)
		src->tally.received[tally_kind_index(b->events[i])]++;
	took = take_events(e, src, b, &gap);
	if (gap)
		log_debug("%s: gap after %" PRIu64 "/%" PRIu64 "; asking the sender to resend",
			  src->name, src->taken_major, src->taken_minor);
	if (gap)
		ingest_ack(e, src, peer, peer_len, request_id, true, NULL, 0);
	else if (!took)
		ingest_ack(e, src, peer, peer_len, request_id, false, NULL, 0);
	return 0;
}

/* A sender's text, cut to n - 1 bytes, every byte outside printable ASCII
 * replaced: it goes to the log, status and the feed as it is. */
static void copy_printable(char *dst, size_t n, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < n && src[i] != '\0'; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[i] = '\0';
}

static bool alert_code_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 31)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
			return false;
	}
	return true;
}

/* What a heartbeat says about its sender: a standing problem (kept for
 * status, logged when it changes) and one-off alerts (published). */
static void heartbeat_news(struct engine *e, struct ingest_source *src,
			   const Assist__Heartbeat *hb)
{
	char problem[sizeof(src->problem)], msg[256];

	copy_printable(problem, sizeof(problem), hb->problem);
	if (strcmp(problem, src->problem) != 0) {
		if (problem[0] != '\0')
			log_error("source %s: failed: %s", src->name, problem);
		else
			log_info("source %s: recovered", src->name);
		memcpy(src->problem, problem, sizeof(problem));
	}
	for (size_t i = 0; i < hb->n_alerts; i++) {
		if (!alert_code_ok(hb->alerts[i]->code))
			continue;
		copy_printable(msg, sizeof(msg), hb->alerts[i]->message);
		log_warn("source %s: %s (%s)", src->name, msg, hb->alerts[i]->code);
		feed_source_alert(e, hb->alerts[i]->code, src->name, msg);
	}
}

int ingest_heartbeat(struct engine *e, const uint8_t *peer, size_t peer_len,
		     uint64_t request_id, const Assist__Heartbeat *hb, char *why, size_t len)
{
	struct ingest_source *src;

	if (!conf_name_ok(hb->source)) {
		snprintf(why, len, "heartbeat.source: must be 1-31 characters of a-z, 0-9, _ or -");
		return -EINVAL;
	}
	/* Without memory it goes unanswered: the sender's next one asks again. */
	if ((src = ingest_source_get(e, hb->source, true)) == NULL)
		return 0;
	source_peer(src, peer, peer_len);
	heartbeat_news(e, src, hb);
	ingest_ack(e, src, peer, peer_len, request_id, false, NULL, 0);
	return 0;
}

int ingest_replay(struct engine *e, const char *source, uint64_t major, uint64_t minor,
		  int32_t today, Assist__Event *ev)
{
	struct ingest_source *src = ingest_source_get(e, source, true);
	struct batch *b;
	int rc;

	if (src == NULL)
		return -ENOMEM;
	ymd_set_today(today);
	rc = batch_add(e, src, ev, major, minor);
	ymd_set_today(0);
	if (rc < 0)
		return rc;
	b = e->queue.filling;
	b->events[b->n_events - 1].today = today;
	if (batch_full(b->n_events, e->cfg->batch_max_events))
		batch_seal(e);
	return 0;
}

/* ---- retried dead letters ------------------------------------------------------- */

bool ingest_retried(const struct engine *e, uint64_t id)
{
	for (size_t i = 0; i < e->ingest.n_retried; i++) {
		if (e->ingest.retried[i] == id)
			return true;
	}
	return false;
}

int ingest_retry(struct engine *e, uint64_t id, const char *source, Assist__Event *ev)
{
	struct ingest_source *src = ingest_source_get(e, INGEST_RETRY_SOURCE, true);
	struct ingest *in = &e->ingest;
	uint64_t *slot;

	if (src == NULL)
		return -ENOMEM;
	slot = vec_grow((void **)&in->retried, &in->n_retried, &in->cap_retried, sizeof(*slot));
	if (slot == NULL)
		return -ENOMEM;
	*slot = id;
	/* The event stays as its source sent it (its claims are keyed by that
	 * source); the journal row and the ledger name retry and its position. */
	if (batch_add_as(e, src, source, ev, src->taken_major + 1, id) < 0) {
		in->n_retried--;
		return -ENOMEM;
	}
	e->queue.filling->events[e->queue.filling->n_events - 1].retry_of = id;
	src->tally.received[tally_kind_index(ev)]++;
	src->taken_major++;
	src->taken_minor = id;
	if (batch_full(e->queue.filling->n_events, e->cfg->batch_max_events))
		batch_seal(e);
	return 0;
}

void ingest_retry_failed(struct engine *e, uint64_t id)
{
	struct ingest *in = &e->ingest;

	for (size_t i = 0; i < in->n_retried; i++) {
		if (in->retried[i] == id) {
			in->retried[i] = in->retried[--in->n_retried];
			return;
		}
	}
}

void ingest_free(struct ingest *in)
{
	free(in->retried);
	in->retried = NULL;
	in->n_retried = in->cap_retried = 0;
	while (in->sources != NULL) {
		struct ingest_source *next = in->sources->next;
		free(in->sources);
		in->sources = next;
	}
}
