/* Dead letters listed and retried through a real assistd: a correction of a
 * claim not yet decided is an unknown_claim dead letter, which
 * `assistctl dead-letters` shows with its reason and its event (the ID
 * masked; whole in --json), filtered by --source. Retried before the claim
 * comes it is rejected again and stays a dead letter with the new reason;
 * after the claim came, `assistctl retry ID` applies it once (the ledger
 * has the correction, as source retry), and retrying it again books nothing
 * more; a rebuild from the journal books the same. A line its sender could not read, and an id that names nothing,
 * cannot be retried. The person is in the entitled group: medical
 * assistance pays 50% of the burden. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults.h"
#include "fixture.h"

static struct fixture fx;
static char patient[19];
static unsigned long seq[2]; /* civil_affairs, health */

/* Push one event line of source (its next position); assistctl's exit. */
static int push(const char *source, const char *kind, const char *payload)
{
	char line[2048], *err = NULL;
	unsigned long *s = &seq[strcmp(source, "health") == 0];
	int st;

	snprintf(line, sizeof(line), "{\"source\":\"%s\",\"seq\":%lu,\"kind\":\"%s\",\"%s\":{%s}}\n",
		 source, ++*s, kind, kind, payload);
	st = fixture_push(&fx, "events.jsonl", line, &err);
	free(err);
	return st;
}

/* The inpatient bill C-DL-1 for a major disease with no insurer. */
static int bill(const char *op, long total)
{
	char payload[512];

	snprintf(payload, sizeof(payload),
		 "\"claim_id\":\"C-DL-1\",\"id_number\":\"%s\",\"date\":\"2026-03-02\","
		 "\"setting\":\"inpatient\",\"hospital\":\"central\",\"disease\":\"major\","
		 "\"total_fen\":%ld,\"insurer\":\"none\"%s%s%s",
		 patient, total, op ? ",\"op\":\"" : "", op ? op : "", op ? "\"" : "");
	return push("health", "medical_claim", payload);
}

/* assistctl -c CONF with up to three args (the first NULL ends them); its
 * exit, its standard output in *out. */
static int ctl(char **out, const char *a1, const char *a2, const char *a3)
{
	const char *argv[] = {"assistctl", "-c", fx.conf, a1, a2, a3, NULL};

	return fixture_run(&fx, out, NULL, argv);
}

static char *ledger_rows(void)
{
	return fixture_sql(&fx, "SELECT coalesce(string_agg(kind || ':' || amount_fen || '@' || "
				"source, ',' ORDER BY id), '') FROM ledger WHERE ref = 'C-DL-1' "
				"AND scheme = 'medical_assistance'");
}

static int setup(void **state)
{
	char payload[256];

	fixture_id(patient, "420701", "19700505", 11);
	if (fixture_setup(&fx, "dead_letters", NULL) < 0 || fixture_assistd_start(&fx) < 0)
		return -1;
	snprintf(payload, sizeof(payload),
		 "\"id_number\":\"%s\",\"name\":\"Wang Fang\",\"household_id\":\"HDL-1\","
		 "\"hukou\":\"urban\",\"area\":\"city\",\"categories\":[\"entitled_group\"]",
		 patient);
	if (push("civil_affairs", "person", payload) != 0)
		return -1;
	/* A line civil affairs could not write right: kept raw, not retriable. */
	return push("civil_affairs", "person", "\"id_number\":\"x\",\"hukou\":\"martian\"") == 1 ? 0
												   : -1;
}

static int teardown(void **state)
{
	fixture_teardown(&fx);
	return 0;
}

/* The one dead letter of health, from --json: its id. */
static unsigned long health_letter(void)
{
	char *out = NULL;
	json_t *j, *letters, *l;
	unsigned long id;

	const char *argv[] = {"assistctl", "-c",     fx.conf,  "dead-letters",
			      "--source",  "health", "--json", NULL};

	assert_int_equal(fixture_run(&fx, &out, NULL, argv), 0);
	j = json_loads(out, 0, NULL);
	assert_non_null(j);
	letters = json_object_get(j, "letters");
	assert_int_equal(json_array_size(letters), 1);
	l = json_array_get(letters, 0);
	assert_string_equal(json_string_value(json_object_get(l, "source")), "health");
	assert_string_equal(json_string_value(json_object_get(l, "code")), "unknown_claim");
	assert_string_equal(json_string_value(json_object_get(l, "field")), "medical_claim.claim_id");
	assert_string_equal(fixture_str(l, "event.medical_claim.id_number"), patient);
	assert_int_equal(fixture_int(l, "position.major"), 1);
	id = (unsigned long)json_integer_value(json_object_get(l, "id"));
	json_decref(j);
	free(out);
	return id;
}

