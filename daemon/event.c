#include "event.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "apply.h"
#include "policy/rules.h"
#include "validate.h"

const struct event_kind event_kinds[] = {
	{.kind = ASSIST__KIND__KIND_PERSON,
	 .payload = ASSIST__EVENT__PAYLOAD_PERSON,
	 .name = "person",
	 .check = validate_person,
	 .apply = apply_person},
	{.kind = ASSIST__KIND__KIND_HOUSEHOLD,
	 .payload = ASSIST__EVENT__PAYLOAD_HOUSEHOLD,
	 .name = "household",
	 .check = validate_household,
	 .apply = apply_household,
	 .flags = EVENT_HOUSEHOLD_LEVEL},
	{.kind = ASSIST__KIND__KIND_STATUS,
	 .payload = ASSIST__EVENT__PAYLOAD_STATUS,
	 .name = "status",
	 .check = validate_status,
	 .apply = apply_status,
	 .date_field = "since"},
	{.kind = ASSIST__KIND__KIND_ENROLLMENT,
	 .payload = ASSIST__EVENT__PAYLOAD_ENROLLMENT,
	 .name = "enrollment",
	 .check = validate_enrollment,
	 .decide = policy_decide_enrollment,
	 .date_field = "start_date",
	 .flags = EVENT_REFRESH_AFTER},
	{.kind = ASSIST__KIND__KIND_MEDICAL_CLAIM,
	 .payload = ASSIST__EVENT__PAYLOAD_MEDICAL_CLAIM,
	 .name = "medical_claim",
	 .check = validate_medical_claim,
	 .decide = medical_decide,
	 .date_field = "date"},
	{.kind = ASSIST__KIND__KIND_EDUCATION_AID,
	 .payload = ASSIST__EVENT__PAYLOAD_EDUCATION_AID,
	 .name = "education_aid",
	 .check = validate_education_aid,
	 .decide = education_decide}, /* dated by its term (education.c) */
	{.kind = ASSIST__KIND__KIND_TRAINING,
	 .payload = ASSIST__EVENT__PAYLOAD_TRAINING,
	 .name = "training",
	 .check = validate_training,
	 .decide = training_decide,
	 .date_field = "completed_on"},
	{.kind = ASSIST__KIND__KIND_HOUSING_AID,
	 .payload = ASSIST__EVENT__PAYLOAD_HOUSING_AID,
	 .name = "housing_aid",
	 .check = validate_housing_aid,
	 .decide = housing_decide,
	 .date_field = "date",
	 .flags = EVENT_HOUSEHOLD_LEVEL},
};

const size_t event_n_kinds = sizeof(event_kinds) / sizeof(event_kinds[0]);

const struct event_kind *event_kind(Assist__Kind kind)
{
	for (size_t i = 0; i < event_n_kinds; i++) {
		if (event_kinds[i].kind == kind)
			return &event_kinds[i];
	}
	return NULL;
}

const struct event_kind *event_of(const Assist__Event *ev)
{
	for (size_t i = 0; i < event_n_kinds; i++) {
		if (event_kinds[i].payload == ev->payload_case)
			return &event_kinds[i];
	}
	return NULL;
}

/* Event's member of the payload oneof numbered pcase (the case value is the
 * member's field number), or NULL. */
static const ProtobufCFieldDescriptor *payload_field(int pcase)
{
	const ProtobufCFieldDescriptor *f =
		protobuf_c_message_descriptor_get_field(&assist__event__descriptor, (unsigned)pcase);

	if (pcase <= 0 || f == NULL || !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) ||
	    f->type != PROTOBUF_C_TYPE_MESSAGE)
		return NULL;
	return f;
}

ProtobufCMessage *event_payload(const Assist__Event *ev)
{
	const ProtobufCFieldDescriptor *f = payload_field(ev->payload_case);

	return f ? *(ProtobufCMessage *const *)((const char *)ev + f->offset) : NULL;
}

/* The string field named field of messages of desc, or NULL. */
static const ProtobufCFieldDescriptor *text_field(const ProtobufCMessageDescriptor *desc,
						  const char *field)
{
	const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(desc,
											    field);

	if (f == NULL || f->type != PROTOBUF_C_TYPE_STRING || f->label == PROTOBUF_C_LABEL_REPEATED)
		return NULL;
	return f;
}

const char *event_text(const Assist__Event *ev, const char *field)
{
	const ProtobufCMessage *m = event_payload(ev);
	const ProtobufCFieldDescriptor *f = m ? text_field(m->descriptor, field) : NULL;

	return f ? *(const char *const *)((const char *)m + f->offset) : NULL;
}

