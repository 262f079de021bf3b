/* The requests arriving on assistd's ROUTER sockets: decoded, checked (NUL
 * bytes, the sending key's role, the source configured) and handed to the
 * engine (ingest) or to query.c (query); a request refused whole gets its
 * Error reply here. */
#ifndef ASSIST_REQUEST_H
#define ASSIST_REQUEST_H

#include "server.h"

/* A message on the ingest socket: a batch or a heartbeat of one source. */
void request_on_ingest(struct zl_sock *s, zmq_msg_t *frames, int n);
/* A message on the query socket: get, explain, replay, status or dump. */
void request_on_query(struct zl_sock *s, zmq_msg_t *frames, int n);

#endif
