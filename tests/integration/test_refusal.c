/* A batch the store refuses: assistd keeps running, takes the batch's events
 * again one by one, rejects the one the store will not take with the store's
 * message, and applies everything else, in and after that batch. The refusal
 * is made real by triggers in assistd's own database that raise a data
 * exception (SQLSTATE 22023) for chosen rows. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

#define N_EVENTS 300

static struct fixture fx;
static char poison_person[19], poison_twice[19];

/* Persons 1..N, one event each; two of them the store refuses (the second
 * also as a dead letter, by its name). */
static const char *events(void)
{
	static char buf[N_EVENTS * 200];
	size_t n = 0;

	for (int i = 1; i <= N_EVENTS; i++) {
		char id[19];
		fixture_id(id, "420704", "19800101", i);
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      "{\"source\":\"civil_affairs\",\"seq\":%d,\"kind\":\"person\","
				      "\"person\":{\"id_number\":\"%s\",\"name\":\"%s\","
				      "\"household_id\":\"H-%d\",\"hukou\":\"urban\",\"area\":\"city\"}}\n",
				      i, id, i == 200 ? "Poison Twice" : "Wang", i);
	}
	return buf;
}

static int setup(void **state)
{
	char sql[1024], *r;
	PGconn *db;

	fixture_id(poison_person, "420704", "19800101", 100);
	fixture_id(poison_twice, "420704", "19800101", 200);
	if (fixture_setup(&fx, "refusal", "batch_max_events = 40\n") < 0 ||
	    fixture_assistd_start(&fx) < 0)
		return -1;
	snprintf(sql, sizeof(sql),
		 "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
		 "IF NEW.id_number IN ('%s', '%s') THEN "
		 "RAISE EXCEPTION 'this row is poisoned' USING ERRCODE = '22023'; END IF; "
		 "RETURN NEW; END $$; "
		 "CREATE TRIGGER poison BEFORE INSERT OR UPDATE ON person "
		 "FOR EACH ROW EXECUTE FUNCTION poison(); "
		 "CREATE FUNCTION poison_letter() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
		 "IF NEW.event::text LIKE '%%Poison Twice%%' THEN "
		 "RAISE EXCEPTION 'this letter is poisoned' USING ERRCODE = '22023'; END IF; "
		 "RETURN NEW; END $$; "
		 "CREATE TRIGGER poison_letter BEFORE INSERT ON dead_letter "
		 "FOR EACH ROW EXECUTE FUNCTION poison_letter(); SELECT 'ok'",
		 poison_person, poison_twice);
	if ((db = fixture_connect(&fx, "assist")) == NULL)
		return -1;
	r = fixture_query(db, sql);
	PQfinish(db);
	if (r == NULL || strcmp(r, "ok") != 0) {
		free(r);
		return -1;
	}
	free(r);
	return 0;
}

static int teardown(void **state)
{
	fixture_teardown(&fx);
	return 0;
}

static long long sql_int(const char *sql)
{
	char *r = fixture_sql(&fx, sql);
	long long v = r ? atoll(r) : -1;

	free(r);
	return v;
}

static void check_counts(void)
{
	json_t *st = fixture_status(&fx);

	assert_non_null(st);
	assert_int_equal(fixture_int(st, "sources.civil_affairs.position"), N_EVENTS);
	assert_int_equal(fixture_int(st, "sources.civil_affairs.applied"), N_EVENTS - 2);
	assert_int_equal(fixture_int(st, "sources.civil_affairs.rejected"), 2);
	json_decref(st);
	assert_int_equal(sql_int("SELECT count(*) FROM event_journal"), N_EVENTS - 2);
	assert_int_equal(sql_int("SELECT count(*) FROM person"), N_EVENTS - 2);
	assert_int_equal(sql_int("SELECT count(*) FROM dead_letter"), 2);
}

static void test_refused_rows_are_isolated(void **state)
{
	const char *path = fixture_write(&fx, "persons.jsonl", events());
	const char *argv[] = {"assistctl", "-c", fx.conf, "push", path, NULL};
	char id[19], *err = NULL, *log, *reason;
	json_t *rec;
	int code;

	/* Two events rejected: push says so and exits 1, but finishes. */
	assert_int_equal(fixture_run(&fx, NULL, &err, argv), 1);
	free(err);
	assert_int_equal(fixture_assistd_signal(&fx, 0), 0);
	check_counts();

	/* The first refused alone: its dead letter keeps the event and says why. */
	reason = fixture_sql(&fx, "SELECT field || ': ' || reason FROM dead_letter "
				  "WHERE major = 100 AND event IS NOT NULL");
	assert_non_null(reason);
	assert_non_null(strstr(reason, "event: the store refused it (SQLSTATE 22023)"));
	assert_non_null(strstr(reason, "this row is poisoned"));
	free(reason);
	/* The second's dead letter was refused too: one without the event. */
	assert_int_equal(sql_int("SELECT count(*) FROM dead_letter WHERE major = 200 "
				 "AND event IS NULL AND raw IS NULL"), 1);

	/* Neighbours in the refused batches and everything after are applied. */
	for (int i = 99; i <= 201; i += 2) {
		if (i == 100 || i == 200)
			continue;
		fixture_id(id, "420704", "19800101", i);
		rec = fixture_get(&fx, id, 0, &code);
		assert_non_null(rec);
		json_decref(rec);
	}
	fixture_id(id, "420704", "19800101", N_EVENTS);
	rec = fixture_get(&fx, id, 0, &code);
	assert_non_null(rec);
	json_decref(rec);
	rec = fixture_get(&fx, poison_person, 0, &code);
	assert_null(rec);
	assert_int_equal(code, 3);

	/* The log names the refusal, never the full ID number. */
	log = fixture_read(&fx, "assistd.log");
	assert_non_null(strstr(log, "refused by the store"));
	assert_null(strstr(log, poison_person));
	assert_null(strstr(log, poison_twice));
	free(log);

	/* What memory showed is what was committed: a restart shows the same. */
	assert_int_equal(fixture_assistd_stop(&fx, SIGTERM), 0);
	assert_int_equal(fixture_assistd_start(&fx), 0);
	check_counts();

	/* The same file again: every event already applied, nothing new. */
	err = NULL;
	assert_int_equal(fixture_run(&fx, NULL, &err, argv), 0);
	free(err);
	check_counts();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused_rows_are_isolated),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
