/* Integration test fixture: a throwaway PostgreSQL (scripts/pg), an assistd
 * configuration under a temporary directory, assistd itself as a child
 * process (readiness through a NOTIFY_SOCKET the fixture listens on), and
 * helpers to run assistctl and read what it prints. */
#ifndef ASSIST_FIXTURE_H
#define ASSIST_FIXTURE_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <sys/types.h>

/* The key of subject_key in every fixture's assistd.conf (subject_key_file). */
#define FIXTURE_SUBJECT_KEY "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

struct fixture {
	char dir[256];     /* temporary directory holding everything */
	char conf[320];    /* dir/assistd.conf */
	char src[512];     /* ASSIST_SOURCE_DIR */
	char bin[512];     /* ASSIST_BUILD_DIR */
	pid_t assistd;     /* 0 when not running */
	bool assistd_lost; /* it died while a command ran: commands get RUN_GRACE_S */
	int notify_fd;     /* the NOTIFY_SOCKET assistd reports to */
	char notify_path[320];
};

/* Make the directory, start PostgreSQL, write assistd.conf (extra lines
 * appended verbatim, may be NULL; runtime_dir is the directory, the
 * subject key FIXTURE_SUBJECT_KEY). 0 or -1 (the test fails). */
int fixture_setup(struct fixture *fx, const char *name, const char *extra_conf);
/* Stop assistd and PostgreSQL, remove the directory. */
void fixture_teardown(struct fixture *fx);
/* Start assistd and wait (up to 30 s) for READY=1. 0 or -1. */
int fixture_assistd_start(struct fixture *fx);
/* Send sig to assistd and wait for it to exit; returns its exit status
 * (128+signal if it was killed). */
int fixture_assistd_stop(struct fixture *fx, int sig);
/* Send sig to the running assistd: kill(2)'s result, or -1 when none runs
 * (a kill of pid 0 would signal the test's whole process group). */
int fixture_assistd_signal(struct fixture *fx, int sig);
/* Run a program of the build directory (argv[0] is its name) with args; stdout
 * and stderr go to malloc'ed strings (either may be NULL). Returns the exit
 * status, or -1. */
int fixture_run(struct fixture *fx, char **out, char **err, const char *const *argv);
/* Start the same in the background; its pid. Output goes to dir/NAME.out/.err. */
pid_t fixture_spawn(struct fixture *fx, const char *const *argv);
/* Seconds on the monotonic clock (for waiting with a deadline). */
double fixture_now_s(void);
/* Sleep ms milliseconds. */
void fixture_sleep_ms(int ms);
/* Wait for a child; its exit status (128+signal when killed). */
int fixture_wait(pid_t pid);
/* `assistctl -c conf get ID [--year Y]` parsed, or NULL (exit code in *code). */
json_t *fixture_get(struct fixture *fx, const char *id, int year, int *code);
/* `assistctl -c conf status --json` parsed, or NULL. */
json_t *fixture_status(struct fixture *fx);
/* Write text to dir/name; returns the path (static buffer per call site use). */
const char *fixture_write(struct fixture *fx, const char *name, const char *text);
/* Run scripts/pg CMD on the fixture's directory (stop, start, restart, kill). */
int fixture_pg(struct fixture *fx, const char *cmd);
/* Run an SQL query with psql on the fixture's database; first row, first
 * column, malloc'ed (NULL on error). */
char *fixture_sql(struct fixture *fx, const char *sql);
/* fixture_sql of a printf-formatted query that must succeed (the test fails
 * otherwise). */
char *fixture_sqlf(struct fixture *fx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Create database name on the fixture's PostgreSQL (if missing) and load the
 * SQL file schema into it (NULL: none). 0 or -1. */
int fixture_createdb(struct fixture *fx, const char *name, const char *schema);
/* A libpq connection to database name of the fixture's PostgreSQL, or NULL;
 * the caller closes it with PQfinish. */
PGconn *fixture_connect(struct fixture *fx, const char *name);
/* Run sql on db; first row, first column, malloc'ed ("" when no row), or
 * NULL on error (the error goes to stderr). */
char *fixture_query(PGconn *db, const char *sql);
/* Write dir/adapter-DEPT.conf (the department's database, assistd's ingest
 * endpoint, extra lines verbatim, may be NULL) and start assist-adapter for
 * it; output is appended to dir/adapter-DEPT.log. Its pid, or -1. */
pid_t fixture_adapter_start(struct fixture *fx, const char *dept, const char *extra_conf);
/* A valid ID number for region, birth date (YYYYMMDD) and sequence. */
void fixture_id(char out[19], const char *region, const char *birth, int seq);
/* The integer at a JSON path like "ytd.huimin_paid_fen" or "benefits.0.monthly_fen";
 * -1 if missing. */
long long fixture_int(const json_t *j, const char *path);
/* The string at a path, or "" if missing. */
const char *fixture_str(const json_t *j, const char *path);

/* Write text to dir/name and `assistctl push` it; its exit status (stderr in
 * *err if err is not NULL). */
int fixture_push(struct fixture *fx, const char *name, const char *text, char **err);

/* Events collected as JSON lines for one `assistctl push`. */
struct fixture_events {
	char buf[8192];
	size_t len;
	unsigned long seq; /* the last seq given, one counter for every source */
};

/* Append {"source": source, "seq": ++seq, "kind": kind, kind: {fmt ...}}
 * (fails the test when the buffer is full). */
void fixture_ev(struct fixture_events *fe, const char *source, const char *kind,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Push what fe collected as dir/name, then forget it: assistctl's exit
 * status (stderr in *err if err is not NULL). */
int fixture_events_push(struct fixture *fx, struct fixture_events *fe, const char *name,
			char **err);
/* `assistctl -c conf explain ID`: its stdout, malloc'ed (exit code in *code). */
char *fixture_explain(struct fixture *fx, const char *id, int *code);
/* The first element of rec's array (e.g. "alerts") whose string key equals
 * value and, when key2 is not NULL, whose key2 equals value2; NULL if none. */
const json_t *fixture_find(const json_t *rec, const char *array, const char *key,
			   const char *value, const char *key2, const char *value2);
/* The contents of dir/name (e.g. "assistd.log"), malloc'ed; "" if unreadable. */
char *fixture_read(struct fixture *fx, const char *name);
/* Append a line to assistd.conf (a later key overrides an earlier one). 0 or -1. */
int fixture_conf_append(struct fixture *fx, const char *line);
/* Copy the source tree's config/policy to dir/name; its path (static buffer
 * per call site use), or NULL. */
const char *fixture_policy_copy(struct fixture *fx, const char *name);
/* Wait (up to timeout_ms) for a NOTIFY_SOCKET datagram containing what,
 * dropping the ones before it. 0, or -1 on timeout. */
int fixture_notify_wait(struct fixture *fx, const char *what, int timeout_ms);

#endif
