/* Earmarked funds through the real programs: a household's housing grant
 * counts once in its fund; the decision that takes a fund past a small test
 * budget raises budget_exceeded once, not again after more spending and a
 * restart; `assistctl export ledger` is CSV a standard reader parses, whose
 * counted amounts sum to what `assistctl funds` says was spent (a void
 * included); a rebuild
 * gives the same totals and assist-audit finds them equal to the ledger. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults.h"
#include "fixture.h"

static struct fixture fx;
static char policy[600];

/* 10,800 yuan a grant (3 members, 60 m2 at 180 yuan): the second passes it. */
#define GRANT 1080000
#define BUDGET 1500000

static const char funds_yaml[] =
	"fund.rural_new_build.budget:\n"
	"  unit: fen\n"
	"  clause: \"V (3) test budget [local]\"\n"
	"  local_default: true\n"
	"  values:\n"
	"    2026-01-01: 1500000\n";

static unsigned long seq;

/* A rural dibao household of three and its new-build claim, pushed. */
static void household_claim(int n)
{
	char ids[3][19], text[4096], name[32];
	char *err = NULL;
	size_t len = 0;
	int st;

	for (int i = 0; i < 3; i++)
		fixture_id(ids[i], "420702", i == 2 ? "20050303" : "19700101", 400 + n * 3 + i);
	len += snprintf(text + len, sizeof(text) - len,
			"{\"source\":\"civil_affairs\",\"seq\":%lu,\"kind\":\"household\","
			"\"household\":{\"household_id\":\"FU-%d\",\"members\":3,"
			"\"monthly_income_fen\":0,\"area\":\"district\"}}\n",
			++seq, n);
	for (int i = 0; i < 3; i++)
		len += snprintf(text + len, sizeof(text) - len,
				"{\"source\":\"civil_affairs\",\"seq\":%lu,\"kind\":\"person\","
				"\"person\":{\"id_number\":\"%s\",\"name\":\"Fu %d\","
				"\"household_id\":\"FU-%d\",\"hukou\":\"rural\","
				"\"area\":\"district\"}}\n",
				++seq, ids[i], i, n);
	len += snprintf(text + len, sizeof(text) - len,
			"{\"source\":\"civil_affairs\",\"seq\":%lu,\"kind\":\"enrollment\","
			"\"enrollment\":{\"id_number\":\"%s\",\"scheme\":\"rural_dibao\","
			"\"class\":\"I\",\"start_date\":\"2026-01-01\"}}\n"
			"{\"source\":\"housing\",\"seq\":%d,\"kind\":\"housing_aid\","
			"\"housing_aid\":{\"claim_id\":\"FU-%d-a\",\"household_id\":\"FU-%d\","
			"\"scheme\":\"rural_new_build\",\"date\":\"2026-04-01\"}}\n",
			++seq, ids[0], n, n, n);
	assert_true(len < sizeof(text));
	snprintf(name, sizeof(name), "household-%d.jsonl", n);
	st = fixture_push(&fx, name, text, &err);
	if (st != 0)
		fail_msg("push %s: exit %d\n%s", name, st, err);
	free(err);
}

/* `assistctl funds --year 2026 --json`: the line of scheme, or NULL. */
static json_t *funds_line(const char *scheme)
{
	const char *argv[] = {"assistctl", "-c", fx.conf, "funds", "--year", "2026", "--json",
			      NULL};
	char *out = NULL;
	json_t *j, *line = NULL;
	size_t i;
	json_t *l;

	assert_int_equal(fixture_run(&fx, &out, NULL, argv), 0);
	j = json_loads(out, 0, NULL);
	free(out);
	assert_non_null(j);
	assert_int_equal(fixture_int(j, "year"), 2026);
	json_array_foreach(json_object_get(j, "funds"), i, l)
	{
		if (strcmp(fixture_str(l, "scheme"), scheme) == 0)
			line = json_incref(l);
	}
	json_decref(j);
	return line;
}

static long long alerts(void)
{
	return faults_count(&fx, "SELECT count(*) FROM alert WHERE code = 'budget_exceeded'");
}

