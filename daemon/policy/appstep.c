#include "appstep.h"

#include <errno.h>
#include <stddef.h>

const char *const appstep_param_names[] = {
	APPSTEP_DAYS_PARAM,
	NULL,
};

/* Each step's name and level, indexed by its value. */
static const struct {
	const char *name;
	const char *level;
} steps[] = {
	[ASSIST__APPLICATION_STEP__APPLICATION_STEP_UNSPECIFIED] = {"unspecified", ""},
	[ASSIST__APPLICATION_STEP__APPLICATION_STEP_SUBMITTED] = {"submitted", "community"},
	[ASSIST__APPLICATION_STEP__APPLICATION_STEP_STATION_CHECKED] = {"station_checked",
								       "community"},
	[ASSIST__APPLICATION_STEP__APPLICATION_STEP_TOWN_AUDITED] = {"town_audited", "town"},
	[ASSIST__APPLICATION_STEP__APPLICATION_STEP_DISTRICT_AUDITED] = {"district_audited",
									"district"},
	[ASSIST__APPLICATION_STEP__APPLICATION_STEP_CITY_APPROVED] = {"city_approved", "city"},
	[ASSIST__APPLICATION_STEP__APPLICATION_STEP_REJECTED] = {"rejected", ""},
};

#define N_STEPS (sizeof(steps) / sizeof(steps[0]))

/* The expected follower of each open state, with the reason a sender reads
 * when another step comes. */
static const char *const expected[] = {
	[ASSIST__APPLICATION_STEP__APPLICATION_STEP_UNSPECIFIED] =
		"is not submitted: an application starts with submitted",
	[ASSIST__APPLICATION_STEP__APPLICATION_STEP_SUBMITTED] =
		"is out of order: station_checked or rejected comes after submitted",
	[ASSIST__APPLICATION_STEP__APPLICATION_STEP_STATION_CHECKED] =
		"is out of order: town_audited or rejected comes after station_checked",
	[ASSIST__APPLICATION_STEP__APPLICATION_STEP_TOWN_AUDITED] =
		"is out of order: district_audited or rejected comes after town_audited",
	[ASSIST__APPLICATION_STEP__APPLICATION_STEP_DISTRICT_AUDITED] =
		"is out of order: city_approved or rejected comes after district_audited",
};

bool appstep_closed(Assist__ApplicationStep state)
{
	return state == ASSIST__APPLICATION_STEP__APPLICATION_STEP_CITY_APPROVED ||
	       state == ASSIST__APPLICATION_STEP__APPLICATION_STEP_REJECTED;
}

int appstep_next(Assist__ApplicationStep state, Assist__ApplicationStep step, const char **why)
{
	if ((unsigned)state >= N_STEPS || (unsigned)step >= N_STEPS ||
	    step == ASSIST__APPLICATION_STEP__APPLICATION_STEP_UNSPECIFIED) {
		*why = "is not a step";
		return -EINVAL;
	}
	if (appstep_closed(state)) {
		*why = state == ASSIST__APPLICATION_STEP__APPLICATION_STEP_REJECTED
			       ? "comes after the application was closed (rejected)"
			       : "comes after the application was closed (city_approved)";
		return -EINVAL;
	}
	if (step == state) {
		*why = "repeats the application's latest step";
		return -EINVAL;
	}
	/* A rejection closes any open application, but one not yet submitted
	 * is not open. */
	if ((step == ASSIST__APPLICATION_STEP__APPLICATION_STEP_REJECTED &&
	     state != ASSIST__APPLICATION_STEP__APPLICATION_STEP_UNSPECIFIED) ||
	    (int)step == (int)state + 1)
		return 0;
	*why = expected[state];
	return -EINVAL;
}

const char *appstep_level(Assist__ApplicationStep step, Assist__ApplicationStep state)
{
	if (step == ASSIST__APPLICATION_STEP__APPLICATION_STEP_REJECTED &&
	    (unsigned)state + 1 < N_STEPS && !appstep_closed(state))
		return steps[state + 1].level;
	return (unsigned)step < N_STEPS ? steps[step].level : "";
}

const char *appstep_name(Assist__ApplicationStep step)
{
	return (unsigned)step < N_STEPS ? steps[step].name : "unspecified";
}

ymd_t appstep_default_start(ymd_t on)
{
	return ymd_next_month(on);
}

bool appstep_overdue(ymd_t since, ymd_t today, int64_t days)
{
	return ymd_to_days(today) - ymd_to_days(since) > days;
}
