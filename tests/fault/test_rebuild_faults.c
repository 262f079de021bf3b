/* assistd --rebuild under faults: killed in the middle, the store refuses a
 * plain start until a rebuild finishes; PostgreSQL restarted under it
 * (-m immediate), the rebuild reconnects and finishes. Either way the dump
 * equals the one taken before. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "eventgen.h"
#include "faults.h"
#include "fixture.h"

#define HOUSEHOLDS 3000
#define WAIT_S 300

static struct fixture fx;

static int setup(void **state)
{
	struct eventgen g = {.prefix = "K", .region = "420703", .first_household = 0,
			     .n_households = HOUSEHOLDS, .first_seq = 1,
			     .sources = (1u << EG_N) - 1};
	long sent[EG_N];
	char file[300];
	const char *argv[] = {"assistctl", "-c", fx.conf, "push", NULL, NULL};

	if (fixture_setup(&fx, "fault-rebuild", NULL) < 0 || fixture_assistd_start(&fx) < 0)
		return -1;
	g.dir = fx.dir;
	if (eventgen_write(&g, sent) < 0)
		return -1;
	argv[2] = fx.conf;
	for (int s = 0; s < EG_N; s++) {
		snprintf(file, sizeof(file), "%s/K-%s.jsonl", fx.dir, eventgen_sources[s]);
		argv[4] = file;
		if (fixture_run(&fx, NULL, NULL, argv) != (s == EG_HEALTH ? 1 : 0))
			return -1;
	}
	if (faults_dump(&fx, fx.conf, "dump-before") != 0)
		return -1;
	return fixture_assistd_stop(&fx, SIGTERM) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	fixture_teardown(&fx);
	return 0;
}

/* A rebuild in the background, once it has rebuilt some persons. */
static pid_t rebuild_midway(void)
{
	const char *argv[] = {"assistd", "-c", fx.conf, "--rebuild", NULL};
	pid_t pid = fixture_spawn(&fx, argv);

	assert_true(pid > 0);
	for (int i = 0; i < WAIT_S * 100; i++) {
		/* The clear and the marker commit together; persons come after. */
		if (faults_count(&fx, "SELECT count(*) FROM person WHERE EXISTS (SELECT 1 FROM "
				      "store_meta WHERE key = 'rebuilding')") > 0)
			return pid;
		assert_int_equal(waitpid(pid, NULL, WNOHANG), 0); /* not finished yet */
		fixture_sleep_ms(10);
	}
	fail_msg("the rebuild wrote no person in %d s", WAIT_S);
	return pid;
}

static void test_rebuild_killed(void **state)
{
	pid_t pid = rebuild_midway();
	char *log;

	kill(pid, SIGKILL);
	assert_int_equal(fixture_wait(pid), 128 + SIGKILL);
	assert_int_equal(faults_count(&fx, "SELECT count(*) FROM store_meta WHERE key = "
					   "'rebuilding'"), 1);
	assert_int_equal(fixture_assistd_start(&fx), -1);
	log = fixture_read(&fx, "assistd.log");
	assert_non_null(strstr(log, "the store holds an unfinished rebuild"));
	free(log);
	assert_int_equal(faults_rebuild(&fx, fx.conf, NULL), 0);
	assert_int_equal(fixture_assistd_start(&fx), 0);
	assert_int_equal(faults_dump(&fx, fx.conf, "dump-after-kill"), 0);
	assert_true(faults_same(&fx, "dump-before", "dump-after-kill"));
	assert_int_equal(fixture_assistd_stop(&fx, SIGTERM), 0);
}

static void test_postgres_restart_during_rebuild(void **state)
{
	pid_t pid = rebuild_midway();

	assert_int_equal(fixture_pg(&fx, "kill"), 0);
	fixture_sleep_ms(300);
	assert_int_equal(fixture_pg(&fx, "start"), 0);
	assert_int_equal(fixture_wait(pid), 0);
	assert_int_equal(fixture_assistd_start(&fx), 0);
	assert_int_equal(faults_dump(&fx, fx.conf, "dump-after-pg"), 0);
	assert_true(faults_same(&fx, "dump-before", "dump-after-pg"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rebuild_killed),
		cmocka_unit_test(test_postgres_restart_during_rebuild),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
