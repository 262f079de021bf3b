#include "commit.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "application.h"
#include "engine.h"
#include "event.h"
#include "fund.h"
#include "idnum.h"
#include "pbjson.h"
#include "policy/appstep.h"
#include "record.h"
#include "schema.h"
#include "scheme.h"
#include "stored.h"
#include "utf8.h"
#include "validate.h"
#include "walltime.h"
#include "ymd.h"

/* While a batch is applied, the jobs before it go on to PostgreSQL every so
 * many events (store_push): a job is larger than the socket's buffer. */
#define PUSH_EVERY 32

/* ---- the rows ---------------------------------------------------------------------- */

/* Each table and the statement that writes it, in the transaction's order
 * (the journal first: its ids and hash chain follow the rows). */
static const struct {
	size_t offset; /* of its struct pgarray in struct commit */
	enum schema_stmt statement;
} tables[] = {
	{offsetof(struct commit, journal), SQL_JOURNAL_ROWS},
	{offsetof(struct commit, dead_letters), SQL_DEAD_LETTER_ROWS},
	{offsetof(struct commit, ledger), SQL_LEDGER_ROWS},
	{offsetof(struct commit, fund_years), SQL_FUND_YEAR_ROWS},
	{offsetof(struct commit, alerts), SQL_ALERT_ROWS},
	{offsetof(struct commit, explanations), SQL_EXPLANATION_ROWS},
	{offsetof(struct commit, households), SQL_HOUSEHOLD_ROWS},
	{offsetof(struct commit, persons), SQL_PERSON_ROWS},
	{offsetof(struct commit, applications), SQL_APPLICATION_ROWS},
	{offsetof(struct commit, feed), SQL_FEED_ROWS},
	{offsetof(struct commit, feed_pages), SQL_FEED_PAGE_ROWS},
	{offsetof(struct commit, positions), SQL_POSITION_ROWS},
	{offsetof(struct commit, retried), SQL_DEAD_LETTER_RETRY_ROWS},
};

#define N_TABLES (sizeof(tables) / sizeof(tables[0]))

static struct pgarray *table(struct commit *c, size_t i)
{
	return (struct pgarray *)((char *)c + tables[i].offset);
}

void commit_init(struct commit *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < N_TABLES; i++)
		pgarray_init(table(c, i), schema_catalog.statements[tables[i].statement].nparams);
}

/* The scheme table's name: the JSON name, without formatting one per row. */
static const char *scheme_name(Assist__Scheme s)
{
	const struct scheme *row = scheme_get(s);

	return row != NULL ? row->name : "unspecified";
}

static void origin(struct pgarray *r, int col, const struct commit_origin *o)
{
	pgarray_text(r, col, o->source);
	pgarray_numeric(r, col + 1, o->major);
	pgarray_numeric(r, col + 2, o->minor);
}

void commit_journal(struct commit *c, const struct commit_origin *o, const char *kind,
		    const uint8_t *event, size_t len, const uint8_t *prev, const uint8_t *digest,
		    size_t digest_len)
{
	origin(&c->journal, 0, o);
	pgarray_text(&c->journal, 3, kind);
	pgarray_bytea(&c->journal, 4, event, len);
	pgarray_bytea(&c->journal, 5, prev, digest_len);
	pgarray_bytea(&c->journal, 6, digest, digest_len);
}

void commit_dead_letter(struct commit *c, const struct commit_origin *o, const char *kind,
			const char *field, const char *reason, const char *event_json,
			const char *raw)
{
	origin(&c->dead_letters, 0, o);
	pgarray_text(&c->dead_letters, 3, kind);
	pgarray_text(&c->dead_letters, 4, field);
	pgarray_text(&c->dead_letters, 5, reason);
	pgarray_text(&c->dead_letters, 6, event_json);
	pgarray_text(&c->dead_letters, 7, raw);
}

void commit_retried(struct commit *c, uint64_t id, bool applied, uint64_t major,
		    const char *field, const char *reason)
{
	pgarray_uint(&c->retried, 0, id);
	pgarray_bool(&c->retried, 1, applied);
	pgarray_numeric(&c->retried, 2, major);
	pgarray_text(&c->retried, 3, field);
	pgarray_text(&c->retried, 4, reason);
}

int commit_ledger(struct commit *c, const struct commit_origin *o, const struct person *p,
		  const struct ledger_entry *l, bool counted)
{
	struct commit_entry *w = vec_grow((void **)&c->entries, &c->n_entries, &c->cap_entries,
					  sizeof(*w));

	if (w == NULL)
		return -ENOMEM;
	w->p = p;
	w->le = *l;
	w->o = *o;
	w->counted = counted;
	return 0;
}

