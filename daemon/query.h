/* The query endpoint (assistctl and consumers): get, explain, feed replay,
 * status and dump, answered on the query ROUTER socket. */
#ifndef ASSIST_QUERY_H
#define ASSIST_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assist.pb-c.h"

struct server;

/* Answer one query request from peer (now, or when the store has read what
 * it needs). */
void query_handle(struct server *srv, const uint8_t *peer, size_t peer_len,
		  const Assist__Request *req);
/* Answer request_id of peer later (from a store job's callback) with r, or
 * with an Error; nothing once the query socket is gone (a stop began). */
void query_reply_later(struct server *srv, const uint8_t *peer, size_t peer_len,
		       uint64_t request_id, Assist__Reply *r);
void query_error_later(struct server *srv, const uint8_t *peer, size_t peer_len,
		       uint64_t request_id, Assist__ErrorCode code, const char *msg);
/* The year's earmarked funds (daemon/query_funds.c). */
void query_funds(struct server *srv, const uint8_t *peer, size_t peer_len,
		 const Assist__Request *req);
/* A page of a fund's ledger for a year; full ID numbers only when asked for
 * and full_ids_granted (the caller's right, request.c). */
void query_export(struct server *srv, const uint8_t *peer, size_t peer_len,
		  const Assist__Request *req, bool full_ids_granted);

#endif
