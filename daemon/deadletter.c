#include "deadletter.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "pbjson.h"
#include "query.h"
#include "schema.h"
#include "server.h"

#define LIST_DEFAULT 1000
#define LIST_MAX 10000
#define RETRY_MAX 100

/* The columns of SQL_DEAD_LETTERS. */
enum { COL_ID, COL_SOURCE, COL_MAJOR, COL_MINOR, COL_KIND, COL_FIELD, COL_REASON,
       COL_RECEIVED, COL_EVENT, COL_RETRIES, COL_RETRIED_AT, COL_RETRY_MAJOR };

/* Who asked, kept until the store has read the letters. */
struct pending {
	struct query_asker who;
	uint32_t limit;
	uint64_t *ids; /* retry: the letters asked for, in the order asked */
	size_t n_ids;
};

static struct pending *pending_new(struct server *srv, const uint8_t *peer, size_t peer_len,
				   uint64_t request_id)
{
	struct pending *pq = calloc(1, sizeof(*pq));

	if (pq == NULL)
		return NULL;
	query_asker_set(&pq->who, srv, peer, peer_len, request_id);
	return pq;
}

static void pending_free(struct pending *pq)
{
	free(pq->ids);
	free(pq);
}

static void pending_error(struct pending *pq, Assist__ErrorCode code, const char *msg)
{
	query_fail(&pq->who, code, msg);
}

static void pending_reply(struct pending *pq, Assist__Reply *r)
{
	query_answer(&pq->who, r);
}

/* ids as a PostgreSQL bigint[] literal ({1,2,3}); NULL without memory. */
static char *id_literal(const uint64_t *ids, size_t n)
{
	char *out = malloc(n * 21 + 3), *p = out;

	if (out == NULL)
		return NULL;
	*p++ = '{';
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s%" PRIu64, i > 0 ? "," : "", ids[i]);
	*p++ = '}';
	*p = '\0';
	return out;
}

/* Read the letters with ids (none: of source, '' for all), at most limit of
 * them, then done(job, status) with pq. 0 or -ENOMEM. */
static int read_letters(struct pending *pq, const char *source, const uint64_t *ids, size_t n,
			uint32_t limit, store_done_cb done)
{
	char *array = id_literal(ids, n), count[16];
	struct store_job *job = store_job_new(STORE_READ, done, pq);
	int rc = -ENOMEM;

	snprintf(count, sizeof(count), "%" PRIu32, limit);
	struct store_val v[3] = {{source, strlen(source), false},
				 {array, array ? strlen(array) : 0, false},
				 {count, strlen(count), false}};
	if (array != NULL && job != NULL && store_job_add(job, SQL_DEAD_LETTERS, v, 3) == 0) {
		store_submit(pq->who.srv->store, job);
		job = NULL;
		rc = 0;
	}
	store_job_free(job);
	free(array);
	return rc;
}

/* ---- dead-letters ------------------------------------------------------------ */

/* The reason's leading code ("unknown_claim: claim C-1 ..."), else "invalid"
 * (a field's own check). */
static void reason_code(const char *reason, char *out, size_t len)
{
	size_t n = strspn(reason, "abcdefghijklmnopqrstuvwxyz_");

	if (n > 0 && n < len && reason[n] == ':')
		snprintf(out, len, "%.*s", (int)n, reason);
	else
		snprintf(out, len, "invalid");
}

struct letter {
	Assist__DeadLetter msg;
	Assist__Position pos, retried_as;
	char code[32];
};

static void letter_row(const PGresult *res, int i, struct letter *l)
{
	assist__dead_letter__init(&l->msg);
	assist__position__init(&l->pos);
	l->msg.id = strtoull(PQgetvalue(res, i, COL_ID), NULL, 10);
	l->msg.source = PQgetvalue(res, i, COL_SOURCE);
	l->pos.major = strtoull(PQgetvalue(res, i, COL_MAJOR), NULL, 10);
	l->pos.minor = strtoull(PQgetvalue(res, i, COL_MINOR), NULL, 10);
	l->msg.position = &l->pos;
	l->msg.kind = PQgetvalue(res, i, COL_KIND);
	l->msg.field = PQgetvalue(res, i, COL_FIELD);
	l->msg.reason = PQgetvalue(res, i, COL_REASON);
	reason_code(l->msg.reason, l->code, sizeof(l->code));
	l->msg.code = l->code;
	l->msg.received_at = PQgetvalue(res, i, COL_RECEIVED);
	l->msg.event = PQgetvalue(res, i, COL_EVENT);
	l->msg.retries = (uint32_t)strtoul(PQgetvalue(res, i, COL_RETRIES), NULL, 10);
	l->msg.retried_at = PQgetvalue(res, i, COL_RETRIED_AT);
	if (l->msg.retried_at[0] != '\0') {
		assist__position__init(&l->retried_as);
		l->retried_as.major = strtoull(PQgetvalue(res, i, COL_RETRY_MAJOR), NULL, 10);
		l->retried_as.minor = l->msg.id;
		l->msg.retried_as = &l->retried_as;
	}
}

