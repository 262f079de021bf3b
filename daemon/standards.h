/* Retroactive standards: a value of a parameter that periodic benefits are
 * computed from, added (on SIGHUP or found at start) with an effective date
 * in the past, recomputes the months already paid from that date for every
 * payee, as one tracked job.
 *
 * The values last seen are kept in the store (policy_state), so a change
 * made while assistd was down is found at start too. A job is a row of
 * recompute_job; its chunks are recompute events that assistd journals
 * itself as source standards at position {job, chunk}, one at a time, each
 * covering one bucket of payees (recompute.c). The source's committed
 * position is the job's progress, written in the chunk's own transaction: a
 * job resumed after a kill goes on from the chunk after it, and a chunk
 * taken twice is a duplicate the journal drops, so no month is booked
 * twice. */
#ifndef ASSIST_STANDARDS_H
#define ASSIST_STANDARDS_H

#include <stdbool.h>
#include <stdint.h>

#include "assist.pb-c.h"
#include "config.h"
#include "engine.h"
#include "store.h"
#include "ymd.h"

#define STANDARDS_SOURCE "standards"
#define STANDARDS_JOBS_MAX 8

struct standards_job {
	uint64_t id;
	char from[YMD_BUFLEN];
	char params[256]; /* the parameters changed, space-separated */
	uint32_t buckets, done;
	bool finished;
};

struct standards {
	struct engine *engine;
	const struct config *cfg; /* recompute_chunk */
	char *recorded;           /* the values in policy_state ("\n" lines), or NULL */
	bool started;             /* policy_state was read */
	bool busy;                /* a store job of ours is in flight */
	bool recheck;             /* a reload came while busy */
	bool stopped;
	struct standards_job jobs[STANDARDS_JOBS_MAX]; /* from the store, oldest first */
	size_t n_jobs;
	bool sending;             /* a chunk is taken in, its ack not seen */
	bool in_take, acked;      /* an ack from inside ingest_take */
	uint64_t sent_job;
	uint32_t sent_chunk;
	unsigned logged_tenth;    /* progress logged up to this tenth */
};

/* Set s up for e, whose store and parameters it uses; nothing runs yet. */
void standards_init(struct standards *s, struct engine *e, const struct config *cfg);
/* The engine is ready: read what was recorded, record the parameters in
 * force (a job for what they add) and go on with any job not finished. */
void standards_start(struct standards *s);
/* The engine's parameters were swapped by a reload: a job for what they add. */
void standards_check(struct standards *s);
/* An ack for source standards (an engine reply to no peer). */
void standards_on_ack(struct standards *s, const Assist__Reply *r);
/* The jobs for status: at most max into items (their strings point into s). */
size_t standards_status(const struct standards *s, Assist__JobStatus *items, size_t max);
/* Send no more chunks (stopping). */
void standards_stop(struct standards *s);
void standards_free(struct standards *s);

#endif
