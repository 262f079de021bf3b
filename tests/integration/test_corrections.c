/* Claims corrected and voided, end to end through a real assistd: a bill
 * pushed with `assistctl push`, then `op: correct`, then `op: void`, shows
 * decision, reversal, decision, reversal under one ref in the ledger table
 * and on the record, summing to 0, with the reversal explained; a correction
 * of a claim never seen is an unknown_claim dead letter. Then the same
 * through the health department's database: an UPDATE of a bill row reaches
 * the ledger as a correction, a DELETE as a void (a real assist-adapter
 * reading logical replication). The person is in the entitled group:
 * medical assistance pays 50% of the burden, within 800,000 fen a year. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "fixture.h"

#define WAIT_S 20 /* a bound on every wait: reaching it fails the test */

static struct fixture fx;
static pid_t adapter;
static PGconn *health_db;
static char patient[19], cdc_patient[19], kept[19];
static unsigned long seq[2]; /* civil_affairs, health */

/* Push one event line of source (its next position); assistctl's exit. */
static int push(const char *source, const char *kind, const char *payload, char **err)
{
	char line[2048];
	unsigned long *s = &seq[strcmp(source, "health") == 0];

	snprintf(line, sizeof(line), "{\"source\":\"%s\",\"seq\":%lu,\"kind\":\"%s\",\"%s\":{%s}}\n",
		 source, ++*s, kind, kind, payload);
	return fixture_push(&fx, "events.jsonl", line, err);
}

static void push_ok(const char *source, const char *kind, const char *payload)
{
	char *err = NULL;
	int st = push(source, kind, payload, &err);

	if (st != 0)
		fail_msg("assistctl push %s: exit %d\n%s", kind, st, err);
	free(err);
}

static void entitled_person(const char *id)
{
	char payload[256];

	snprintf(payload, sizeof(payload),
		 "\"id_number\":\"%s\",\"name\":\"Wang Fang\",\"household_id\":\"HCOR-%.4s\","
		 "\"hukou\":\"urban\",\"area\":\"city\",\"categories\":[\"entitled_group\"]",
		 id, id + 14);
	push_ok("civil_affairs", "person", payload);
}

/* An inpatient bill of id for a major disease with no insurer: the
 * payload of its claim, with op (NULL: decide). */
static void bill_payload(char *out, size_t size, const char *id, const char *claim,
			 const char *op, long total)
{
	snprintf(out, size,
		 "\"claim_id\":\"%s\",\"id_number\":\"%s\",\"date\":\"2026-03-02\","
		 "\"setting\":\"inpatient\",\"hospital\":\"central\",\"disease\":\"major\","
		 "\"total_fen\":%ld,\"insurer\":\"none\"%s%s%s",
		 claim, id, total, op ? ",\"op\":\"" : "", op ? op : "", op ? "\"" : "");
}

static void bill_of(const char *id, const char *claim, const char *op, long total)
{
	char payload[512];

	bill_payload(payload, sizeof(payload), id, claim, op, total);
	push_ok("health", "medical_claim", payload);
}

static void bill(const char *op, long total)
{
	bill_of(patient, "ZY-COR-1", op, total);
}

/* The ledger table's entries of ref for medical assistance, in order, as
 * "kind:amount,...". */
static char *ledger_rows(const char *ref)
{
	return fixture_sqlf(&fx, "SELECT coalesce(string_agg(kind || ':' || amount_fen, ',' ORDER BY id), '') "
		   "FROM ledger WHERE ref = '%s' AND scheme = 'medical_assistance'",
		   ref);
}

/* Poll the ledger table until ref's entries read want. */
static void await_ledger(const char *ref, const char *want)
{
	double deadline = fixture_now_s() + WAIT_S;
	char *got;

	for (;;) {
		got = ledger_rows(ref);
		if (strcmp(got, want) == 0)
			break;
		if (fixture_now_s() > deadline)
			fail_msg("ledger of %s: '%s', not '%s' within %d s", ref, got, want, WAIT_S);
		free(got);
		fixture_sleep_ms(50);
	}
	free(got);
}

static int setup(void **state)
{
	char schema[700];

	fixture_id(patient, "420701", "19700505", 7);
	fixture_id(cdc_patient, "420701", "19710606", 8);
	fixture_id(kept, "420701", "19720707", 9);
	if (fixture_setup(&fx, "corrections", NULL) < 0)
		return -1;
	snprintf(schema, sizeof(schema), "%s/adapters/health/schema.sql", fx.src);
	if (fixture_createdb(&fx, "health", schema) < 0 ||
	    (health_db = fixture_connect(&fx, "health")) == NULL)
		return -1;
	return fixture_assistd_start(&fx);
}