static void assert_spent_to(long long spent, long long recipients, bool exceeded)
{
	json_t *l = funds_line("rural_new_build");

	assert_non_null(l);
	assert_true(json_is_true(json_object_get(l, "has_budget")));
	assert_int_equal(fixture_int(l, "budget_fen"), BUDGET);
	assert_int_equal(fixture_int(l, "spent_fen"), spent);
	assert_int_equal(fixture_int(l, "remaining_fen"), BUDGET - spent);
	assert_int_equal(fixture_int(l, "recipients"), recipients);
	assert_true(json_is_true(json_object_get(l, "exceeded")) == exceeded);
	json_decref(l);
}

/* Spending of grants to whole households of three, each a recipient. */
static void assert_spent(long long spent, bool exceeded)
{
	assert_spent_to(spent, spent / GRANT * 3, exceeded);
}

/* The policy set's funds.yaml is text. 0 or -1. */
static int write_funds(const char *text)
{
	char path[700];
	FILE *f;

	snprintf(path, sizeof(path), "%s/funds.yaml", policy);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	if (fputs(text, f) == EOF) {
		fclose(f);
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}

static int setup(void **state)
{
	const char *dir;
	char line[700];

	if (fixture_setup(&fx, "funds", NULL) < 0 || (dir = fixture_policy_copy(&fx, "policy")) == NULL)
		return -1;
	snprintf(policy, sizeof(policy), "%s", dir);
	if (write_funds(funds_yaml) < 0)
		return -1;
	snprintf(line, sizeof(line), "policy_dir = %s", policy);
	if (fixture_conf_append(&fx, line) < 0 || fixture_assistd_start(&fx) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	fixture_teardown(&fx);
	return 0;
}

/* One grant, listed on three members, counts once: under the budget. The
 * second takes the fund past it: one alert. More spending and a restart
 * raise none. */
static void test_budget_exceeded_once(void **state)
{
	household_claim(1);
	assert_spent(GRANT, false);
	assert_int_equal(alerts(), 0);
	household_claim(2);
	assert_spent(2 * GRANT, true);
	assert_int_equal(alerts(), 1);
	assert_int_equal(faults_count(&fx, "SELECT count(*) FROM feed WHERE topic = "
					   "'alert/budget_exceeded/rural_new_build/2026'"),
			 1);
	household_claim(3);
	assert_int_equal(alerts(), 1);
	assert_int_equal(fixture_assistd_stop(&fx, SIGTERM), 0);
	assert_int_equal(fixture_assistd_start(&fx), 0);
	household_claim(4);
	assert_spent(4 * GRANT, true);
	assert_int_equal(alerts(), 1);
}

/* A fund without a budget for the year shows none and raises nothing. */
static void test_no_budget(void **state)
{
	const char *argv[] = {"assistctl", "-c", fx.conf, "pay", "2026-05", NULL};
	json_t *l;

	assert_int_equal(fixture_run(&fx, NULL, NULL, argv), 0);
	l = funds_line("rural_dibao");
	assert_non_null(l);
	assert_false(json_is_true(json_object_get(l, "has_budget")));
	assert_true(fixture_int(l, "spent_fen") > 0);
	assert_int_equal(fixture_int(l, "recipients"), 4);
	assert_false(json_is_true(json_object_get(l, "exceeded")));
	json_decref(l);
	assert_int_equal(alerts(), 1);
}

/* A household's claim voided: one reversal on every member, counted once;
 * its members stay recipients (they have entries), no new alert. */
static void test_void_counts_once(void **state)
{
	char *err = NULL;
	int st = fixture_push(&fx, "void.jsonl",
			      "{\"source\":\"housing\",\"seq\":5,\"kind\":\"housing_aid\","
			      "\"housing_aid\":{\"claim_id\":\"FU-4-a\",\"household_id\":\"FU-4\","
			      "\"scheme\":\"rural_new_build\",\"date\":\"2026-04-01\","
			      "\"op\":\"void\"}}\n",
			      &err);

	if (st != 0)
		fail_msg("push void: exit %d\n%s", st, err);
	free(err);
	assert_int_equal(faults_count(&fx, "SELECT count(*) FROM ledger WHERE kind = 'reversal'"),
			 3);
	assert_spent_to(3 * GRANT, 12, true);
	assert_int_equal(alerts(), 1);
}

/* The export as python3's csv module reads it: "rows counted_sum masked". */
static void export_read(bool full_ids, long long *rows, long long *sum, long long *masked)
{
	const char *argv[] = {"assistctl", "-c", fx.conf, "export", "ledger", "--scheme",
			      "rural_new_build", "--year", "2026", full_ids ? "--full-ids" : NULL,
			      NULL};
	char *out = NULL, cmd[900], result[128] = "";
	const char *path;
	FILE *p;

	assert_int_equal(fixture_run(&fx, &out, NULL, argv), 0);
	path = fixture_write(&fx, "ledger.csv", out);
	free(out);
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import csv, sys\n"
		 "rows = list(csv.reader(open(sys.argv[1], newline=\"\"), strict=True))\n"
		 "h = rows[0]\n"
		 "assert all(len(r) == len(h) for r in rows[1:])\n"
		 "a, c, i = h.index(\"amount_fen\"), h.index(\"counted\"), h.index(\"id\")\n"
		 "print(len(rows) - 1, sum(int(r[a]) for r in rows[1:] if r[c] == \"1\"),"
		 " sum(\"*\" in r[i] for r in rows[1:]))' %s",
		 path);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(result, sizeof(result), p));
	assert_int_equal(pclose(p), 0);
	assert_int_equal(sscanf(result, "%lld %lld %lld", rows, sum, masked), 3);
}

