/* GET /events: the feed as Server-Sent Events. Each stream follows the feed
 * the way docs/protocol.md tells a consumer to (lib/feedfollow.h), in its own
 * connection thread, with its own SUB and query sockets: `id:` is the feed
 * sequence, and a reconnect with Last-Event-ID (or ?from=SEQ) replays what
 * came after it from assistd's feed table, so the browser sees every message
 * once, with no gap. */
#ifndef WEB_EVENTS_H
#define WEB_EVENTS_H

#include "gateway.h"

/* Answer GET /events[?from=SEQ&topic=PREFIX] with a stream. */
enum MHD_Result events_open(struct web_request *rq);

#endif
