/* The engine's counters since start, for the metrics (metrics.h): events
 * per source and kind, batch sizes and commit latencies, and the money each
 * scheme's committed ledger entries moved. Counting is a few additions into
 * fixed arrays, on the loop, with no allocation; what a batch adds is added
 * only after its COMMIT, so a batch the store refused and took again is
 * counted once. */
#ifndef ASSIST_TALLY_H
#define ASSIST_TALLY_H

#include <stddef.h>
#include <stdint.h>

#include "assist.pb-c.h"
#include "money.h"

/* Room for the event registry's rows (event.c) and one slot for events of
 * no known kind; tally_check refuses a registry that does not fit. */
#define TALLY_KINDS 16
/* Room for the scheme table's rows (lib/scheme.c), indexed by Scheme. */
#define TALLY_SCHEMES 64
/* Histogram buckets, +Inf excluded. */
#define TALLY_SIZE_BUCKETS 12
#define TALLY_LATENCY_BUCKETS 14
#define TALLY_BUCKETS_MAX 16

/* One source's events since start, by kind (tally_kind_index). */
struct tally_kinds {
	uint64_t received[TALLY_KINDS]; /* in batches taken, duplicates and resends too */
	uint64_t applied[TALLY_KINDS];  /* committed, applied */
	uint64_t rejected[TALLY_KINDS]; /* committed, dead-lettered */
};

/* A histogram: counts[i] observations at or below bound i (not cumulative;
 * the last one past every bound), their number and sum. */
struct tally_histogram {
	uint64_t counts[TALLY_BUCKETS_MAX];
	uint64_t count;
	double sum;
};

/* Per scheme (indexed by Assist__Scheme): payment entries, their fen, and
 * the net fen of every ledger entry (reversals and recoveries subtract). */
struct tally_money {
	uint64_t payments[TALLY_SCHEMES];
	fen_t payments_fen[TALLY_SCHEMES];
	fen_t spent_fen[TALLY_SCHEMES];
};

/* The engine's part. */
struct tally {
	struct tally_histogram batch_size;     /* events per committed batch */
	struct tally_histogram commit_seconds; /* written to COMMIT */
	struct tally_money money;
};

/* The histograms' upper bounds, ascending (events; seconds). */
extern const double tally_size_bounds[TALLY_SIZE_BUCKETS];
extern const double tally_latency_bounds[TALLY_LATENCY_BUCKETS];

/* Whether the event registry and the scheme table fit the arrays: 0, or
 * -EINVAL after logging which to raise. */
__attribute__((warn_unused_result)) int tally_check(void);
/* ev's slot in struct tally_kinds: the index + 1 of the registry row of its
 * kind (else of its payload), or 0. */
size_t tally_kind_index(const Assist__Event *ev);
/* The name of slot i ("medical_claim"; "unknown" for 0), or NULL past the
 * registry. */
const char *tally_kind_name(size_t i);
/* Add value to h, whose n bounds are bounds. */
void tally_observe(struct tally_histogram *h, const double *bounds, size_t n, double value);
/* Add a committed ledger entry of scheme, kind and amount to m. */
void tally_ledger(struct tally_money *m, Assist__Scheme scheme, Assist__LedgerKind kind,
		  fen_t amount);
/* Add what from holds to to. */
void tally_money_add(struct tally_money *to, const struct tally_money *from);

struct batch;
/* Count b, just committed seconds after it was written: its events by
 * source and kind, its size, its latency and its money. */
void tally_committed(struct tally *t, const struct batch *b, double seconds);

#endif
