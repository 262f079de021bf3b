#include "store_exec.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_job.h"

#define STORE_GUARD_CMD 1 /* its place in a write pipeline, after BEGIN */
#define SQLSTATE_DIVISION_BY_ZERO "22012"
/* Jobs sent ahead of their results, at most: enough to keep PostgreSQL busy
 * (the engine has max_inflight batches and a load or two), and a bound on
 * what a failed write or a lost connection sends again. */
#define STORE_PIPELINE_MAX 8

/* Room for n parameters in the arrays handed to PQsendQueryPrepared. */
static int store_exec_scratch_grow(struct store *st, int n)
{
	const char **values;
	int *lengths, *formats;

	if (n <= st->scratch_cap)
		return 0;
	if ((values = realloc(st->values, n * sizeof(*values))) == NULL)
		return -ENOMEM;
	st->values = values;
	if ((lengths = realloc(st->lengths, n * sizeof(*lengths))) == NULL)
		return -ENOMEM;
	st->lengths = lengths;
	if ((formats = realloc(st->formats, n * sizeof(*formats))) == NULL)
		return -ENOMEM;
	st->formats = formats;
	st->scratch_cap = n;
	return 0;
}

/* The job's statements all exist and have the parameters they were prepared
 * with (a count mismatch would be a protocol error). */
static int store_exec_check(struct store *st, struct store_job *job)
{
	const struct store_job_priv *p = job->priv;
	int most = 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct store_stmt *s = &p->stmts[i];
		if ((size_t)s->id >= st->cat->n_statements ||
		    s->nvals != st->cat->statements[s->id].nparams) {
			snprintf(job->error, sizeof(job->error),
				 "statement %zu: unknown statement %d or wrong parameter count %d", i,
				 s->id, s->nvals);
			return -EINVAL;
		}
		if (s->nvals > most)
			most = s->nvals;
	}
	if (store_exec_scratch_grow(st, most) < 0)
		goto nomem;
	if (job->type == STORE_READ && p->n > 0) {
		job->results = calloc(p->n, sizeof(*job->results));
		if (job->results == NULL)
			goto nomem;
		job->n_results = p->n;
	}
	return 0;
nomem:
	snprintf(job->error, sizeof(job->error), "out of memory");
	return -ENOMEM;
}

static bool store_exec_send_stmt(struct store *st, const struct store_job *job, const struct store_stmt *s)
{
	store_job_params(job, s, st->values, st->lengths, st->formats);
	return PQsendQueryPrepared(st->conn, st->cat->statements[s->id].name, s->nvals, st->values,
				   st->lengths, st->formats, 0) == 1;
}

static bool store_exec_send_cmd(struct store *st, const char *sql)
{
	return PQsendQueryParams(st->conn, sql, 0, NULL, NULL, NULL, NULL, 0) == 1;
}

/* Queue the job's commands in libpq (the caller syncs and flushes). */
static bool store_exec_send(struct store *st, struct store_job *job)
{
	struct store_job_priv *p = job->priv;
	bool write = job->type == STORE_WRITE;
	char batch[24];
	const char *guard[1] = {batch};

	snprintf(batch, sizeof(batch), "%" PRIu64, job->batch);
	if (write && (!store_exec_send_cmd(st, "BEGIN") ||
		      !PQsendQueryPrepared(st->conn, STORE_GUARD_NAME, 1, guard, NULL, NULL, 0)))
		return false;
	for (size_t i = 0; i < p->n; i++)
		if (!store_exec_send_stmt(st, job, &p->stmts[i]))
			return false;
	if (write && !store_exec_send_cmd(st, "COMMIT"))
		return false;
	p->ncmds = p->n + (write ? 3 : 0);
	return true;
}

/* The head job's results are read next: start from what was found when it
 * was sent. */
static void store_exec_head_begin(struct store *st)
{
	const struct store_job_priv *p = st->head->priv;

	st->cmd = 0;
	st->ncmds = p->ncmds;
	st->status = p->sent_status;
	st->skipped = p->sent_skipped;
	st->rolling_back = false;
}

/* Send the next job, if any, ahead of the results of those sent before it:
 * PostgreSQL starts on it while assistd reads and acts on theirs. Not while
 * a failed write is rolled back, since the jobs after it go again once its
 * owner has been told. A job that needs no statements (invalid, or its batch
 * already committed) still sends a sync, so that done() always comes from
 * the loop and never from inside store_submit(). */
