/* A retroactive standard through the real assistd: 10,000 urban dibao
 * recipients are paid for January to March 2008; the urban standard is
 * raised from 185 to 200 yuan from 1 February in the policy files and
 * assistd reloaded (SIGHUP): one recompute job books 15 yuan of arrears for
 * February and March for everyone. assistd is killed in the middle of the
 * job and started again: the job goes on where it was, and every month is
 * booked exactly once; the explanation names the parameter, its date and
 * its clause; assist-audit passes; April is paid at the new standard.
 * One recipient's household income became 50 yuan from 1 March (reported
 * after March was paid): its February is recomputed with February's income
 * (0) and its March with March's, so it gets the same 15 yuan each. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

#define RECIPIENTS 10000
#define CHANGED 7 /* the recipient whose household income changed */
#define CHUNK 100 /* recompute_chunk: 100 chunks, so the kill lands in the middle */

static struct fixture fx;
static char policy[400];

static void run_ok(const char *const *argv)
{
	char *out = NULL, *err = NULL;
	int st = fixture_run(&fx, &out, &err, argv);

	if (st != 0)
		fail_msg("%s %s: exit %d\n%s%s", argv[3], argv[4] ? argv[4] : "", st,
			 out ? out : "", err ? err : "");
	free(out);
	free(err);
}

static void pay(const char *month)
{
	const char *argv[] = {"assistctl", "-c", fx.conf, "pay", month, NULL};

	run_ok(argv);
}

/* Recipient i's ID: a birth year per thousand, the sequence within it. */
static void id_of(int i, char out[19])
{
	char birth[9];

	snprintf(birth, sizeof(birth), "%d0101", 1950 + i / 1000);
	fixture_id(out, "420704", birth, i % 1000);
}

/* Recipient i alone in household ST-i, no income: 185 yuan a month. */
static void push_recipients(void)
{
	size_t cap = (size_t)RECIPIENTS * 600, len = 0;
	char *text = malloc(cap), *err = NULL, id[19];
	unsigned long seq = 0;
	int st;

	assert_non_null(text);
	for (int i = 0; i < RECIPIENTS; i++) {
		id_of(i, id);
		len += (size_t)snprintf(
			text + len, cap - len,
			"{\"source\":\"civil_affairs\",\"seq\":%lu,\"kind\":\"household\",\"household\":"
			"{\"household_id\":\"ST-%d\",\"members\":1,\"monthly_income_fen\":0,"
			"\"area\":\"city\"}}\n"
			"{\"source\":\"civil_affairs\",\"seq\":%lu,\"kind\":\"person\",\"person\":"
			"{\"id_number\":\"%s\",\"name\":\"S\",\"household_id\":\"ST-%d\","
			"\"hukou\":\"urban\",\"area\":\"city\"}}\n"
			"{\"source\":\"civil_affairs\",\"seq\":%lu,\"kind\":\"enrollment\",\"enrollment\":"
			"{\"id_number\":\"%s\",\"scheme\":\"urban_dibao\",\"start_date\":\"2008-01-01\"}}\n",
			seq + 1, i, seq + 2, id, i, seq + 3, id);
		seq += 3;
		assert_true(len < cap);
	}
	st = fixture_push(&fx, "recipients.jsonl", text, &err);
	if (st != 0)
		fail_msg("push: exit %d\n%s", st, err);
	free(err);
	free(text);
}

/* In policy file name, within the block of parameter param, replace the
 * line old with new. */
static void edit_policy(const char *name, const char *param, const char *old, const char *new)
{
	char path[128], block[128], *text, *at, *val, *out;

	snprintf(path, sizeof(path), "policy/%s", name);
	snprintf(block, sizeof(block), "\n%s:\n", param);
	text = fixture_read(&fx, path);
	at = strstr(text, block);
	assert_non_null(at);
	val = strstr(at, old);
	assert_non_null(val);
	out = malloc(strlen(text) + strlen(new) + 1);
	assert_non_null(out);
	sprintf(out, "%.*s%s%s", (int)(val - text), text, new, val + strlen(old));
	assert_non_null(fixture_write(&fx, path, out));
	free(out);
	free(text);
}

/* Give the urban city standard a value of 20000 from 2008-02-01. */
static void raise_standard(void)
{
	edit_policy("dibao.yaml", "dibao.urban.standard.city", "    2008-01-01: 18500\n",
		    "    2008-01-01: 18500\n    2008-02-01: 20000\n");
}

