/* What a fact back-dates: from when the months already paid are computed
 * again and why (docs/policy.md "Back-dated facts"). */
#include "backdate.h"

#include <stdio.h>
#include <string.h>

#include "pbjson.h"
#include "policy/policy.h"

/* What a person change back-dates: a death registered from its day; a hukou
 * or household changed, or categories, from the day the change holds. */
void backdate_person(const struct person *p, ymd_t died, Assist__Hukou hukou,
		     const char *household, const Assist__PersonChange *pc, ymd_t from,
		     struct backdate *bd)
{
	/* The first values known of a person describe the past: only a death
	 * among them changes what was paid. */
	bool first = household[0] == '\0' && hukou == ASSIST__HUKOU__HUKOU_UNSPECIFIED;
	char day[YMD_BUFLEN], name[16] = "";

	*bd = BACKDATE_NONE;
	bd->from = from;
	ymd_format(from, day);
	if (died == YMD_NONE && p->deceased_on != YMD_NONE) {
		bd->from = p->deceased_on;
		snprintf(bd->why, sizeof(bd->why), "deceased on %s", ymd_format(bd->from, day));
	} else if (first) {
		bd->from = YMD_NONE;
	} else if (hukou != ASSIST__HUKOU__HUKOU_UNSPECIFIED && hukou != p->hukou) {
		pbjson_enum_name(&assist__hukou__descriptor, p->hukou, name, sizeof(name));
		snprintf(bd->why, sizeof(bd->why), "hukou changed to %s from %s", name, day);
	} else if (household[0] != '\0' && strcmp(household, p->household_id) != 0) {
		snprintf(bd->why, sizeof(bd->why), "moved to household %.40s from %s",
			 p->household_id, day);
	} else if (pc->n_categories > 0) {
		snprintf(bd->why, sizeof(bd->why), "categories changed from %s", day);
	} else {
		bd->from = YMD_NONE;
	}
}

/* What a household change back-dates: the value known before that changed. */
void backdate_household(const struct household *was, const struct household *hh, ymd_t from,
			struct backdate *bd)
{
	char day[YMD_BUFLEN];

	*bd = BACKDATE_NONE;
	bd->from = from;
	ymd_format(from, day);
	if (was->has_income && was->monthly_income != hh->monthly_income)
		snprintf(bd->why, sizeof(bd->why), "household income %lld from %s (was %lld)",
			 (long long)hh->monthly_income, day, (long long)was->monthly_income);
	else if (was->has_members && was->members != hh->members)
		snprintf(bd->why, sizeof(bd->why), "household members %d from %s (was %d)",
			 hh->members, day, was->members);
	else
		snprintf(bd->why, sizeof(bd->why), "household change from %s", day);
}

/* p's enrollment of scheme as it stands, or a zeroed one. */
struct enrollment backdate_enrollment_of(const struct person *p, Assist__Scheme scheme)
{
	struct enrollment none = {.start = YMD_NONE, .end = YMD_NONE};

	for (size_t i = 0; i < p->n_enrollments; i++) {
		if (p->enrollments[i].scheme == scheme)
			return p->enrollments[i];
	}
	return none;
}

/* What an enrollment that replaced was back-dates: its end when only that
 * changed, else its start. */
void backdate_enrollment(const struct person *p, const struct enrollment *was,
			 Assist__Scheme scheme, struct backdate *bd)
{
	struct enrollment now = backdate_enrollment_of(p, scheme);
	const struct scheme *s = scheme_get(scheme);
	char day[YMD_BUFLEN], end[YMD_BUFLEN];

	*bd = BACKDATE_NONE;
	if (now.start == was->start && now.end == was->end && now.granted == was->granted &&
	    now.amount == was->amount && strcmp(now.class_, was->class_) == 0)
		return;
	if (now.start == was->start && now.end != YMD_NONE && now.end != was->end) {
		bd->from = ymd_from_days(ymd_to_days(now.end) + 1);
		snprintf(bd->why, sizeof(bd->why), "enrollment %s ended on %s",
			 s ? s->name : "", ymd_format(now.end, end));
	} else {
		bd->from = now.start;
		snprintf(bd->why, sizeof(bd->why), "enrollment %s from %s%s%s", s ? s->name : "",
			 ymd_format(now.start, day), now.end != YMD_NONE ? " to " : "",
			 ymd_format(now.end, end));
	}
}

void backdate_status(const Assist__StatusChange *sc, ymd_t since, struct backdate *bd)
{
	char name[40] = "category", day[YMD_BUFLEN];

	*bd = BACKDATE_NONE;
	if (since == YMD_NONE)
		return;
	bd->from = since;
	pbjson_enum_name(&assist__category__descriptor, sc->category, name, sizeof(name));
	snprintf(bd->why, sizeof(bd->why), "status %s %s %s", name,
		 sc->active == NULL || sc->active->value ? "held from" : "ended from",
		 ymd_format(since, day));
}
