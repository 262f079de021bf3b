#include "event.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "application.h"
#include "apply.h"
#include "recompute.h"
#include "policy/rules.h"
#include "roles.h"
#include "state.h"
#include "validate.h"

/* education_aid.term is kept in no state array: it becomes part of the once
 * key "education/<scheme>/<term>" (policy/education.c). */
#define TERM_MAX 31

/* Each kind's field rules, in the order senders see the first failure. */
static const struct event_field person_fields[] = {
	{.name = EVENT_FIELD_SUBJECT, .check = EVENT_CHECK_ID},
	{.name = "name", .check = EVENT_CHECK_TEXT, .max_len = STATE_NAME_MAX},
	{.name = EVENT_FIELD_HOUSEHOLD, .check = EVENT_CHECK_TEXT,
	 .max_len = STATE_HOUSEHOLD_ID_MAX},
	{.name = "hukou", .check = EVENT_CHECK_ENUM},
	{.name = "area", .check = EVENT_CHECK_ENUM},
	{.name = "deceased_on", .check = EVENT_CHECK_DATE},
	{.name = "effective_on", .check = EVENT_CHECK_DATE},
	{0},
};

static const struct event_field household_fields[] = {
	{.name = EVENT_FIELD_HOUSEHOLD, .check = EVENT_CHECK_TEXT, .required = true,
	 .max_len = STATE_HOUSEHOLD_ID_MAX},
	{.name = "area", .check = EVENT_CHECK_ENUM},
	{.name = "members", .check = EVENT_CHECK_COUNT, .min = 0, .max = 100},
	{.name = "effective_on", .check = EVENT_CHECK_DATE},
	{0},
};

static const struct event_field status_fields[] = {
	{.name = EVENT_FIELD_SUBJECT, .check = EVENT_CHECK_ID},
	{.name = "category", .check = EVENT_CHECK_ENUM, .required = true},
	{.name = "since", .check = EVENT_CHECK_DATE},
	{.name = "class", .check = EVENT_CHECK_TEXT, .max_len = STATE_STATUS_CLASS_MAX},
	{0},
};

static const struct event_field enrollment_fields[] = {
	{.name = EVENT_FIELD_SUBJECT, .check = EVENT_CHECK_ID},
	{.name = "scheme", .check = EVENT_CHECK_ENUM, .required = true},
	{.name = "class", .check = EVENT_CHECK_TEXT, .max_len = STATE_ENROLLMENT_CLASS_MAX},
	{.name = "amount_fen", .check = EVENT_CHECK_MONEY},
	{.name = "start_date", .check = EVENT_CHECK_DATE, .required = true},
	{.name = "end_date", .check = EVENT_CHECK_DATE},
	{0},
};

static const struct event_field medical_claim_fields[] = {
	{.name = EVENT_FIELD_CLAIM, .check = EVENT_CHECK_TEXT, .required = true,
	 .max_len = STATE_CLAIM_ID_MAX},
	{.name = EVENT_FIELD_SUBJECT, .check = EVENT_CHECK_ID},
	{.name = "date", .check = EVENT_CHECK_DATE, .required = true},
	{.name = "setting", .check = EVENT_CHECK_ENUM, .required = true},
	{.name = "hospital", .check = EVENT_CHECK_ENUM, .when_field = "setting",
	 .when_value = ASSIST__SETTING__SETTING_INPATIENT},
	{.name = "disease", .check = EVENT_CHECK_ENUM, .required = true},
	{.name = "insurer", .check = EVENT_CHECK_ENUM, .required = true},
	{.name = "total_fen", .check = EVENT_CHECK_MONEY},
	{0},
};

static const struct event_field education_aid_fields[] = {
	{.name = EVENT_FIELD_CLAIM, .check = EVENT_CHECK_TEXT, .required = true,
	 .max_len = STATE_CLAIM_ID_MAX},
	{.name = EVENT_FIELD_SUBJECT, .check = EVENT_CHECK_ID},
	{.name = "scheme", .check = EVENT_CHECK_ENUM, .required = true},
	{.name = "stage", .check = EVENT_CHECK_ENUM, .required = true},
	{.name = "term", .check = EVENT_CHECK_TEXT, .required = true, .max_len = TERM_MAX},
	{.name = "amount_fen", .check = EVENT_CHECK_MONEY},
	{0},
};

