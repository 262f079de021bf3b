/* Back-dated facts through the real assistd: February and March 2008 are
 * paid, then a household income reported late with effective_on 1 February
 * books a recovery in both months for every member, explained; a death
 * registered late recovers the months after the month of death and
 * reverses the claims dated after it; an enrollment ended late recovers the
 * months after its end; assist-audit passes and a rebuild agrees. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <signal.h>

#include "faults.h"
#include "fixture.h"

static struct fixture fx;
static char a[19], b[19], c[19], d[19], f[19];

static char events[8192];
static size_t events_len;
static unsigned long seq[2];

__attribute__((format(printf, 3, 4))) static void ev(const char *source, const char *kind,
						     const char *fmt, ...)
{
	char payload[1024];
	unsigned long *s = &seq[strcmp(source, "health") == 0];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(payload, sizeof(payload), fmt, ap);
	va_end(ap);
	n = snprintf(events + events_len, sizeof(events) - events_len,
		     "{\"source\":\"%s\",\"seq\":%lu,\"kind\":\"%s\",\"%s\":{%s}}\n", source, ++*s,
		     kind, kind, payload);
	assert_true(n > 0 && (size_t)n < sizeof(events) - events_len);
	events_len += (size_t)n;
}

/* Push what ev() collected; fails the test unless assistctl exits 0. */
static void push(const char *name)
{
	char *err = NULL;
	int st = fixture_push(&fx, name, events, &err);

	if (st != 0)
		fail_msg("assistctl push %s: exit %d\n%s", name, st, err);
	free(err);
	events_len = 0;
	events[0] = '\0';
}

static void pay(const char *month)
{
	const char *argv[] = {"assistctl", "-c", fx.conf, "pay", month, NULL};
	char *out = NULL, *err = NULL;
	int st = fixture_run(&fx, &out, &err, argv);

	if (st != 0)
		fail_msg("pay %s: exit %d\n%s%s", month, st, out ? out : "", err ? err : "");
	free(out);
	free(err);
}

/* id's entries of ref on its record, as "kind:amount,...". */
static void assert_entries(const char *id, const char *ref, const char *want)
{
	int code = -1;
	json_t *rec = fixture_get(&fx, id, 2008, &code);
	const json_t *e;
	char got[256] = "", first[16];
	size_t i, n = 0;

	snprintf(first, sizeof(first), "%.7s-01", ref + strlen(ref) - 7);
	if (rec == NULL)
		fail_msg("get %s: exit %d", id, code);
	json_array_foreach(json_object_get(rec, "ledger"), i, e) {
		if (strcmp(fixture_str(e, "ref"), ref) != 0)
			continue;
		n += snprintf(got + n, sizeof(got) - n, "%s%s:%lld", n ? "," : "",
			      fixture_str(e, "kind"), fixture_int(e, "amount_fen"));
		assert_string_equal(fixture_str(e, "period"), ref + strlen(ref) - 7);
		assert_string_equal(fixture_str(e, "date"), first);
	}
	json_decref(rec);
	if (strcmp(got, want) != 0)
		fail_msg("%s %s: '%s', not '%s'", id, ref, got, want);
}

static void person(const char *id, const char *household)
{
	ev("civil_affairs", "person",
	   "\"id_number\":\"%s\",\"name\":\"P\",\"household_id\":\"%s\",\"hukou\":\"urban\","
	   "\"area\":\"city\"",
	   id, household);
	ev("civil_affairs", "enrollment",
	   "\"id_number\":\"%s\",\"scheme\":\"urban_dibao\",\"start_date\":\"2008-01-01\"", id);
}

/* A household of 3 at 300 yuan (3 x 185 - 300 = 255: 85 a member) and a
 * single recipient (185), paid for February and March. */
