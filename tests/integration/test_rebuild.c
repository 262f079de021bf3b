/* assistctl dump and assistd --rebuild: two dumps of one state are the same
 * bytes; a store rebuilt from its journal alone dumps the same as before,
 * and so does a fresh database given only a copy of the journal; a journal
 * of rows (before migration 24) becomes pages with the same events. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventgen.h"
#include "faults.h"
#include "fixture.h"

#define HOUSEHOLDS 300

static struct fixture fx;
static long sent[EG_N];

static int setup(void **state)
{
	struct eventgen g = {.prefix = "R", .region = "420704", .first_household = 0,
			     .n_households = HOUSEHOLDS, .first_seq = 1000,
			     .sources = (1u << EG_N) - 1};

	if (fixture_setup(&fx, "rebuild", NULL) < 0 || fixture_assistd_start(&fx) < 0)
		return -1;
	g.dir = fx.dir;
	return eventgen_write(&g, sent);
}

static int teardown(void **state)
{
	fixture_teardown(&fx);
	return 0;
}

static void push_all(void)
{
	char family[600], file[300];
	const char *argv[] = {"assistctl", "-c", fx.conf, "push", NULL, NULL};

	snprintf(family, sizeof(family), "%s/examples/family.jsonl", fx.src);
	argv[4] = family;
	assert_int_equal(fixture_run(&fx, NULL, NULL, argv), 0);
	for (int s = 0; s < EG_N; s++) {
		int rc;
		snprintf(file, sizeof(file), "%s/R-%s.jsonl", fx.dir, eventgen_sources[s]);
		argv[4] = file;
		rc = fixture_run(&fx, NULL, NULL, argv);
		/* health brings the bills with a negative amount: exit 1 */
		assert_int_equal(rc, s == EG_HEALTH ? 1 : 0);
	}
}

/* Every line a record, in ID order, keys sorted, nothing of timing. */
static void check_dump_form(const char *name, long recipients)
{
	char *text = fixture_read(&fx, name), *line, *save = NULL, prev[19] = "";
	long n = 0;

	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		json_t *j = json_loads(line, 0, NULL);
		char *again;
		assert_non_null(j);
		assert_true(strcmp(prev, fixture_str(j, "id_number")) < 0);
		snprintf(prev, sizeof(prev), "%s", fixture_str(j, "id_number"));
		assert_null(json_object_get(j, "version"));
		assert_null(json_object_get(j, "feed_seq"));
		assert_null(json_object_get(j, "updated_at"));
		assert_non_null(json_object_get(j, "ledger"));
		assert_non_null(json_object_get(j, "ytd"));
		assert_non_null(json_object_get(j, "household"));
		again = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
		assert_string_equal(again, line);
		free(again);
		json_decref(j);
		n++;
	}
	free(text);
	assert_int_equal(n, recipients);
}

static void test_dump_rebuild_same(void **state)
{
	json_t *st;
	char *out = NULL;
	long long ledger, journal;
	long recipients;

	push_all();
	st = fixture_status(&fx);
	assert_non_null(st);
	recipients = (long)fixture_int(st, "recipients");
	assert_true(recipients >= 3 * HOUSEHOLDS);
	json_decref(st);

	assert_int_equal(faults_dump(&fx, fx.conf, "dump1"), 0);
	assert_int_equal(faults_dump(&fx, fx.conf, "dump1b"), 0);
	assert_true(faults_same(&fx, "dump1", "dump1b"));
	check_dump_form("dump1", recipients);

	ledger = faults_count(&fx, "SELECT count(*) FROM ledger");
	journal = faults_count(&fx, "SELECT count(*) FROM event_journal");
	assert_true(ledger > HOUSEHOLDS);
	assert_int_equal(fixture_assistd_stop(&fx, SIGTERM), 0);
	assert_int_equal(faults_rebuild(&fx, fx.conf, &out), 0);
	assert_non_null(out);
	print_message("%s", out);
	assert_non_null(strstr(out, "rebuilt from "));
	assert_non_null(strstr(out, " 0 events now rejected"));
	free(out);
	/* The journal is untouched; the money is the same. */
	assert_int_equal(faults_count(&fx, "SELECT count(*) FROM event_journal"), journal);
	assert_int_equal(faults_count(&fx, "SELECT count(*) FROM ledger"), ledger);
	assert_int_equal(faults_count(&fx, "SELECT count(*) FROM store_meta WHERE key = "
					   "'rebuilding'"), 0);
	assert_int_equal(fixture_assistd_start(&fx), 0);
	assert_int_equal(faults_dump(&fx, fx.conf, "dump2"), 0);
	assert_true(faults_same(&fx, "dump1", "dump2"));
	st = fixture_status(&fx);
	for (int s = 0; s < EG_N; s++) {
		char path[64];
		snprintf(path, sizeof(path), "sources.%s.position", eventgen_sources[s]);
		assert_int_equal(fixture_int(st, path), 1000 + sent[s] - 1);
	}
	json_decref(st);
}

