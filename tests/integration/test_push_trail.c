/* assistctl push against a real assistd: the lines assistctl cannot read
 * reach assistd (counted in status, kept as dead letters with the line),
 * and a second push of the same file is reported as already applied. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static struct fixture fx;

static int setup(void **state)
{
	if (fixture_setup(&fx, "push-trail", NULL) < 0 || fixture_assistd_start(&fx) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	fixture_teardown(&fx);
	return 0;
}

static int push_file(const char *path, char **err)
{
	const char *argv[] = {"assistctl", "-c", fx.conf, "push", path, NULL};

	return fixture_run(&fx, NULL, err, argv);
}

/* examples/bad.jsonl as the README shows it, then pushed again. */
static void test_bad_example_leaves_a_trail(void **state)
{
	char path[600], *err = NULL, *raw;
	json_t *st;

	snprintf(path, sizeof(path), "%s/examples/bad.jsonl", fx.src);
	assert_int_equal(push_file(path, &err), 1);
	assert_non_null(strstr(err, "line 2: status.id_number: check character does not match\n"));
	assert_non_null(strstr(err, "line 4: status.since: \"2026-02-30\" is not a date"));
	assert_non_null(strstr(err, "line 5: medical_claim.total_fen: must not be negative\n"));
	assert_non_null(strstr(err, "line 6: status.category: unknown value \"jobless\"\n"));
	/* assistd's rejection of the invalid event is not printed a second time. */
	assert_null(strstr(strstr(err, "line 6:") + 1, "line 6:"));
	assert_non_null(strstr(err, "pushed 5 events: 1 applied, 0 already applied, 4 rejected\n"));
	free(err);
	/* assistd counted assistctl's own rejection with the others... */
	st = fixture_status(&fx);
	assert_non_null(st);
	assert_int_equal(fixture_int(st, "sources.labor.applied"), 1);
	assert_int_equal(fixture_int(st, "sources.labor.rejected"), 4);
	assert_int_equal(fixture_int(st, "sources.labor.position"), 5);
	assert_int_equal(fixture_int(st, "dead_letters"), 4);
	json_decref(st);
	/* ...and kept it, reason and line. */
	raw = fixture_sql(&fx, "SELECT field || ' | ' || reason || ' | ' || raw FROM dead_letter "
			       "WHERE source = 'labor' AND major = 5");
	assert_non_null(raw);
	assert_non_null(strstr(raw, "status.category | unknown value \"jobless\" | "
				    "{\"source\":\"labor\",\"seq\":5,"));
	free(raw);
	/* The same file again: nothing new, and push says so. */
	err = NULL;
	assert_int_equal(push_file(path, &err), 1);
	assert_non_null(strstr(err, "pushed 5 events: 0 applied, 4 already applied, 1 rejected\n"));
	free(err);
	st = fixture_status(&fx);
	assert_int_equal(fixture_int(st, "sources.labor.rejected"), 4);
	json_decref(st);
}

/* 13 good events pushed twice: the second push applies nothing. */
static void test_duplicates_reported_apart(void **state)
{
	char buf[4096], id[19];
	size_t len = 0;
	char *err = NULL;

	fixture_id(id, "420704", "19850505", 7);
	for (int seq = 1; seq <= 13; seq++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
					"{\"source\":\"civil_affairs\",\"seq\":%d,\"kind\":\"person\","
					"\"person\":{\"id_number\":\"%s\",\"name\":\"Wang %d\"}}\n",
					seq, id, seq);
	assert_int_equal(fixture_push(&fx, "thirteen.jsonl", buf, &err), 0);
	assert_non_null(strstr(err, "pushed 13 events: 13 applied, 0 already applied, 0 rejected\n"));
	free(err);
	err = NULL;
	assert_int_equal(fixture_push(&fx, "thirteen.jsonl", buf, &err), 0);
	assert_non_null(strstr(err, "pushed 13 events: 0 applied, 13 already applied, 0 rejected\n"));
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_example_leaves_a_trail),
		cmocka_unit_test(test_duplicates_reported_apart),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
