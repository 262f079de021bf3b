/* Department mappings: row changes as the adapter decodes them from each
 * department's replication stream, and the events (as JSON) or the error
 * they must give. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mapping.h"
#include "maputil.h"
#include "pbjson.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_COLS 24

struct map_case {
	const char *dept;
	const char *table;
	char op;
	const char *row; /* "col=value|col=~" (~: SQL NULL) */
	const char *set; /* columns of row to change: the new row ('D': the old row) */
	const char *old; /* 'U': columns of row to change for the old row */
	int rc;
	const char *want; /* rc 0: JSON array of the events; else the error text */
};

/* A row change built from the text form of a case. */
struct test_row {
	struct row_change rc;
	char *buf[3];
	const char *names[MAX_COLS];
	const char *values[MAX_COLS];
	const char *old_values[MAX_COLS];
};

static int find_col(const struct test_row *t, const char *name)
{
	for (int i = 0; i < t->rc.ncols; i++) {
		if (strcmp(t->names[i], name) == 0)
			return i;
	}
	fail_msg("column %s not in the row", name);
	return -1;
}

/* Split a copy of "a=1|b=2" into pairs: new columns of both rows (into ==
 * NULL) or changes to one of them. */
static char *parse_pairs(const char *text, struct test_row *t, const char **into)
{
	char *s = strdup(text), *save = NULL;

	assert_non_null(s);
	for (char *p = strtok_r(s, "|", &save); p != NULL; p = strtok_r(NULL, "|", &save)) {
		char *eq = strchr(p, '=');
		const char *value;

		if (eq == NULL)
			fail_msg("bad pair '%s'", p);
		*eq = '\0';
		value = strcmp(eq + 1, "~") == 0 ? NULL : eq + 1;
		if (into != NULL) {
			into[find_col(t, p)] = value;
			continue;
		}
		assert_true(t->rc.ncols < MAX_COLS);
		t->names[t->rc.ncols] = p;
		t->values[t->rc.ncols] = value;
		t->old_values[t->rc.ncols] = value;
		t->rc.ncols++;
	}
	return s;
}

static void build_row(struct test_row *t, const struct map_case *c)
{
	memset(t, 0, sizeof(*t));
	t->buf[0] = parse_pairs(c->row, t, NULL);
	if (c->set != NULL)
		t->buf[1] = parse_pairs(c->set, t, c->op == 'D' ? t->old_values : t->values);
	if (c->old != NULL)
		t->buf[2] = parse_pairs(c->old, t, t->old_values);
	t->rc.table = c->table;
	t->rc.op = c->op;
	t->rc.names = t->names;
	t->rc.values = c->op == 'D' ? NULL : t->values;
	t->rc.old_values = c->op == 'U' || c->op == 'D' ? t->old_values : NULL;
}

static json_t *events_json(const struct mapping_out *out)
{
	json_t *arr = json_array();

	for (int i = 0; i < out->n; i++)
		json_array_append_new(arr, pbjson_encode(&out->events[i]->base, 0));
	return arr;
}

static void run_cases(const struct map_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct map_case *c = &cases[i];
		const struct department *d = department_find(c->dept);
		struct mapping_out out = {0};
		struct test_row t;
		char err[256] = "";
		int rc;

		assert_non_null(d);
		build_row(&t, c);
		rc = department_map(d, &t.rc, &out, err, sizeof(err));
		if (rc != c->rc)
			fail_msg("case %zu (%s %c): rc %d, want %d (%s)", i, c->table, c->op, rc, c->rc,
				 err);
		if (rc < 0) {
			if (strcmp(err, c->want) != 0)
				fail_msg("case %zu (%s %c):\n got  %s\n want %s", i, c->table, c->op,
					 err, c->want);
			assert_int_equal(out.n, 0);
		} else {
			json_error_t jerr;
			json_t *want = json_loads(c->want, 0, &jerr);
			json_t *got = events_json(&out);

			if (want == NULL)
				fail_msg("case %zu: bad JSON: %s", i, jerr.text);
			if (!json_equal(got, want)) {
				char *g = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);

				fail_msg("case %zu (%s %c):\n got  %s\n want %s", i, c->table, c->op,
					 g, c->want);
			}
			json_decref(want);
			json_decref(got);
		}
		for (int k = 0; k < out.n; k++)
			protobuf_c_message_free_unpacked(&out.events[k]->base, NULL);
		for (size_t k = 0; k < N(t.buf); k++)
			free(t.buf[k]);
	}
}

/* ---- civil affairs -------------------------------------------------------- */

#define CA_PERSON                                                                           \
	"id_card_no=42070419580312001X|name=Zhang Guiying|gender=2|nation_code=01|hukou_type=1|" \
	"district_code=420704|town=Gulou Street|village=Wenxing Community|"                       \
	"household_no=H4207040001|death_date=~|phone=~|updated_at=2024-03-01 08:00:00+08"
#define CA_HOUSEHOLD                                                                        \
	"household_no=H4207040001|head_id_card_no=42070419580312001X|district_code=420704|"      \
	"address=~|member_count=3|monthly_income_yuan=420.50|housing_area_sqm=24.50|"             \
	"income_checked_on=2024-01-10|updated_at=2024-01-10 09:00:00+08"
#define CA_CATEGORY                                                                         \
	"reg_id=17|id_card_no=420702197506200028|category_code=12|grade=2|"                      \
	"valid_from=2019-05-01|valid_to=~|cert_no=WB-2019-0031|approved_by=Liangzihu"
#define CA_DIBAO                                                                            \
	"enrollment_no=DB420702-000123|id_card_no=420702197506200028|household_no=H4207020007|" \
	"scheme=N|dibao_class=2|monthly_amount_yuan=45.00|approved_on=2023-07-01|"               \
	"terminated_on=~|termination_reason=~"
#define CA_DEATH                                                                            \
	"id_card_no=420704194201010054|death_date=2024-02-29|cause_code=~|"                      \
	"cremation_cert_no=~|reported_on=2024-03-02"

/* ---- civil affairs -------------------------------------------------------- */

#define CA_PERSON                                                                           \
	"id_card_no=42070419580312001X|name=Zhang Guiying|gender=2|nation_code=01|hukou_type=1|" \
	"district_code=420704|town=Gulou Street|village=Wenxing Community|"                       \
	"household_no=H4207040001|death_date=~|phone=~|updated_at=2024-03-01 08:00:00+08"
#define CA_PERSON_JSON                                                                      \
	"\"id_number\":\"42070419580312001X\",\"name\":\"Zhang Guiying\","                       \
	"\"household_id\":\"H4207040001\",\"hukou\":\"urban\""
#define CA_HOUSEHOLD                                                                        \
	"household_no=H4207040001|head_id_card_no=42070419580312001X|district_code=420704|"      \
	"address=~|member_count=3|monthly_income_yuan=420.50|housing_area_sqm=24.50|"             \
	"income_checked_on=2024-01-10|updated_at=2024-01-10 09:00:00+08"
#define CA_CATEGORY                                                                         \
	"reg_id=17|id_card_no=420702197506200028|category_code=12|grade=2|"                      \
	"valid_from=2019-05-01|valid_to=~|cert_no=WB-2019-0031|approved_by=Liangzihu"
#define CA_DIBAO                                                                            \
	"enrollment_no=DB420702-000123|id_card_no=420702197506200028|household_no=H4207020007|" \
	"scheme=N|dibao_class=2|monthly_amount_yuan=45.00|approved_on=2023-07-01|"               \
	"terminated_on=~|termination_reason=~"
