/* Housing security: surveyed housing area, rental subsidies, rent reductions,
 * rural building and repair (adapters/housing/schema.sql). Money in fen. */
#include <stdint.h>

#include "maputil.h"

#define HS_LOW_INCOME_M2 10 /* lowest-income housing: below 10 m2 per person */

enum { HS_SUBMITTED = 1, HS_APPROVED, HS_REFUSED };

static const struct map_code hs_app_status[] = {
	{"01", HS_SUBMITTED},
	{"02", HS_APPROVED},
	{"03", HS_REFUSED},
	{NULL, 0},
};

static const struct map_code hs_project_type[] = {
	{"XJ", ASSIST__SCHEME__SCHEME_RURAL_NEW_BUILD},
	{"WG", ASSIST__SCHEME__SCHEME_RURAL_REPAIR},
	{NULL, 0},
};

/* A surveyed area with a lowest-income certificate gives the status when it
 * is below the standard per person, and takes it away when not. */
static int hs_area_status(struct map_row *r)
{
	const char *cert = map_text(r, "low_income_cert", false);
	int64_t area = map_hundredths(r, "total_area_m2", true);
	int64_t residents = map_int(r, "resident_count", 1, 99, true, 1);
	ymd_t surveyed = map_ymd(r, "surveyed_on", true);
	bool below = area < HS_LOW_INCOME_M2 * 100 * residents;
	Assist__StatusChange *s;

	if (r->status < 0)
		return r->status;
	if (cert == NULL || (r->ended && !below))
		return 0;
	s = map_status(r, ASSIST__CATEGORY__CATEGORY_LOWEST_INCOME_HOUSING, below && !r->ended);
	if (s == NULL)
		return r->status;
	s->id_number = map_str(r, "applicant_id", true);
	s->since = map_ymd_str(r, surveyed);
	return 1;
}

static int hs_areas(const struct row_change *rc, struct mapping_out *out, char *err,
		    size_t errlen)
{
	static const char *const subject[] = {"applicant_id", NULL};

	return map_state_row(rc, out, err, errlen, hs_area_status, hs_area_status, subject);
}

/* A rental subsidy is sent once approved. */
static int hs_rental_build(struct map_row *r)
{
	int status = map_code(r, "status", hs_app_status, true);
	Assist__HousingAid *h;

	if (r->status < 0)
		return r->status;
	if (status != HS_APPROVED)
		return 0;
	h = map_payload(r, ASSIST__KIND__KIND_HOUSING_AID);
	if (h == NULL)
		return r->status;
	h->claim_id = map_str(r, "app_no", true);
	h->household_id = map_str(r, "hh_code", true);
	h->scheme = ASSIST__SCHEME__SCHEME_URBAN_RENTAL;
	h->date = map_date(r, "approved_on", true);
	h->amount_fen = map_int(r, "monthly_fen", 0, INT64_MAX, true, 0);
	return 1;
}

static int hs_rentals(const struct row_change *rc, struct mapping_out *out, char *err,
		      size_t errlen)
{
	return map_claim_row(rc, out, err, errlen, hs_rental_build, "app_no");
}

/* A rent reduction is sent once approved. */
static int hs_reduction_build(struct map_row *r)
{
	Assist__HousingAid *h;

	if (!map_bool(r, "approved", false))
		return r->status;
	h = map_payload(r, ASSIST__KIND__KIND_HOUSING_AID);
	if (h == NULL)
		return r->status;
	h->claim_id = map_str(r, "rr_no", true);
	h->household_id = map_str(r, "hh_code", true);
	h->scheme = ASSIST__SCHEME__SCHEME_RENT_REDUCTION;
	h->date = map_date(r, "effective_from", true);
	h->rent_fen = map_int(r, "public_rent_fen", 0, INT64_MAX, true, 0);
	return 1;
}

static int hs_reductions(const struct row_change *rc, struct mapping_out *out, char *err,
			 size_t errlen)
{
	return map_claim_row(rc, out, err, errlen, hs_reduction_build, "rr_no");
}

/* A rural project is sent once approved. */
static int hs_project_build(struct map_row *r)
{
	int scheme = map_code(r, "project_type", hs_project_type, true);
	ymd_t approved = map_ymd(r, "approved_on", false);
	Assist__HousingAid *h;

	if (r->status < 0 || approved == YMD_NONE)
		return r->status;
	h = map_payload(r, ASSIST__KIND__KIND_HOUSING_AID);
	if (h == NULL)
		return r->status;
	h->claim_id = map_str(r, "project_no", true);
	h->household_id = map_str(r, "hh_code", true);
	h->scheme = scheme;
	h->date = map_ymd_str(r, approved);
	h->amount_fen = map_int(r, "subsidy_fen", 0, INT64_MAX, false, 0);
	return 1;
}

static int hs_projects(const struct row_change *rc, struct mapping_out *out, char *err,
		       size_t errlen)
{
	return map_claim_row(rc, out, err, errlen, hs_project_build, "project_no");
}

const struct department_table housing_tables[] = {
	{"housing_area_record", hs_areas},
	{"rental_subsidy_app", hs_rentals},
	{"rent_reduction", hs_reductions},
	{"rural_house_project", hs_projects},
	{NULL, NULL},
};
