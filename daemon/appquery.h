/* assistctl application APP_ID: the trail of one application, found
 * through the application table and read from the person who keeps it. */
#ifndef ASSIST_APPQUERY_H
#define ASSIST_APPQUERY_H

#include <stddef.h>
#include <stdint.h>

#include "assist.pb-c.h"

struct server;

/* Answer req (its application body) to peer once the store has said who
 * keeps the application: its trail, or unknown application. */
void appquery_handle(struct server *srv, const uint8_t *peer, size_t peer_len,
		     const Assist__Request *req);

#endif
