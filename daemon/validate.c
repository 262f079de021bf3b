#include "validate.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "idnum.h"
#include "pbcheck.h"
#include "policy/rules.h"
#include "scheme.h"
#include "state.h"
#include "utf8.h"

static int fail(struct verdict *v, const char *kind, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct verdict *v, const char *kind, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (*field != '\0')
		snprintf(v->field, sizeof(v->field), "%s.%s", kind, field);
	else
		snprintf(v->field, sizeof(v->field), "%s", kind);
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
	utf8_trim(v->reason); /* a quoted value may have been cut inside a character */
	return -EINVAL;
}

/* The ID number in place: checked and normalized (lower-case x). */
static int check_id(struct verdict *v, const char *kind, const char *field, char *id)
{
	char norm[IDNUM_BUFLEN];
	int rc;

	if (id == NULL || *id == '\0')
		return fail(v, kind, field, "is required");
	rc = idnum_validate(id, norm, NULL);
	if (rc != IDNUM_OK)
		return fail(v, kind, field, "%s", idnum_strerror(rc));
	memcpy(id, norm, IDNUM_LEN);
	return 0;
}

static int check_date(struct verdict *v, const char *kind, const char *field, const char *s,
		      bool required, ymd_t *out)
{
	ymd_t d = YMD_NONE;

	if (s == NULL || *s == '\0') {
		if (required)
			return fail(v, kind, field, "is required");
	} else if (ymd_parse(s, &d) < 0) {
		return fail(v, kind, field, "\"%s\" is not a date (YYYY-MM-DD)", s);
	}
	if (out != NULL)
		*out = d;
	return 0;
}

static int check_month(struct verdict *v, const char *kind, const char *field, const char *s,
		       bool required)
{
	ymd_t first;

	if (s == NULL || *s == '\0')
		return required ? fail(v, kind, field, "is required") : 0;
	if (ymd_parse_month(s, &first) < 0)
		return fail(v, kind, field, "\"%s\" is not a month (YYYY-MM)", s);
	return 0;
}

static int check_text(struct verdict *v, const char *kind, const char *field, const char *s,
		      bool required, size_t max)
{
	size_t len = s ? strlen(s) : 0;

	if (required && len == 0)
		return fail(v, kind, field, "is required");
	if (len > max)
		return fail(v, kind, field, "is longer than %zu bytes", max);
	return 0;
}

static int check_enum(struct verdict *v, const char *kind, const char *field,
		      const ProtobufCEnumDescriptor *desc, int value, bool required)
{
	if (value == 0 && required)
		return fail(v, kind, field, "is required");
	if (protobuf_c_enum_descriptor_get_value(desc, value) == NULL)
		return fail(v, kind, field, "unknown value %d", value);
	return 0;
}

static int check_money(struct verdict *v, const char *kind, const char *field, int64_t fen)
{
	if (fen < 0)
		return fail(v, kind, field, "must not be negative");
	return 0;
}

static int check_count(struct verdict *v, const char *kind, const char *field, int64_t n,
		       int64_t min, int64_t max)
{
	if (n < min || n > max)
		return fail(v, kind, field, "must be between %" PRId64 " and %" PRId64, min, max);
	return 0;
}

/* Whether m's enum field named field (NULL: none) holds value. */
static bool enum_is(const ProtobufCMessage *m, const char *field, int value)
{
	const ProtobufCFieldDescriptor *f =
		field ? protobuf_c_message_descriptor_get_field_by_name(m->descriptor, field) : NULL;

	return f != NULL && *(const int *)((const char *)m + f->offset) == value;
}

/* The integer field f of m, int32 or int64. */
static int64_t integer_at(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
	const char *at = (const char *)m + f->offset;

	if (f->type == PROTOBUF_C_TYPE_INT64)
		return *(const int64_t *)at;
	return *(const int32_t *)at;
}

/* One field rule of kind k on m. The field is there with the type the rule
 * reads: event_registry_check saw to it at start. The row's date field is
 * the event's date. */
