/* A world the unit tests apply events to as assistd does: validated, then
 * applied with the shipped parameters, the decisions of the last event kept. */
#ifndef ASSIST_WORLDTEST_H
#define ASSIST_WORLDTEST_H

#include "apply.h"

struct worldtest {
	struct world w;
	struct policy_ctx ctx;
	struct decisions out;
};

/* An empty world whose events come from source (major position 1). */
void worldtest_init(struct worldtest *f, const struct params *params, const char *source);
/* Free what the world and the decisions hold. */
void worldtest_free(struct worldtest *f);
/* Validate ev (failing the test if it is invalid), then apply it; reject is
 * cleared first. apply_event's result. */
int worldtest_apply(struct worldtest *f, Assist__Event *ev, struct verdict *reject);

#endif
