/* The policy set as an operator changes it: a broken set stops assistd from
 * starting; a value with a later effective date, loaded on SIGHUP, applies to
 * later events only; a broken set on SIGHUP leaves the running one in place. */
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

static struct fixture fx;
static char policy[400]; /* the running assistd's copy of config/policy */
static char person_id[19];
static unsigned long health_seq;

/* ---- editing a policy file ---------------------------------------------------- */

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	assert_non_null(f);
	assert_int_equal(getdelim(&buf, &len, '\0', f) > 0, 1);
	fclose(f);
	return buf;
}

static void write_all(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* In file (of dir), inside the block of parameter param, replace the first
 * from with to; from NULL replaces the whole block (up to the blank line after
 * it). Returns the 1-based line where the replacement starts. */
static int edit_param(const char *dir, const char *file, const char *param, const char *from,
		      const char *to)
{
	char path[600], key[160], *text, *block, *end, *at, *out;
	int line = 1;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	snprintf(key, sizeof(key), "\n%s:\n", param);
	text = read_all(path);
	block = strstr(text, key);
	if (block == NULL)
		fail_msg("%s: no parameter %s", path, param);
	block++;
	end = strstr(block, "\n\n");
	end = end != NULL ? end + 1 : block + strlen(block);
	at = from != NULL ? strstr(block, from) : block;
	if (at == NULL || at >= end)
		fail_msg("%s: parameter %s has no \"%s\"", path, param, from);
	for (const char *c = text; c < at; c++)
		line += *c == '\n';
	out = malloc(strlen(text) + strlen(to) + 1);
	assert_non_null(out);
	sprintf(out, "%.*s%s%s", (int)(at - text), text, to,
		from != NULL ? at + strlen(from) : end);
	write_all(path, out);
	free(out);
	free(text);
	return line;
}

static void append_text(const char *dir, const char *file, const char *more)
{
	char path[600], *text;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	text = read_all(path);
	text = realloc(text, strlen(text) + strlen(more) + 1);
	assert_non_null(text);
	strcat(text, more);
	write_all(path, text);
	free(text);
}

/* ---- events and records -------------------------------------------------------- */

/* An inpatient Huimin bill at a Huimin hospital for the test's person. */
static void push_bill(const char *claim, const char *date, long total)
{
	char text[1024], *err = NULL;
	int st;

	snprintf(text, sizeof(text),
		 "{\"source\":\"health\",\"seq\":%lu,\"kind\":\"medical_claim\",\"medical_claim\":"
		 "{\"claim_id\":\"%s\",\"id_number\":\"%s\",\"date\":\"%s\",\"setting\":\"inpatient\","
		 "\"hospital\":\"huimin\",\"disease\":\"major\",\"total_fen\":%ld,\"insurer\":\"huimin\"}}\n",
		 ++health_seq, claim, person_id, date, total);
	st = fixture_push(&fx, "bill.jsonl", text, &err);
	if (st != 0)
		fail_msg("push %s: exit %d\n%s", claim, st, err);
	free(err);
}

/* The Huimin share the ledger holds for a claim. */
static long long huimin_share(const char *claim)
{
	json_t *rec = fixture_get(&fx, person_id, 0, NULL);
	const json_t *le;
	long long amount;

	assert_non_null(rec);
	le = fixture_find(rec, "ledger", "ref", claim, "scheme", "huimin");
	if (le == NULL)
		fail_msg("no Huimin ledger entry for %s", claim);
	amount = fixture_int(le, "amount_fen");
	json_decref(rec);
	return amount;
}

/* The explain item of a claim's Huimin share holds want. */
static void assert_explained(const char *claim, const char *want)
{
	char head[80], *text = fixture_explain(&fx, person_id, NULL), *item, *end;

	snprintf(head, sizeof(head), "ledger %s huimin: medical.huimin", claim);
	item = strstr(text, head);
	if (item == NULL)
		fail_msg("explain has no \"%s\":\n%s", head, text);
	end = strstr(item, "\n\n");
	if (end != NULL)
		*end = '\0';
	if (strstr(item, want) == NULL)
		fail_msg("explain item \"%s\" lacks \"%s\":\n%s", head, want, item);
	free(text);
}

/* SIGHUP, then wait for the reload to be over (RELOADING=1, READY=1); what
 * assistd logged meanwhile, malloc'ed. */
static char *sighup(void)
{
	char *before = fixture_read(&fx, "assistd.log"), *after, *news;
	size_t skip = strlen(before);

	free(before);
	assert_int_equal(fixture_assistd_signal(&fx, SIGHUP), 0);
	assert_int_equal(fixture_notify_wait(&fx, "RELOADING=1", 30000), 0);
	assert_int_equal(fixture_notify_wait(&fx, "READY=1", 30000), 0);
	after = fixture_read(&fx, "assistd.log");
	assert_true(strlen(after) >= skip);
	news = strdup(after + skip);
	free(after);
	return news;
}

static void assert_running(void)
{
	json_t *st;

	assert_int_not_equal(fx.assistd, 0);
	assert_int_equal(waitpid(fx.assistd, NULL, WNOHANG), 0);
	st = fixture_status(&fx);
	assert_non_null(st);
	json_decref(st);
}

static void assert_logged(const char *log, const char *want)
{
	if (strstr(log, want) == NULL)
		fail_msg("assistd log lacks \"%s\":\n%s", want, log);
}

/* ---- (a) a broken set at start ----------------------------------------------- */

/* Run assistd on a copy of the policy (dir/name) broken by an edit_param; it
 * must exit non-zero by itself. Its stderr, malloc'ed; the edited line in *line. */
static char *refused(const char *name, const char *file, const char *param, const char *from,
		     const char *to, int *line)
{
	char conf_line[600], *conf;
	const char *dir = fixture_policy_copy(&fx, name), *conf_path;
	const char *argv[] = {"assistd", "-c", NULL, NULL};
	pid_t pid;
	int st = -1;

	assert_non_null(dir);
	*line = edit_param(dir, file, param, from, to);
	/* Endpoints of its own: a wrongly started assistd must not take over the
	 * running one's sockets. */
	conf = fixture_read(&fx, "assistd.conf");
	snprintf(conf_line, sizeof(conf_line),
		 "policy_dir = %s\ningest_endpoint = ipc://%s/%s-in.sock\n"
		 "query_endpoint = ipc://%s/%s-q.sock\nfeed_endpoint = ipc://%s/%s-feed.sock\n",
		 dir, fx.dir, name, fx.dir, name, fx.dir, name);
	conf = realloc(conf, strlen(conf) + strlen(conf_line) + 1);
	assert_non_null(conf);
	strcat(conf, conf_line);
	conf_path = fixture_write(&fx, "refused.conf", conf);
	free(conf);
	argv[2] = conf_path;
	pid = fixture_spawn(&fx, argv);
	assert_true(pid > 0);
	/* A hang would be the failure; give it long enough to never be timing. */
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
		fail_msg("assistd started with the broken policy %s", name);
	}
	assert_int_not_equal(st, 0);
	return fixture_read(&fx, "assistd.err");
}

