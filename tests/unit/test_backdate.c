/* What a fact back-dates (daemon/backdate.c): from which day the months
 * already paid are computed again, and the words of the explanation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "backdate.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define URBAN ASSIST__SCHEME__SCHEME_URBAN_DIBAO

static void test_household(void **state)
{
	static const struct {
		const char *what;
		fen_t income_was, income;
		int members_was, members;
		const char *why;
	} cases[] = {
		{"income reported late", 30000, 45000, 3, 3,
		 "household income 45000 from 2008-02-01 (was 30000)"},
		{"a member more", 30000, 30000, 3, 4, "household members 4 from 2008-02-01 (was 3)"},
		{"the area only", 30000, 30000, 3, 3, "household change from 2008-02-01"},
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct household was = {.has_income = true, .monthly_income = cases[i].income_was,
					.has_members = true, .members = cases[i].members_was};
		struct household now = was;
		struct backdate bd;

		print_message("%s\n", cases[i].what);
		now.monthly_income = cases[i].income;
		now.members = cases[i].members;
		backdate_household(&was, &now, 20080201, &bd);
		assert_int_equal(bd.from, 20080201);
		assert_string_equal(bd.why, cases[i].why);
	}
}

static void test_enrollment(void **state)
{
	/* The household's last change does not move what an enrollment
	 * back-dates: the facts before it are kept (household_on). */
	static const struct {
		const char *what;
		ymd_t was_start, was_end, start, end;
		ymd_t hh_changed; /* the household's last change, or YMD_NONE */
		ymd_t from;       /* YMD_NONE: nothing back-dated */
		const char *why;
	} cases[] = {
		{"sent again unchanged", 20080101, YMD_NONE, 20080101, YMD_NONE, YMD_NONE, YMD_NONE,
		 ""},
		{"ended late: from the day after its end", 20080101, YMD_NONE, 20080101, 20080215,
		 YMD_NONE, 20080216, "enrollment urban_dibao ended on 2008-02-15"},
		{"new, started in the past", YMD_NONE, YMD_NONE, 20080201, YMD_NONE, YMD_NONE,
		 20080201, "enrollment urban_dibao from 2008-02-01"},
		{"start moved back", 20080301, YMD_NONE, 20080201, 20080430, YMD_NONE, 20080201,
		 "enrollment urban_dibao from 2008-02-01 to 2008-04-30"},
		{"started before the household's last change", YMD_NONE, YMD_NONE, 20080101,
		 YMD_NONE, 20080301, 20080101, "enrollment urban_dibao from 2008-01-01"},
		{"ended before the household's last change", 20080101, YMD_NONE, 20080101, 20080215,
		 20080401, 20080216, "enrollment urban_dibao ended on 2008-02-15"},
		{"ended after the household's last change", 20080101, YMD_NONE, 20080101, 20080515,
		 20080401, 20080516, "enrollment urban_dibao ended on 2008-05-15"},
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct person *p = person_new("420704199001011234");
		struct household *hh = household_new("H1");
		struct enrollment was = {.scheme = URBAN, .start = cases[i].was_start,
					 .end = cases[i].was_end, .granted = true};
		struct backdate bd;

		print_message("%s\n", cases[i].what);
		assert_non_null(p);
		assert_non_null(hh);
		assert_int_equal(household_link(hh, p), 0);
		hh->changed_from = cases[i].hh_changed;
		p->enrollments = calloc(1, sizeof(*p->enrollments));
		assert_non_null(p->enrollments);
		p->n_enrollments = p->cap_enrollments = 1;
		p->enrollments[0] = was;
		p->enrollments[0].start = cases[i].start;
		p->enrollments[0].end = cases[i].end;
		if (cases[i].was_start == YMD_NONE) {
			struct person none = {0};

			was = backdate_enrollment_of(&none, URBAN);
		}
		backdate_enrollment(p, &was, URBAN, &bd);
		assert_int_equal(bd.from, cases[i].from);
		if (cases[i].from != YMD_NONE)
			assert_string_equal(bd.why, cases[i].why);
		person_free(p);
		household_free(hh);
	}
}

static void test_person(void **state)
{
	static const struct {
		const char *what;
		const char *household_was; /* "" with hukou_was unspecified: first known */
		Assist__Hukou hukou_was, hukou;
		ymd_t died_was, died;
		size_t n_categories;
		ymd_t from;
		const char *why;
	} cases[] = {
		{"a death registered late: from the day of death", "H1", ASSIST__HUKOU__HUKOU_URBAN,
		 ASSIST__HUKOU__HUKOU_URBAN, YMD_NONE, 20080210, 0, 20080210,
		 "deceased on 2008-02-10"},
		{"the death known before", "H1", ASSIST__HUKOU__HUKOU_URBAN,
		 ASSIST__HUKOU__HUKOU_URBAN, 20080210, 20080210, 0, YMD_NONE, ""},
		{"hukou changed", "H1", ASSIST__HUKOU__HUKOU_URBAN, ASSIST__HUKOU__HUKOU_RURAL,
		 YMD_NONE, YMD_NONE, 0, 20080301, "hukou changed to rural from 2008-03-01"},
		{"categories changed", "H1", ASSIST__HUKOU__HUKOU_URBAN, ASSIST__HUKOU__HUKOU_URBAN,
		 YMD_NONE, YMD_NONE, 1, 20080301, "categories changed from 2008-03-01"},
		{"a name only", "H1", ASSIST__HUKOU__HUKOU_URBAN, ASSIST__HUKOU__HUKOU_URBAN,
		 YMD_NONE, YMD_NONE, 0, YMD_NONE, ""},
		{"the first values known", "", ASSIST__HUKOU__HUKOU_UNSPECIFIED,
		 ASSIST__HUKOU__HUKOU_URBAN, YMD_NONE, YMD_NONE, 1, YMD_NONE, ""},
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct person *p = person_new("420704199001011234");
		Assist__PersonChange pc = ASSIST__PERSON_CHANGE__INIT;
		struct backdate bd;

		print_message("%s\n", cases[i].what);
		assert_non_null(p);
		strcpy(p->household_id, "H1");
		p->hukou = cases[i].hukou;
		p->deceased_on = cases[i].died;
		pc.n_categories = cases[i].n_categories;
		backdate_person(p, cases[i].died_was, cases[i].hukou_was, cases[i].household_was,
				&pc, 20080301, &bd);
		assert_int_equal(bd.from, cases[i].from);
		if (cases[i].from != YMD_NONE)
			assert_string_equal(bd.why, cases[i].why);
		person_free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_household),
		cmocka_unit_test(test_enrollment),
		cmocka_unit_test(test_person),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
