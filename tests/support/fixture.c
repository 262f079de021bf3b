#include "fixture.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "idnum.h"

/* Seconds a command may run on after assistd has died (fixture_run). */
#define RUN_GRACE_S 10

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL)
		return strdup("");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf != NULL) {
		size_t got = fread(buf, 1, (size_t)n, f);
		buf[got] = '\0';
	}
	fclose(f);
	return buf;
}

static int run_shell(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int fixture_pg(struct fixture *fx, const char *cmd)
{
	char line[1024];

	snprintf(line, sizeof(line), "ASSIST_PG_FSYNC=off %s/scripts/pg %s %s >>%s/pg-cmd.log 2>&1",
		 fx->src, cmd, fx->dir, fx->dir);
	return run_shell(line);
}

char *fixture_sql(struct fixture *fx, const char *sql)
{
	char line[4096], out[320];
	char *text;
	size_t n;

	snprintf(out, sizeof(out), "%s/sql.out", fx->dir);
	snprintf(line, sizeof(line), "psql \"$(%s/scripts/pg conninfo %s)\" -Atc \"%s\" >%s 2>&1",
		 fx->src, fx->dir, sql, out);
	if (run_shell(line) != 0)
		return NULL;
	text = slurp(out);
	n = strcspn(text, "\n");
	text[n] = '\0';
	return text;
}

char *fixture_sqlf(struct fixture *fx, const char *fmt, ...)
{
	char text[1024];
	char *r;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	r = fixture_sql(fx, text);
	if (r == NULL)
		fail_msg("SQL failed: %s", text);
	return r;
}

static int notify_listen(struct fixture *fx)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};

	snprintf(fx->notify_path, sizeof(fx->notify_path), "%s/notify.sock", fx->dir);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", fx->notify_path);
	unlink(fx->notify_path);
	fx->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fx->notify_fd < 0 || bind(fx->notify_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return -1;
	return 0;
}

