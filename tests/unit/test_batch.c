/* The batch queue's thresholds: when a filling batch is full and sealed,
 * what counts as in flight, when intake pauses and resumes, when a drain
 * is over. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "batch.h"

static void test_full(void **state)
{
	static const struct {
		size_t n;
		int max;
		bool full;
	} cases[] = {
		{0, 1, false},   {1, 1, true},      {1, 500, false},  {499, 500, false},
		{500, 500, true}, {501, 500, true}, /* a replayed slice never passes it */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(batch_full(cases[i].n, cases[i].max), cases[i].full);
}

static void test_in_flight(void **state)
{
	static const struct {
		size_t queued, committing;
		bool loading;
		size_t want;
	} cases[] = {
		{0, 0, false, 0}, {1, 0, false, 1}, {0, 1, false, 1},
		{2, 3, false, 5}, {2, 3, true, 6},  {0, 0, true, 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct batch_queue q = {0};

		q.n_queued = cases[i].queued;
		q.n_committing = cases[i].committing;
		q.loading = cases[i].loading;
		assert_int_equal(batch_in_flight(&q), cases[i].want);
	}
}

static void test_pause(void **state)
{
	static const struct {
		size_t in_flight;
		int max;
		bool pause;
	} cases[] = {
		{0, 4, false}, {3, 4, false}, {4, 4, true}, /* pauses at the limit */
		{5, 4, true},  {3, 4, false},               /* resumes below it */
		{0, 1, false}, {1, 1, true},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(batch_pause_wanted(cases[i].in_flight, cases[i].max),
				 cases[i].pause);
}

static void test_drained(void **state)
{
	struct batch filling = {0};
	static const struct {
		bool draining, filling;
		size_t queued, committing;
		bool drained;
	} cases[] = {
		{false, false, 0, 0, false}, /* not asked */
		{true, false, 0, 0, true},
		{true, true, 0, 0, false},   /* a batch still filling */
		{true, false, 1, 0, false},  /* one queued */
		{true, false, 0, 1, false},  /* one committing */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct batch_queue q = {0};

		q.draining = cases[i].draining;
		q.filling = cases[i].filling ? &filling : NULL;
		q.n_queued = cases[i].queued;
		q.n_committing = cases[i].committing;
		assert_int_equal(batch_drained(&q), cases[i].drained);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_in_flight),
		cmocka_unit_test(test_pause),
		cmocka_unit_test(test_drained),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