static void assert_says(char *err, const char *want)
{
	if (strstr(err, want) == NULL)
		fail_msg("assistd stderr lacks \"%s\":\n%s", want, err);
	free(err);
}

static void test_broken_policy_refuses_start(void **state)
{
	char want[600], *err;
	int line;

	/* A value that is not a number: the file and its line. */
	err = refused("bad-value", "medical.yaml", "medical.huimin.rate.huimin",
		      "2008-01-01: 6000", "2008-01-01: sixty", &line);
	snprintf(want, sizeof(want),
		 "%s/bad-value/medical.yaml:%d: medical.huimin.rate.huimin: value \"sixty\" is "
		 "not an integer",
		 fx.dir, line);
	assert_says(err, want);
	/* A date that is not one. */
	err = refused("bad-date", "dibao.yaml", "dibao.urban.standard.city", "2008-01-01",
		      "2008-13-01", &line);
	snprintf(want, sizeof(want), "%s/bad-date/dibao.yaml:%d: dibao.urban.standard.city: date",
		 fx.dir, line);
	assert_says(err, want);
	/* Broken YAML: libyaml names the file and the line it noticed. */
	err = refused("bad-syntax", "training.yaml", "training.sunshine.medium",
		      "2008-01-01: 30000", "2008-01-01: [30000", &line);
	snprintf(want, sizeof(want), "%s/bad-syntax/training.yaml:", fx.dir);
	assert_says(err, want);
	/* A parameter without its values. */
	err = refused("no-values", "housing.yaml", "housing.rural.repair", NULL,
		      "housing.rural.repair:\n  unit: fen\n  clause: \"(5) 5.2 repair\"\n", &line);
	snprintf(want, sizeof(want), "%s/no-values/housing.yaml:%d: housing.rural.repair: ",
		 fx.dir, line);
	assert_says(err, want);
	/* An incomplete set: a parameter the rules need is missing. */
	err = refused("missing", "education.yaml", "education.vocational", NULL, "", &line);
	assert_says(err, "missing policy parameter education.vocational");
}

