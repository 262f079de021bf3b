/* A chunk of a recompute job applied (event kind recompute, journaled by
 * assistd itself: standards.c): the months already paid from a date are
 * computed again for the payees of one bucket with the parameters now in
 * force, and the differences booked as arrears or recovery, explained by the
 * parameters whose values changed. */
#ifndef ASSIST_RECOMPUTE_H
#define ASSIST_RECOMPUTE_H

#include <stdint.h>

#include "assist.pb-c.h"
#include "event.h"

/* Chunks of a job, and parameters one names, at most. */
#define RECOMPUTE_BUCKETS_MAX 65536
#define RECOMPUTE_PARAMS_MAX 8

/* The event registry's check of a recompute payload (after its field
 * rules): at most RECOMPUTE_PARAMS_MAX names of 1-63 bytes, bucket below
 * buckets; a claims chunk's events claim events that are valid (each
 * normalized in place). 0, or -EINVAL with v filled. */
int recompute_check(ProtobufCMessage *m, struct verdict *v);
/* Apply a chunk (city-level: p is NULL): every person in memory who may be
 * paid and is of the chunk's bucket (the batch loaded them), with their
 * households. 0 or -ENOMEM. */
int recompute_apply(struct world *w, const struct policy_ctx *ctx, const Assist__Event *ev,
		    const struct verdict *v, struct person *p, struct decisions *out);
/* The payees a city-level event reads: a chunk's or a payment run part's
 * bucket of buckets, none (buckets 0) for a claims chunk, which names its
 * claims' persons, or all (0 of 1) for a payment run at once. */
void recompute_payee_bucket(const Assist__Event *ev, uint32_t *bucket, uint32_t *buckets);
/* What a chunk's entries say changed, into why (len bytes): "standard
 * dibao.urban.standard.city from 2008-02-01", "standards A and 2 more from
 * ...". */
void recompute_why(const Assist__Recompute *r, char *why, size_t len);

#endif
