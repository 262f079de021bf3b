/* Batches between intake and the store: the filling batch (sealed at
 * batch_max_events or batch_max_ms), the queue of sealed batches applied in
 * order (the head first loading the persons it names that memory lacks, and
 * for a payment run everyone who may be paid),
 * the batches written and waiting for COMMIT, backpressure on what is in
 * flight, and taking everything back when the store refuses a batch.
 *
 * The thresholds are pure functions (tests/unit/test_batch.c). */
#ifndef ASSIST_BATCH_H
#define ASSIST_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "assist.pb-c.h"
#include "fund.h"
#include "ingest.h"
#include "journal.h"
#include "store.h"
#include "validate.h"

struct batch_event {
	Assist__Event *ev;
	struct ingest_source *src;
	uint64_t major, minor;
	struct verdict v;
	bool rejected;
	bool isolate;      /* it was in a batch the store refused: it goes alone */
	unsigned refusals; /* batches of it alone that the store refused */
	int32_t today;     /* replay: the day it was received */
	uint64_t retry_of; /* the dead letter it retries (assistctl retry), or 0 */
	char role_of[CONF_NAME_MAX]; /* whose role it answers to: src's, or a retry's first */
};

/* What one source gets back when the batch commits. */
struct batch_ack {
	struct ingest_source *src;
	uint64_t major, minor; /* its last position in the batch */
	uint64_t applied, rejected;
	int64_t lag_ms;
	Assist__Rejection **rejections;
	size_t n_rejections, cap_rejections;
};

/* A feed message of the batch, published after COMMIT. */
struct batch_feed {
	uint64_t seq;
	char topic[128];
	uint8_t *msg;
	size_t len;
	bool paged; /* a record: stored in the batch's feed page, not a row of its own */
};

/* The engine's counters as a batch found them, to go back to if the store
 * refuses it. */
struct batch_mark {
	uint64_t feed_seq, dead_letters, created;
	uint8_t digest[JOURNAL_DIGEST_BYTES];
};

struct batch {
	struct engine *e;
	struct batch_mark before;
	struct batch_event *events;
	size_t n_events, cap_events;
	struct batch_ack *acks;
	size_t n_acks, cap_acks;
	struct batch_feed *feed;
	size_t n_feed, cap_feed;
	struct fund_deltas funds; /* what it adds to each fund-year */
	struct entitlement_list **lists; /* the shared lists whose rows it writes */
	size_t n_lists, cap_lists;
	size_t n_statements;
	int64_t written_ms; /* when its transaction went to the store */
	uint64_t written_ns; /* ... by uv_hrtime, for the commit latency */
	struct tally_money money; /* what its ledger entries move (tally.h) */
	bool loaded;        /* what it names that the store has is in memory */
	struct batch *next;
};

/* The engine's part: every batch not yet committed. */
struct batch_queue {
	struct batch *filling;
	struct batch *queue_head, *queue_tail;   /* sealed, not applied */
	struct batch *commit_head, *commit_tail; /* written, not committed */
	size_t n_queued, n_committing;
	bool loading;    /* the queue's head is loading persons */
	bool load_stale; /* ... for a batch a refusal took back */
	uint32_t load_part, load_parts; /* the payees the load reads (parts 0: none) */
	bool paused;
	bool draining;
	uv_timer_t timer; /* seals the filling batch after batch_max_ms */
};

struct engine;

/* Whether a batch of n events is full (and sealed) at max_events. */
bool batch_full(size_t n, int64_t max_events);
/* Batches in flight: queued, committing, and the one loading. */
size_t batch_in_flight(const struct batch_queue *q);
/* Whether intake must pause with in_flight batches: at max_inflight it
 * pauses, below it resumes. */
bool batch_pause_wanted(size_t in_flight, int64_t max_inflight);
/* Whether a drain is over: asked for, and nothing filling, queued or
 * committing. */
bool batch_drained(const struct batch_queue *q);

/* Set up the timer on loop (data e). 0 or a negative errno. */
__attribute__((warn_unused_result)) int batch_queue_init(struct batch_queue *q, uv_loop_t *loop,
							 struct engine *e);
/* Add ev of src at major/minor to the filling batch (opened, and its timer
 * started, if none), validated and checked against the roles. 0 or
 * -ENOMEM. */
__attribute__((warn_unused_result)) int batch_add(struct engine *e, struct ingest_source *src,
						  Assist__Event *ev, uint64_t major,
						  uint64_t minor);
/* batch_add with the roles of source role_of instead of src's (a retried
 * dead letter answers to the source that first sent it). */
__attribute__((warn_unused_result)) int batch_add_as(struct engine *e, struct ingest_source *src,
						     const char *role_of, Assist__Event *ev,
						     uint64_t major, uint64_t minor);
/* Seal the filling batch, if any, into the queue and apply what can be. */
void batch_seal(struct engine *e);
/* Pause or resume intake as in flight asks, and report a drain that is over. */
void batch_update_pause(struct engine *e);
/* The ack of b for src, added if new; NULL without memory. */
struct batch_ack *batch_ack_for(struct batch *b, struct ingest_source *src);
/* The engine's counters now, as a batch finds them. */
struct batch_mark batch_mark_of(const struct engine *e);
/* Remove b, the oldest committing batch, after its COMMIT. */
void batch_committed(struct engine *e, struct batch *b);
/* The store refused b's data (job): take every batch not committed back and
 * take their events again, b's one per batch. */
void batch_refused(struct engine *e, struct batch *b, const struct store_job *job);
/* Whether the store's error in job is about what was written (SQLSTATE
 * classes 22, 23, 54) rather than its own trouble. */
bool batch_refused_data(const struct store_job *job);
/* A read of those of the persons with ids (and their households) that
 * memory lacks, then done(job, status) with data: 0 with the job in *out,
 * 0 with NULL there when memory has them all, or -ENOMEM. */
__attribute__((warn_unused_result)) int batch_load_missing(struct engine *e,
							   const char *const *ids, size_t n,
							   store_done_cb done, void *data,
							   struct store_job **out);
/* The same for what the events evs name: their persons and households,
 * with the members of both. */
__attribute__((warn_unused_result)) int batch_load_events(struct engine *e,
							  Assist__Event *const *evs, size_t n,
							  store_done_cb done, void *data,
							  struct store_job **out);
/* Free b and what it holds (events, acks, feed messages). */
void batch_free(struct batch *b);
/* Free every batch left (after the timer closed). */
void batch_queue_free(struct batch_queue *q);

#endif