static int teardown(void **state)
{
	if (adapter > 0) {
		kill(adapter, SIGTERM);
		fixture_wait(adapter);
	}
	PQfinish(health_db);
	fixture_teardown(&fx);
	return 0;
}

/* The record's medical-assistance entries of ref, as ledger_rows gives. */
static void assert_record_ledger(const json_t *rec, const char *ref, const char *want)
{
	const json_t *e;
	char got[256] = "";
	size_t i, n = 0;

	json_array_foreach(json_object_get(rec, "ledger"), i, e) {
		if (strcmp(fixture_str(e, "ref"), ref) != 0 ||
		    strcmp(fixture_str(e, "scheme"), "medical_assistance") != 0)
			continue;
		n += snprintf(got + n, sizeof(got) - n, "%s%s:%lld", n ? "," : "",
			      fixture_str(e, "kind"), fixture_int(e, "amount_fen"));
		assert_string_equal(fixture_str(e, "period"), "");
	}
	assert_string_equal(got, want);
}

static void test_push_correct_void(void **state)
{
	json_t *rec;
	char *text, *err = NULL, payload[512];
	int code;

	entitled_person(patient);
	/* 1,000,000 x 50% = 500,000. */
	bill(NULL, 1000000);
	/* Corrected to 1,400,000: the 500,000 reversed, then 700,000 of the 800,000 cap. */
	bill("correct", 1400000);
	rec = fixture_get(&fx, patient, 2026, &code);
	assert_non_null(rec);
	assert_int_equal(fixture_int(rec, "ytd.medical_assistance_paid_fen"), 700000);
	assert_int_equal(fixture_int(rec, "ytd.medical_total_fen"), 1400000);
	json_decref(rec);
	bill("void", 1400000);

	text = ledger_rows("ZY-COR-1");
	assert_string_equal(text, "decision:500000,reversal:-500000,decision:700000,reversal:-700000");
	free(text);
	text = fixture_sqlf(&fx, "SELECT sum(amount_fen) FROM ledger WHERE ref = 'ZY-COR-1'");
	assert_string_equal(text, "0");
	free(text);
	rec = fixture_get(&fx, patient, 2026, &code);
	assert_non_null(rec);
	assert_record_ledger(rec, "ZY-COR-1",
			     "decision:500000,reversal:-500000,decision:700000,reversal:-700000");
	assert_int_equal(fixture_int(rec, "ytd.medical_assistance_paid_fen"), 0);
	assert_int_equal(fixture_int(rec, "ytd.medical_total_fen"), 0);
	json_decref(rec);

	/* assistctl explain shows what the reversal reversed. */
	text = fixture_explain(&fx, patient, &code);
	assert_int_equal(code, 0);
	assert_non_null(strstr(text, "claim.reversal"));
	assert_non_null(strstr(text, "void of claim ZY-COR-1: the 700000 in force"));
	free(text);

	/* A correction of a claim never seen. */
	snprintf(payload, sizeof(payload),
		 "\"claim_id\":\"ZY-COR-9\",\"id_number\":\"%s\",\"date\":\"2026-03-02\","
		 "\"setting\":\"inpatient\",\"hospital\":\"central\",\"disease\":\"major\","
		 "\"total_fen\":1000,\"insurer\":\"none\",\"op\":\"correct\"",
		 patient);
	push("health", "medical_claim", payload, &err);
	free(err);
	text = fixture_sqlf(&fx, "SELECT field || ' ' || split_part(reason, ':', 1) FROM dead_letter "
		   "WHERE reason LIKE '%%ZY-COR-9%%'");
	assert_string_equal(text, "medical_claim.claim_id unknown_claim");
	free(text);
	text = fixture_sqlf(&fx, "SELECT count(*) FROM ledger WHERE ref = 'ZY-COR-9'");
	assert_string_equal(text, "0");
	free(text);
}

static void exec_health(const char *fmt, ...)
{
	char text[1024];
	char *r;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	r = fixture_query(health_db, text);
	if (r == NULL)
		fail_msg("SQL failed: %s", text);
	free(r);
}

/* Explanations are stored packed (migration 16), a ledger entry's in its
 * row (migration 22); a row of JSON text, as written before them, is still
 * explained beside them; a row of neither is refused. */