#define CA_DIBAO_JSON                                                                       \
	"\"id_number\":\"420702197506200028\",\"scheme\":\"rural_dibao\",\"class\":\"II\","      \
	"\"amount_fen\":4500,\"start_date\":\"2023-07-01\""
#define CA_DEATH                                                                            \
	"id_card_no=420704194201010054|death_date=2024-02-29|cause_code=~|"                      \
	"cremation_cert_no=~|reported_on=2024-03-02"
#define CA_STEP                                                                             \
	"step_id=41|application_no=SQ420702-0009|id_card_no=420702197506200028|scheme=N|"      \
	"step_code=30|officer=Zhou Min|step_date=2024-01-16|remark=~|dibao_class=~|"            \
	"monthly_amount_yuan=~|start_date=~"
#define CA_STEP_JSON                                                                        \
	"\"application_id\":\"SQ420702-0009\",\"id_number\":\"420702197506200028\","           \
	"\"scheme\":\"rural_dibao\""
#define CA_MEMBER                                                                           \
	"household_no=H4207040001|id_card_no=420703201009050036|relation_code=20|"               \
	"joined_on=2010-09-20"

static void test_civil_affairs(void **state)
{
	static const struct map_case cases[] = {
		{"civil_affairs", "persons", 'I', CA_PERSON, NULL, NULL, 0,
		 "[{\"kind\":\"person\",\"person\":{" CA_PERSON_JSON ",\"area\":\"district\","
		 "\"place\":{\"district\":\"Echeng\",\"town\":\"Gulou Street\","
		 "\"community\":\"Wenxing Community\"}}}]"},
		/* the city's urban area, rural hukou, a death on the register */
		{"civil_affairs", "persons", 'U', CA_PERSON,
		 "district_code=420701|hukou_type=2|death_date=2024-05-06", NULL, 0,
		 "[{\"kind\":\"person\",\"person\":{\"id_number\":\"42070419580312001X\","
		 "\"name\":\"Zhang Guiying\",\"household_id\":\"H4207040001\",\"hukou\":\"rural\","
		 "\"area\":\"city\",\"place\":{\"district\":\"City\",\"town\":\"Gulou Street\","
		 "\"community\":\"Wenxing Community\"},\"deceased_on\":\"2024-05-06\"}}]"},
		{"civil_affairs", "persons", 'S', CA_PERSON, "district_code=420703|household_no=~",
		 NULL, 0,
		 "[{\"kind\":\"person\",\"person\":{\"id_number\":\"42070419580312001X\","
		 "\"name\":\"Zhang Guiying\",\"hukou\":\"urban\",\"area\":\"district\","
		 "\"place\":{\"district\":\"Huarong\",\"town\":\"Gulou Street\","
		 "\"community\":\"Wenxing Community\"}}}]"},
		{"civil_affairs", "persons", 'D', CA_PERSON, NULL, NULL, -EINVAL,
		 "persons.id_card_no: deleting a person is not supported (register a death instead)"},
		/* an optional column renamed (town -> township): an error, not a field lost */
		{"civil_affairs", "persons", 'I',
		 "id_card_no=42070419580312001X|name=Zhang Guiying|gender=2|nation_code=01|"
		 "hukou_type=1|district_code=420704|township=Gulou Street|village=Wenxing Community|"
		 "household_no=H4207040001|death_date=~|phone=~|updated_at=2024-03-01 08:00:00+08",
		 NULL, NULL, -EINVAL, "persons.town: no such column (renamed or dropped?)"},
		{"civil_affairs", "households", 'I', CA_HOUSEHOLD, NULL, NULL, 0,
		 "[{\"kind\":\"household\",\"household\":{\"household_id\":\"H4207040001\","
		 "\"members\":3,\"monthly_income_fen\":42050,\"housing_area_m2\":24.5,"
		 "\"area\":\"district\"}}]"},
		/* an income update; no area surveyed; zero income is carried */
		{"civil_affairs", "households", 'U', CA_HOUSEHOLD,
		 "monthly_income_yuan=0.00|housing_area_sqm=~|district_code=420701",
		 "monthly_income_yuan=800.00", 0,
		 "[{\"kind\":\"household\",\"household\":{\"household_id\":\"H4207040001\","
		 "\"members\":3,\"monthly_income_fen\":0,\"area\":\"city\"}}]"},
		{"civil_affairs", "households", 'I', CA_HOUSEHOLD, "monthly_income_yuan=1234567.8",
		 NULL, 0,
		 "[{\"kind\":\"household\",\"household\":{\"household_id\":\"H4207040001\","
		 "\"members\":3,\"monthly_income_fen\":123456780,\"housing_area_m2\":24.5,"
		 "\"area\":\"district\"}}]"},
		{"civil_affairs", "households", 'D', CA_HOUSEHOLD, NULL, NULL, -EINVAL,
		 "households.household_no: deleting a household is not supported"},
		{"civil_affairs", "household_members", 'I', CA_MEMBER, NULL, NULL, 0,
		 "[{\"kind\":\"person\",\"person\":{\"id_number\":\"420703201009050036\","
		 "\"household_id\":\"H4207040001\"}}]"},
		{"civil_affairs", "household_members", 'D', CA_MEMBER, NULL, NULL, 0, "[]"},
		{"civil_affairs", "household_members", 'U', CA_MEMBER, NULL,
		 "household_no=H4207040009", 0,
		 "[{\"kind\":\"person\",\"person\":{\"id_number\":\"420703201009050036\","
		 "\"household_id\":\"H4207040001\"}}]"},
		{"civil_affairs", "category_registrations", 'I', CA_CATEGORY, NULL, NULL, 0,
		 "[{\"kind\":\"status\",\"status\":{\"id_number\":\"420702197506200028\","
		 "\"category\":\"five_guarantee\",\"active\":true,\"since\":\"2019-05-01\","
		 "\"class\":\"dispersed\"}}]"},
		{"civil_affairs", "category_registrations", 'S', CA_CATEGORY, "grade=1", NULL, 0,
		 "[{\"kind\":\"status\",\"status\":{\"id_number\":\"420702197506200028\","
		 "\"category\":\"five_guarantee\",\"active\":true,\"since\":\"2019-05-01\","
		 "\"class\":\"centralized\"}}]"},
		/* ended by setting valid_to */
		{"civil_affairs", "category_registrations", 'U', CA_CATEGORY,
		 "category_code=13|grade=~|valid_to=2021-02-17", "category_code=13|grade=~", 0,
		 "[{\"kind\":\"status\",\"status\":{\"id_number\":\"420702197506200028\","
		 "\"category\":\"orphan\",\"active\":false,\"since\":\"2021-02-17\"}}]"},
		/* moved to another category: the old one ends first */
		{"civil_affairs", "category_registrations", 'U', CA_CATEGORY, "category_code=31",
		 "category_code=51", 0,
		 "[{\"kind\":\"status\",\"status\":{\"id_number\":\"420702197506200028\","
		 "\"category\":\"disabled\",\"active\":false,\"since\":\"2019-05-01\"}},"
		 "{\"kind\":\"status\",\"status\":{\"id_number\":\"420702197506200028\","
		 "\"category\":\"marginal\",\"active\":true,\"since\":\"2019-05-01\"}}]"},
		/* withdrawn: inactive from its start; ended earlier: from its end */
		{"civil_affairs", "category_registrations", 'D', CA_CATEGORY, NULL, NULL, 0,
		 "[{\"kind\":\"status\",\"status\":{\"id_number\":\"420702197506200028\","
		 "\"category\":\"five_guarantee\",\"active\":false,\"since\":\"2019-05-01\","
		 "\"class\":\"dispersed\"}}]"},
		{"civil_affairs", "category_registrations", 'D', CA_CATEGORY,
		 "category_code=11|valid_to=2023-12-31", NULL, 0,
		 "[{\"kind\":\"status\",\"status\":{\"id_number\":\"420702197506200028\","
		 "\"category\":\"three_noes\",\"active\":false,\"since\":\"2023-12-31\"}}]"},
		{"civil_affairs", "dibao_enrollments", 'I', CA_DIBAO, NULL, NULL, 0,
		 "[{\"kind\":\"enrollment\",\"enrollment\":{" CA_DIBAO_JSON "}}]"},
		{"civil_affairs", "dibao_enrollments", 'U', CA_DIBAO,
		 "terminated_on=2024-04-30|termination_reason=income above the line", NULL, 0,
		 "[{\"kind\":\"enrollment\",\"enrollment\":{" CA_DIBAO_JSON
		 ",\"end_date\":\"2024-04-30\"}}]"},
		/* deleted: it ends where it started */
		{"civil_affairs", "dibao_enrollments", 'D', CA_DIBAO, NULL, NULL, 0,
		 "[{\"kind\":\"enrollment\",\"enrollment\":{" CA_DIBAO_JSON
		 ",\"end_date\":\"2023-07-01\"}}]"},
		{"civil_affairs", "dibao_enrollments", 'D', CA_DIBAO, "terminated_on=2024-01-31", NULL,
		 0,
		 "[{\"kind\":\"enrollment\",\"enrollment\":{" CA_DIBAO_JSON
		 ",\"end_date\":\"2024-01-31\"}}]"},
		/* urban: no class, no amount (assistd computes it) */
		{"civil_affairs", "dibao_enrollments", 'I', CA_DIBAO,
		 "scheme=C|dibao_class=~|monthly_amount_yuan=~", NULL, 0,
		 "[{\"kind\":\"enrollment\",\"enrollment\":{\"id_number\":\"420702197506200028\","
		 "\"scheme\":\"urban_dibao\",\"start_date\":\"2023-07-01\"}}]"},
		/* class I, amount with one decimal */
		{"civil_affairs", "dibao_enrollments", 'I', CA_DIBAO,
		 "dibao_class=1|monthly_amount_yuan=70.5", NULL, 0,
		 "[{\"kind\":\"enrollment\",\"enrollment\":{\"id_number\":\"420702197506200028\","
		 "\"scheme\":\"rural_dibao\",\"class\":\"I\",\"amount_fen\":7050,"
		 "\"start_date\":\"2023-07-01\"}}]"},
		/* moved from rural to urban: the rural one ends first */
		{"civil_affairs", "dibao_enrollments", 'U', CA_DIBAO,
		 "scheme=C|dibao_class=~|monthly_amount_yuan=~|approved_on=2024-03-01", NULL, 0,
		 "[{\"kind\":\"enrollment\",\"enrollment\":{" CA_DIBAO_JSON
		 ",\"end_date\":\"2023-07-01\"}},"
		 "{\"kind\":\"enrollment\",\"enrollment\":{\"id_number\":\"420702197506200028\","
		 "\"scheme\":\"urban_dibao\",\"start_date\":\"2024-03-01\"}}]"},
		{"civil_affairs", "deaths", 'I', CA_DEATH, NULL, NULL, 0,
		 "[{\"kind\":\"person\",\"person\":{\"id_number\":\"420704194201010054\","
		 "\"deceased_on\":\"2024-02-29\"}}]"},
		{"civil_affairs", "deaths", 'D', CA_DEATH, NULL, NULL, -EINVAL,
		 "deaths.id_card_no: a death registration cannot be withdrawn (corrections are not "
		 "supported)"},
		/* rows it cannot map */
		{"civil_affairs", "persons", 'I', CA_PERSON, "id_card_no=~", NULL, -EINVAL,
		 "persons.id_card_no: missing"},
		{"civil_affairs", "persons", 'I', CA_PERSON, "id_card_no=  ", NULL, -EINVAL,
		 "persons.id_card_no: missing"},
		{"civil_affairs", "persons", 'I', CA_PERSON, "hukou_type=3", NULL, -EINVAL,
		 "persons.hukou_type: unknown code '3'"},
		{"civil_affairs", "persons", 'I', CA_PERSON, "district_code=420705", NULL, -EINVAL,
		 "persons.district_code: unknown district code '420705'"},
		{"civil_affairs", "persons", 'U', CA_PERSON, "death_date=2023-02-30", NULL, -EINVAL,
		 "persons.death_date: bad date '2023-02-30'"},
		{"civil_affairs", "households", 'I', CA_HOUSEHOLD, "monthly_income_yuan=420.505",
		 NULL, -EINVAL, "households.monthly_income_yuan: more than two decimals in '420.505'"},
		{"civil_affairs", "households", 'I', CA_HOUSEHOLD, "monthly_income_yuan=-5.00", NULL,
		 -EINVAL, "households.monthly_income_yuan: negative amount '-5.00'"},
		{"civil_affairs", "households", 'I', CA_HOUSEHOLD, "monthly_income_yuan=1e3", NULL,
		 -EINVAL, "households.monthly_income_yuan: not a number '1e3'"},
		{"civil_affairs", "households", 'I', CA_HOUSEHOLD, "monthly_income_yuan=~", NULL,
		 -EINVAL, "households.monthly_income_yuan: missing"},
		{"civil_affairs", "households", 'I', CA_HOUSEHOLD, "member_count=0", NULL, -EINVAL,
		 "households.member_count: 0 outside 1..99"},
		{"civil_affairs", "category_registrations", 'I', CA_CATEGORY, "category_code=99", NULL,
		 -EINVAL, "category_registrations.category_code: unknown code '99'"},
		{"civil_affairs", "category_registrations", 'I', CA_CATEGORY, "grade=~", NULL, -EINVAL,
		 "category_registrations.grade: missing"},
		{"civil_affairs", "dibao_enrollments", 'I', CA_DIBAO, "dibao_class=~", NULL, -EINVAL,
		 "dibao_enrollments.dibao_class: missing"},
		{"civil_affairs", "dibao_enrollments", 'I', CA_DIBAO, "scheme=X", NULL, -EINVAL,
		 "dibao_enrollments.scheme: unknown code 'X'"},
		{"civil_affairs", "dibao_enrollments", 'I', CA_DIBAO, "approved_on=01/07/2023", NULL,
		 -EINVAL, "dibao_enrollments.approved_on: bad date '01/07/2023'"},
		{"civil_affairs", "deaths", 'I', CA_DEATH, "death_date=~", NULL, -EINVAL,
		 "deaths.death_date: missing"},
		{"civil_affairs", "application_step", 'I', CA_STEP, NULL, NULL, 0,
		 "[{\"kind\":\"application\",\"application\":{" CA_STEP_JSON
		 ",\"step\":\"town_audited\",\"officer\":\"Zhou Min\",\"on\":\"2024-01-16\"}}]"},
		/* the city's approval with the enrollment it makes */
		{"civil_affairs", "application_step", 'I', CA_STEP,
		 "step_code=50|dibao_class=2|monthly_amount_yuan=45.00|start_date=2024-02-01", NULL, 0,
		 "[{\"kind\":\"application\",\"application\":{" CA_STEP_JSON
		 ",\"step\":\"city_approved\",\"officer\":\"Zhou Min\",\"on\":\"2024-01-16\","
		 "\"class\":\"II\",\"amount_fen\":4500,\"start_date\":\"2024-02-01\"}}]"},
		{"civil_affairs", "application_step", 'I', CA_STEP,
		 "step_code=90|remark=income above the line", NULL, 0,
		 "[{\"kind\":\"application\",\"application\":{" CA_STEP_JSON
		 ",\"step\":\"rejected\",\"officer\":\"Zhou Min\",\"on\":\"2024-01-16\","
		 "\"note\":\"income above the line\"}}]"},
		{"civil_affairs", "application_step", 'I', CA_STEP, "step_code=35", NULL, -EINVAL,
		 "application_step.step_code: unknown code '35'"},
		{"civil_affairs", "application_step", 'D', CA_STEP, NULL, NULL, -EINVAL,
		 "application_step.step_id: a step taken cannot be withdrawn (send a rejection)"},
		{"civil_affairs", "welfare_homes", 'I', CA_DEATH, NULL, NULL, -EINVAL,
		 "welfare_homes: table not mapped by this department"},
	};

	run_cases(cases, N(cases));
}

