/* Civil affairs: population register, households, categories, dibao, deaths
 * (adapters/civil_affairs/schema.sql). */
#include <stdlib.h>
#include <string.h>

#include "maputil.h"

struct ca_district {
	const char *code;
	const char *name;
	Assist__Area area;
};

/* The city's urban area and its three districts. */
static const struct ca_district ca_districts[] = {
	{"420701", "City", ASSIST__AREA__AREA_CITY},
	{"420702", "Liangzihu", ASSIST__AREA__AREA_DISTRICT},
	{"420703", "Huarong", ASSIST__AREA__AREA_DISTRICT},
	{"420704", "Echeng", ASSIST__AREA__AREA_DISTRICT},
};

static const struct map_code ca_hukou[] = {
	{"1", ASSIST__HUKOU__HUKOU_URBAN},
	{"2", ASSIST__HUKOU__HUKOU_RURAL},
	{NULL, 0},
};

static const struct map_code ca_category[] = {
	{"11", ASSIST__CATEGORY__CATEGORY_THREE_NOES},
	{"12", ASSIST__CATEGORY__CATEGORY_FIVE_GUARANTEE},
	{"13", ASSIST__CATEGORY__CATEGORY_ORPHAN},
	{"21", ASSIST__CATEGORY__CATEGORY_ENTITLED_GROUP},
	{"31", ASSIST__CATEGORY__CATEGORY_MARGINAL},
	{"41", ASSIST__CATEGORY__CATEGORY_VAGRANT},
	{"51", ASSIST__CATEGORY__CATEGORY_DISABLED},
	{NULL, 0},
};

enum { CA_CENTRALIZED = 1, CA_DISPERSED };

static const struct map_code ca_five_guarantee_grade[] = {
	{"1", CA_CENTRALIZED},
	{"2", CA_DISPERSED},
	{NULL, 0},
};

static const struct map_code ca_scheme[] = {
	{"C", ASSIST__SCHEME__SCHEME_URBAN_DIBAO},
	{"N", ASSIST__SCHEME__SCHEME_RURAL_DIBAO},
	{NULL, 0},
};

static const struct map_code ca_dibao_class[] = {
	{"1", 1},
	{"2", 2},
	{"3", 3},
	{NULL, 0},
};

static const char *const ca_class_names[] = {"", "I", "II", "III"};

static const struct ca_district *ca_district(struct map_row *r, const char *col)
{
	const char *code = map_text(r, col, true);

	if (code == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(ca_districts) / sizeof(ca_districts[0]); i++) {
		if (strcmp(ca_districts[i].code, code) == 0)
			return &ca_districts[i];
	}
	map_fail(r, col, "unknown district code '%s'", code);
	return NULL;
}

static int ca_person_build(struct map_row *r)
{
	Assist__PersonChange *p = map_payload(r, ASSIST__KIND__KIND_PERSON);
	const struct ca_district *d = ca_district(r, "district_code");

	if (p == NULL)
		return r->status;
	p->id_number = map_str(r, "id_card_no", true);
	p->name = map_str(r, "name", true);
	p->household_id = map_str(r, "household_no", false);
	p->hukou = map_code(r, "hukou_type", ca_hukou, true);
	p->deceased_on = map_date(r, "death_date", false);
	if (d == NULL)
		return r->status;
	p->area = d->area;
	p->place = malloc(sizeof(*p->place));
	if (p->place == NULL)
		return map_nomem(r);
	assist__place__init(p->place);
	p->place->district = map_strdup(r, d->name);
	p->place->town = map_str(r, "town", true);
	p->place->community = map_str(r, "village", true);
	return 1;
}

static int ca_person_end(struct map_row *r)
{
	return map_fail(r, "id_card_no",
			"deleting a person is not supported (register a death instead)");
}

static int ca_persons(const struct row_change *rc, struct mapping_out *out, char *err,
		      size_t errlen)
{
	static const char *const subject[] = {"id_card_no", NULL};

	return map_state_row(rc, out, err, errlen, ca_person_build, ca_person_end, subject);
}

