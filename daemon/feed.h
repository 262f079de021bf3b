/* The feed: every change to a record, and alerts, as a FeedMessage with a
 * sequence number and a topic (record/<district>/<household>,
 * alert/<code>/<source>), stored in the transaction that made it and
 * published only after COMMIT. A batch's records are one row of feed_page
 * (a FeedPage: a row each was a sixth of PostgreSQL's time), its alerts a
 * row each of feed; within a batch the alerts come first, so the two never
 * interleave. Source alerts (a heartbeat's, stale_feed) go in a
 * transaction of their own. A replay reads them back from both tables
 * (asked for on the query endpoint, query.c). */
#ifndef ASSIST_FEED_H
#define ASSIST_FEED_H

#include <stdint.h>

#include "assist.pb-c.h"
#include "state.h"
#include "store.h"

/* The last sequence a replay may start from: the table's seq is a bigint,
 * past it there is nothing, and PostgreSQL would refuse the number. */
#define FEED_SEQ_MAX ((uint64_t)INT64_MAX)
/* The topics of records begin with it. */
#define FEED_RECORD_PREFIX "record/"

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
/* An alert about a fund (alert/<code>/<fund>, fund "<scheme>/<year>") in b's
 * transaction. 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int feed_fund_alert(struct engine *e, struct batch *b,
							const char *code, const char *fund,
							const char *message);
/* b's records on the feed as one feed_page row of its transaction (none
 * when it has none). 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int feed_page(struct engine *e, const struct batch *b);
/* Publish b's feed messages, b being committed. */
void feed_publish(struct engine *e, const struct batch *b);
/* An alert about source rather than a record, stored and then published. */
void feed_source_alert(struct engine *e, const char *code, const char *source,
		       const char *message);
/* Mark sources silent for longer than freshness_ms stale (logging each
 * change either way, and raising stale_feed). */
void feed_check_freshness(struct engine *e, int64_t freshness_ms);

/* A read of the stored messages from sequence from_seq on whose topic
 * starts with prefix, then done(job, status) with data; NULL without
 * memory. Where prefix may name records, the sequences from_seq to
 * from_seq + limit - 1 (records are stored a page a batch); else up to
 * limit alert rows. */
struct store_job *feed_replay_job(uint64_t from_seq, const char *prefix, uint32_t limit,
				  store_done_cb done, void *data);
/* What such a job read (res), into rr: the messages that decode, in
 * sequence order, the next sequence to ask from, and whether more are
 * stored. 0 or -ENOMEM; free with feed_replay_free either way. */
__attribute__((warn_unused_result)) int feed_replay_read(const PGresult *res, uint64_t from_seq,
							 const char *prefix, uint32_t limit,
							 Assist__ReplayReply *rr);
void feed_replay_free(Assist__ReplayReply *rr);

#endif
