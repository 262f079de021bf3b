/* Applying one validated event to the in-memory world: the facts it carries
 * (person, household, status) and what the policy engine decides. */
#ifndef ASSIST_APPLY_H
#define ASSIST_APPLY_H

#include <stdint.h>

#include "assist.pb-c.h"
#include "policy/policy.h"
#include "state.h"
#include "table.h"
#include "validate.h"

/* Every person and household in memory. */
struct world {
	struct table persons;    /* id -> struct person */
	struct table households; /* household id -> struct household */
	uint64_t created;        /* persons created since start (not loaded) */
	/* What changed since the last world_take_changes(), each once. */
	struct person **changed_p;
	size_t n_changed_p, cap_changed_p;
	struct household **changed_h;
	size_t n_changed_h, cap_changed_h;
};

/* The person with id, created (not stored yet) if unknown; NULL when out of
 * memory. */
struct person *world_person(struct world *w, const char *id);
/* The household with id, created if unknown; NULL when out of memory. */
struct household *world_household(struct world *w, const char *id);
/* Take a person loaded from the store, unless memory already has one (memory
 * is never behind the store), and link it to its household. Adopt a load's
 * households first. Consumes p either way. 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int world_adopt_person(struct world *w, struct person *p);
/* Likewise for a household. */
__attribute__((warn_unused_result)) int world_adopt_household(struct world *w,
							      struct household *hh);
/* Forget the change lists (after the batch holding them was written) and
 * clear the marks. */
void world_take_changes(struct world *w);
/* Free everything. */
void world_free(struct world *w);
/* Forget every person and household (they are loaded again from the store
 * when next named); the counter of created persons is kept. */
void world_clear(struct world *w);

/* Apply ev (validated; v holds its date). Decisions the rules took are
 * appended to out (already applied to the persons they name). Returns 0,
 * -EINVAL when the event is rejected now (reason in reject: a claim seen
 * before), or -ENOMEM. */
__attribute__((warn_unused_result)) int apply_event(struct world *w, const struct policy_ctx *ctx,
						    const Assist__Event *ev,
						    const struct verdict *v, struct decisions *out,
						    struct verdict *reject);

#endif
