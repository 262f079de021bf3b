/* Labor and social security: insurance enrollment, re-employment cards,
 * unemployment registrations, training completions and Huimin enrollment
 * (adapters/labor/schema.sql). */
#include <string.h>

#include "maputil.h"

#define LB_BASIC_MEDICAL "310" /* social insurance code of basic medical insurance */

static const struct map_code lb_card_class[] = {
	{"A", 'A'},
	{"B", 'B'},
	{NULL, 0},
};

static const struct map_code lb_program[] = {
	{"ZY", ASSIST__PROGRAM__PROGRAM_VOCATIONAL},
	{"CY", ASSIST__PROGRAM__PROGRAM_ENTREPRENEURSHIP},
	{"FP", ASSIST__PROGRAM__PROGRAM_POVERTY_ALLEVIATION},
	{"YG", ASSIST__PROGRAM__PROGRAM_SUNSHINE},
	{NULL, 0},
};

static const struct map_code lb_run_by[] = {
	{"S", ASSIST__AREA__AREA_CITY},
	{"Q", ASSIST__AREA__AREA_DISTRICT},
	{NULL, 0},
};

/* A status held from `from` until `until` (if set): active since its start,
 * or inactive since its end; an ended row ends at its end, or at once. */
static Assist__StatusChange *lb_status(struct map_row *r, Assist__Category category,
				       const char *from, const char *until)
{
	ymd_t start = map_ymd(r, from, true);
	ymd_t end = map_ymd(r, until, false);
	Assist__StatusChange *s = map_status(r, category, end == YMD_NONE && !r->ended);

	if (s == NULL)
		return NULL;
	s->id_number = map_str(r, "citizen_id", true);
	s->since = map_ymd_str(r, end != YMD_NONE ? end : start);
	return s;
}

static int lb_insurance_status(struct map_row *r)
{
	const char *type = map_text(r, "insurance_type", true);

	if (type == NULL || strcmp(type, LB_BASIC_MEDICAL) != 0)
		return r->status;
	lb_status(r, ASSIST__CATEGORY__CATEGORY_WORKER_INSURANCE, "start_date", "stop_date");
	return r->status < 0 ? r->status : 1;
}

static int lb_insurance(const struct row_change *rc, struct mapping_out *out, char *err,
			size_t errlen)
{
	static const char *const subject[] = {"citizen_id", "insurance_type", NULL};

	return map_state_row(rc, out, err, errlen, lb_insurance_status,
			     lb_insurance_status, subject);
}

static int lb_card_status(struct map_row *r)
{
	int cls = map_code(r, "card_class", lb_card_class, true);
	Assist__StatusChange *s = lb_status(r, ASSIST__CATEGORY__CATEGORY_REEMPLOYMENT_CARD,
					    "issued_on", "revoked_on");

	if (s == NULL)
		return r->status;
	s->class_ = map_strdup(r, cls == 'A' ? "A" : "B");
	/* 4050 is a property of the holder, known from the card. */
	if (map_bool(r, "is_4050", false))
		lb_status(r, ASSIST__CATEGORY__CATEGORY_4050, "issued_on", "revoked_on");
	return r->status < 0 ? r->status : 1;
}

static int lb_cards(const struct row_change *rc, struct mapping_out *out, char *err,
		    size_t errlen)
{
	static const char *const subject[] = {"citizen_id", NULL};

	return map_state_row(rc, out, err, errlen, lb_card_status, lb_card_status, subject);
}

static int lb_unemployment_status(struct map_row *r)
{
	lb_status(r, ASSIST__CATEGORY__CATEGORY_REGISTERED_UNEMPLOYED, "registered_since",
		  "ended_on");
	if (map_bool(r, "zero_employment_family", false))
		lb_status(r, ASSIST__CATEGORY__CATEGORY_ZERO_EMPLOYMENT_FAMILY,
			  "registered_since", "ended_on");
	return r->status < 0 ? r->status : 1;
}

static int lb_unemployment(const struct row_change *rc, struct mapping_out *out, char *err,
			   size_t errlen)
{
	static const char *const subject[] = {"citizen_id", NULL};

	return map_state_row(rc, out, err, errlen, lb_unemployment_status, lb_unemployment_status,
			     subject);
}

/* A completion is payable once known in full: vocational training pays on
 * employment, so it waits for employed_on. */
static int lb_completion_build(struct map_row *r)
{
	int program = map_code(r, "program_type", lb_program, true);
	ymd_t employed = map_ymd(r, "employed_on", false);
	Assist__Training *t;

	if (r->status < 0)
		return r->status;
	if (program == ASSIST__PROGRAM__PROGRAM_VOCATIONAL && employed == YMD_NONE)
		return 0;
	t = map_payload(r, ASSIST__KIND__KIND_TRAINING);
	if (t == NULL)
		return r->status;
	t->claim_id = map_str(r, "cert_no", true);
	t->id_number = map_str(r, "citizen_id", true);
	t->program = program;
	t->locality = map_code(r, "run_by", lb_run_by, true);
	t->started_on = map_date(r, "start_date", true);
	t->completed_on = map_date(r, "end_date", true);
	t->days = map_int(r, "days", 1, 3660, true, 0);
	t->employed_on = map_ymd_str(r, employed);
	return 1;
}

static int lb_completions(const struct row_change *rc, struct mapping_out *out, char *err,
			  size_t errlen)
{
	return map_claim_row(rc, out, err, errlen, lb_completion_build, "cert_no");
}

static int lb_huimin_enrollment(struct map_row *r)
{
	Assist__Enrollment *e = map_enrollment(r, ASSIST__SCHEME__SCHEME_HUIMIN);
	ymd_t start = map_ymd(r, "enrolled_on", true);
	ymd_t end = map_ymd(r, "ended_on", false);

	if (e == NULL)
		return r->status;
	e->id_number = map_str(r, "citizen_id", true);
	e->start_date = map_ymd_str(r, start);
	e->end_date = map_ymd_str(r, end == YMD_NONE && r->ended ? start : end);
	return 1;
}

static int lb_huimin(const struct row_change *rc, struct mapping_out *out, char *err,
		     size_t errlen)
{
	static const char *const subject[] = {"citizen_id", NULL};

	return map_state_row(rc, out, err, errlen, lb_huimin_enrollment,
			     lb_huimin_enrollment, subject);
}

/* Courses are reference data: a completion carries what assistd needs. */
const struct department_table labor_tables[] = {
	{"insurance_enrolment", lb_insurance},
	{"reemployment_card", lb_cards},
	{"unemployment_registration", lb_unemployment},
	{"training_completion", lb_completions},
	{"huimin_enrolment", lb_huimin},
	{NULL, NULL},
};