/* ---- (b) a later effective date, on SIGHUP ------------------------------------- */

static void test_later_value_applies_to_later_events(void **state)
{
	char *log;

	/* (10,000 - 100) x 60% = 5,940. */
	push_bill("RL-1", "2026-03-01", 1000000);
	assert_int_equal(huimin_share("RL-1"), 594000);
	edit_param(policy, "medical.yaml", "medical.huimin.rate.huimin", "    2008-01-01: 6000\n",
		   "    2008-01-01: 6000\n    2027-01-01: 7000\n");
	log = sighup();
	assert_logged(log, "reloaded");
	free(log);
	assert_running();
	/* (5,000 - 100) x 60% = 2,940 in 2026, x 70% = 3,430 in 2027. */
	push_bill("RL-2", "2026-06-01", 500000);
	push_bill("RL-3", "2027-02-01", 500000);
	assert_int_equal(huimin_share("RL-2"), 294000);
	assert_int_equal(huimin_share("RL-3"), 343000);
	/* What was decided before stays. */
	assert_int_equal(huimin_share("RL-1"), 594000);
	assert_explained("RL-2", "param medical.huimin.rate.huimin = 6000 bp (since 2008-01-01;");
	assert_explained("RL-3", "param medical.huimin.rate.huimin = 7000 bp (since 2027-01-01;");
	assert_explained("RL-3", "=> (eligible 500000 - deductible 10000) x 7000 bp = 343000");
}

/* ---- (c) a broken set on SIGHUP ------------------------------------------------- */