/* The recompute job in status (done, total, finished), -1 done when none. */
static void job_status(long long *done, long long *total, bool *finished)
{
	json_t *st = fixture_status(&fx);
	const json_t *jobs = st != NULL ? json_object_get(st, "jobs") : NULL;
	const json_t *j = json_array_size(jobs) > 0 ? json_array_get(jobs, 0) : NULL;

	*done = j != NULL ? fixture_int(j, "done") : -1;
	*total = j != NULL ? fixture_int(j, "total") : 0;
	*finished = j != NULL && json_is_true(json_object_get(j, "finished"));
	json_decref(st);
}

static char *sql(const char *q)
{
	return fixture_sql(&fx, q);
}

static void assert_sql(const char *q, const char *want)
{
	char *got = sql(q);

	if (got == NULL || strcmp(got, want) != 0)
		fail_msg("%s: '%s', not '%s'", q, got ? got : "(null)", want);
	free(got);
}

static int setup(void **state)
{
	char line[600];
	const char *path;

	(void)state;
	if (fixture_setup(&fx, "standards", "recompute_chunk = 100\n") < 0)
		return -1;
	if ((path = fixture_policy_copy(&fx, "policy")) == NULL)
		return -1;
	snprintf(policy, sizeof(policy), "%s", path);
	snprintf(line, sizeof(line), "policy_dir = %s", policy);
	return fixture_conf_append(&fx, line) < 0 || fixture_assistd_start(&fx) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	fixture_teardown(&fx);
	return 0;
}

static void test_paid(void **state)
{
	(void)state;
	push_recipients();
	pay("2008-01");
	pay("2008-02");
	pay("2008-03");
	assert_sql("SELECT count(*) || ' ' || sum(amount_fen) FROM ledger WHERE kind = 'payment'",
		   "30000 555000000");
	/* 185 - 50 from March on: March's 5000 recovered. */
	assert_int_equal(fixture_push(&fx, "income.jsonl",
				      "{\"source\":\"civil_affairs\",\"seq\":30001,\"kind\":"
				      "\"household\",\"household\":{\"household_id\":\"ST-7\","
				      "\"monthly_income_fen\":5000,"
				      "\"effective_on\":\"2008-03-01\"}}\n",
				      NULL),
			 0);
	assert_sql("SELECT string_agg(period || ' ' || amount_fen, ',') FROM ledger "
		   "WHERE kind = 'recovery'",
		   "2008-03 -5000");
	/* standards is assistd's own source: no sender may use it. */
	assert_int_not_equal(fixture_push(&fx, "forged.jsonl",
					  "{\"source\":\"standards\",\"seq\":1,\"kind\":\"recompute\","
					  "\"recompute\":{\"from\":\"2008-01-01\",\"buckets\":1}}\n",
					  NULL),
			     0);
	/* A reload that changes nothing periodic starts no job. */
	assert_int_equal(fixture_assistd_signal(&fx, SIGHUP), 0);
	assert_int_equal(fixture_notify_wait(&fx, "READY=1", 30000), 0);
	assert_sql("SELECT count(*) FROM recompute_job", "0");
}

static void test_raised_killed_resumed(void **state)
{
	long long done = -1, total = 0;
	bool finished = false;
	char *left;
	double t0;

	(void)state;
	raise_standard();
	assert_int_equal(fixture_assistd_signal(&fx, SIGHUP), 0);
	assert_int_equal(fixture_notify_wait(&fx, "READY=1", 30000), 0);
	for (t0 = fixture_now_s(); done < 2 && fixture_now_s() - t0 < 60; fixture_sleep_ms(20))
		job_status(&done, &total, &finished);
	assert_true(done >= 2);
	assert_int_equal(total, RECIPIENTS / CHUNK);
	assert_true(fixture_assistd_stop(&fx, SIGKILL) > 128);
	/* Killed in the middle: some chunks committed, not all. */
	left = sql("SELECT minor < 100 AND minor >= 2 FROM source_position WHERE source = 'standards'");
	assert_string_equal(left, "t");
	free(left);
	assert_sql("SELECT count(*) FROM recompute_job WHERE finished IS NULL", "1");

	assert_int_equal(fixture_assistd_start(&fx), 0);
	for (t0 = fixture_now_s(); !finished && fixture_now_s() - t0 < 120; fixture_sleep_ms(100))
		job_status(&done, &total, &finished);
	assert_true(finished);
	assert_int_equal(done, total);
	/* 15 yuan more for February and March, once each, for everyone. */
	assert_sql("SELECT count(*) || ' ' || count(DISTINCT (id_number, ref)) || ' ' || "
		   "sum(amount_fen) || ' ' || min(amount_fen) || ' ' || max(amount_fen) "
		   "FROM ledger WHERE kind = 'arrears'",
		   "20000 20000 30000000 1500 1500");
	assert_sql("SELECT string_agg(DISTINCT period, ',') FROM ledger WHERE kind = 'arrears'",
		   "2008-02,2008-03");
	assert_sql("SELECT count(*) FROM ledger WHERE kind IN ('recovery', 'reversal')", "1");
	assert_sql("SELECT count(*) FROM recompute_job", "1");
}

