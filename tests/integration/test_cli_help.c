/* Every program answers --help and --version with exit 0 on standard
 * output, and so does every assistctl command with --help: the commands are
 * read from `assistctl --help` itself, so a command added to its usage is
 * checked too. No assistd is needed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

static struct fixture fx;

static const char *const programs[] = {"assistd", "assistctl", "assist-adapter", "assist-audit",
				       "assist-gen", "assist-web", "assist-bench"};

static int setup(void **state)
{
	const char *bin = getenv("ASSIST_BUILD_DIR");

	snprintf(fx.bin, sizeof(fx.bin), "%s", bin != NULL ? bin : ".");
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/assist-cli-help-XXXXXX");
	return mkdtemp(fx.dir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/run.out", fx.dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/run.err", fx.dir);
	unlink(path);
	rmdir(fx.dir);
	return 0;
}

/* Run argv; it must exit 0 with stdout starting with want. Returns stdout. */
static char *run_ok(const char *const *argv, const char *want)
{
	char *out = NULL;
	int st = fixture_run(&fx, &out, NULL, argv);

	if (st != 0 || out == NULL || strncmp(out, want, strlen(want)) != 0)
		fail_msg("%s %s %s: exit %d, stdout '%s' (wanted '%s...')", argv[0], argv[1],
			 argv[2] ? argv[2] : "", st, out ? out : "", want);
	return out;
}

static void test_programs(void **state)
{
	char want[64];

	for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
		const char *help[] = {programs[i], "--help", NULL};
		const char *version[] = {programs[i], "--version", NULL};
		char *out;
		snprintf(want, sizeof(want), "usage: %s", programs[i]);
		out = run_ok(help, want);
		assert_non_null(strstr(out, "exit"));
		assert_non_null(strstr(out, "example"));
		free(out);
		snprintf(want, sizeof(want), "%s 0.", programs[i]);
		free(run_ok(version, want));
	}
}

static void test_assistctl_commands(void **state)
{
	const char *help[] = {"assistctl", "--help", NULL};
	char *usage = run_ok(help, "usage: assistctl"), *line, *save = NULL;
	size_t n = 0;

	/* The command lines: two spaces, then a lower-case name; the options
	 * ("  -c CONFIG") come after them. */
	for (line = strtok_r(usage, "\n", &save); line != NULL && strncmp(line, "  -", 3) != 0;
	     line = strtok_r(NULL, "\n", &save)) {
		char cmd[32], want[64], *out;
		if (strncmp(line, "  ", 2) != 0 || line[2] < 'a' || line[2] > 'z' ||
		    sscanf(line + 2, "%31[a-z-]", cmd) != 1)
			continue;
		const char *argv[] = {"assistctl", cmd, "--help", NULL};
		snprintf(want, sizeof(want), "usage: assistctl %s", cmd);
		out = run_ok(argv, want);
		assert_non_null(strstr(out, "example:"));
		assert_non_null(strstr(out, "exit:"));
		free(out);
		n++;
	}
	free(usage);
	assert_true(n >= 10);
}

static void test_bad_usage(void **state)
{
	const char *unknown[] = {"assistctl", "nosuch", "--help", NULL};
	const char *bad[] = {"assistctl", "status", "--bogus", NULL};

	assert_int_equal(fixture_run(&fx, NULL, NULL, unknown), 64);
	assert_int_equal(fixture_run(&fx, NULL, NULL, bad), 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_programs),
		cmocka_unit_test(test_assistctl_commands),
		cmocka_unit_test(test_bad_usage),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
