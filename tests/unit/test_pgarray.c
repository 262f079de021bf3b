/* Column arrays in PostgreSQL's binary array form (array_recv). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "pgarray.h"
#include "store_job.h"

static void done(struct store_job *job, int status)
{
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The header of column c: one dimension of n elements of type oid, from 1. */
static void check_header(const struct pgarray_col *c, uint32_t oid, uint32_t n)
{
	assert_int_equal(get32(c->buf), 1);
	assert_int_equal(get32(c->buf + 8), oid);
	assert_int_equal(get32(c->buf + 12), n);
	assert_int_equal(get32(c->buf + 16), 1);
}

/* Element i of column c: its length (-1 for NULL) and where its bytes are. */
static int32_t element_at(const struct pgarray_col *c, size_t i, const uint8_t **data)
{
	const uint8_t *p = c->buf + 20;

	for (;;) {
		int32_t len = (int32_t)get32(p);
		if (i-- == 0) {
			*data = p + 4;
			return len;
		}
		p += 4 + (len > 0 ? len : 0);
	}
}

static void check_text(const struct pgarray_col *c, size_t i, const char *want)
{
	const uint8_t *data;
	int32_t len = element_at(c, i, &data);

	if (want == NULL) {
		assert_int_equal(len, -1);
		return;
	}
	assert_int_equal(len, strlen(want));
	assert_memory_equal(data, want, len);
}

static void test_elements(void **state)
{
	struct pgarray r;
	struct store_job *job = store_job_new(STORE_WRITE, done, NULL);
	const uint8_t bytes[] = {0x00, 0x0a, 0xff};
	const uint8_t *data;

	pgarray_init(&r, 5);
	pgarray_text(&r, 0, "plain");
	pgarray_int(&r, 1, -5);
	pgarray_bytea(&r, 2, bytes, sizeof(bytes));
	pgarray_bool(&r, 3, true);
	pgarray_numeric(&r, 4, 18446744073709551615ULL);
	pgarray_text(&r, 0, "quote \" back \\ comma , brace }");
	pgarray_uint(&r, 1, 258);
	pgarray_bytea(&r, 2, bytes, 0);
	pgarray_bool(&r, 3, false);
	pgarray_numeric(&r, 4, 0);
	pgarray_text(&r, 0, NULL);
	pgarray_int(&r, 1, 0);
	pgarray_bytea(&r, 2, NULL, 0);
	pgarray_bool(&r, 3, true);
	pgarray_numeric(&r, 4, 7);
	assert_int_equal(pgarray_count(&r), 3);
	assert_int_equal(pgarray_flush(&r, job, 0), 0);
	assert_int_equal(store_job_size(job), 1);

	check_header(&r.cols[0], 25, 3);
	check_text(&r.cols[0], 0, "plain");
	check_text(&r.cols[0], 1, "quote \" back \\ comma , brace }"); /* no escaping */
	check_text(&r.cols[0], 2, NULL);
	check_header(&r.cols[1], 20, 3);
	assert_int_equal(element_at(&r.cols[1], 0, &data), 8);
	assert_memory_equal(data, "\xff\xff\xff\xff\xff\xff\xff\xfb", 8);
	assert_int_equal(element_at(&r.cols[1], 1, &data), 8);
	assert_memory_equal(data, "\0\0\0\0\0\0\x01\x02", 8);
	check_header(&r.cols[2], 17, 3);
	assert_int_equal(element_at(&r.cols[2], 0, &data), 3);
	assert_memory_equal(data, bytes, 3);
	assert_int_equal(element_at(&r.cols[2], 1, &data), 0); /* empty, not NULL */
	assert_int_equal(element_at(&r.cols[2], 2, &data), 0);
	check_header(&r.cols[3], 16, 3);
	assert_int_equal(element_at(&r.cols[3], 1, &data), 1);
	assert_int_equal(*data, 0);
	check_header(&r.cols[4], 25, 3);
	check_text(&r.cols[4], 0, "18446744073709551615");
	check_text(&r.cols[4], 1, "0");

	pgarray_clear(&r);
	assert_int_equal(pgarray_count(&r), 0);
	assert_int_equal(pgarray_flush(&r, job, 0), 0); /* nothing: no statement */
	assert_int_equal(store_job_size(job), 1);
	pgarray_free(&r);
	store_job_free(job);
}

