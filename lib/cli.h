/* What the programs' command lines share (assistd, assist-adapter, assistctl,
 * assist-audit, assist-gen): --help, --version and progress lines. */
#ifndef ASSIST_CLI_H
#define ASSIST_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* The long option every program takes for --version (getopt value 'V'). */
#define CLI_VERSION_OPTION { "version", no_argument, NULL, 'V' }

/* The last cases of a getopt switch: for -h/--help (opt 'h') print usage on
 * standard output and return 0; for --version (opt 'V') print the program's
 * name and version there and return 0; for anything else print usage on
 * standard error and return bad_exit (the program's exit status for bad
 * usage). */
int cli_usage(int opt, const char *usage, int bad_exit);
/* Whether the arguments after argv[0] ask for --help (or -h), before any "--". */
bool cli_asks_help(int argc, char **argv);
/* Parse a non-negative decimal number into *out; false on anything else. */
bool cli_parse_u64(const char *s, uint64_t *out);

/* Set by SIGINT or SIGTERM once cli_catch_stop has run. */
extern volatile sig_atomic_t cli_stopped;
/* Catch SIGINT and SIGTERM into cli_stopped, without SA_RESTART, so that a
 * blocking zmq_poll or read returns at once. */
void cli_catch_stop(void);

/* Refresh a progress line at most this often (milliseconds). */
#define CLI_PROGRESS_MS 250

/* A progress line on standard error, "12,000/100,000 events, 9,800/s, 8 s
 * left", shown only while standard error is a terminal: redrawn in place,
 * erased before other output and at the end. */
struct cli_progress {
	bool on;    /* standard error is a terminal */
	bool shown; /* a line is on the screen */
	int64_t start_ms, last_ms;
};

/* Start timing; the line shows only if standard error is a terminal. */
void cli_progress_start(struct cli_progress *p);
/* Show done of total (0: not known) things of unit after prefix, with the
 * rate and the time left; at most every CLI_PROGRESS_MS (the first at once). */
void cli_progress_show(struct cli_progress *p, const char *prefix, uint64_t done,
		       uint64_t total, const char *unit);
/* Erase the line, if shown (before printing anything else on standard
 * error); the next one shows at once. */
void cli_progress_clear(struct cli_progress *p);

#endif
