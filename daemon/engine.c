#include "engine.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "conf.h"
#include "idnum.h"
#include "journal.h"
#include "log.h"
#include "pbjson.h"
#include "record.h"
#include "schema.h"
#include "stored.h"
#include "utf8.h"
#include "validate.h"
#include "walltime.h"
#include "ymd.h"

struct batch_event {
	Assist__Event *ev;
	struct engine_source *src;
	uint64_t major, minor;
	struct verdict v;
	bool rejected;
	bool isolate;      /* it was in a batch the store refused: it goes alone */
	unsigned refusals; /* batches of it alone that the store refused */
	int32_t today; /* replay: the day it was received */
};

static const char *source_label(const char *name)
{
	return name[0] != '\0' ? name : "-";
}

/* What one source gets back when the batch commits. */
struct batch_ack {
	struct engine_source *src;
	uint64_t major, minor; /* its last position in the batch */
	uint64_t applied, rejected;
	int64_t lag_ms;
	Assist__Rejection **rejections;
	size_t n_rejections, cap_rejections;
};

struct feed_out {
	uint64_t seq;
	char topic[128];
	uint8_t *msg;
	size_t len;
};

/* The engine's counters as a batch found them, to go back to if the store
 * refuses it. */
struct engine_mark {
	uint64_t feed_seq, dead_letters, created;
	uint8_t digest[JOURNAL_DIGEST_BYTES];
};

struct batch {
	struct engine *e;
	struct engine_mark before;
	struct batch_event *events;
	size_t n_events, cap_events;
	struct batch_ack *acks;
	size_t n_acks, cap_acks;
	struct feed_out *feed;
	size_t n_feed, cap_feed;
	size_t n_statements;
	int64_t written_ms; /* when its transaction went to the store */
	bool loaded;        /* what it names that the store has is in memory */
	struct batch *next;
};

static int pos_cmp(uint64_t amaj, uint64_t amin, uint64_t bmaj, uint64_t bmin)
{
	if (amaj != bmaj)
		return amaj < bmaj ? -1 : 1;
	if (amin != bmin)
		return amin < bmin ? -1 : 1;
	return 0;
}

/* ---- sources --------------------------------------------------------------- */

static struct engine_source *source_get(struct engine *e, const char *name, bool create)
{
	struct engine_source *s;

