#include "request.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ingest.h"
#include "log.h"
#include "pbcheck.h"
#include "query.h"
#include "record.h"
#include "walltime.h"

static Assist__Request *unpack_request(zmq_msg_t *frames, int n, const uint8_t **peer,
				       size_t *peer_len)
{
	zmq_msg_t *body;

	/* [peer][body], or [peer][empty][body] from a REQ socket. */
	if (n == 2)
		body = &frames[1];
	else if (n == 3 && zmq_msg_size(&frames[1]) == 0)
		body = &frames[2];
	else
		return NULL;
	*peer = zmq_msg_data(&frames[0]);
	*peer_len = zmq_msg_size(&frames[0]);
	return assist__request__unpack(NULL, zmq_msg_size(body), zmq_msg_data(body));
}

/* Where a request's strings held NUL bytes, which protobuf-c cuts them at. */
struct nul_check {
	Assist__Request *req;
	char refused[192]; /* the first one outside an event: the request is refused */
};

/* An event's string: the event is rejected with that field (through
 * invalid_reason, so the rest of its batch goes on); anywhere else the
 * whole request is refused. */
static void on_nul(void *arg, const char *path)
{
	struct nul_check *c = arg;
	Assist__Batch *b = c->req->body_case == ASSIST__REQUEST__BODY_BATCH ? c->req->batch : NULL;
	char reason[192];
	size_t i;
	int n = 0;

	if (b != NULL && sscanf(path, "batch.events[%zu].%n", &i, &n) == 1 && n > 0 &&
	    i < b->n_events) {
		Assist__Event *ev = b->events[i];
		const char *rest = path + n;
		char *copy;
		snprintf(reason, sizeof(reason), "%s%s: contains a NUL byte", strchr(rest, '.') ?
			 "" : "event.", rest);
		if ((copy = strdup(reason)) == NULL)
			return;
		if (ev->invalid_reason != protobuf_c_empty_string)
			free(ev->invalid_reason);
		ev->invalid_reason = copy;
	} else if (c->refused[0] == '\0') {
		snprintf(c->refused, sizeof(c->refused), "%s: contains a NUL byte", path);
	}
}

/* Why req (decoded from the last frame) must be refused, or NULL. */
static const char *check_nul(Assist__Request *req, zmq_msg_t *body, char *why, size_t len)
{
	struct nul_check c = {req, ""};

	if (pbcheck_nul(&assist__request__descriptor, zmq_msg_data(body), zmq_msg_size(body),
			on_nul, &c) < 0)
		return "not an assist.Request";
	snprintf(why, len, "%s", c.refused);
	return why[0] != '\0' ? why : NULL;
}


/* Whether the sender of msg may send for source: NULL, or why not. ipc
 * peers carry no User-Id and are trusted; over CURVE a department sends
 * only its own source and a consumer sends nothing. */
static const char *ingest_denied(zmq_msg_t *msg, const char *field, const char *source,
				 char *why, size_t len)
{
	const char *uid = zmq_msg_gets(msg, "User-Id");
	enum zap_role role;
	const char *name;

	if (uid == NULL)
		return NULL;
	if (!zap_user_id_parse(uid, &role, &name))
		snprintf(why, len, "%s: this connection has no role", field);
	else if (role == ZAP_CONSUMER)
		snprintf(why, len, "%s: a consumer key may not send events", field);
	else if (strcmp(name, source) != 0)
		snprintf(why, len, "%s: this key may only send %s", field, name);
	else
		return NULL;
	log_warn("ingest: refused %s sending for \"%.31s\": %s", uid, source, why);
	return why;
}

/* A source that is not configured is refused whole: nothing of it is taken,
 * so it never shows in status; so is retry, assistd's own (even if a
 * roles_file names it). NULL, or why. */
static const char *source_unknown(const struct server *srv, const char *field,
				  const char *source, char *why, size_t len)
{
	/* assistd journals its own recompute jobs' chunks as standards: a
	 * sender at their positions would be taken for them. */
	if (strcmp(source, STANDARDS_SOURCE) == 0) {
		snprintf(why, len, "%s: %s is assistd's own source", field, source);
		return why;
	}
	if (strcmp(source, INGEST_RETRY_SOURCE) != 0 && roles_find(srv->roles, source) != NULL)
		return NULL;
	snprintf(why, len, "%s: not a configured source (roles_file)", field);
	log_warn("ingest: refused a request for source \"%.31s\": not configured", source);
	return why;
}

/* Whether source may send on this connection and is configured: NULL, or why. */
static const char *source_refused(const struct server *srv, zmq_msg_t *body, const char *field,
				  const char *source, char *why, size_t len)
{
	const char *denied = ingest_denied(body, field, source, why, len);

	return denied != NULL ? denied : source_unknown(srv, field, source, why, len);
}

/* Log a malformed request on ingest, at most so many a second. */
static void log_malformed(struct server *srv, const char *what)
{
	unsigned held;

	if (!log_limit(&srv->malformed_log, walltime_now_ms(), &held))
		return;
	if (held > 0)
		log_warn("ingest: %u similar lines suppressed", held);
	log_warn("ingest: %s", what);
}