static void on_listed(struct store_job *job, int status)
{
	struct pending *pq = job->data;
	Assist__Reply r = ASSIST__REPLY__INIT;
	Assist__DeadLettersReply dl = ASSIST__DEAD_LETTERS_REPLY__INIT;
	const PGresult *res = status == 0 ? job->results[0] : NULL;
	size_t n = res ? (size_t)PQntuples(res) : 0;
	struct letter *rows;
	Assist__DeadLetter **ptrs;

	dl.more = n > pq->limit;
	n = n > pq->limit ? pq->limit : n;
	rows = calloc(n ? n : 1, sizeof(*rows));
	ptrs = calloc(n ? n : 1, sizeof(*ptrs));
	if (status < 0) {
		log_error("dead letters: %s", job->error);
		pending_error(pq, ASSIST__ERROR_CODE__ERROR_CODE_STORE_FAILED,
			      "the store failed to answer");
	} else if (rows == NULL || ptrs == NULL) {
		pending_error(pq, ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY, "out of memory");
	} else {
		for (size_t i = 0; i < n; i++) {
			letter_row(res, (int)i, &rows[i]);
			ptrs[i] = &rows[i].msg;
		}
		dl.letters = ptrs;
		dl.n_letters = n;
		r.body_case = ASSIST__REPLY__BODY_DEAD_LETTERS;
		r.dead_letters = &dl;
		pending_reply(pq, &r);
	}
	free(rows);
	free(ptrs);
	store_job_free(job);
	pending_free(pq);
}

void deadletter_list(struct server *srv, const uint8_t *peer, size_t peer_len,
		     const Assist__Request *req)
{
	const Assist__DeadLettersRequest *dr = req->dead_letters;
	struct pending *pq;

	if (dr->source[0] != '\0' && !conf_name_ok(dr->source)) {
		server_reply_error(&srv->query, peer, peer_len, req->request_id,
				   ASSIST__ERROR_CODE__ERROR_CODE_BAD_REQUEST,
				   "dead_letters.source: must be 1-31 characters of a-z, 0-9, _ or -");
		return;
	}
	if (dr->n_ids > LIST_MAX) {
		server_reply_error(&srv->query, peer, peer_len, req->request_id,
				   ASSIST__ERROR_CODE__ERROR_CODE_BAD_REQUEST,
				   "dead_letters.ids: at most 10000");
		return;
	}
	if ((pq = pending_new(srv, peer, peer_len, req->request_id)) == NULL)
		return;
	pq->limit = dr->limit == 0 ? LIST_DEFAULT : dr->limit > LIST_MAX ? LIST_MAX : dr->limit;
	/* One more than the limit: whether there are more. */
	if (read_letters(pq, dr->source, dr->ids, dr->n_ids, pq->limit + 1, on_listed) < 0) {
		pending_error(pq, ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY, "out of memory");
		pending_free(pq);
	}
}

/* ---- retry ------------------------------------------------------------------- */

/* The row of letter id in res, or -1. */
static int row_of(const PGresult *res, uint64_t id)
{
	for (int i = 0; i < PQntuples(res); i++) {
		if (strtoull(PQgetvalue(res, i, COL_ID), NULL, 10) == id)
			return i;
	}
	return -1;
}

/* The kept event of row i, decoded: 0 and *out, or -EINVAL with why in msg
 * (not kept, cut, a line its sender could not read). */
static int kept_event(const PGresult *res, int i, Assist__Event **out, char *msg, size_t len)
{
	json_t *j = json_loads(PQgetvalue(res, i, COL_EVENT), 0, NULL);
	ProtobufCMessage *m = NULL;
	int rc = -EINVAL;

	if (j == NULL)
		snprintf(msg, len, "its event was not kept");
	else if (json_object_get(j, "truncated_bytes") != NULL)
		snprintf(msg, len, "its event was kept cut (dead_letter_max_bytes)");
	else if (json_object_get(j, "invalid_reason") != NULL)
		snprintf(msg, len, "its sender could not read it: only its raw text is kept");
	else if (pbjson_decode(&assist__event__descriptor, j, &m, msg, len) < 0)
		;
	else
		rc = 0;
	json_decref(j);
	*out = (Assist__Event *)m;
	return rc;
}

/* What becomes of letter id (row i of res, or -1): taken in again, or why
 * not. res->message points into msg. */
