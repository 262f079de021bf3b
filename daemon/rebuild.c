#include "rebuild.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "instance.h"
#include "log.h"
#include "schema.h"
#include "walltime.h"
#include "ymd.h"

/* Journal rows read at a time; the engine batches them as at intake. */
#define REBUILD_PAGE 5000

struct rebuild {
	struct server *srv;
	bool started;    /* the store came up once */
	bool finishing;  /* the last page was read */
	uint64_t after_id;
	uint64_t events;
	int64_t began_ms;
	int exit_code;
};

static void rebuild_close(struct rebuild *rb, int exit_code);

static void on_reply(void *data, const uint8_t *peer, size_t peer_len, const Assist__Reply *r)
{
}

static void on_publish(void *data, const char *topic, const uint8_t *msg, size_t len)
{
}

static void on_pause(void *data, bool paused)
{
}

static void on_fatal(void *data, const char *why)
{
	log_error("rebuild: %s", why);
	rebuild_close(data, 1);
}

static void on_locked(struct store *st, const char *why)
{
	log_error("rebuild: another assistd uses the database; refusing (exit %d)",
		  INSTANCE_EXIT_LOCKED);
	rebuild_close(store_data(st), INSTANCE_EXIT_LOCKED);
}

static void next_page(struct rebuild *rb);
static void finish(struct rebuild *rb);

/* The engine has committed every batch of the page fed to it. */
static void on_drained(void *data)
{
	struct rebuild *rb = data;

	if (rb->srv->closed)
		return;
	if (rb->finishing)
		finish(rb);
	else
		next_page(rb);
}

static const struct engine_ops rebuild_ops = {
	.reply = on_reply,
	.publish = on_publish,
	.pause = on_pause,
	.fatal = on_fatal,
	.drained = on_drained,
};

static void rebuild_close(struct rebuild *rb, int exit_code)
{
	struct server *srv = rb->srv;

	if (srv->closed)
		return;
	srv->closed = true;
	rb->exit_code = exit_code;
	server_close_core(srv);
}

/* A store job that failed: logged with what it was doing, freed, and the
 * rebuild stopped; true. False when it did not fail. */
static bool job_failed(struct rebuild *rb, struct store_job *job, int status, const char *doing)
{
	if (status >= 0)
		return false;
	log_error("rebuild: %s: %s", doing, job->error);
	store_job_free(job);
	rebuild_close(rb, 1);
	return true;
}

static void on_done(struct store_job *job, int status)
{
	struct rebuild *rb = job->data;
	struct engine *e = &rb->srv->engine;
	int64_t ms = walltime_now_ms() - rb->began_ms;

	if (job_failed(rb, job, status, "recording positions"))
		return;
	store_job_free(job);
	printf("rebuilt from %" PRIu64 " journal events: %" PRIu64 " recipients, %" PRIu64
	       " events now rejected, %" PRId64 ".%03d s\n",
	       rb->events, engine_recipients(e), e->replay_diverged, ms / 1000, (int)(ms % 1000));
	fflush(stdout);
	rebuild_close(rb, e->replay_diverged != 0 ? 1 : 0);
}

static void submit_write(struct rebuild *rb, int stmt, store_done_cb done)
{
	struct engine *e = &rb->srv->engine;
	struct store_job *job = store_job_new(STORE_WRITE, done, rb);

	if (job == NULL || store_job_add(job, stmt, NULL, 0) < 0) {
		store_job_free(job);
		log_error("rebuild: out of memory");
		rebuild_close(rb, 1);
		return;
	}
	/* Write jobs number on from the engine's batches. */
	job->batch = ++e->commit.batch_no;
	store_submit(rb->srv->store, job);
}

