/* The query endpoint: records, explanations, feed replay, status. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appquery.h"
#include "conf.h"
#include "deadletter.h"
#include "idnum.h"
#include "log.h"
#include "pbjson.h"
#include "policy/rules.h"
#include "query.h"
#include "record.h"
#include "report.h"
#include "roster.h"
#include "schema.h"
#include "server.h"
#include "simulate.h"
#include "utf8.h"
#include "walltime.h"

#define REPLAY_DEFAULT 500
#define REPLAY_MAX 5000
#define DUMP_DEFAULT 500
#define DUMP_MAX 5000

/* Who asked, kept until an asynchronous answer is ready. */
struct pending {
	struct query_asker who;
	int year;
	ymd_t as_of; /* get: YMD_NONE for today */
	uint64_t from_seq;
	uint32_t limit;
	char *prefix; /* replay: the topics wanted */
	char id[IDNUM_BUFLEN];
	char (*ids)[IDNUM_BUFLEN]; /* dump: the page's IDs */
	size_t n_ids;
};

static struct pending *pending_new(struct server *srv, const uint8_t *peer, size_t peer_len,
				   uint64_t request_id)
{
	struct pending *pq = calloc(1, sizeof(*pq));

	if (pq != NULL)
		query_asker_set(&pq->who, srv, peer, peer_len, request_id);
	return pq;
}

void query_asker_set(struct query_asker *a, struct server *srv, const uint8_t *peer,
		     size_t peer_len, uint64_t request_id)
{
	a->srv = srv;
	a->peer_len = peer_len < sizeof(a->peer) ? peer_len : sizeof(a->peer);
	memcpy(a->peer, peer, a->peer_len);
	a->request_id = request_id;
}

void query_answer(const struct query_asker *a, Assist__Reply *r)
{
	r->request_id = a->request_id;
	/* The socket is gone when the answer comes after a stop began. */
	if (a->srv->query.zs != NULL)
		server_reply(&a->srv->query, a->peer, a->peer_len, r);
}

void query_fail(const struct query_asker *a, Assist__ErrorCode code, const char *msg)
{
	if (a->srv->query.zs != NULL)
		server_reply_error(&a->srv->query, a->peer, a->peer_len, a->request_id, code, msg);
}

static void pending_error(struct pending *pq, Assist__ErrorCode code, const char *msg)
{
	query_fail(&pq->who, code, msg);
}

static void pending_reply(struct pending *pq, Assist__Reply *r)
{
	query_answer(&pq->who, r);
}

/* ---- get --------------------------------------------------------------------- */

static void on_get(void *arg, struct person *p)
{
	struct pending *pq = arg;
	struct arena a = {0};
	Assist__Reply r = ASSIST__REPLY__INIT;

	if (p == NULL) {
		pending_error(pq, ASSIST__ERROR_CODE__ERROR_CODE_UNKNOWN_PERSON, "unknown person");
		goto cleanup;
	}
	r.body_case = ASSIST__REPLY__BODY_RECORD;
	r.record = record_build(&a, p, pq->year, pq->as_of, pq->who.srv->params, true);
	if (r.record == NULL)
		pending_error(pq, ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY, "out of memory");
	else
		pending_reply(pq, &r);
cleanup:
	arena_free(&a);
	free(pq);
}

/* Check and normalize the ID of a query; false after answering the error. */
static bool query_id(struct server *srv, const uint8_t *peer, size_t peer_len,
		     uint64_t request_id, const char *id, char out[IDNUM_BUFLEN])
{
	char msg[128];
	int rc = idnum_validate(id, out, NULL);

	if (rc == IDNUM_OK)
		return true;
	snprintf(msg, sizeof(msg), "id_number: %s", idnum_strerror(rc));
	server_reply_error(&srv->query, peer, peer_len, request_id,
			   ASSIST__ERROR_CODE__ERROR_CODE_BAD_REQUEST, msg);
	return false;
}