static const struct event_field training_fields[] = {
	{.name = EVENT_FIELD_CLAIM, .check = EVENT_CHECK_TEXT, .required = true,
	 .max_len = STATE_CLAIM_ID_MAX},
	{.name = EVENT_FIELD_SUBJECT, .check = EVENT_CHECK_ID},
	{.name = "program", .check = EVENT_CHECK_ENUM, .required = true},
	{.name = "locality", .check = EVENT_CHECK_ENUM},
	{.name = "started_on", .check = EVENT_CHECK_DATE, .required = true},
	{.name = "completed_on", .check = EVENT_CHECK_DATE, .required = true},
	{.name = "employed_on", .check = EVENT_CHECK_DATE},
	{0},
};

static const struct event_field housing_aid_fields[] = {
	{.name = EVENT_FIELD_CLAIM, .check = EVENT_CHECK_TEXT, .required = true,
	 .max_len = STATE_CLAIM_ID_MAX},
	{.name = EVENT_FIELD_HOUSEHOLD, .check = EVENT_CHECK_TEXT, .required = true,
	 .max_len = STATE_HOUSEHOLD_ID_MAX},
	{.name = "scheme", .check = EVENT_CHECK_ENUM, .required = true},
	{.name = "date", .check = EVENT_CHECK_DATE, .required = true},
	{.name = "amount_fen", .check = EVENT_CHECK_MONEY},
	{.name = "rent_fen", .check = EVENT_CHECK_MONEY},
	{0},
};

static const struct event_field payment_run_fields[] = {
	{.name = "month", .check = EVENT_CHECK_MONTH, .required = true},
	{.name = "bucket", .check = EVENT_CHECK_COUNT, .min = 0, .max = RECOMPUTE_BUCKETS_MAX - 1},
	{.name = "buckets", .check = EVENT_CHECK_COUNT, .min = 0, .max = RECOMPUTE_BUCKETS_MAX},
	{0},
};

static const struct event_field recompute_fields[] = {
	{.name = "from", .check = EVENT_CHECK_DATE, .required = true},
	{.name = "bucket", .check = EVENT_CHECK_COUNT, .min = 0, .max = RECOMPUTE_BUCKETS_MAX - 1},
	{.name = "buckets", .check = EVENT_CHECK_COUNT, .min = 1, .max = RECOMPUTE_BUCKETS_MAX},
	{0},
};

static const struct event_field application_fields[] = {
	{.name = "application_id", .check = EVENT_CHECK_TEXT, .required = true,
	 .max_len = STATE_APPLICATION_ID_MAX},
	{.name = "scheme", .check = EVENT_CHECK_ENUM, .required = true},
	{.name = "step", .check = EVENT_CHECK_ENUM, .required = true},
	{.name = EVENT_FIELD_HOUSEHOLD, .check = EVENT_CHECK_TEXT,
	 .max_len = STATE_HOUSEHOLD_ID_MAX},
	{.name = "officer", .check = EVENT_CHECK_TEXT, .max_len = STATE_OFFICER_MAX},
	{.name = "on", .check = EVENT_CHECK_DATE, .required = true},
	{.name = "note", .check = EVENT_CHECK_TEXT, .max_len = STATE_NOTE_MAX},
	{.name = "class", .check = EVENT_CHECK_TEXT, .max_len = STATE_ENROLLMENT_CLASS_MAX},
	{.name = "amount_fen", .check = EVENT_CHECK_MONEY},
	{.name = "start_date", .check = EVENT_CHECK_DATE},
	{0},
};

/* The senders are INTERFACE's table of who sends what (roles.c keeps each
 * department's categories and schemes). */
