#include "simulate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "batch.h"
#include "commit.h"
#include "event.h"
#include "ingest.h"
#include "load.h"
#include "log.h"
#include "query.h"
#include "record.h"
#include "server.h"
#include "standards.h"
#include "stored.h"

/* A person of the reply: its record's explanations. */
struct simulate_person {
	struct person *p; /* in the simulation's world */
	Assist__Explanation **items;
	size_t n_items, cap_items;
	char subject[SUBJECT_HEX_LEN + 1];
};

/* ---- checking ------------------------------------------------------------------ */

const char *simulate_source(const Assist__Event *ev)
{
	const struct event_kind *k;

	if (ev->source != NULL && ev->source[0] != '\0')
		return ev->source;
	k = event_kind(ev->kind);
	return k != NULL && k->senders != NULL ? k->senders[0] : NULL;
}

uint64_t simulate_number(const Assist__Event *ev, size_t index)
{
	if (ev->seq != 0)
		return ev->seq;
	if (ev->position != NULL && ev->position->major != 0)
		return ev->position->major;
	return index;
}

/* Whether se may be simulated: valid, and inside its source's role. */
static bool check_one(struct simulate_event *se, const struct roles *roles)
{
	if (validate_event(se->ev, &se->v) < 0)
		return false;
	/* Its source once validated: the kind is known, so is its sender. */
	se->source = simulate_source(se->ev);
	if (se->source == NULL || strcmp(se->source, STANDARDS_SOURCE) == 0 ||
	    strcmp(se->source, INGEST_RETRY_SOURCE) == 0) {
		snprintf(se->v.field, sizeof(se->v.field), "event.source");
		snprintf(se->v.reason, sizeof(se->v.reason), "%s",
			 se->source == NULL ? "is required (no department sends this kind)"
					    : "is assistd's own source");
		return false;
	}
	return roles_check(roles_find(roles, se->source), se->source, se->ev, &se->v) == 0;
}

int simulate_check(struct simulation *s, const struct roles *roles, Assist__Event **evs,
		   size_t n)
{
	memset(s, 0, sizeof(*s));
	s->events = calloc(n ? n : 1, sizeof(*s->events));
	s->valid = calloc(n ? n : 1, sizeof(*s->valid));
	if (s->events == NULL || s->valid == NULL)
		return -ENOMEM;
	s->n_events = n;
	for (size_t i = 0; i < n; i++) {
		struct simulate_event *se = &s->events[i];

		se->ev = evs[i];
		se->number = simulate_number(evs[i], i + 1);
		se->rejected = !check_one(se, roles);
		if (!se->rejected)
			s->valid[s->n_valid++] = evs[i];
	}
	return 0;
}

/* ---- the copy ------------------------------------------------------------------ */

/* p of the engine's world into w, a copy. 0 or -ENOMEM. */
static int copy_person(struct world *w, const struct person *p)
{
	struct person *c;

	if (strmap_get(&w->persons, p->id) != NULL)
		return 0;
	c = stored_copy_person(p);
	return c != NULL ? world_adopt_person(w, c) : -ENOMEM;
}

/* hh and every member of it into w: a rule for one member reads the others. */
static int copy_household(struct world *w, const struct household *hh)
{
	int rc = 0;

	if (strmap_get(&w->households, hh->id) == NULL) {
		size_t len;
		uint8_t *data = stored_pack_household(hh, &len);
		struct household *c = data != NULL ? stored_unpack_household(data, len) : NULL;
		free(data);
		if (c == NULL || (rc = world_adopt_household(w, c)) < 0)
			return -ENOMEM;
	}
	for (size_t i = 0; i < hh->n_m && rc == 0; i++)
		rc = copy_person(w, hh->m[i]);
	return rc;
}

/* What ev names, as a batch loads it: its person, the household it names,
 * with their households' members (a recompute chunk's: its claims'). */