static void test_list_and_retry(void **state)
{
	char *out = NULL, *rows, idtext[24];
	unsigned long id;

	/* A correction before its claim: unknown_claim. */
	assert_int_equal(bill("correct", 1400000), 1);
	id = health_letter();
	snprintf(idtext, sizeof(idtext), "%lu", id);

	/* The text shows both sources' letters, the reason, the ID masked. */
	assert_int_equal(ctl(&out, "dead-letters", NULL, NULL), 0);
	assert_non_null(strstr(out, "unknown_claim: claim C-DL-1"));
	assert_non_null(strstr(out, "civil_affairs@2/0 "));
	assert_non_null(strstr(out, "health@1/0 medical_claim unknown_claim"));
	assert_null(strstr(out, patient));
	free(out);

	/* Too early: rejected again, still a dead letter, nothing booked. */
	assert_int_equal(ctl(&out, "retry", idtext, NULL), 1);
	assert_non_null(strstr(out, "rejected again: medical_claim.claim_id: unknown_claim"));
	free(out);
	rows = fixture_sqlf(&fx, "SELECT retries || ' ' || (retried_at IS NULL) || ' ' || "
				 "count(*) OVER () FROM dead_letter WHERE source = 'health'");
	assert_string_equal(rows, "1 true 1");
	free(rows);

	/* The claim comes; the retry now applies the correction. */
	assert_int_equal(bill(NULL, 1000000), 0);
	assert_int_equal(ctl(&out, "retry", idtext, NULL), 0);
	assert_non_null(strstr(out, "applied as retry@"));
	free(out);
	rows = ledger_rows();
	assert_string_equal(rows, "decision:500000@health,reversal:-500000@retry,"
				  "decision:700000@retry");
	free(rows);

	/* Once: a second retry books nothing more. */
	assert_int_equal(ctl(&out, "retry", idtext, NULL), 0);
	assert_non_null(strstr(out, "already retried"));
	free(out);
	rows = ledger_rows();
	assert_string_equal(rows, "decision:500000@health,reversal:-500000@retry,"
				  "decision:700000@retry");
	free(rows);
	assert_int_equal(ctl(&out, "dead-letters", "--source", "health"), 0);
	assert_non_null(strstr(out, "retried: applied at"));
	free(out);

	/* The journal holds the retried event: a rebuild books the same. */
	assert_int_equal(fixture_assistd_stop(&fx, SIGTERM), 0);
	assert_int_equal(faults_rebuild(&fx, fx.conf, NULL), 0);
	rows = ledger_rows();
	assert_string_equal(rows, "decision:500000@health,reversal:-500000@retry,"
				  "decision:700000@retry");
	free(rows);
	assert_int_equal(fixture_assistd_start(&fx), 0);
}

static void test_not_retriable(void **state)
{
	char *out = NULL, *civil;

	civil = fixture_sql(&fx, "SELECT min(id) FROM dead_letter WHERE source = 'civil_affairs'");
	assert_int_equal(ctl(&out, "retry", civil, "999999"), 1);
	assert_non_null(strstr(out, "its sender could not read it"));
	assert_non_null(strstr(out, "dead letter 999999: not retried: no such dead letter"));
	free(out);
	free(civil);
	assert_int_equal(ctl(&out, "retry", "0", NULL), 64);
	free(out);
}

/* No sender may send as source retry: its positions are assistd's own. */
static void test_retry_source_refused(void **state)
{
	char *err = NULL, *journal;

	assert_int_equal(fixture_push(&fx, "forged.jsonl",
				      "{\"source\":\"retry\",\"seq\":99,\"kind\":\"household\","
				      "\"household\":{\"household_id\":\"HF-1\",\"members\":1}}\n",
				      &err),
			 1);
	assert_non_null(strstr(err, "not a configured source"));
	free(err);
	journal = fixture_sql(&fx, "SELECT count(*) FROM event_journal WHERE major = 99");
	assert_string_equal(journal, "0");
	free(journal);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_and_retry),
		cmocka_unit_test(test_not_retriable),
		cmocka_unit_test(test_retry_source_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
