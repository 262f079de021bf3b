#include "store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "store_exec.h"
#include "store_internal.h"
#include "store_job.h"
#include "store_setup.h"

#define STORE_MIN_MS_DEFAULT 100
#define STORE_MAX_MS_DEFAULT 10000
#define STORE_SNDBUF (4 << 20)

static void store_run(struct store *st);
static void store_on_poll(struct pgpoll *pp, int status, int events);
static void store_on_timer(uv_timer_t *t);

/* libpq messages end in newlines and may span lines: one log line each. */
void store_msg_copy(char *dst, size_t size, const char *src)
{
	size_t n = 0;

	for (; src != NULL && *src != '\0' && n + 1 < size; src++) {
		char c = (*src == '\n' || *src == '\t') ? ' ' : *src;
		if (c == ' ' && (n == 0 || dst[n - 1] == ' '))
			continue;
		dst[n++] = c;
	}
	while (n > 0 && dst[n - 1] == ' ')
		n--;
	dst[n] = '\0';
}

static void store_on_notice(void *arg, const char *message)
{
	char msg[256];

	store_msg_copy(msg, sizeof(msg), message);
	log_debug("store: %s", msg);
}

/* An error that means the session is gone, as opposed to a failed statement. */
bool store_conn_error(PGconn *conn, const PGresult *r)
{
	const char *sev = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);

	if (PQstatus(conn) == CONNECTION_BAD)
		return true;
	if (PQresultErrorField(r, PG_DIAG_SQLSTATE) == NULL)
		return true; /* made by libpq itself */
	return sev != NULL && (strcmp(sev, "FATAL") == 0 || strcmp(sev, "PANIC") == 0);
}

static void store_handle_closed(struct store *st)
{
	void (*on_closed)(void *data) = st->on_closed;
	void *data = st->data;

	if (st->timer_open || st->poll.open > 0 || st->phase != STORE_GONE)
		return;
	free(st->values);
	free(st->lengths);
	free(st->formats);
	free(st->applied);
	free(st->conninfo);
	free(st);
	if (on_closed != NULL)
		on_closed(data);
}

static void store_on_poll_closed(struct pgpoll *pp)
{
	store_handle_closed(pp->data);
}

static void store_on_timer_closed(uv_handle_t *h)
{
	struct store *st = h->data;

	st->timer_open = false;
	store_handle_closed(st);
}

/* Forget the connection; the jobs sent will be sent again. */
void store_disconnect(struct store *st)
{
	struct store_job *j = st->head;

	pgpoll_unwatch(&st->poll);
	if (st->conn != NULL)
		PQfinish(st->conn);
	st->conn = NULL;
	st->phase = STORE_DOWN;
	st->up = false;
	st->want_write = false;
	for (size_t i = 0; i < st->inflight; i++, j = j->next)
		store_job_clear_results(j);
	st->unsent = st->head;
	st->inflight = 0;
	st->discard = 0;
	st->rolling_back = false;
}

/* The connection failed or was lost: retry later, tell the owner. */
void store_lost(struct store *st, const char *why)
{
	bool was_up = st->up;
	char msg[256];

	store_msg_copy(msg, sizeof(msg),
		       why != NULL ? why : st->conn != NULL ? PQerrorMessage(st->conn) : "");
	store_disconnect(st);
	if (st->closing) {
		log_warn("store: %s: %s", was_up ? "connection lost" : "cannot connect", msg);
	} else {
		log_warn("store: %s: %s; reconnecting in %u ms",
			 was_up ? "connection lost" : "cannot connect", msg, st->backoff);
		uv_timer_start(&st->timer, store_on_timer, st->backoff, 0);
		st->backoff = st->backoff > st->backoff_max / 2 ? st->backoff_max : st->backoff * 2;
	}
	if (was_up && st->on_state != NULL)
		st->on_state(st, false);
}

/* Send what libpq holds; the rest waits for the socket to be writable. */
int store_flush(struct store *st)
{
	int rc = pgpoll_flush(&st->poll, st->conn, UV_READABLE);

	if (rc < 0) {
		store_lost(st, rc == -EIO ? NULL : uv_strerror(rc));
		return -1;
	}
	st->want_write = rc == 1;
	return 0;
}