static int copy_named(struct world *w, const struct world *real, const Assist__Event *ev)
{
	const char *id = validate_subject(ev), *hh_id = event_text(ev, EVENT_FIELD_HOUSEHOLD);
	const struct person *p = id != NULL ? strmap_get(&real->persons, id) : NULL;
	const struct household *hh =
		hh_id != NULL && hh_id[0] != '\0' ? strmap_get(&real->households, hh_id) : NULL;
	int rc = 0;

	if (ev->payload_case == ASSIST__EVENT__PAYLOAD_RECOMPUTE) {
		for (size_t i = 0; i < ev->recompute->n_events && rc == 0; i++)
			rc = copy_named(w, real, ev->recompute->events[i]);
		return rc;
	}
	if (p != NULL && p->hh != NULL)
		rc = copy_household(w, p->hh);
	if (rc == 0 && p != NULL)
		rc = copy_person(w, p);
	if (rc == 0 && hh != NULL)
		rc = copy_household(w, hh);
	return rc;
}

/* ---- applying ------------------------------------------------------------------ */

/* The reply's entry of p, added at the end if new; NULL without memory. */
static struct simulate_person *person_of(struct simulation *s, struct person *p)
{
	struct simulate_person *sp = strmap_get(&s->by_id, p->id), **slot;

	if (sp != NULL)
		return sp;
	if ((sp = calloc(1, sizeof(*sp))) == NULL)
		return NULL;
	sp->p = p;
	slot = vec_grow((void **)&s->persons, &s->n_persons, &s->cap_persons, sizeof(*slot));
	if (slot == NULL || strmap_put(&s->by_id, p->id, sp) < 0) {
		if (slot != NULL)
			s->n_persons--;
		free(sp);
		return NULL;
	}
	*slot = sp;
	return sp;
}

/* The members of hh (NULL: none) in the reply. */
static int members_of(struct simulation *s, const struct household *hh)
{
	for (size_t i = 0; hh != NULL && i < hh->n_m; i++) {
		if (person_of(s, hh->m[i]) == NULL)
			return -ENOMEM;
	}
	return 0;
}

/* The explanation of d (when it has one) with the records of its person,
 * as explain shows those the store keeps. */
static int explain(struct simulation *s, const struct simulate_event *se,
		   const struct decision *d)
{
	struct simulate_person *sp = person_of(s, d->person);
	Assist__Explanation *m, **slot;
	char subject[160];
	uint8_t *trace;
	size_t len;

	if (sp == NULL)
		return -ENOMEM;
	if (!commit_subject(d, subject, sizeof(subject)))
		return 0;
	trace = trace_pack(d, subject, se->source, se->number, 0, &len);
	m = trace != NULL ? assist__explanation__unpack(NULL, len, trace) : NULL;
	free(trace);
	if (m == NULL)
		return -ENOMEM;
	slot = vec_grow((void **)&sp->items, &sp->n_items, &sp->cap_items, sizeof(*slot));
	if (slot == NULL) {
		protobuf_c_message_free_unpacked(&m->base, NULL);
		return -ENOMEM;
	}
	*slot = m;
	return 0;
}

/* Who se names (its person, the members of its and the named household) and
 * what its decisions out explain, into the reply. */
static int note_event(struct simulation *s, const struct simulate_event *se,
		      const struct decisions *out)
{
	const char *id = validate_subject(se->ev), *hh = event_text(se->ev, EVENT_FIELD_HOUSEHOLD);
	struct person *p = id != NULL ? strmap_get(&s->w.persons, id) : NULL;
	int rc = 0;

	if (p != NULL && (person_of(s, p) == NULL || (rc = members_of(s, p->hh)) < 0))
		return rc < 0 ? rc : -ENOMEM;
	if (hh != NULL && hh[0] != '\0' && (rc = members_of(s, strmap_get(&s->w.households, hh))) < 0)
		return rc;
	for (size_t i = 0; i < out->n && rc == 0; i++)
		rc = explain(s, se, &out->items[i]);
	return rc;
}

/* Every checked event applied to the copy, in order; one the rules reject
 * now (a claim seen before) is rejected. */