static int check_field(const struct event_kind *k, const struct event_field *r,
		       ProtobufCMessage *m, struct verdict *v)
{
	const ProtobufCFieldDescriptor *f =
		protobuf_c_message_descriptor_get_field_by_name(m->descriptor, r->name);
	char *at = (char *)m + f->offset;
	bool dated = k->date_field != NULL && strcmp(k->date_field, r->name) == 0;

	switch (r->check) {
	case EVENT_CHECK_ID:
		return check_id(v, k->name, r->name, *(char **)at);
	case EVENT_CHECK_TEXT:
		return check_text(v, k->name, r->name, *(const char **)at, r->required, r->max_len);
	case EVENT_CHECK_ENUM:
		return check_enum(v, k->name, r->name, f->descriptor, *(const int *)at,
				  r->required || enum_is(m, r->when_field, r->when_value));
	case EVENT_CHECK_DATE:
		return check_date(v, k->name, r->name, *(const char **)at, r->required,
				  dated ? &v->date : NULL);
	case EVENT_CHECK_MONTH:
		return check_month(v, k->name, r->name, *(const char **)at, r->required);
	case EVENT_CHECK_MONEY:
		return check_money(v, k->name, r->name, integer_at(m, f));
	case EVENT_CHECK_COUNT:
		return check_count(v, k->name, r->name, integer_at(m, f), r->min, r->max);
	}
	return 0;
}

int validate_payload(const struct event_kind *k, ProtobufCMessage *m, struct verdict *v)
{
	int rc;

	for (const struct event_field *r = k->fields; r != NULL && r->name != NULL; r++) {
		if ((rc = check_field(k, r, m, v)) < 0)
			return rc;
	}
	return k->check ? k->check(m, v) : 0;
}

/* s as a date; YMD_NONE when absent (a checked field holds a date or nothing). */
static ymd_t date_of(const char *s)
{
	ymd_t d;

	if (s == NULL || *s == '\0' || ymd_parse(s, &d) < 0)
		return YMD_NONE;
	return d;
}

/* The kinds' checks after their field rules: what the rules cannot say. */

/* person: its place's parts and each category it sets. */
int validate_person(ProtobufCMessage *m, struct verdict *v)
{
	const Assist__PersonChange *p = (const Assist__PersonChange *)m;
	const Assist__Place *pl = p->place;
	const char *k = "person";
	int rc;

	if (pl != NULL &&
	    ((rc = check_text(v, k, "place.district", pl->district, false, STATE_DISTRICT_MAX)) < 0 ||
	     (rc = check_text(v, k, "place.town", pl->town, false, STATE_TOWN_MAX)) < 0 ||
	     (rc = check_text(v, k, "place.community", pl->community, false,
			      STATE_COMMUNITY_MAX)) < 0))
		return rc;
	for (size_t i = 0; i < p->n_categories; i++) {
		char field[32];
		snprintf(field, sizeof(field), "categories[%zu]", i);
		if ((rc = check_enum(v, k, field, &assist__category__descriptor,
				     p->categories[i], true)) < 0)
			return rc;
	}
	return 0;
}

/* household: its wrapped income and area. */
int validate_household(ProtobufCMessage *m, struct verdict *v)
{
	const Assist__HouseholdChange *h = (const Assist__HouseholdChange *)m;
	const char *k = "household";
	int rc;

	if (h->monthly_income_fen != NULL &&
	    (rc = check_money(v, k, "monthly_income_fen", h->monthly_income_fen->value)) < 0)
		return rc;
	if (h->housing_area_m2 != NULL &&
	    (!isfinite(h->housing_area_m2->value) || h->housing_area_m2->value < 0))
		return fail(v, k, "housing_area_m2", "must be a number not below 0");
	return 0;
}

/* enrollment: its end not before its start. */
int validate_enrollment(ProtobufCMessage *m, struct verdict *v)
{
	const Assist__Enrollment *e = (const Assist__Enrollment *)m;
	ymd_t end = date_of(e->end_date);

	if (end != YMD_NONE && end < date_of(e->start_date))
		return fail(v, "enrollment", "end_date", "is before start_date");
	return 0;
}

/* medical_claim: the wrapped amounts within the total, then its months. */
int validate_medical_claim(ProtobufCMessage *m, struct verdict *v)
{
	const Assist__MedicalClaim *c = (const Assist__MedicalClaim *)m;
	const char *k = "medical_claim";
	int rc;

	if (c->eligible_fen != NULL) {
		if ((rc = check_money(v, k, "eligible_fen", c->eligible_fen->value)) < 0)
			return rc;
		if (c->eligible_fen->value > c->total_fen)
			return fail(v, k, "eligible_fen", "exceeds total_fen");
	}
	if (c->insurer_paid_fen != NULL) {
		if ((rc = check_money(v, k, "insurer_paid_fen", c->insurer_paid_fen->value)) < 0)
			return rc;
		if (c->insurer_paid_fen->value > c->total_fen)
			return fail(v, k, "insurer_paid_fen", "exceeds total_fen");
	}
	return check_count(v, k, "months", c->months, 0, 12);
}

