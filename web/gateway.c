/* assist-web's HTTP side (gateway.h). */
#include "gateway.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <sodium.h>

#include "api.h"
#include "events.h"
#include "idnum.h"
#include "log.h"
#include "metricserve.h"

/* A what-if body of 1,000 events fits many times over. */
#define BODY_MAX_BYTES (4u << 20)
#define CONNECTION_TIMEOUT_S 120

typedef enum MHD_Result (*route_fn)(struct web_request *rq);

/* Every URL assist-web answers, but the page's own files. */
static const struct route {
	const char *method;
	const char *path;
	bool prefix; /* path is a prefix; the rest is rq->tail */
	route_fn fn;
} routes[] = {
	{"GET", "/events", false, events_open},
	{"GET", "/api/summary", false, api_summary},
	{"GET", "/api/records/", true, api_record},
	{"GET", "/api/explain/", true, api_explain},
	{"POST", "/api/simulate", false, api_simulate},
	{"GET", "/api/funds", false, api_funds},
	{"GET", "/api/roster", false, api_roster},
	{"GET", "/roster", false, api_roster_page},
};

/* A POST body, gathered over the access handler's calls. */
struct body {
	char *data;
	size_t len;
	bool too_large;
};

static const struct route *route_find(const char *method, const char *url, const char **tail)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *r = &routes[i];
		size_t n = strlen(r->path);
		if (strcmp(method, r->method) != 0 || strncmp(url, r->path, n) != 0)
			continue;
		if (r->prefix ? url[n] != '\0' : url[n] == '\0') {
			*tail = url + n;
			return r;
		}
	}
	return NULL;
}

/* Whether the request carries the configured token (Authorization: Bearer). */
static bool has_token(const struct web *w, struct MHD_Connection *conn)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	size_t n = strlen(w->token);

	if (n == 0 || h == NULL || strncmp(h, "Bearer ", 7) != 0 || strlen(h + 7) != n)
		return false;
	return sodium_memcmp(h + 7, w->token, n) == 0;
}

static enum MHD_Result respond(struct web_request *rq, unsigned status, const char *type,
			       char *text, size_t len)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result rc;

	if (r == NULL) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	rc = MHD_queue_response(rq->conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

enum MHD_Result gateway_text(struct web_request *rq, unsigned status, const char *type,
			     const char *text, size_t len)
{
	char *copy = malloc(len + 1);

	if (copy == NULL)
		return MHD_NO;
	memcpy(copy, text, len);
	copy[len] = '\0';
	if (!rq->full_ids)
		idnum_mask_text(copy);
	return respond(rq, status, type, copy, len);
}

void gateway_mask_json(json_t *json)
{
	const char *key;
	json_t *v;
	size_t i;
	char *s;

	switch (json_typeof(json)) {
	case JSON_OBJECT:
		json_object_foreach(json, key, v)
			gateway_mask_json(v);
		break;
	case JSON_ARRAY:
		json_array_foreach(json, i, v)
			gateway_mask_json(v);
		break;
	case JSON_STRING:
		if ((s = strdup(json_string_value(json))) != NULL) {
			json_string_set(json, idnum_mask_text(s));
			free(s);
		}
		break;
	default:
		break;
	}
}

enum MHD_Result gateway_json(struct web_request *rq, unsigned status, json_t *json)
{
	char *text;

	if (json != NULL && !rq->full_ids)
		gateway_mask_json(json);
	text = json != NULL ? json_dumps(json, JSON_COMPACT) : NULL;
	json_decref(json);
	if (text == NULL)
		return MHD_NO;
	return respond(rq, status, "application/json", text, strlen(text));
}

enum MHD_Result gateway_error(struct web_request *rq, unsigned status, const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return gateway_json(rq, status, json_pack("{ss}", "error", reason));
}

const char *gateway_arg(struct web_request *rq, const char *key)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, key);
}

/* The HTTP status of an assistd error reply. */
static unsigned error_status(Assist__ErrorCode code)
{
	switch (code) {
	case ASSIST__ERROR_CODE__ERROR_CODE_UNKNOWN_PERSON:
		return MHD_HTTP_NOT_FOUND;
	case ASSIST__ERROR_CODE__ERROR_CODE_BAD_REQUEST:
		return MHD_HTTP_BAD_REQUEST;
	case ASSIST__ERROR_CODE__ERROR_CODE_NOT_AUTHORIZED:
		return MHD_HTTP_FORBIDDEN;
	case ASSIST__ERROR_CODE__ERROR_CODE_BUSY:
		return MHD_HTTP_SERVICE_UNAVAILABLE;
	default:
		return MHD_HTTP_BAD_GATEWAY;
	}
}