ymd_t event_date(const Assist__Event *ev)
{
	const struct event_kind *k = event_of(ev);
	const char *s = k && k->date_field ? event_text(ev, k->date_field) : NULL;
	ymd_t d;

	if (s == NULL || *s == '\0' || ymd_parse(s, &d) < 0)
		return YMD_NONE;
	return d;
}

/* Every kind of the enum but unspecified has exactly one row. */
static int check_kinds(const struct event_kind *rows, size_t n, char *err, size_t errlen)
{
	const ProtobufCEnumDescriptor *kinds = &assist__kind__descriptor;

	for (unsigned i = 0; i < kinds->n_values; i++) {
		size_t found = 0;
		if (kinds->values[i].value == ASSIST__KIND__KIND_UNSPECIFIED)
			continue;
		for (size_t j = 0; j < n; j++)
			found += (int)rows[j].kind == kinds->values[i].value;
		if (found != 1) {
			snprintf(err, errlen, "event kind %s has %zu rows in the event registry",
				 kinds->values[i].name, found);
			return -EINVAL;
		}
	}
	return 0;
}

/* Every payload member of Event has exactly one row. */
static int check_payloads(const struct event_kind *rows, size_t n, char *err, size_t errlen)
{
	const ProtobufCMessageDescriptor *desc = &assist__event__descriptor;

	for (unsigned i = 0; i < desc->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &desc->fields[i];
		size_t found = 0;
		if (payload_field((int)f->id) != f)
			continue;
		for (size_t j = 0; j < n; j++)
			found += rows[j].payload == (Assist__Event__PayloadCase)f->id;
		if (found != 1) {
			snprintf(err, errlen, "event payload %s has %zu rows in the event registry",
				 f->name, found);
			return -EINVAL;
		}
	}
	return 0;
}

/* The fields apply.c finds by name: a person-level kind names its person, a
 * household-level one its household, and a decided household-level one is a
 * claim (its key is remembered by every member). */
static const char *missing_field(const struct event_kind *k, const ProtobufCMessageDescriptor *d)
{
	if (!(k->flags & EVENT_HOUSEHOLD_LEVEL))
		return text_field(d, EVENT_FIELD_SUBJECT) ? NULL : EVENT_FIELD_SUBJECT;
	if (text_field(d, EVENT_FIELD_HOUSEHOLD) == NULL)
		return EVENT_FIELD_HOUSEHOLD;
	if (k->decide != NULL && text_field(d, EVENT_FIELD_CLAIM) == NULL)
		return EVENT_FIELD_CLAIM;
	return NULL;
}

/* One row on its own: a kind of the enum, the payload member of its name,
 * checked, either applied or decided, with the fields it is read by. */
static int check_row(const struct event_kind *k, char *err, size_t errlen)
{
	const ProtobufCFieldDescriptor *f = payload_field(k->payload);
	const char *name = k->name ? k->name : "(unnamed)", *field;

	if (k->kind == ASSIST__KIND__KIND_UNSPECIFIED ||
	    protobuf_c_enum_descriptor_get_value(&assist__kind__descriptor, k->kind) == NULL)
		snprintf(err, errlen, "event registry row %s: kind %d is not in the Kind enum", name,
			 k->kind);
	else if (f == NULL || k->name == NULL || strcmp(f->name, k->name) != 0)
		snprintf(err, errlen, "event registry row %s: payload %d is not Event's member %s",
			 name, k->payload, name);
	else if (k->check == NULL || (k->apply == NULL) == (k->decide == NULL))
		snprintf(err, errlen,
			 "event registry row %s: needs a check and either apply or decide", name);
	else if (k->date_field != NULL && text_field(f->descriptor, k->date_field) == NULL)
		snprintf(err, errlen, "event registry row %s: %s has no text field %s", name,
			 name, k->date_field);
	else if ((field = missing_field(k, f->descriptor)) != NULL)
		snprintf(err, errlen, "event registry row %s: %s has no text field %s", name,
			 name, field);
	else
		return 0;
	return -EINVAL;
}

int event_registry_check(const struct event_kind *rows, size_t n, char *err, size_t errlen)
{
	int rc;

	for (size_t i = 0; i < n; i++) {
		if ((rc = check_row(&rows[i], err, errlen)) < 0)
			return rc;
	}
	if ((rc = check_kinds(rows, n, err, errlen)) < 0)
		return rc;
	return check_payloads(rows, n, err, errlen);
}