static int ca_household_build(struct map_row *r)
{
	Assist__HouseholdChange *h = map_payload(r, ASSIST__KIND__KIND_HOUSEHOLD);
	const struct ca_district *d = ca_district(r, "district_code");
	double area = map_decimal(r, "housing_area_sqm", false);
	bool present;
	fen_t income;

	if (h == NULL)
		return r->status;
	h->household_id = map_str(r, "household_no", true);
	h->members = map_int(r, "member_count", 1, 99, true, 0);
	income = map_yuan(r, "monthly_income_yuan", true, &present);
	if (d != NULL)
		h->area = d->area;
	if (present)
		h->monthly_income_fen = map_int64_value(r, income);
	if (area >= 0) {
		h->housing_area_m2 = malloc(sizeof(*h->housing_area_m2));
		if (h->housing_area_m2 == NULL)
			return map_nomem(r);
		assist__double_value__init(h->housing_area_m2);
		h->housing_area_m2->value = area;
	}
	return 1;
}

static int ca_household_end(struct map_row *r)
{
	return map_fail(r, "household_no", "deleting a household is not supported");
}

static int ca_households(const struct row_change *rc, struct mapping_out *out, char *err,
			 size_t errlen)
{
	static const char *const subject[] = {"household_no", NULL};

	return map_state_row(rc, out, err, errlen, ca_household_build, ca_household_end,
			     subject);
}

static int ca_member_build(struct map_row *r)
{
	Assist__PersonChange *p = map_payload(r, ASSIST__KIND__KIND_PERSON);

	if (p == NULL)
		return r->status;
	p->id_number = map_str(r, "id_card_no", true);
	p->household_id = map_str(r, "household_no", true);
	return 1;
}

/* A member leaving says nothing by itself: the household they join sets it. */
static int ca_members(const struct row_change *rc, struct mapping_out *out, char *err,
		      size_t errlen)
{
	static const char *const subject[] = {"household_no", "id_card_no", NULL};

	return map_state_row(rc, out, err, errlen, ca_member_build, map_nothing, subject);
}

/* A category registration as a status; ended: inactive since its end (or
 * since its start when the registration itself is withdrawn). */
static int ca_category_status(struct map_row *r)
{
	int category = map_code(r, "category_code", ca_category, true);
	ymd_t from = map_ymd(r, "valid_from", true);
	ymd_t to = map_ymd(r, "valid_to", false);
	Assist__StatusChange *s = map_status(r, category, to == YMD_NONE && !r->ended);
	int grade;

	if (s == NULL)
		return r->status;
	s->id_number = map_str(r, "id_card_no", true);
	s->since = map_ymd_str(r, to != YMD_NONE ? to : from);
	if (category == ASSIST__CATEGORY__CATEGORY_FIVE_GUARANTEE) {
		grade = map_code(r, "grade", ca_five_guarantee_grade, true);
		if (grade != 0)
			s->class_ = map_strdup(r, grade == CA_CENTRALIZED ? "centralized"
									  : "dispersed");
	}
	return 1;
}

static int ca_categories(const struct row_change *rc, struct mapping_out *out, char *err,
			 size_t errlen)
{
	static const char *const subject[] = {"id_card_no", "category_code", NULL};

	return map_state_row(rc, out, err, errlen, ca_category_status, ca_category_status, subject);
}

/* A dibao enrollment; a withdrawn one ends when it was terminated, or at once. */
static int ca_dibao_enrollment(struct map_row *r)
{
	int scheme = map_code(r, "scheme", ca_scheme, true);
	int cls = map_code(r, "dibao_class", ca_dibao_class,
			   scheme == ASSIST__SCHEME__SCHEME_RURAL_DIBAO);
	ymd_t start = map_ymd(r, "approved_on", true);
	ymd_t end = map_ymd(r, "terminated_on", false);
	Assist__Enrollment *e = map_enrollment(r, scheme);

	if (e == NULL)
		return r->status;
	e->id_number = map_str(r, "id_card_no", true);
	e->class_ = map_strdup(r, ca_class_names[cls]);
	e->amount_fen = map_yuan(r, "monthly_amount_yuan", false, NULL);
	e->start_date = map_ymd_str(r, start);
	e->end_date = map_ymd_str(r, end == YMD_NONE && r->ended ? start : end);
	return 1;
}