/* get ID --as-of day: the urban dibao amount and the household income of that day. */
static void as_of(const char *id, const char *day, long long monthly, long long income)
{
	const char *argv[] = {"assistctl", "-c", fx.conf, "get", id, "--as-of", day, NULL};
	const json_t *dibao;
	char *out = NULL;
	json_t *rec;

	assert_int_equal(fixture_run(&fx, &out, NULL, argv), 0);
	rec = json_loads(out, 0, NULL);
	assert_non_null(rec);
	dibao = fixture_find(rec, "benefits", "scheme", "urban_dibao", NULL, NULL);
	assert_int_equal(fixture_int(dibao, "monthly_fen"), monthly);
	assert_int_equal(fixture_int(rec, "household.monthly_income_fen"), income);
	json_decref(rec);
	free(out);
}

/* assist-audit finds a month that does not add up to what the facts give:
 * id's February arrears taken out (and put back after). */
static void audit_finds_month(const char *id)
{
	const char *audit[] = {"assist-audit", "-c", fx.conf, NULL};
	char *out = NULL;

	free(fixture_sqlf(&fx, "CREATE TABLE kept AS SELECT * FROM ledger WHERE id_number = '%s' "
			  "AND ref = 'pay/urban_dibao/2008-02' AND kind = 'arrears'", id));
	free(sql("DELETE FROM ledger WHERE id IN (SELECT id FROM kept)"));
	assert_int_equal(fixture_run(&fx, &out, NULL, audit), 1);
	if (strstr(out, "pay/urban_dibao/2008-02: entries sum to 18500, the facts now give 20000 "
			"(household 1 x 20000 - 0 = 20000; 20000 per member)") == NULL ||
	    strstr(out, "months: 10000 persons paid, 30000 months, 1 whose entries") == NULL ||
	    strstr(out, id) != NULL)
		fail_msg("the audit did not find the month, or showed the ID:\n%s", out);
	free(out);
	free(sql("INSERT INTO ledger SELECT * FROM kept"));
	free(sql("DROP TABLE kept"));
	run_ok(audit);
}

static void test_explained_audited(void **state)
{
	const char *audit[] = {"assist-audit", "-c", fx.conf, NULL};
	char id[19], *text, *log;
	int code = -1;

	(void)state;
	id_of(4242, id);
	text = fixture_explain(&fx, id, &code);
	assert_int_equal(code, 0);
	if (strstr(text, "pay/urban_dibao/2008-03 arrears 1500: standard "
			 "dibao.urban.standard.city from 2008-02-01") == NULL ||
	    strstr(text, "dibao.urban.standard.city = 20000") == NULL ||
	    strstr(text, "urban standard 185 yuan") == NULL)
		fail_msg("explain lacks the standard, its value or its clause:\n%s", text);
	free(text);
	id_of(CHANGED, id);
	text = fixture_explain(&fx, id, &code);
	if (strstr(text, "pay/urban_dibao/2008-02 arrears 1500: standard dibao.urban.standard.city "
			 "from 2008-02-01: household 1 x 20000 - 0 = 20000") == NULL ||
	    strstr(text, "pay/urban_dibao/2008-03 arrears 1500: standard dibao.urban.standard.city "
			 "from 2008-02-01: household 1 x 20000 - 5000 = 15000") == NULL)
		fail_msg("explain lacks the months computed with their own income:\n%s", text);
	free(text);
	as_of(id, "2008-02-15", 20000, 0);
	as_of(id, "2008-03-15", 15000, 5000);
	log = fixture_read(&fx, "assistd.log");
	assert_non_null(strstr(log, "recompute job 1 (dibao.urban.standard.city from 2008-02-01)"));
	assert_non_null(strstr(log, "recompute job 1 finished"));
	free(log);
	run_ok(audit);
	audit_finds_month(id);
	/* April is paid at the new standard. */
	pay("2008-04");
	assert_sql("SELECT count(*) || ' ' || sum(amount_fen) FROM ledger "
		   "WHERE kind = 'payment' AND period = '2008-04'",
		   "10000 199995000");
}

