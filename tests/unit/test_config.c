/* assistd.conf: defaults, errors with file and line, reload rules. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "config.h"

static char path[64];

static void write_conf(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

#define BASE "database = host=/tmp\ningest_endpoint = ipc:///tmp/i\nquery_endpoint = ipc:///tmp/q\nfeed_endpoint = ipc:///tmp/f\n"

static void test_defaults(void **state)
{
	struct config c;
	char err[256];

	write_conf("# a comment\n\n" BASE "batch_max_events = 100\nfeed_full_ids = yes\n");
	assert_int_equal(config_load(path, &c, err, sizeof(err)), 0);
	assert_string_equal(c.database, "host=/tmp");
	assert_int_equal(c.batch_max_events, 100);
	assert_int_equal(c.batch_max_ms, 5);
	assert_true(c.feed_full_ids);
	assert_string_equal(c.log_level, "info");
	assert_int_equal(c.dead_letter_max_bytes, 65536);
	config_free(&c);
}

static void test_errors(void **state)
{
	static const struct {
		const char *text, *err;
	} rows[] = {
		{BASE "batch_max_ms = soon\n", ":5: batch_max_ms: \"soon\" is not an integer"},
		{BASE "colour = blue\n", ":5: unknown key \"colour\""},
		{BASE "just words\n", ":5: expected \"key = value\""},
		{BASE "feed_full_ids = maybe\n", ":5: feed_full_ids: \"maybe\" is not true or false"},
		{"ingest_endpoint = x\nquery_endpoint = y\nfeed_endpoint = z\n",
		 ": required key \"database\" is missing"},
		{BASE "batch_max_events = 0\n", ": batch_max_events and max_inflight must be >= 1"},
		{BASE "dead_letter_max_bytes = 100\n", ": dead_letter_max_bytes must be >= 1024"},
		{BASE "application_check_s = 0\n", "application_check_s >= 1"},
	};
	struct config c;
	char err[256];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		write_conf(rows[i].text);
		assert_int_equal(config_load(path, &c, err, sizeof(err)), -22);
		if (strstr(err, rows[i].err) == NULL || strncmp(err, path, strlen(path)) != 0)
			fail_msg("row %zu: %s", i, err);
	}
}

static void test_reload_conflict(void **state)
{
	struct config a, b;
	char err[256];

	write_conf(BASE "log_level = info\n");
	assert_int_equal(config_load(path, &a, err, sizeof(err)), 0);
	write_conf(BASE "log_level = debug\nbatch_max_events = 9\n");
	assert_int_equal(config_load(path, &b, err, sizeof(err)), 0);
	assert_null(config_reload_conflict(&a, &b));
	config_free(&b);
	write_conf("database = host=/elsewhere\ningest_endpoint = ipc:///tmp/i\n"
		   "query_endpoint = ipc:///tmp/q\nfeed_endpoint = ipc:///tmp/f\n");
	assert_int_equal(config_load(path, &b, err, sizeof(err)), 0);
	assert_string_equal(config_reload_conflict(&a, &b), "database");
	config_free(&a);
	config_free(&b);
}

static void test_client_lookup(void **state)
{
	char out[128];

	write_conf(BASE);
	assert_int_equal(conf_lookup(path, "query_endpoint", out, sizeof(out)), 0);
	assert_string_equal(out, "ipc:///tmp/q");
	assert_int_equal(conf_lookup(path, "nothing", out, sizeof(out)), -2);
	conf_connect_endpoint("tcp://*:5555, ipc:///x", out, sizeof(out));
	assert_string_equal(out, "tcp://127.0.0.1:5555");
	conf_connect_endpoint("tcp://0.0.0.0:7", out, sizeof(out));
	assert_string_equal(out, "tcp://127.0.0.1:7");
	conf_connect_endpoint("ipc:///run/assist/q.sock", out, sizeof(out));
	assert_string_equal(out, "ipc:///run/assist/q.sock");
}

static int setup(void **state)
{
	snprintf(path, sizeof(path), "/tmp/assist-conf-%d.conf", (int)getpid());
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_reload_conflict),
		cmocka_unit_test(test_client_lookup),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