static void handle_get(struct server *srv, const uint8_t *peer, size_t peer_len,
		       const Assist__Request *req)
{
	struct pending *pq = pending_new(srv, peer, peer_len, req->request_id);

	if (pq == NULL)
		return;
	if (!query_id(srv, peer, peer_len, req->request_id, req->get->id_number, pq->id)) {
		free(pq);
		return;
	}
	pq->year = req->get->year;
	if (req->get->as_of != NULL && req->get->as_of[0] != '\0' &&
	    ymd_parse(req->get->as_of, &pq->as_of) < 0) {
		server_reply_error(&srv->query, peer, peer_len, req->request_id,
				   ASSIST__ERROR_CODE__ERROR_CODE_BAD_REQUEST,
				   "as_of: not a date (YYYY-MM-DD)");
		free(pq);
		return;
	}
	engine_find_person(&srv->engine, pq->id, on_get, pq);
}

/* ---- explain ------------------------------------------------------------------ */

/* Row i of an explain read (trace, packed) as a message (free_unpacked), or
 * NULL: packed since migration 16, JSON text before it. A row that does not
 * decode is left out. */
static Assist__Explanation *stored_explanation(const PGresult *res, int i)
{
	ProtobufCMessage *m = NULL;
	char err[128];
	json_t *j;

	if (!PQgetisnull(res, i, 1)) {
		size_t len;
		uint8_t *data = PQunescapeBytea((const unsigned char *)PQgetvalue(res, i, 1), &len);
		Assist__Explanation *ex = data ? assist__explanation__unpack(NULL, len, data) : NULL;
		PQfreemem(data);
		return ex;
	}
	j = json_loads(PQgetvalue(res, i, 0), 0, NULL);
	if (j != NULL &&
	    pbjson_decode(&assist__explanation__descriptor, j, &m, err, sizeof(err)) < 0)
		m = NULL;
	json_decref(j);
	return (Assist__Explanation *)m;
}

static void on_explained(struct store_job *job, int status)
{
	struct pending *pq = job->data;
	Assist__Reply r = ASSIST__REPLY__INIT;
	Assist__ExplainReply ex = ASSIST__EXPLAIN_REPLY__INIT;
	const PGresult *res = status == 0 ? job->results[0] : NULL;
	int n = res ? PQntuples(res) : 0;
	char subject[SUBJECT_HEX_LEN + 1];
	size_t kept = 0;

	if (status < 0) {
		log_error("explain: %s", job->error);
		pending_error(pq, ASSIST__ERROR_CODE__ERROR_CODE_STORE_FAILED,
			      "the store failed to answer");
		goto cleanup;
	}
	ex.id_number = pq->id;
	if (record_subject_key(pq->id, subject) != NULL)
		ex.subject_key = subject;
	ex.items = calloc(n ? (size_t)n : 1, sizeof(*ex.items));
	if (ex.items == NULL) {
		pending_error(pq, ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY, "out of memory");
		goto cleanup;
	}
	for (int i = 0; i < n; i++) {
		Assist__Explanation *m = stored_explanation(res, i);
		if (m != NULL)
			ex.items[kept++] = m;
	}
	ex.n_items = kept;
	r.body_case = ASSIST__REPLY__BODY_EXPLAIN;
	r.explain = &ex;
	pending_reply(pq, &r);
	for (size_t i = 0; i < kept; i++)
		protobuf_c_message_free_unpacked(&ex.items[i]->base, NULL);
cleanup:
	free(ex.items);
	store_job_free(job);
	free(pq);
}

static void on_explain_person(void *arg, struct person *p)
{
	struct pending *pq = arg;
	struct store_job *job;
	struct store_val v = {pq->id, strlen(pq->id), false};

	if (p == NULL) {
		pending_error(pq, ASSIST__ERROR_CODE__ERROR_CODE_UNKNOWN_PERSON, "unknown person");
		free(pq);
		return;
	}
	job = store_job_new(STORE_READ, on_explained, pq);
	if (job == NULL || store_job_add(job, SQL_EXPLAIN, &v, 1) < 0) {
		store_job_free(job);
		pending_error(pq, ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY, "out of memory");
		free(pq);
		return;
	}
	store_submit(pq->who.srv->store, job);
}

static void handle_explain(struct server *srv, const uint8_t *peer, size_t peer_len,
			   const Assist__Request *req)
{
	struct pending *pq = pending_new(srv, peer, peer_len, req->request_id);

	if (pq == NULL)
		return;
	if (!query_id(srv, peer, peer_len, req->request_id, req->explain->id_number, pq->id)) {
		free(pq);
		return;
	}
	engine_find_person(&srv->engine, pq->id, on_explain_person, pq);
}

