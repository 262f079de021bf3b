/* Event validation: everything that can be checked from the event alone,
 * before any state is touched. Pure; the reasons are what senders read. */
#ifndef ASSIST_VALIDATE_H
#define ASSIST_VALIDATE_H

#include "assist.pb-c.h"
#include "ymd.h"

struct event_kind;

struct verdict {
	char field[64];   /* "medical_claim.total_fen" */
	char reason[160]; /* "must not be negative" */
	ymd_t date;       /* the event's date (0 for person, household) */
};

/* Check ev and normalize it in place (an ID number's lower-case x becomes X).
 * 0, or -EINVAL with the field and reason in v. */
__attribute__((warn_unused_result)) int validate_event(Assist__Event *ev, struct verdict *v);
/* The subject's ID number of a person-level event (its payload's id_number),
 * or NULL (household, housing_aid, payment_run). */
const char *validate_subject(const Assist__Event *ev);
/* The lower-case kind name ("medical_claim"). */
const char *validate_kind_name(const Assist__Event *ev);

/* Check payload m of kind k in place: its row's field rules in order (the
 * first failure is the one reported), then the row's check. 0, or -EINVAL
 * with the field and reason in v. */
__attribute__((warn_unused_result)) int validate_payload(const struct event_kind *k,
							 ProtobufCMessage *m, struct verdict *v);

/* The checks a row's field rules cannot express (a date before another, a
 * nested or wrapped field, a scheme of the kind's family): the event
 * registry's check entry points, run after the rules (event.c). 0, or
 * -EINVAL with the field and reason in v. */
int validate_person(ProtobufCMessage *m, struct verdict *v);
int validate_household(ProtobufCMessage *m, struct verdict *v);
int validate_enrollment(ProtobufCMessage *m, struct verdict *v);
int validate_medical_claim(ProtobufCMessage *m, struct verdict *v);
int validate_education_aid(ProtobufCMessage *m, struct verdict *v);
int validate_training(ProtobufCMessage *m, struct verdict *v);
int validate_housing_aid(ProtobufCMessage *m, struct verdict *v);
int validate_payment_run(ProtobufCMessage *m, struct verdict *v);

#endif