/* Entry w's row, stamped with the record its person's write made. */
static void ledger_row(struct commit *c, const struct commit_entry *w)
{
	const struct ledger_entry *l = &w->le;
	char date[YMD_BUFLEN], kind[16];
	const char *k = pbjson_enum_name(&assist__ledger_kind__descriptor, l->kind, kind,
					 sizeof(kind));

	pgarray_text(&c->ledger, 0, w->p->id);
	pgarray_text(&c->ledger, 1, l->ref);
	pgarray_text(&c->ledger, 2, scheme_name(l->scheme));
	pgarray_text(&c->ledger, 3, l->date != YMD_NONE ? ymd_format(l->date, date) : NULL);
	pgarray_int(&c->ledger, 4, l->requested);
	pgarray_int(&c->ledger, 5, l->amount);
	pgarray_bool(&c->ledger, 6, l->clipped);
	pgarray_text(&c->ledger, 7, l->reason);
	origin(&c->ledger, 8, &w->o);
	pgarray_text(&c->ledger, 11, k != NULL ? k : "decision");
	pgarray_text(&c->ledger, 12, l->period[0] != '\0' ? l->period : NULL);
	pgarray_bool(&c->ledger, 13, w->counted);
	pgarray_uint(&c->ledger, 14, w->p->version);
	pgarray_uint(&c->ledger, 15, w->p->feed_seq);
	pgarray_int(&c->ledger, 16, w->p->updated_at_ms);
}

void commit_fund_year(struct commit *c, const char *scheme, int year, int64_t spent,
		      int64_t entries, bool alerted, int64_t recipients)
{
	pgarray_text(&c->fund_years, 0, scheme);
	pgarray_int(&c->fund_years, 1, year);
	pgarray_int(&c->fund_years, 2, spent);
	pgarray_int(&c->fund_years, 3, entries);
	pgarray_bool(&c->fund_years, 4, alerted);
	pgarray_int(&c->fund_years, 5, recipients);
}

void commit_alert(struct commit *c, const struct commit_origin *o, const char *id,
		  const struct alert *a, const char *scheme)
{
	pgarray_text(&c->alerts, 0, id);
	pgarray_text(&c->alerts, 1, a->code);
	pgarray_text(&c->alerts, 2, scheme);
	pgarray_text(&c->alerts, 3, a->ref);
	pgarray_text(&c->alerts, 4, a->message);
	origin(&c->alerts, 5, o);
}

void commit_explanation(struct commit *c, const char *id, const char *subject,
			const uint8_t *packed, size_t len)
{
	pgarray_text(&c->explanations, 0, id);
	pgarray_text(&c->explanations, 1, subject);
	pgarray_bytea(&c->explanations, 2, packed, len);
}

void commit_household(struct commit *c, const char *id, const uint8_t *state, size_t len)
{
	pgarray_text(&c->households, 0, id);
	pgarray_bytea(&c->households, 1, state, len);
}

void commit_person(struct commit *c, const struct person *p, const uint8_t *state, size_t len)
{
	pgarray_text(&c->persons, 0, p->id);
	pgarray_text(&c->persons, 1, p->household_id);
	pgarray_text(&c->persons, 2, p->place.district);
	pgarray_bytea(&c->persons, 3, state, len);
	pgarray_uint(&c->persons, 4, p->version);
	pgarray_bool(&c->persons, 5, world_may_be_paid(p));
	pgarray_text(&c->persons, 6, p->place.town);
	pgarray_text(&c->persons, 7, p->place.community);
	pgarray_int(&c->persons, 8, world_bucket(p->id));
}

void commit_application(struct commit *c, const struct person *p, const struct application *app)
{
	const struct scheme *s = scheme_get(app->scheme);
	char since[YMD_BUFLEN];
	ymd_t on = app->n_steps > 0 ? app->steps[app->n_steps - 1].on : YMD_NONE;

	pgarray_text(&c->applications, 0, app->id);
	pgarray_text(&c->applications, 1, p->id);
	pgarray_text(&c->applications, 2, s != NULL ? s->name : "");
	pgarray_text(&c->applications, 3, appstep_name(app->state));
	pgarray_text(&c->applications, 4, on != YMD_NONE ? ymd_format(on, since) : NULL);
	pgarray_bool(&c->applications, 5, !appstep_closed(app->state));
	pgarray_bool(&c->applications, 6, application_raised(p, app));
}

