/* The query endpoint (assistctl and consumers): get, explain, feed replay,
 * status and dump, answered on the query ROUTER socket. */
#ifndef ASSIST_QUERY_H
#define ASSIST_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assist.pb-c.h"
#include "ingest.h"

struct server;

/* Answer one query request from peer (now, or when the store has read what
 * it needs). */
void query_handle(struct server *srv, const uint8_t *peer, size_t peer_len,
		  const Assist__Request *req);
/* Who asked a query answered later (from a store job's callback). */
struct query_asker {
	struct server *srv;
	uint8_t peer[INGEST_PEER_MAX];
	size_t peer_len;
	uint64_t request_id;
};

/* Remember who asked (peer cut to INGEST_PEER_MAX bytes). */
void query_asker_set(struct query_asker *a, struct server *srv, const uint8_t *peer,
		     size_t peer_len, uint64_t request_id);
/* Send r (its request_id set) to whoever asked, unless the query socket is
 * gone (a stop began). */
void query_answer(const struct query_asker *a, Assist__Reply *r);
/* Send an Error to whoever asked, unless the query socket is gone. */
void query_fail(const struct query_asker *a, Assist__ErrorCode code, const char *msg);
/* The year's earmarked funds (daemon/query_funds.c). */
void query_funds(struct server *srv, const uint8_t *peer, size_t peer_len,
		 const Assist__Request *req);
/* A page of a fund's ledger for a year; full ID numbers only when asked for
 * and full_ids_granted (the caller's right, request.c). */
void query_export(struct server *srv, const uint8_t *peer, size_t peer_len,
		  const Assist__Request *req, bool full_ids_granted);

#endif
