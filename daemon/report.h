/* The managers' reports (assistctl report): recipients and spending by
 * scheme, month or place, places rolled up from community to town,
 * district and city. */
#ifndef ASSIST_REPORT_H
#define ASSIST_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "assist.pb-c.h"

struct server;

/* Answer a report request. */
void report_handle(struct server *srv, const uint8_t *peer, size_t peer_len,
		   const Assist__Request *req);

#endif