int fixture_setup(struct fixture *fx, const char *name, const char *extra_conf)
{
	char path[320], conninfo[512], cmd[1024];
	FILE *f;

	memset(fx, 0, sizeof(*fx));
	fx->notify_fd = -1;
	snprintf(fx->src, sizeof(fx->src), "%s", env_or("ASSIST_SOURCE_DIR", "."));
	snprintf(fx->bin, sizeof(fx->bin), "%s", env_or("ASSIST_BUILD_DIR", "build"));
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/assist-%s-XXXXXX", name);
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	chmod(fx->dir, 0755);
	if (fixture_pg(fx, "start") != 0) {
		fprintf(stderr, "fixture: PostgreSQL did not start; see %s/pg.log\n", fx->dir);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/conninfo", fx->dir);
	snprintf(cmd, sizeof(cmd), "%s/scripts/pg conninfo %s > %s", fx->src, fx->dir, path);
	if (run_shell(cmd) != 0)
		return -1;
	char *ci = slurp(path);
	snprintf(conninfo, sizeof(conninfo), "%.*s", (int)strcspn(ci, "\n"), ci);
	free(ci);
	snprintf(fx->conf, sizeof(fx->conf), "%s/assistd.conf", fx->dir);
	f = fopen(fx->conf, "w");
	if (f == NULL)
		return -1;
	fprintf(f,
		"database = %s\n"
		"ingest_endpoint = ipc://%s/ingest.sock\n"
		"query_endpoint = ipc://%s/query.sock\n"
		"feed_endpoint = ipc://%s/feed.sock\n"
		"policy_dir = %s/config/policy\n"
		"log_level = info\n"
		"reconnect_max_ms = 1000\n"
		"runtime_dir = %s\n"
		"subject_key_file = %s/subject.key\n"
		"%s",
		conninfo, fx->dir, fx->dir, fx->dir, fx->src, fx->dir, fx->dir,
		extra_conf ? extra_conf : "");
	fclose(f);
	fixture_write(fx, "subject.key", FIXTURE_SUBJECT_KEY "\n");
	return notify_listen(fx);
}

double fixture_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void fixture_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

int fixture_assistd_start(struct fixture *fx)
{
	char exe[600], log[320];
	double deadline = fixture_now_s() + 30;
	pid_t pid;

	snprintf(exe, sizeof(exe), "%s/assistd", fx->bin);
	snprintf(log, sizeof(log), "%s/assistd.log", fx->dir);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		setenv("NOTIFY_SOCKET", fx->notify_path, 1);
		execl(exe, exe, "-c", fx->conf, (char *)NULL);
		_exit(127);
	}
	fx->assistd = pid;
	fx->assistd_lost = false;
	while (fixture_now_s() < deadline) {
		struct pollfd p = {.fd = fx->notify_fd, .events = POLLIN};
		char buf[512];
		ssize_t n;
		int st;

		if (waitpid(pid, &st, WNOHANG) == pid) {
			fx->assistd = 0;
			fprintf(stderr, "fixture: assistd exited during start; see %s\n", log);
			return -1;
		}
		if (poll(&p, 1, 200) <= 0)
			continue;
		n = recv(fx->notify_fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		if (strstr(buf, "READY=1") != NULL)
			return 0;
	}
	fprintf(stderr, "fixture: assistd not ready in 30 s; see %s\n", log);
	return -1;
}

int fixture_wait(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

int fixture_assistd_stop(struct fixture *fx, int sig)
{
	int st;

	if (fx->assistd == 0)
		return 0;
	kill(fx->assistd, sig);
	st = fixture_wait(fx->assistd);
	fx->assistd = 0;
	return st;
}

int fixture_assistd_signal(struct fixture *fx, int sig)
{
	return fx->assistd > 0 ? kill(fx->assistd, sig) : -1;
}

static pid_t spawn(struct fixture *fx, const char *const *argv, const char *out,
		   const char *err)
{
	char exe[600];
	pid_t pid;

	snprintf(exe, sizeof(exe), "%s/%s", fx->bin, argv[0]);
	pid = fork();
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int in = open("/dev/null", O_RDONLY);
		dup2(in, 0);
		dup2(o, 1);
		dup2(e, 2);
		execv(exe, (char *const *)argv);
		_exit(127);
	}
	return pid;
}

pid_t fixture_spawn(struct fixture *fx, const char *const *argv)
{
	char out[400], err[400];

	snprintf(out, sizeof(out), "%s/%s.out", fx->dir, argv[0]);
	snprintf(err, sizeof(err), "%s/%s.err", fx->dir, argv[0]);
	return spawn(fx, argv, out, err);
}

/* Whether assistd has exited; if so, says how (once) and forgets its pid. */
static bool assistd_gone(struct fixture *fx, const char *during)
{
	int st;

	if (fx->assistd == 0 || waitpid(fx->assistd, &st, WNOHANG) != fx->assistd)
		return false;
	if (WIFSIGNALED(st))
		fprintf(stderr, "fixture: assistd (pid %d) died of signal %d while %s ran; see %s/assistd.log\n",
			(int)fx->assistd, WTERMSIG(st), during, fx->dir);
	else
		fprintf(stderr, "fixture: assistd (pid %d) exited %d while %s ran; see %s/assistd.log\n",
			(int)fx->assistd, WEXITSTATUS(st), during, fx->dir);
	fx->assistd = 0;
	fx->assistd_lost = true;
	return true;
}

/* Wait for pid like fixture_wait, but once assistd has died on its own, give
 * pid RUN_GRACE_S (assistctl's query timeout is shorter) and then kill it,
 * so that a test fails instead of waiting out a push's retries. */
static int wait_while_alive(struct fixture *fx, pid_t pid, const char *what)
{
	double give_up = 0; /* when pid is killed: 0 while assistd runs */
	bool killed = false;
	int st;

	for (;;) {
		pid_t got = waitpid(pid, &st, WNOHANG);

		if (got == pid)
			break;
		if (got < 0 && errno != EINTR)
			return -1;
		if (give_up == 0 && (fx->assistd_lost || assistd_gone(fx, what)))
			give_up = fixture_now_s() + RUN_GRACE_S;
		if (give_up != 0 && !killed && fixture_now_s() > give_up) {
			fprintf(stderr, "fixture: killing %s, still running %d s after assistd's end\n",
				what, RUN_GRACE_S);
			kill(pid, SIGKILL);
			killed = true;
		}
		fixture_sleep_ms(5);
	}
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

int fixture_run(struct fixture *fx, char **out, char **err, const char *const *argv)
{
	char outp[400], errp[400];
	pid_t pid;
	int st;

	snprintf(outp, sizeof(outp), "%s/run.out", fx->dir);
	snprintf(errp, sizeof(errp), "%s/run.err", fx->dir);
	pid = spawn(fx, argv, outp, errp);
	if (pid < 0)
		return -1;
	st = wait_while_alive(fx, pid, argv[0]);
	if (out != NULL)
		*out = slurp(outp);
	if (err != NULL)
		*err = slurp(errp);
	return st;
}

json_t *fixture_get(struct fixture *fx, const char *id, int year, int *code)
{
	char ystr[16];
	const char *argv[] = {"assistctl", "-c", fx->conf, "get", id, "--year", ystr, NULL};
	char *out = NULL;
	json_t *j = NULL;
	int st;

	snprintf(ystr, sizeof(ystr), "%d", year);
	if (year == 0)
		argv[5] = NULL;
	st = fixture_run(fx, &out, NULL, argv);
	if (code != NULL)
		*code = st;
	if (st == 0)
		j = json_loads(out, 0, NULL);
	free(out);
	return j;
}

json_t *fixture_status(struct fixture *fx)
{
	const char *argv[] = {"assistctl", "-c", fx->conf, "status", "--json", NULL};
	char *out = NULL;
	json_t *j = NULL;

	if (fixture_run(fx, &out, NULL, argv) == 0)
		j = json_loads(out, 0, NULL);
	free(out);
	return j;
}

const char *fixture_write(struct fixture *fx, const char *name, const char *text)
{
	static char path[8][400];
	static int next;
	char *p = path[next++ % 8];
	FILE *f;

	snprintf(p, 400, "%s/%s", fx->dir, name);
	f = fopen(p, "w");
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
	return p;
}

void fixture_teardown(struct fixture *fx)
{
	char cmd[400];

	fixture_assistd_stop(fx, SIGTERM);
	if (fx->notify_fd >= 0)
		close(fx->notify_fd);
	fixture_pg(fx, "stop");
	/* Keep the directory of a failed run for a look: ASSIST_KEEP=1. */
	if (getenv("ASSIST_KEEP") == NULL && fx->dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", fx->dir);
		run_shell(cmd);
	}
}

/* The libpq connection string of database name (pg.sh conninfo). */
static int conninfo_of(struct fixture *fx, const char *name, char *out, size_t len)
{
	char cmd[1024], path[320];
	char *text;

	snprintf(path, sizeof(path), "%s/conninfo-%s", fx->dir, name);
	snprintf(cmd, sizeof(cmd), "%s/scripts/pg conninfo %s %s > %s", fx->src, fx->dir, name,
		 path);
	if (run_shell(cmd) != 0)
		return -1;
	text = slurp(path);
	snprintf(out, len, "%.*s", (int)strcspn(text, "\n"), text);
	free(text);
	return 0;
}

int fixture_createdb(struct fixture *fx, const char *name, const char *schema)
{
	char cmd[2048], conninfo[512];

	snprintf(cmd, sizeof(cmd), "%s/scripts/pg createdb %s %s >>%s/pg-cmd.log 2>&1", fx->src,
		 fx->dir, name, fx->dir);
	if (run_shell(cmd) != 0 || conninfo_of(fx, name, conninfo, sizeof(conninfo)) < 0)
		return -1;
	if (schema == NULL)
		return 0;
	snprintf(cmd, sizeof(cmd), "psql \"%s\" -qX -v ON_ERROR_STOP=1 -f %s >>%s/pg-cmd.log 2>&1",
		 conninfo, schema, fx->dir);
	return run_shell(cmd) == 0 ? 0 : -1;
}

PGconn *fixture_connect(struct fixture *fx, const char *name)
{
	char conninfo[512];
	PGconn *db;

	if (conninfo_of(fx, name, conninfo, sizeof(conninfo)) < 0)
		return NULL;
	db = PQconnectdb(conninfo);
	if (PQstatus(db) != CONNECTION_OK) {
		fprintf(stderr, "fixture: %s: %s", name, PQerrorMessage(db));
		PQfinish(db);
		return NULL;
	}
	return db;
}

char *fixture_query(PGconn *db, const char *sql)
{
	PGresult *res = PQexec(db, sql);
	ExecStatusType st = PQresultStatus(res);
	char *text = NULL;

	if (st == PGRES_TUPLES_OK)
		text = strdup(PQntuples(res) > 0 ? PQgetvalue(res, 0, 0) : "");
	else if (st == PGRES_COMMAND_OK)
		text = strdup("");
	else
		fprintf(stderr, "fixture: %s: %s", sql, PQresultErrorMessage(res));
	PQclear(res);
	return text;
}

pid_t fixture_adapter_start(struct fixture *fx, const char *dept, const char *extra_conf)
{
	char conninfo[512], name[64], text[2048], exe[600], log[400];
	const char *conf;
	pid_t pid;

	if (conninfo_of(fx, dept, conninfo, sizeof(conninfo)) < 0)
		return -1;
	snprintf(name, sizeof(name), "adapter-%s.conf", dept);
	snprintf(text, sizeof(text),
		 "database = %s\n"
		 "ingest_endpoint = ipc://%s/ingest.sock\n"
		 "log_level = info\n"
		 "%s",
		 conninfo, fx->dir, extra_conf ? extra_conf : "");
	conf = fixture_write(fx, name, text);
	snprintf(exe, sizeof(exe), "%s/assist-adapter", fx->bin);
	snprintf(log, sizeof(log), "%s/adapter-%s.log", fx->dir, dept);
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		int in = open("/dev/null", O_RDONLY);

		dup2(in, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(exe, exe, "--department", dept, "-c", conf, (char *)NULL);
		_exit(127);
	}
	return pid;
}

void fixture_id(char out[19], const char *region, const char *birth, int seq)
{
	snprintf(out, 19, "%.6s%.8s%03d", region, birth, seq % 1000);
	out[17] = idnum_check_char(out);
	out[18] = '\0';
}

static const json_t *at_path(const json_t *j, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *part = strtok_r(buf, ".", &save); part && j; part = strtok_r(NULL, ".", &save)) {
		if (json_is_array(j))
			j = json_array_get(j, strtoul(part, NULL, 10));
		else
			j = json_object_get(j, part);
	}
	return j;
}

long long fixture_int(const json_t *j, const char *path)
{
	const json_t *v = at_path(j, path);

	return json_is_integer(v) ? json_integer_value(v) : -1;
}

const char *fixture_str(const json_t *j, const char *path)
{
	const json_t *v = at_path(j, path);

	return json_is_string(v) ? json_string_value(v) : "";
}

int fixture_push(struct fixture *fx, const char *name, const char *text, char **err)
{
	const char *argv[] = {"assistctl", "-c", fx->conf, "push", fixture_write(fx, name, text),
			      NULL};

	return fixture_run(fx, NULL, err, argv);
}

void fixture_ev(struct fixture_events *fe, const char *source, const char *kind,
		const char *fmt, ...)
{
	char payload[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(payload, sizeof(payload), fmt, ap);
	va_end(ap);
	n = snprintf(fe->buf + fe->len, sizeof(fe->buf) - fe->len,
		     "{\"source\":\"%s\",\"seq\":%lu,\"kind\":\"%s\",\"%s\":{%s}}\n", source,
		     ++fe->seq, kind, kind, payload);
	assert_true(n > 0 && (size_t)n < sizeof(fe->buf) - fe->len);
	fe->len += (size_t)n;
}

int fixture_events_push(struct fixture *fx, struct fixture_events *fe, const char *name,
			char **err)
{
	int st = fixture_push(fx, name, fe->buf, err);

	fe->len = 0;
	fe->buf[0] = '\0';
	return st;
}

char *fixture_explain(struct fixture *fx, const char *id, int *code)
{
	const char *argv[] = {"assistctl", "-c", fx->conf, "explain", id, NULL};
	char *out = NULL;
	int st = fixture_run(fx, &out, NULL, argv);

	if (code != NULL)
		*code = st;
	return out;
}

static bool str_is(const json_t *obj, const char *key, const char *value)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_string(v) && strcmp(json_string_value(v), value) == 0;
}

const json_t *fixture_find(const json_t *rec, const char *array, const char *key,
			   const char *value, const char *key2, const char *value2)
{
	const json_t *arr = json_object_get(rec, array);
	const json_t *el;
	size_t i;

	json_array_foreach(arr, i, el) {
		if (str_is(el, key, value) && (key2 == NULL || str_is(el, key2, value2)))
			return el;
	}
	return NULL;
}

char *fixture_read(struct fixture *fx, const char *name)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
	return slurp(path);
}

int fixture_conf_append(struct fixture *fx, const char *line)
{
	FILE *f = fopen(fx->conf, "a");
	int rc;

	if (f == NULL)
		return -1;
	rc = fprintf(f, "%s\n", line) < 0 ? -1 : 0;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

const char *fixture_policy_copy(struct fixture *fx, const char *name)
{
	static char path[4][400];
	static int next;
	char *p = path[next++ % 4], cmd[1400];

	snprintf(p, 400, "%s/%s", fx->dir, name);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -r '%s/config/policy' '%s'", p, fx->src, p);
	return run_shell(cmd) == 0 ? p : NULL;
}

int fixture_notify_wait(struct fixture *fx, const char *what, int timeout_ms)
{
	double deadline = fixture_now_s() + timeout_ms / 1000.0;

	while (fixture_now_s() < deadline) {
		struct pollfd p = {.fd = fx->notify_fd, .events = POLLIN};
		char buf[512];
		ssize_t n;

		if (poll(&p, 1, 200) <= 0)
			continue;
		n = recv(fx->notify_fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		if (strstr(buf, what) != NULL)
			return 0;
	}
	return -1;
}