/* ---- health ----------------------------------------------------------------- */

#define HL_NCMS                                                                             \
	"family_card_no=N420703000412|member_seq=2|enrol_year=2024|"                             \
	"patient_idno=420703201009050036|patient_name=Li Ming|premium_yuan=60.00|"                \
	"premium_payer=2|enrolled_on=2024-01-01|withdrawn_on=~"
#define HL_BILL                                                                             \
	"bill_no=ZY2024031500017|patient_idno=42070419580312001X|hospital_code=H42070401|"       \
	"hosp_level=HM|settle_type=21|diag_group=ZL|icd10=C16.9|service_date=2024-03-02|"         \
	"discharge_date=2024-03-15|total_yuan=12790.00|eligible_yuan=11000.00|insurer=H|"          \
	"insurer_paid_yuan=~|chronic_months=~|special_approval=f|"                                \
	"settled_at=2024-03-15 16:20:11.5+08"
#define HL_BILL_JSON                                                                        \
	"{\"kind\":\"medical_claim\",\"medical_claim\":{\"claim_id\":\"ZY2024031500017\","       \
	"\"id_number\":\"42070419580312001X\",\"date\":\"2024-03-02\",\"setting\":\"inpatient\"," \
	"\"hospital\":\"huimin\",\"disease\":\"cancer\",\"total_fen\":1279000,"                   \
	"\"eligible_fen\":1100000,\"insurer\":\"huimin\"}}"
