#include "batch.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commit.h"
#include "engine.h"
#include "event.h"
#include "idnum.h"
#include "load.h"
#include "recompute.h"
#include "record.h"
#include "schema.h"
#include "stored.h"
#include "strmap.h"

/* ---- thresholds ------------------------------------------------------------------ */

bool batch_full(size_t n, int64_t max_events)
{
	return n >= (size_t)max_events;
}

size_t batch_in_flight(const struct batch_queue *q)
{
	return q->n_queued + q->n_committing + (q->loading ? 1 : 0);
}

bool batch_pause_wanted(size_t in_flight, int64_t max_inflight)
{
	return in_flight >= (size_t)max_inflight;
}

bool batch_drained(const struct batch_queue *q)
{
	return q->draining && q->filling == NULL && q->n_queued == 0 && q->n_committing == 0;
}

/* ---- batches --------------------------------------------------------------------- */

void batch_free(struct batch *b)
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
	fund_deltas_free(&b->funds);
	free(b->lists);
	free(b);
}

struct batch_mark batch_mark_of(const struct engine *e)
{
	struct batch_mark m = {e->feed.seq, e->dead_letters, e->world.created, {0}};

	memcpy(m.digest, e->commit.digest, sizeof(m.digest));
	return m;
}

struct batch_ack *batch_ack_for(struct batch *b, struct ingest_source *src)
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

void batch_update_pause(struct engine *e)
{
	struct batch_queue *q = &e->queue;
	bool full = batch_pause_wanted(batch_in_flight(q), e->cfg->max_inflight);

	if (full != q->paused) {
		q->paused = full;
		e->ops->pause(e->data, full);
	}
	if (batch_drained(q))
		e->ops->drained(e->data);
}

static void pump(struct engine *e);

void batch_seal(struct engine *e)
{
	struct batch_queue *q = &e->queue;
	struct batch *b = q->filling;

	if (b == NULL)
		return;
	uv_timer_stop(&q->timer);
	q->filling = NULL;
	if (q->queue_tail != NULL)
		q->queue_tail->next = b;
	else
		q->queue_head = b;
	q->queue_tail = b;
	q->n_queued++;
	pump(e);
	batch_update_pause(e);
}

static void on_timer(uv_timer_t *t)
{
	batch_seal(t->data);
}

int batch_queue_init(struct batch_queue *q, uv_loop_t *loop, struct engine *e)
{
	int rc = uv_timer_init(loop, &q->timer);

	q->timer.data = e;
	return rc;
}

int batch_add(struct engine *e, struct ingest_source *src, Assist__Event *ev, uint64_t major,
	      uint64_t minor)
{
	return batch_add_as(e, src, src->name, ev, major, minor);
}

int batch_add_as(struct engine *e, struct ingest_source *src, const char *role_of,
		 Assist__Event *ev, uint64_t major, uint64_t minor)
{
	struct batch_queue *q = &e->queue;
	struct batch_event *be;

	if (q->filling == NULL) {
		q->filling = calloc(1, sizeof(*q->filling));
		if (q->filling == NULL)
			return -ENOMEM;
		q->filling->e = e;
		uv_timer_start(&q->timer, on_timer, (uint64_t)e->cfg->batch_max_ms, 0);
	}
	be = vec_grow((void **)&q->filling->events, &q->filling->n_events,
		      &q->filling->cap_events, sizeof(*be));
	if (be == NULL)
		return -ENOMEM;
	be->ev = ev;
	be->src = src;
	be->major = major;
	be->minor = minor;
	/* A replayed event passed the roles in force when it came. */
	be->rejected = validate_event(ev, &be->v) < 0 ||
		       (!e->replay && !src->internal &&
			roles_check(roles_find(e->roles, role_of), role_of, ev, &be->v) < 0);
	be->isolate = false;
	be->refusals = 0;
	be->retry_of = 0;
	snprintf(be->role_of, sizeof(be->role_of), "%s", role_of);
	return 0;
}

void batch_committed(struct engine *e, struct batch *b)
{
	struct batch_queue *q = &e->queue;

	q->commit_head = b->next;
	if (q->commit_head == NULL)
		q->commit_tail = NULL;
	q->n_committing--;
	funds_committed(&e->funds, &b->funds);
	for (size_t i = 0; i < b->n_lists; i++)
		b->lists[i]->stored = true;
}

/* ---- loading what a batch names -------------------------------------------------- */

/* The id and household ev names (a claims chunk: those of its claims), if
 * memory does not have them. */
