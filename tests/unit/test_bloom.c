/* The Bloom filter: never a wrong "no", and about 1 % wrong "perhaps" at
 * the capacity it was sized for. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>

#include "bloom.h"

static void key(char *buf, size_t len, const char *prefix, int i)
{
	snprintf(buf, len, "%s%012d", prefix, i);
}

static void test_no_false_no(void **state)
{
	struct bloom b;
	char k[32];

	assert_int_equal(bloom_init(&b, 100000), 0);
	for (int i = 0; i < 100000; i++) {
		key(k, sizeof(k), "420702", i);
		bloom_add(&b, k);
	}
	for (int i = 0; i < 100000; i++) {
		key(k, sizeof(k), "420702", i);
		assert_true(bloom_maybe(&b, k));
	}
	assert_in_range(b.added, 99000, 100000); /* a key whose bits were all set is not counted */
	{
		size_t before = b.added;
		key(k, sizeof(k), "420702", 7);
		bloom_add(&b, k); /* again: not counted again */
		assert_int_equal(b.added, before);
	}
	bloom_free(&b);
}

/* Rows: keys added as a share of capacity, and the most false "perhaps"
 * allowed among 100,000 keys never added. */
static void test_false_perhaps(void **state)
{
	static const struct {
		int percent_of_capacity;
		int most_false_per_100000;
	} rows[] = {
		{0, 0},
		{50, 300},   /* ~0.1 % */
		{100, 2000}, /* ~1 % (more bits than asked: a power of two) */
		{300, 40000},
	};
	char k[32];

	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct bloom b;
		int n = 1000 * rows[r].percent_of_capacity, wrong = 0;
		assert_int_equal(bloom_init(&b, 100000), 0);
		for (int i = 0; i < n; i++) {
			key(k, sizeof(k), "in", i);
			bloom_add(&b, k);
		}
		for (int i = 0; i < 100000; i++) {
			key(k, sizeof(k), "out", i);
			wrong += bloom_maybe(&b, k);
		}
		assert_in_range(wrong, 0, rows[r].most_false_per_100000);
		bloom_free(&b);
	}
}

static void test_sizes(void **state)
{
	struct bloom b;

	assert_int_equal(bloom_init(&b, 0), 0); /* one key's worth */
	assert_int_equal(bloom_bytes(&b), 8);
	assert_false(bloom_maybe(&b, "x"));
	bloom_add(&b, "x");
	assert_true(bloom_maybe(&b, "x"));
	bloom_free(&b);
	assert_int_equal(bloom_init(&b, 1000000), 0);
	assert_int_equal(bloom_bytes(&b), 2 * 1024 * 1024); /* 16 Mbit >= 10 Mbit */
	bloom_free(&b);
	assert_int_equal(bloom_bytes(&b), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_false_no),
		cmocka_unit_test(test_false_perhaps),
		cmocka_unit_test(test_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