#define HL_SUBSIDY                                                                          \
	"subsidy_no=2024-0311|patient_idno=420704194201010054|disease_code=TX|hosp_level=SZ|"    \
	"period_start=2024-01-01|months=3|expense_yuan=5400.00|insurer=H|approved_by=~"

static void test_health(void **state)
{
	static const struct map_case cases[] = {
		{"health", "ncms_enrollment", 'I', HL_NCMS, NULL, NULL, 0,
		 "[{\"kind\":\"enrollment\",\"enrollment\":{\"id_number\":\"420703201009050036\","
		 "\"scheme\":\"ncms\",\"start_date\":\"2024-01-01\"}}]"},
		{"health", "ncms_enrollment", 'U', HL_NCMS, "withdrawn_on=2024-06-30", NULL, 0,
		 "[{\"kind\":\"enrollment\",\"enrollment\":{\"id_number\":\"420703201009050036\","
		 "\"scheme\":\"ncms\",\"start_date\":\"2024-01-01\",\"end_date\":\"2024-06-30\"}}]"},
		{"health", "ncms_enrollment", 'D', HL_NCMS, NULL, NULL, 0,
		 "[{\"kind\":\"enrollment\",\"enrollment\":{\"id_number\":\"420703201009050036\","
		 "\"scheme\":\"ncms\",\"start_date\":\"2024-01-01\",\"end_date\":\"2024-01-01\"}}]"},
		{"health", "hosp_bill", 'I', HL_BILL, NULL, NULL, 0, "[" HL_BILL_JSON "]"},
		{"health", "hosp_bill", 'S', HL_BILL, NULL, NULL, 0, "[" HL_BILL_JSON "]"},
		/* NCMS share reported; central hospital; special approval; no eligible part */
		{"health", "hosp_bill", 'I', HL_BILL,
		 "hosp_level=SZ|diag_group=ZB|insurer=N|insurer_paid_yuan=4000.4|eligible_yuan=~|"
		 "special_approval=t",
		 NULL, 0,
		 "[{\"kind\":\"medical_claim\",\"medical_claim\":{\"claim_id\":\"ZY2024031500017\","
		 "\"id_number\":\"42070419580312001X\",\"date\":\"2024-03-02\","
		 "\"setting\":\"inpatient\",\"hospital\":\"central\",\"disease\":\"major\","
		 "\"total_fen\":1279000,\"insurer\":\"ncms\",\"insurer_paid_fen\":400040,"
		 "\"special_approval\":true}}]"},
		/* chronic outpatient, months carried; a zero insurer share is carried */
		{"health", "hosp_bill", 'I', HL_BILL,
		 "settle_type=14|diag_group=MB|hosp_level=QT|insurer=W|insurer_paid_yuan=0.00|"
		 "eligible_yuan=~|chronic_months=2|total_yuan=380",
		 NULL, 0,
		 "[{\"kind\":\"medical_claim\",\"medical_claim\":{\"claim_id\":\"ZY2024031500017\","
		 "\"id_number\":\"42070419580312001X\",\"date\":\"2024-03-02\","
		 "\"setting\":\"chronic_outpatient\",\"hospital\":\"other\",\"disease\":\"chronic\","
		 "\"total_fen\":38000,\"insurer\":\"none\",\"insurer_paid_fen\":0,\"months\":2}}]"},
		/* a change to something the bill never sent is no event */
		{"health", "hosp_bill", 'U', HL_BILL, "settled_at=2024-03-16 09:00:00+08", NULL, 0,
		 "[]"},
		{"health", "hosp_bill", 'U', HL_BILL, "total_yuan=12890.00", NULL, 0,
		 "[{\"kind\":\"medical_claim\","
		 "\"medical_claim\":{\"claim_id\":\"ZY2024031500017\","
		 "\"id_number\":\"42070419580312001X\",\"date\":\"2024-03-02\","
		 "\"setting\":\"inpatient\",\"hospital\":\"huimin\",\"disease\":\"cancer\","
		 "\"total_fen\":1289000,\"eligible_fen\":1100000,\"insurer\":\"huimin\","
		 "\"op\":\"correct\"}}]"},
		{"health", "hosp_bill", 'D', HL_BILL, NULL, NULL, 0,
		 "[{\"kind\":\"medical_claim\","
		 "\"medical_claim\":{\"claim_id\":\"ZY2024031500017\","
		 "\"id_number\":\"42070419580312001X\",\"date\":\"2024-03-02\","
		 "\"setting\":\"inpatient\",\"hospital\":\"huimin\",\"disease\":\"cancer\","
		 "\"total_fen\":1279000,\"eligible_fen\":1100000,\"insurer\":\"huimin\","
		 "\"op\":\"void\"}}]"},
		/* a bill renumbered: the old number voided, the new one decided */
		{"health", "hosp_bill", 'U', HL_BILL, "bill_no=ZY2024031500018", NULL, 0,
		 "[{\"kind\":\"medical_claim\","
		 "\"medical_claim\":{\"claim_id\":\"ZY2024031500017\","
		 "\"id_number\":\"42070419580312001X\",\"date\":\"2024-03-02\","
		 "\"setting\":\"inpatient\",\"hospital\":\"huimin\",\"disease\":\"cancer\","
		 "\"total_fen\":1279000,\"eligible_fen\":1100000,\"insurer\":\"huimin\","
		 "\"op\":\"void\"}},{\"kind\":\"medical_claim\","
		 "\"medical_claim\":{\"claim_id\":\"ZY2024031500018\","
		 "\"id_number\":\"42070419580312001X\",\"date\":\"2024-03-02\","
		 "\"setting\":\"inpatient\",\"hospital\":\"huimin\",\"disease\":\"cancer\","
		 "\"total_fen\":1279000,\"eligible_fen\":1100000,\"insurer\":\"huimin\"}}]"},
		/* a bill that was never sent (it could not be mapped) may be fixed or deleted */
		{"health", "hosp_bill", 'U', HL_BILL, NULL, "diag_group=XX", 0, "[" HL_BILL_JSON "]"},
		{"health", "hosp_bill", 'D', HL_BILL, "diag_group=XX", NULL, 0, "[]"},
		{"health", "chronic_subsidy", 'I', HL_SUBSIDY, NULL, NULL, 0,
		 "[{\"kind\":\"medical_claim\",\"medical_claim\":{\"claim_id\":\"CS-2024-0311\","
		 "\"id_number\":\"420704194201010054\",\"date\":\"2024-01-01\","
		 "\"setting\":\"chronic_outpatient\",\"hospital\":\"central\","
		 "\"disease\":\"dialysis\",\"total_fen\":540000,\"insurer\":\"huimin\","
		 "\"months\":3}}]"},
		{"health", "chronic_subsidy", 'D', HL_SUBSIDY, NULL, NULL, 0,
		 "[{\"kind\":\"medical_claim\",\"medical_claim\":{\"claim_id\":\"CS-2024-0311\","
		 "\"id_number\":\"420704194201010054\",\"date\":\"2024-01-01\","
		 "\"setting\":\"chronic_outpatient\",\"hospital\":\"central\","
		 "\"disease\":\"dialysis\",\"total_fen\":540000,\"insurer\":\"huimin\","
		 "\"months\":3,\"op\":\"void\"}}]"},
		/* rows it cannot map */
		{"health", "hosp_bill", 'I', HL_BILL, "patient_idno=~", NULL, -EINVAL,
		 "hosp_bill.patient_idno: missing"},
		{"health", "hosp_bill", 'I', HL_BILL, "settle_type=31", NULL, -EINVAL,
		 "hosp_bill.settle_type: unknown code '31'"},
		{"health", "hosp_bill", 'I', HL_BILL, "hosp_level=XZ", NULL, -EINVAL,
		 "hosp_bill.hosp_level: unknown code 'XZ'"},
		{"health", "hosp_bill", 'I', HL_BILL, "diag_group=XX", NULL, -EINVAL,
		 "hosp_bill.diag_group: unknown code 'XX'"},
		{"health", "hosp_bill", 'I', HL_BILL, "insurer=Q", NULL, -EINVAL,
		 "hosp_bill.insurer: unknown code 'Q'"},
		{"health", "hosp_bill", 'I', HL_BILL, "total_yuan=12,790.00", NULL, -EINVAL,
		 "hosp_bill.total_yuan: not a number '12,790.00'"},
		{"health", "hosp_bill", 'I', HL_BILL, "service_date=2024-13-01", NULL, -EINVAL,
		 "hosp_bill.service_date: bad date '2024-13-01'"},
		{"health", "hosp_bill", 'I', HL_BILL, "chronic_months=13", NULL, -EINVAL,
		 "hosp_bill.chronic_months: 13 outside 1..12"},
		{"health", "hosp_bill", 'I', HL_BILL, "special_approval=yes", NULL, -EINVAL,
		 "hosp_bill.special_approval: not a boolean 'yes'"},
		{"health", "chronic_subsidy", 'I', HL_SUBSIDY, "disease_code=MB", NULL, -EINVAL,
		 "chronic_subsidy.disease_code: unknown code 'MB'"},
		{"health", "ncms_enrollment", 'I', HL_NCMS, "enrolled_on=~", NULL, -EINVAL,
		 "ncms_enrollment.enrolled_on: missing"},
	};

	run_cases(cases, N(cases));
}

