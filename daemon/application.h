/* Applications (section V (2) 1): the `application` event's checks, its
 * place in the order of steps, the trail each applicant keeps, the
 * enrollment a dibao approval makes, and the application_overdue alert
 * assistd raises on itself. The step rules are pure (policy/appstep.c). */
#ifndef ASSIST_APPLICATION_H
#define ASSIST_APPLICATION_H

#include <stdbool.h>

#include "arena.h"
#include "assist.pb-c.h"
#include "policy/policy.h"
#include "state.h"
#include "validate.h"
#include "world.h"

/* The source assistd's own events come from: the overdue timer's. */
#define APPLICATION_SOURCE "assistd"
/* The alert a step that waited too long raises. */
#define APPLICATION_OVERDUE "application_overdue"

/* What the field rules cannot say: who applies for the scheme (an ID
 * number, or a household for a housing scheme), a rejection's reason, and
 * the enrollment fields only with city_approved of a dibao scheme. The
 * event registry's check (event.c). 0, or -EINVAL with v filled. */
int application_check(ProtobufCMessage *m, struct verdict *v);
/* Whether ev's step may be taken now: out_of_order_step when it does not
 * follow the application's latest step; an overdue mark only from assistd.
 * 0, or -EINVAL with reject filled. */
int application_admit(struct world *w, const struct policy_ctx *ctx, const Assist__Event *ev,
		      struct verdict *reject);
/* Record ev's step on the applicant (every member for a household scheme),
 * enroll the applicant at a dibao approval, or raise application_overdue
 * for an overdue mark. The registry's apply (p is NULL). 0 or -ENOMEM. */
int application_apply(struct world *w, const struct policy_ctx *ctx, const Assist__Event *ev,
		      const struct verdict *v, struct person *p, struct decisions *out);
/* p's application called id, or NULL. */
const struct application *application_find(const struct person *p, const char *id);
/* Whether p holds application_overdue for app's latest step. */
bool application_raised(const struct person *p, const struct application *app);
/* app as its trail, made in a; NULL when out of memory. */
Assist__ApplicationTrail *application_trail(struct arena *a, const struct application *app);
/* p's applications into r->applications; 0 or -ENOMEM. */
int application_to_record(struct arena *a, const struct person *p, Assist__RecipientRecord *r);
/* r's applications into p (a stored record read back); 0, -ENOMEM or -EINVAL. */
int application_from_record(struct person *p, const Assist__RecipientRecord *r);

#endif
