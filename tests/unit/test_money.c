#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "money.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_mul_bp(void **state)
{
	static const struct {
		fen_t amount;
		int64_t bp;
		fen_t want;
	} cases[] = {
		/* POLICY: Huimin inpatient (eligible expense - deductible) x rate */
		{1000000 - 10000, 6000, 594000},
		{1000000 - 10000, 5000, 495000},
		{1000000 - 10000, 4000, 396000},
		{1000000 - 10000, 0, 0},
		{1000000, 6000, 600000}, /* three_noes: no deductible */
		/* medical assistance: burden x 5,000 bp [local default] */
		{1279000, 5000, 639500},
		/* temporary assistance for the marginal: burden x 6,000 bp */
		{333333, 6000, 200000}, /* 199999.8 */
		/* vagrant: total x 5,000 bp */
		{160001, 5000, 80001}, /* 80000.5 rounds up */
		/* affordable housing: at most 70 % of the price */
		{12345, 7000, 8642}, /* 8641.5 */
		/* odd values that round */
		{1, 5000, 1},
		{1, 4999, 0},
		{3, 3333, 1}, /* 0.9999 */
		{1, 1, 0},
		{15, 3333, 5}, /* 4.9995 */
		{5, 1000, 1}, /* 0.5 */
		{4, 1000, 0}, /* 0.4 */
		{7, 10000, 7},
		{0, 6000, 0},
		{99, 15000, 149}, /* 148.5 */
		/* negatives round away from zero */
		{-1, 5000, -1},
		{-1, 4999, 0},
		{-5, 1000, -1},
		{-1279000, 5000, -639500},
		{3, -5000, -2}, /* -1.5 */
		/* the product does not fit 64 bits, the result does */
		{INT64_MAX, 5000, INT64_MAX / 2 + 1},
		{INT64_MAX, 10000, INT64_MAX},
		{INT64_MIN, 10000, INT64_MIN},
		{(fen_t)1 << 62, 20000, INT64_MAX}, /* saturates */
		{-((fen_t)1 << 62), 30000, INT64_MIN},
		{900000000000000000, 9999, 899910000000000000},
	};
	for (size_t i = 0; i < N(cases); i++) {
		fen_t got = money_mul_bp(cases[i].amount, cases[i].bp);
		if (got != cases[i].want)
			fail_msg("%lld x %lld bp = %lld, want %lld", (long long)cases[i].amount,
				 (long long)cases[i].bp, (long long)got, (long long)cases[i].want);
	}
}

static void test_div(void **state)
{
	static const struct {
		fen_t amount;
		int64_t divisor;
		fen_t want;
	} cases[] = {
		/* urban dibao: household amount / members */
		{3 * 18500 - 20000, 3, 11833}, /* 35500 / 3 = 11833.3 */
		{2 * 16500 - 1, 2, 16500},     /* 16499.5 */
		{4 * 18500 - 10002, 4, 16000}, /* 15999.5 */
		{18500, 1, 18500},
		{10, 4, 3},  /* 2.5 */
		{10, 3, 3},  /* 3.33 */
		{11, 3, 4},  /* 3.67 */
		{-10, 4, -3}, /* -2.5 */
		{-10, 3, -3},
		{0, 7, 0},
		{INT64_MAX, 2, INT64_MAX / 2 + 1},
		{INT64_MIN, 2, INT64_MIN / 2},
		{INT64_MIN, 1, INT64_MIN},
		{18500, 0, 0}, /* outside the contract, but no crash */
	};
	for (size_t i = 0; i < N(cases); i++) {
		fen_t got = money_div(cases[i].amount, cases[i].divisor);
		if (got != cases[i].want)
			fail_msg("%lld / %lld = %lld, want %lld", (long long)cases[i].amount,
				 (long long)cases[i].divisor, (long long)got,
				 (long long)cases[i].want);
	}
}

static void test_clamp_min_max(void **state)
{
	static const struct {
		fen_t v, lo, hi, want;
	} cases[] = {
		/* rural dibao class II inside 3,500-6,000 */
		{3000, 3500, 6000, 3500},
		{3500, 3500, 6000, 3500},
		{4200, 3500, 6000, 4200},
		{6000, 3500, 6000, 6000},
		{6001, 3500, 6000, 6000},
		/* university entry 100,000-300,000 */
		{350000, 100000, 300000, 300000},
		{-5, 0, 10, 0},
	};
	for (size_t i = 0; i < N(cases); i++)
		assert_int_equal(money_clamp(cases[i].v, cases[i].lo, cases[i].hi), cases[i].want);
	/* medical assistance YTD within 800,000 */
	assert_int_equal(money_min(800000 - 700000, 639500), 100000);
	assert_int_equal(money_min(639500, 800000), 639500);
	assert_int_equal(money_min(-1, 0), -1);
	assert_int_equal(money_max(1279000 - 1500000, 0), 0); /* burden never below 0 */
	assert_int_equal(money_max(1279000, 0), 1279000);
	assert_int_equal(money_max(-3, -7), -3);
}

static void test_format(void **state)
{
	static const struct {
		fen_t amount;
		const char *want;
	} cases[] = {
		{123450, "1234.50"},
		{0, "0.00"},
		{5, "0.05"},
		{-5, "-0.05"},
		{-100, "-1.00"},
		{18500, "185.00"},
		{2000000, "20000.00"},
		{639500, "6395.00"},
		{-123456, "-1234.56"},
		{INT64_MAX, "92233720368547758.07"},
		{INT64_MIN, "-92233720368547758.08"},
	};
	char buf[32];

	for (size_t i = 0; i < N(cases); i++) {
		memset(buf, 'z', sizeof(buf));
		assert_ptr_equal(money_format(cases[i].amount, buf, sizeof(buf)), buf);
		assert_string_equal(buf, cases[i].want);
	}
	/* a short buffer is cut, not overrun */
	memset(buf, 'z', sizeof(buf));
	money_format(123450, buf, 4);
	assert_string_equal(buf, "123");
	assert_int_equal(buf[4], 'z');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mul_bp),
		cmocka_unit_test(test_div),
		cmocka_unit_test(test_clamp_min_max),
		cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
