/* `assistctl push` streams its input and shows its progress: on a terminal
 * (a pty) a progress line with the total of a regular file, redrawn in place
 * and erased at the end; nothing of it when standard error is a file; and
 * from a pipe, each event is sent as it is read (the first is applied while
 * the pipe is still open), the progress line then without a total. The
 * same for assist-audit's passes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"

#define WAIT_S 30 /* a bound on every wait: reaching it fails the test */
#define CLEAR "\r\033[K"

static struct fixture fx;
static unsigned long seq; /* civil_affairs' last position */

static int setup(void **state)
{
	if (fixture_setup(&fx, "push_progress", NULL) < 0)
		return -1;
	return fixture_assistd_start(&fx);
}

static int teardown(void **state)
{
	fixture_teardown(&fx);
	return 0;
}

/* The next person event line, of person out (its ID number). */
static void person_line(char *line, size_t len, char out[19])
{
	char birth[9];

	seq++;
	snprintf(birth, sizeof(birth), "198%lu0101", (seq / 1000) % 10);
	fixture_id(out, "420704", birth, (int)(seq % 1000));
	snprintf(line, len,
		 "{\"source\":\"civil_affairs\",\"seq\":%lu,\"kind\":\"person\",\"person\":"
		 "{\"id_number\":\"%s\",\"name\":\"P\",\"household_id\":\"HP-%lu\","
		 "\"hukou\":\"urban\",\"area\":\"city\"}}\n",
		 seq, out, seq);
}

/* A file of n person events; its path. */
static const char *events_file(const char *name, int n)
{
	size_t cap = (size_t)n * 256 + 1, len = 0;
	char *text = malloc(cap), id[19];
	const char *path;

	assert_non_null(text);
	for (int i = 0; i < n; i++) {
		person_line(text + len, cap - len, id);
		len += strlen(text + len);
	}
	path = fixture_write(&fx, name, text);
	free(text);
	return path;
}

/* Read what the pty master has until it shows want (NULL: until the child
 * closes it), appending to buf; whether want came. */
static bool read_pty(int master, char *buf, size_t cap, size_t *len, const char *want)
{
	double deadline = fixture_now_s() + WAIT_S;

	while (fixture_now_s() < deadline) {
		struct pollfd pfd = {.fd = master, .events = POLLIN};
		ssize_t n;
		if (want != NULL && strstr(buf, want) != NULL)
			return true;
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(master, buf + *len, cap - *len - 1);
		if (n <= 0) /* EIO: the child closed the terminal */
			return want == NULL;
		*len += (size_t)n;
		buf[*len] = '\0';
	}
	return false;
}

/* Start program -c CONF with args (its standard error and output on a new
 * pty, its standard input from in_fd when not -1); the master in *master. */
static pid_t spawn_on_pty(const char *program, const char *a1, const char *a2, int in_fd,
			  int *master)
{
	char exe[600];
	pid_t pid;

	snprintf(exe, sizeof(exe), "%s/%s", fx.bin, program);
	pid = forkpty(master, NULL, NULL, NULL);
	if (pid == 0) {
		if (in_fd >= 0)
			dup2(in_fd, STDIN_FILENO);
		execl(exe, program, "-c", fx.conf, a1, a2, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void test_file_on_tty(void **state)
{
	const char *path = events_file("many.jsonl", 3000);
	static char out[1 << 20];
	size_t len = 0;
	int master;
	pid_t pid = spawn_on_pty("assistctl", "push", path, -1, &master);

	assert_true(pid > 0);
	out[0] = '\0';
	assert_true(read_pty(master, out, sizeof(out), &len, NULL));
	assert_int_equal(fixture_wait(pid), 0);
	close(master);
	/* The total is known from the file; the line is erased before the summary. */
	assert_non_null(strstr(out, "/3,000 events"));
	assert_non_null(strstr(out, CLEAR "pushed 3000 events: 3000 applied"));
}

static void test_file_not_tty(void **state)
{
	const char *path = events_file("few.jsonl", 200);
	const char *argv[] = {"assistctl", "-c", fx.conf, "push", path, NULL};
	char *err = NULL;

	assert_int_equal(fixture_run(&fx, NULL, &err, argv), 0);
	assert_string_equal(err, "pushed 200 events: 200 applied, 0 already applied, 0 rejected\n");
	free(err);
}

/* Whether person id is stored, waiting up to WAIT_S. */
static bool stored(const char *id)
{
	double deadline = fixture_now_s() + WAIT_S;

	while (fixture_now_s() < deadline) {
		char *n = fixture_sqlf(&fx, "SELECT count(*) FROM person WHERE id_number = '%s'", id);
		bool yes = strcmp(n, "1") == 0;
		free(n);
		if (yes)
			return true;
		fixture_sleep_ms(50);
	}
	return false;
}

static void test_pipe_streams(void **state)
{
	static char out[1 << 16];
	char line[512], first[19], second[19];
	size_t len = 0;
	int pipefd[2], master;
	pid_t pid;

	/* Close-on-exec: the child must not hold the write end, or no end comes. */
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	pid = spawn_on_pty("assistctl", "push", "-", pipefd[0], &master);
	assert_true(pid > 0);
	close(pipefd[0]);
	out[0] = '\0';
	person_line(line, sizeof(line), first);
	assert_int_equal(write(pipefd[1], line, strlen(line)), (ssize_t)strlen(line));
	/* Applied while the input is still open: sent as it was read. */
	assert_true(stored(first));
	/* No total from a pipe: "1 events", not "1/N events". */
	if (!read_pty(master, out, sizeof(out), &len, CLEAR "1 events"))
		fail_msg("pty: %s", out);
	person_line(line, sizeof(line), second);
	assert_int_equal(write(pipefd[1], line, strlen(line)), (ssize_t)strlen(line));
	close(pipefd[1]);
	assert_true(read_pty(master, out, sizeof(out), &len, NULL));
	assert_int_equal(fixture_wait(pid), 0);
	close(master);
	assert_non_null(strstr(out, CLEAR "pushed 2 events: 2 applied"));
	assert_true(stored(second));
}

/* assist-audit shows its passes' progress on a terminal, and nothing of it
 * on a file. */
static void test_audit(void **state)
{
	const char *argv[] = {"assist-audit", "-c", fx.conf, NULL};
	static char out[1 << 16];
	char *err = NULL;
	size_t len = 0;
	int master;
	pid_t pid = spawn_on_pty("assist-audit", NULL, NULL, -1, &master);

	assert_true(pid > 0);
	out[0] = '\0';
	assert_true(read_pty(master, out, sizeof(out), &len, NULL));
	assert_int_equal(fixture_wait(pid), 0);
	close(master);
	assert_non_null(strstr(out, CLEAR "journal: 0/3,202 rows"));
	assert_non_null(strstr(out, CLEAR "money: 0/3,202 rows"));
	assert_non_null(strstr(out, "journal: 3202 rows, 0 broken"));
	assert_int_equal(fixture_run(&fx, NULL, &err, argv), 0);
	assert_string_equal(err, "");
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_on_tty),
		cmocka_unit_test(test_file_not_tty),
		cmocka_unit_test(test_pipe_streams),
		cmocka_unit_test(test_audit),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