static void test_explanations_stored(void **state)
{
	char *text;
	int code;

	/* The patient's entries explained in their rows, none in explanation. */
	text = fixture_sqlf(&fx, "SELECT (count(*) > 0) || '/' || (SELECT count(*) FROM explanation "
				 "WHERE id_number = '%s') FROM ledger WHERE id_number = '%s' AND "
				 "explanation IS NOT NULL",
			    patient, patient);
	assert_string_equal(text, "true/0");
	free(text);
	free(fixture_sqlf(&fx, "INSERT INTO explanation (id_number, subject, trace) SELECT '%s', "
			       "'ledger ZY-OLD-1 medical_assistance', json_build_object('subject', "
			       "'ledger ZY-OLD-1 medical_assistance', 'ref', 'ZY-OLD-1', 'rule', "
			       "'medical.assistance', 'result', 'paid 1234 before migration 16')::text "
			       "RETURNING id",
			       patient));
	text = fixture_explain(&fx, patient, &code);
	assert_int_equal(code, 0);
	assert_non_null(strstr(text, "paid 1234 before migration 16"));
	assert_non_null(strstr(text, "void of claim ZY-COR-1: the 700000 in force"));
	free(text);
	text = fixture_sql(&fx, "INSERT INTO explanation (id_number, subject) VALUES ('x', 'y') "
				"RETURNING id");
	assert_null(text);
}

/* kept's row as the store holds it: its digest and version. */
static char *kept_row(void)
{
	return fixture_sqlf(&fx, "SELECT md5(state) || '/' || version FROM person "
				 "WHERE id_number = '%s'",
			    kept);
}

static long long kept_ytd(const char *field)
{
	int code;
	json_t *rec = fixture_get(&fx, kept, 2026, &code);
	long long v = rec != NULL ? fixture_int(rec, field) : -1;

	json_decref(rec);
	return v;
}

/* A claim that changes only a person's years and keys leaves its row as it
 * was: its ledger row carries them (migration 25). After a restart the
 * store's copy is the row with the newest of them laid over it: the
 * year's totals, the claim keys (a claim sent again with other figures is
 * a duplicate), what a correction takes back. assist-audit checks the
 * totals of the newest, not the row's older ones. */
static void test_claims_after_restart(void **state)
{
	const char *audit[] = {"assist-audit", "-c", fx.conf, NULL};
	char payload[512], *row, *text, *err = NULL;

	entitled_person(kept);
	bill_of(kept, "ZY-KEEP-1", NULL, 1000000); /* 500,000 */
	/* A new name: the row is written, with the year so far. */
	snprintf(payload, sizeof(payload),
		 "\"id_number\":\"%s\",\"name\":\"Wang Li\",\"household_id\":\"HCOR-%.4s\","
		 "\"hukou\":\"urban\",\"area\":\"city\",\"categories\":[\"entitled_group\"]",
		 kept, kept + 14);
	push_ok("civil_affairs", "person", payload);
	row = kept_row();
	bill_of(kept, "ZY-KEEP-2", NULL, 200000); /* 100,000 */
	bill_of(kept, "ZY-KEEP-3", NULL, 200000); /* 100,000: a second delta after the row */
	text = kept_row();
	assert_string_equal(text, row);
	free(text);
	free(row);
	assert_int_equal(atoi(text = fixture_sqlf(&fx, "SELECT count(*) FROM ledger WHERE "
						       "id_number = '%s' AND person_delta IS NOT NULL",
						  kept)),
			 3);
	free(text);
	/* The row's year is ZY-KEEP-1's alone; the newest delta's has all three. */
	assert_int_equal(fixture_run(&fx, &text, NULL, audit), 0);
	assert_non_null(strstr(text, " 0 totals that do not match"));
	free(text);

	assert_int_equal(fixture_assistd_stop(&fx, SIGTERM), 0);
	assert_int_equal(fixture_assistd_start(&fx), 0);
	assert_int_equal(kept_ytd("ytd.medical_assistance_paid_fen"), 700000);
	assert_int_equal(kept_ytd("ytd.medical_total_fen"), 1400000);
	/* Each delta's keys are kept: the first's claim and the second's are
	 * both duplicates. */
	for (int i = 2; i <= 3; i++) {
		char claim[16], like[24];

		snprintf(claim, sizeof(claim), "ZY-KEEP-%d", i);
		snprintf(like, sizeof(like), "%%%s%%", claim);
		bill_payload(payload, sizeof(payload), kept, claim, NULL, 300000);
		push("health", "medical_claim", payload, &err);
		free(err);
		err = NULL;
		text = fixture_sqlf(&fx, "SELECT field || ' ' || split_part(reason, ':', 1) FROM "
					 "dead_letter WHERE reason LIKE '%s'", like);
		assert_string_equal(text, "medical_claim.claim_id duplicate_claim");
		free(text);
	}
	/* 1,400,000 in place of 1,000,000: its 500,000 reversed, then 600,000,
	 * all the 800,000 cap leaves beside the 200,000. */
	bill_of(kept, "ZY-KEEP-1", "correct", 1400000);
	assert_int_equal(kept_ytd("ytd.medical_assistance_paid_fen"), 800000);
	assert_int_equal(kept_ytd("ytd.medical_total_fen"), 1800000);
	text = ledger_rows("ZY-KEEP-1");
	assert_string_equal(text, "decision:500000,reversal:-500000,decision:600000");
	free(text);
}