static int collect_event(struct engine *e, const Assist__Event *ev, struct load_ids *ids,
			 struct load_ids *hhs)
{
	const char *id = validate_subject(ev);
	const char *hh = event_text(ev, EVENT_FIELD_HOUSEHOLD);
	int rc = 0;

	if (ev->payload_case == ASSIST__EVENT__PAYLOAD_RECOMPUTE) {
		for (size_t i = 0; i < ev->recompute->n_events && rc == 0; i++)
			rc = collect_event(e, ev->recompute->events[i], ids, hhs);
		return rc;
	}
	if (id != NULL && strmap_get(&e->world.persons, id) == NULL &&
	    instore_maybe(&e->instore, id))
		rc = load_ids_add(ids, id);
	if (rc == 0 && hh != NULL && *hh != '\0' && strmap_get(&e->world.households, hh) == NULL &&
	    instore_maybe(&e->instore, hh))
		rc = load_ids_add(hhs, hh);
	return rc;
}

/* ids and households the batch names that memory does not have. */
static int collect_missing(struct engine *e, const struct batch *b, struct load_ids *ids,
			   struct load_ids *hhs)
{
	int rc = 0;

	for (size_t i = 0; i < b->n_events && rc == 0; i++) {
		if (!b->events[i].rejected)
			rc = collect_event(e, b->events[i].ev, ids, hhs);
	}
	return rc;
}

int batch_load_missing(struct engine *e, const char *const *ids, size_t n, store_done_cb done,
		       void *data, struct store_job **out)
{
	struct load_ids missing = {0}, none = {0};
	int rc = 0;

	*out = NULL;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (strmap_get(&e->world.persons, ids[i]) == NULL)
			rc = load_ids_add(&missing, ids[i]);
	}
	if (rc == 0 && missing.n > 0 &&
	    (*out = load_job_new(&missing, &none, &(struct load_payees){0, 0}, done, data)) == NULL)
		rc = -ENOMEM;
	load_ids_free(&missing);
	return rc;
}

int batch_load_events(struct engine *e, Assist__Event *const *evs, size_t n,
		      store_done_cb done, void *data, struct store_job **out)
{
	struct load_ids ids = {0}, hhs = {0};
	int rc = 0;

	*out = NULL;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = collect_event(e, evs[i], &ids, &hhs);
	if (rc == 0 && (ids.n > 0 || hhs.n > 0) &&
	    (*out = load_job_new(&ids, &hhs, &(struct load_payees){0, 0}, done, data)) == NULL)
		rc = -ENOMEM;
	load_ids_free(&ids);
	load_ids_free(&hhs);
	return rc;
}

static void on_batch_loaded(struct store_job *job, int status)
{
	struct engine *e = job->data;
	struct batch_queue *q = &e->queue;

	q->loading = false;
	if (status < 0) {
		engine_fatal(e, "loading persons: %s", job->error);
		store_job_free(job);
		return;
	}
	/* A refused batch rebuilds the queue: a load begun before is of no batch
	 * now, and pump looks again at what the new head names. Nor is it
	 * adopted: read before commits that the refusal then cleared from
	 * memory, it may hold a payee as it was before them. */
	if (!q->load_stale && load_adopt(e, job) < 0) {
		engine_fatal(e, "out of memory loading persons");
		store_job_free(job);
		return;
	}
	store_job_free(job);
	if (!q->load_stale) {
		if (q->load_parts > 0)
			world_payees_loaded(&e->world, q->load_part, q->load_parts);
		q->queue_head->loaded = true;
	}
	q->load_stale = false;
	pump(e);
	batch_update_pause(e);
}

/* Whom b's city-level events (a payment run, a recompute chunk) read: who
 * may be paid, whom memory may lack; two of other buckets read everyone.
 * None when memory already holds them. */
static struct load_payees names_payees(const struct world *w, const struct batch *b)
{
	struct load_payees py = {0, 0};

	for (size_t i = 0; i < b->n_events; i++) {
		const struct event_kind *k = event_of(b->events[i].ev);
		struct load_payees one;

		if (b->events[i].rejected || k == NULL || !(k->flags & EVENT_CITY_LEVEL))
			continue;
		recompute_payee_bucket(b->events[i].ev, &one.part, &one.parts);
		if (one.parts == 0)
			continue;
		if (py.parts != 0 && (one.part != py.part || one.parts != py.parts))
			one = (struct load_payees){0, 1};
		py = one;
	}
	if (py.parts > 0 && world_payees_in_memory(w, py.part, py.parts))
		py = (struct load_payees){0, 0};
	return py;
}

