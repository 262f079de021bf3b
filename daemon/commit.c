#include "commit.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "event.h"
#include "fund.h"
#include "idnum.h"
#include "pbjson.h"
#include "pos.h"
#include "schema.h"
#include "scheme.h"
#include "stored.h"
#include "utf8.h"
#include "validate.h"
#include "vec.h"
#include "walltime.h"
#include "ymd.h"

/* While a batch is applied, the jobs before it go on to PostgreSQL every so
 * many events (store_push): a job is larger than the socket's buffer. */
#define PUSH_EVERY 32

/* ---- applying a batch ------------------------------------------------------------- */

static void on_commit(struct store_job *job, int status);

/* What the sender's ack says of a rejected event. */
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

static struct commit_origin origin_of(const struct batch_event *be)
{
	return (struct commit_origin){be->src->name, be->major, be->minor};
}

static int write_journal(struct engine *e, const struct batch_event *be)
{
	size_t len = protobuf_c_message_get_packed_size(&be->ev->base);
	uint8_t *buf = malloc(len ? len : 1);
	uint8_t prev[JOURNAL_DIGEST_BYTES];
	struct commit_origin o = origin_of(be);
	char maj[POS_DECIMAL_LEN], min[POS_DECIMAL_LEN];

	if (buf == NULL)
		return -ENOMEM;
	protobuf_c_message_pack(&be->ev->base, buf);
	pos_decimal(be->major, maj);
	pos_decimal(be->minor, min);
	memcpy(prev, e->commit.digest, sizeof(prev));
	journal_digest(prev, be->src->name, maj, min, buf, len, e->commit.digest);
	commit_journal(&e->commit, &o, validate_kind_name(be->ev), buf, len, e->commit.digest,
		       sizeof(prev));
	free(buf);
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

void commit_clean_verdict(struct verdict *v)
{
	idnum_mask_text(v->field);
	idnum_mask_text(v->reason);
	utf8_trim(v->reason);
	if (!utf8_valid(v->reason, strlen(v->reason)))
		snprintf(v->reason, sizeof(v->reason), "not valid UTF-8");
	if (!utf8_valid(v->field, strlen(v->field)))
		snprintf(v->field, sizeof(v->field), "event");
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
	struct commit_origin o = origin_of(be);
	int rc = -ENOMEM;

	/* The raw event is kept as it came, in the event and raw columns. */
	commit_clean_verdict(&be->v);
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
	if (be->retry_of != 0) {
		/* A retry that fails again: the same dead letter, its new reason. */
		commit_retried(&e->commit, be->retry_of, false, 0, be->v.field, be->v.reason);
	} else {
		commit_dead_letter(&e->commit, &o, validate_kind_name(be->ev), be->v.field,
				   be->v.reason, event, raw);
		e->dead_letters++;
	}
	rc = strncmp(be->v.reason, "not_authorized:", 15) == 0 ? feed_not_authorized(e, b, be) : 0;
	ingest_log(e, be->src->name, "rejected %s@%" PRIu64 "/%" PRIu64 ": %s: %s",
		    be->src->name, be->major, be->minor, be->v.field, be->v.reason);
cleanup:
	if (r != NULL)
		protobuf_c_message_free_unpacked(&r->base, NULL);
	free(event);
	free(raw);
	return rc;
}

bool commit_subject(const struct decision *d, char *out, size_t len)
{
	if (!d->has_trace)
		return false;
	if (d->type == DEC_LEDGER) {
		/* A reversal is explained next to the decision that follows it. */
		snprintf(out, len, "%s %s %s",
			 d->u.ledger.kind == ASSIST__LEDGER_KIND__LEDGER_KIND_REVERSAL ? "reversal"
										       : "ledger",
			 d->u.ledger.ref, scheme_text(d->u.ledger.scheme));
	} else if (d->type == DEC_BENEFIT) {
		snprintf(out, len, "benefit %s", scheme_text(d->u.benefit.scheme));
	} else {
		return false;
	}
	return true;
}

/* Whether ledger decision i of ds adds to its fund: a household-level event
 * lists one entry on every member under one ref, and the first one counts. */
static bool counted_entry(const struct decisions *ds, size_t i, bool household)
{
	const struct ledger_entry *l = &ds->items[i].u.ledger;

	for (size_t j = 0; household && j < i; j++) {
		const struct decision *o = &ds->items[j];
		if (o->type == DEC_LEDGER && o->u.ledger.scheme == l->scheme &&
		    o->u.ledger.kind == l->kind && strcmp(o->u.ledger.ref, l->ref) == 0 &&
		    strcmp(o->u.ledger.period, l->period) == 0)
			return false;
	}
	return true;
}

/* Where alert a, applied, is in p->alerts (its copy there; an equal one
 * is the same for the order of a reload). */
static int alert_place(const struct person *p, const struct alert *a)
{
	for (size_t i = p->n_alerts; i-- > 0;) {
		if (memcmp(&p->alerts[i], a, sizeof(*a)) == 0)
			return (int)i;
	}
	return (int)p->n_alerts;
}

static int write_decision(struct engine *e, struct batch *b, const struct batch_event *be,
			  size_t i)
{
	const struct decision *d = &e->commit.decisions.items[i];
	const struct event_kind *k = event_of(be->ev);
	struct commit_origin o = origin_of(be);
	uint8_t *trace = NULL;
	char subject[160];
	size_t len = 0;
	bool counted;
	int rc;

	if (commit_subject(d, subject, sizeof(subject)) &&
	    (trace = trace_pack(d, subject, be->src->name, be->major, be->minor, &len)) == NULL)
		return -ENOMEM;
	if (d->type == DEC_LEDGER) {
		/* Its explanation goes in its row. */
		counted = counted_entry(&e->commit.decisions, i,
					k != NULL && (k->flags & EVENT_HOUSEHOLD_LEVEL));
		if ((rc = commit_ledger(&e->commit, &o, d->person, &d->u.ledger, counted, trace,
					len)) < 0)
			return rc;
		return fund_book(e, b, &o, d, counted);
	}
	if (d->type == DEC_ALERT &&
	    (rc = commit_alert(&e->commit, &o, d->person, &d->u.alert,
			       alert_place(d->person, &d->u.alert), e->commit.event_entries)) < 0) {
		free(trace);
		return rc;
	}
	if (trace != NULL)
		commit_explanation(&e->commit, d->person->id, subject, trace, len);
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
		decisions_clear(&e->commit.decisions);
		if (e->replay)
			ymd_set_today(be->today);
		rc = apply_event(&e->world, &ctx, be->ev, &be->v, &e->commit.decisions, &reject);
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
	if (be->retry_of != 0)
		commit_retried(&e->commit, be->retry_of, true, be->major, NULL, NULL);
	e->commit.event_entries = e->commit.n_entries;
	for (size_t i = 0; i < e->commit.decisions.n; i++) {
		const struct decision *d = &e->commit.decisions.items[i];

		if (d->type == DEC_LEDGER)
			tally_ledger(&b->money, d->u.ledger.scheme, d->u.ledger.kind,
				     d->u.ledger.amount);
		if ((rc = write_decision(e, b, be, i)) < 0)
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
	instore_add(&e->instore, hh->id);
	commit_household(&e->commit, hh->id, state, len);
	free(state);
	return 0;
}

/* The row of p's shared entitlement list, unless one is committed or b
 * writes it already. 0 or -ENOMEM. */
static int write_entitlements(struct engine *e, struct batch *b, const struct person *p)
{
	struct entitlement_list *l, **slot;
	uint8_t *packed;
	size_t len;

	if (p->n_entitlements == 0 || (l = state_entitlements_list(p->entitlements))->stored)
		return 0;
	for (size_t i = 0; i < b->n_lists; i++) {
		if (b->lists[i] == l)
			return 0;
	}
	if ((packed = stored_pack_entitlements(l, &len)) == NULL)
		return -ENOMEM;
	if ((slot = vec_grow((void **)&b->lists, &b->n_lists, &b->cap_lists, sizeof(*slot))) !=
	    NULL) {
		*slot = l;
		commit_entitlement_list(&e->commit, l->digest, packed, len);
	}
	free(packed);
	return slot != NULL ? 0 : -ENOMEM;
}

/* p's row, its applications' and its record on the feed. A stored person
 * whose ledger or alerts alone changed keeps its row (the stored form holds
 * neither): their new rows carry the version, feed sequence and time of
 * the record, which a load takes from them (daemon/load.c). So does one
 * whose claims changed only its years and keys, when it has a ledger row in
 * the batch: that row carries them (commit_delta). */
static int write_person(struct engine *e, struct batch *b, struct person *p, int64_t now)
{
	uint64_t core;
	size_t len;
	uint8_t *state;
	int rc;

	p->version++;
	p->updated_at_ms = now;
	p->feed_seq = ++e->feed.seq;
	if (fund_recipients(b, p) < 0)
		return -ENOMEM;
	p->ledger_stored = (uint32_t)p->n_ledger;
	if (p->stored && !p->dirty)
		return feed_record(e, b, p);
	if ((rc = stored_form(p, p->stored ? p->core : 0, &core, &state, &len)) < 0)
		return rc;
	if (state == NULL) { /* its core as stored */
		if ((rc = commit_delta(&e->commit, p)) < 0)
			return rc;
		if (rc == 0) {
			p->keys_stored = (uint32_t)p->n_claim_keys;
			return feed_record(e, b, p);
		}
		state = stored_pack_person(p, &len); /* no ledger row to carry it */
	}
	p->core = core;
	p->keys_stored = (uint32_t)p->n_claim_keys;
	if (state == NULL || write_entitlements(e, b, p) < 0) {
		free(state);
		return -ENOMEM;
	}
	if (!p->stored) /* a row already stored is in the filter, or in what it reads */
		instore_add(&e->instore, p->id);
	commit_person(&e->commit, p, state, len);
	free(state);
	for (size_t i = 0; i < p->n_applications; i++)
		commit_application(&e->commit, p, &p->applications[i]);
	p->stored = true;
	return feed_record(e, b, p);
}

static void write_positions(struct engine *e, const struct batch *b, int64_t now)
{
	char when[40];

	walltime_format(now, when, sizeof(when));
	for (size_t i = 0; i < b->n_acks; i++) {
		const struct batch_ack *a = &b->acks[i];
		commit_position(&e->commit, a->src->name, a->major, a->minor, a->applied,
				a->rejected, a->lag_ms > 0 ? a->lag_ms : 0, when);
	}
}

/* Apply b to memory and hand its transaction to the store. */
void commit_batch(struct engine *e, struct batch *b)
{
	struct store_job *job = store_job_new(STORE_WRITE, on_commit, b);
	int64_t now = walltime_now_ms();
	int rc = job ? 0 : -ENOMEM;

	b->before = batch_mark_of(e);
	memset(&b->money, 0, sizeof(b->money)); /* counted again if applied again */

	for (size_t i = 0; i < b->n_events && rc == 0; i++) {
		rc = apply_one(e, b, &b->events[i]);
		if (i % PUSH_EVERY == PUSH_EVERY - 1)
			store_push(e->store);
	}
	for (size_t i = 0; i < e->world.n_changed_h && rc == 0; i++)
		rc = write_household(e, e->world.changed_h[i]);
	for (size_t i = 0; i < e->world.n_changed_p && rc == 0; i++) {
		rc = write_person(e, b, e->world.changed_p[i], now);
		if (i % PUSH_EVERY == PUSH_EVERY - 1)
			store_push(e->store);
	}
	if (rc == 0)
		rc = feed_page(e, b);
	if (!e->replay)
		write_positions(e, b, now);
	fund_flush(e, b);
	if (rc == 0)
		rc = commit_flush(&e->commit, job);
	world_take_changes(&e->world);
	if (rc < 0) {
		store_job_free(job);
		batch_free(b);
		engine_fatal(e, "building a transaction: %s", strerror(-rc));
		return;
	}
	job->batch = ++e->commit.batch_no;
	b->n_statements = store_job_size(job);
	b->written_ms = walltime_now_ms();
	b->written_ns = uv_hrtime();
	if (e->queue.commit_tail != NULL)
		e->queue.commit_tail->next = b;
	else
		e->queue.commit_head = b;
	e->queue.commit_tail = b;
	b->next = NULL;
	e->queue.n_committing++;
	store_submit(e->store, job);
}

static void on_commit(struct store_job *job, int status)
{
	struct batch *b = job->data;
	struct engine *e = b->e;

	if (status == -ECANCELED) {
		store_job_free(job); /* an earlier batch was refused: b is taken again */
		return;
	}
	if (status < 0 && batch_refused_data(job)) {
		batch_refused(e, b, job);
		store_job_free(job);
		return;
	}
	if (status < 0) {
		engine_fatal(e, "committing batch %" PRIu64 ": %s", job->batch, job->error);
		store_job_free(job);
		return;
	}
	log_debug("batch %" PRIu64 ": %zu events, %zu statements, committed in %" PRId64 " ms",
		  job->batch, b->n_events, b->n_statements, walltime_now_ms() - b->written_ms);
	store_job_free(job);
	tally_committed(&e->tally, b, (double)(uv_hrtime() - b->written_ns) / 1e9);
	batch_committed(e, b);
	/* A retry rejected again may be retried again, once that is stored. */
	for (size_t i = 0; i < b->n_events; i++) {
		if (b->events[i].retry_of != 0 && b->events[i].rejected)
			ingest_retry_failed(e, b->events[i].retry_of);
	}
	for (size_t i = 0; i < b->n_acks; i++) {
		struct batch_ack *a = &b->acks[i];
		struct ingest_source *s = a->src;
		s->done_major = a->major;
		s->done_minor = a->minor;
		s->applied += a->applied;
		s->rejected += a->rejected;
		s->lag_ms = a->lag_ms > 0 ? a->lag_ms : 0;
		ingest_ack(e, s, s->peer, s->peer_len, 0, false, a->rejections, a->n_rejections);
	}
	feed_publish(e, b);
	batch_free(b);
	batch_update_pause(e);
}

