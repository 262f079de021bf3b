#include "engine.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idnum.h"
#include "load.h"
#include "log.h"
#include "schema.h"
#include "stored.h"
#include "scheme.h"
#include "strmap.h"

void engine_fatal(struct engine *e, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	e->ops->fatal(e->data, why);
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

/* Every fund-year's spending, as committed (fund.h). 0 or -ENOMEM. */
static int start_funds(struct engine *e, const PGresult *res)
{
	funds_clear(&e->funds);
	for (int i = 0; i < PQntuples(res); i++) {
		const struct scheme *row = scheme_by_name(PQgetvalue(res, i, 0));
		struct fund_total *t;

		if (row == NULL) /* a scheme no longer in the table: no fund to check */
			continue;
		t = funds_get(&e->funds, row->scheme, (int)strtol(PQgetvalue(res, i, 1), NULL, 10));
		if (t == NULL)
			return -ENOMEM;
		t->spent = t->spent_committed = strtoll(PQgetvalue(res, i, 2), NULL, 10);
		t->alerted = t->alerted_committed = PQgetvalue(res, i, 3)[0] == 't';
	}
	return 0;
}

/* Every shared entitlement list the store holds, before any person that
 * names one is read. 0 or -ENOMEM (a row that does not read is logged). */
static int start_entitlement_lists(const PGresult *res)
{
	for (int i = 0; i < PQntuples(res); i++) {
		size_t dlen = 0, len = 0;
		uint8_t *digest = PQunescapeBytea((const unsigned char *)PQgetvalue(res, i, 0), &dlen);
		uint8_t *list = PQunescapeBytea((const unsigned char *)PQgetvalue(res, i, 1), &len);
		int rc = digest && list ? stored_unpack_entitlements(digest, dlen, list, len) : -ENOMEM;

		PQfreemem(digest);
		PQfreemem(list);
		if (rc == -ENOMEM)
			return rc;
		if (rc < 0)
			log_error("entitlement list %d of the store does not read; skipped", i);
	}
	return 0;
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
		struct ingest_source *s = ingest_source_get(e, PQgetvalue(pos, i, 0), true);
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
	e->feed.seq = e->feed.committed = col_u64(cnt, 0, 0);
	e->dead_letters = col_u64(cnt, 0, 1);
	e->persons_at_start = col_u64(cnt, 0, 2);
	if ((status = instore_start(&e->instore, e, e->persons_at_start)) < 0)
		goto cleanup;
	/* From an empty store, whoever is paid later is created in memory: no
	 * payment run needs to read its payees. */
	if (e->persons_at_start == 0)
		world_payees_loaded(&e->world, 0, 1);
	if (col_u64(cnt, 0, 4) != 0 && !e->replay) {
		log_error("the store holds an unfinished rebuild: run assistd --rebuild again");
		status = -EBUSY;
		goto cleanup;
	}
	if (!PQgetisnull(cnt, 0, 3)) {
		size_t len;
		uint8_t *d =
			PQunescapeBytea((const unsigned char *)PQgetvalue(cnt, 0, 3), &len);
		if (d != NULL && len == sizeof(e->commit.digest))
			memcpy(e->commit.digest, d, len);
		PQfreemem(d);
	}
	if ((status = start_funds(e, job->results[2])) < 0 ||
	    (status = start_entitlement_lists(job->results[3])) < 0)
		goto cleanup;
	e->commit.batch_no = store_last_batch(e->store);
	log_info("store holds %" PRIu64 " recipients, feed at %" PRIu64 ", %" PRIu64
		 " dead letters", e->persons_at_start, e->feed.seq, e->dead_letters);
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
	    store_job_add(job, SQL_COUNTERS, NULL, 0) < 0 ||
	    store_job_add(job, SQL_FUND_TOTALS, NULL, 0) < 0 ||
	    store_job_add(job, SQL_ENTITLEMENT_LISTS, NULL, 0) < 0) {
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
	else if (load_adopt(e, job) < 0)
		log_error("out of memory loading a person");
	store_job_free(job);
	fc->cb(fc->arg, strmap_get(&e->world.persons, fc->id));
	free(fc);
}

void engine_find_person(struct engine *e, const char *id,
			void (*cb)(void *arg, struct person *p), void *arg)
{
	struct person *p = strmap_get(&e->world.persons, id);
	struct find_ctx *fc;
	struct store_job *job = NULL;

	if (p != NULL) {
		cb(arg, p);
		return;
	}
	fc = calloc(1, sizeof(*fc));
	if (fc == NULL || batch_load_missing(e, &id, 1, on_found, fc, &job) < 0 || job == NULL) {
		free(fc);
		cb(arg, NULL);
		return;
	}
	fc->e = e;
	snprintf(fc->id, sizeof(fc->id), "%s", id);
	fc->cb = cb;
	fc->arg = arg;
	store_submit(engine_loader(e), job);
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
	else if ((status = load_adopt(fc->e, job)) < 0)
		log_error("out of memory loading persons");
	store_job_free(job);
	fc->cb(fc->arg, status);
	free(fc);
}

void engine_find_persons(struct engine *e, const char *const *ids, size_t n,
			 void (*cb)(void *arg, int status), void *arg)
{
	struct finds_ctx *fc = NULL;
	struct store_job *job;

	if (batch_load_missing(e, ids, n, on_found_all, NULL, &job) == 0 && job == NULL) {
		cb(arg, 0);
		return;
	}
	if (job == NULL || (fc = calloc(1, sizeof(*fc))) == NULL) {
		store_job_free(job);
		cb(arg, -ENOMEM);
		return;
	}
	job->data = fc;
	fc->e = e;
	fc->cb = cb;
	fc->arg = arg;
	store_submit(engine_loader(e), job);
}

struct store *engine_loader(const struct engine *e)
{
	return e->reader != NULL && store_up(e->reader) ? e->reader : e->store;
}

struct person *engine_person(const struct engine *e, const char *id)
{
	return strmap_get(&e->world.persons, id);
}

const struct ingest_source *engine_sources(const struct engine *e)
{
	return e->ingest.sources;
}

uint64_t engine_feed_seq(const struct engine *e)
{
	return e->feed.seq;
}

uint64_t engine_feed_committed(const struct engine *e)
{
	return e->feed.committed;
}

uint64_t engine_dead_letters(const struct engine *e)
{
	return e->dead_letters;
}

uint64_t engine_recipients(const struct engine *e)
{
	return e->persons_at_start + e->world.created;
}

int engine_init(struct engine *e, uv_loop_t *loop, struct store *st,
		const struct engine_ops *ops, void *data)
{
	int rc = tally_check();

	if (rc < 0)
		return rc;
	memset(e, 0, sizeof(*e));
	e->loop = loop;
	e->store = st;
	e->ops = ops;
	e->data = data;
	commit_init(&e->commit);
	return batch_queue_init(&e->queue, loop, e);
}

void engine_drain(struct engine *e)
{
	e->queue.draining = true;
	batch_seal(e);
	batch_update_pause(e);
}

static void on_timer_closed(uv_handle_t *h)
{
	struct engine *e = h->data;

	e->on_closed(e->data);
}

void engine_close(struct engine *e, void (*on_closed)(void *data))
{
	e->on_closed = on_closed;
	uv_close((uv_handle_t *)&e->queue.timer, on_timer_closed);
}

void engine_free(struct engine *e)
{
	batch_queue_free(&e->queue);
	ingest_free(&e->ingest);
	commit_free(&e->commit);
	funds_free(&e->funds);
	world_free(&e->world);
	instore_free(&e->instore);
}