/* Apply queued batches in order; the head may first need a load. */
static void pump(struct engine *e)
{
	struct batch_queue *q = &e->queue;

	while (q->queue_head != NULL && !q->loading) {
		struct batch *b = q->queue_head;
		struct load_ids ids = {0}, hhs = {0};
		struct store_job *job;
		struct load_payees py = b->loaded ? (struct load_payees){0, 0} : names_payees(&e->world, b);

		if (!b->loaded && collect_missing(e, b, &ids, &hhs) < 0) {
			load_ids_free(&ids);
			load_ids_free(&hhs);
			engine_fatal(e, "out of memory");
			return;
		}
		if (ids.n == 0 && hhs.n == 0 && py.parts == 0) {
			q->queue_head = b->next;
			if (q->queue_head == NULL)
				q->queue_tail = NULL;
			q->n_queued--;
			commit_batch(e, b);
			continue;
		}
		job = load_job_new(&ids, &hhs, &py, on_batch_loaded, e);
		load_ids_free(&ids);
		load_ids_free(&hhs);
		if (job == NULL) {
			engine_fatal(e, "out of memory");
			return;
		}
		q->loading = true;
		q->load_part = py.part;
		q->load_parts = py.parts;
		store_submit(engine_loader(e), job);
	}
}

/* ---- a batch the store refuses ----------------------------------------------------
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

bool batch_refused_data(const struct store_job *job)
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
static int take_back_all(struct batch_queue *q, struct taken *t)
{
	struct batch *lists[] = {q->commit_head, q->queue_head, q->filling};
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
	uv_timer_stop(&q->timer);
	q->commit_head = q->commit_tail = q->queue_head = q->queue_tail = q->filling = NULL;
	q->n_committing = q->n_queued = 0;
	return rc;
}

/* Take be in again, alone in a batch of its own when isolated. */
static int take_again(struct engine *e, const struct batch_event *old)
{
	struct batch *f;
	struct batch_event *be;
	bool alone = old->isolate || old->refusals > 0;

	if (alone)
		batch_seal(e);
	if (batch_add_as(e, old->src, old->role_of, old->ev, old->major, old->minor) < 0)
		return -ENOMEM;
	f = e->queue.filling;
	be = &f->events[f->n_events - 1];
	be->isolate = old->isolate;
	be->refusals = old->refusals;
	be->retry_of = old->retry_of;
	if (be->refusals > 0) {
		be->rejected = true;
		be->v = old->v;
	}
	old->src->taken_major = old->major;
	old->src->taken_minor = old->minor;
	if (alone || batch_full(f->n_events, e->cfg->batch_max_events))
		batch_seal(e);
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

/* Memory and counters back to what the store has: as before b. */
static void rewind_to(struct engine *e, const struct batch *b)
{
	e->queue.load_stale = e->queue.loading;
	e->feed.seq = b->before.feed_seq;
	e->dead_letters = b->before.dead_letters;
	memcpy(e->commit.digest, b->before.digest, sizeof(e->commit.digest));
	world_clear(&e->world);
	funds_rewind(&e->funds);
	e->world.created = b->before.created;
	for (struct ingest_source *s = e->ingest.sources; s != NULL; s = s->next) {
		s->taken_major = s->done_major;
		s->taken_minor = s->done_minor;
	}
}

void batch_refused(struct engine *e, struct batch *b, const struct store_job *job)
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
		engine_fatal(e, "a dead letter without its event was refused: %s", masked);
		return;
	}
	blame(b, job);
	store_cancel_writes(e->store);
	rewind_to(e, b);
	rc = take_back_all(&e->queue, &t);
	for (size_t i = 0; i < t.n && rc == 0; i++)
		rc = take_again(e, &t.events[i]);
	if (rc < 0) {
		for (size_t i = 0; i < t.n; i++)
			protobuf_c_message_free_unpacked(&t.events[i].ev->base, NULL);
		free(t.events);
		engine_fatal(e, "out of memory taking a refused batch's events again");
		return;
	}
	free(t.events);
	batch_seal(e);
	pump(e);
	batch_update_pause(e);
}

void batch_queue_free(struct batch_queue *q)
{
	struct batch *lists[] = {q->filling, q->queue_head, q->commit_head};

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		while (lists[i] != NULL) {
			struct batch *next = i == 0 ? NULL : lists[i]->next;
			batch_free(lists[i]);
			lists[i] = next;
		}
	}
}
