#include "appdue.h"

#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "application.h"
#include "engine.h"
#include "log.h"
#include "params.h"
#include "pbjson.h"
#include "policy/appstep.h"
#include "schema.h"
#include "walltime.h"

int appdue_init(struct appdue *d, uv_loop_t *loop)
{
	memset(d, 0, sizeof(*d));
	d->timer.data = d;
	return uv_timer_init(loop, &d->timer);
}

/* The overdue mark of one due row (application_id, id_number, scheme,
 * state), as a freshly unpacked event the batch owns; NULL when the row is
 * not one assistd wrote or out of memory. */
static Assist__Event *overdue_event(const PGresult *res, int i, uint64_t major, ymd_t today)
{
	Assist__Event ev = ASSIST__EVENT__INIT;
	Assist__Application a = ASSIST__APPLICATION__INIT;
	char on[YMD_BUFLEN], when[40];
	int scheme, step;
	size_t len;
	uint8_t *buf;
	Assist__Event *out;

	if (pbjson_enum_value(&assist__scheme__descriptor, PQgetvalue(res, i, 2), &scheme) < 0 ||
	    pbjson_enum_value(&assist__application_step__descriptor, PQgetvalue(res, i, 3),
			      &step) < 0)
		return NULL;
	a.application_id = PQgetvalue(res, i, 0);
	a.id_number = PQgetvalue(res, i, 1);
	a.scheme = scheme;
	a.step = step;
	a.on = ymd_format(today, on);
	a.overdue = true;
	ev.source = APPLICATION_SOURCE;
	ev.seq = major;
	ev.kind = ASSIST__KIND__KIND_APPLICATION;
	ev.occurred_at = (char *)walltime_format(walltime_now_ms(), when, sizeof(when));
	ev.payload_case = ASSIST__EVENT__PAYLOAD_APPLICATION;
	ev.application = &a;
	/* Packed and unpacked: the batch frees what it takes as unpacked. */
	len = assist__event__get_packed_size(&ev);
	if ((buf = malloc(len ? len : 1)) == NULL)
		return NULL;
	assist__event__pack(&ev, buf);
	out = assist__event__unpack(NULL, len, buf);
	free(buf);
	return out;
}

/* Take a mark for every due row into the pipeline, in the internal
 * source's next positions. */
static void take_due(struct engine *e, const PGresult *res)
{
	struct ingest_source *s;
	ymd_t today = ymd_today();

	/* The source appears in status with its first mark, not before. */
	if (PQntuples(res) == 0 || (s = ingest_source_get(e, APPLICATION_SOURCE, true)) == NULL)
		return;
	s->internal = true;
	s->last_seen_ms = walltime_now_ms();
	for (int i = 0; i < PQntuples(res); i++) {
		Assist__Event *ev = overdue_event(res, i, s->taken_major + 1, today);

		if (ev == NULL || batch_add(e, s, ev, s->taken_major + 1, 0) < 0) {
			if (ev != NULL)
				assist__event__free_unpacked(ev, NULL);
			log_error("application_overdue: cannot take the mark of %s",
				  PQgetvalue(res, i, 0));
			return;
		}
		s->taken_major++;
		s->taken_minor = 0;
	}
	log_info("application_overdue: %d steps waited too long", PQntuples(res));
}

static void on_due(struct store_job *job, int status)
{
	struct appdue *d = job->data;

	d->reading = false;
	if (status < 0)
		log_error("application_overdue: %s", job->error);
	else
		take_due(d->e, job->results[0]);
	store_job_free(job);
}

/* assistd's own source, once a mark made it: heard from at every check,
 * so never a stale feed. NULL before the first mark. */
static struct ingest_source *own_source(struct appdue *d)
{
	struct ingest_source *s = ingest_source_get(d->e, APPLICATION_SOURCE, false);

	if (s != NULL) {
		s->internal = true;
		s->last_seen_ms = walltime_now_ms();
	}
	return s;
}

static void on_tick(uv_timer_t *t)
{
	struct appdue *d = t->data;
	struct ingest_source *s = own_source(d);
	struct param_value limit;
	char cutoff[YMD_BUFLEN], n[16];
	struct store_val v[2];
	struct store_job *job;
	ymd_t today = ymd_today();

	/* Nothing is read while a read or the marks of the last check are in
	 * flight: a mark not yet applied would be read as due again. */
	if (d->reading || (s != NULL && (s->taken_major != s->done_major ||
					 s->taken_minor != s->done_minor)) ||
	    params_get(d->e->params, APPSTEP_DAYS_PARAM, today, &limit) < 0)
		return;
	/* Waited longer than the limit: taken before today - limit. */
	ymd_format(ymd_from_days(ymd_to_days(today) - limit.value), cutoff);
	snprintf(n, sizeof(n), "%d", APPDUE_BATCH);
	v[0] = (struct store_val){cutoff, strlen(cutoff), false};
	v[1] = (struct store_val){n, strlen(n), false};
	job = store_job_new(STORE_READ, on_due, d);
	if (job == NULL || store_job_add(job, SQL_APPLICATIONS_DUE, v, 2) < 0) {
		store_job_free(job);
		log_error("application_overdue: out of memory");
		return;
	}
	d->reading = true;
	store_submit(d->e->store, job);
}

void appdue_start(struct appdue *d, struct engine *e, int64_t interval_ms)
{
	d->e = e;
	uv_timer_start(&d->timer, on_tick, 0, (uint64_t)interval_ms);
}
