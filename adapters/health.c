/* Health: NCMS enrollment, hospital settlement bills, chronic-disease
 * outpatient subsidies (adapters/health/schema.sql). */
#include <stdio.h>

#include "maputil.h"

static const struct map_code hl_setting[] = {
	{"11", ASSIST__SETTING__SETTING_OUTPATIENT},
	{"14", ASSIST__SETTING__SETTING_CHRONIC_OUTPATIENT},
	{"21", ASSIST__SETTING__SETTING_INPATIENT},
	{NULL, 0},
};

static const struct map_code hl_hospital[] = {
	{"HM", ASSIST__HOSPITAL__HOSPITAL_HUIMIN},
	{"SZ", ASSIST__HOSPITAL__HOSPITAL_CENTRAL},
	{"SJ", ASSIST__HOSPITAL__HOSPITAL_PROVINCIAL},
	{"QT", ASSIST__HOSPITAL__HOSPITAL_OTHER},
	{NULL, 0},
};

static const struct map_code hl_disease[] = {
	{"ZL", ASSIST__DISEASE__DISEASE_CANCER},
	{"SY", ASSIST__DISEASE__DISEASE_KIDNEY_TRANSPLANT},
	{"TX", ASSIST__DISEASE__DISEASE_DIALYSIS},
	{"ZB", ASSIST__DISEASE__DISEASE_MAJOR},
	{"MB", ASSIST__DISEASE__DISEASE_CHRONIC},
	{"PT", ASSIST__DISEASE__DISEASE_COMMON},
	{NULL, 0},
};

/* The three diseases with a fixed outpatient subsidy. */
static const struct map_code hl_chronic_disease[] = {
	{"ZL", ASSIST__DISEASE__DISEASE_CANCER},
	{"SY", ASSIST__DISEASE__DISEASE_KIDNEY_TRANSPLANT},
	{"TX", ASSIST__DISEASE__DISEASE_DIALYSIS},
	{NULL, 0},
};

static const struct map_code hl_insurer[] = {
	{"H", ASSIST__INSURER__INSURER_HUIMIN},
	{"N", ASSIST__INSURER__INSURER_NCMS},
	{"Z", ASSIST__INSURER__INSURER_WORKER},
	{"W", ASSIST__INSURER__INSURER_NONE},
	{NULL, 0},
};

/* An NCMS enrollment; a withdrawn row ends when withdrawn, or at once. */
static int hl_ncms_enrollment(struct map_row *r)
{
	Assist__Enrollment *e = map_enrollment(r, ASSIST__SCHEME__SCHEME_NCMS);
	ymd_t start = map_ymd(r, "enrolled_on", true);
	ymd_t end = map_ymd(r, "withdrawn_on", false);

	if (e == NULL)
		return r->status;
	e->id_number = map_str(r, "patient_idno", true);
	e->start_date = map_ymd_str(r, start);
	e->end_date = map_ymd_str(r, end == YMD_NONE && r->ended ? start : end);
	return 1;
}

static int hl_ncms(const struct row_change *rc, struct mapping_out *out, char *err,
		   size_t errlen)
{
	static const char *const subject[] = {"patient_idno", NULL};

	return map_state_row(rc, out, err, errlen, hl_ncms_enrollment, hl_ncms_enrollment, subject);
}

static int hl_bill_build(struct map_row *r)
{
	Assist__MedicalClaim *c = map_payload(r, ASSIST__KIND__KIND_MEDICAL_CLAIM);
	fen_t amount;
	bool present;

	if (c == NULL)
		return r->status;
	c->claim_id = map_str(r, "bill_no", true);
	c->id_number = map_str(r, "patient_idno", true);
	c->date = map_date(r, "service_date", true);
	c->setting = map_code(r, "settle_type", hl_setting, true);
	c->hospital = map_code(r, "hosp_level", hl_hospital, true);
	c->disease = map_code(r, "diag_group", hl_disease, true);
	c->total_fen = map_yuan(r, "total_yuan", true, NULL);
	amount = map_yuan(r, "eligible_yuan", false, &present);
	if (present)
		c->eligible_fen = map_int64_value(r, amount);
	c->insurer = map_code(r, "insurer", hl_insurer, true);
	amount = map_yuan(r, "insurer_paid_yuan", false, &present);
	if (present)
		c->insurer_paid_fen = map_int64_value(r, amount);
	c->months = map_int(r, "chronic_months", 1, 12, false, 0);
	c->special_approval = map_bool(r, "special_approval", false);
	return 1;
}

static int hl_bills(const struct row_change *rc, struct mapping_out *out, char *err,
		    size_t errlen)
{
	return map_claim_row(rc, out, err, errlen, hl_bill_build, "bill_no");
}

static int hl_subsidy_build(struct map_row *r)
{
	Assist__MedicalClaim *c = map_payload(r, ASSIST__KIND__KIND_MEDICAL_CLAIM);
	const char *no = map_text(r, "subsidy_no", true);
	char id[64];

	if (c == NULL)
		return r->status;
	/* Bills and subsidies are numbered apart: keep their claim ids apart. */
	if (no != NULL) {
		snprintf(id, sizeof(id), "CS-%s", no);
		c->claim_id = map_strdup(r, id);
	}
	c->id_number = map_str(r, "patient_idno", true);
	c->date = map_date(r, "period_start", true);
	c->setting = ASSIST__SETTING__SETTING_CHRONIC_OUTPATIENT;
	c->hospital = map_code(r, "hosp_level", hl_hospital, true);
	c->disease = map_code(r, "disease_code", hl_chronic_disease, true);
	c->total_fen = map_yuan(r, "expense_yuan", true, NULL);
	c->insurer = map_code(r, "insurer", hl_insurer, true);
	c->months = map_int(r, "months", 1, 12, true, 0);
	return 1;
}

static int hl_subsidies(const struct row_change *rc, struct mapping_out *out, char *err,
			size_t errlen)
{
	return map_claim_row(rc, out, err, errlen, hl_subsidy_build, "subsidy_no");
}

const struct department_table health_tables[] = {
	{"ncms_enrollment", hl_ncms},
	{"hosp_bill", hl_bills},
	{"chronic_subsidy", hl_subsidies},
	{NULL, NULL},
};
