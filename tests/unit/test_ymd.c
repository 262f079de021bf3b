#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ymd.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_parse_good(void **state)
{
	static const struct {
		const char *s;
		ymd_t want;
	} cases[] = {
		{"2008-01-01", 20080101}, {"1900-01-01", 19000101}, {"2199-12-31", 21991231},
		{"2000-02-29", 20000229}, {"2024-02-29", 20240229}, {"2023-04-30", 20230430},
		{"1949-12-31", 19491231}, {"2027-01-01", 20270101},
	};
	for (size_t i = 0; i < N(cases); i++) {
		ymd_t d = 0;
		assert_int_equal(ymd_parse(cases[i].s, &d), 0);
		assert_int_equal(d, cases[i].want);
	}
}

static void test_parse_bad(void **state)
{
	static const char *const cases[] = {
		"",           "2008-1-01",   "2008-01-1",   "2008-01-011", "20080101",
		"2008/01/01", "2008-01-01 ", " 2008-01-01", "2008-00-01",  "2008-13-01",
		"2008-01-00", "2008-01-32",  "2023-02-29",  "1900-02-29",  "2100-02-29",
		"2023-04-31", "1899-12-31",  "2200-01-01",  "+008-01-01",  "2008-0a-01",
		"2008--1-01", "2008-01-+1",  "0000-01-01",  "2008-01-01T",
	};
	for (size_t i = 0; i < N(cases); i++) {
		ymd_t d = 4242;
		if (ymd_parse(cases[i], &d) != -EINVAL)
			fail_msg("accepted \"%s\"", cases[i]);
		assert_int_equal(d, 4242);
	}
	assert_int_equal(ymd_parse(NULL, &(ymd_t){0}), -EINVAL);
}

static void test_valid(void **state)
{
	static const struct {
		ymd_t d;
		bool want;
	} cases[] = {
		{20240229, true},  {20230229, false}, {19000228, true}, {19000229, false},
		{20000229, true},  {20231131, false}, {20231130, true}, {20231301, false},
		{20230001, false}, {20230100, false}, {YMD_NONE, false}, {-20230101, false},
	};
	for (size_t i = 0; i < N(cases); i++) {
		if (ymd_valid(cases[i].d) != cases[i].want)
			fail_msg("ymd_valid(%d) != %d", cases[i].d, cases[i].want);
	}
}

static void test_format_and_fields(void **state)
{
	char buf[YMD_BUFLEN];

	assert_string_equal(ymd_format(20080101, buf), "2008-01-01");
	assert_string_equal(ymd_format(19491231, buf), "1949-12-31");
	assert_string_equal(ymd_format(YMD_NONE, buf), "");
	assert_string_equal(ymd_format(20081399, buf), "2008-13-99");
	assert_string_equal(ymd_format(10203, buf), "0001-02-03"); /* zero-padded */
	assert_int_equal(strlen(ymd_format(-20080101, buf)), 10); /* nonsense fits too */
	assert_int_equal(ymd_year(20240229), 2024);
	assert_int_equal(ymd_month(20240229), 2);
	assert_int_equal(ymd_day(20240229), 29);
	assert_int_equal(ymd_make(2024, 2, 29), 20240229);
}

static void test_add_months(void **state)
{
	static const struct {
		ymd_t d;
		int n;
		ymd_t want;
	} cases[] = {
		{20080115, 0, 20080115},   {20080115, 1, 20080215},  {20080131, 1, 20080229},
		{20070131, 1, 20070228},   {20080331, 1, 20080430},  {20081115, 2, 20090115},
		{20081231, 1, 20090131},   {20080115, 12, 20090115}, {20080229, 12, 20090228},
		{20080115, -1, 20071215},  {20080331, -1, 20080229}, {20080115, -13, 20061215},
		{20080115, -24, 20060115}, {20080731, 6, 20090131},  {20080115, 6, 20080715},
	};
	for (size_t i = 0; i < N(cases); i++) {
		ymd_t got = ymd_add_months(cases[i].d, cases[i].n);
		if (got != cases[i].want)
			fail_msg("%d + %d months = %d, want %d", cases[i].d, cases[i].n, got,
				 cases[i].want);
	}
}

