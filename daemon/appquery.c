#include "appquery.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "application.h"
#include "log.h"
#include "query.h"
#include "schema.h"
#include "server.h"

/* Who asked, kept until the answer is ready. */
struct appquery {
	struct query_asker who;
	char id[STATE_APPLICATION_ID_MAX + 1];
};

static void on_person(void *arg, struct person *p)
{
	struct appquery *q = arg;
	const struct application *app = application_find(p, q->id);
	Assist__Reply r = ASSIST__REPLY__INIT;
	struct arena a = {0};

	if (app == NULL) {
		query_fail(&q->who, ASSIST__ERROR_CODE__ERROR_CODE_UNKNOWN_PERSON, "unknown application");
		goto cleanup;
	}
	r.body_case = ASSIST__REPLY__BODY_APPLICATION;
	if ((r.application = application_trail(&a, app)) == NULL)
		query_fail(&q->who, ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY, "out of memory");
	else
		query_answer(&q->who, &r);
cleanup:
	arena_free(&a);
	free(q);
}

static void on_found(struct store_job *job, int status)
{
	struct appquery *q = job->data;
	const PGresult *res = status == 0 ? job->results[0] : NULL;
	char id[IDNUM_BUFLEN];

	if (status < 0) {
		log_error("application: %s", job->error);
		query_fail(&q->who, ASSIST__ERROR_CODE__ERROR_CODE_STORE_FAILED, "the store failed to answer");
		free(q);
	} else if (res == NULL || PQntuples(res) == 0) {
		query_fail(&q->who, ASSIST__ERROR_CODE__ERROR_CODE_UNKNOWN_PERSON, "unknown application");
		free(q);
	} else {
		snprintf(id, sizeof(id), "%s", PQgetvalue(res, 0, 0));
		engine_find_person(&q->who.srv->engine, id, on_person, q);
	}
	store_job_free(job);
}

void appquery_handle(struct server *srv, const uint8_t *peer, size_t peer_len,
		     const Assist__Request *req)
{
	const char *id = req->application->application_id;
	struct appquery *q = calloc(1, sizeof(*q));
	struct store_val v = {id, strlen(id), false};
	struct store_job *job;

	if (q == NULL)
		return;
	query_asker_set(&q->who, srv, peer, peer_len, req->request_id);
	if (id[0] == '\0' || strlen(id) > STATE_APPLICATION_ID_MAX) {
		query_fail(&q->who, ASSIST__ERROR_CODE__ERROR_CODE_BAD_REQUEST,
			   "application.application_id: is required, at most 39 bytes");
		free(q);
		return;
	}
	snprintf(q->id, sizeof(q->id), "%s", id);
	job = store_job_new(STORE_READ, on_found, q);
	if (job == NULL || store_job_add(job, SQL_APPLICATION_PERSON, &v, 1) < 0) {
		store_job_free(job);
		query_fail(&q->who, ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY, "out of memory");
		free(q);
		return;
	}
	store_submit(srv->store, job);
}
