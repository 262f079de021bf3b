/* The string-keyed table of persons and households: every key put is found
 * with its latest value, through the table's growth (up to 3/4 full, so
 * probes pass other keys); a key never put is not; a walk of the slots, as
 * the world's free does, meets each key once with its value. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "strmap.h"

#define N 5000 /* past the first capacity (1,024) several times */

static void test_put_get(void **state)
{
	static char keys[N][24];
	static int values[N];
	struct strmap t = {0};
	char miss[24];

	(void)state;
	assert_null(strmap_get(&t, "nothing yet"));
	for (int i = 0; i < N; i++) {
		snprintf(keys[i], sizeof(keys[i]), "42070419800101%04d", i);
		values[i] = i;
		assert_int_equal(strmap_put(&t, keys[i], &values[i]), 0);
	}
	assert_int_equal(t.n, N);
	for (int i = 0; i < N; i++) {
		assert_ptr_equal(strmap_get(&t, keys[i]), &values[i]);
		snprintf(miss, sizeof(miss), "42070419800101%04dX", i);
		assert_null(strmap_get(&t, miss));
	}
	/* Put again: the value replaced, no second entry. */
	assert_int_equal(strmap_put(&t, keys[7], &values[8]), 0);
	assert_ptr_equal(strmap_get(&t, keys[7]), &values[8]);
	assert_int_equal(t.n, N);
	strmap_free(&t);
	assert_null(strmap_get(&t, keys[0]));
}

static void test_slots(void **state)
{
	struct strmap t = {0};
	static char keys[64][8];
	int v[64], seen = 0;

	(void)state;
	for (int i = 0; i < 64; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		v[i] = i;
		assert_int_equal(strmap_put(&t, keys[i], &v[i]), 0);
	}
	for (size_t i = 0; i < t.cap; i++) {
		if (t.slots[i].key == NULL)
			continue;
		assert_ptr_equal(strmap_get(&t, t.slots[i].key), t.slots[i].value);
		seen++;
	}
	assert_int_equal(seen, 64);
	for (int i = 0; i < 64; i++)
		assert_int_equal(*(int *)strmap_get(&t, keys[i]), i);
	strmap_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get),
		cmocka_unit_test(test_slots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