/* education_aid: a scheme of the education family. */
int validate_education_aid(ProtobufCMessage *m, struct verdict *v)
{
	const Assist__EducationAid *a = (const Assist__EducationAid *)m;

	if (scheme_family(a->scheme) != SCHEME_FAMILY_EDUCATION)
		return fail(v, "education_aid", "scheme", "is not an education scheme");
	return 0;
}

/* training: completed not before started, then its days. */
int validate_training(ProtobufCMessage *m, struct verdict *v)
{
	const Assist__Training *t = (const Assist__Training *)m;

	if (date_of(t->completed_on) < date_of(t->started_on))
		return fail(v, "training", "completed_on", "is before started_on");
	if (t->days < 0)
		return fail(v, "training", "days", "must not be negative");
	return 0;
}

/* housing_aid: a scheme of the housing family. */
int validate_payment_run(ProtobufCMessage *m, struct verdict *v)
{
	const Assist__PaymentRun *r = (const Assist__PaymentRun *)m;

	if (r->buckets == 0 ? r->bucket == 0 : r->bucket < r->buckets)
		return 0;
	return fail(v, "payment_run", "bucket", "must be below buckets (0 when buckets is 0)");
}

int validate_housing_aid(ProtobufCMessage *m, struct verdict *v)
{
	const Assist__HousingAid *h = (const Assist__HousingAid *)m;

	if (scheme_family(h->scheme) != SCHEME_FAMILY_HOUSING)
		return fail(v, "housing_aid", "scheme", "is not a housing scheme");
	return 0;
}

/* A sender's own rejection: "table.column: reason" keeps its field apart. */
static int fail_sender(const Assist__Event *ev, struct verdict *v)
{
	const char *r = ev->invalid_reason, *colon = strstr(r, ": ");
	size_t n = colon ? (size_t)(colon - r) : 0;

	if (n > 0 && n < sizeof(v->field) && memchr(r, ' ', n) == NULL) {
		snprintf(v->field, sizeof(v->field), "%.*s", (int)n, r);
		snprintf(v->reason, sizeof(v->reason), "%s", colon + 2);
		utf8_trim(v->reason);
		return -EINVAL;
	}
	return fail(v, ev->kind ? validate_kind_name(ev) : "event", "", "%s", r);
}

const char *validate_kind_name(const Assist__Event *ev)
{
	const struct event_kind *k = event_kind(ev->kind);

	if (ev->kind == ASSIST__KIND__KIND_UNSPECIFIED)
		return "unspecified";
	return k ? k->name : "unknown";
}

/* Every text field, whatever its kind: PostgreSQL and the feed's readers
 * take UTF-8 only. */
static int check_utf8(const Assist__Event *ev, struct verdict *v)
{
	char path[128];

	if (!pbcheck_utf8(&ev->base, path, sizeof(path)))
		return 0;
	if (strchr(path, '.') != NULL)
		return fail(v, path, "", "not valid UTF-8"); /* "person.name" */
	return fail(v, "event", path, "not valid UTF-8");  /* "event.raw" */
}

int validate_event(Assist__Event *ev, struct verdict *v)
{
	const struct event_kind *k = event_kind(ev->kind);

	memset(v, 0, sizeof(*v));
	if (check_utf8(ev, v) < 0)
		return -EINVAL;
	if (ev->invalid_reason != NULL && *ev->invalid_reason != '\0')
		return fail_sender(ev, v);
	if (ev->kind == ASSIST__KIND__KIND_UNSPECIFIED)
		return fail(v, "event", "kind", "is required");
	if (k == NULL)
		return fail(v, "event", "kind", "unknown value %d", ev->kind);
	if (ev->payload_case != k->payload)
		return fail(v, "event", k->name, "is required for kind %s", k->name);
	return validate_payload(k, event_payload(ev), v);
}

const char *validate_subject(const Assist__Event *ev)
{
	return event_text(ev, EVENT_FIELD_SUBJECT);
}