static int apply_all(struct simulation *s, const struct params *params)
{
	struct decisions out = {0};
	struct verdict reject;
	int rc = 0;

	for (size_t i = 0; i < s->n_events && rc == 0; i++) {
		struct simulate_event *se = &s->events[i];
		struct policy_ctx ctx = {params, se->source, se->number, 0};

		if (se->rejected)
			continue;
		decisions_clear(&out);
		rc = apply_event(&s->w, &ctx, se->ev, &se->v, &out, &reject);
		if (rc == -EINVAL) {
			se->rejected = true;
			se->v = reject;
			rc = 0;
		} else if (rc == 0) {
			rc = note_event(s, se, &out);
		}
	}
	/* Anyone else a decision changed. */
	for (size_t i = 0; i < s->w.n_changed_p && rc == 0; i++)
		rc = person_of(s, s->w.changed_p[i]) != NULL ? 0 : -ENOMEM;
	decisions_free(&out);
	return rc;
}

/* ---- the reply ----------------------------------------------------------------- */

static int reply_records(struct simulation *s, const struct params *params, ymd_t as_of)
{
	Assist__SimulateReply *r = &s->reply;
	size_t n = s->n_persons ? s->n_persons : 1;

	r->records = arena_alloc(&s->a, n * sizeof(*r->records));
	r->explanations = arena_alloc(&s->a, n * sizeof(*r->explanations));
	if (r->records == NULL || r->explanations == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_persons; i++) {
		struct simulate_person *sp = s->persons[i];
		Assist__ExplainReply *ex = arena_alloc(&s->a, sizeof(*ex));

		r->records[i] = record_build(&s->a, sp->p, 0, as_of, params, true);
		if (ex == NULL || r->records[i] == NULL)
			return -ENOMEM;
		assist__explain_reply__init(ex);
		ex->id_number = sp->p->id;
		if (record_subject_key(sp->p->id, sp->subject) != NULL)
			ex->subject_key = sp->subject;
		ex->items = sp->items;
		ex->n_items = sp->n_items;
		r->explanations[i] = ex;
	}
	r->n_records = r->n_explanations = s->n_persons;
	return 0;
}

static int reply_rejections(struct simulation *s)
{
	Assist__SimulateReply *r = &s->reply;

	r->rejections = arena_alloc(&s->a, (s->n_events ? s->n_events : 1) * sizeof(*r->rejections));
	if (r->rejections == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_events; i++) {
		struct simulate_event *se = &s->events[i];
		Assist__Rejection *rj;
		Assist__Position *pos;

		if (!se->rejected)
			continue;
		rj = arena_alloc(&s->a, sizeof(*rj));
		pos = arena_alloc(&s->a, sizeof(*pos));
		if (rj == NULL || pos == NULL)
			return -ENOMEM;
		assist__rejection__init(rj);
		assist__position__init(pos);
		pos->major = se->number;
		commit_clean_verdict(&se->v);
		rj->position = pos;
		rj->field = se->v.field;
		rj->reason = se->v.reason;
		r->rejections[r->n_rejections++] = rj;
	}
	return 0;
}

int simulate_apply(struct simulation *s, const struct world *real, const struct params *params,
		   ymd_t as_of)
{
	int rc = 0;

	assist__simulate_reply__init(&s->reply);
	for (size_t i = 0; i < s->n_valid && rc == 0; i++)
		rc = copy_named(&s->w, real, s->valid[i]);
	if (rc == 0)
		rc = apply_all(s, params);
	if (rc == 0)
		rc = reply_records(s, params, as_of);
	if (rc == 0)
		rc = reply_rejections(s);
	return rc;
}

void simulate_free(struct simulation *s)
{
	for (size_t i = 0; i < s->n_persons; i++) {
		for (size_t j = 0; j < s->persons[i]->n_items; j++)
			protobuf_c_message_free_unpacked(&s->persons[i]->items[j]->base, NULL);
		free(s->persons[i]->items);
		free(s->persons[i]);
	}
	free(s->persons);
	strmap_free(&s->by_id);
	world_free(&s->w);
	arena_free(&s->a);
	free(s->events);
	free(s->valid);
	memset(s, 0, sizeof(*s));
}

