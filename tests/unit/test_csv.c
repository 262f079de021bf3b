/* lib/csv.c: fields quoted as RFC 4180 asks, and only when they must be. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "csv.h"

static void test_fields(void **state)
{
	const char *cases[][2] = {
		{"plain", "plain"},
		{"", ""},
		{"a,b", "\"a,b\""},
		{"say \"hi\"", "\"say \"\"hi\"\"\""},
		{"\"", "\"\"\"\""},
		{"two\nlines", "\"two\nlines\""},
		{"cr\r", "\"cr\r\""},
		{"semi;colon 'single'", "semi;colon 'single'"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		assert_non_null(f);
		assert_int_equal(csv_field(f, cases[i][0], true), 0);
		assert_int_equal(fclose(f), 0);
		assert_string_equal(buf, cases[i][1]);
		free(buf);
	}
}

static void test_record(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(csv_field(f, "id", true), 0);
	assert_int_equal(csv_field(f, NULL, false), 0);
	assert_int_equal(csv_field(f, "new build, 60 m2", false), 0);
	assert_int_equal(csv_end(f), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, "id,,\"new build, 60 m2\"\r\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
