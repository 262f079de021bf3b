/* The sunshine roster (assistctl roster) and the scan of the persons holding
 * a benefit row that it and the recipients report read (docs/interface.md,
 * docs/operations.md "The sunshine roster"). */
#ifndef ASSIST_ROSTER_H
#define ASSIST_ROSTER_H

#include <stddef.h>
#include <stdint.h>

#include "assist.pb-c.h"
#include "ingest.h"
#include "state.h"

struct server;

/* Called for each person of the scan, then once with the scan's status. */
typedef void (*roster_visit_fn)(void *arg, const struct person *p);
typedef void (*roster_done_fn)(void *arg, int status);

/* Visit every person holding a benefit row (person.periodic), of one district
 * ("": all), in pages of IDs each loaded into memory, then call done. 0, or
 * -ENOMEM (nothing is called then). */
int roster_scan(struct server *srv, const char *district, roster_visit_fn visit,
		roster_done_fn done, void *arg);
/* Answer a roster request. */
void roster_handle(struct server *srv, const uint8_t *peer, size_t peer_len,
		   const Assist__Request *req);

#endif
