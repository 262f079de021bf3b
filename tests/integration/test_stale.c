/* A department that goes quiet: after source_freshness_s without a batch or
 * a heartbeat, status marks it stale and the feed carries a stale_feed alert
 * (stored, so a consumer replaying finds it). */
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
	if (fixture_setup(&fx, "stale", "source_freshness_s = 1\n") < 0 ||
	    fixture_assistd_start(&fx) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	fixture_teardown(&fx);
	return 0;
}

static void test_quiet_source_alert(void **state)
{
	char id[19], line[512], *out = NULL;
	const char *push[] = {"assistctl", "-c", fx.conf, "push", NULL, NULL};
	/* Replays the feed from 1, then waits live: ends at the first alert. */
	const char *watch[] = {"assistctl", "-c", fx.conf, "watch", "--from", "1",
			       "--topic", "alert/", "--count", "1", NULL};
	json_t *msg, *st;

	fixture_id(id, "420704", "19800101", 5);
	snprintf(line, sizeof(line),
		 "{\"source\":\"housing\",\"seq\":1,\"kind\":\"status\",\"status\":{\"id_number\":"
		 "\"%s\",\"category\":\"lowest_income_housing\",\"since\":\"2026-01-01\"}}\n", id);
	push[4] = fixture_write(&fx, "one.jsonl", line);
	assert_int_equal(fixture_run(&fx, NULL, NULL, push), 0);
	/* The check runs every 5 s; watch returns once the alert is out. */
	assert_int_equal(fixture_run(&fx, &out, NULL, watch), 0);
	msg = json_loads(out, 0, NULL);
	assert_non_null(msg);
	assert_string_equal(fixture_str(msg, "topic"), "alert/stale_feed/housing");
	assert_string_equal(fixture_str(msg, "alert.code"), "stale_feed");
	assert_string_equal(fixture_str(msg, "alert.ref"), "housing");
	assert_non_null(strstr(fixture_str(msg, "alert.message"), "nothing heard from housing"));
	json_decref(msg);
	free(out);
	st = fixture_status(&fx);
	assert_true(json_is_true(json_object_get(json_object_get(json_object_get(st, "sources"),
								 "housing"),
						 "stale")));
	json_decref(st);
	/* Heard again: no longer stale. */
	snprintf(line, sizeof(line),
		 "{\"source\":\"housing\",\"seq\":2,\"kind\":\"status\",\"status\":{\"id_number\":"
		 "\"%s\",\"category\":\"lowest_income_housing\",\"active\":false,"
		 "\"since\":\"2026-02-01\"}}\n", id);
	push[4] = fixture_write(&fx, "two.jsonl", line);
	assert_int_equal(fixture_run(&fx, NULL, NULL, push), 0);
	st = fixture_status(&fx);
	assert_true(json_is_false(json_object_get(json_object_get(json_object_get(st, "sources"),
								  "housing"),
						  "stale")));
	json_decref(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quiet_source_alert),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