/* The CSV parses; its counted amounts are the fund's spent; IDs masked
 * unless asked for by a caller granted them (ipc is). */
static void test_export_sums_to_funds(void **state)
{
	long long rows, sum, masked;
	json_t *l = funds_line("rural_new_build");

	export_read(false, &rows, &sum, &masked);
	assert_int_equal(rows, 15); /* four households of three, one voided */
	assert_int_equal(sum, fixture_int(l, "spent_fen"));
	assert_int_equal(sum, 3 * GRANT);
	assert_int_equal(masked, 15);
	export_read(true, &rows, &sum, &masked);
	assert_int_equal(rows, 15);
	assert_int_equal(masked, 0);
	json_decref(l);
}

/* A rebuild from the journal gives the same fund totals and one alert;
 * assist-audit finds the totals equal to the ledger. */
static void test_rebuild_and_audit(void **state)
{
	const char *q = "SELECT string_agg(scheme || ':' || year || ':' || spent_fen || ':' || "
			"entries || ':' || alerted, ',' ORDER BY scheme, year) FROM fund_year";
	const char *r = "SELECT sum(recipients) FROM fund_year";
	const char *distinct = "SELECT count(*) FROM (SELECT DISTINCT scheme, extract(year FROM "
			       "date), id_number FROM ledger WHERE date IS NOT NULL) t";
	const char *audit[] = {"assist-audit", "-c", fx.conf, NULL};
	char *before = fixture_sql(&fx, q), *after, *out = NULL;
	long long recipients = faults_count(&fx, r);

	assert_non_null(before);
	assert_true(recipients > 0);
	assert_int_equal(recipients, faults_count(&fx, distinct));
	assert_int_equal(fixture_assistd_stop(&fx, SIGTERM), 0);
	assert_int_equal(faults_rebuild(&fx, fx.conf, NULL), 0);
	after = fixture_sql(&fx, q);
	assert_non_null(after);
	assert_string_equal(after, before);
	assert_int_equal(faults_count(&fx, r), recipients);
	assert_int_equal(alerts(), 1);
	assert_int_equal(fixture_run(&fx, &out, NULL, audit), 0);
	assert_non_null(strstr(out, "fund"));
	free(out);
	free(before);
	free(after);
	assert_int_equal(fixture_assistd_start(&fx), 0);
}

/* SIGHUP; what assistd logged meanwhile (malloc'ed). */
static char *sighup(void)
{
	char *before = fixture_read(&fx, "assistd.log"), *after, *news;
	size_t skip = strlen(before);

	free(before);
	assert_int_equal(fixture_assistd_signal(&fx, SIGHUP), 0);
	assert_int_equal(fixture_notify_wait(&fx, "RELOADING=1", 30000), 0);
	assert_int_equal(fixture_notify_wait(&fx, "READY=1", 30000), 0);
	after = fixture_read(&fx, "assistd.log");
	news = strdup(after + skip);
	free(after);
	return news;
}