/* ---- replay ------------------------------------------------------------------- */

static void on_replayed(struct store_job *job, int status)
{
	struct pending *pq = job->data;
	Assist__Reply r = ASSIST__REPLY__INIT;
	Assist__ReplayReply rr = ASSIST__REPLAY_REPLY__INIT;

	if (status < 0) {
		log_error("replay: %s", job->error);
		pending_error(pq, ASSIST__ERROR_CODE__ERROR_CODE_STORE_FAILED,
			      "the store failed to answer");
		goto cleanup;
	}
	if (feed_replay_read(job->results[0], pq->from_seq, pq->prefix, pq->limit, &rr) < 0) {
		pending_error(pq, ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY, "out of memory");
		goto cleanup;
	}
	r.body_case = ASSIST__REPLY__BODY_REPLAY;
	r.replay = &rr;
	pending_reply(pq, &r);
cleanup:
	feed_replay_free(&rr);
	store_job_free(job);
	free(pq->prefix);
	free(pq);
}

static void handle_replay(struct server *srv, const uint8_t *peer, size_t peer_len,
			  const Assist__Request *req)
{
	const Assist__ReplayRequest *rq = req->replay;
	struct pending *pq = pending_new(srv, peer, peer_len, req->request_id);
	struct store_job *job;

	if (pq == NULL)
		return;
	if (rq->from_seq > FEED_SEQ_MAX || !utf8_valid(rq->topic_prefix, strlen(rq->topic_prefix))) {
		server_reply_error(&srv->query, peer, peer_len, req->request_id,
				   ASSIST__ERROR_CODE__ERROR_CODE_BAD_REQUEST,
				   rq->from_seq > FEED_SEQ_MAX ?
				   "replay.from_seq: must not be above 9223372036854775807" :
				   "replay.topic_prefix: not valid UTF-8");
		free(pq);
		return;
	}
	pq->from_seq = rq->from_seq;
	pq->limit = rq->limit == 0 ? REPLAY_DEFAULT : rq->limit;
	if (pq->limit > REPLAY_MAX)
		pq->limit = REPLAY_MAX;
	pq->prefix = strdup(rq->topic_prefix);
	job = pq->prefix ? feed_replay_job(pq->from_seq, rq->topic_prefix, pq->limit, on_replayed,
					   pq) : NULL;
	if (job == NULL) {
		server_reply_error(&srv->query, peer, peer_len, req->request_id,
				   ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY,
				   "out of memory");
		free(pq->prefix);
		free(pq);
		return;
	}
	store_submit(srv->store, job);
}

/* ---- dump --------------------------------------------------------------------- */

/* A record as the dump shows it: what depends on timing or batching left out. */
static Assist__RecipientRecord *dump_record(struct arena *a, const struct person *p,
					     const struct params *params)
{
	Assist__RecipientRecord *r = record_build(a, p, 0, YMD_NONE, params, true);

	if (r != NULL) {
		r->version = 0;
		r->feed_seq = 0;
		r->updated_at = (char *)"";
	}
	return r;
}

static void on_dump_loaded(void *arg, int status)
{
	struct pending *pq = arg;
	struct arena a = {0};
	Assist__Reply r = ASSIST__REPLY__INIT;
	Assist__DumpReply dr = ASSIST__DUMP_REPLY__INIT;

	if (status < 0) {
		pending_error(pq, ASSIST__ERROR_CODE__ERROR_CODE_STORE_FAILED,
			      "the store failed to answer");
		goto cleanup;
	}
	dr.records = calloc(pq->n_ids ? pq->n_ids : 1, sizeof(*dr.records));
	if (dr.records == NULL) {
		pending_error(pq, ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY, "out of memory");
		goto cleanup;
	}
	for (size_t i = 0; i < pq->n_ids; i++) {
		const struct person *p = engine_person(&pq->who.srv->engine, pq->ids[i]);
		if (p == NULL)
			continue;
		if ((dr.records[dr.n_records] = dump_record(&a, p, pq->who.srv->params)) == NULL) {
			pending_error(pq, ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY,
				      "out of memory");
			goto cleanup;
		}
		dr.n_records++;
	}
	dr.next_after_id = pq->n_ids ? pq->ids[pq->n_ids - 1] : pq->id;
	dr.more = pq->n_ids == pq->limit;
	r.body_case = ASSIST__REPLY__BODY_DUMP;
	r.dump = &dr;
	pending_reply(pq, &r);
cleanup:
	free(dr.records);
	arena_free(&a);
	free(pq->ids);
	free(pq);
}