static void test_paid(void **state)
{
	ev("civil_affairs", "household", "\"household_id\":\"AR-1\",\"members\":3,"
	   "\"monthly_income_fen\":30000,\"area\":\"city\"");
	ev("civil_affairs", "household", "\"household_id\":\"AR-2\",\"members\":1,"
	   "\"monthly_income_fen\":0,\"area\":\"city\"");
	person(a, "AR-1");
	person(b, "AR-1");
	person(c, "AR-1");
	ev("civil_affairs", "household", "\"household_id\":\"AR-3\",\"members\":1,"
	   "\"monthly_income_fen\":0,\"area\":\"city\"");
	person(d, "AR-2");
	person(f, "AR-3");
	push("enroll.jsonl");
	/* A bill of d's in March, before anyone knows d died. */
	ev("health", "medical_claim",
	   "\"claim_id\":\"ZY-AR-1\",\"id_number\":\"%s\",\"date\":\"2008-03-10\","
	   "\"setting\":\"inpatient\",\"hospital\":\"central\",\"disease\":\"major\","
	   "\"total_fen\":1000000,\"insurer\":\"none\"",
	   d);
	push("bill.jsonl");
	pay("2008-02");
	pay("2008-03");
	assert_entries(a, "pay/urban_dibao/2008-03", "payment:8500");
	assert_entries(d, "pay/urban_dibao/2008-03", "payment:18500");
}

/* Income 450 yuan from 1 February, reported in April: 3 x 185 - 450 = 105,
 * 35 a member; 50 recovered in each month paid, January untouched. */
static void test_income_late(void **state)
{
	const char *who[] = {a, b, c};
	char *text;
	int code;

	ev("civil_affairs", "household", "\"household_id\":\"AR-1\",\"monthly_income_fen\":45000,"
	   "\"effective_on\":\"2008-02-01\"");
	push("income.jsonl");
	for (size_t i = 0; i < 3; i++) {
		assert_entries(who[i], "pay/urban_dibao/2008-03", "payment:8500,recovery:-5000");
	}
	text = fixture_sqlf(&fx, "SELECT string_agg(period || ':' || amount_fen || ':' || date, ',' ORDER BY "
		   "period) FROM ledger WHERE kind = 'recovery' AND id_number = '%s'",
		   a);
	assert_string_equal(text, "2008-02:-5000:2008-02-01,2008-03:-5000:2008-03-01");
	free(text);
	text = fixture_explain(&fx, a, &code);
	assert_int_equal(code, 0);
	assert_non_null(strstr(text, "payment.recovery"));
	assert_non_null(strstr(text, "pay/urban_dibao/2008-03 recovery -5000: household income "
				     "45000 from 2008-02-01 (was 30000): household 3 x 18500 - "
				     "45000 = 10500; 3500 per member, paid 8500"));
	free(text);
	/* The same report again books nothing more. */
	ev("civil_affairs", "household", "\"household_id\":\"AR-1\",\"monthly_income_fen\":45000,"
	   "\"effective_on\":\"2008-02-01\"");
	push("income-again.jsonl");
	text = fixture_sqlf(&fx, "SELECT count(*) FROM ledger WHERE kind IN ('arrears', 'recovery')");
	assert_string_equal(text, "6");
	free(text);
}

/* d died on 10 February; the death is registered in April: February stays
 * paid ("from the month after"), March is recovered, the March bill is
 * reversed with deceased_recipient. */
static void test_death_late(void **state)
{
	const char *audit[] = {"assist-audit", "-c", fx.conf, NULL};
	int code = -1;
	json_t *rec;
	char *text;

	ev("civil_affairs", "person", "\"id_number\":\"%s\",\"deceased_on\":\"2008-02-10\"", d);
	push("death.jsonl");
	text = fixture_sqlf(&fx, "SELECT string_agg(kind || ':' || amount_fen, ',' ORDER BY id) FROM ledger "
		   "WHERE id_number = '%s' AND ref LIKE 'pay/%%'",
		   d);
	assert_string_equal(text, "payment:18500,payment:18500,recovery:-18500");
	free(text);
	text = fixture_sqlf(&fx, "SELECT period FROM ledger WHERE kind = 'recovery' AND id_number = '%s'", d);
	assert_string_equal(text, "2008-03");
	free(text);
	text = fixture_sqlf(&fx, "SELECT string_agg(kind, ',' ORDER BY id) || ' ' || sum(amount_fen) FROM ledger "
		   "WHERE ref = 'ZY-AR-1'");
	assert_string_equal(text, "decision,reversal 0");
	free(text);
	rec = fixture_get(&fx, d, 2008, &code);
	assert_non_null(rec);
	assert_non_null(fixture_find(rec, "alerts", "code", "deceased_recipient", "ref", "ZY-AR-1"));
	json_decref(rec);
	assert_int_equal(fixture_run(&fx, NULL, NULL, audit), 0);
}