const struct event_kind event_kinds[] = {
	{.kind = ASSIST__KIND__KIND_PERSON,
	 .payload = ASSIST__EVENT__PAYLOAD_PERSON,
	 .name = "person",
	 .fields = person_fields,
	 .check = validate_person,
	 .apply = apply_person,
	 .role_field = "categories",
	 .senders = (const char *const[]){"civil_affairs", NULL}},
	{.kind = ASSIST__KIND__KIND_HOUSEHOLD,
	 .payload = ASSIST__EVENT__PAYLOAD_HOUSEHOLD,
	 .name = "household",
	 .fields = household_fields,
	 .check = validate_household,
	 .apply = apply_household,
	 .flags = EVENT_HOUSEHOLD_LEVEL,
	 .senders = (const char *const[]){"civil_affairs", NULL}},
	{.kind = ASSIST__KIND__KIND_STATUS,
	 .payload = ASSIST__EVENT__PAYLOAD_STATUS,
	 .name = "status",
	 .fields = status_fields,
	 .apply = apply_status,
	 .date_field = "since",
	 .role_field = "category",
	 .senders = (const char *const[]){"civil_affairs", "education", "labor", "housing", NULL}},
	{.kind = ASSIST__KIND__KIND_ENROLLMENT,
	 .payload = ASSIST__EVENT__PAYLOAD_ENROLLMENT,
	 .name = "enrollment",
	 .fields = enrollment_fields,
	 .check = validate_enrollment,
	 .decide = policy_decide_enrollment,
	 .date_field = "start_date",
	 .flags = EVENT_REFRESH_AFTER,
	 .role_field = "scheme",
	 .senders = (const char *const[]){"civil_affairs", "health", "education", "labor",
					   "housing", NULL}},
	{.kind = ASSIST__KIND__KIND_MEDICAL_CLAIM,
	 .payload = ASSIST__EVENT__PAYLOAD_MEDICAL_CLAIM,
	 .name = "medical_claim",
	 .fields = medical_claim_fields,
	 .check = validate_medical_claim,
	 .decide = medical_decide,
	 .date_field = "date",
	 .senders = (const char *const[]){"health", "labor", NULL}},
	{.kind = ASSIST__KIND__KIND_EDUCATION_AID,
	 .payload = ASSIST__EVENT__PAYLOAD_EDUCATION_AID,
	 .name = "education_aid",
	 .fields = education_aid_fields,
	 .check = validate_education_aid,
	 .decide = education_decide, /* dated by its term (education.c) */
	 .role_field = "scheme",
	 .senders = (const char *const[]){"education", NULL}},
	{.kind = ASSIST__KIND__KIND_TRAINING,
	 .payload = ASSIST__EVENT__PAYLOAD_TRAINING,
	 .name = "training",
	 .fields = training_fields,
	 .check = validate_training,
	 .decide = training_decide,
	 .date_field = "completed_on",
	 .senders = (const char *const[]){"labor", NULL}},
	{.kind = ASSIST__KIND__KIND_HOUSING_AID,
	 .payload = ASSIST__EVENT__PAYLOAD_HOUSING_AID,
	 .name = "housing_aid",
	 .fields = housing_aid_fields,
	 .check = validate_housing_aid,
	 .decide = housing_decide,
	 .date_field = "date",
	 .flags = EVENT_HOUSEHOLD_LEVEL,
	 .role_field = "scheme",
	 .senders = (const char *const[]){"housing", NULL}},
	{.kind = ASSIST__KIND__KIND_PAYMENT_RUN,
	 .payload = ASSIST__EVENT__PAYLOAD_PAYMENT_RUN,
	 .name = "payment_run",
	 .fields = payment_run_fields,
	 .check = validate_payment_run,
	 .apply = apply_payment_run,
	 .flags = EVENT_CITY_LEVEL,
	 .senders = (const char *const[]){"finance", NULL}},
	/* Household-level in the registry's sense: it names the applicant
	 * itself (id_number, or household_id for a housing scheme), so its
	 * apply finds whom it concerns (application.c). */
	{.kind = ASSIST__KIND__KIND_APPLICATION,
	 .payload = ASSIST__EVENT__PAYLOAD_APPLICATION,
	 .name = "application",
	 .fields = application_fields,
	 .check = application_check,
	 .admit = application_admit,
	 .apply = application_apply,
	 .date_field = "on",
	 .flags = EVENT_HOUSEHOLD_LEVEL,
	 .role_field = "scheme",
	 .senders = (const char *const[]){"civil_affairs", "education", "labor", "housing",
					   NULL}},
	{.kind = ASSIST__KIND__KIND_RECOMPUTE,
	 .payload = ASSIST__EVENT__PAYLOAD_RECOMPUTE,
	 .name = "recompute",
	 .fields = recompute_fields,
	 .check = recompute_check,
	 .apply = recompute_apply,
	 .flags = EVENT_CITY_LEVEL,
	 .senders = (const char *const[]){"standards", NULL}},
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
 * claim (its key is remembered by every member); a city-level one names no
 * one and is applied. */
static const char *missing_field(const struct event_kind *k, const ProtobufCMessageDescriptor *d)
{
	if (k->flags & EVENT_CITY_LEVEL)
		return NULL;
	if (!(k->flags & EVENT_HOUSEHOLD_LEVEL))
		return text_field(d, EVENT_FIELD_SUBJECT) ? NULL : EVENT_FIELD_SUBJECT;
	if (text_field(d, EVENT_FIELD_HOUSEHOLD) == NULL)
		return EVENT_FIELD_HOUSEHOLD;
	if (k->decide != NULL && text_field(d, EVENT_FIELD_CLAIM) == NULL)
		return EVENT_FIELD_CLAIM;
	return NULL;
}

/* The enum field named field of messages of desc, or NULL; repeated ones
 * only when repeated_ok. */
static const ProtobufCFieldDescriptor *enum_field(const ProtobufCMessageDescriptor *desc,
						  const char *field, bool repeated_ok)
{
	const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(desc,
											    field);

	if (f == NULL || f->type != PROTOBUF_C_TYPE_ENUM ||
	    (f->label == PROTOBUF_C_LABEL_REPEATED && !repeated_ok))
		return NULL;
	return f;
}

/* Whether messages of desc have a single integer field named field, of
 * int64 only when int64_only (validate.c reads it as int32_t or int64_t). */
static bool integer_field(const ProtobufCMessageDescriptor *desc, const char *field,
			  bool int64_only)
{
	const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(desc,
											    field);

	return f != NULL && f->label != PROTOBUF_C_LABEL_REPEATED &&
	       (f->type == PROTOBUF_C_TYPE_INT64 || (f->type == PROTOBUF_C_TYPE_INT32 && !int64_only));
}

/* The type of field a check reads, as the start-up errors name it. */
static const char *check_type(enum event_check check)
{
	switch (check) {
	case EVENT_CHECK_ENUM:
		return "enum";
	case EVENT_CHECK_MONEY:
		return "int64";
	case EVENT_CHECK_COUNT:
		return "int32 or int64";
	default:
		return "text";
	}
}

/* Why the field rule r does not fit kind's payload desc, or NULL when it does. */
static const char *rule_misfit(const struct event_field *r, const char *kind,
			       const ProtobufCMessageDescriptor *desc, char *why, size_t whylen)
{
	bool fits;

	switch (r->check) {
	case EVENT_CHECK_ID:
	case EVENT_CHECK_DATE:
	case EVENT_CHECK_MONTH:
	case EVENT_CHECK_TEXT:
		fits = text_field(desc, r->name) != NULL;
		break;
	case EVENT_CHECK_ENUM:
		fits = enum_field(desc, r->name, false) != NULL;
		break;
	case EVENT_CHECK_MONEY:
		fits = integer_field(desc, r->name, true);
		break;
	case EVENT_CHECK_COUNT:
		fits = integer_field(desc, r->name, false);
		break;
	default:
		snprintf(why, whylen, "field %s has no check %d", r->name, r->check);
		return why;
	}
	if (!fits)
		snprintf(why, whylen, "%s has no %s field %s", kind, check_type(r->check), r->name);
	else if (r->check == EVENT_CHECK_TEXT && r->max_len == 0)
		snprintf(why, whylen, "text field %s has no max_len", r->name);
	else if (r->check == EVENT_CHECK_COUNT && r->min > r->max)
		snprintf(why, whylen, "count field %s has min above max", r->name);
	else if (r->when_field != NULL && enum_field(desc, r->when_field, false) == NULL)
		snprintf(why, whylen, "%s has no enum field %s", kind, r->when_field);
	else
		return NULL;
	return why;
}

/* What roles.c reads: a Category or Scheme field, departments it knows, a
 * kind that fits a role's bit set. NULL, or why not. */
static const char *role_misfit(const struct event_kind *k, const ProtobufCMessageDescriptor *desc,
			       char *why, size_t whylen)
{
	const ProtobufCFieldDescriptor *f = k->role_field ? enum_field(desc, k->role_field, true)
							  : NULL;

	if (k->role_field != NULL &&
	    (f == NULL || (f->descriptor != &assist__category__descriptor &&
			   f->descriptor != &assist__scheme__descriptor))) {
		snprintf(why, whylen, "%s has no Category or Scheme field %s", k->name,
			 k->role_field);
		return why;
	}
	for (const char *const *s = k->senders; s != NULL && *s != NULL; s++) {
		if (!roles_department_known(*s)) {
			snprintf(why, whylen, "sender %s is not a built-in department", *s);
			return why;
		}
	}
	if ((unsigned)k->kind >= sizeof(((struct role *)0)->kinds) * CHAR_BIT) {
		snprintf(why, whylen, "kind %d does not fit a role's kinds", k->kind);
		return why;
	}
	return NULL;
}

/* The fields the row names besides its kind and payload; NULL, or why one
 * does not fit. */
static const char *fields_misfit(const struct event_kind *k, const ProtobufCMessageDescriptor *desc,
				 char *why, size_t whylen)
{
	const char *field;

	if (k->date_field != NULL && text_field(desc, k->date_field) == NULL) {
		snprintf(why, whylen, "%s has no text field %s", k->name, k->date_field);
		return why;
	}
	if ((field = missing_field(k, desc)) != NULL) {
		snprintf(why, whylen, "%s has no text field %s", k->name, field);
		return why;
	}
	for (const struct event_field *r = k->fields; r != NULL && r->name != NULL; r++) {
		if (rule_misfit(r, k->name, desc, why, whylen) != NULL)
			return why;
	}
	return role_misfit(k, desc, why, whylen);
}

/* One row on its own: a kind of the enum, the payload member of its name,
 * either applied or decided, with the fields it is read by. */
static int check_row(const struct event_kind *k, char *err, size_t errlen)
{
	const ProtobufCFieldDescriptor *f = payload_field(k->payload);
	const char *name = k->name ? k->name : "(unnamed)";
	char why[160];

	if (k->kind == ASSIST__KIND__KIND_UNSPECIFIED ||
	    protobuf_c_enum_descriptor_get_value(&assist__kind__descriptor, k->kind) == NULL)
		snprintf(err, errlen, "event registry row %s: kind %d is not in the Kind enum", name,
			 k->kind);
	else if (f == NULL || k->name == NULL || strcmp(f->name, k->name) != 0)
		snprintf(err, errlen, "event registry row %s: payload %d is not Event's member %s",
			 name, k->payload, name);
	else if ((k->apply == NULL) == (k->decide == NULL))
		snprintf(err, errlen, "event registry row %s: needs either apply or decide", name);
	else if ((k->flags & EVENT_CITY_LEVEL) && k->apply == NULL)
		snprintf(err, errlen, "event registry row %s: a city-level kind is applied", name);
	else if (fields_misfit(k, f->descriptor, why, sizeof(why)) != NULL)
		snprintf(err, errlen, "event registry row %s: %s", name, why);
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