static void on_dump_ids(struct store_job *job, int status)
{
	struct pending *pq = job->data;
	const PGresult *res = status == 0 ? job->results[0] : NULL;
	int n = res ? PQntuples(res) : 0;
	const char **ids = NULL;

	if (status < 0) {
		log_error("dump: %s", job->error);
		pending_error(pq, ASSIST__ERROR_CODE__ERROR_CODE_STORE_FAILED,
			      "the store failed to answer");
		goto fail;
	}
	pq->ids = calloc(n ? (size_t)n : 1, sizeof(*pq->ids));
	ids = calloc(n ? (size_t)n : 1, sizeof(*ids));
	if (pq->ids == NULL || ids == NULL) {
		pending_error(pq, ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY, "out of memory");
		goto fail;
	}
	for (int i = 0; i < n; i++) {
		snprintf(pq->ids[i], sizeof(pq->ids[i]), "%s", PQgetvalue(res, i, 0));
		ids[i] = pq->ids[i];
	}
	pq->n_ids = (size_t)n;
	store_job_free(job);
	engine_find_persons(&pq->who.srv->engine, ids, pq->n_ids, on_dump_loaded, pq);
	free(ids);
	return;
fail:
	free(ids);
	free(pq->ids);
	store_job_free(job);
	free(pq);
}

static void handle_dump(struct server *srv, const uint8_t *peer, size_t peer_len,
			const Assist__Request *req)
{
	const Assist__DumpRequest *rq = req->dump;
	struct pending *pq = pending_new(srv, peer, peer_len, req->request_id);
	struct store_job *job;
	char limit[16];

	if (pq == NULL)
		return;
	snprintf(pq->id, sizeof(pq->id), "%s", rq->after_id);
	pq->limit = rq->limit == 0 ? DUMP_DEFAULT : rq->limit;
	if (pq->limit > DUMP_MAX)
		pq->limit = DUMP_MAX;
	snprintf(limit, sizeof(limit), "%" PRIu32, pq->limit);
	struct store_val v[2] = {{pq->id, strlen(pq->id), false}, {limit, strlen(limit), false}};
	job = store_job_new(STORE_READ, on_dump_ids, pq);
	if (job == NULL || store_job_add(job, SQL_DUMP_IDS, v, 2) < 0) {
		store_job_free(job);
		server_reply_error(&srv->query, peer, peer_len, req->request_id,
				   ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY, "out of memory");
		free(pq);
		return;
	}
	store_submit(srv->store, job);
}

/* ---- payments ----------------------------------------------------------------- */

/* One row of the payments read: scheme, recipients, total. */
static void payments_row(const PGresult *res, int i, Assist__SchemePayments *sp)
{
	int scheme = 0;

	assist__scheme_payments__init(sp);
	if (pbjson_enum_value(&assist__scheme__descriptor, PQgetvalue(res, i, 0), &scheme) == 0)
		sp->scheme = scheme;
	sp->recipients = strtoull(PQgetvalue(res, i, 1), NULL, 10);
	sp->total_fen = strtoll(PQgetvalue(res, i, 2), NULL, 10);
}

static void on_payments(struct store_job *job, int status)
{
	struct pending *pq = job->data;
	Assist__Reply r = ASSIST__REPLY__INIT;
	Assist__PaymentsReply pr = ASSIST__PAYMENTS_REPLY__INIT;
	const PGresult *res = status == 0 ? job->results[0] : NULL;
	size_t n = res ? (size_t)PQntuples(res) : 0;
	Assist__SchemePayments *rows = calloc(n ? n : 1, sizeof(*rows));
	Assist__SchemePayments **ptrs = calloc(n ? n : 1, sizeof(*ptrs));

	if (status < 0) {
		log_error("payments: %s", job->error);
		pending_error(pq, ASSIST__ERROR_CODE__ERROR_CODE_STORE_FAILED,
			      "the store failed to answer");
	} else if (rows == NULL || ptrs == NULL) {
		pending_error(pq, ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY, "out of memory");
	} else {
		for (size_t i = 0; i < n; i++) {
			payments_row(res, (int)i, &rows[i]);
			ptrs[i] = &rows[i];
		}
		pr.month = pq->id;
		pr.schemes = ptrs;
		pr.n_schemes = n;
		r.body_case = ASSIST__REPLY__BODY_PAYMENTS;
		r.payments = &pr;
		pending_reply(pq, &r);
	}
	free(rows);
	free(ptrs);
	store_job_free(job);
	free(pq);
}

