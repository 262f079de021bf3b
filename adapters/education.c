/* Education: student register and aid grants (adapters/education/schema.sql). */
#include <string.h>

#include "idnum.h"
#include "maputil.h"

static const struct map_code ed_stage[] = {
	{"XX", ASSIST__STAGE__STAGE_PRIMARY},
	{"CZ", ASSIST__STAGE__STAGE_JUNIOR},
	{"GZ", ASSIST__STAGE__STAGE_SENIOR},
	{"ZZ", ASSIST__STAGE__STAGE_VOCATIONAL},
	{"DX", ASSIST__STAGE__STAGE_UNIVERSITY},
	{NULL, 0},
};

static const char *const ed_stage_names[] = {
	"", "primary", "junior", "senior", "vocational", "university",
};

static const struct map_code ed_aid_type[] = {
	{"01", ASSIST__SCHEME__SCHEME_MISC_FEE_EXEMPTION},
	{"02", ASSIST__SCHEME__SCHEME_TEXTBOOK_EXEMPTION},
	{"03", ASSIST__SCHEME__SCHEME_TUITION_EXEMPTION},
	{"04", ASSIST__SCHEME__SCHEME_BOARDING_ALLOWANCE},
	{"05", ASSIST__SCHEME__SCHEME_KEY_HIGH_SCHOOL},
	{"06", ASSIST__SCHEME__SCHEME_UNIVERSITY_ENTRY},
	{"07", ASSIST__SCHEME__SCHEME_UNIVERSITY_MONTHLY},
	{"08", ASSIST__SCHEME__SCHEME_VOCATIONAL},
	{NULL, 0},
};

enum { ED_NONE = 1, ED_HARDSHIP, ED_SPECIAL_HARDSHIP };

static const struct map_code ed_hardship[] = {
	{"0", ED_NONE},
	{"1", ED_HARDSHIP},
	{"2", ED_SPECIAL_HARDSHIP},
	{NULL, 0},
};

/* The poor-student status of a student row: level 0 assessed on a date means
 * "not poor since then"; never assessed means nothing. */
static int ed_student_status(struct map_row *r)
{
	int level = map_code(r, "hardship_level", ed_hardship, true);
	int stage = map_code(r, "stage_code", ed_stage, true);
	ymd_t since = map_ymd(r, "hardship_since", level != ED_NONE);
	Assist__StatusChange *s;

	if (r->status < 0)
		return r->status;
	if (since == YMD_NONE || (r->ended && level == ED_NONE))
		return 0;
	s = map_status(r, ASSIST__CATEGORY__CATEGORY_POOR_STUDENT, level != ED_NONE && !r->ended);
	if (s == NULL)
		return r->status;
	s->id_number = map_str(r, "id_no", true);
	s->since = map_ymd_str(r, since);
	s->class_ = map_strdup(r, ed_stage_names[stage]);
	return 1;
}

static int ed_students(const struct row_change *rc, struct mapping_out *out, char *err,
		       size_t errlen)
{
	static const char *const subject[] = {"id_no", NULL};

	return map_state_row(rc, out, err, errlen, ed_student_status, ed_student_status, subject);
}

/* The ID number inside a national student number ("G" + ID number). */
static char *ed_id_of_student_no(struct map_row *r, const char *col)
{
	const char *no = map_text(r, col, true);

	if (no == NULL)
		return (char *)protobuf_c_empty_string;
	if (no[0] != 'G' || strlen(no) != 1 + IDNUM_LEN) {
		map_fail(r, col, "not an ID-based student number (G and the ID number)");
		return (char *)protobuf_c_empty_string;
	}
	return map_strdup(r, no + 1);
}

static int ed_grant_build(struct map_row *r)
{
	Assist__EducationAid *a = map_payload(r, ASSIST__KIND__KIND_EDUCATION_AID);

	if (a == NULL)
		return r->status;
	a->claim_id = map_str(r, "grant_no", true);
	a->id_number = ed_id_of_student_no(r, "student_no");
	a->scheme = map_code(r, "aid_type", ed_aid_type, true);
	a->stage = map_code(r, "stage_code", ed_stage, true);
	a->term = map_str(r, "term_code", true);
	a->amount_fen = map_yuan(r, "amount_yuan", false, NULL);
	return 1;
}

static int ed_grants(const struct row_change *rc, struct mapping_out *out, char *err,
		     size_t errlen)
{
	return map_claim_row(rc, out, err, errlen, ed_grant_build, "grant_no");
}

/* Terms are reference data: their changes mean nothing to assistd. */
const struct department_table education_tables[] = {
	{"student", ed_students},
	{"aid_grant", ed_grants},
	{NULL, NULL},
};
