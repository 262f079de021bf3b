/* UTF-8 checks and the cleaned copy kept in text columns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "utf8.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_valid(void **state)
{
	static const struct {
		const char *s;
		bool want;
	} cases[] = {
		{"", true},
		{"plain", true},
		{"\xe5\xbc\xa0\xe4\xbc\x9f", true},       /* 张伟 */
		{"caf\xc3\xa9", true},
		{"\xf0\x9f\x98\x80", true},               /* U+1F600 */
		{"\xf4\x8f\xbf\xbf", true},               /* U+10FFFF */
		{"\xff", false},
		{"caf\xc3", false},                       /* cut sequence */
		{"\xc3(", false},                         /* bad continuation */
		{"\xc0\xaf", false},                      /* overlong "/" */
		{"\xe0\x80\xaf", false},                  /* overlong, 3 bytes */
		{"\xed\xa0\x80", false},                  /* a surrogate */
		{"\xf4\x90\x80\x80", false},              /* above U+10FFFF */
		{"\x80", false},                          /* a lone continuation */
	};
	for (size_t i = 0; i < N(cases); i++) {
		if (utf8_valid(cases[i].s, strlen(cases[i].s)) != cases[i].want)
			fail_msg("case %zu", i);
	}
}

static void test_trim(void **state)
{
	static const struct {
		const char *s, *want;
	} cases[] = {
		{"abc", "abc"},
		{"ab\xe5\xbc", "ab"},
		{"ab\xe5", "ab"},
		{"ab\xe5\xbc\xa0", "ab\xe5\xbc\xa0"},
		{"\xf0\x9f\x98", ""},
		{"x\xc3\xa9", "x\xc3\xa9"},
		{"", ""},
	};
	for (size_t i = 0; i < N(cases); i++) {
		char buf[32];
		strcpy(buf, cases[i].s);
		utf8_trim(buf);
		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\"", i, buf);
	}
}

static void test_clean(void **state)
{
	static const struct {
		const char *s;
		size_t len, max;
		const char *want;
	} cases[] = {
		{"plain", 5, 100, "plain"},
		{"Li\xff\xc3(", 5, 100, "Li\\xff\\xc3("},
		{"a\0b", 3, 100, "a\\x00b"},
		{"\xe5\xbc\xa0\xe4\xbc\x9f", 6, 100, "\xe5\xbc\xa0\xe4\xbc\x9f"},
		/* exactly max: kept whole */
		{"0123456789", 10, 10, "0123456789"},
		/* longer: cut so that the text and the marker fit in max */
		{"0123456789012345678901234567890123456789", 40, 30,
		 "012345\xe2\x80\xa6[truncated: 40 bytes]"},
		/* never inside a character */
		{"\xe5\xbc\xa0\xe5\xbc\xa0\xe5\xbc\xa0\xe5\xbc\xa0\xe5\xbc\xa0\xe5\xbc\xa0"
		 "\xe5\xbc\xa0\xe5\xbc\xa0\xe5\xbc\xa0\xe5\xbc\xa0", 30, 29,
		 "\xe5\xbc\xa0\xe2\x80\xa6[truncated: 30 bytes]"},
		/* escapes count in the size */
		{"\xff\xff\xff\xff\xff\xff\xff\xff", 8, 30, "\\xff\xe2\x80\xa6[truncated: 8 bytes]"},
		/* a limit smaller than the marker: the marker alone */
		{"0123456789", 10, 4, "\xe2\x80\xa6[truncated: 10 bytes]"},
	};
	for (size_t i = 0; i < N(cases); i++) {
		char *got = utf8_clean(cases[i].s, cases[i].len, cases[i].max);
		assert_non_null(got);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\"", i, got);
		assert_true(utf8_valid(got, strlen(got)));
		free(got);
	}
}

static void test_cut(void **state)
{
	const char *s = "a\xe5\xbc\xa0" "b";

	assert_int_equal(utf8_cut(s, 5, 10), 5);
	assert_int_equal(utf8_cut(s, 5, 4), 4);
	assert_int_equal(utf8_cut(s, 5, 3), 1);
	assert_int_equal(utf8_cut(s, 5, 2), 1);
	assert_int_equal(utf8_cut(s, 5, 1), 1);
	assert_int_equal(utf8_cut(s, 5, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