/* One journal row into the engine. */
static int feed_row(struct rebuild *rb, const PGresult *res, int i)
{
	size_t len;
	uint8_t *data = PQunescapeBytea((const unsigned char *)PQgetvalue(res, i, 4), &len);
	Assist__Event *ev = data ? assist__event__unpack(NULL, len, data) : NULL;
	long day = strtol(PQgetvalue(res, i, 5), NULL, 10);
	int rc;

	PQfreemem(data);
	rb->after_id = strtoull(PQgetvalue(res, i, 0), NULL, 10);
	if (ev == NULL) {
		log_error("rebuild: journal row %" PRIu64 " does not decode as an event",
			  rb->after_id);
		return -EINVAL;
	}
	rc = ingest_replay(&rb->srv->engine, PQgetvalue(res, i, 1),
			   strtoull(PQgetvalue(res, i, 2), NULL, 10),
			   strtoull(PQgetvalue(res, i, 3), NULL, 10),
			   ymd_make((int)(day / 10000), (int)(day / 100 % 100), (int)(day % 100)), ev);
	if (rc < 0)
		assist__event__free_unpacked(ev, NULL);
	return rc;
}

static void on_page(struct store_job *job, int status)
{
	struct rebuild *rb = job->data;
	const PGresult *res = status == 0 ? job->results[0] : NULL;
	int n = res ? PQntuples(res) : 0;

	if (job_failed(rb, job, status, "reading the journal"))
		return;
	for (int i = 0; i < n; i++) {
		if (feed_row(rb, res, i) < 0) {
			store_job_free(job);
			rebuild_close(rb, 1);
			return;
		}
		rb->events++;
	}
	store_job_free(job);
	if (n > 0 && rb->events % 100000 < (uint64_t)n)
		log_info("rebuild: %" PRIu64 " journal events replayed", rb->events);
	rb->finishing = n < REBUILD_PAGE;
	engine_drain(&rb->srv->engine);
}

/* Every batch is committed: positions, and the marker goes. */
static void finish(struct rebuild *rb)
{
	submit_write(rb, SQL_REBUILD_DONE, on_done);
}

static void next_page(struct rebuild *rb)
{
	char after[24], limit[16];
	struct store_job *job = store_job_new(STORE_READ, on_page, rb);

	snprintf(after, sizeof(after), "%" PRIu64, rb->after_id);
	snprintf(limit, sizeof(limit), "%d", REBUILD_PAGE);
	struct store_val v[2] = {{after, strlen(after), false}, {limit, strlen(limit), false}};
	if (job == NULL || store_job_add(job, SQL_JOURNAL_PAGE, v, 2) < 0) {
		store_job_free(job);
		log_error("rebuild: out of memory");
		rebuild_close(rb, 1);
		return;
	}
	store_submit(rb->srv->store, job);
}

static void on_cleared(struct store_job *job, int status)
{
	struct rebuild *rb = job->data;

	if (job_failed(rb, job, status, "clearing the derived tables"))
		return;
	store_job_free(job);
	rb->srv->engine.persons_at_start = 0;
	funds_clear(&rb->srv->engine.funds);
	log_info("rebuild: derived tables cleared; replaying the journal");
	next_page(rb);
}

static void on_ready(void *data, int status)
{
	struct rebuild *rb = data;

	if (status < 0) {
		rebuild_close(rb, 1);
		return;
	}
	submit_write(rb, SQL_REBUILD_CLEAR, on_cleared);
}

static void on_state(struct store *st, bool up)
{
	struct rebuild *rb = store_data(st);

	if (up && !rb->started && !rb->srv->closed) {
		rb->started = true;
		engine_start(&rb->srv->engine, on_ready);
	}
}

int rebuild_run(struct server *srv)
{
	struct rebuild rb = {.srv = srv, .began_ms = walltime_now_ms()};
	int rc;

	/* A rebuild rewrites what a running assistd serves: one at a time. */
	if ((rc = server_take_instance_lock(srv)) != 0) {
		uv_loop_close(&srv->loop); /* nothing was started on it */
		return rc;
	}
	if ((rc = server_open_core(srv, &rebuild_ops, on_state, on_locked, &rb)) != 0)
		return rc;
	srv->engine.replay = true;
	if (server_run_loop(srv) != 0)
		return 1;
	return rb.exit_code;
}