static int ca_dibao(const struct row_change *rc, struct mapping_out *out, char *err,
		    size_t errlen)
{
	static const char *const subject[] = {"id_card_no", "scheme", NULL};

	return map_state_row(rc, out, err, errlen, ca_dibao_enrollment,
			     ca_dibao_enrollment, subject);
}

static int ca_death_build(struct map_row *r)
{
	Assist__PersonChange *p = map_payload(r, ASSIST__KIND__KIND_PERSON);

	if (p == NULL)
		return r->status;
	p->id_number = map_str(r, "id_card_no", true);
	p->deceased_on = map_date(r, "death_date", true);
	return 1;
}

static int ca_death_end(struct map_row *r)
{
	return map_fail(r, "id_card_no",
			"a death registration cannot be withdrawn (corrections are not supported)");
}

static int ca_deaths(const struct row_change *rc, struct mapping_out *out, char *err,
		     size_t errlen)
{
	static const char *const subject[] = {"id_card_no", NULL};

	return map_state_row(rc, out, err, errlen, ca_death_build, ca_death_end, subject);
}

/* The steps of the approval procedure as the station's system codes them. */
static const struct map_code ca_step[] = {
	{"10", ASSIST__APPLICATION_STEP__APPLICATION_STEP_SUBMITTED},
	{"20", ASSIST__APPLICATION_STEP__APPLICATION_STEP_STATION_CHECKED},
	{"30", ASSIST__APPLICATION_STEP__APPLICATION_STEP_TOWN_AUDITED},
	{"40", ASSIST__APPLICATION_STEP__APPLICATION_STEP_DISTRICT_AUDITED},
	{"50", ASSIST__APPLICATION_STEP__APPLICATION_STEP_CITY_APPROVED},
	{"90", ASSIST__APPLICATION_STEP__APPLICATION_STEP_REJECTED},
	{NULL, 0},
};

/* One step of a dibao application; the approval carries the enrollment's
 * class, amount and start date when the city set them. */
static int ca_step_build(struct map_row *r)
{
	Assist__Application *a = map_payload(r, ASSIST__KIND__KIND_APPLICATION);
	int cls;

	if (a == NULL)
		return r->status;
	a->application_id = map_str(r, "application_no", true);
	a->id_number = map_str(r, "id_card_no", true);
	a->scheme = map_code(r, "scheme", ca_scheme, true);
	a->step = map_code(r, "step_code", ca_step, true);
	a->officer = map_str(r, "officer", false);
	a->on = map_date(r, "step_date", true);
	a->note = map_str(r, "remark", false);
	cls = map_code(r, "dibao_class", ca_dibao_class, false);
	a->class_ = map_strdup(r, ca_class_names[cls]);
	a->amount_fen = map_yuan(r, "monthly_amount_yuan", false, NULL);
	a->start_date = map_date(r, "start_date", false);
	return 1;
}

static int ca_step_end(struct map_row *r)
{
	return map_fail(r, "step_id", "a step taken cannot be withdrawn (send a rejection)");
}

static int ca_steps(const struct row_change *rc, struct mapping_out *out, char *err,
		    size_t errlen)
{
	static const char *const subject[] = {"step_id", NULL};

	return map_state_row(rc, out, err, errlen, ca_step_build, ca_step_end, subject);
}

const struct department_table civil_affairs_tables[] = {
	{"persons", ca_persons},
	{"households", ca_households},
	{"household_members", ca_members},
	{"category_registrations", ca_categories},
	{"dibao_enrollments", ca_dibao},
	{"deaths", ca_deaths},
	{"application_step", ca_steps},
	{NULL, NULL},
};