/* A column given two types, a bigint out of range, a row left short or a
 * column past the statement's is refused at flush, not sent for PostgreSQL
 * to misread (nor written past the array). */
static void test_refused(void **state)
{
	struct pgarray r;
	struct store_job *job = store_job_new(STORE_WRITE, done, NULL);

	pgarray_init(&r, 1);
	pgarray_text(&r, 0, "a");
	pgarray_int(&r, 0, 1);
	assert_int_equal(pgarray_flush(&r, job, 0), -EINVAL);
	pgarray_clear(&r);
	pgarray_uint(&r, 0, 9223372036854775808ULL);
	assert_int_equal(pgarray_flush(&r, job, 0), -EINVAL);
	pgarray_clear(&r);
	pgarray_uint(&r, 0, 9223372036854775807ULL);
	assert_int_equal(pgarray_flush(&r, job, 0), 0);
	pgarray_free(&r);

	pgarray_init(&r, 2);
	pgarray_text(&r, 0, "a");
	pgarray_text(&r, 1, "b");
	pgarray_text(&r, 0, "c");
	assert_int_equal(pgarray_flush(&r, job, 0), -EINVAL);
	assert_int_equal(store_job_size(job), 1);
	pgarray_clear(&r);
	pgarray_text(&r, 2, "past");
	pgarray_bytea_or_null(&r, PGARRAY_MAX_COLS, NULL, 0);
	assert_int_equal(pgarray_flush(&r, job, 0), -EINVAL);
	pgarray_free(&r);
	store_job_free(job);
}

static void test_large_column_grows(void **state)
{
	struct pgarray r;
	struct store_job *job = store_job_new(STORE_WRITE, done, NULL);
	uint8_t big[5000];
	const uint8_t *data;

	memset(big, 0xab, sizeof(big));
	pgarray_init(&r, 1);
	for (int i = 0; i < 100; i++)
		pgarray_bytea(&r, 0, big, sizeof(big));
	assert_int_equal(pgarray_flush(&r, job, 0), 0);
	/* the header, then a length and 5,000 bytes each */
	assert_int_equal(r.cols[0].len, 20 + 100 * (4 + 5000));
	assert_int_equal(element_at(&r.cols[0], 99, &data), 5000);
	assert_memory_equal(data, big, 5000);
	pgarray_free(&r);
	store_job_free(job);
}

/* The parameters of a job that fills the arena of one freed before it (kept
 * for reuse) are its own, in length and bytes. */
static void test_arena_after_freed_job(void **state)
{
	struct pgarray r;
	struct store_job *a = store_job_new(STORE_WRITE, done, NULL), *b;
	uint8_t big[5000];
	const char *values[1];
	int lengths[1], formats[1];

	memset(big, 0xab, sizeof(big));
	pgarray_init(&r, 1);
	for (int i = 0; i < 200; i++)
		pgarray_bytea(&r, 0, big, sizeof(big));
	assert_int_equal(pgarray_flush(&r, a, 0), 0);
	store_job_free(a);
	pgarray_clear(&r);
	pgarray_text(&r, 0, "after");
	b = store_job_new(STORE_WRITE, done, NULL);
	assert_int_equal(pgarray_flush(&r, b, 3), 0);
	assert_int_equal(store_job_size(b), 1);
	assert_int_equal(b->priv->stmts[0].id, 3);
	store_job_params(b, &b->priv->stmts[0], values, lengths, formats);
	assert_int_equal(lengths[0], r.cols[0].len);
	assert_memory_equal(values[0], r.cols[0].buf, r.cols[0].len);
	assert_int_equal(formats[0], 1);
	pgarray_free(&r);
	store_job_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elements),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_large_column_grows),
		cmocka_unit_test(test_arena_after_freed_job),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