static void retry_one(struct server *srv, const PGresult *res, int i, Assist__RetryResult *rr,
		      char *msg, size_t len)
{
	Assist__Event *ev = NULL;

	rr->message = msg;
	msg[0] = '\0';
	if (i < 0) {
		rr->outcome = ASSIST__RETRY_OUTCOME__RETRY_OUTCOME_UNKNOWN;
		snprintf(msg, len, "no such dead letter");
		return;
	}
	rr->retries = (uint32_t)strtoul(PQgetvalue(res, i, COL_RETRIES), NULL, 10);
	if (PQgetvalue(res, i, COL_RETRIED_AT)[0] != '\0' || ingest_retried(&srv->engine, rr->id)) {
		rr->outcome = ASSIST__RETRY_OUTCOME__RETRY_OUTCOME_ALREADY_RETRIED;
		snprintf(msg, len, "already retried and applied");
		return;
	}
	rr->outcome = ASSIST__RETRY_OUTCOME__RETRY_OUTCOME_NOT_KEPT;
	if (kept_event(res, i, &ev, msg, len) < 0)
		return;
	if (ingest_retry(&srv->engine, rr->id, PQgetvalue(res, i, COL_SOURCE), ev) < 0) {
		protobuf_c_message_free_unpacked(&ev->base, NULL);
		snprintf(msg, len, "out of memory");
		return;
	}
	rr->outcome = ASSIST__RETRY_OUTCOME__RETRY_OUTCOME_SUBMITTED;
	log_info("dead letter %" PRIu64 " taken in again as %s", rr->id, INGEST_RETRY_SOURCE);
}

static void on_retry_read(struct store_job *job, int status)
{
	struct pending *pq = job->data;
	Assist__Reply r = ASSIST__REPLY__INIT;
	Assist__RetryReply rp = ASSIST__RETRY_REPLY__INIT;
	Assist__RetryResult *rows = calloc(pq->n_ids, sizeof(*rows));
	Assist__RetryResult **ptrs = calloc(pq->n_ids, sizeof(*ptrs));
	char (*msgs)[192] = calloc(pq->n_ids, sizeof(*msgs));

	if (status < 0) {
		log_error("retry: %s", job->error);
		pending_error(pq, ASSIST__ERROR_CODE__ERROR_CODE_STORE_FAILED,
			      "the store failed to answer");
	} else if (rows == NULL || ptrs == NULL || msgs == NULL) {
		pending_error(pq, ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY, "out of memory");
	} else {
		for (size_t i = 0; i < pq->n_ids; i++) {
			assist__retry_result__init(&rows[i]);
			rows[i].id = pq->ids[i];
			retry_one(pq->who.srv, job->results[0], row_of(job->results[0], pq->ids[i]),
				  &rows[i], msgs[i], sizeof(msgs[i]));
			ptrs[i] = &rows[i];
		}
		/* Decided now rather than at batch_max_ms: the operator waits. */
		batch_seal(&pq->who.srv->engine);
		rp.results = ptrs;
		rp.n_results = pq->n_ids;
		r.body_case = ASSIST__REPLY__BODY_RETRY;
		r.retry = &rp;
		pending_reply(pq, &r);
	}
	free(rows);
	free(ptrs);
	free(msgs);
	store_job_free(job);
	pending_free(pq);
}

/* Copy the request's ids to pq, each once: 0, or a reason it is refused. */
static const char *retry_ids(struct pending *pq, const Assist__RetryRequest *rq)
{
	if (rq->n_ids == 0)
		return "retry.ids: name at least one dead letter";
	if (rq->n_ids > RETRY_MAX)
		return "retry.ids: at most 100 at a time";
	if ((pq->ids = calloc(rq->n_ids, sizeof(*pq->ids))) == NULL)
		return "out of memory";
	for (size_t i = 0; i < rq->n_ids; i++) {
		bool seen = false;
		if (rq->ids[i] == 0)
			return "retry.ids: a dead letter's id is 1 or more";
		for (size_t j = 0; j < pq->n_ids && !seen; j++)
			seen = pq->ids[j] == rq->ids[i];
		if (!seen)
			pq->ids[pq->n_ids++] = rq->ids[i];
	}
	return NULL;
}

void deadletter_retry(struct server *srv, const uint8_t *peer, size_t peer_len,
		      const Assist__Request *req)
{
	struct pending *pq = pending_new(srv, peer, peer_len, req->request_id);
	const char *refused;

	if (pq == NULL)
		return;
	if ((refused = retry_ids(pq, req->retry)) != NULL) {
		pending_error(pq, ASSIST__ERROR_CODE__ERROR_CODE_BAD_REQUEST, refused);
		pending_free(pq);
		return;
	}
	if (read_letters(pq, "", pq->ids, pq->n_ids, (uint32_t)pq->n_ids, on_retry_read) < 0) {
		pending_error(pq, ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY, "out of memory");
		pending_free(pq);
	}
}
