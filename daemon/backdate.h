/* What a fact back-dates: the day from which the months already paid are
 * computed again, and the words that explain the arrears and recovery it
 * books (docs/policy.md "Back-dated facts"). Pure: reads the state given. */
#ifndef ASSIST_BACKDATE_H
#define ASSIST_BACKDATE_H

#include "assist.pb-c.h"
#include "state.h"

/* A fact valid from from (YMD_NONE: nothing back-dated) and what it says:
 * "household income 45000 from 2008-02-01 (was 30000)". */
struct backdate {
	ymd_t from;
	char why[96];
};

#define BACKDATE_NONE ((struct backdate){.from = YMD_NONE})

/* A person change applied to p, which had died (YMD_NONE: not known dead),
 * hukou and household before it: a death newly registered from its day; a
 * hukou, household or category change from the day from it holds; else, and
 * for the first values known of the person, nothing. */
void backdate_person(const struct person *p, ymd_t died, Assist__Hukou hukou,
		     const char *household, const Assist__PersonChange *pc, ymd_t from,
		     struct backdate *bd);
/* A household change from from that changed a value known before (was: the
 * household before it, hh: after). */
void backdate_household(const struct household *was, const struct household *hh, ymd_t from,
			struct backdate *bd);
/* p's enrollment of scheme as it stands, or one with no dates. */
struct enrollment backdate_enrollment_of(const struct person *p, Assist__Scheme scheme);
/* An enrollment event that replaced was (backdate_enrollment_of() before
 * it) with p's enrollment of scheme now: nothing when the same; from the
 * day after its end when only that changed, else from its start. */
void backdate_enrollment(const struct person *p, const struct enrollment *was,
			 Assist__Scheme scheme, struct backdate *bd);
/* A status change held or ended from since (YMD_NONE: nothing back-dated). */
void backdate_status(const Assist__StatusChange *sc, ymd_t since, struct backdate *bd);

#endif
