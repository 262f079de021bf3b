/* Sources and roles: the roles_file syntax, and the check of each event
 * against its source's role, table-driven. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pbjson.h"
#include "roles.h"

static const struct {
	const char *text;
	const char *err; /* NULL: parses */
} parse_cases[] = {
	{NULL, NULL},
	{"# only a comment\n\n", NULL},
	{"water = person, category:disabled, scheme:utilities\n", NULL},
	{"kill_ca = civil_affairs\nhealth = health, scheme:medical_assistance\n", NULL},
	{"housing = none\n", NULL},
	{"water = scheme:utilities, enrollment   # a new source\nhousing = none # gone\n", NULL},
	{"water = # nothing granted\n", "roles:1: no grant"},
	{"health\n", "roles:1: expected \"<source> = <grant>, ...\""},
	{"Health = person\n", "roles:1: the source must be 1-31 characters"},
	{"a b = person\n", "roles:1: the source must be 1-31 characters"},
	{"\nwater =\n", "roles:2: no grant"},
	{"water = persons\n", "roles:1: \"persons\" is not a department, event kind"},
	{"water = category:nobody\n", "\"category:nobody\" is not"},
	{"water = scheme:person\n", "\"scheme:person\" is not"},
	{"water = status:urban_dibao\n", "\"status:urban_dibao\" is not"},
	{"water = none, person\n", "\"none\" is not"},
	{"water = unspecified\n", "\"unspecified\" is not"},
};

static void test_parse(void **state)
{
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		struct roles *r = NULL;
		char err[256] = "";
		int rc = roles_parse(parse_cases[i].text, "roles", &r, err, sizeof(err));

		if (parse_cases[i].err == NULL) {
			if (rc != 0)
				fail_msg("case %zu: %s", i, err);
			roles_free(r);
		} else {
			assert_int_equal(rc, -EINVAL);
			if (strstr(err, parse_cases[i].err) == NULL)
				fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, parse_cases[i].err);
		}
	}
}

/* Which sources are configured after a file. */
static void test_sources(void **state)
{
	struct roles *r = NULL;
	char err[256];

	assert_int_equal(roles_parse(NULL, "roles", &r, err, sizeof(err)), 0);
	assert_int_equal(r->n, 7);
	assert_non_null(roles_find(r, "civil_affairs"));
	assert_non_null(roles_find(r, "housing"));
	assert_non_null(roles_find(r, "finance"));
	assert_null(roles_find(r, "treasury"));
	assert_null(roles_find(r, "water"));
	roles_free(r);
	assert_int_equal(roles_parse("water = person\nhousing = none\n", "roles", &r, err,
				     sizeof(err)), 0);
	assert_int_equal(r->n, 7);
	assert_non_null(roles_find(r, "water"));
	assert_null(roles_find(r, "housing"));
	roles_free(r);
	/* The example of docs/operations.md, trailing comments and all. */
	assert_int_equal(roles_parse("# /etc/assist/roles\n"
				     "water_company = scheme:utilities, enrollment   # new\n"
				     "health = health, scheme:medical_assistance     # extended\n"
				     "labor_push = labor                             # a second\n"
				     "housing = none                                 # gone\n",
				     "roles", &r, err, sizeof(err)), 0);
	assert_int_equal(r->n, 8);
	assert_non_null(roles_find(r, "water_company"));
	assert_true(roles_find(r, "labor_push")->kinds == roles_find(r, "labor")->kinds);
	assert_null(roles_find(r, "housing"));
	roles_free(r);
}

#define ID "\"id_number\":\"420704198001010015\""