void commit_feed(struct commit *c, uint64_t seq, const char *topic, const uint8_t *msg,
		 size_t len)
{
	pgarray_uint(&c->feed, 0, seq);
	pgarray_text(&c->feed, 1, topic);
	pgarray_bytea(&c->feed, 2, msg, len);
}

void commit_feed_page(struct commit *c, uint64_t first, uint64_t last, const uint8_t *page,
		      size_t len)
{
	pgarray_uint(&c->feed_pages, 0, first);
	pgarray_uint(&c->feed_pages, 1, last);
	pgarray_bytea(&c->feed_pages, 2, page, len);
}

void commit_position(struct commit *c, const char *source, uint64_t major, uint64_t minor,
		     uint64_t applied, uint64_t rejected, int64_t lag_ms, const char *when)
{
	pgarray_text(&c->positions, 0, source);
	pgarray_numeric(&c->positions, 1, major);
	pgarray_numeric(&c->positions, 2, minor);
	pgarray_uint(&c->positions, 3, applied);
	pgarray_uint(&c->positions, 4, rejected);
	pgarray_int(&c->positions, 5, lag_ms);
	pgarray_text(&c->positions, 6, when);
}

int commit_flush(struct commit *c, struct store_job *job)
{
	int rc = 0;

	for (size_t i = 0; i < c->n_entries; i++)
		ledger_row(c, &c->entries[i]);
	c->n_entries = 0;
	for (size_t i = 0; i < N_TABLES; i++) {
		if (rc == 0)
			rc = pgarray_flush(table(c, i), job, tables[i].statement);
		pgarray_clear(table(c, i));
	}
	return rc;
}

void commit_free(struct commit *c)
{
	for (size_t i = 0; i < N_TABLES; i++)
		pgarray_free(table(c, i));
	free(c->entries);
	decisions_free(&c->decisions);
}

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
	char maj[24], min[24];

	if (buf == NULL)
		return -ENOMEM;
	protobuf_c_message_pack(&be->ev->base, buf);
	snprintf(maj, sizeof(maj), "%" PRIu64, be->major);
	snprintf(min, sizeof(min), "%" PRIu64, be->minor);
	memcpy(prev, e->commit.digest, sizeof(prev));
	journal_digest(prev, be->src->name, maj, min, buf, len, e->commit.digest);
	commit_journal(&e->commit, &o, validate_kind_name(be->ev), buf, len, prev, e->commit.digest,
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
			 d->u.ledger.ref, scheme_name(d->u.ledger.scheme));
	} else if (d->type == DEC_BENEFIT) {
		snprintf(out, len, "benefit %s", scheme_name(d->u.benefit.scheme));
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

static int write_decision(struct engine *e, struct batch *b, const struct batch_event *be,
			  size_t i)
{
	const struct decision *d = &e->commit.decisions.items[i];
	const struct event_kind *k = event_of(be->ev);
	struct commit_origin o = origin_of(be);
	char subject[160];
	uint8_t *trace;
	size_t len;
	bool counted;
	int rc;

	if (d->type == DEC_LEDGER) {
		counted = counted_entry(&e->commit.decisions, i,
					k != NULL && (k->flags & EVENT_HOUSEHOLD_LEVEL));
		if ((rc = commit_ledger(&e->commit, &o, d->person, &d->u.ledger, counted)) < 0 ||
		    (rc = fund_book(e, b, &o, d, counted)) < 0)
			return rc;
	} else if (d->type == DEC_ALERT) {
		commit_alert(&e->commit, &o, d->person->id, &d->u.alert,
			     scheme_name(d->u.alert.scheme));
	}
	if (!commit_subject(d, subject, sizeof(subject)))
		return 0;
	trace = trace_pack(d, subject, be->src->name, be->major, be->minor, &len);
	if (trace == NULL)
		return -ENOMEM;
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

/* p's row, its applications' and its record on the feed. A stored person
 * whose ledger alone changed keeps its row (the stored form holds no
 * ledger): its new entries carry the version, feed sequence and time of
 * the record, which a load takes from them (daemon/load.c). */
static int write_person(struct engine *e, struct batch *b, struct person *p, int64_t now)
{
	size_t len;
	uint8_t *state;

	p->version++;
	p->updated_at_ms = now;
	p->feed_seq = ++e->feed.seq;
	if (fund_recipients(b, p) < 0)
		return -ENOMEM;
	p->ledger_stored = (uint32_t)p->n_ledger;
	if (p->stored && !p->dirty)
		return feed_record(e, b, p);
	state = stored_pack_person(p, &len);
	if (state == NULL)
		return -ENOMEM;
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