/* ---- education -------------------------------------------------------------- */

#define ED_STUDENT                                                                          \
	"student_no=G420703201009050036|id_no=420703201009050036|name=Li Ming|"                  \
	"school_code=4207030012|school_name=Huarong Town Central Primary School|stage_code=XX|"   \
	"grade=6|boarder=t|hardship_level=1|hardship_since=2023-09-01|enrolled_on=2016-09-01"
#define ED_GRANT                                                                            \
	"grant_no=JY2024-00071|student_no=G420703201009050036|term_code=2023-2024-2|"            \
	"aid_type=01|stage_code=XX|amount_yuan=85.00|granted_on=2024-03-01|batch_no=2024B1"

static void test_education(void **state)
{
	static const struct map_case cases[] = {
		{"education", "student", 'I', ED_STUDENT, NULL, NULL, 0,
		 "[{\"kind\":\"status\",\"status\":{\"id_number\":\"420703201009050036\","
		 "\"category\":\"poor_student\",\"active\":true,\"since\":\"2023-09-01\","
		 "\"class\":\"primary\"}}]"},
		/* never assessed: nothing to say */
		{"education", "student", 'I', ED_STUDENT, "hardship_level=0|hardship_since=~", NULL, 0,
		 "[]"},
		/* reassessed as not poor */
		{"education", "student", 'U', ED_STUDENT, "hardship_level=0|hardship_since=2024-09-01",
		 NULL, 0,
		 "[{\"kind\":\"status\",\"status\":{\"id_number\":\"420703201009050036\","
		 "\"category\":\"poor_student\",\"active\":false,\"since\":\"2024-09-01\","
		 "\"class\":\"primary\"}}]"},
		/* the level cleared without a date: the old status ends */
		{"education", "student", 'U', ED_STUDENT, "hardship_level=0|hardship_since=~", NULL, 0,
		 "[{\"kind\":\"status\",\"status\":{\"id_number\":\"420703201009050036\","
		 "\"category\":\"poor_student\",\"active\":false,\"since\":\"2023-09-01\","
		 "\"class\":\"primary\"}}]"},
		{"education", "student", 'U', ED_STUDENT, "grade=1|stage_code=CZ",
		 "grade=6|stage_code=XX", 0,
		 "[{\"kind\":\"status\",\"status\":{\"id_number\":\"420703201009050036\","
		 "\"category\":\"poor_student\",\"active\":true,\"since\":\"2023-09-01\","
		 "\"class\":\"junior\"}}]"},
		{"education", "student", 'D', ED_STUDENT, NULL, NULL, 0,
		 "[{\"kind\":\"status\",\"status\":{\"id_number\":\"420703201009050036\","
		 "\"category\":\"poor_student\",\"active\":false,\"since\":\"2023-09-01\","
		 "\"class\":\"primary\"}}]"},
		{"education", "student", 'D', ED_STUDENT, "hardship_level=0", NULL, 0, "[]"},
		{"education", "aid_grant", 'I', ED_GRANT, NULL, NULL, 0,
		 "[{\"kind\":\"education_aid\",\"education_aid\":{\"claim_id\":\"JY2024-00071\","
		 "\"id_number\":\"420703201009050036\",\"scheme\":\"misc_fee_exemption\","
		 "\"stage\":\"primary\",\"term\":\"2023-2024-2\",\"amount_fen\":8500}}]"},
		{"education", "aid_grant", 'I', ED_GRANT,
		 "aid_type=06|stage_code=DX|amount_yuan=2500|term_code=2024-2025-1", NULL, 0,
		 "[{\"kind\":\"education_aid\",\"education_aid\":{\"claim_id\":\"JY2024-00071\","
		 "\"id_number\":\"420703201009050036\",\"scheme\":\"university_entry\","
		 "\"stage\":\"university\",\"term\":\"2024-2025-1\",\"amount_fen\":250000}}]"},
		{"education", "aid_grant", 'U', ED_GRANT, "batch_no=2024B2", NULL, 0, "[]"},
		{"education", "aid_grant", 'U', ED_GRANT, "amount_yuan=135.00", NULL, 0,
		 "[{\"kind\":\"education_aid\",\"education_aid\":{\"claim_id\":\"JY2024-00071\","
		 "\"id_number\":\"420703201009050036\",\"scheme\":\"misc_fee_exemption\","
		 "\"stage\":\"primary\",\"term\":\"2023-2024-2\",\"amount_fen\":13500,"
		 "\"op\":\"correct\"}}]"},
		{"education", "aid_grant", 'D', ED_GRANT, NULL, NULL, 0,
		 "[{\"kind\":\"education_aid\",\"education_aid\":{\"claim_id\":\"JY2024-00071\","
		 "\"id_number\":\"420703201009050036\",\"scheme\":\"misc_fee_exemption\","
		 "\"stage\":\"primary\",\"term\":\"2023-2024-2\",\"amount_fen\":8500,"
		 "\"op\":\"void\"}}]"},
		/* rows it cannot map */
		{"education", "aid_grant", 'I', ED_GRANT, "student_no=L4207030000123", NULL, -EINVAL,
		 "aid_grant.student_no: not an ID-based student number (G and the ID number)"},
		{"education", "aid_grant", 'I', ED_GRANT, "aid_type=09", NULL, -EINVAL,
		 "aid_grant.aid_type: unknown code '09'"},
		{"education", "aid_grant", 'I', ED_GRANT, "stage_code=YE", NULL, -EINVAL,
		 "aid_grant.stage_code: unknown code 'YE'"},
		{"education", "aid_grant", 'I', ED_GRANT, "term_code=~", NULL, -EINVAL,
		 "aid_grant.term_code: missing"},
		{"education", "student", 'I', ED_STUDENT, "id_no=~", NULL, -EINVAL,
		 "student.id_no: missing"},
		{"education", "student", 'I', ED_STUDENT, "hardship_since=~", NULL, -EINVAL,
		 "student.hardship_since: missing"},
		{"education", "student", 'I', ED_STUDENT, "hardship_level=3", NULL, -EINVAL,
		 "student.hardship_level: unknown code '3'"},
		{"education", "term", 'I', "term_code=2024-2025-1", NULL, NULL, -EINVAL,
		 "term: table not mapped by this department"},
	};

	run_cases(cases, N(cases));
}

