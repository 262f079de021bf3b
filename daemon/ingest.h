/* Taking events in, per source: each source's positions, dedupe by
 * position, the `prev` gap check, what refuses a whole batch, and the
 * messages that carry them (batches, heartbeats, journal replay).
 *
 * The decisions are pure functions of a source's stored position and an
 * incoming event's (tests/unit/test_ingest.c); ingest_take and
 * ingest_heartbeat apply them to a sender's message. */
#ifndef ASSIST_INGEST_H
#define ASSIST_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assist.pb-c.h"
#include "conf.h"
#include "log.h"
#include "pos.h"
#include "tally.h"

#define INGEST_PEER_MAX 256

/* The store's numeric(20) columns hold any 64-bit position, but readers
 * with 64-bit signed integers (jansson: status showed 2^64-1 as -1) do not,
 * and a source at the very top could never send again. */
#define INGEST_POSITION_MAX ((uint64_t)INT64_MAX)

struct ingest_source {
	char name[CONF_NAME_MAX];
	uint64_t taken_major, taken_minor; /* last position taken in (in flight or done) */
	uint64_t done_major, done_minor;   /* last position committed */
	uint64_t applied, rejected;        /* committed */
	int64_t lag_ms;                    /* apply time minus occurred_at, last event */
	int64_t last_seen_ms;              /* last batch or heartbeat */
	bool stale;                        /* silent longer than source_freshness_s */
	struct log_limit reject_log;       /* lines about its rejected events */
	char problem[256];                 /* the sender's standing failure (heartbeats) */
	bool internal;                     /* assistd's own (appdue.c): no role to check */
	uint8_t peer[INGEST_PEER_MAX];     /* the ROUTER id of its latest sender */
	size_t peer_len;
	struct tally_kinds tally;          /* its events since start, for the metrics */
	struct ingest_source *next;
};

/* The built-in source a retried dead letter comes in as (assistctl retry):
 * no sender may send as it (request.c refuses it on ingest). */
#define INGEST_RETRY_SOURCE "retry"

/* The engine's part: every source seen, stored or since start. */
struct ingest {
	struct ingest_source *sources;
	struct log_limit input_log; /* lines about input from no known source */
	/* Dead letters retried since start and not rejected again: none is
	 * taken in twice, even before the store shows it retried. */
	uint64_t *retried;
	size_t n_retried, cap_retried;
};

/* What becomes of an incoming event, given its source's last position taken
 * and the position before it in the request. */
enum ingest_order {
	INGEST_NEXT,         /* taken in */
	INGEST_DUPLICATE,    /* at or before what was taken: dropped */
	INGEST_GAP,          /* `prev` is not what was taken: the sender resends */
	INGEST_OUT_OF_ORDER, /* not after the event (or `prev`) before it */
};

struct engine;

/* Whether the store and every reader can keep pos (neither part above
 * INGEST_POSITION_MAX). */
bool ingest_pos_ok(struct pos pos);
/* An event's position: its position, else its seq. */
struct pos ingest_event_pos(const Assist__Event *ev);
/* Where ev goes, for a source that took up to taken, when prev (NULL when
 * unknown) is the position just before ev in the request. */
enum ingest_order ingest_order(struct pos taken, const struct pos *prev,
			       struct pos ev);
/* Whether the whole batch b of source must be refused, with why in msg: an
 * event of another source, a position the store cannot keep, events out of
 * order. Nothing of a refused batch is taken, so nothing is lost in silence. */
bool ingest_batch_refused(const Assist__Batch *b, const char *source, char *msg, size_t len);

/* The source called name; created (or NULL without memory) when create. */
struct ingest_source *ingest_source_get(struct engine *e, const char *name, bool create);
/* An info line about malformed input from who, at most LOG_LIMIT_PER_S a
 * second per limiter; what is held back is counted in the next line. */
void ingest_log(struct engine *e, const char *who, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Send s's positions to peer, with gap and the rejections given. */
void ingest_ack(struct engine *e, const struct ingest_source *s, const uint8_t *peer,
		size_t peer_len, uint64_t request_id, bool gap, Assist__Rejection **rej,
		size_t n_rej);
/* Take a batch from an ingest peer. Events are moved out of b. 0, or a
 * negative errno with the error reply's message in why (nothing taken). */
__attribute__((warn_unused_result)) int ingest_take(struct engine *e, const uint8_t *peer,
						     size_t peer_len, uint64_t request_id,
						     Assist__Batch *b, char *why, size_t len);
/* A heartbeat: the source is alive; answered with its positions. 0, or a
 * negative errno with the error reply's message in why. */
__attribute__((warn_unused_result)) int ingest_heartbeat(struct engine *e, const uint8_t *peer,
							  size_t peer_len, uint64_t request_id,
							  const Assist__Heartbeat *hb, char *why,
							  size_t len);
/* Take one journal event (rebuild): applied through the same validation and
 * rules as at intake, with ymd_today answering today (the day it was
 * received). Events are moved out of the caller. 0 or a negative errno. */
__attribute__((warn_unused_result)) int ingest_replay(struct engine *e, const char *source,
						       uint64_t major, uint64_t minor,
						       int32_t today, Assist__Event *ev);
/* Whether dead letter id was retried since start and not rejected again. */
bool ingest_retried(const struct engine *e, uint64_t id);
/* Take dead letter id's event ev, first sent by source, in again as source
 * retry at {its next major, id}, under source's role. ev is moved in on 0;
 * -ENOMEM. */
__attribute__((warn_unused_result)) int ingest_retry(struct engine *e, uint64_t id,
						      const char *source, Assist__Event *ev);
/* Dead letter id's retry was rejected and that is committed: it may be
 * retried again. */
void ingest_retry_failed(struct engine *e, uint64_t id);
/* Forget every source. */
void ingest_free(struct ingest *in);

#endif