static void store_connect(struct store *st)
{
	const char *const keys[] = {"dbname", "fallback_application_name", NULL};
	const char *const values[] = {st->conninfo, st->name, NULL};
	int rc;

	/* expand_dbname: conninfo is a connection string or URI, as before. */
	st->conn = PQconnectStartParams(keys, values, 1);
	if (st->conn == NULL) {
		store_lost(st, "out of memory");
		return;
	}
	if (PQstatus(st->conn) == CONNECTION_BAD) {
		store_lost(st, NULL);
		return;
	}
	st->phase = STORE_CONNECTING;
	/* Before the first PQconnectPoll, behave as if it asked for writing. */
	if ((rc = pgpoll_watch(&st->poll, st->conn, UV_WRITABLE)) < 0)
		store_lost(st, uv_strerror(rc));
}

static void store_on_timer(uv_timer_t *t)
{
	struct store *st = t->data;

	st->in_run = true;
	store_connect(st);
	st->in_run = false;
	store_run(st);
}

static void store_connected(struct store *st)
{
	if (PQsetnonblocking(st->conn, 1) != 0) {
		store_lost(st, NULL);
		return;
	}
	/* A batch's job is megabytes: the bigger the socket's buffer (up to
	 * net.core.wmem_max), the fewer partial sends, each of which makes libpq
	 * move what is left to the front of its buffer. */
	setsockopt(PQsocket(st->conn), SOL_SOCKET, SO_SNDBUF, &(int){STORE_SNDBUF}, sizeof(int));
	PQsetNoticeProcessor(st->conn, store_on_notice, st);
	/* No DETAIL lines: they quote key values, which may be ID numbers. */
	PQsetErrorVerbosity(st->conn, PQERRORS_TERSE);
	store_setup_start(st);
}

static void store_connect_step(struct store *st)
{
	int rc = pgpoll_connect_step(&st->poll, st->conn);

	if (rc == 1)
		store_connected(st);
	else if (rc < 0)
		store_lost(st, rc == -EIO ? NULL : uv_strerror(rc));
}

void store_went_up(struct store *st)
{
	if (!PQenterPipelineMode(st->conn)) {
		store_lost(st, NULL);
		return;
	}
	st->phase = STORE_UP;
	st->up = true;
	st->backoff = st->backoff_min;
	st->backend_pid = PQbackendPID(st->conn);
	log_info("store: up, last committed batch %" PRIu64, st->committed);
	if (st->on_state != NULL)
		st->on_state(st, true);
}

static void store_shutdown(struct store *st)
{
	store_disconnect(st);
	while (st->head != NULL) {
		struct store_job *job = st->head;
		st->head = job->next;
		store_job_free(job);
	}
	st->tail = NULL;
	st->pending = 0;
	st->phase = STORE_GONE;
	uv_close((uv_handle_t *)&st->timer, store_on_timer_closed);
}

/* One move: 1 when something changed and another may follow, 0 to wait. */
static int store_step(struct store *st)
{
	if (st->phase == STORE_GONE)
		return 0;
	if (st->closing && (st->phase != STORE_UP || st->head == NULL)) {
		store_shutdown(st);
		return 0;
	}
	if ((st->phase == STORE_SETUP || st->phase == STORE_UP) &&
	    PQstatus(st->conn) == CONNECTION_BAD) {
		store_lost(st, NULL);
		return 1;
	}
	if (st->phase == STORE_SETUP)
		return store_setup_read(st);
	if (st->phase != STORE_UP)
		return 0;
	if (store_exec_start(st) > 0)
		return 1;
	return store_exec_read(st);
}

/* Move on as far as possible without waiting, then watch for what is needed.
 * Callbacks to the owner run only in here (or in the poll and timer
 * callbacks): a store_submit() or store_close() made from one of them is
 * picked up by the loop instead of nesting. */
static void store_run(struct store *st)
{
	int rc;

	if (st->in_run)
		return;
	st->in_run = true;
	for (;;) {
		while (store_step(st) > 0)
			;
		if (st->phase != STORE_SETUP && st->phase != STORE_UP)
			break;
		rc = pgpoll_watch(&st->poll, st->conn,
				  UV_READABLE | (st->want_write ? UV_WRITABLE : 0));
		if (rc == 0)
			break;
		store_lost(st, uv_strerror(rc));
	}
	st->in_run = false;
}