/* ---- labor ------------------------------------------------------------------ */

#define LB_INSURANCE                                                                        \
	"insured_no=S4207000091|insurance_type=310|citizen_id=42070119700708007X|"               \
	"employer_code=914207007XX|start_date=2012-04-01|stop_date=~"
#define LB_CARD                                                                             \
	"card_no=ZJ4207010033|citizen_id=42070119700708007X|card_class=A|is_4050=t|"             \
	"issued_on=2008-03-15|revoked_on=~|issuing_office=City Labor Bureau"
#define LB_UNEMPLOYED                                                                       \
	"reg_no=SY2023-0415|citizen_id=42070119881130004X|registered_since=2023-04-15|"          \
	"ended_on=~|end_reason=~|zero_employment_family=f"
#define LB_TRAINING                                                                         \
	"cert_no=PX2024-0032|course_code=ZY24-017|citizen_id=42070119881130004X|"                \
	"program_type=ZY|run_by=S|start_date=2024-03-04|end_date=2024-04-26|days=40|"             \
	"employed_on=~|employer_name=~"
#define LB_TRAINING_JSON                                                                    \
	"\"claim_id\":\"PX2024-0032\",\"id_number\":\"42070119881130004X\","                    \
	"\"program\":\"vocational\",\"locality\":\"city\",\"started_on\":\"2024-03-04\","         \
	"\"completed_on\":\"2024-04-26\",\"days\":40"
#define LB_HUIMIN                                                                           \
	"huimin_no=HM2024-1102|citizen_id=42070419580312001X|premium_yuan=0.00|"                 \
	"enrolled_on=2024-01-01|ended_on=~"

