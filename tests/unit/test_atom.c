/* Atoms: one copy per text, the same pointer each time, kept across the
 * table's growth; a copy, not the caller's buffer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "atom.h"

static void test_same_text_same_atom(void **state)
{
	static const char *const texts[] = {
		"not in urban dibao", "not an urban dibao household", "three noes", "", "deceased on 2026-07-12",
	};
	const char *first[5];
	char buf[64];

	for (size_t i = 0; i < 5; i++) {
		snprintf(buf, sizeof(buf), "%s", texts[i]);
		first[i] = atom_intern(buf);
		assert_non_null(first[i]);
		assert_ptr_not_equal(first[i], buf);
		assert_string_equal(first[i], texts[i]);
		memset(buf, 'x', sizeof(buf) - 1); /* the atom is a copy */
		assert_string_equal(first[i], texts[i]);
	}
	for (size_t i = 0; i < 5; i++) {
		assert_ptr_equal(atom_intern(texts[i]), first[i]);
		for (size_t j = 0; j < i; j++)
			assert_ptr_not_equal(first[i], first[j]);
	}
}

static void test_growth_keeps_atoms(void **state)
{
	const char *a = atom_intern("legal aid: assistance recipient: urban dibao");
	size_t before = atom_count();
	char buf[32];

	for (int i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "deceased on day %d", i);
		assert_non_null(atom_intern(buf));
	}
	assert_int_equal(atom_count(), before + 5000);
	assert_ptr_equal(atom_intern("legal aid: assistance recipient: urban dibao"), a);
	snprintf(buf, sizeof(buf), "deceased on day %d", 4321);
	assert_string_equal(atom_intern(buf), "deceased on day 4321");
	assert_int_equal(atom_count(), before + 5000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_text_same_atom),
		cmocka_unit_test(test_growth_keeps_atoms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
