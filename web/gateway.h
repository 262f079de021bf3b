/* assist-web's HTTP side: libmicrohttpd with a thread per connection, a
 * route table, and the responses every route shares (JSON with ID numbers
 * masked unless the request carries the token, errors that name the field).
 *
 * A thread per connection because every request here waits on assistd (a
 * query, or the feed for an event stream): blocking there is simple and
 * harmless, since nothing else shares the thread; the connection limit
 * bounds the threads. */
#ifndef WEB_GATEWAY_H
#define WEB_GATEWAY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <microhttpd.h>

#include "assets.h"
#include "assist.pb-c.h"
#include "qclient.h"
#include "webconf.h"

struct web {
	struct webconf conf;
	struct qclient_keys keys;
	void *zmq;                 /* one context; a socket per request */
	struct assets assets;
	char token[128];           /* "": none configured */
	char query_endpoint[512];  /* connectable forms, resolved at start */
	char feed_endpoint[512];
	struct MHD_Daemon *mhd;
	atomic_bool stopping;      /* event streams end */
};

/* One request as the routes see it. */
struct web_request {
	struct web *w;
	struct MHD_Connection *conn;
	const char *tail;     /* the URL after the route's prefix */
	bool full_ids;        /* the token was given: IDs unmasked */
	const char *body;     /* POST: the whole body, NUL-terminated */
	size_t body_len;
};

/* Start serving on conf.listen: 0 or -errno (logged). */
__attribute__((warn_unused_result)) int gateway_start(struct web *w);
/* Stop serving; returns when every connection thread has ended. */
void gateway_stop(struct web *w);

/* Mask, in place, each run that may be an ID number in json's strings (its
 * numbers are figures: masking digits there would break the JSON). */
void gateway_mask_json(json_t *json);
/* Queue json (taken) as the response with status; ID numbers masked unless
 * rq->full_ids. */
enum MHD_Result gateway_json(struct web_request *rq, unsigned status, json_t *json);
/* Queue {"error": reason} with status. */
enum MHD_Result gateway_error(struct web_request *rq, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Queue text of type (copied) with status; masked unless rq->full_ids. */
enum MHD_Result gateway_text(struct web_request *rq, unsigned status, const char *type,
			     const char *text, size_t len);
/* Ask assistd req on a socket of this call's own: 0 and *out, or -errno. */
int gateway_ask(struct web *w, Assist__Request *req, Assist__Reply **out);
/* gateway_ask for a request: 0 and *out, or the response is queued
 * (an error reply, or assistd unreachable) and *result set. */
int gateway_query(struct web_request *rq, Assist__Request *req, Assist__Reply **out,
		  enum MHD_Result *result);
/* A query-string argument, or NULL. */
const char *gateway_arg(struct web_request *rq, const char *key);

#endif