/* A store whose journal is a row an event (before migration 24) gets the
 * same events, positions and chain as pages, and audits clean. */
static void test_journal_rows_become_pages(void **state)
{
	const char *events = "SELECT md5(string_agg(concat_ws(':', id, source, major, minor, "
			     "kind, md5(event), encode(prev_digest, 'hex'), encode(digest, 'hex'), "
			     "received_at), ',' ORDER BY id)) FROM event_journal";
	const char *audit[] = {"assist-audit", "-c", fx.conf, NULL};
	char *before = fixture_sql(&fx, events), *undo, *after;
	long long rows = faults_count(&fx, "SELECT count(*) FROM event_journal");

	assert_non_null(before);
	assert_true(rows > 1000);
	assert_int_equal(fixture_assistd_stop(&fx, SIGTERM), 0);
	undo = fixture_sql(&fx, "CREATE TABLE journal_rows AS SELECT * FROM event_journal; "
				"DROP FUNCTION journal_after(bigint, integer); DROP VIEW event_journal; "
				"DROP TABLE journal_page; ALTER TABLE journal_rows RENAME TO event_journal; "
				"DELETE FROM schema_migrations WHERE version = 24; SELECT 1");
	assert_non_null(undo);
	free(undo);
	assert_int_equal(fixture_assistd_start(&fx), 0);
	after = fixture_sql(&fx, events);
	assert_non_null(after);
	assert_string_equal(after, before);
	/* Pages of at most 500, none across two transactions. */
	assert_int_equal(faults_count(&fx, "SELECT count(*) FROM journal_page WHERE "
					   "last_id - first_id >= 500 OR cardinality(events) <> "
					   "last_id - first_id + 1"), 0);
	assert_true(faults_count(&fx, "SELECT count(*) FROM journal_page") >= (rows + 499) / 500);
	assert_int_equal(fixture_run(&fx, NULL, NULL, audit), 0);
	free(before);
	free(after);
}

static void test_fresh_database_from_journal_copy(void **state)
{
	char conninfo[512], line[700], *out = NULL;
	const char *audit[] = {"assist-audit", "-c", fx.conf, NULL};

	assert_int_equal(fixture_createdb(&fx, "assist_copy", NULL), 0);
	assert_int_equal(faults_conninfo(&fx, "assist_copy", conninfo, sizeof(conninfo)), 0);
	assert_int_equal(fixture_assistd_stop(&fx, SIGTERM), 0);
	snprintf(line, sizeof(line), "database = %s", conninfo);
	assert_int_equal(fixture_conf_append(&fx, line), 0);
	/* The first rebuild makes the schema of an empty store. */
	assert_int_equal(faults_rebuild(&fx, fx.conf, NULL), 0);
	assert_int_equal(faults_copy_journal(&fx, "assist_copy"), 0);
	assert_int_equal(faults_rebuild(&fx, fx.conf, &out), 0);
	print_message("%s", out);
	free(out);
	assert_int_equal(fixture_run(&fx, NULL, NULL, audit), 0);
	assert_int_equal(fixture_assistd_start(&fx), 0);
	assert_int_equal(faults_dump(&fx, fx.conf, "dump3"), 0);
	assert_true(faults_same(&fx, "dump1", "dump3"));
}

/* A rebuild cut short leaves its marker: a plain start refuses. */
static void test_unfinished_rebuild_refuses_start(void **state)
{
	PGconn *db = fixture_connect(&fx, "assist_copy");
	char *log;

	assert_non_null(db);
	assert_int_equal(fixture_assistd_stop(&fx, SIGTERM), 0);
	free(fixture_query(db, "INSERT INTO store_meta VALUES ('rebuilding', 1)"));
	PQfinish(db);
	assert_int_equal(fixture_assistd_start(&fx), -1);
	log = fixture_read(&fx, "assistd.log");
	assert_non_null(strstr(log, "unfinished rebuild"));
	free(log);
	assert_int_equal(faults_rebuild(&fx, fx.conf, NULL), 0);
	assert_int_equal(fixture_assistd_start(&fx), 0);
	assert_int_equal(faults_dump(&fx, fx.conf, "dump4"), 0);
	assert_true(faults_same(&fx, "dump1", "dump4"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump_rebuild_same),
		cmocka_unit_test(test_journal_rows_become_pages),
		cmocka_unit_test(test_fresh_database_from_journal_copy),
		cmocka_unit_test(test_unfinished_rebuild_refuses_start),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
