/* The rules of an application's steps (section V (2) 1), pure: which step
 * may follow which, the place level each is taken at, the start date an
 * approval enrolls from, and when a step has waited too long. */
#ifndef ASSIST_APPSTEP_H
#define ASSIST_APPSTEP_H

#include <stdbool.h>
#include <stdint.h>

#include "assist.pb-c.h"
#include "ymd.h"

/* The parameter a step may wait for, in days ([local default] 30). */
#define APPSTEP_DAYS_PARAM "application.step_days"

extern const char *const appstep_param_names[];

/* Whether step may follow state (the application's latest step;
 * UNSPECIFIED for one not seen yet): 0, or -EINVAL with why set to a static
 * sentence ("comes after station_checked, not submitted"). */
int appstep_next(Assist__ApplicationStep state, Assist__ApplicationStep step, const char **why);
/* Whether an application whose latest step is state is closed. */
bool appstep_closed(Assist__ApplicationStep state);
/* The place level a step is taken at: "community", "town", "district" or
 * "city"; a rejection at the level of the step it refused (state: the step
 * before it). */
const char *appstep_level(Assist__ApplicationStep step, Assist__ApplicationStep state);
/* The name of step as the record spells it ("town_audited"). */
const char *appstep_name(Assist__ApplicationStep step);
/* The day an approval on `on` enrolls from without a start_date: the first
 * day of the next month. */
ymd_t appstep_default_start(ymd_t on);
/* Whether a step taken on since has waited longer than days by today. */
bool appstep_overdue(ymd_t since, ymd_t today, int64_t days);

#endif
