/* Column arrays as PostgreSQL reads them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "pgarray.h"

static void done(struct store_job *job, int status)
{
}

static void test_literals(void **state)
{
	struct pgarray r;
	struct store_job *job = store_job_new(STORE_WRITE, done, NULL);
	const uint8_t bytes[] = {0x00, 0x0a, 0xff};

	pgarray_init(&r, 4);
	pgarray_text(&r, 0, "plain");
	pgarray_int(&r, 1, -5);
	pgarray_bytea(&r, 2, bytes, sizeof(bytes));
	pgarray_bool(&r, 3, true);
	pgarray_text(&r, 0, "quote \" back \\ comma , brace }");
	pgarray_uint(&r, 1, 18446744073709551615ULL);
	pgarray_bytea(&r, 2, bytes, 0);
	pgarray_bool(&r, 3, false);
	pgarray_text(&r, 0, NULL);
	pgarray_int(&r, 1, 0);
	pgarray_text(&r, 2, NULL);
	pgarray_bool(&r, 3, true);
	assert_int_equal(pgarray_count(&r), 3);
	assert_int_equal(pgarray_flush(&r, job, 0), 0);
	assert_int_equal(store_job_size(job), 1);
	assert_string_equal(r.cols[0].buf,
			    "{\"plain\",\"quote \\\" back \\\\ comma , brace }\",NULL}");
	assert_string_equal(r.cols[1].buf, "{-5,18446744073709551615,0}");
	assert_string_equal(r.cols[2].buf, "{\"\\\\x000aff\",\"\\\\x\",NULL}");
	assert_string_equal(r.cols[3].buf, "{t,f,t}");
	pgarray_clear(&r);
	assert_int_equal(pgarray_count(&r), 0);
	assert_int_equal(pgarray_flush(&r, job, 0), 0); /* nothing: no statement */
	assert_int_equal(store_job_size(job), 1);
	pgarray_text(&r, 0, "again");
	pgarray_int(&r, 1, 1);
	pgarray_text(&r, 2, "x");
	pgarray_bool(&r, 3, false);
	assert_int_equal(pgarray_flush(&r, job, 0), 0);
	assert_string_equal(r.cols[0].buf, "{\"again\"}");
	pgarray_free(&r);
	store_job_free(job);
}

static void test_large_column_grows(void **state)
{
	struct pgarray r;
	struct store_job *job = store_job_new(STORE_WRITE, done, NULL);
	uint8_t big[5000];

	memset(big, 0xab, sizeof(big));
	pgarray_init(&r, 1);
	for (int i = 0; i < 100; i++)
		pgarray_bytea(&r, 0, big, sizeof(big));
	assert_int_equal(pgarray_flush(&r, job, 0), 0);
	/* 100 x ("\\x" + 10,000 hex digits + quotes) + commas + braces */
	assert_int_equal(strlen(r.cols[0].buf), 100 * (10000 + 5) + 99 + 2);
	pgarray_free(&r);
	store_job_free(job);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_large_column_grows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
