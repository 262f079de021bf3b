/* A batch's tables: one column per parameter of the statement that writes
 * each, and one statement per table that has rows. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "commit.h"
#include "schema.h"

static void done(struct store_job *job, int status)
{
}

static void test_columns_from_catalog(void **state)
{
	struct commit c;
	const struct {
		const struct pgarray *rows;
		enum schema_stmt statement;
	} tables[] = {
		{&c.journal, SQL_JOURNAL_ROWS},       {&c.dead_letters, SQL_DEAD_LETTER_ROWS},
		{&c.ledger, SQL_LEDGER_ROWS},         {&c.alerts, SQL_ALERT_ROWS},
		{&c.explanations, SQL_EXPLANATION_ROWS}, {&c.households, SQL_HOUSEHOLD_ROWS},
		{&c.persons, SQL_PERSON_ROWS},        {&c.feed, SQL_FEED_ROWS},
		{&c.positions, SQL_POSITION_ROWS},    {&c.fund_years, SQL_FUND_YEAR_ROWS},
		{&c.feed_pages, SQL_FEED_PAGE_ROWS},  {&c.entitlement_lists, SQL_ENTITLEMENT_LIST_ROWS},
	};

	commit_init(&c);
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		int nparams = schema_catalog.statements[tables[i].statement].nparams;

		/* A statement with more columns than an array set holds would
		 * write past it: raise PGARRAY_MAX_COLS with the statement. */
		assert_true(nparams <= PGARRAY_MAX_COLS);
		assert_int_equal(tables[i].rows->ncols, nparams);
	}
	commit_free(&c);
}

static void test_flush(void **state)
{
	struct commit c = {0};
	struct store_job *job = store_job_new(STORE_WRITE, done, NULL);
	const uint8_t msg[] = {1, 2, 3};

	commit_init(&c);
	assert_int_equal(commit_flush(&c, job), 0);
	assert_int_equal(store_job_size(job), 0); /* nothing: no statement */
	commit_feed(&c, 7, "record/-/-", msg, sizeof(msg));
	commit_feed(&c, 8, "record/-/-", msg, sizeof(msg));
	commit_explanation(&c, "x", "benefit dibao", (const uint8_t *)"", 0);
	assert_int_equal(commit_flush(&c, job), 0);
	assert_int_equal(store_job_size(job), 2);
	assert_int_equal(pgarray_count(&c.feed), 0); /* started over */
	commit_free(&c);
	store_job_free(job);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_columns_from_catalog),
		cmocka_unit_test(test_flush),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
