/* The ingest pipeline: events taken in per source (dedupe by position, gap
 * detection, validation), grouped into batches, applied to the in-memory world
 * in order, written in one transaction per batch, and acknowledged and
 * published only after COMMIT.
 *
 * A batch moves through: filling (taking events; sealed at batch_max_events
 * or batch_max_ms) -> queued (waiting to apply; the first may be loading the
 * persons it names from the store) -> committing (written, waiting for the
 * store) -> done (senders acknowledged, records published). Batches apply in
 * the order they were sealed, and the store commits them in that order. */
#ifndef ASSIST_ENGINE_H
#define ASSIST_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "apply.h"
#include "assist.pb-c.h"
#include "conf.h"
#include "config.h"
#include "journal.h"
#include "log.h"
#include "params.h"
#include "roles.h"
#include "store.h"
#include "writer.h"

#define ENGINE_PEER_MAX 256

struct engine_source {
	char name[CONF_NAME_MAX];
	uint64_t taken_major, taken_minor; /* last position taken in (in flight or done) */
	uint64_t done_major, done_minor;   /* last position committed */
	uint64_t applied, rejected;        /* committed */
	int64_t lag_ms;                    /* apply time minus occurred_at, last event */
	int64_t last_seen_ms;              /* last batch or heartbeat */
	bool stale;                        /* silent longer than source_freshness_s */
	struct log_limit reject_log;       /* lines about its rejected events */
	char problem[256];                 /* the sender's standing failure (heartbeats) */
	uint8_t peer[ENGINE_PEER_MAX];     /* the ROUTER id of its latest sender */
	size_t peer_len;
	struct engine_source *next;
};

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

struct batch;

struct engine {
	uv_loop_t *loop;
	struct store *store;
	const struct config *cfg;    /* the server's current one */
	const struct params *params; /* the server's current set */
	const struct roles *roles;   /* the server's current sources and roles */
	const struct engine_ops *ops;
	void *data;

	struct world world;
	struct engine_source *sources;
	struct batch *filling;
	struct batch *queue_head, *queue_tail;   /* sealed, not applied */
	struct batch *commit_head, *commit_tail; /* written, not committed */
	size_t n_queued, n_committing;
	bool loading;     /* the queue's head is loading persons */
	bool load_stale;  /* ... for a batch a refusal took back */
	bool paused;
	bool draining;
	uv_timer_t timer; /* seals the filling batch after batch_max_ms */
	void (*on_closed)(void *data);

	struct log_limit input_log; /* lines about input from no known source */
	uint64_t batch_no;
	uint64_t feed_seq;
	uint64_t feed_committed; /* the last feed sequence committed (and published) */
	uint64_t dead_letters;
	uint64_t persons_at_start;
	uint8_t digest[JOURNAL_DIGEST_BYTES]; /* the journal's last */
	struct decisions decisions;               /* scratch, per event */
	struct writer writer;                     /* the transaction being built */

	/* Replaying the journal (assistd --rebuild): events come from
	 * engine_replay, nothing is journaled, dead-lettered or positioned. */
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
/* Take a batch from an ingest peer. Events are moved out of b. */
void engine_take(struct engine *e, const uint8_t *peer, size_t peer_len, uint64_t request_id,
		 Assist__Batch *b);
/* A heartbeat: the source is alive; answered with its positions. */
void engine_heartbeat(struct engine *e, const uint8_t *peer, size_t peer_len,
		      uint64_t request_id, const Assist__Heartbeat *hb);
/* Take one journal event (rebuild): applied through the same validation and
 * rules as at intake, with ymd_today answering today (the day it was
 * received). Events are moved out of the caller. 0 or a negative errno. */
__attribute__((warn_unused_result)) int engine_replay(struct engine *e, const char *source,
						       uint64_t major, uint64_t minor,
						       int32_t today, Assist__Event *ev);
/* Seal the filling batch and report drained once nothing is in flight. */
void engine_drain(struct engine *e);
/* The person with id: from memory, else loaded from the store first. cb gets
 * NULL if nobody has that ID. */
void engine_find_person(struct engine *e, const char *id,
			void (*cb)(void *arg, struct person *p), void *arg);
/* Make sure memory holds the persons with ids (and their households),
 * loading the missing ones in one read, then call cb(arg, status). */
void engine_find_persons(struct engine *e, const char *const *ids, size_t n,
			 void (*cb)(void *arg, int status), void *arg);
/* Mark sources silent for longer than freshness_ms stale (logging each
 * change either way). */
void engine_check_freshness(struct engine *e, int64_t freshness_ms);
/* Recipients known (stored or created since start). */
uint64_t engine_recipients(const struct engine *e);
/* Close the timer; on_closed(data) when it is closed. Free with engine_free. */
void engine_close(struct engine *e, void (*on_closed)(void *data));
/* Free the world and whatever batches are left. */
void engine_free(struct engine *e);

#endif