static void test_labor(void **state)
{
	static const struct map_case cases[] = {
		{"labor", "insurance_enrolment", 'I', LB_INSURANCE, NULL, NULL, 0,
		 "[{\"kind\":\"status\",\"status\":{\"id_number\":\"42070119700708007X\","
		 "\"category\":\"worker_insurance\",\"active\":true,\"since\":\"2012-04-01\"}}]"},
		{"labor", "insurance_enrolment", 'U', LB_INSURANCE, "stop_date=2024-02-29", NULL, 0,
		 "[{\"kind\":\"status\",\"status\":{\"id_number\":\"42070119700708007X\","
		 "\"category\":\"worker_insurance\",\"active\":false,\"since\":\"2024-02-29\"}}]"},
		{"labor", "insurance_enrolment", 'D', LB_INSURANCE, NULL, NULL, 0,
		 "[{\"kind\":\"status\",\"status\":{\"id_number\":\"42070119700708007X\","
		 "\"category\":\"worker_insurance\",\"active\":false,\"since\":\"2012-04-01\"}}]"},
		/* pension insurance is none of assistd's business */
		{"labor", "insurance_enrolment", 'I', LB_INSURANCE, "insurance_type=110", NULL, 0,
		 "[]"},
		{"labor", "reemployment_card", 'I', LB_CARD, NULL, NULL, 0,
		 "[{\"kind\":\"status\",\"status\":{\"id_number\":\"42070119700708007X\","
		 "\"category\":\"reemployment_card\",\"active\":true,\"since\":\"2008-03-15\","
		 "\"class\":\"A\"}},"
		 "{\"kind\":\"status\",\"status\":{\"id_number\":\"42070119700708007X\","
		 "\"category\":\"4050\",\"active\":true,\"since\":\"2008-03-15\"}}]"},
		{"labor", "reemployment_card", 'U', LB_CARD, "card_class=B|is_4050=f", NULL, 0,
		 "[{\"kind\":\"status\",\"status\":{\"id_number\":\"42070119700708007X\","
		 "\"category\":\"reemployment_card\",\"active\":true,\"since\":\"2008-03-15\","
		 "\"class\":\"B\"}}]"},
		{"labor", "reemployment_card", 'D', LB_CARD, "revoked_on=2020-12-31", NULL, 0,
		 "[{\"kind\":\"status\",\"status\":{\"id_number\":\"42070119700708007X\","
		 "\"category\":\"reemployment_card\",\"active\":false,\"since\":\"2020-12-31\","
		 "\"class\":\"A\"}},"
		 "{\"kind\":\"status\",\"status\":{\"id_number\":\"42070119700708007X\","
		 "\"category\":\"4050\",\"active\":false,\"since\":\"2020-12-31\"}}]"},
		{"labor", "unemployment_registration", 'I', LB_UNEMPLOYED,
		 "zero_employment_family=t", NULL, 0,
		 "[{\"kind\":\"status\",\"status\":{\"id_number\":\"42070119881130004X\","
		 "\"category\":\"registered_unemployed\",\"active\":true,"
		 "\"since\":\"2023-04-15\"}},"
		 "{\"kind\":\"status\",\"status\":{\"id_number\":\"42070119881130004X\","
		 "\"category\":\"zero_employment_family\",\"active\":true,"
		 "\"since\":\"2023-04-15\"}}]"},
		{"labor", "unemployment_registration", 'U', LB_UNEMPLOYED,
		 "ended_on=2024-05-20|end_reason=01", NULL, 0,
		 "[{\"kind\":\"status\",\"status\":{\"id_number\":\"42070119881130004X\","
		 "\"category\":\"registered_unemployed\",\"active\":false,"
		 "\"since\":\"2024-05-20\"}}]"},
		/* vocational training pays on employment: sent when employed_on is known */
		{"labor", "training_completion", 'I', LB_TRAINING, NULL, NULL, 0, "[]"},
		{"labor", "training_completion", 'U', LB_TRAINING,
		 "employed_on=2024-06-03|employer_name=Ezhou Steel", NULL, 0,
		 "[{\"kind\":\"training\",\"training\":{" LB_TRAINING_JSON
		 ",\"employed_on\":\"2024-06-03\"}}]"},
		{"labor", "training_completion", 'U', LB_TRAINING, "employer_name=Ezhou Steel Ltd",
		 "employer_name=Ezhou Steel|employed_on=2024-06-03", 0,
		 "[{\"kind\":\"training\",\"training\":{\"claim_id\":\"PX2024-0032\","
		 "\"id_number\":\"42070119881130004X\",\"program\":\"vocational\","
		 "\"locality\":\"city\",\"started_on\":\"2024-03-04\","
		 "\"completed_on\":\"2024-04-26\",\"days\":40,\"employed_on\":\"2024-06-03\","
		 "\"op\":\"void\"}}]"},
		{"labor", "training_completion", 'D', LB_TRAINING, NULL, NULL, 0, "[]"},
		{"labor", "training_completion", 'I', LB_TRAINING,
		 "program_type=CY|run_by=Q|days=90|start_date=2024-01-08", NULL, 0,
		 "[{\"kind\":\"training\",\"training\":{\"claim_id\":\"PX2024-0032\","
		 "\"id_number\":\"42070119881130004X\",\"program\":\"entrepreneurship\","
		 "\"locality\":\"district\",\"started_on\":\"2024-01-08\","
		 "\"completed_on\":\"2024-04-26\",\"days\":90}}]"},
		{"labor", "training_completion", 'I', LB_TRAINING, "program_type=YG", NULL, 0,
		 "[{\"kind\":\"training\",\"training\":{\"claim_id\":\"PX2024-0032\","
		 "\"id_number\":\"42070119881130004X\",\"program\":\"sunshine\","
		 "\"locality\":\"city\",\"started_on\":\"2024-03-04\","
		 "\"completed_on\":\"2024-04-26\",\"days\":40}}]"},
		{"labor", "training_completion", 'D', LB_TRAINING, "program_type=FP", NULL, 0,
		 "[{\"kind\":\"training\",\"training\":{\"claim_id\":\"PX2024-0032\","
		 "\"id_number\":\"42070119881130004X\",\"program\":\"poverty_alleviation\","
		 "\"locality\":\"city\",\"started_on\":\"2024-03-04\","
		 "\"completed_on\":\"2024-04-26\",\"days\":40,\"op\":\"void\"}}]"},
		{"labor", "huimin_enrolment", 'I', LB_HUIMIN, NULL, NULL, 0,
		 "[{\"kind\":\"enrollment\",\"enrollment\":{\"id_number\":\"42070419580312001X\","
		 "\"scheme\":\"huimin\",\"start_date\":\"2024-01-01\"}}]"},
		{"labor", "huimin_enrolment", 'D', LB_HUIMIN, "ended_on=2024-08-31", NULL, 0,
		 "[{\"kind\":\"enrollment\",\"enrollment\":{\"id_number\":\"42070419580312001X\","
		 "\"scheme\":\"huimin\",\"start_date\":\"2024-01-01\",\"end_date\":\"2024-08-31\"}}]"},
		/* rows it cannot map */
		{"labor", "reemployment_card", 'I', LB_CARD, "card_class=C", NULL, -EINVAL,
		 "reemployment_card.card_class: unknown code 'C'"},
		{"labor", "reemployment_card", 'I', LB_CARD, "citizen_id=~", NULL, -EINVAL,
		 "reemployment_card.citizen_id: missing"},
		{"labor", "training_completion", 'I', LB_TRAINING, "program_type=XX", NULL, -EINVAL,
		 "training_completion.program_type: unknown code 'XX'"},
		{"labor", "training_completion", 'I', LB_TRAINING,
		 "employed_on=2024-06-03|days=forty", NULL, -EINVAL,
		 "training_completion.days: not an integer 'forty'"},
		{"labor", "training_completion", 'I', LB_TRAINING, "employed_on=2024-06-31", NULL,
		 -EINVAL, "training_completion.employed_on: bad date '2024-06-31'"},
		{"labor", "unemployment_registration", 'I', LB_UNEMPLOYED, "registered_since=~", NULL,
		 -EINVAL, "unemployment_registration.registered_since: missing"},
	};

	run_cases(cases, N(cases));
}

/* ---- housing ---------------------------------------------------------------- */

#define HS_AREA                                                                             \
	"record_no=FC2024-0501|hh_code=H4207040001|applicant_id=42070419580312001X|"             \
	"total_area_m2=24.50|resident_count=3|low_income_cert=ZD2024-0077|"                       \
	"surveyed_on=2024-02-20|surveyor=~"
#define HS_RENTAL                                                                           \
	"app_no=ZL2024-0013|hh_code=H4207040001|applicant_id=42070419580312001X|status=02|"     \
	"subsidised_m2=15.00|monthly_fen=18000|submitted_on=2024-02-25|approved_on=2024-03-10"
#define HS_RENTAL_JSON                                                                      \
	"[{\"kind\":\"housing_aid\",\"housing_aid\":{\"claim_id\":\"ZL2024-0013\","             \
	"\"household_id\":\"H4207040001\",\"scheme\":\"urban_rental\",\"date\":\"2024-03-10\","  \
	"\"amount_fen\":18000}}]"
#define HS_REDUCTION                                                                        \
	"rr_no=JZ2024-0002|hh_code=H4207010021|flat_code=GF-1-203|public_rent_fen=9600|"         \
	"effective_from=2024-04-01|approved=t"
#define HS_PROJECT                                                                          \
	"project_no=NF2024-0044|hh_code=H4207020007|project_type=XJ|house_state=2|"             \
	"approved_on=2024-05-08|subsidy_fen=~|completed_on=~"