static void store_on_io(struct store *st, int status, int events)
{
	if (status < 0) {
		store_lost(st, uv_strerror(status));
		return;
	}
	if (st->phase == STORE_CONNECTING) {
		store_connect_step(st);
		return;
	}
	if ((events & UV_READABLE) && !PQconsumeInput(st->conn)) {
		store_lost(st, NULL);
		return;
	}
	/* Reading may have made room on the server's side: flush again. */
	if ((events & UV_WRITABLE) || st->want_write)
		store_flush(st);
}

static void store_on_poll(struct pgpoll *pp, int status, int events)
{
	struct store *st = pp->data;

	st->in_run = true;
	store_on_io(st, status, events);
	st->in_run = false;
	store_run(st);
}

int store_open(uv_loop_t *loop, const struct store_options *opt, const struct store_catalog *cat,
	       store_state_cb on_state, void *data, struct store **out)
{
	struct store *st;
	int rc = -ENOMEM;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return -ENOMEM;
	st->loop = loop;
	st->cat = cat;
	st->on_state = on_state;
	st->data = data;
	st->lock_key = opt->lock_key;
	st->on_locked = opt->on_locked;
	st->backoff_min = opt->reconnect_min_ms > 0 ? opt->reconnect_min_ms : STORE_MIN_MS_DEFAULT;
	st->backoff_max = opt->reconnect_max_ms > 0 ? opt->reconnect_max_ms : STORE_MAX_MS_DEFAULT;
	if (st->backoff_max < st->backoff_min)
		st->backoff_max = st->backoff_min;
	st->backoff = st->backoff_min;
	st->name = opt->name != NULL ? opt->name : "assistd";
	if ((st->conninfo = strdup(opt->conninfo)) == NULL)
		goto cleanup;
	if ((st->applied = calloc(cat->n_migrations + 1, sizeof(*st->applied))) == NULL)
		goto cleanup;
	if ((rc = uv_timer_init(loop, &st->timer)) < 0)
		goto cleanup;
	st->timer.data = st;
	st->timer_open = true;
	pgpoll_init(&st->poll, loop, store_on_poll, store_on_poll_closed, st);
	st->in_run = true;
	store_connect(st);
	st->in_run = false;
	*out = st;
	return 0;
cleanup:
	free(st->applied);
	free(st->conninfo);
	free(st);
	return rc;
}

void *store_data(struct store *st)
{
	return st->data;
}

bool store_up(const struct store *st)
{
	return st->up;
}

uint64_t store_last_batch(const struct store *st)
{
	return st->last_batch;
}

void store_submit(struct store *st, struct store_job *job)
{
	job->next = NULL;
	if (st->closing) {
		store_job_free(job);
		return;
	}
	if (st->tail != NULL)
		st->tail->next = job;
	else
		st->head = job;
	st->tail = job;
	if (st->unsent == NULL)
		st->unsent = job;
	st->pending++;
	store_run(st);
}

void store_cancel_writes(struct store *st)
{
	struct store_job **at = &st->head, *cancelled = NULL, **ctail = &cancelled;
	struct store_job **first_unsent;

	for (size_t i = 0; i < st->inflight; i++)
		at = &(*at)->next;
	first_unsent = at;
	while (*at != NULL) {
		struct store_job *job = *at;
		if (job->type != STORE_WRITE) {
			at = &job->next;
			continue;
		}
		*at = job->next;
		job->next = NULL;
		*ctail = job;
		ctail = &job->next;
		st->pending--;
	}
	st->unsent = *first_unsent;
	st->tail = NULL;
	for (struct store_job *j = st->head; j != NULL; j = j->next)
		st->tail = j;
	while (cancelled != NULL) {
		struct store_job *job = cancelled;
		cancelled = job->next;
		job->next = NULL;
		snprintf(job->error, sizeof(job->error), "cancelled");
		job->done(job, -ECANCELED);
	}
}

void store_push(struct store *st)
{
	if (st->phase == STORE_UP && st->want_write && PQflush(st->conn) == 0)
		st->want_write = false;
}

size_t store_pending(const struct store *st)
{
	return st->pending;
}

void store_close(struct store *st, void (*on_closed)(void *data))
{
	if (st->closing)
		return;
	st->closing = true;
	st->on_closed = on_closed;
	uv_timer_stop(&st->timer);
	store_run(st);
}
