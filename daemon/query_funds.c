/* The query endpoint's funds and export ledger (docs/interface.md): a year's
 * earmarked funds, and a fund's ledger for a year a page at a time. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fund.h"
#include "idnum.h"
#include "log.h"
#include "pbjson.h"
#include "query.h"
#include "record.h"
#include "schema.h"
#include "scheme.h"
#include "server.h"
#include "ymd.h"

#define EXPORT_DEFAULT 1000
#define EXPORT_MAX 5000

/* Who asked, until the store has read the answer. */
struct fund_query {
	struct query_asker who;
	int year;
	Assist__Scheme scheme;
	uint64_t after_id;
	uint32_t limit;
	bool full_ids;
};

static struct fund_query *fq_new(struct server *srv, const uint8_t *peer, size_t peer_len,
				 uint64_t request_id)
{
	struct fund_query *fq = calloc(1, sizeof(*fq));

	if (fq == NULL)
		return NULL;
	query_asker_set(&fq->who, srv, peer, peer_len, request_id);
	return fq;
}

/* Answer code and msg, and free fq. */
static void fq_error(struct fund_query *fq, Assist__ErrorCode code, const char *msg)
{
	query_fail(&fq->who, code, msg);
	free(fq);
}

static void fq_reply(struct fund_query *fq, Assist__Reply *r)
{
	query_answer(&fq->who, r);
}

/* Submit a read of stmt with vals, answered by done; fq is freed on failure. */
static void fq_submit(struct fund_query *fq, store_done_cb done, int stmt,
		      const struct store_val *vals, int n)
{
	struct store_job *job = store_job_new(STORE_READ, done, fq);

	if (job == NULL || store_job_add(job, stmt, vals, n) < 0) {
		store_job_free(job);
		fq_error(fq, ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY, "out of memory");
		return;
	}
	store_submit(fq->who.srv->store, job);
}

/* ---- funds ------------------------------------------------------------------------- */

/* The row of res for scheme name, or -1. */
static int funds_row(const PGresult *res, const char *name)
{
	for (int i = 0; res != NULL && i < PQntuples(res); i++) {
		if (strcmp(PQgetvalue(res, i, 0), name) == 0)
			return i;
	}
	return -1;
}

/* The line of scheme s: its budget and what res read of it; false when it
 * has neither (nothing to show). */
static bool funds_line(const struct fund_query *fq, const PGresult *res, Assist__Scheme s,
		       Assist__FundsLine *l)
{
	const struct scheme *row = scheme_get(s);
	int i = funds_row(res, row->name);
	fen_t budget;

	assist__funds_line__init(l);
	l->scheme = s;
	l->has_budget = fund_budget(fq->who.srv->params, s, fq->year, &budget) == 0;
	if (!l->has_budget && i < 0)
		return false;
	if (i >= 0) {
		l->spent_fen = strtoll(PQgetvalue(res, i, 1), NULL, 10);
		l->entries = strtoull(PQgetvalue(res, i, 2), NULL, 10);
		l->recipients = strtoull(PQgetvalue(res, i, 3), NULL, 10);
		l->exceeded = PQgetvalue(res, i, 4)[0] == 't';
	}
	if (l->has_budget) {
		l->budget_fen = budget;
		l->remaining_fen = fund_remaining(budget, l->spent_fen);
	}
	return true;
}

static void on_funds(struct store_job *job, int status)
{
	struct fund_query *fq = job->data;
	Assist__Reply r = ASSIST__REPLY__INIT;
	Assist__FundsReply fr = ASSIST__FUNDS_REPLY__INIT;
	const PGresult *res = status == 0 ? job->results[0] : NULL;
	size_t n = 0;
	Assist__FundsLine *lines = NULL;
	Assist__FundsLine **ptrs = NULL;

	if (status < 0) {
		log_error("funds: %s", job->error);
		store_job_free(job);
		fq_error(fq, ASSIST__ERROR_CODE__ERROR_CODE_STORE_FAILED,
			 "the store failed to answer");
		return;
	}
	while (scheme_get((Assist__Scheme)n) != NULL)
		n++;
	lines = calloc(n, sizeof(*lines));
	ptrs = calloc(n, sizeof(*ptrs));
	if (lines == NULL || ptrs == NULL) {
		fq_error(fq, ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY, "out of memory");
		goto cleanup;
	}
	for (size_t s = 0; s < n; s++) {
		if (funds_line(fq, res, (Assist__Scheme)s, &lines[fr.n_funds]))
			ptrs[fr.n_funds] = &lines[fr.n_funds], fr.n_funds++;
	}
	fr.year = fq->year;
	fr.funds = ptrs;
	r.body_case = ASSIST__REPLY__BODY_FUNDS;
	r.funds = &fr;
	fq_reply(fq, &r);
	free(fq);
cleanup:
	free(lines);
	free(ptrs);
	store_job_free(job);
}

void query_funds(struct server *srv, const uint8_t *peer, size_t peer_len,
		 const Assist__Request *req)
{
	struct fund_query *fq = fq_new(srv, peer, peer_len, req->request_id);
	char year[16];

	if (fq == NULL)
		return;
	fq->year = req->funds->year != 0 ? req->funds->year : ymd_year(ymd_today());
	if (fq->year < 1 || fq->year > 9999) {
		fq_error(fq, ASSIST__ERROR_CODE__ERROR_CODE_BAD_REQUEST,
			 "funds.year: not a year (1-9999)");
		return;
	}
	snprintf(year, sizeof(year), "%d", fq->year);
	struct store_val v = {year, strlen(year), false};
	fq_submit(fq, on_funds, SQL_FUNDS, &v, 1);
}

