#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int cli_usage(int opt, const char *usage, int bad_exit)
{
	if (opt == 'h') {
		fputs(usage, stdout);
		return 0;
	}
	if (opt == 'V') {
		/* ASSIST_VERSION: the CMake project's version (CMakeLists.txt). */
		printf("%s %s\n", program_invocation_short_name, ASSIST_VERSION);
		return 0;
	}
	fputs(usage, stderr);
	return bad_exit;
}

volatile sig_atomic_t cli_stopped;

static void on_stop(int sig)
{
	cli_stopped = 1;
}

void cli_catch_stop(void)
{
	struct sigaction sa = { .sa_handler = on_stop };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

bool cli_parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

bool cli_asks_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	}
	return false;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* n with a comma every three digits: 12,000. */
static const char *grouped(uint64_t n, char out[32])
{
	char digits[24];
	int len = snprintf(digits, sizeof(digits), "%" PRIu64, n), j = 0;

	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[j++] = ',';
		out[j++] = digits[i];
	}
	out[j] = '\0';
	return out;
}

void cli_progress_start(struct cli_progress *p)
{
	p->on = isatty(STDERR_FILENO) == 1;
	p->shown = false;
	p->start_ms = mono_ms();
	p->last_ms = 0;
}

void cli_progress_show(struct cli_progress *p, const char *prefix, uint64_t done,
		       uint64_t total, const char *unit)
{
	int64_t now = mono_ms(), elapsed = now - p->start_ms;
	char a[32], b[32], r[32];
	uint64_t rate;

	if (!p->on || (p->last_ms != 0 && now - p->last_ms < CLI_PROGRESS_MS))
		return;
	p->last_ms = now;
	p->shown = true;
	/* \r and erase to the end of the line: the line is redrawn in place. */
	fprintf(stderr, "\r\033[K%s%s", prefix, grouped(done, a));
	if (total > 0)
		fprintf(stderr, "/%s", grouped(total, b));
	fprintf(stderr, " %s", unit);
	rate = elapsed > 0 ? done * 1000 / (uint64_t)elapsed : 0;
	if (rate > 0)
		fprintf(stderr, ", %s/s", grouped(rate, r));
	if (rate > 0 && total > done)
		fprintf(stderr, ", %" PRIu64 " s left", (total - done + rate - 1) / rate);
	fflush(stderr);
}

void cli_progress_clear(struct cli_progress *p)
{
	if (!p->shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->shown = false;
	p->last_ms = 0; /* what follows shows at once */
}
