/* Applying one validated event to the in-memory world: the facts it carries
 * (person, household, status) and what the policy engine decides. */
#ifndef ASSIST_APPLY_H
#define ASSIST_APPLY_H

#include <stdint.h>

#include "assist.pb-c.h"
#include "policy/policy.h"
#include "state.h"
#include "world.h"
#include "validate.h"

/* Apply ev (validated; v holds its date). Decisions the rules took are
 * appended to out (already applied to the persons they name). Returns 0,
 * -EINVAL when the event is rejected now (reason in reject: a claim seen
 * before), or -ENOMEM. */
__attribute__((warn_unused_result)) int apply_event(struct world *w, const struct policy_ctx *ctx,
						    const Assist__Event *ev,
						    const struct verdict *v, struct decisions *out,
						    struct verdict *reject);

/* Decide claim event ev (op correct) again although its fields are those
 * in force: a reversal and a new decision with the parameters now in force
 * (a recompute of claims). As apply_event. */
__attribute__((warn_unused_result)) int apply_redecide(struct world *w,
						       const struct policy_ctx *ctx,
						       const Assist__Event *ev,
						       const struct verdict *v,
						       struct decisions *out,
						       struct verdict *reject);

/* Apply a fact event (person, household, status) to p (NULL for a household)
 * and refresh the rules of whom it changed: the event registry's apply entry
 * points (event.c). 0 or -ENOMEM. */
int apply_person(struct world *w, const struct policy_ctx *ctx, const Assist__Event *ev,
		 const struct verdict *v, struct person *p, struct decisions *out);
int apply_household(struct world *w, const struct policy_ctx *ctx, const Assist__Event *ev,
		    const struct verdict *v, struct person *p, struct decisions *out);
int apply_status(struct world *w, const struct policy_ctx *ctx, const Assist__Event *ev,
		 const struct verdict *v, struct person *p, struct decisions *out);
/* The rules refreshed for p's household as of the latest date its events
 * carry (date, else today, when later), then what the cause c (from
 * YMD_NONE: none) changes in the months already paid and the claims after a
 * death; every decision appended to out and applied. 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int apply_refresh(const struct policy_ctx *ctx,
						      struct person *p, ymd_t date,
						      const struct policy_cause *c,
						      struct decisions *out);
/* A payment run (city-level: p is NULL): every person in memory who may be
 * paid (the batch loaded them all), or of the run's bucket when it is sent
 * in parts, gets the month's payments not booked yet (policy/payment.c).
 * 0 or -ENOMEM. */
int apply_payment_run(struct world *w, const struct policy_ctx *ctx, const Assist__Event *ev,
		      const struct verdict *v, struct person *p, struct decisions *out);

#endif