static void test_cdc_update_delete(void **state)
{
	entitled_person(cdc_patient);
	/* Started after the pushes of source health above, so that its positions
	 * follow theirs. */
	adapter = fixture_adapter_start(&fx, "health", NULL);
	assert_true(adapter > 0);
	exec_health("INSERT INTO hosp_bill (bill_no, patient_idno, hospital_code, hosp_level, "
		    "settle_type, diag_group, service_date, discharge_date, total_yuan, insurer) "
		    "VALUES ('ZY-CDC-9', '%s', 'H0002', 'SZ', '21', 'ZB', '2026-04-01', "
		    "'2026-04-09', 10000.00, 'W')",
		    cdc_patient);
	await_ledger("ZY-CDC-9", "decision:500000");
	/* The bill corrected in the department's database. */
	exec_health("UPDATE hosp_bill SET total_yuan = 6000.00 WHERE bill_no = 'ZY-CDC-9'");
	await_ledger("ZY-CDC-9", "decision:500000,reversal:-500000,decision:300000");
	/* A change to nothing the bill sends books nothing. */
	exec_health("UPDATE hosp_bill SET hospital_code = 'H0003' WHERE bill_no = 'ZY-CDC-9'");
	/* And deleted. */
	exec_health("DELETE FROM hosp_bill WHERE bill_no = 'ZY-CDC-9'");
	await_ledger("ZY-CDC-9",
		     "decision:500000,reversal:-500000,decision:300000,reversal:-300000");
	char *text = fixture_sqlf(&fx, "SELECT count(*) FROM dead_letter WHERE source = 'health' "
			 "AND reason NOT LIKE '%%ZY-COR-9%%' AND reason NOT LIKE '%%ZY-KEEP-_%%'");
	assert_string_equal(text, "0");
	free(text);
}

/* Last: assist-audit passes the reversals booked above, then finds one that
 * takes back more than was in force (so the claim no longer adds up to its
 * last version), and a month paid twice. */
static void test_audit_entries(void **state)
{
	const char *argv[] = {"assist-audit", "-c", fx.conf, NULL};
	char *out = NULL, *v;

	assert_int_equal(fixture_run(&fx, &out, NULL, argv), 0);
	assert_non_null(strstr(out, "entries: 0 months paid twice"));
	free(out);
	v = fixture_sqlf(&fx, "UPDATE ledger SET amount_fen = amount_fen - 1 WHERE id = (SELECT min(id) FROM "
		"ledger WHERE kind = 'reversal' AND ref = 'ZY-COR-1') RETURNING kind");
	assert_string_equal(v, "reversal");
	free(v);
	v = fixture_sqlf(&fx, "INSERT INTO ledger (id_number, ref, scheme, date, requested_fen, amount_fen, "
		"clipped, reason, source, major, minor, kind, period) SELECT id_number, "
		"'pay/urban_dibao/2026-03', 'urban_dibao', '2026-03-01', 100, 100, false, 'x', "
		"'finance', n, 0, 'payment', '2026-03' FROM (SELECT min(id_number) AS id_number "
		"FROM ledger) p, generate_series(1, 2) n RETURNING kind");
	free(v);
	assert_int_equal(fixture_run(&fx, &out, NULL, argv), 1);
	assert_non_null(strstr(out, "ZY-COR-1: reversal -500001 of medical_assistance with "
				    "500000 in force"));
	assert_non_null(strstr(out, "pay/urban_dibao/2026-03: month paid 2 times"));
	/* The second reversal no longer matches either: 699999 was in force. */
	assert_non_null(strstr(out, "ZY-COR-1: reversal -700000 of medical_assistance with "
				    "699999 in force"));
	/* The claim, voided at the end, now sums to -1 instead of nothing. */
	assert_non_null(strstr(out, "ZY-COR-1: medical_assistance entries sum to -1, the claim "
				    "now gives 0"));
	assert_non_null(strstr(out, "entries: 4 months paid twice"));
	assert_null(strstr(out, patient)); /* ID numbers masked */
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_correct_void),
		cmocka_unit_test(test_explanations_stored),
		cmocka_unit_test(test_claims_after_restart),
		cmocka_unit_test(test_cdc_update_delete),
		cmocka_unit_test(test_audit_entries),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