	for (s = e->sources; s != NULL; s = s->next) {
		if (strcmp(s->name, name) == 0)
			return s;
	}
	if (!create || (s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->next = e->sources;
	e->sources = s;
	return s;
}

static void source_peer(struct engine_source *s, const uint8_t *peer, size_t len)
{
	if (len > sizeof(s->peer))
		len = sizeof(s->peer);
	memcpy(s->peer, peer, len);
	s->peer_len = len;
	s->last_seen_ms = walltime_now_ms();
}

/* ---- replies ----------------------------------------------------------------- */

static void send_ack(struct engine *e, const struct engine_source *s, const uint8_t *peer,
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

static void send_error(struct engine *e, const uint8_t *peer, size_t peer_len,
		       uint64_t request_id, int code, const char *msg)
{
	Assist__Reply r = ASSIST__REPLY__INIT;
	Assist__Error err = ASSIST__ERROR__INIT;

	err.code = code;
	err.message = (char *)msg;
	r.request_id = request_id;
	r.body_case = ASSIST__REPLY__BODY_ERROR;
	r.error = &err;
	e->ops->reply(e->data, peer, peer_len, &r);
}

/* ---- batches ----------------------------------------------------------------- */

static void batch_free(struct batch *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->n_events; i++) {
		if (b->events[i].ev != NULL) /* NULL: taken back after a refusal */
			protobuf_c_message_free_unpacked(&b->events[i].ev->base, NULL);
	}
	for (size_t i = 0; i < b->n_acks; i++) {
		for (size_t j = 0; j < b->acks[i].n_rejections; j++)
			protobuf_c_message_free_unpacked(&b->acks[i].rejections[j]->base, NULL);
		free(b->acks[i].rejections);
	}
	for (size_t i = 0; i < b->n_feed; i++)
		free(b->feed[i].msg);
	free(b->events);
	free(b->acks);
	free(b->feed);
	free(b);
}

static struct engine_mark mark_of(const struct engine *e)
{
	struct engine_mark m = {e->feed_seq, e->dead_letters, e->world.created, {0}};

	memcpy(m.digest, e->digest, sizeof(m.digest));
	return m;
}

static struct batch_ack *batch_ack_for(struct batch *b, struct engine_source *src)
{
	struct batch_ack *a;

	for (size_t i = 0; i < b->n_acks; i++) {
		if (b->acks[i].src == src)
			return &b->acks[i];
	}
	a = vec_grow((void **)&b->acks, &b->n_acks, &b->cap_acks, sizeof(*a));
	if (a != NULL)
		a->src = src;
	return a;
}

static size_t in_flight(const struct engine *e)
{
	return e->n_queued + e->n_committing + (e->loading ? 1 : 0);
}

static void update_pause(struct engine *e)
{
	bool full = in_flight(e) >= (size_t)e->cfg->max_inflight;

	if (full != e->paused) {
		e->paused = full;
		e->ops->pause(e->data, full);
	}
	if (e->draining && e->filling == NULL && e->n_queued == 0 && e->n_committing == 0)
		e->ops->drained(e->data);
}

static void fatal(struct engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fatal(struct engine *e, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	e->ops->fatal(e->data, why);
}

/* An info line about malformed input from who, at most LOG_LIMIT_PER_S a
 * second per limiter; what is held back is counted in the next line. */
static void log_limited(struct engine *e, const char *who, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void log_limited(struct engine *e, const char *who, const char *fmt, ...)
{
	struct engine_source *s = source_get(e, who, false);
	struct log_limit *l = s != NULL ? &s->reject_log : &e->input_log;
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

static void pump(struct engine *e);

static void seal(struct engine *e)
{
	struct batch *b = e->filling;

	if (b == NULL)
		return;
	uv_timer_stop(&e->timer);
	e->filling = NULL;
	if (e->queue_tail != NULL)
		e->queue_tail->next = b;
	else
		e->queue_head = b;
	e->queue_tail = b;
	e->n_queued++;
	pump(e);
	update_pause(e);
}

static void on_timer(uv_timer_t *t)
{
	seal(t->data);
}

/* ---- taking events in -------------------------------------------------------- */

static void event_position(const Assist__Event *ev, uint64_t *major, uint64_t *minor)
{
	if (ev->position != NULL) {
		*major = ev->position->major;
		*minor = ev->position->minor;
	} else {
		*major = ev->seq;
		*minor = 0;
	}
}

static Assist__Rejection *rejection_new(uint64_t major, uint64_t minor, const char *field,
					const char *reason)
{
	Assist__Rejection *r = malloc(sizeof(*r));
	Assist__Position *p = malloc(sizeof(*p));

	if (r == NULL || p == NULL) {
		free(r);
		free(p);
		return NULL;
	}
	assist__rejection__init(r);
	assist__position__init(p);
	p->major = major;
	p->minor = minor;
	r->position = p;
	r->field = strdup(field);
	r->reason = strdup(reason);
	if (r->field == NULL || r->reason == NULL) {
		protobuf_c_message_free_unpacked(&r->base, NULL);
		return NULL;
	}
	return r;
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

/* The store's numeric(20) columns hold any 64-bit position, but readers
 * with 64-bit signed integers (jansson: status showed 2^64-1 as -1) do not,
 * and a source at the very top could never send again. */
#define POSITION_MAX ((uint64_t)INT64_MAX)

static void position_text(uint64_t major, uint64_t minor, char *out, size_t len)
{
	if (minor == 0)
		snprintf(out, len, "%" PRIu64, major);
	else
		snprintf(out, len, "%" PRIu64 "/%" PRIu64, major, minor);
}

/* Why the whole batch must be refused (into msg), or false: an event of
 * another source, a position the store cannot keep, events out of order.
 * Nothing of a refused batch is taken, so nothing is lost in silence. */
static bool batch_refused(const Assist__Batch *b, const char *source, char *msg, size_t len)
{
	uint64_t lmaj = 0, lmin = 0, maj, min;
	char q[48], a[48], c[48];

	if (b->prev != NULL && (b->prev->major > POSITION_MAX || b->prev->minor > POSITION_MAX)) {
		snprintf(msg, len, "batch.prev.%s: must not be above %" PRIu64,
			 b->prev->major > POSITION_MAX ? "major" : "minor", POSITION_MAX);
		return true;
	}
	for (size_t i = 0; i < b->n_events; i++) {
		const Assist__Event *ev = b->events[i];
		const char *field = ev->position != NULL ? "position" : "seq";

		if (ev->source[0] != '\0' && strcmp(ev->source, source) != 0) {
			snprintf(msg, len, "batch.events[%zu].source: \"%s\" differs from "
				 "batch.source; a batch holds one source's events", i,
				 quoted(ev->source, q, sizeof(q)));
			return true;
		}
		event_position(ev, &maj, &min);
		if (maj > POSITION_MAX || min > POSITION_MAX) {
			snprintf(msg, len, "batch.events[%zu].%s: must not be above %" PRIu64, i,
				 ev->position == NULL ? "seq" : maj > POSITION_MAX ? "position.major"
										   : "position.minor",
				 POSITION_MAX);
			return true;
		}
		if (maj == 0 && min == 0) {
			snprintf(msg, len, "batch.events[%zu].%s: is required (positions start at "
				 "1)", i, field);
			return true;
		}
		if (i > 0 && pos_cmp(maj, min, lmaj, lmin) <= 0) {
			position_text(maj, min, a, sizeof(a));
			position_text(lmaj, lmin, c, sizeof(c));
			snprintf(msg, len, "batch.events[%zu].%s: %s is not after %s (events of a "
				 "batch go in strictly increasing position order)", i, field, a, c);
			return true;
		}
		lmaj = maj;
		lmin = min;
	}
	return false;
}

static int add_event(struct engine *e, struct engine_source *src, Assist__Event *ev,
		     uint64_t major, uint64_t minor)
{
	struct batch_event *be;

	if (e->filling == NULL) {
		e->filling = calloc(1, sizeof(*e->filling));
		if (e->filling == NULL)
			return -ENOMEM;
		e->filling->e = e;
		uv_timer_start(&e->timer, on_timer, (uint64_t)e->cfg->batch_max_ms, 0);
	}
	be = vec_grow((void **)&e->filling->events, &e->filling->n_events,
			&e->filling->cap_events, sizeof(*be));
	if (be == NULL)
		return -ENOMEM;
	be->ev = ev;
	be->src = src;
	be->major = major;
	be->minor = minor;
	/* A replayed event passed the roles in force when it came. */
	be->rejected = validate_event(ev, &be->v) < 0 ||
		       (!e->replay &&
			roles_check(roles_find(e->roles, src->name), src->name, ev, &be->v) < 0);
	be->isolate = false;
	be->refusals = 0;
	return 0;
}

void engine_take(struct engine *e, const uint8_t *peer, size_t peer_len, uint64_t request_id,
		 Assist__Batch *b)
{
	struct engine_source *src;
	uint64_t pmaj = 0, pmin = 0;
	bool prev_known = b->prev != NULL, gap = false, took = false;
	size_t kept = 0;
	char msg[256];

	if (!conf_name_ok(b->source)) {
		send_error(e, peer, peer_len, request_id, EINVAL,
			   "batch.source: must be 1-31 characters of a-z, 0-9, _ or -");
		return;
	}
	if (batch_refused(b, b->source, msg, sizeof(msg))) {
		log_limited(e, b->source, "refused a batch of %s: %s", source_label(b->source), msg);
		send_error(e, peer, peer_len, request_id, EINVAL, msg);
		return;
	}
	if ((src = source_get(e, b->source, true)) == NULL) {
		send_error(e, peer, peer_len, request_id, ENOMEM, "out of memory");
		return;
	}
	source_peer(src, peer, peer_len);
	if (prev_known) {
		pmaj = b->prev->major;
		pmin = b->prev->minor;
	}
	for (size_t i = 0; i < b->n_events; i++) {
		Assist__Event *ev = b->events[i];
		uint64_t maj, min;

		event_position(ev, &maj, &min);
		if (gap || (prev_known && pos_cmp(maj, min, pmaj, pmin) <= 0)) {
			/* Out of order: the sender must resend from what assistd has. */
			gap = true;
			b->events[kept++] = ev;
			continue;
		}
		if (pos_cmp(maj, min, src->taken_major, src->taken_minor) <= 0) {
			b->events[kept++] = ev; /* a duplicate: dropped */
		} else if (prev_known &&
			   pos_cmp(pmaj, pmin, src->taken_major, src->taken_minor) != 0) {
			gap = true;
			b->events[kept++] = ev;
			continue;
		} else if (add_event(e, src, ev, maj, min) < 0) {
			fatal(e, "out of memory taking events");
			b->events[kept++] = ev;
			gap = true;
			continue;
		} else {
			src->taken_major = maj;
			src->taken_minor = min;
			took = true;
			/* A large request goes in slices: one transaction each. */
			if (e->filling->n_events >= (size_t)e->cfg->batch_max_events)
				seal(e);
		}
		pmaj = maj;
		pmin = min;
		prev_known = true;
	}
	b->n_events = kept; /* what is left is freed with the request */
	if (gap)
		log_debug("%s: gap after %" PRIu64 "/%" PRIu64 "; asking the sender to resend",
			  src->name, src->taken_major, src->taken_minor);
	if (gap)
		send_ack(e, src, peer, peer_len, request_id, true, NULL, 0);
	else if (!took)
		send_ack(e, src, peer, peer_len, request_id, false, NULL, 0);
}

static void publish_source_alert(struct engine *e, const char *code, const char *source,
				 const char *message);

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
static void heartbeat_news(struct engine *e, struct engine_source *src,
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
		publish_source_alert(e, hb->alerts[i]->code, src->name, msg);
	}
}

void engine_heartbeat(struct engine *e, const uint8_t *peer, size_t peer_len,
		      uint64_t request_id, const Assist__Heartbeat *hb)
{
	struct engine_source *src;

	if (!conf_name_ok(hb->source)) {
		send_error(e, peer, peer_len, request_id, EINVAL,
			   "heartbeat.source: must be 1-31 characters of a-z, 0-9, _ or -");
		return;
	}
	if ((src = source_get(e, hb->source, true)) == NULL)
		return;
	source_peer(src, peer, peer_len);
	heartbeat_news(e, src, hb);
	send_ack(e, src, peer, peer_len, request_id, false, NULL, 0);
}

int engine_replay(struct engine *e, const char *source, uint64_t major, uint64_t minor,
		  int32_t today, Assist__Event *ev)
{
	struct engine_source *src = source_get(e, source, true);
	int rc;

	if (src == NULL)
		return -ENOMEM;
	ymd_set_today(today);
	rc = add_event(e, src, ev, major, minor);
	ymd_set_today(0);
	if (rc < 0)
		return rc;
	e->filling->events[e->filling->n_events - 1].today = today;
	if (e->filling->n_events >= (size_t)e->cfg->batch_max_events)
		seal(e);
	return 0;
}

/* ---- loading what a batch names ---------------------------------------------- */

/* A PostgreSQL text[] literal being built: {"a","b"}. */
struct id_array {
	char *buf;
	size_t len, cap;
	size_t n;
};

static int id_array_add(struct id_array *a, const char *s)
{
	size_t need = a->len + 2 * strlen(s) + 5; /* separator, quotes, "}" and NUL */

	if (need > a->cap) {
		size_t ncap = need * 2 > 256 ? need * 2 : 256;
		char *p = realloc(a->buf, ncap);
		if (p == NULL)
			return -ENOMEM;
		a->buf = p;
		a->cap = ncap;
	}
	a->buf[a->len++] = a->n == 0 ? '{' : ',';
	a->buf[a->len++] = '"';
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			a->buf[a->len++] = '\\';
		a->buf[a->len++] = *s;
	}
	a->buf[a->len++] = '"';
	a->n++;
	return 0;
}

static const char *id_array_text(struct id_array *a)
{
	if (a->n == 0)
		return "{}";
	a->buf[a->len] = '}';
	a->buf[a->len + 1] = '\0';
	return a->buf;
}

/* ids and households the batch names that memory does not have. */
static int collect_missing(struct engine *e, const struct batch *b, struct id_array *ids,
			   struct id_array *hhs)
{
	int rc = 0;

	for (size_t i = 0; i < b->n_events && rc == 0; i++) {
		const Assist__Event *ev = b->events[i].ev;
		const char *id = validate_subject(ev);
		const char *hh = NULL;

		if (b->events[i].rejected)
			continue;
		if (ev->payload_case == ASSIST__EVENT__PAYLOAD_HOUSEHOLD)
			hh = ev->household->household_id;
		else if (ev->payload_case == ASSIST__EVENT__PAYLOAD_HOUSING_AID)
			hh = ev->housing_aid->household_id;
		else if (ev->payload_case == ASSIST__EVENT__PAYLOAD_PERSON)
			hh = ev->person->household_id;
		if (id != NULL && strmap_get(&e->world.persons, id) == NULL)
			rc = id_array_add(ids, id);
		if (rc == 0 && hh != NULL && *hh != '\0' &&
		    strmap_get(&e->world.households, hh) == NULL)
			rc = id_array_add(hhs, hh);
	}
	return rc;
}

static uint8_t *unescape_bytea(const PGresult *res, int row, int col, size_t *len)
{
	return PQunescapeBytea((const unsigned char *)PQgetvalue(res, row, col), len);
}

/* Put what a load job read into memory: households first, so persons link. */
static int adopt_loaded(struct engine *e, struct store_job *job)
{
	const PGresult *persons = job->results[0], *households = job->results[1];
	int rc = 0;

	for (int i = 0; i < PQntuples(households) && rc == 0; i++) {
		size_t len;
		uint8_t *data = unescape_bytea(households, i, 0, &len);
		struct household *hh = data ? stored_unpack_household(data, len) : NULL;
		PQfreemem(data);
		if (hh == NULL) {
			log_error("a stored household does not decode; skipped");
			continue;
		}
		rc = world_adopt_household(&e->world, hh);
	}
	for (int i = 0; i < PQntuples(persons) && rc == 0; i++) {
		size_t len;
		uint8_t *data = unescape_bytea(persons, i, 0, &len);
		struct person *p = data ? stored_unpack_person(data, len) : NULL;
		PQfreemem(data);
		if (p == NULL) {
			log_error("a stored person does not decode; skipped");
			continue;
		}
		rc = world_adopt_person(&e->world, p);
	}
	return rc;
}

/* A read of persons by id and households by id, for a batch or a query. */
static struct store_job *load_job(struct id_array *ids, struct id_array *hhs, store_done_cb done,
				  void *data)
{
	struct store_job *job = store_job_new(STORE_READ, done, data);
	const char *idt = id_array_text(ids), *hht = id_array_text(hhs);
	struct store_val pv[2] = {{idt, strlen(idt), false}, {hht, strlen(hht), false}};
	struct store_val hv[2] = {{hht, strlen(hht), false}, {idt, strlen(idt), false}};

	if (job == NULL)
		return NULL;
	if (store_job_add(job, SQL_LOAD_PERSONS, pv, 2) < 0 ||
	    store_job_add(job, SQL_LOAD_HOUSEHOLDS, hv, 2) < 0) {
		store_job_free(job);
		return NULL;
	}
	return job;
}

static void apply_batch(struct engine *e, struct batch *b);

static void on_batch_loaded(struct store_job *job, int status)
{
	struct engine *e = job->data;

	e->loading = false;
	if (status < 0) {
		fatal(e, "loading persons: %s", job->error);
		store_job_free(job);
		return;
	}
	if (adopt_loaded(e, job) < 0) {
		fatal(e, "out of memory loading persons");
		store_job_free(job);
		return;
	}
	store_job_free(job);
	/* A refused batch rebuilds the queue: a load begun before is of no batch
	 * now, and pump looks again at what the new head names. */
	if (!e->load_stale)
		e->queue_head->loaded = true;
	e->load_stale = false;
	pump(e);
	update_pause(e);
}

/* Apply queued batches in order; the head may first need a load. */
static void pump(struct engine *e)
{
	while (e->queue_head != NULL && !e->loading) {
		struct batch *b = e->queue_head;
		struct id_array ids = {0}, hhs = {0};
		struct store_job *job;

		if (!b->loaded && collect_missing(e, b, &ids, &hhs) < 0) {
			free(ids.buf);
			free(hhs.buf);
			fatal(e, "out of memory");
			return;
		}
		if (ids.n == 0 && hhs.n == 0) {
			e->queue_head = b->next;
			if (e->queue_head == NULL)
				e->queue_tail = NULL;
			e->n_queued--;
			apply_batch(e, b);
			continue;
		}
		job = load_job(&ids, &hhs, on_batch_loaded, e);
		free(ids.buf);
		free(hhs.buf);
		if (job == NULL) {
			fatal(e, "out of memory");
			return;
		}
		e->loading = true;
		store_submit(e->store, job);
	}
}

/* ---- writing a batch --------------------------------------------------------- */

static void on_commit(struct store_job *job, int status);

static const char *scheme_name(Assist__Scheme s, char *buf, size_t len)
{
	const char *n = pbjson_enum_name(&assist__scheme__descriptor, s, buf, len);

	return n ? n : "unspecified";
}

static struct writer_origin origin_of(const struct batch_event *be)
{
	return (struct writer_origin){be->src->name, be->major, be->minor};
}

static int write_journal(struct engine *e, const struct batch_event *be)
{
	size_t len = protobuf_c_message_get_packed_size(&be->ev->base);
	uint8_t *buf = malloc(len ? len : 1);
	uint8_t prev[JOURNAL_DIGEST_BYTES];
	struct writer_origin o = origin_of(be);
	char maj[24], min[24];

	if (buf == NULL)
		return -ENOMEM;
	protobuf_c_message_pack(&be->ev->base, buf);
	snprintf(maj, sizeof(maj), "%" PRIu64, be->major);
	snprintf(min, sizeof(min), "%" PRIu64, be->minor);
	memcpy(prev, e->digest, sizeof(prev));
	journal_digest(prev, be->src->name, maj, min, buf, len, e->digest);
	writer_journal(&e->writer, &o, validate_kind_name(be->ev), buf, len, prev, e->digest,
		       sizeof(prev));
	free(buf);
	return 0;
}

/* A source's event outside its role also raises an alert on the feed
 * (alert/not_authorized/<source>), in the batch's transaction, published with
 * its records: a department overstepping is for the operators to see, not
 * only its sender. */
static int write_not_authorized(struct engine *e, struct batch *b, const struct batch_event *be)
{
	Assist__FeedMessage fm = ASSIST__FEED_MESSAGE__INIT;
	Assist__Alert alert = ASSIST__ALERT__INIT;
	struct feed_out *out = vec_grow((void **)&b->feed, &b->n_feed, &b->cap_feed,
					  sizeof(*out));
	char message[sizeof(be->v.field) + sizeof(be->v.reason) + 64];

	if (out == NULL)
		return -ENOMEM;
	snprintf(out->topic, sizeof(out->topic), "alert/not_authorized/%s", be->src->name);
	snprintf(message, sizeof(message), "%" PRIu64 "/%" PRIu64 " %s: %s", be->major, be->minor,
		 be->v.field, be->v.reason);
	alert.code = "not_authorized";
	alert.ref = (char *)be->src->name;
	alert.message = message;
	fm.seq = out->seq = ++e->feed_seq;
	fm.topic = out->topic;
	fm.alert = &alert;
	out->len = protobuf_c_message_get_packed_size(&fm.base);
	if ((out->msg = malloc(out->len)) == NULL)
		return -ENOMEM;
	protobuf_c_message_pack(&fm.base, out->msg);
	writer_feed(&e->writer, fm.seq, out->topic, out->msg, out->len);
	return 0;
}

/* The event as JSON for its dead letter: invalid UTF-8 escaped by pbjson;
 * past max bytes, {"truncated_bytes": N, "prefix": "<its first bytes>…"}
 * so that it stays a valid jsonb value of bounded size. */
static char *dead_letter_event(const Assist__Event *ev, size_t max)
{
	json_t *j = pbjson_encode(&ev->base, 0);
	char *text = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
	char *prefix = NULL, *out = NULL;
	size_t len;

	json_decref(j);
	if (text == NULL || (len = strlen(text)) <= max)
		return text;
	prefix = utf8_clean(text, len, max / 2); /* escaping may double it in JSON */
	j = prefix ? json_pack("{sIss}", "truncated_bytes", (json_int_t)len, "prefix", prefix)
		   : NULL;
	out = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	free(prefix);
	free(text);
	return out;
}

/* A dead letter keeps the event, unless the store refused that too: then only
 * its origin, kind and reason (the event is still in the sender's hands). */
static int write_dead_letter(struct engine *e, struct batch *b, struct batch_event *be)
{
	size_t max = (size_t)e->cfg->dead_letter_max_bytes;
	bool keep_event = be->refusals < 2;
	char *event = keep_event ? dead_letter_event(be->ev, max) : NULL;
	char *raw = keep_event && be->ev->raw[0] ? utf8_clean(be->ev->raw, strlen(be->ev->raw), max)
						 : NULL;
	struct batch_ack *a = batch_ack_for(b, be->src);
	Assist__Rejection *r = NULL;
	Assist__Rejection **slot = NULL;
	struct writer_origin o = origin_of(be);
	int rc = -ENOMEM;

	/* The reason may quote the sender's value: what is logged, answered and
	 * kept as the reason is masked and valid UTF-8 (the raw event is kept
	 * as it came, in the event and raw columns). */
	idnum_mask_text(be->v.field);
	idnum_mask_text(be->v.reason);
	utf8_trim(be->v.reason);
	if (!utf8_valid(be->v.reason, strlen(be->v.reason)))
		snprintf(be->v.reason, sizeof(be->v.reason), "not valid UTF-8");
	if (!utf8_valid(be->v.field, strlen(be->v.field)))
		snprintf(be->v.field, sizeof(be->v.field), "event");
	r = rejection_new(be->major, be->minor, be->v.field, be->v.reason);
	if ((keep_event && (event == NULL || (be->ev->raw[0] && raw == NULL))) || a == NULL ||
	    r == NULL)
		goto cleanup;
	slot = vec_grow((void **)&a->rejections, &a->n_rejections, &a->cap_rejections,
			  sizeof(*slot));
	if (slot == NULL)
		goto cleanup;
	*slot = r;
	r = NULL;
	a->rejected++;
	writer_dead_letter(&e->writer, &o, validate_kind_name(be->ev), be->v.field, be->v.reason,
			   event, raw);
	e->dead_letters++;
	rc = strncmp(be->v.reason, "not_authorized:", 15) == 0 ? write_not_authorized(e, b, be) : 0;
	log_limited(e, be->src->name, "rejected %s@%" PRIu64 "/%" PRIu64 ": %s: %s",
		    be->src->name, be->major, be->minor, be->v.field, be->v.reason);
cleanup:
	if (r != NULL)
		protobuf_c_message_free_unpacked(&r->base, NULL);
	free(event);
	free(raw);
	return rc;
}

static int write_decision(struct engine *e, const struct batch_event *be,
			  const struct decision *d)
{
	struct writer_origin o = origin_of(be);
	char scheme[48], subject[160];
	char *trace;

	if (d->type == DEC_LEDGER) {
		scheme_name(d->u.ledger.scheme, scheme, sizeof(scheme));
		writer_ledger(&e->writer, &o, d->person->id, &d->u.ledger, scheme);
		snprintf(subject, sizeof(subject), "ledger %s %s", d->u.ledger.ref, scheme);
	} else if (d->type == DEC_ALERT) {
		scheme_name(d->u.alert.scheme, scheme, sizeof(scheme));
		writer_alert(&e->writer, &o, d->person->id, &d->u.alert, scheme);
		return 0;
	} else if (d->type == DEC_BENEFIT) {
		snprintf(subject, sizeof(subject), "benefit %s",
			 scheme_name(d->u.benefit.scheme, scheme, sizeof(scheme)));
	} else {
		return 0;
	}
	if (!d->has_trace)
		return 0;
	trace = trace_json(d, subject, be->src->name, be->major, be->minor);
	if (trace == NULL)
		return -ENOMEM;
	writer_explanation(&e->writer, d->person->id, subject, trace);
	free(trace);
	return 0;
}

/* Milliseconds since the epoch of an RFC 3339 UTC time (fraction optional),
 * or -1. */
static int64_t parse_time_ms(const char *s)
{
	struct tm tm = {0};
	const char *rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	int64_t ms = 0, scale = 100;

	if (rest == NULL)
		return -1;
	if (*rest == '.') {
		for (rest++; *rest >= '0' && *rest <= '9'; rest++, scale /= 10)
			ms += (*rest - '0') * scale;
	}
	return (int64_t)timegm(&tm) * 1000 + ms;
}

static int apply_one(struct engine *e, struct batch *b, struct batch_event *be)
{
	struct policy_ctx ctx = {e->params, be->src->name, be->major, be->minor};
	struct verdict reject;
	struct batch_ack *a = batch_ack_for(b, be->src);
	int64_t occurred;
	int rc;

	if (a == NULL)
		return -ENOMEM;
	a->major = be->major;
	a->minor = be->minor;
	if (be->ev->occurred_at[0] != '\0' && (occurred = parse_time_ms(be->ev->occurred_at)) >= 0)
		a->lag_ms = walltime_now_ms() - occurred;
	if (!be->rejected) {
		decisions_clear(&e->decisions);
		if (e->replay)
			ymd_set_today(be->today);
		rc = apply_event(&e->world, &ctx, be->ev, &be->v, &e->decisions, &reject);
		if (e->replay)
			ymd_set_today(0);
		if (rc == -EINVAL) {
			be->rejected = true;
			be->v = reject;
		} else if (rc < 0) {
			return rc;
		}
	}
	if (be->rejected && e->replay) {
		/* It was applied once: its dead letter would be a second story. */
		e->replay_diverged++;
		idnum_mask_text(be->v.field);
		idnum_mask_text(be->v.reason);
		log_error("journal event %s@%" PRIu64 "/%" PRIu64 " is now rejected: %s: %s",
			  be->src->name, be->major, be->minor, be->v.field, be->v.reason);
		return 0;
	}
	if (be->rejected)
		return write_dead_letter(e, b, be);
	a->applied++;
	if (!e->replay && (rc = write_journal(e, be)) < 0)
		return rc;
	for (size_t i = 0; i < e->decisions.n; i++) {
		if ((rc = write_decision(e, be, &e->decisions.items[i])) < 0)
			return rc;
	}
	return 0;
}

static int write_household(struct engine *e, const struct household *hh)
{
	size_t len;
	uint8_t *state = stored_pack_household(hh, &len);

	if (state == NULL)
		return -ENOMEM;
	writer_household(&e->writer, hh->id, state, len);
	free(state);
	return 0;
}

static int write_feed(struct engine *e, struct batch *b, const struct person *p)
{
	struct arena a = {0};
	Assist__FeedMessage fm = ASSIST__FEED_MESSAGE__INIT;
	struct feed_out *out = vec_grow((void **)&b->feed, &b->n_feed, &b->cap_feed,
					  sizeof(*out));
	int rc = -ENOMEM;

	if (out == NULL)
		return -ENOMEM;
	snprintf(out->topic, sizeof(out->topic), "record/%s/%s",
		 p->place.district[0] ? p->place.district : "-",
		 p->household_id[0] ? p->household_id : "-");
	fm.seq = out->seq = p->feed_seq;
	fm.topic = out->topic;
	fm.record = record_build(&a, p, 0, e->params, e->cfg->feed_full_ids);
	if (fm.record == NULL)
		goto cleanup;
	out->len = protobuf_c_message_get_packed_size(&fm.base);
	if ((out->msg = malloc(out->len ? out->len : 1)) == NULL)
		goto cleanup;
	protobuf_c_message_pack(&fm.base, out->msg);
	writer_feed(&e->writer, fm.seq, out->topic, out->msg, out->len);
	rc = 0;
cleanup:
	arena_free(&a);
	return rc;
}

static int write_person(struct engine *e, struct batch *b, struct person *p, int64_t now)
{
	size_t len;
	uint8_t *state;

	p->version++;
	p->updated_at_ms = now;
	p->feed_seq = ++e->feed_seq;
	state = stored_pack_person(p, &len);
	if (state == NULL)
		return -ENOMEM;
	writer_person(&e->writer, p, state, len);
	free(state);
	p->stored = true;
	return write_feed(e, b, p);
}

static void write_positions(struct engine *e, const struct batch *b, int64_t now)
{
	char when[40];

	walltime_format(now, when, sizeof(when));
	for (size_t i = 0; i < b->n_acks; i++) {
		const struct batch_ack *a = &b->acks[i];
		writer_position(&e->writer, a->src->name, a->major, a->minor, a->applied,
				a->rejected, a->lag_ms > 0 ? a->lag_ms : 0, when);
	}
}

/* Apply b to memory and hand its transaction to the store. */
static void apply_batch(struct engine *e, struct batch *b)
{
	struct store_job *job = store_job_new(STORE_WRITE, on_commit, b);
	int64_t now = walltime_now_ms();
	int rc = job ? 0 : -ENOMEM;

	b->before = mark_of(e);

	for (size_t i = 0; i < b->n_events && rc == 0; i++)
		rc = apply_one(e, b, &b->events[i]);
	for (size_t i = 0; i < e->world.n_changed_h && rc == 0; i++)
		rc = write_household(e, e->world.changed_h[i]);
	for (size_t i = 0; i < e->world.n_changed_p && rc == 0; i++)
		rc = write_person(e, b, e->world.changed_p[i], now);
	if (!e->replay)
		write_positions(e, b, now);
	if (rc == 0)
		rc = writer_flush(&e->writer, job);
	world_take_changes(&e->world);
	if (rc < 0) {
		store_job_free(job);
		batch_free(b);
		fatal(e, "building a transaction: %s", strerror(-rc));
		return;
	}
	job->batch = ++e->batch_no;
	b->n_statements = store_job_size(job);
	b->written_ms = walltime_now_ms();
	if (e->commit_tail != NULL)
		e->commit_tail->next = b;
	else
		e->commit_head = b;
	e->commit_tail = b;
	b->next = NULL;
	e->n_committing++;
	store_submit(e->store, job);
}

/* ---- a batch the store refuses ------------------------------------------------
 *
 * Validation keeps out what the store is known to refuse, but a batch may
 * still hold a value it will not take. Such a batch must not stop assistd (the
 * sender would resend it and stop it again), nor hold back the rest: the
 * engine goes back to the state the store has — every later batch's write is
 * taken back, the counters return to what they were before the refused batch,
 * the persons and households in memory are forgotten and loaded again — and
 * takes the same events again in the same order, those of the refused batch
 * one per batch. An event the store refuses alone is rejected with the
 * store's message; if even its dead letter is refused, a dead letter without
 * the event is written. */

/* Errors in what was written (SQLSTATE classes 22 data exception, 23
 * integrity constraint, 54 program limit), as opposed to the server's own
 * trouble, which stays fatal. */
static bool store_refused_data(const struct store_job *job)
{
	const char *st = job->sqlstate;

	return strncmp(st, "22", 2) == 0 || strncmp(st, "23", 2) == 0 || strncmp(st, "54", 2) == 0;
}

struct taken {
	struct batch_event *events;
	size_t n, cap;
};

/* Move b's events to t (b is freed). */
static int take_back(struct taken *t, struct batch *b)
{
	int rc = 0;

	for (size_t i = 0; i < b->n_events && rc == 0; i++) {
		struct batch_event *be = vec_grow((void **)&t->events, &t->n, &t->cap, sizeof(*be));
		if (be == NULL) {
			rc = -ENOMEM;
			break;
		}
		*be = b->events[i];
		b->events[i].ev = NULL;
	}
	batch_free(b);
	return rc;
}

/* Every batch not committed, oldest first, emptied into t. */
static int take_back_all(struct engine *e, struct taken *t)
{
	struct batch *lists[] = {e->commit_head, e->queue_head, e->filling};
	int rc = 0;

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		for (struct batch *b = lists[i], *next; b != NULL; b = next) {
			next = i == 2 ? NULL : b->next;
			if (rc == 0)
				rc = take_back(t, b);
			else
				batch_free(b);
		}
	}
	uv_timer_stop(&e->timer);
	e->commit_head = e->commit_tail = e->queue_head = e->queue_tail = e->filling = NULL;
	e->n_committing = e->n_queued = 0;
	return rc;
}

/* Take be in again, alone in a batch of its own when isolated. */
static int take_again(struct engine *e, const struct batch_event *old)
{
	struct batch_event *be;
	bool alone = old->isolate || old->refusals > 0;

	if (alone)
		seal(e);
	if (add_event(e, old->src, old->ev, old->major, old->minor) < 0)
		return -ENOMEM;
	be = &e->filling->events[e->filling->n_events - 1];
	be->isolate = old->isolate;
	be->refusals = old->refusals;
	if (be->refusals > 0) {
		be->rejected = true;
		be->v = old->v;
	}
	old->src->taken_major = old->major;
	old->src->taken_minor = old->minor;
	if (alone || e->filling->n_events >= (size_t)e->cfg->batch_max_events)
		seal(e);
	return 0;
}

/* What the refused batch b tells about its events: one alone is rejected with
 * the store's message; several are each tried alone. */
static void blame(struct batch *b, const struct store_job *job)
{
	char masked[sizeof(job->error)];

	if (b->n_events != 1) {
		for (size_t i = 0; i < b->n_events; i++)
			b->events[i].isolate = true;
		return;
	}
	struct batch_event *be = &b->events[0];
	snprintf(masked, sizeof(masked), "%s", job->error);
	idnum_mask_text(masked);
	be->refusals++;
	snprintf(be->v.field, sizeof(be->v.field), "event");
	snprintf(be->v.reason, sizeof(be->v.reason), "the store refused it (SQLSTATE %s): %s",
		 job->sqlstate, masked);
}

static void refused(struct engine *e, struct batch *b, const struct store_job *job)
{
	struct taken t = {0};
	char masked[sizeof(job->error)];
	int rc;

	snprintf(masked, sizeof(masked), "%s", job->error);
	idnum_mask_text(masked);
	log_warn("batch %" PRIu64 " (%zu events) refused by the store (SQLSTATE %s): %s; "
		 "taking its events again one by one", job->batch, b->n_events, job->sqlstate,
		 masked);
	if (b->n_events == 1 && b->events[0].refusals >= 2) {
		fatal(e, "a dead letter without its event was refused: %s", masked);
		return;
	}
	blame(b, job);
	store_cancel_writes(e->store);
	e->load_stale = e->loading;
	e->feed_seq = b->before.feed_seq;
	e->dead_letters = b->before.dead_letters;
	memcpy(e->digest, b->before.digest, sizeof(e->digest));
	world_clear(&e->world);
	e->world.created = b->before.created;
	for (struct engine_source *s = e->sources; s != NULL; s = s->next) {
		s->taken_major = s->done_major;
		s->taken_minor = s->done_minor;
	}
	rc = take_back_all(e, &t);
	for (size_t i = 0; i < t.n && rc == 0; i++)
		rc = take_again(e, &t.events[i]);
	if (rc < 0) {
		for (size_t i = 0; i < t.n; i++)
			protobuf_c_message_free_unpacked(&t.events[i].ev->base, NULL);
		free(t.events);
		fatal(e, "out of memory taking a refused batch's events again");
		return;
	}
	free(t.events);
	seal(e);
	pump(e);
	update_pause(e);
}

static void on_commit(struct store_job *job, int status)
{
	struct batch *b = job->data;
	struct engine *e = b->e;

	if (status == -ECANCELED) {
		store_job_free(job); /* an earlier batch was refused: b is taken again */
		return;
	}
	if (status < 0 && store_refused_data(job)) {
		refused(e, b, job);
		store_job_free(job);
		return;
	}
	if (status < 0) {
		fatal(e, "committing batch %" PRIu64 ": %s", job->batch, job->error);
		store_job_free(job);
		return;
	}
	log_debug("batch %" PRIu64 ": %zu events, %zu statements, committed in %" PRId64 " ms",
		  job->batch, b->n_events, b->n_statements, walltime_now_ms() - b->written_ms);
	store_job_free(job);
	e->commit_head = b->next;
	if (e->commit_head == NULL)
		e->commit_tail = NULL;
	e->n_committing--;
	for (size_t i = 0; i < b->n_acks; i++) {
		struct batch_ack *a = &b->acks[i];
		struct engine_source *s = a->src;
		s->done_major = a->major;
		s->done_minor = a->minor;
		s->applied += a->applied;
		s->rejected += a->rejected;
		s->lag_ms = a->lag_ms > 0 ? a->lag_ms : 0;
		send_ack(e, s, s->peer, s->peer_len, 0, false, a->rejections, a->n_rejections);
	}
	for (size_t i = 0; i < b->n_feed; i++) {
		e->feed_committed = b->feed[i].seq;
		e->ops->publish(e->data, b->feed[i].topic, b->feed[i].msg, b->feed[i].len);
	}
	batch_free(b);
	update_pause(e);
}

/* ---- start, queries, stop ------------------------------------------------------ */

struct start_ctx {
	struct engine *e;
	void (*on_ready)(void *data, int status);
};

static uint64_t col_u64(const PGresult *r, int row, int col)
{
	return strtoull(PQgetvalue(r, row, col), NULL, 10);
}

static void on_started(struct store_job *job, int status)
{
	struct start_ctx *sc = job->data;
	struct engine *e = sc->e;
	const PGresult *pos, *cnt;

	if (status < 0) {
		log_error("reading positions: %s", job->error);
		goto cleanup;
	}
	pos = job->results[0];
	cnt = job->results[1];
	for (int i = 0; i < PQntuples(pos); i++) {
		struct engine_source *s = source_get(e, PQgetvalue(pos, i, 0), true);
		if (s == NULL) {
			status = -ENOMEM;
			goto cleanup;
		}
		s->taken_major = s->done_major = col_u64(pos, i, 1);
		s->taken_minor = s->done_minor = col_u64(pos, i, 2);
		s->applied = col_u64(pos, i, 3);
		s->rejected = col_u64(pos, i, 4);
		s->lag_ms = (int64_t)col_u64(pos, i, 5);
		s->last_seen_ms = (int64_t)col_u64(pos, i, 6);
	}
	e->feed_seq = e->feed_committed = col_u64(cnt, 0, 0);
	e->dead_letters = col_u64(cnt, 0, 1);
	e->persons_at_start = col_u64(cnt, 0, 2);
	if (col_u64(cnt, 0, 4) != 0 && !e->replay) {
		log_error("the store holds an unfinished rebuild: run assistd --rebuild again");
		status = -EBUSY;
		goto cleanup;
	}
	if (!PQgetisnull(cnt, 0, 3)) {
		size_t len;
		uint8_t *d = unescape_bytea(cnt, 0, 3, &len);
		if (d != NULL && len == sizeof(e->digest))
			memcpy(e->digest, d, len);
		PQfreemem(d);
	}
	e->batch_no = store_last_batch(e->store);
	log_info("store holds %" PRIu64 " recipients, feed at %" PRIu64 ", %" PRIu64
		 " dead letters", e->persons_at_start, e->feed_seq, e->dead_letters);
cleanup:
	sc->on_ready(e->data, status);
	store_job_free(job);
	free(sc);
}

void engine_start(struct engine *e, void (*on_ready)(void *data, int status))
{
	struct start_ctx *sc = malloc(sizeof(*sc));
	struct store_job *job = sc ? store_job_new(STORE_READ, on_started, sc) : NULL;

	if (job == NULL || store_job_add(job, SQL_POSITIONS, NULL, 0) < 0 ||
	    store_job_add(job, SQL_COUNTERS, NULL, 0) < 0) {
		store_job_free(job);
		free(sc);
		on_ready(e->data, -ENOMEM);
		return;
	}
	sc->e = e;
	sc->on_ready = on_ready;
	store_submit(e->store, job);
}

struct find_ctx {
	struct engine *e;
	char id[IDNUM_BUFLEN];
	void (*cb)(void *arg, struct person *p);
	void *arg;
};

static void on_found(struct store_job *job, int status)
{
	struct find_ctx *fc = job->data;
	struct engine *e = fc->e;

	if (status < 0)
		log_error("loading a person: %s", job->error);
	else if (adopt_loaded(e, job) < 0)
		log_error("out of memory loading a person");
	store_job_free(job);
	fc->cb(fc->arg, strmap_get(&e->world.persons, fc->id));
	free(fc);
}

void engine_find_person(struct engine *e, const char *id,
			void (*cb)(void *arg, struct person *p), void *arg)
{
	struct person *p = strmap_get(&e->world.persons, id);
	struct id_array ids = {0}, none = {0};
	struct find_ctx *fc;
	struct store_job *job;

	if (p != NULL) {
		cb(arg, p);
		return;
	}
	fc = calloc(1, sizeof(*fc));
	if (fc == NULL || id_array_add(&ids, id) < 0 ||
	    (job = load_job(&ids, &none, on_found, fc)) == NULL) {
		free(ids.buf);
		free(fc);
		cb(arg, NULL);
		return;
	}
	free(ids.buf);
	fc->e = e;
	snprintf(fc->id, sizeof(fc->id), "%s", id);
	fc->cb = cb;
	fc->arg = arg;
	store_submit(e->store, job);
}

struct finds_ctx {
	struct engine *e;
	void (*cb)(void *arg, int status);
	void *arg;
};

static void on_found_all(struct store_job *job, int status)
{
	struct finds_ctx *fc = job->data;

	if (status < 0)
		log_error("loading persons: %s", job->error);
	else if ((status = adopt_loaded(fc->e, job)) < 0)
		log_error("out of memory loading persons");
	store_job_free(job);
	fc->cb(fc->arg, status);
	free(fc);
}

void engine_find_persons(struct engine *e, const char *const *ids, size_t n,
			 void (*cb)(void *arg, int status), void *arg)
{
	struct id_array missing = {0}, none = {0};
	struct finds_ctx *fc = NULL;
	struct store_job *job;
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		if (strmap_get(&e->world.persons, ids[i]) == NULL)
			rc = id_array_add(&missing, ids[i]);
	}
	if (rc == 0 && missing.n == 0) {
		cb(arg, 0);
		return;
	}
	if (rc < 0 || (fc = calloc(1, sizeof(*fc))) == NULL ||
	    (job = load_job(&missing, &none, on_found_all, fc)) == NULL) {
		free(missing.buf);
		free(fc);
		cb(arg, -ENOMEM);
		return;
	}
	free(missing.buf);
	fc->e = e;
	fc->cb = cb;
	fc->arg = arg;
	store_submit(e->store, job);
}

struct alert_out {
	struct engine *e;
	char code[32], source[32];
	struct feed_out feed;
};

static void on_alert_committed(struct store_job *job, int status)
{
	struct alert_out *ao = job->data;
	struct engine *e = ao->e;

	if (status == -ECANCELED) {
		struct engine_source *s = source_get(e, ao->source, false);
		log_info("a %s alert for %s went back with a refused batch; it is raised again",
			 ao->code, ao->source);
		if (s != NULL)
			s->stale = false;
	} else if (status < 0) {
		fatal(e, "storing an alert: %s", job->error);
	} else {
		e->feed_committed = ao->feed.seq;
		e->ops->publish(e->data, ao->feed.topic, ao->feed.msg, ao->feed.len);
	}
	store_job_free(job);
	free(ao->feed.msg);
	free(ao);
}

/* An alert about a source rather than a record: stored in the feed (so a
 * consumer replaying finds it) in a transaction of its own, published after. */
static void publish_source_alert(struct engine *e, const char *code, const char *source,
				 const char *message)
{
	Assist__FeedMessage fm = ASSIST__FEED_MESSAGE__INIT;
	Assist__Alert alert = ASSIST__ALERT__INIT;
	struct alert_out *ao = calloc(1, sizeof(*ao));
	struct store_job *job = ao ? store_job_new(STORE_WRITE, on_alert_committed, ao) : NULL;

	if (job == NULL)
		goto fail;
	ao->e = e;
	snprintf(ao->code, sizeof(ao->code), "%s", code);
	snprintf(ao->source, sizeof(ao->source), "%s", source);
	snprintf(ao->feed.topic, sizeof(ao->feed.topic), "alert/%s/%s", code, source);
	alert.code = (char *)code;
	alert.ref = (char *)source;
	alert.message = (char *)message;
	fm.seq = ao->feed.seq = ++e->feed_seq;
	fm.topic = ao->feed.topic;
	fm.alert = &alert;
	ao->feed.len = protobuf_c_message_get_packed_size(&fm.base);
	if ((ao->feed.msg = malloc(ao->feed.len)) == NULL)
		goto fail;
	protobuf_c_message_pack(&fm.base, ao->feed.msg);
	writer_feed(&e->writer, fm.seq, ao->feed.topic, ao->feed.msg, ao->feed.len);
	if (writer_flush(&e->writer, job) < 0)
		goto fail;
	job->batch = ++e->batch_no;
	store_submit(e->store, job);
	return;
fail:
	store_job_free(job);
	if (ao != NULL)
		free(ao->feed.msg);
	free(ao);
	log_error("out of memory publishing a %s alert for %s", code, source);
}

void engine_check_freshness(struct engine *e, int64_t freshness_ms)
{
	int64_t now = walltime_now_ms();

	for (struct engine_source *s = e->sources; s != NULL; s = s->next) {
		bool stale = s->last_seen_ms != 0 && now - s->last_seen_ms > freshness_ms;
		if (stale == s->stale)
			continue;
		s->stale = stale;
		if (stale) {
			char msg[128];
			snprintf(msg, sizeof(msg), "nothing heard from %s for %" PRId64 " s",
				 s->name, (now - s->last_seen_ms) / 1000);
			log_warn("source %s: %s (stale_feed)", s->name, msg);
			publish_source_alert(e, "stale_feed", s->name, msg);
		} else {
			log_info("source %s: heard again", s->name);
		}
	}
}

uint64_t engine_recipients(const struct engine *e)
{
	return e->persons_at_start + e->world.created;
}

int engine_init(struct engine *e, uv_loop_t *loop, struct store *st,
		const struct engine_ops *ops, void *data)
{
	int rc;

	memset(e, 0, sizeof(*e));
	e->loop = loop;
	e->store = st;
	e->ops = ops;
	e->data = data;
	writer_init(&e->writer);
	if ((rc = uv_timer_init(loop, &e->timer)) < 0)
		return rc;
	e->timer.data = e;
	return 0;
}

void engine_drain(struct engine *e)
{
	e->draining = true;
	seal(e);
	update_pause(e);
}

static void on_timer_closed(uv_handle_t *h)
{
	struct engine *e = h->data;

	e->on_closed(e->data);
}

void engine_close(struct engine *e, void (*on_closed)(void *data))
{
	e->on_closed = on_closed;
	uv_close((uv_handle_t *)&e->timer, on_timer_closed);
}

void engine_free(struct engine *e)
{
	struct batch *lists[] = {e->filling, e->queue_head, e->commit_head};

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		while (lists[i] != NULL) {
			struct batch *next = i == 0 ? NULL : lists[i]->next;
			batch_free(lists[i]);
			lists[i] = next;
		}
	}
	while (e->sources != NULL) {
		struct engine_source *next = e->sources->next;
		free(e->sources);
		e->sources = next;
	}
	decisions_free(&e->decisions);
	writer_free(&e->writer);
	world_free(&e->world);
}