static void handle_payments(struct server *srv, const uint8_t *peer, size_t peer_len,
			    const Assist__Request *req)
{
	const char *month = req->payments->month;
	struct pending *pq = pending_new(srv, peer, peer_len, req->request_id);
	struct store_job *job = NULL;
	struct store_val v = {month, strlen(month), false};
	ymd_t first;

	if (pq == NULL)
		return;
	if (ymd_parse_month(month, &first) < 0) {
		pending_error(pq, ASSIST__ERROR_CODE__ERROR_CODE_BAD_REQUEST,
			      "payments.month: not a month (YYYY-MM)");
		free(pq);
		return;
	}
	snprintf(pq->id, sizeof(pq->id), "%s", month); /* the month, for the reply */
	job = store_job_new(STORE_READ, on_payments, pq);
	if (job == NULL || store_job_add(job, SQL_PAYMENTS, &v, 1) < 0) {
		store_job_free(job);
		pending_error(pq, ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY, "out of memory");
		free(pq);
		return;
	}
	store_submit(srv->store, job);
}

/* ---- recompute --claims --------------------------------------------------------- */

static void on_recompute_added(void *arg, const struct standards_job *j)
{
	struct pending *pq = arg;
	Assist__Reply r = ASSIST__REPLY__INIT;
	Assist__JobStatus js;

	if (j == NULL) {
		pending_error(pq, ASSIST__ERROR_CODE__ERROR_CODE_STORE_FAILED,
			      "the recompute job could not be added (see the log)");
		free(pq);
		return;
	}
	standards_job_status(j, &js);
	r.body_case = ASSIST__REPLY__BODY_JOB;
	r.job = &js;
	pending_reply(pq, &r);
	free(pq);
}

static void handle_recompute(struct server *srv, const uint8_t *peer, size_t peer_len,
			     const Assist__Request *req)
{
	const Assist__RecomputeRequest *rr = req->recompute;
	struct pending *pq;
	ymd_t from;
	int rc;

	if (!rr->claims || ymd_parse(rr->from, &from) < 0) {
		server_reply_error(&srv->query, peer, peer_len, req->request_id,
				   ASSIST__ERROR_CODE__ERROR_CODE_BAD_REQUEST,
				   "recompute: claims and from (YYYY-MM-DD) are required");
		return;
	}
	if ((pq = pending_new(srv, peer, peer_len, req->request_id)) == NULL ||
	    (rc = standards_add_claims(&srv->standards, from, on_recompute_added, pq)) < 0) {
		server_reply_error(&srv->query, peer, peer_len, req->request_id,
				   ASSIST__ERROR_CODE__ERROR_CODE_BUSY,
				   "recompute: assistd is starting, stopping or out of memory");
		free(pq);
	}
}

/* ---- status ------------------------------------------------------------------- */