static void test_broken_reload_keeps_running_set(void **state)
{
	char want[600], *log;
	int line;

	/* A value that is not a number. */
	line = edit_param(policy, "medical.yaml", "medical.huimin.rate.huimin", "2027-01-01: 7000",
			  "2027-01-01: seventy");
	log = sighup();
	snprintf(want, sizeof(want),
		 "%s/medical.yaml:%d: medical.huimin.rate.huimin: value \"seventy\" is not an "
		 "integer",
		 policy, line);
	assert_logged(log, want);
	assert_logged(log, "keeping");
	free(log);
	assert_running();
	/* The running set is the one of (b), 2027 value included. */
	push_bill("RL-4", "2027-03-01", 500000);
	push_bill("RL-5", "2026-07-01", 500000);
	assert_int_equal(huimin_share("RL-4"), 343000);
	assert_int_equal(huimin_share("RL-5"), 294000);

	/* Broken YAML. */
	edit_param(policy, "medical.yaml", "medical.huimin.rate.huimin", "2027-01-01: seventy",
		   "2027-01-01: [7000");
	log = sighup();
	snprintf(want, sizeof(want), "%s/medical.yaml:", policy);
	assert_logged(log, want);
	assert_logged(log, "keeping");
	free(log);
	assert_running();
	push_bill("RL-6", "2027-04-01", 500000);
	assert_int_equal(huimin_share("RL-6"), 343000);

	/* An incomplete set. */
	edit_param(policy, "medical.yaml", "medical.huimin.rate.huimin", "2027-01-01: [7000",
		   "2027-01-01: 7000");
	edit_param(policy, "medical.yaml", "medical.huimin.cap", NULL, "");
	log = sighup();
	assert_logged(log, "missing policy parameter medical.huimin.cap");
	assert_logged(log, "keeping");
	free(log);
	assert_running();
	push_bill("RL-7", "2027-05-01", 500000);
	assert_int_equal(huimin_share("RL-7"), 343000);
	assert_explained("RL-7", "param medical.huimin.cap = 2000000 fen (since 2008-01-01;");

	/* Mended, the next SIGHUP takes the new set. */
	edit_param(policy, "medical.yaml", "medical.huimin.rate.huimin", "2027-01-01: 7000",
		   "2027-01-01: 7500");
	append_text(policy, "medical.yaml",
		    "\nmedical.huimin.cap:\n  unit: fen\n  clause: \"(3) 3.1 Huimin annual cap: "
		    "20,000 yuan\"\n  values:\n    2008-01-01: 2000000\n");
	log = sighup();
	assert_logged(log, "reloaded");
	free(log);
	push_bill("RL-8", "2027-06-01", 500000);
	/* (5,000 - 100) x 75% = 3,675. */
	assert_int_equal(huimin_share("RL-8"), 367500);
}

static int setup(void **state)
{
	char line[600], text[2048];
	const char *path;

	if (fixture_setup(&fx, "reload", NULL) < 0)
		return -1;
	path = fixture_policy_copy(&fx, "policy");
	if (path == NULL)
		return -1;
	snprintf(policy, sizeof(policy), "%s", path);
	snprintf(line, sizeof(line), "policy_dir = %s", policy);
	if (fixture_conf_append(&fx, line) < 0 || fixture_assistd_start(&fx) < 0)
		return -1;
	/* An urban dibao member, eligible for Huimin from 2026 on. */
	fixture_id(person_id, "420704", "19760606", 301);
	snprintf(text, sizeof(text),
		 "{\"source\":\"civil_affairs\",\"seq\":1,\"kind\":\"household\",\"household\":"
		 "{\"household_id\":\"RL-H\",\"members\":1,\"monthly_income_fen\":0,\"area\":\"city\"}}\n"
		 "{\"source\":\"civil_affairs\",\"seq\":2,\"kind\":\"person\",\"person\":"
		 "{\"id_number\":\"%s\",\"household_id\":\"RL-H\",\"hukou\":\"urban\",\"area\":\"city\"}}\n"
		 "{\"source\":\"civil_affairs\",\"seq\":3,\"kind\":\"enrollment\",\"enrollment\":"
		 "{\"id_number\":\"%s\",\"scheme\":\"urban_dibao\",\"start_date\":\"2026-01-01\"}}\n",
		 person_id, person_id);
	path = fixture_write(&fx, "person.jsonl", text);
	{
		const char *argv[] = {"assistctl", "-c", fx.conf, "push", path, NULL};

		if (fixture_run(&fx, NULL, NULL, argv) != 0)
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	fixture_teardown(&fx);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_broken_policy_refuses_start),
		cmocka_unit_test(test_later_value_applies_to_later_events),
		cmocka_unit_test(test_broken_reload_keeps_running_set),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
