/* The ingest pipeline: events taken in per source (dedupe by position, gap
 * detection, validation), grouped into batches, applied to the in-memory world
 * in order, written in one transaction per batch, and acknowledged and
 * published only after COMMIT.
 *
 * A batch moves through: filling (taking events; sealed at batch_max_events
 * or batch_max_ms) -> queued (waiting to apply; the first may be loading the
 * persons it names from the store) -> committing (written, waiting for the
 * store) -> done (senders acknowledged, records published). Batches apply in
 * the order they were sealed, and the store commits them in that order.
 *
 * The engine owns the parts, each a file along that path: ingest.c (sources,
 * positions, dedupe and gaps), batch.c (the queue, loading, backpressure, a
 * refused batch), commit.c (the transaction's rows, acks after COMMIT) and
 * feed.c (sequences, topics, publishing, source alerts). */
#ifndef ASSIST_ENGINE_H
#define ASSIST_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "apply.h"
#include "assist.pb-c.h"
#include "batch.h"
#include "commit.h"
#include "config.h"
#include "feed.h"
#include "fund.h"
#include "ingest.h"
#include "instore.h"
#include "params.h"
#include "roles.h"
#include "store.h"
#include "tally.h"

/* What the engine needs from the sockets around it. */
struct engine_ops {
	/* Send r to the ingest peer. */
	void (*reply)(void *data, const uint8_t *peer, size_t peer_len, const Assist__Reply *r);
	/* Publish one feed message. */
	void (*publish)(void *data, const char *topic, const uint8_t *msg, size_t len);
	/* Stop (true) or resume (false) taking input: too many batches in flight. */
	void (*pause)(void *data, bool paused);
	/* The store failed for good: memory is ahead of the database; stop. */
	void (*fatal)(void *data, const char *why);
	/* Nothing is in flight any more (after engine_drain). */
	void (*drained)(void *data);
};

struct engine {
	uv_loop_t *loop;
	struct store *store;
	/* A second connection for the loads of batches waiting to be applied,
	 * so that they do not queue behind the writes in flight (NULL: none). */
	struct store *reader;
	const struct config *cfg;    /* the server's current one */
	const struct params *params; /* the server's current set */
	const struct roles *roles;   /* the server's current sources and roles */
	const struct engine_ops *ops;
	void *data;
	void (*on_closed)(void *data);

	struct world world;
	struct instore instore;   /* which ids the store may hold */
	struct ingest ingest;     /* sources and their positions */
	struct batch_queue queue; /* batches not committed */
	struct commit commit;     /* the transaction being built */
	struct feed feed;         /* its sequence numbers */
	struct funds funds;       /* every fund-year's spending (daemon/fund.c) */
	uint64_t dead_letters;
	uint64_t persons_at_start;
	struct tally tally; /* counters since start, for the metrics */

	/* Replaying the journal (assistd --rebuild): events come from
	 * ingest_replay, nothing is journaled, dead-lettered or positioned. */
	bool replay;
	uint64_t replay_diverged; /* journal events the rules now reject */
};

/* Set up; the timer is the engine's only handle. 0 or a negative errno. */
__attribute__((warn_unused_result)) int engine_init(struct engine *e, uv_loop_t *loop,
						     struct store *st, const struct engine_ops *ops,
						     void *data);
/* Read positions and counters from the store (which is up), then call
 * on_ready(data, 0) or on_ready(data, -errno). */
void engine_start(struct engine *e, void (*on_ready)(void *data, int status));
/* Seal the filling batch and report drained once nothing is in flight. */
void engine_drain(struct engine *e);
/* The person with id: from memory, else loaded first (engine_loader: a
 * query does not wait behind the writes in flight). cb gets NULL if nobody
 * has that ID. */
void engine_find_person(struct engine *e, const char *id,
			void (*cb)(void *arg, struct person *p), void *arg);
/* Make sure memory holds the persons with ids (and their households),
 * loading the missing ones in one read (engine_loader), then call
 * cb(arg, status). */
void engine_find_persons(struct engine *e, const char *const *ids, size_t n,
			 void (*cb)(void *arg, int status), void *arg);
/* Where loads of what memory lacks go: the reader while it is up, else the
 * store. What memory lacks is in no write in flight, so the reader may read
 * it before those writes commit. */
struct store *engine_loader(const struct engine *e);
/* The person with id if memory holds it, else NULL. */
struct person *engine_person(const struct engine *e, const char *id);
/* Every source seen, stored or since start (a list through next). */
const struct ingest_source *engine_sources(const struct engine *e);
/* The last feed sequence given, and the last committed (and published). */
uint64_t engine_feed_seq(const struct engine *e);
uint64_t engine_feed_committed(const struct engine *e);
/* Dead letters stored. */
uint64_t engine_dead_letters(const struct engine *e);
/* Recipients known (stored or created since start). */
uint64_t engine_recipients(const struct engine *e);
/* The store failed for good: stop, saying why (printf format). */
void engine_fatal(struct engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Close the timer; on_closed(data) when it is closed. Free with engine_free. */
void engine_close(struct engine *e, void (*on_closed)(void *data));
/* Free the world and whatever batches are left. */
void engine_free(struct engine *e);

#endif