int store_exec_start(struct store *st)
{
	struct store_job *job = st->unsent;
	struct store_job_priv *p;

	if (job == NULL || st->rolling_back || st->discard > 0 || st->inflight >= STORE_PIPELINE_MAX)
		return 0;
	p = job->priv;
	p->ncmds = 0;
	p->sent_skipped = false;
	job->error[0] = '\0';
	job->sqlstate[0] = '\0';
	p->sent_status = store_exec_check(st, job);
	if (p->sent_status == 0 && job->type == STORE_WRITE && job->batch <= st->committed) {
		p->sent_skipped = true;
	} else if (p->sent_status == 0 && !store_exec_send(st, job)) {
		store_lost(st, NULL);
		return 1;
	}
	if (!PQpipelineSync(st->conn)) {
		store_lost(st, NULL);
		return 1;
	}
	st->unsent = job->next;
	if (st->inflight++ == 0)
		store_exec_head_begin(st);
	store_flush(st);
	return 1;
}

static void store_exec_keep(struct store *st, PGresult *r)
{
	struct store_job *job = st->head;

	if (st->discard == 0 && job->type == STORE_READ && st->cmd < job->n_results &&
	    job->results[st->cmd] == NULL)
		job->results[st->cmd] = r;
	else
		PQclear(r);
}

/* A statement failed; the server skips the rest up to the sync. */
static void store_exec_error(struct store *st, PGresult *r)
{
	struct store_job *job = st->head;
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	if (st->status != 0 || st->skipped)
		return;
	if (job->type == STORE_WRITE && st->cmd == STORE_GUARD_CMD &&
	    state != NULL && strcmp(state, SQLSTATE_DIVISION_BY_ZERO) == 0) {
		st->skipped = true;
		return;
	}
	st->status = -EIO;
	store_msg_copy(job->error, sizeof(job->error), PQresultErrorMessage(r));
	snprintf(job->sqlstate, sizeof(job->sqlstate), "%s", state ? state : "");
}

/* Jobs sent after a rolled-back write had their commands refused by the
 * aborted transaction: they are unsent again, without their results. */
static void store_exec_unsend(struct store *st)
{
	struct store_job *j = st->head;

	for (size_t i = 0; i < st->inflight; i++, j = j->next)
		store_job_clear_results(j);
	st->unsent = st->head;
	st->inflight = 0;
}

static int store_exec_finish(struct store *st)
{
	struct store_job *job = st->head;
	bool rolled_back = st->rolling_back, skipped = st->skipped;
	int status = st->status;

	st->rolling_back = false;
	st->head = job->next;
	if (st->head == NULL)
		st->tail = NULL;
	job->next = NULL;
	st->pending--;
	st->inflight--;
	if (rolled_back)
		store_exec_unsend(st);
	else if (st->inflight > 0)
		store_exec_head_begin(st);
	if (job->type == STORE_WRITE && status == 0) {
		if (skipped)
			log_info("store: batch %" PRIu64 " was already committed", job->batch);
		if (job->batch > st->committed)
			st->committed = job->batch;
	}
	job->done(job, status);
	return 1;
}

/* The head job reached its sync. A failed write leaves its explicit
 * transaction aborted until a ROLLBACK, and the jobs sent after it fail in
 * it: their results are thrown away and they go again after it. */
static int store_exec_synced(struct store *st)
{
	bool failed = st->status != 0 || st->skipped;

	if (st->rolling_back || st->head->type != STORE_WRITE || !failed || st->ncmds == 0)
		return store_exec_finish(st);
	st->rolling_back = true;
	st->cmd = 0;
	st->ncmds = 1;
	st->discard = st->inflight - 1;
	if (!store_exec_send_cmd(st, "ROLLBACK") || !PQpipelineSync(st->conn)) {
		store_lost(st, NULL);
		return 1;
	}
	store_flush(st);
	return 1;
}

/* Read the jobs' results in order: 1 when one finished (or the connection
 * was given up), 0 to wait for input. */
int store_exec_read(struct store *st)
{
	char msg[256];

	while (st->inflight > 0 && !PQisBusy(st->conn)) {
		PGresult *r = PQgetResult(st->conn);
		if (r == NULL) {
			st->cmd++; /* the end of one command's results */
			continue;
		}
		switch (PQresultStatus(r)) {
		case PGRES_PIPELINE_SYNC:
			PQclear(r);
			if (st->discard > 0) {
				st->discard--;
				continue;
			}
			return store_exec_synced(st);
		case PGRES_FATAL_ERROR:
			if (store_conn_error(st->conn, r)) {
				store_msg_copy(msg, sizeof(msg), PQresultErrorMessage(r));
				PQclear(r);
				store_lost(st, msg);
				return 1;
			}
			if (st->discard == 0)
				store_exec_error(st, r);
			store_exec_keep(st, r);
			break;
		default:
			store_exec_keep(st, r);
			break;
		}
	}
	return 0;
}
