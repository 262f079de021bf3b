/* The rate limit on lines about malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "log.h"

static void test_limit(void **state)
{
	/* at, how many lines asked for then; how many allowed, held reported on the first allowed */
	static const struct {
		long long at;
		unsigned asked, allowed, held;
	} steps[] = {
		{1000, 5, 5, 0},
		{1500, LOG_LIMIT_PER_S, LOG_LIMIT_PER_S - 5, 0}, /* 5 held back */
		{1999, 3, 0, 0},                                  /* 8 held back */
		{2000, 2, 2, 8},                                  /* a new second: reported once */
		{2100, 1, 1, 0},
		{9000, 1, 1, 0},
		{500, 1, 1, 0},                                   /* the clock went back: a new window */
	};
	struct log_limit l = {0};

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		unsigned allowed = 0, first_held = 0, held;
		for (unsigned k = 0; k < steps[i].asked; k++) {
			if (log_limit(&l, steps[i].at, &held)) {
				if (allowed++ == 0)
					first_held = held;
				else
					assert_int_equal(held, 0);
			}
		}
		if (allowed != steps[i].allowed || first_held != steps[i].held)
			fail_msg("step %zu: %u allowed, %u held", i, allowed, first_held);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