/* ---- the query ----------------------------------------------------------------- */

/* A simulation asked for, kept while what it names is loaded. */
struct simulate_query {
	struct query_asker who;
	Assist__SimulateRequest *rq; /* a copy: the request goes when its handler returns */
	ymd_t as_of;
	struct simulation sim;
};

static void query_free(struct simulate_query *q)
{
	simulate_free(&q->sim);
	if (q->rq != NULL)
		assist__simulate_request__free_unpacked(q->rq, NULL);
	free(q);
}

static void answer(struct simulate_query *q)
{
	Assist__Reply r = ASSIST__REPLY__INIT;

	if (simulate_apply(&q->sim, &q->who.srv->engine.world, q->who.srv->params, q->as_of) < 0) {
		query_fail(&q->who, ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY, "out of memory");
	} else {
		r.body_case = ASSIST__REPLY__BODY_SIMULATE;
		r.simulate = &q->sim.reply;
		query_answer(&q->who, &r);
	}
	query_free(q);
}

static void on_loaded(struct store_job *job, int status)
{
	struct simulate_query *q = job->data;

	if (status < 0) {
		log_error("simulate: loading persons: %s", job->error);
		query_fail(&q->who, ASSIST__ERROR_CODE__ERROR_CODE_STORE_FAILED,
			   "the store failed to answer");
	} else if (load_adopt(&q->who.srv->engine, job) < 0) {
		query_fail(&q->who, ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY, "out of memory");
	} else {
		store_job_free(job);
		answer(q);
		return;
	}
	store_job_free(job);
	query_free(q);
}

/* A deep copy of rq; NULL when out of memory. */
static Assist__SimulateRequest *request_copy(const Assist__SimulateRequest *rq)
{
	size_t len = assist__simulate_request__get_packed_size(rq);
	uint8_t *buf = malloc(len ? len : 1);
	Assist__SimulateRequest *c = NULL;

	if (buf != NULL) {
		assist__simulate_request__pack(rq, buf);
		c = assist__simulate_request__unpack(NULL, len, buf);
	}
	free(buf);
	return c;
}

/* Why rq cannot be simulated at all, or NULL (*as_of set). */
static const char *refused(const Assist__SimulateRequest *rq, ymd_t *as_of)
{
	*as_of = YMD_NONE;
	if (rq->n_events > SIMULATE_MAX_EVENTS)
		return "simulate.events: at most 1000 events at once";
	if (rq->as_of != NULL && rq->as_of[0] != '\0' && ymd_parse(rq->as_of, as_of) < 0)
		return "simulate.as_of: not a date (YYYY-MM-DD)";
	return NULL;
}

void simulate_handle(struct server *srv, const uint8_t *peer, size_t peer_len,
		     const Assist__Request *req)
{
	struct simulate_query *q = calloc(1, sizeof(*q));
	struct store_job *job = NULL;
	const char *why = NULL;
	ymd_t as_of;

	if (q == NULL || (why = refused(req->simulate, &as_of)) != NULL) {
		server_reply_error(&srv->query, peer, peer_len, req->request_id,
				   why != NULL ? ASSIST__ERROR_CODE__ERROR_CODE_BAD_REQUEST
					       : ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY,
				   why != NULL ? why : "out of memory");
		free(q);
		return;
	}
	query_asker_set(&q->who, srv, peer, peer_len, req->request_id);
	q->as_of = as_of;
	if ((q->rq = request_copy(req->simulate)) == NULL ||
	    simulate_check(&q->sim, srv->roles, q->rq->events, q->rq->n_events) < 0 ||
	    batch_load_events(&srv->engine, q->sim.valid, q->sim.n_valid, on_loaded, q, &job) < 0) {
		server_reply_error(&srv->query, peer, peer_len, req->request_id,
				   ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY, "out of memory");
		query_free(q);
		return;
	}
	if (job == NULL)
		answer(q); /* memory holds everything they name */
	else
		store_submit(srv->store, job);
}