static void handle_status(struct server *srv, const uint8_t *peer, size_t peer_len,
			  const Assist__Request *req)
{
	Assist__Reply r = ASSIST__REPLY__INIT;
	Assist__StatusReply st = ASSIST__STATUS_REPLY__INIT;
	Assist__JobStatus jobs[STANDARDS_JOBS_MAX], *job_ptrs[STANDARDS_JOBS_MAX];
	size_t n = 0, i = 0;
	char feed[512];
	const struct ingest_source *s;
	Assist__SourceStatus *items;
	Assist__SourceStatus **ptrs;
	Assist__Position *pos;
	char (*seen)[40];
	int64_t now;

	for (s = engine_sources(&srv->engine); s != NULL; s = s->next)
		n++;
	now = walltime_now_ms();
	items = calloc(n ? n : 1, sizeof(*items));
	ptrs = calloc(n ? n : 1, sizeof(*ptrs));
	pos = calloc(n ? n : 1, sizeof(*pos));
	seen = calloc(n ? n : 1, sizeof(*seen));
	if (items == NULL || ptrs == NULL || pos == NULL || seen == NULL) {
		server_reply_error(&srv->query, peer, peer_len, req->request_id,
				   ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY, "out of memory");
		goto cleanup;
	}
	for (s = engine_sources(&srv->engine); s != NULL; s = s->next, i++) {
		assist__source_status__init(&items[i]);
		assist__position__init(&pos[i]);
		pos[i].major = s->done_major;
		pos[i].minor = s->done_minor;
		items[i].source = (char *)s->name;
		items[i].position = &pos[i];
		items[i].applied = s->applied;
		items[i].rejected = s->rejected;
		items[i].lag_ms = s->lag_ms;
		items[i].last_seen = s->last_seen_ms ? walltime_format(s->last_seen_ms, seen[i], 40) : "";
		/* As of now, not of the last periodic check. */
		items[i].stale = s->last_seen_ms != 0 &&
				 now - s->last_seen_ms > srv->cfg.source_freshness_s * 1000;
		items[i].problem = (char *)s->problem;
		ptrs[i] = &items[i];
	}
	st.sources = ptrs;
	st.n_sources = n;
	st.feed_seq = engine_feed_seq(&srv->engine);
	st.dead_letters = engine_dead_letters(&srv->engine);
	st.recipients = engine_recipients(&srv->engine);
	conf_connect_endpoint(srv->cfg.feed_endpoint, feed, sizeof(feed));
	st.feed_endpoint = feed;
	st.n_jobs = standards_status(&srv->standards, jobs, STANDARDS_JOBS_MAX);
	for (size_t j = 0; j < st.n_jobs; j++)
		job_ptrs[j] = &jobs[j];
	st.jobs = job_ptrs;
	r.request_id = req->request_id;
	r.body_case = ASSIST__REPLY__BODY_STATUS;
	r.status = &st;
	server_reply(&srv->query, peer, peer_len, &r);
cleanup:
	free(items);
	free(ptrs);
	free(pos);
	free(seen);
}

void query_handle(struct server *srv, const uint8_t *peer, size_t peer_len,
		  const Assist__Request *req)
{
	switch (req->body_case) {
	case ASSIST__REQUEST__BODY_GET:
		handle_get(srv, peer, peer_len, req);
		break;
	case ASSIST__REQUEST__BODY_EXPLAIN:
		handle_explain(srv, peer, peer_len, req);
		break;
	case ASSIST__REQUEST__BODY_REPLAY:
		handle_replay(srv, peer, peer_len, req);
		break;
	case ASSIST__REQUEST__BODY_STATUS:
		handle_status(srv, peer, peer_len, req);
		break;
	case ASSIST__REQUEST__BODY_DUMP:
		handle_dump(srv, peer, peer_len, req);
		break;
	case ASSIST__REQUEST__BODY_PAYMENTS:
		handle_payments(srv, peer, peer_len, req);
		break;
	case ASSIST__REQUEST__BODY_RECOMPUTE:
		handle_recompute(srv, peer, peer_len, req);
		break;
	case ASSIST__REQUEST__BODY_DEAD_LETTERS:
		deadletter_list(srv, peer, peer_len, req);
		break;
	case ASSIST__REQUEST__BODY_RETRY:
		deadletter_retry(srv, peer, peer_len, req);
		break;
	case ASSIST__REQUEST__BODY_ROSTER:
		roster_handle(srv, peer, peer_len, req);
		break;
	case ASSIST__REQUEST__BODY_REPORT:
		report_handle(srv, peer, peer_len, req);
		break;
	case ASSIST__REQUEST__BODY_SIMULATE:
		simulate_handle(srv, peer, peer_len, req);
		break;
	case ASSIST__REQUEST__BODY_APPLICATION:
		appquery_handle(srv, peer, peer_len, req);
		break;
	case ASSIST__REQUEST__BODY_FUNDS:
		query_funds(srv, peer, peer_len, req);
		break;
	default:
		server_reply_error(&srv->query, peer, peer_len, req->request_id,
				   ASSIST__ERROR_CODE__ERROR_CODE_BAD_REQUEST,
			    "the query endpoint takes get, explain, replay, status, dump, payments, "
			    "recompute, dead_letters, retry, roster, report, simulate, application, funds "
			    "and export");
	}
}
