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
#include "strmap.h"
#include "ymd.h"

#define STANDARDS_SOURCE "standards"
#define STANDARDS_JOBS_MAX 8

struct standards_job {
	uint64_t id;
	char from[YMD_BUFLEN];
	char params[256]; /* the parameters changed, space-separated */
	uint32_t buckets, done; /* chunks (a claims job: 0 until its claims are read) */
	bool finished;
	bool claims;            /* claims dated from `from`, decided again */
	uint64_t journal_max;   /* a claims job: the journal it reads, up to this id */
	uint32_t chunk;         /* a claims job: claims a chunk */
};

/* A claims job's claims: the last version of each claim in its journal,
 * dated from its date, in journal order (read again the same after a
 * restart, so its chunks are the same). */
struct standards_claims {
	uint64_t job;            /* whose (0: none) */
	bool ready;              /* read whole */
	uint64_t after;          /* journal id read up to */
	Assist__Event **evs;     /* NULL: a claim whose later version came, or voided */
	char **keys;             /* "source/kind/claim_id" of each */
	size_t n, cap;
	struct strmap latest;    /* key -> index + 1 */
};

/* A claims job added (NULL: it could not be), for the query that asked. */
typedef void (*standards_added_cb)(void *arg, const struct standards_job *j);

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
	struct standards_claims claims;
};

/* Set s up for e, whose store and parameters it uses; nothing runs yet. */
void standards_init(struct standards *s, struct engine *e, const struct config *cfg);
/* The engine is ready: read what was recorded, record the parameters in
 * force (a job for what they add) and go on with any job not finished. */
void standards_start(struct standards *s);
/* The engine's parameters were swapped by a reload: a job for what they add. */
void standards_check(struct standards *s);
/* A job deciding the claims dated from from again with the parameters in
 * force (assistctl recompute --claims); done(arg, job) when it is added.
 * 0, or -EAGAIN before the start or while stopping, or -ENOMEM. */
int standards_add_claims(struct standards *s, ymd_t from, standards_added_cb done, void *arg);
/* An ack for source standards (an engine reply to no peer). */
void standards_on_ack(struct standards *s, const Assist__Reply *r);
/* Job j for a reply (its strings point into j). */
void standards_job_status(const struct standards_job *j, Assist__JobStatus *out);
/* The jobs for status: at most max into items (their strings point into s). */
size_t standards_status(const struct standards *s, Assist__JobStatus *items, size_t max);
/* Send no more chunks (stopping). */
void standards_stop(struct standards *s);
void standards_free(struct standards *s);

#endif