/* ---- export ledger ----------------------------------------------------------------- */

/* Row i of an export page into e, its strings in res (valid while the job
 * is); id_buf and key_buf hold the masked ID and the subject key. */
static void export_entry(const struct fund_query *fq, const PGresult *res, int i,
			 Assist__ExportEntry *e, char id_buf[IDNUM_BUFLEN],
			 char key_buf[SUBJECT_HEX_LEN + 1])
{
	const char *id = PQgetvalue(res, i, 1);
	const char *key = record_subject_key(id, key_buf);
	int kind = 0;

	assist__export_entry__init(e);
	e->id = strtoull(PQgetvalue(res, i, 0), NULL, 10);
	e->id_number = fq->full_ids ? (char *)id : idnum_mask(id, id_buf);
	e->subject_key = key != NULL ? (char *)key : (char *)"";
	e->ref = PQgetvalue(res, i, 2);
	if (pbjson_enum_value(&assist__ledger_kind__descriptor, PQgetvalue(res, i, 3), &kind) == 0)
		e->kind = kind;
	e->period = PQgetvalue(res, i, 4);
	e->date = PQgetvalue(res, i, 5);
	e->scheme = fq->scheme;
	e->amount_fen = strtoll(PQgetvalue(res, i, 6), NULL, 10);
	e->reason = PQgetvalue(res, i, 7);
	e->counted = PQgetvalue(res, i, 8)[0] == 't';
}

static void on_export(struct store_job *job, int status)
{
	struct fund_query *fq = job->data;
	Assist__Reply r = ASSIST__REPLY__INIT;
	Assist__ExportReply er = ASSIST__EXPORT_REPLY__INIT;
	const PGresult *res = status == 0 ? job->results[0] : NULL;
	size_t n = res ? (size_t)PQntuples(res) : 0;
	Assist__ExportEntry *rows = calloc(n ? n : 1, sizeof(*rows));
	Assist__ExportEntry **ptrs = calloc(n ? n : 1, sizeof(*ptrs));
	char (*ids)[IDNUM_BUFLEN] = calloc(n ? n : 1, sizeof(*ids));
	char (*keys)[SUBJECT_HEX_LEN + 1] = calloc(n ? n : 1, sizeof(*keys));

	if (status < 0) {
		log_error("export: %s", job->error);
		fq_error(fq, ASSIST__ERROR_CODE__ERROR_CODE_STORE_FAILED,
			 "the store failed to answer");
		goto cleanup;
	}
	if (rows == NULL || ptrs == NULL || ids == NULL || keys == NULL) {
		fq_error(fq, ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY, "out of memory");
		goto cleanup;
	}
	for (size_t i = 0; i < n; i++) {
		export_entry(fq, res, (int)i, &rows[i], ids[i], keys[i]);
		ptrs[i] = &rows[i];
	}
	er.entries = ptrs;
	er.n_entries = n;
	er.next_after_id = n > 0 ? rows[n - 1].id : fq->after_id;
	er.more = n == fq->limit;
	r.body_case = ASSIST__REPLY__BODY_EXPORT;
	r.export = &er;
	fq_reply(fq, &r);
	free(fq);
cleanup:
	free(rows);
	free(ptrs);
	free(ids);
	free(keys);
	store_job_free(job);
}

void query_export(struct server *srv, const uint8_t *peer, size_t peer_len,
		  const Assist__Request *req, bool full_ids_granted)
{
	const Assist__ExportRequest *rq = req->export;
	struct fund_query *fq = fq_new(srv, peer, peer_len, req->request_id);
	const struct scheme *row = scheme_get(rq->scheme);
	char year[16], after[24], limit[16];

	if (fq == NULL)
		return;
	if (row == NULL || rq->scheme == ASSIST__SCHEME__SCHEME_UNSPECIFIED) {
		fq_error(fq, ASSIST__ERROR_CODE__ERROR_CODE_BAD_REQUEST,
			 "export.scheme: not a scheme");
		return;
	}
	if (rq->year < 1 || rq->year > 9999 || rq->after_id > (uint64_t)INT64_MAX) {
		fq_error(fq, ASSIST__ERROR_CODE__ERROR_CODE_BAD_REQUEST,
			 rq->after_id > (uint64_t)INT64_MAX
				 ? "export.after_id: must not be above 9223372036854775807"
				 : "export.year: not a year (1-9999)");
		return;
	}
	fq->scheme = rq->scheme;
	fq->year = rq->year;
	fq->after_id = rq->after_id;
	fq->limit = rq->limit == 0 ? EXPORT_DEFAULT : rq->limit > EXPORT_MAX ? EXPORT_MAX : rq->limit;
	/* Asked for and granted; anyone else reads masked IDs and subject keys. */
	fq->full_ids = rq->full_ids && full_ids_granted;
	snprintf(year, sizeof(year), "%d", fq->year);
	snprintf(after, sizeof(after), "%" PRIu64, fq->after_id);
	snprintf(limit, sizeof(limit), "%" PRIu32, fq->limit);
	struct store_val v[4] = {{row->name, strlen(row->name), false},
				 {year, strlen(year), false},
				 {after, strlen(after), false},
				 {limit, strlen(limit), false}};
	fq_submit(fq, on_export, SQL_EXPORT_PAGE, v, 4);
}