static const struct {
	const char *roles;  /* roles_file text; NULL: the built-in departments */
	const char *source;
	const char *event;  /* the event's JSON */
	const char *field;  /* NULL: authorized */
	const char *reason;
} check_cases[] = {
	/* The built-in roles. */
	{NULL, "civil_affairs", "{\"kind\":\"person\",\"person\":{" ID ",\"categories\":[\"three_noes\"]}}",
	 NULL, NULL},
	{NULL, "civil_affairs", "{\"kind\":\"household\",\"household\":{\"household_id\":\"H\"}}",
	 NULL, NULL},
	{NULL, "civil_affairs", "{\"kind\":\"enrollment\",\"enrollment\":{" ID ",\"scheme\":\"urban_dibao\"}}",
	 NULL, NULL},
	{NULL, "civil_affairs", "{\"kind\":\"status\",\"status\":{" ID ",\"category\":\"orphan\"}}",
	 NULL, NULL},
	{NULL, "civil_affairs", "{\"kind\":\"medical_claim\",\"medical_claim\":{" ID "}}",
	 "event.kind", "not_authorized: civil_affairs may not send medical_claim events"},
	{NULL, "civil_affairs", "{\"kind\":\"person\",\"person\":{" ID ",\"categories\":[\"orphan\",\"4050\"]}}",
	 "person.categories[1]", "not_authorized: civil_affairs may not send category 4050"},
	{NULL, "health", "{\"kind\":\"medical_claim\",\"medical_claim\":{" ID "}}", NULL, NULL},
	{NULL, "health", "{\"kind\":\"enrollment\",\"enrollment\":{" ID ",\"scheme\":\"ncms\"}}",
	 NULL, NULL},
	{NULL, "health", "{\"kind\":\"person\",\"person\":{" ID ",\"name\":\"X\"}}",
	 "event.kind", "not_authorized: health may not send person events"},
	{NULL, "health", "{\"kind\":\"enrollment\",\"enrollment\":{" ID ",\"scheme\":\"urban_dibao\"}}",
	 "enrollment.scheme", "not_authorized: health may not send scheme urban_dibao"},
	{NULL, "health", "{\"kind\":\"status\",\"status\":{" ID ",\"category\":\"urban_dibao\"}}",
	 "event.kind", "not_authorized: health may not send status events"},
	{NULL, "labor", "{\"kind\":\"status\",\"status\":{" ID ",\"category\":\"4050\"}}", NULL, NULL},
	{NULL, "labor", "{\"kind\":\"status\",\"status\":{" ID ",\"category\":\"urban_dibao\"}}",
	 "status.category", "not_authorized: labor may not send category urban_dibao"},
	{NULL, "labor", "{\"kind\":\"training\",\"training\":{" ID "}}", NULL, NULL},
	{NULL, "labor", "{\"kind\":\"medical_claim\",\"medical_claim\":{" ID "}}", NULL, NULL},
	{NULL, "labor", "{\"kind\":\"enrollment\",\"enrollment\":{" ID ",\"scheme\":\"huimin\"}}",
	 NULL, NULL},
	{NULL, "education", "{\"kind\":\"education_aid\",\"education_aid\":{" ID ",\"scheme\":\"key_high_school\"}}",
	 NULL, NULL},
	{NULL, "education", "{\"kind\":\"status\",\"status\":{" ID ",\"category\":\"poor_student\"}}",
	 NULL, NULL},
	{NULL, "education", "{\"kind\":\"housing_aid\",\"housing_aid\":{\"household_id\":\"H\",\"scheme\":\"affordable\"}}",
	 "event.kind", "not_authorized: education may not send housing_aid events"},
	{NULL, "housing", "{\"kind\":\"housing_aid\",\"housing_aid\":{\"household_id\":\"H\",\"scheme\":\"urban_rental\"}}",
	 NULL, NULL},
	{NULL, "housing", "{\"kind\":\"training\",\"training\":{" ID "}}",
	 "event.kind", "not_authorized: housing may not send training events"},
	{NULL, "finance", "{\"kind\":\"payment_run\",\"payment_run\":{\"month\":\"2008-03\"}}",
	 NULL, NULL},
	{NULL, "civil_affairs",
	 "{\"kind\":\"payment_run\",\"payment_run\":{\"month\":\"2008-03\"}}", "event.kind",
	 "not_authorized: civil_affairs may not send payment_run events"},
	{NULL, "finance", "{\"kind\":\"person\",\"person\":{" ID "}}", "event.kind",
	 "not_authorized: finance may not send person events"},
	{NULL, "water", "{\"kind\":\"person\",\"person\":{" ID "}}",
	 "event.source", "not_authorized: water is not a configured source"},
	/* Roles from a file. */
	{"water = person, category:disabled", "water", "{\"kind\":\"person\",\"person\":{" ID ",\"categories\":[\"disabled\"]}}",
	 NULL, NULL},
	{"water = person, category:disabled", "water", "{\"kind\":\"person\",\"person\":{" ID ",\"categories\":[\"orphan\"]}}",
	 "person.categories[0]", "not_authorized: water may not send category orphan"},
	{"kill_h = health", "kill_h", "{\"kind\":\"medical_claim\",\"medical_claim\":{" ID "}}", NULL, NULL},
	{"health = health, scheme:medical_assistance", "health",
	 "{\"kind\":\"enrollment\",\"enrollment\":{" ID ",\"scheme\":\"medical_assistance\"}}", NULL, NULL},
	{"health = medical_claim", "health",
	 "{\"kind\":\"enrollment\",\"enrollment\":{" ID ",\"scheme\":\"ncms\"}}",
	 "event.kind", "not_authorized: health may not send enrollment events"},
	{"x = housing_aid, scheme:rural_repair", "x",
	 "{\"kind\":\"housing_aid\",\"housing_aid\":{\"household_id\":\"H\",\"scheme\":\"urban_rental\"}}",
	 "housing_aid.scheme", "not_authorized: x may not send scheme urban_rental"},
	{"x = education_aid", "x",
	 "{\"kind\":\"education_aid\",\"education_aid\":{" ID ",\"scheme\":\"vocational\"}}",
	 "education_aid.scheme", "not_authorized: x may not send scheme vocational"},
	{"civil_affairs = none", "civil_affairs", "{\"kind\":\"household\",\"household\":{\"household_id\":\"H\"}}",
	 "event.source", "not_authorized: civil_affairs is not a configured source"},
};

