/* RFC 3339 times of the wall clock's milliseconds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>

#include "walltime.h"

/* Milliseconds before 1970 count back from the previous second. */
static void test_format(void **state)
{
	static const struct {
		int64_t ms;
		const char *want;
	} cases[] = {
		{0, "1970-01-01T00:00:00.000Z"},
		{1780000000123, "2026-05-28T20:26:40.123Z"},
		{-1, "1969-12-31T23:59:59.999Z"},
		{-1000, "1969-12-31T23:59:59.000Z"},
		{-1001, "1969-12-31T23:59:58.999Z"},
		{INT64_MIN, "-292275055-05-16T16:47:04.192Z"},
		{1709251199999, "2024-02-29T23:59:59.999Z"},
		{951868800000, "2000-03-01T00:00:00.000Z"},
		{1796663109042, "2026-12-07T17:05:09.042Z"},
		{253402300799999, "9999-12-31T23:59:59.999Z"},
		{253402300800000, "10000-01-01T00:00:00.000Z"},
		{-30610224000000, "1000-01-01T00:00:00.000Z"},
		{-30610224000001, "0999-12-31T23:59:59.999Z"},
	};
	char buf[40], small[25];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(walltime_format(cases[i].ms, buf, sizeof(buf)), cases[i].want);
	/* Room for the text and its NUL exactly; one byte less truncates. */
	assert_string_equal(walltime_format(1796663109042, small, sizeof(small)),
			    "2026-12-07T17:05:09.042Z");
	assert_string_equal(walltime_format(1796663109042, small, sizeof(small) - 1),
			    "2026-12-07T17:05:09.042");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
