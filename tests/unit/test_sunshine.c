/* The sunshine roster's masking of names and its place selector. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sunshine.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_mask_name(void **state)
{
	static const struct {
		const char *name, *want;
	} cases[] = {
		{"王小明", "王*"},        /* three characters: the family name is the first */
		{"王芳", "王*"},          /* two */
		{"欧阳娜娜", "欧*"},      /* a compound family name: the first character only */
		{"𠀋一", "𠀋*"},         /* an ideograph outside the basic plane (4 bytes) */
		{"王 小明", "王*"},       /* written with a space */
		{"Wang Wei", "Wang*"},    /* a Latin name: the first word */
		{"Li", "Li*"},            /* one word */
		{"  Chen  Yi", "Chen*"},  /* leading blanks */
		{"Émile Zola", "Émile*"}, /* a Latin letter outside ASCII is no ideograph */
		{"Ouyang\tEr", "Ouyang*"},
		{"", "*"},
		{"   ", "*"},
	};
	char out[SUNSHINE_NAME_BUFLEN];

	for (size_t i = 0; i < N(cases); i++) {
		assert_ptr_equal(sunshine_mask_name(cases[i].name, out), out);
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("\"%s\": \"%s\", want \"%s\"", cases[i].name, out, cases[i].want);
	}
}

/* The longest name a person holds (63 bytes, one word) fits with its "*". */
static void test_mask_long_name(void **state)
{
	char name[64], out[SUNSHINE_NAME_BUFLEN];

	memset(name, 'x', 63);
	name[63] = '\0';
	sunshine_mask_name(name, out);
	assert_int_equal(strlen(out), 64);
	assert_int_equal(out[63], '*');
}

static void test_place(void **state)
{
	static const struct {
		const char *code;
		int rc;
		size_t levels;
		bool wenxing, minxin, huarong; /* does it select these places */
		const char *err;
	} cases[] = {
		{"", 0, 0, true, true, true, NULL},
		{"Echeng", 0, 1, true, true, false, NULL},
		{"Echeng/Gulou Street", 0, 2, true, true, false, NULL},
		{"Echeng/Gulou Street/Wenxing Community", 0, 3, true, false, false, NULL},
		{"Huarong/Gulou Street", 0, 2, false, false, false, NULL},
		{"Gulou Street", 0, 1, false, false, false, NULL},
		{"Echeng/", -EINVAL, 0, false, false, false, "place: level 2 is empty"},
		{"/Echeng", -EINVAL, 0, false, false, false, "place: level 1 is empty"},
		{"Echeng//Wenxing Community", -EINVAL, 0, false, false, false,
		 "place: level 2 is empty"},
		{"a/b/c/d", -EINVAL, 0, false, false, false,
		 "place: at most three levels (DISTRICT/TOWN/COMMUNITY)"},
	};
	char err[128], longest[80];
	struct sunshine_place sel;

	for (size_t i = 0; i < N(cases); i++) {
		err[0] = '\0';
		assert_int_equal(sunshine_place_parse(cases[i].code, &sel, err, sizeof(err)),
				 cases[i].rc);
		if (cases[i].rc < 0) {
			assert_string_equal(err, cases[i].err);
			continue;
		}
		assert_int_equal(sel.n_levels, cases[i].levels);
		assert_int_equal(sunshine_place_match(&sel, "Echeng", "Gulou Street",
						      "Wenxing Community"), cases[i].wenxing);
		assert_int_equal(sunshine_place_match(&sel, "Echeng", "Gulou Street",
						      "Minxin Community"), cases[i].minxin);
		assert_int_equal(sunshine_place_match(&sel, "Huarong", "Liangzi Town",
						      "Gaotang Village"), cases[i].huarong);
	}
	memset(longest, 'x', 64);
	longest[64] = '\0';
	assert_int_equal(sunshine_place_parse(longest, &sel, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "place: level 1 is longer than 63 bytes");
	longest[63] = '\0';
	assert_int_equal(sunshine_place_parse(longest, &sel, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_name),
		cmocka_unit_test(test_mask_long_name),
		cmocka_unit_test(test_place),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
