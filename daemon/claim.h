/* Claims as the claim keys see them: a claim event's keys, what its op
 * does given what a person knows of it, and taking back or remembering what
 * it gave (decide, correct, void; docs/policy.md "Corrections and voids"). */
#ifndef ASSIST_CLAIM_H
#define ASSIST_CLAIM_H

#include "assist.pb-c.h"
#include "policy/policy.h"
#include "state.h"
#include "validate.h"

/* One claim event as the claim keys see it. key: "source/claim_id" (with a
 * "housing/" prefix for a household's); dkey: key#digest of the claim as
 * decided (its op left out), which tells a claim sent again unchanged (an
 * adapter's re-snapshot) from another under the same id. What a decision
 * took that a reversal gives back is remembered next to them: key@once=K for
 * a one-time key, key@bill=YYYYMMDD:TOTAL for a bill's total. */
struct claim {
	const char *id;
	Assist__ClaimOp op;
	char key[160];
	char dkey[180];
};

/* c for claim event ev, its keys prefixed by prefix ("housing/" for a
 * household's, else ""). 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int claim_init(struct claim *c, const Assist__Event *ev,
						   const char *prefix);
/* What the claim's op does given what p (a household's first member) knows
 * of it: 0 go on, 1 nothing to do (the same claim again, a correction to
 * what is in force, a void of a claim voided), -EINVAL rejected. */
int claim_check(const struct person *p, const struct claim *c, const Assist__Event *ev,
		struct verdict *reject);
/* Take back what the claim gave p: a reversal of what is in force, the bill
 * total out of the year's, the one-time keys given back; the claim stays
 * known (its key) but nothing of it is in force. 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int claim_undo(struct person *p, const struct claim *c,
						   struct decisions *out);
/* The claim as decided on p: its keys, and what the decisions of out from
 * first gave p that a reversal gives back. 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int claim_remember(struct person *p, const struct claim *c,
						       const struct decisions *out, size_t first);
/* The op of claim event ev (decide when it has none). */
Assist__ClaimOp claim_op(const Assist__Event *ev);
/* Set the op of claim event ev (nothing when it has none). */
void claim_set_op(Assist__Event *ev, Assist__ClaimOp op);
/* Forget which fields c was decided with on p, so that a correction with
 * the same fields is decided again (a recompute of claims). */
void claim_forget_digest(struct person *p, const struct claim *c);

#endif