static void test_next_month(void **state)
{
	static const struct {
		ymd_t d, want;
	} cases[] = {
		{20080101, 20080201}, {20080115, 20080201}, {20080131, 20080201},
		{20081201, 20090101}, {20081231, 20090101}, {20080229, 20080301},
	};
	for (size_t i = 0; i < N(cases); i++)
		assert_int_equal(ymd_next_month(cases[i].d), cases[i].want);
}

static void test_days(void **state)
{
	static const struct {
		ymd_t d;
		int64_t days;
	} cases[] = {
		{19700101, 0},	    {19700102, 1},     {19691231, -1},	  {20000101, 10957},
		{20000301, 11017},  {19000101, -25567}, {20080101, 13879}, {20240229, 19782},
		{21991231, 84005},  {20380119, 24855},
	};
	for (size_t i = 0; i < N(cases); i++) {
		assert_int_equal(ymd_to_days(cases[i].d), cases[i].days);
		assert_int_equal(ymd_from_days(cases[i].days), cases[i].d);
	}
}

/* Every day of the supported range survives the round trip and follows the
 * previous one by exactly one day. */
static void test_days_round_trip(void **state)
{
	ymd_t prev = 18991231;
	int64_t n = ymd_to_days(19000101);

	assert_int_equal(ymd_to_days(prev), n - 1);
	for (ymd_t d = 19000101; d <= 21991231; d = ymd_from_days(++n)) {
		assert_true(ymd_valid(d));
		assert_true(d > prev);
		assert_int_equal(ymd_to_days(d), n);
		prev = d;
	}
	assert_int_equal(prev, 21991231);
}

static void test_today(void **state)
{
	time_t before = time(NULL);
	ymd_t t = ymd_today();
	time_t after = time(NULL);
	struct tm tm;
	ymd_t lo, hi;

	gmtime_r(&before, &tm);
	lo = ymd_make(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	gmtime_r(&after, &tm);
	hi = ymd_make(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	assert_true(ymd_valid(t));
	assert_true(t >= lo && t <= hi);
}

/* A set day stands in for the clock until cleared (the journal replay). */
static void test_set_today(void **state)
{
	static const int days[][3] = {{2026, 3, 15}, {1999, 12, 31}, {2024, 2, 29}};

	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		ymd_t d = ymd_make(days[i][0], days[i][1], days[i][2]);
		ymd_set_today(d);
		assert_int_equal(ymd_today(), d);
	}
	ymd_set_today(0);
	test_today(state);
}

static void test_age(void **state)
{
	static const struct {
		ymd_t birth, d;
		int want;
	} cases[] = {
		{19900615, 20060614, 15}, {19900615, 20060615, 16}, {19900615, 20060616, 16},
		{19620101, 20071231, 45}, {19620101, 20080101, 46}, {19611231, 20071231, 46},
		{19800229, 20230228, 42}, {19800229, 20230301, 43}, {19800229, 20240229, 44},
		{20000101, 20000101, 0},  {19491231, 20080101, 58}, {19900615, 19910614, 0},
	};
	for (size_t i = 0; i < N(cases); i++) {
		int got = ymd_age(cases[i].birth, cases[i].d);
		if (got != cases[i].want)
			fail_msg("age(%d, %d) = %d, want %d", cases[i].birth, cases[i].d, got,
				 cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),	  cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_valid),		  cmocka_unit_test(test_format_and_fields),
		cmocka_unit_test(test_add_months),	  cmocka_unit_test(test_next_month),
		cmocka_unit_test(test_days),		  cmocka_unit_test(test_days_round_trip),
		cmocka_unit_test(test_today),		  cmocka_unit_test(test_age),
		cmocka_unit_test(test_set_today),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
