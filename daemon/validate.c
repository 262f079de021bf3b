#include "validate.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "idnum.h"
#include "pbcheck.h"
#include "scheme.h"
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

static int check_person(Assist__PersonChange *p, struct verdict *v)
{
	const char *k = "person";
	int rc;

	if ((rc = check_id(v, k, "id_number", p->id_number)) < 0 ||
	    (rc = check_text(v, k, "name", p->name, false, 63)) < 0 ||
	    (rc = check_text(v, k, "household_id", p->household_id, false, 47)) < 0 ||
	    (rc = check_enum(v, k, "hukou", &assist__hukou__descriptor, p->hukou, false)) < 0 ||
	    (rc = check_enum(v, k, "area", &assist__area__descriptor, p->area, false)) < 0 ||
	    (rc = check_date(v, k, "deceased_on", p->deceased_on, false, NULL)) < 0)
		return rc;
	if (p->place != NULL &&
	    ((rc = check_text(v, k, "place.district", p->place->district, false, 47)) < 0 ||
	     (rc = check_text(v, k, "place.town", p->place->town, false, 47)) < 0 ||
	     (rc = check_text(v, k, "place.community", p->place->community, false, 63)) < 0))
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

static int check_household(Assist__HouseholdChange *h, struct verdict *v)
{
	const char *k = "household";
	int rc;

	if ((rc = check_text(v, k, "household_id", h->household_id, true, 47)) < 0 ||
	    (rc = check_enum(v, k, "area", &assist__area__descriptor, h->area, false)) < 0)
		return rc;
	if (h->members < 0 || h->members > 100)
		return fail(v, k, "members", "must be between 0 and 100");
	if (h->monthly_income_fen != NULL &&
	    (rc = check_money(v, k, "monthly_income_fen", h->monthly_income_fen->value)) < 0)
		return rc;
	if (h->housing_area_m2 != NULL &&
	    (!isfinite(h->housing_area_m2->value) || h->housing_area_m2->value < 0))
		return fail(v, k, "housing_area_m2", "must be a number not below 0");
	return 0;
}

static int check_status(Assist__StatusChange *s, struct verdict *v)
{
	const char *k = "status";
	int rc;

	if ((rc = check_id(v, k, "id_number", s->id_number)) < 0 ||
	    (rc = check_enum(v, k, "category", &assist__category__descriptor, s->category,
			     true)) < 0 ||
	    (rc = check_date(v, k, "since", s->since, false, &v->date)) < 0 ||
	    (rc = check_text(v, k, "class", s->class_, false, 15)) < 0)
		return rc;
	return 0;
}

static int check_enrollment(Assist__Enrollment *e, struct verdict *v)
{
	const char *k = "enrollment";
	ymd_t end;
	int rc;

	if ((rc = check_id(v, k, "id_number", e->id_number)) < 0 ||
	    (rc = check_enum(v, k, "scheme", &assist__scheme__descriptor, e->scheme, true)) < 0 ||
	    (rc = check_text(v, k, "class", e->class_, false, 7)) < 0 ||
	    (rc = check_money(v, k, "amount_fen", e->amount_fen)) < 0 ||
	    (rc = check_date(v, k, "start_date", e->start_date, true, &v->date)) < 0 ||
	    (rc = check_date(v, k, "end_date", e->end_date, false, &end)) < 0)
		return rc;
	if (end != YMD_NONE && end < v->date)
		return fail(v, k, "end_date", "is before start_date");
	return 0;
}

static int check_claim_id(struct verdict *v, const char *kind, const char *claim_id)
{
	return check_text(v, kind, "claim_id", claim_id, true, 63);
}

static int check_medical(Assist__MedicalClaim *c, struct verdict *v)
{
	const char *k = "medical_claim";
	int rc;

	if ((rc = check_claim_id(v, k, c->claim_id)) < 0 ||
	    (rc = check_id(v, k, "id_number", c->id_number)) < 0 ||
	    (rc = check_date(v, k, "date", c->date, true, &v->date)) < 0 ||
	    (rc = check_enum(v, k, "setting", &assist__setting__descriptor, c->setting, true)) < 0 ||
	    (rc = check_enum(v, k, "hospital", &assist__hospital__descriptor, c->hospital,
			     c->setting == ASSIST__SETTING__SETTING_INPATIENT)) < 0 ||
	    (rc = check_enum(v, k, "disease", &assist__disease__descriptor, c->disease, true)) < 0 ||
	    (rc = check_enum(v, k, "insurer", &assist__insurer__descriptor, c->insurer, true)) < 0 ||
	    (rc = check_money(v, k, "total_fen", c->total_fen)) < 0)
		return rc;
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
	if (c->months < 0 || c->months > 12)
		return fail(v, k, "months", "must be between 0 and 12");
	return 0;
}

static int check_education(Assist__EducationAid *a, struct verdict *v)
{
	const char *k = "education_aid";
	int rc;

	if ((rc = check_claim_id(v, k, a->claim_id)) < 0 ||
	    (rc = check_id(v, k, "id_number", a->id_number)) < 0 ||
	    (rc = check_enum(v, k, "scheme", &assist__scheme__descriptor, a->scheme, true)) < 0 ||
	    (rc = check_enum(v, k, "stage", &assist__stage__descriptor, a->stage, true)) < 0 ||
	    (rc = check_text(v, k, "term", a->term, true, 31)) < 0 ||
	    (rc = check_money(v, k, "amount_fen", a->amount_fen)) < 0)
		return rc;
	if (scheme_family(a->scheme) != SCHEME_FAMILY_EDUCATION)
		return fail(v, k, "scheme", "is not an education scheme");
	return 0;
}

static int check_training(Assist__Training *t, struct verdict *v)
{
	const char *k = "training";
	ymd_t started, employed;
	int rc;

	if ((rc = check_claim_id(v, k, t->claim_id)) < 0 ||
	    (rc = check_id(v, k, "id_number", t->id_number)) < 0 ||
	    (rc = check_enum(v, k, "program", &assist__program__descriptor, t->program, true)) < 0 ||
	    (rc = check_enum(v, k, "locality", &assist__area__descriptor, t->locality, false)) < 0 ||
	    (rc = check_date(v, k, "started_on", t->started_on, true, &started)) < 0 ||
	    (rc = check_date(v, k, "completed_on", t->completed_on, true, &v->date)) < 0 ||
	    (rc = check_date(v, k, "employed_on", t->employed_on, false, &employed)) < 0)
		return rc;
	if (v->date < started)
		return fail(v, k, "completed_on", "is before started_on");
	if (t->days < 0)
		return fail(v, k, "days", "must not be negative");
	return 0;
}

static int check_housing(Assist__HousingAid *h, struct verdict *v)
{
	const char *k = "housing_aid";
	int rc;

	if ((rc = check_claim_id(v, k, h->claim_id)) < 0 ||
	    (rc = check_text(v, k, "household_id", h->household_id, true, 47)) < 0 ||
	    (rc = check_enum(v, k, "scheme", &assist__scheme__descriptor, h->scheme, true)) < 0 ||
	    (rc = check_date(v, k, "date", h->date, true, &v->date)) < 0 ||
	    (rc = check_money(v, k, "amount_fen", h->amount_fen)) < 0 ||
	    (rc = check_money(v, k, "rent_fen", h->rent_fen)) < 0)
		return rc;
	if (scheme_family(h->scheme) != SCHEME_FAMILY_HOUSING)
		return fail(v, k, "scheme", "is not a housing scheme");
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
	return k->check(event_payload(ev), v);
}

const char *validate_subject(const Assist__Event *ev)
{
	return event_text(ev, EVENT_FIELD_SUBJECT);
}

/* The registry's entry points: a payload message of each kind. */
int validate_person(ProtobufCMessage *m, struct verdict *v)
{
	return check_person((Assist__PersonChange *)m, v);
}

int validate_household(ProtobufCMessage *m, struct verdict *v)
{
	return check_household((Assist__HouseholdChange *)m, v);
}

int validate_status(ProtobufCMessage *m, struct verdict *v)
{
	return check_status((Assist__StatusChange *)m, v);
}

int validate_enrollment(ProtobufCMessage *m, struct verdict *v)
{
	return check_enrollment((Assist__Enrollment *)m, v);
}

int validate_medical_claim(ProtobufCMessage *m, struct verdict *v)
{
	return check_medical((Assist__MedicalClaim *)m, v);
}

int validate_education_aid(ProtobufCMessage *m, struct verdict *v)
{
	return check_education((Assist__EducationAid *)m, v);
}

int validate_training(ProtobufCMessage *m, struct verdict *v)
{
	return check_training((Assist__Training *)m, v);
}

int validate_housing_aid(ProtobufCMessage *m, struct verdict *v)
{
	return check_housing((Assist__HousingAid *)m, v);
}