/* f's enrollment is sent again in April with its end, 15 February:
 * February (active on its first day) stays paid, March is recovered. */
static void test_enrollment_ended_late(void **state)
{
	char *text;
	int code;

	ev("civil_affairs", "enrollment",
	   "\"id_number\":\"%s\",\"scheme\":\"urban_dibao\",\"start_date\":\"2008-01-01\","
	   "\"end_date\":\"2008-02-15\"",
	   f);
	push("end.jsonl");
	assert_entries(f, "pay/urban_dibao/2008-02", "payment:18500");
	assert_entries(f, "pay/urban_dibao/2008-03", "payment:18500,recovery:-18500");
	text = fixture_explain(&fx, f, &code);
	assert_int_equal(code, 0);
	assert_non_null(strstr(text, "pay/urban_dibao/2008-03 recovery -18500: enrollment "
				     "urban_dibao ended on 2008-02-15: not due"));
	free(text);
}

/* Replaying the journal books the same arrears, recoveries and reversals. */
static void test_rebuild(void **state)
{
	const char *rows = "SELECT string_agg(id_number || ref || kind || amount_fen || date, ',' "
			   "ORDER BY id_number, ref, kind, amount_fen) FROM ledger";
	char *before = fixture_sqlf(&fx, "%s", rows), *after;

	assert_int_equal(fixture_assistd_stop(&fx, SIGTERM), 0);
	assert_int_equal(faults_rebuild(&fx, fx.conf, NULL), 0);
	after = fixture_sqlf(&fx, "%s", rows);
	assert_string_equal(after, before);
	free(before);
	free(after);
	assert_int_equal(fixture_assistd_start(&fx), 0);
}

/* A recovery of more than was paid, written behind assistd's back, is
 * found by the audit. */
static void test_audit_finds_overrecovery(void **state)
{
	const char *audit[] = {"assist-audit", "-c", fx.conf, NULL};
	char *out = NULL;

	free(fixture_sqlf(&fx, "INSERT INTO ledger (id_number, ref, scheme, date, requested_fen, amount_fen, "
		 "clipped, reason, source, major, minor, kind, period) VALUES ('%s', "
		 "'pay/urban_dibao/2008-02', 'urban_dibao', '2008-02-01', -9000, -9000, false, "
		 "'x', 'civil_affairs', 0, 0, 'recovery', '2008-02') RETURNING kind",
		 a));
	assert_int_equal(fixture_run(&fx, &out, NULL, audit), 1);
	assert_non_null(strstr(out, "pay/urban_dibao/2008-02: month sums to -5500"));
	assert_null(strstr(out, a)); /* ID numbers masked */
	free(out);
}

static int setup(void **state)
{
	fixture_id(a, "420704", "19800101", 301);
	fixture_id(b, "420704", "19820202", 302);
	fixture_id(c, "420704", "20000303", 303);
	fixture_id(d, "420704", "19400404", 304);
	fixture_id(f, "420704", "19500505", 305);
	if (fixture_setup(&fx, "arrears", NULL) < 0 || fixture_assistd_start(&fx) < 0)
		return -1;
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
		cmocka_unit_test(test_paid),
		cmocka_unit_test(test_income_late),
		cmocka_unit_test(test_death_late),
		cmocka_unit_test(test_enrollment_ended_late),
		cmocka_unit_test(test_rebuild),
		cmocka_unit_test(test_audit_finds_overrecovery),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