static void test_housing(void **state)
{
	static const struct map_case cases[] = {
		/* 24.5 m2 for 3: below 10 per person */
		{"housing", "housing_area_record", 'I', HS_AREA, NULL, NULL, 0,
		 "[{\"kind\":\"status\",\"status\":{\"id_number\":\"42070419580312001X\","
		 "\"category\":\"lowest_income_housing\",\"active\":true,"
		 "\"since\":\"2024-02-20\"}}]"},
		/* exactly 10 per person is not below */
		{"housing", "housing_area_record", 'U', HS_AREA,
		 "total_area_m2=30.00|surveyed_on=2024-06-01", NULL, 0,
		 "[{\"kind\":\"status\",\"status\":{\"id_number\":\"42070419580312001X\","
		 "\"category\":\"lowest_income_housing\",\"active\":false,"
		 "\"since\":\"2024-06-01\"}}]"},
		{"housing", "housing_area_record", 'I', HS_AREA, "total_area_m2=29.99", NULL, 0,
		 "[{\"kind\":\"status\",\"status\":{\"id_number\":\"42070419580312001X\","
		 "\"category\":\"lowest_income_housing\",\"active\":true,"
		 "\"since\":\"2024-02-20\"}}]"},
		/* no certificate: no status */
		{"housing", "housing_area_record", 'I', HS_AREA, "low_income_cert=~", NULL, 0, "[]"},
		{"housing", "housing_area_record", 'D', HS_AREA, NULL, NULL, 0,
		 "[{\"kind\":\"status\",\"status\":{\"id_number\":\"42070419580312001X\","
		 "\"category\":\"lowest_income_housing\",\"active\":false,"
		 "\"since\":\"2024-02-20\"}}]"},
		{"housing", "rental_subsidy_app", 'I', HS_RENTAL, NULL, NULL, 0, HS_RENTAL_JSON},
		/* submitted, then approved */
		{"housing", "rental_subsidy_app", 'I', HS_RENTAL,
		 "status=01|approved_on=~|monthly_fen=~", NULL, 0, "[]"},
		{"housing", "rental_subsidy_app", 'U', HS_RENTAL, NULL,
		 "status=01|approved_on=~|monthly_fen=~", 0, HS_RENTAL_JSON},
		{"housing", "rental_subsidy_app", 'U', HS_RENTAL, "monthly_fen=20000", NULL, 0,
		 "[{\"kind\":\"housing_aid\",\"housing_aid\":{\"claim_id\":\"ZL2024-0013\","
		 "\"household_id\":\"H4207040001\",\"scheme\":\"urban_rental\","
		 "\"date\":\"2024-03-10\",\"amount_fen\":20000,\"op\":\"correct\"}}]"},
		{"housing", "rental_subsidy_app", 'D', HS_RENTAL, "status=03", NULL, 0, "[]"},
		{"housing", "rent_reduction", 'I', HS_REDUCTION, NULL, NULL, 0,
		 "[{\"kind\":\"housing_aid\",\"housing_aid\":{\"claim_id\":\"JZ2024-0002\","
		 "\"household_id\":\"H4207010021\",\"scheme\":\"rent_reduction\","
		 "\"date\":\"2024-04-01\",\"rent_fen\":9600}}]"},
		{"housing", "rent_reduction", 'I', HS_REDUCTION, "approved=f", NULL, 0, "[]"},
		{"housing", "rural_house_project", 'I', HS_PROJECT, NULL, NULL, 0,
		 "[{\"kind\":\"housing_aid\",\"housing_aid\":{\"claim_id\":\"NF2024-0044\","
		 "\"household_id\":\"H4207020007\",\"scheme\":\"rural_new_build\","
		 "\"date\":\"2024-05-08\"}}]"},
		{"housing", "rural_house_project", 'I', HS_PROJECT,
		 "project_type=WG|subsidy_fen=400000", NULL, 0,
		 "[{\"kind\":\"housing_aid\",\"housing_aid\":{\"claim_id\":\"NF2024-0044\","
		 "\"household_id\":\"H4207020007\",\"scheme\":\"rural_repair\","
		 "\"date\":\"2024-05-08\",\"amount_fen\":400000}}]"},
		{"housing", "rural_house_project", 'U', HS_PROJECT, "completed_on=2024-10-30", NULL, 0,
		 "[]"},
		{"housing", "rural_house_project", 'D', HS_PROJECT, NULL, NULL, 0,
		 "[{\"kind\":\"housing_aid\",\"housing_aid\":{\"claim_id\":\"NF2024-0044\","
		 "\"household_id\":\"H4207020007\",\"scheme\":\"rural_new_build\","
		 "\"date\":\"2024-05-08\",\"op\":\"void\"}}]"},
		/* rows it cannot map */
		{"housing", "rental_subsidy_app", 'I', HS_RENTAL, "monthly_fen=180.00", NULL, -EINVAL,
		 "rental_subsidy_app.monthly_fen: not an integer '180.00'"},
		{"housing", "rental_subsidy_app", 'I', HS_RENTAL, "approved_on=~", NULL, -EINVAL,
		 "rental_subsidy_app.approved_on: missing"},
		{"housing", "rental_subsidy_app", 'I', HS_RENTAL, "status=05", NULL, -EINVAL,
		 "rental_subsidy_app.status: unknown code '05'"},
		{"housing", "rental_subsidy_app", 'I', HS_RENTAL, "hh_code=~", NULL, -EINVAL,
		 "rental_subsidy_app.hh_code: missing"},
		{"housing", "rent_reduction", 'I', HS_REDUCTION, "public_rent_fen=-1", NULL, -EINVAL,
		 "rent_reduction.public_rent_fen: -1 outside 0..9223372036854775807"},
		{"housing", "rural_house_project", 'I', HS_PROJECT, "project_type=GZ", NULL, -EINVAL,
		 "rural_house_project.project_type: unknown code 'GZ'"},
		{"housing", "housing_area_record", 'I', HS_AREA, "total_area_m2=abc", NULL, -EINVAL,
		 "housing_area_record.total_area_m2: not a number 'abc'"},
	};

	run_cases(cases, N(cases));
}

/* Every department is found, and maps every table its publication covers. */
static void test_departments(void **state)
{
	static const char *const names[] = {"civil_affairs", "health", "education", "labor",
					    "housing"};

	for (size_t i = 0; i < N(names); i++) {
		const struct department *d = department_find(names[i]);

		assert_non_null(d);
		assert_string_equal(d->name, names[i]);
		assert_non_null(d->tables[0].name);
		for (const struct department_table *t = d->tables; t->name != NULL; t++) {
			static const char *const none[] = {"x"};
			static const char *const nil[] = {NULL};
			struct row_change rc = {t->name, 'I', 1, none, nil, NULL};
			struct mapping_out out = {0};
			char err[256] = "";
			int rc_;

			/* an empty row: a missing-column error, never "not mapped" */
			rc_ = department_map(d, &rc, &out, err, sizeof(err));
			assert_true(rc_ == 0 || strstr(err, "not mapped") == NULL);
			for (int k = 0; k < out.n; k++)
				protobuf_c_message_free_unpacked(&out.events[k]->base, NULL);
		}
	}
	assert_null(department_find("police"));
	assert_null(department_find(NULL));
}

static void test_row_get(void **state)
{
	static const char *const names[] = {"a", "b"};
	static const char *const values[] = {"1", NULL};
	struct row_change rc = {"t", 'I', 2, names, values, NULL};

	assert_string_equal(row_get(&rc, values, "a"), "1");
	assert_null(row_get(&rc, values, "b"));
	assert_null(row_get(&rc, values, "c"));
	assert_null(row_get(&rc, NULL, "a"));
}

/* Every kind's payload is found by its name through the descriptors: a new
 * kind needs no constructor of its own. */
static void test_map_payload(void **state)
{
	const ProtobufCEnumDescriptor *kinds = &assist__kind__descriptor;
	struct row_change rc = {.table = "t"};
	struct mapping_out out = {0};
	struct map_row r;
	char err[128] = "";

	for (unsigned i = 0; i < kinds->n_values; i++) {
		Assist__Kind kind = (Assist__Kind)kinds->values[i].value;

		if (kind == ASSIST__KIND__KIND_UNSPECIFIED)
			continue;
		map_row_init(&r, &rc, NULL, &out, err, sizeof(err));
		assert_non_null(map_payload(&r, kind));
		assert_int_equal(out.n, 1);
		assert_int_equal(out.events[0]->kind, kind);
		assert_int_not_equal(out.events[0]->payload_case, ASSIST__EVENT__PAYLOAD__NOT_SET);
		map_drop(&out, 0);
	}
	map_row_init(&r, &rc, NULL, &out, err, sizeof(err));
	assert_null(map_payload(&r, ASSIST__KIND__KIND_UNSPECIFIED));
	assert_string_equal(err, "t.kind: no payload for kind 0");
	assert_int_equal(out.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_civil_affairs), cmocka_unit_test(test_health),
		cmocka_unit_test(test_education),     cmocka_unit_test(test_labor),
		cmocka_unit_test(test_housing),       cmocka_unit_test(test_departments),
		cmocka_unit_test(test_row_get),	      cmocka_unit_test(test_map_payload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