int gateway_ask(struct web *w, Assist__Request *req, Assist__Reply **out)
{
	struct qclient c;
	int rc = qclient_open(&c, w->zmq, w->query_endpoint, &w->keys);

	if (rc == 0) {
		rc = qclient_call(&c, req, w->conf.query_timeout_ms, out);
		qclient_close(&c);
	}
	return rc;
}

int gateway_query(struct web_request *rq, Assist__Request *req, Assist__Reply **out,
		  enum MHD_Result *result)
{
	int rc = gateway_ask(rq->w, req, out);

	if (rc < 0) {
		*result = gateway_error(rq, MHD_HTTP_SERVICE_UNAVAILABLE, "assistd at %s: %s",
					rq->w->query_endpoint,
					rc == -ETIMEDOUT ? "no answer" : strerror(-rc));
		return rc;
	}
	if ((*out)->body_case == ASSIST__REPLY__BODY_ERROR) {
		*result = gateway_error(rq, error_status((*out)->error->code), "%s",
					(*out)->error->message);
		assist__reply__free_unpacked(*out, NULL);
		return -EPROTO;
	}
	return 0;
}

static enum MHD_Result serve_asset(struct web_request *rq, const char *url)
{
	const struct asset *a = assets_find(&rq->w->assets, strcmp(url, "/") == 0 ? "index.html"
										 : url + 1);

	if (a == NULL)
		return gateway_error(rq, MHD_HTTP_NOT_FOUND, "%s: no such page", url);
	/* The page's own files hold no ID number: served as they are. */
	struct MHD_Response *r = MHD_create_response_from_buffer(a->len, a->data,
								 MHD_RESPMEM_PERSISTENT);
	enum MHD_Result rc;

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", a->type);
	MHD_add_response_header(r, "Cache-Control", "no-cache");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	rc = MHD_queue_response(rq->conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return rc;
}

/* Gather a POST body: true while parts come, false once it is whole. */
static bool gather(struct body *b, const char *data, size_t *size)
{
	if (*size == 0)
		return false;
	if (!b->too_large && b->len + *size <= BODY_MAX_BYTES) {
		char *d = realloc(b->data, b->len + *size + 1);
		if (d != NULL) {
			memcpy(d + b->len, data, *size);
			b->data = d;
			b->len += *size;
			d[b->len] = '\0';
		} else {
			b->too_large = true;
		}
	} else {
		b->too_large = true;
	}
	*size = 0;
	return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload, size_t *upload_size, void **state)
{
	struct web_request rq = {.w = cls, .conn = conn};
	const struct route *r = route_find(method, url, &rq.tail);
	struct body *b = *state;

	if (strcmp(method, "POST") == 0) {
		if (b == NULL)
			return (*state = calloc(1, sizeof(*b))) != NULL ? MHD_YES : MHD_NO;
		if (gather(b, upload, upload_size))
			return MHD_YES;
		rq.body = b->data != NULL ? b->data : "";
		rq.body_len = b->len;
	}
	rq.full_ids = has_token(rq.w, conn);
	if (b != NULL && b->too_large)
		return gateway_error(&rq, MHD_HTTP_CONTENT_TOO_LARGE,
				     "body: more than %u bytes", BODY_MAX_BYTES);
	if (r != NULL)
		return r->fn(&rq);
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		return serve_asset(&rq, url);
	return gateway_error(&rq, MHD_HTTP_METHOD_NOT_ALLOWED, "%s %s: not served", method, url);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state,
			 enum MHD_RequestTerminationCode why)
{
	struct body *b = *state;

	if (b != NULL) {
		free(b->data);
		free(b);
	}
	*state = NULL;
}

int gateway_start(struct web *w)
{
	struct sockaddr_storage sa;
	socklen_t len;
	char err[256];
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD;

	if (metricserve_parse_listen(w->conf.listen, &sa, &len, err, sizeof(err)) < 0)
		return -EINVAL;
	if (sa.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	w->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, w, MHD_OPTION_SOCK_ADDR, &sa,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)w->conf.max_connections,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT_S,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
	if (w->mhd == NULL) {
		log_error("cannot serve HTTP on %s: %s", w->conf.listen, strerror(errno));
		return -EADDRINUSE;
	}
	return 0;
}

void gateway_stop(struct web *w)
{
	atomic_store(&w->stopping, true);
	if (w->mhd != NULL)
		MHD_stop_daemon(w->mhd);
	w->mhd = NULL;
}