/* The sum of ref's entries of scheme, and how many. */
static long long ref_total(const char *ref, const char *scheme, int *n)
{
	char *text = fixture_sqlf(&fx, "SELECT count(*) || ' ' || coalesce(sum(amount_fen), 0) "
				  "FROM ledger WHERE ref = '%s' AND scheme = '%s'", ref, scheme);
	long long sum = 0;

	assert_non_null(text);
	assert_int_equal(sscanf(text, "%d %lld", n, &sum), 2);
	free(text);
	return sum;
}

/* Medical assistance raised from 50 % to 70 % back from 2008: a reload
 * starts no job (no monthly amount changes), `recompute --claims --from
 * 2008-02-01` decides the March bill again (reversal and new decision under
 * its ref) and leaves the January one as it was. */
static void test_claims_recomputed(void **state)
{
	const char *argv[] = {"assistctl", "-c", fx.conf, "recompute", "--claims", "--from",
			      "2008-02-01", NULL};
	const char *audit[] = {"assist-audit", "-c", fx.conf, NULL};
	char a[19], b[19], text[1024], *out = NULL;
	long long before, jan, after;
	int n, st;

	(void)state;
	id_of(1, a);
	id_of(2, b);
	snprintf(text, sizeof(text),
		 "{\"source\":\"health\",\"seq\":1,\"kind\":\"medical_claim\",\"medical_claim\":"
		 "{\"claim_id\":\"RC-MAR\",\"id_number\":\"%s\",\"date\":\"2008-03-10\","
		 "\"setting\":\"inpatient\",\"hospital\":\"central\",\"disease\":\"major\","
		 "\"total_fen\":100000,\"insurer\":\"none\"}}\n"
		 "{\"source\":\"health\",\"seq\":2,\"kind\":\"medical_claim\",\"medical_claim\":"
		 "{\"claim_id\":\"RC-JAN\",\"id_number\":\"%s\",\"date\":\"2008-01-05\","
		 "\"setting\":\"inpatient\",\"hospital\":\"central\",\"disease\":\"major\","
		 "\"total_fen\":100000,\"insurer\":\"none\"}}\n",
		 a, b);
	assert_int_equal(fixture_push(&fx, "bills.jsonl", text, NULL), 0);
	before = ref_total("RC-MAR", "medical_assistance", &n);
	assert_int_equal(n, 1);
	assert_true(before > 0);
	jan = ref_total("RC-JAN", "medical_assistance", &n);
	edit_policy("medical.yaml", "medical.assistance.rate", "    2008-01-01: 5000\n",
		    "    2008-01-01: 7000\n");
	assert_int_equal(fixture_assistd_signal(&fx, SIGHUP), 0);
	assert_int_equal(fixture_notify_wait(&fx, "READY=1", 30000), 0);
	st = fixture_run(&fx, &out, NULL, argv);
	if (st != 0 || strstr(out, "finished") == NULL)
		fail_msg("recompute: exit %d: %s", st, out ? out : "");
	free(out);
	assert_sql("SELECT count(*) || ' ' || count(*) FILTER (WHERE claims) FROM recompute_job",
		   "2 1");
	after = ref_total("RC-MAR", "medical_assistance", &n);
	assert_int_equal(n, 3);
	/* (total - 0) x 70 % against x 50 %, rounded half up either way. */
	assert_true(after * 5 >= before * 7 - 5 && after * 5 <= before * 7 + 5);
	assert_sql("SELECT string_agg(kind, ',' ORDER BY id) FROM ledger "
		   "WHERE ref = 'RC-MAR' AND scheme = 'medical_assistance'",
		   "decision,reversal,decision");
	assert_int_equal(ref_total("RC-JAN", "medical_assistance", &n), jan);
	assert_int_equal(n, 1);
	run_ok(audit);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paid),
		cmocka_unit_test(test_raised_killed_resumed),
		cmocka_unit_test(test_explained_audited),
		cmocka_unit_test(test_claims_recomputed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
