/* One assistd per configuration: a second one on the same configuration is
 * refused by the pidfile lock, one with another runtime directory but the
 * same database by the advisory lock; both exit INSTANCE_EXIT_LOCKED and
 * the first one keeps answering. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"
#include "instance.h"

static struct fixture fx;

static int setup(void **state)
{
	if (fixture_setup(&fx, "instance", NULL) < 0 || fixture_assistd_start(&fx) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	fixture_teardown(&fx);
	return 0;
}

/* Run a second assistd on conf; its exit status (it must end by itself) and
 * its stderr in *err. */
static int second(const char *conf, char **err)
{
	const char *argv[] = {"assistd", "-c", conf, NULL};
	pid_t pid = fixture_spawn(&fx, argv);
	int st = -1;

	assert_true(pid > 0);
	/* Not a timing assertion: a hang is the failure, 30 s is far from it. */
	for (int i = 0; i < 300 && st < 0; i++) {
		int raw;

		if (waitpid(pid, &raw, WNOHANG) == pid)
			st = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
		else
			usleep(100000);
	}
	if (st < 0) {
		kill(pid, SIGKILL);
		fixture_wait(pid);
		fail_msg("the second assistd did not stop by itself");
	}
	*err = fixture_read(&fx, "assistd.err");
	return st;
}

static void assert_first_answers(void)
{
	json_t *st = fixture_status(&fx);

	assert_non_null(st);
	json_decref(st);
	assert_int_equal(fixture_assistd_signal(&fx, 0), 0);
}

static void assert_says(const char *err, const char *want)
{
	if (strstr(err, want) == NULL)
		fail_msg("assistd stderr lacks \"%s\":\n%s", want, err);
}

static void test_same_conf_refused_by_pidfile(void **state)
{
	char want[600], *err = NULL, *pidfile;

	assert_int_equal(second(fx.conf, &err), INSTANCE_EXIT_LOCKED);
	snprintf(want, sizeof(want), "another assistd (pid %ld) holds %s/assistd.pid",
		 (long)fx.assistd, fx.dir);
	assert_says(err, want);
	free(err);
	pidfile = fixture_read(&fx, "assistd.pid");
	assert_int_equal(atol(pidfile), (long)fx.assistd);
	free(pidfile);
	assert_first_answers();
}

static void test_same_database_refused_by_advisory_lock(void **state)
{
	char line[900], *conf = fixture_read(&fx, "assistd.conf"), *err = NULL;
	const char *path;

	/* Its own runtime directory and sockets: only the database is shared. */
	snprintf(line, sizeof(line),
		 "runtime_dir = %s/other\ningest_endpoint = ipc://%s/other-in.sock\n"
		 "query_endpoint = ipc://%s/other-q.sock\nfeed_endpoint = ipc://%s/other-feed.sock\n",
		 fx.dir, fx.dir, fx.dir, fx.dir);
	conf = realloc(conf, strlen(conf) + strlen(line) + 1);
	assert_non_null(conf);
	strcat(conf, line);
	path = fixture_write(&fx, "other.conf", conf);
	free(conf);
	assert_int_equal(second(path, &err), INSTANCE_EXIT_LOCKED);
	assert_says(err, "is in use by another assistd: backend pid");
	assert_says(err, "holds advisory lock 107148485423988");
	assert_says(err, "refusing to start");
	free(err);
	assert_first_answers();
}

/* The locks die with their holder: after a SIGKILL a new assistd starts. */
static void test_lock_released_when_holder_dies(void **state)
{
	assert_int_equal(fixture_assistd_stop(&fx, SIGKILL), 128 + SIGKILL);
	assert_int_equal(fixture_assistd_start(&fx), 0);
	assert_first_answers();
}

/* The lock is taken again after a reconnect: another session that took it
 * meanwhile makes the running assistd stop with INSTANCE_EXIT_LOCKED. */
static void test_lock_lost_on_reconnect_is_fatal(void **state)
{
	PGconn *db = fixture_connect(&fx, "assist");
	char *got;

	assert_non_null(db);
	/* The terminated backend lets the lock go as it exits; this session waits
	 * for it and has it before assistd is back. */
	got = fixture_query(db, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
				"WHERE application_name = 'assistd'");
	assert_string_equal(got, "t");
	free(got);
	got = fixture_query(db, "SELECT pg_advisory_lock(107148485423988)");
	assert_non_null(got);
	free(got);
	/* Not a timing assertion: fixture_wait blocks until assistd gives up. */
	assert_int_equal(fixture_wait(fx.assistd), INSTANCE_EXIT_LOCKED);
	fx.assistd = 0;
	got = fixture_read(&fx, "assistd.log");
	assert_says(got, "is in use by another assistd");
	assert_says(got, "stopping (exit 73)");
	free(got);
	PQfinish(db);
	/* With the other session gone, assistd starts again. */
	assert_int_equal(fixture_assistd_start(&fx), 0);
	assert_first_answers();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_conf_refused_by_pidfile),
		cmocka_unit_test(test_same_database_refused_by_advisory_lock),
		cmocka_unit_test(test_lock_released_when_holder_dies),
		cmocka_unit_test(test_lock_lost_on_reconnect_is_fatal),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