static void test_check(void **state)
{
	for (size_t i = 0; i < sizeof(check_cases) / sizeof(check_cases[0]); i++) {
		struct roles *r = NULL;
		ProtobufCMessage *m = NULL;
		struct verdict v;
		char err[256];
		json_t *j = json_loads(check_cases[i].event, 0, NULL);
		int rc;

		assert_non_null(j);
		assert_int_equal(pbjson_decode(&assist__event__descriptor, j, &m, err, sizeof(err)), 0);
		json_decref(j);
		assert_int_equal(roles_parse(check_cases[i].roles, "roles", &r, err, sizeof(err)), 0);
		memset(&v, 0, sizeof(v));
		rc = roles_check(roles_find(r, check_cases[i].source), check_cases[i].source,
				 (const Assist__Event *)m, &v);
		if (check_cases[i].field == NULL) {
			if (rc != 0)
				fail_msg("case %zu: refused: %s: %s", i, v.field, v.reason);
			assert_string_equal(v.field, ""); /* untouched */
		} else {
			if (rc != -EACCES)
				fail_msg("case %zu: authorized", i);
			assert_string_equal(v.field, check_cases[i].field);
			assert_string_equal(v.reason, check_cases[i].reason);
		}
		protobuf_c_message_free_unpacked(m, NULL);
		roles_free(r);
	}
}

#define K(x) (UINT32_C(1) << ASSIST__KIND__KIND_##x)

/* The kinds of each department's default role, from the event registry's
 * senders: INTERFACE's table. */
static void test_default_kinds(void **state)
{
	static const struct {
		const char *dept;
		uint32_t kinds;
	} cases[] = {
		{"civil_affairs", K(PERSON) | K(HOUSEHOLD) | K(STATUS) | K(ENROLLMENT) | K(APPLICATION)},
		{"health", K(MEDICAL_CLAIM) | K(ENROLLMENT)},
		{"education", K(EDUCATION_AID) | K(STATUS) | K(ENROLLMENT) | K(APPLICATION)},
		{"labor", K(TRAINING) | K(STATUS) | K(ENROLLMENT) | K(MEDICAL_CLAIM) | K(APPLICATION)},
		{"housing", K(HOUSING_AID) | K(STATUS) | K(ENROLLMENT) | K(APPLICATION)},
		{"finance", K(PAYMENT_RUN)},
		{"standards", K(RECOMPUTE)},
	};
	struct roles *r = NULL, *granted = NULL;
	char err[256];

	assert_int_equal(roles_parse(NULL, "roles", &r, err, sizeof(err)), 0);
	assert_int_equal(r->n, sizeof(cases) / sizeof(cases[0]));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char line[64];
		assert_true(roles_department_known(cases[i].dept));
		assert_non_null(roles_find(r, cases[i].dept));
		assert_int_equal(roles_find(r, cases[i].dept)->kinds, cases[i].kinds);
		/* A grant of the department's name gives the same kinds. */
		snprintf(line, sizeof(line), "x = %s\n", cases[i].dept);
		assert_int_equal(roles_parse(line, "roles", &granted, err, sizeof(err)), 0);
		assert_int_equal(roles_find(granted, "x")->kinds, cases[i].kinds);
		roles_free(granted);
	}
	assert_false(roles_department_known("treasury"));
	assert_false(roles_department_known("person"));
	roles_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_default_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
