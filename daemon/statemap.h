/* The field maps (pbmap.h) between the in-memory state (state.h, the traces
 * of policy/policy.h) and the protobuf messages that show and store it: the
 * one list the record, the stored forms and the explanations read. A member
 * added to a struct and its proto field is one row here. */
#ifndef ASSIST_STATEMAP_H
#define ASSIST_STATEMAP_H

#include <stddef.h>

#include "assist.pb-c.h"
#include "pbmap.h"
#include "state.h"

/* A person's own fields of its RecipientRecord (not id_number, categories,
 * updated_at, household, year, ytd: each is computed). */
extern const struct pbmap statemap_person;
/* A person's own fields of its PersonState (latest_date, updated_at_ms). */
extern const struct pbmap statemap_person_state;
/* A category_state as a CategoryState (not category: the index). */
extern const struct pbmap statemap_category;
/* A household as its HouseholdState, and its past facts there. */
extern const struct pbmap statemap_household;
extern const struct pbmap_list statemap_household_past;

/* A person's lists in its RecipientRecord. */
extern const struct pbmap_list statemap_benefits;
extern const struct pbmap_list statemap_entitlements;
extern const struct pbmap_list statemap_ledger;
extern const struct pbmap_list statemap_alerts;
/* A person's applications in its RecipientRecord (their scalar fields), an
 * application's steps in its ApplicationTrail, and one step. */
extern const struct pbmap_list statemap_applications;
extern const struct pbmap_list statemap_application_steps;
extern const struct pbmap statemap_application_step;
/* A person's enrollments in its PersonState. */
extern const struct pbmap_list statemap_enrollments;
/* A trace's parameters and inputs in its Explanation. */
extern const struct pbmap_list statemap_trace_params;
extern const struct pbmap_list statemap_trace_inputs;

/* Each counter of y into the Ytd field the scheme table names for it
 * (lib/scheme.h), and the reverse. */
void statemap_fill_ytd(Assist__Ytd *o, const struct ytd *y);
void statemap_read_ytd(struct ytd *y, const Assist__Ytd *o);

/* pbmap_check of every map and list above: called once at start. 0, or
 * -EINVAL with the first fault in err. */
__attribute__((warn_unused_result)) int statemap_check(char *err, size_t errlen);

#endif