/* Budgets change with the policy set, on a reload that succeeds only; the
 * alert already raised stays raised. */
static void test_reload_budgets(void **state)
{
	char *log;
	json_t *l;

	assert_int_equal(write_funds("fund.rural_new_bild.budget:\n  unit: fen\n"
				     "  clause: \"c\"\n  values:\n    2026-01-01: 1\n"),
			 0);
	log = sighup();
	assert_non_null(strstr(log, "fund.rural_new_bild.budget: rural_new_bild is not a scheme "
				    "with a fund"));
	assert_non_null(strstr(log, "keeping the running policy set"));
	free(log);
	assert_spent_to(3 * GRANT, 12, true);
	assert_int_equal(write_funds("fund.rural_new_build.budget:\n  unit: fen\n"
				     "  clause: \"c\"\n  values:\n    2026-01-01: 9000000\n"),
			 0);
	log = sighup();
	assert_non_null(strstr(log, "reloaded"));
	free(log);
	l = funds_line("rural_new_build");
	assert_non_null(l);
	assert_int_equal(fixture_int(l, "budget_fen"), 9000000);
	assert_int_equal(fixture_int(l, "remaining_fen"), 9000000 - 3 * GRANT);
	assert_true(json_is_true(json_object_get(l, "exceeded")));
	json_decref(l);
}

/* Every key column is compared byte by byte (migration 15), whatever the
 * database's locale: one that is not would cost a strcoll() per index
 * comparison, and a join between two of them a collation conflict. */
static void test_keys_bytewise(void **state)
{
	char *n = fixture_sql(&fx, "SELECT count(*) || '/' || count(*) FILTER (WHERE "
				   "collation_name IS DISTINCT FROM 'C') FROM "
				   "information_schema.columns WHERE table_schema = 'public' AND "
				   "data_type = 'text' AND column_name IN ('id_number', "
				   "'household_id', 'application_id', 'scheme', 'source')");

	assert_non_null(n);
	assert_string_equal(n, "17/0");
	free(n);
}

/* A store from before the funds (migrations 8 and 17 undone) gets its fund
 * totals, recipients and counted flags from the ledger it has. */
static void test_migration_backfills(void **state)
{
	const char *totals = "SELECT string_agg(scheme || ':' || year || ':' || spent_fen || ':' "
			     "|| entries, ',' ORDER BY scheme, year) FROM fund_year";
	const char *counted = "SELECT string_agg(id || ':' || counted, ',' ORDER BY id) FROM ledger";
	char *t0 = fixture_sql(&fx, totals), *c0 = fixture_sql(&fx, counted), *t1, *c1, *undo;
	const char *recipients_sql = "SELECT sum(recipients) FROM fund_year";
	long long recipients = faults_count(&fx, recipients_sql);

	assert_non_null(t0);
	assert_non_null(c0);
	assert_non_null(strstr(c0, ":false")); /* the test has household entries */
	assert_int_equal(fixture_assistd_stop(&fx, SIGTERM), 0);
	undo = fixture_sql(&fx, "DROP TABLE fund_year; DROP INDEX ledger_scheme_date; "
				"ALTER TABLE ledger DROP COLUMN counted; "
				"DELETE FROM schema_migrations WHERE version IN (8, 17); SELECT 1");
	assert_non_null(undo);
	assert_int_equal(fixture_assistd_start(&fx), 0);
	t1 = fixture_sql(&fx, totals);
	c1 = fixture_sql(&fx, counted);
	assert_non_null(t1);
	assert_non_null(c1);
	assert_string_equal(t1, t0);
	assert_string_equal(c1, c0);
	assert_int_equal(faults_count(&fx, recipients_sql), recipients);
	free(t0);
	free(c0);
	free(t1);
	free(c1);
	free(undo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_budget_exceeded_once),
		cmocka_unit_test(test_no_budget),
		cmocka_unit_test(test_void_counts_once),
		cmocka_unit_test(test_export_sums_to_funds),
		cmocka_unit_test(test_rebuild_and_audit),
		cmocka_unit_test(test_reload_budgets),
		cmocka_unit_test(test_keys_bytewise),
		cmocka_unit_test(test_migration_backfills),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
