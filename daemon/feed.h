/* The feed: every change to a record, and alerts, as a FeedMessage with a
 * sequence number and a topic (record/<district>/<household>,
 * alert/<code>/<source>), stored in the feed table in the transaction that
 * made it and published only after COMMIT. Source alerts (a heartbeat's,
 * stale_feed) go in a transaction of their own. Replay reads the table
 * (query.c). */
#ifndef ASSIST_FEED_H
#define ASSIST_FEED_H

#include <stdint.h>

#include "state.h"

/* The engine's part: the sequence numbers. */
struct feed {
	uint64_t seq;       /* the last given */
	uint64_t committed; /* the last committed (and published) */
};

struct engine;
struct batch;
struct batch_event;

/* Person p's record on the feed, in b's transaction. 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int feed_record(struct engine *e, struct batch *b,
						    const struct person *p);
/* A source's event outside its role also raises an alert on the feed
 * (alert/not_authorized/<source>) in b's transaction. 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int feed_not_authorized(struct engine *e, struct batch *b,
							    const struct batch_event *be);
/* Publish b's feed messages, b being committed. */
void feed_publish(struct engine *e, const struct batch *b);
/* An alert about source rather than a record, stored and then published. */
void feed_source_alert(struct engine *e, const char *code, const char *source,
		       const char *message);
/* Mark sources silent for longer than freshness_ms stale (logging each
 * change either way, and raising stale_feed). */
void feed_check_freshness(struct engine *e, int64_t freshness_ms);

#endif