/* The request in frames, or NULL when it is not a Request or holds a NUL byte
 * outside an event: the sender then has its Error, and on ingest (logged) a
 * line in the log. */
static Assist__Request *take_request(struct zl_sock *s, zmq_msg_t *frames, int n,
				     const uint8_t **peer, size_t *peer_len, bool logged)
{
	struct server *srv = s->data;
	Assist__Request *req = unpack_request(frames, n, peer, peer_len);
	const char *denied;
	char why[192], line[224];

	if (req == NULL) {
		if (logged)
			log_malformed(srv, "a message that is not a Request; dropped");
		if (n >= 2)
			server_reply_error(s, zmq_msg_data(&frames[0]), zmq_msg_size(&frames[0]), 0,
					   ASSIST__ERROR_CODE__ERROR_CODE_BAD_REQUEST,
					   "not an assist.Request");
		return NULL;
	}
	if ((denied = check_nul(req, &frames[n - 1], why, sizeof(why))) == NULL)
		return req;
	if (logged) {
		snprintf(line, sizeof(line), "refused a request: %s", denied);
		log_malformed(srv, line);
	}
	server_reply_error(s, *peer, *peer_len, req->request_id,
			   ASSIST__ERROR_CODE__ERROR_CODE_BAD_REQUEST, denied);
	assist__request__free_unpacked(req, NULL);
	return NULL;
}

/* The wire's code for what ingest refused a request with (a negative errno). */
static Assist__ErrorCode error_code(int rc)
{
	return rc == -ENOMEM ? ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY
			     : ASSIST__ERROR_CODE__ERROR_CODE_BAD_REQUEST;
}

void request_on_ingest(struct zl_sock *s, zmq_msg_t *frames, int n)
{
	struct server *srv = s->data;
	const uint8_t *peer;
	size_t peer_len;
	Assist__Request *req = take_request(s, frames, n, &peer, &peer_len, true);
	bool batch = req != NULL && req->body_case == ASSIST__REQUEST__BODY_BATCH;
	const char *denied;
	char why[256];
	int rc;

	if (req == NULL)
		return;
	if (!batch && req->body_case != ASSIST__REQUEST__BODY_HEARTBEAT)
		server_reply_error(s, peer, peer_len, req->request_id,
				   ASSIST__ERROR_CODE__ERROR_CODE_BAD_REQUEST,
				   "the ingest endpoint takes batches and heartbeats");
	else if ((denied = source_refused(srv, &frames[n - 1],
					  batch ? "batch.source" : "heartbeat.source",
					  batch ? req->batch->source : req->heartbeat->source, why,
					  sizeof(why))) != NULL)
		server_reply_error(s, peer, peer_len, req->request_id,
				   ASSIST__ERROR_CODE__ERROR_CODE_NOT_AUTHORIZED, denied);
	else if ((rc = batch ? ingest_take(&srv->engine, peer, peer_len, req->request_id,
					   req->batch, why, sizeof(why))
			     : ingest_heartbeat(&srv->engine, peer, peer_len, req->request_id,
						req->heartbeat, why, sizeof(why))) < 0)
		server_reply_error(s, peer, peer_len, req->request_id, error_code(rc), why);
	assist__request__free_unpacked(req, NULL);
}

/* Whether the sender of msg may read full ID numbers in an export: an ipc
 * peer (no User-Id: the host's own operators, trusted as on ingest) or a
 * CURVE client whose name full_id_clients lists. */
static bool full_ids_granted(const struct server *srv, zmq_msg_t *msg)
{
	const char *uid = zmq_msg_gets(msg, "User-Id");
	enum zap_role role;
	const char *name;
	size_t len;

	if (uid == NULL)
		return true;
	if (!zap_user_id_parse(uid, &role, &name))
		return false;
	len = strlen(name);
	for (const char *p = srv->cfg.full_id_clients; *p != '\0'; p += strcspn(p, ", ")) {
		p += strspn(p, ", ");
		if (strncmp(p, name, len) == 0 && (p[len] == '\0' || strchr(", ", p[len]) != NULL))
			return true;
	}
	return false;
}

void request_on_query(struct zl_sock *s, zmq_msg_t *frames, int n)
{
	const uint8_t *peer;
	size_t peer_len;
	Assist__Request *req = take_request(s, frames, n, &peer, &peer_len, false);

	if (req == NULL)
		return;
	/* A retry takes events in: an operator's, on the trusted ipc socket. */
	if (req->body_case == ASSIST__REQUEST__BODY_RETRY &&
	    zmq_msg_gets(&frames[n - 1], "User-Id") != NULL)
		server_reply_error(s, peer, peer_len, req->request_id,
				   ASSIST__ERROR_CODE__ERROR_CODE_NOT_AUTHORIZED,
				   "retry: only an operator on the ipc endpoint may retry dead letters");
	else if (req->body_case == ASSIST__REQUEST__BODY_EXPORT)
		query_export(s->data, peer, peer_len, req, full_ids_granted(s->data, &frames[n - 1]));
	else
		query_handle(s->data, peer, peer_len, req);
	assist__request__free_unpacked(req, NULL);
}
