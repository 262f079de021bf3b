/* assistctl simulate through the real assistd: a family described from
 * scratch gets the figures of the README's example (examples/simulate.jsonl
 * too); a simulation about
 * persons who exist starts from their real state and leaves it, the feed and
 * the ledger as they were; a line that is not a valid event is reported
 * with its line and reason while the others are simulated; more than 1000
 * events are refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static struct fixture fx;
static char a[19], b[19], c[19];

/* `assistctl simulate` of text (written to name) with more arguments (NULL
 * or one): its exit status, stdout in *out, stderr in *err. */
static int simulate(const char *name, const char *text, const char *arg, char **out,
		    char **err)
{
	const char *argv[] = {"assistctl", "-c", fx.conf, "simulate",
			      fixture_write(&fx, name, text), "--as-of", "2026-03-31", arg, NULL};
	int st = fixture_run(&fx, out, err, argv);

	print_message("simulate %s: exit %d\n%s%s", name, st, *out ? *out : "", *err ? *err : "");
	return st;
}

/* One event line of kind with payload fields at the end of buf (n bytes
 * used); with a source and a position when sourced (push needs them,
 * simulate does not: the registry's senders and the line numbers serve). */
__attribute__((format(printf, 5, 6))) static void line(char *buf, size_t len, bool sourced,
						       const char *kind, const char *fmt, ...)
{
	static unsigned long seq;
	size_t n = strlen(buf);
	va_list ap;

	if (sourced)
		n += (size_t)snprintf(buf + n, len - n, "{\"source\":\"civil_affairs\",\"seq\":%lu,",
				      ++seq);
	else
		n += (size_t)snprintf(buf + n, len - n, "{");
	n += (size_t)snprintf(buf + n, len - n, "\"kind\":\"%s\",\"%s\":{", kind, kind);
	va_start(ap, fmt);
	n += (size_t)vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
	n += (size_t)snprintf(buf + n, len - n, "}}\n");
	assert_true(n < len);
}

/* The urban dibao household of three in the city, 30,000 fen a month, its
 * members and their enrollments, into buf. */
static void family(char *buf, size_t len, const char *household, bool sourced)
{
	const char *ids[] = {a, b, c};

	buf[0] = '\0';
	line(buf, len, sourced, "household",
	     "\"household_id\":\"%s\",\"members\":3,\"monthly_income_fen\":30000,\"area\":\"city\"",
	     household);
	for (size_t i = 0; i < 3; i++) {
		line(buf, len, sourced, "person",
		     "\"id_number\":\"%s\",\"name\":\"M%zu\",\"household_id\":\"%s\","
		     "\"hukou\":\"urban\",\"area\":\"city\"",
		     ids[i], i, household);
		line(buf, len, sourced, "enrollment",
		     "\"id_number\":\"%s\",\"scheme\":\"urban_dibao\",\"start_date\":\"2026-01-01\"",
		     ids[i]);
	}
}

static const char bill[] =
	"{\"kind\":\"medical_claim\",\"medical_claim\":{\"claim_id\":\"S-1\",\"id_number\":\"%s\","
	"\"date\":\"2026-03-01\",\"setting\":\"inpatient\",\"hospital\":\"huimin\","
	"\"disease\":\"major\",\"total_fen\":1000000,\"insurer\":\"huimin\"}}\n";
static const char dialysis[] =
	"{\"kind\":\"medical_claim\",\"medical_claim\":{\"claim_id\":\"S-2\",\"id_number\":\"%s\","
	"\"date\":\"2026-03-01\",\"setting\":\"chronic_outpatient\",\"disease\":\"dialysis\","
	"\"total_fen\":250000,\"insurer\":\"huimin\",\"months\":3}}\n";

static char *dump(void)
{
	const char *argv[] = {"assistctl", "-c", fx.conf, "dump", NULL};
	char *out = NULL;

	assert_int_equal(fixture_run(&fx, &out, NULL, argv), 0);
	return out;
}

static long long feed_seq(void)
{
	json_t *st = fixture_status(&fx);
	long long seq = fixture_int(st, "feed_seq");

	json_decref(st);
	return seq;
}

static long long sql_int(const char *sql)
{
	char *v = fixture_sql(&fx, sql);
	long long n = v ? atoll(v) : -1;

	free(v);
	return n;
}

/* A family nobody knows, from scratch: dibao 25,500 for three (8,500 each),
 * the Huimin share and medical assistance of a bill, a dialysis subsidy. */
static void test_from_scratch(void **state)
{
	char text[4096], *out = NULL, *err = NULL;
	size_t n;

	family(text, sizeof(text), "SIM-1", false);
	n = strlen(text);
	n += (size_t)snprintf(text + n, sizeof(text) - n, bill, a);
	snprintf(text + n, sizeof(text) - n, dialysis, b);
	assert_int_equal(simulate("scratch.jsonl", text, NULL, &out, &err), 0);
	assert_non_null(strstr(out, "household SIM-1: 3 members, income 30000 fen a month"));
	assert_non_null(strstr(out, "benefit urban_dibao 8500 fen a month, active"));
	assert_non_null(strstr(out, "ledger S-1 huimin 2026-03-01: 594000 fen"));
	assert_non_null(strstr(out, "ledger S-1 medical_assistance 2026-03-01: 203000 fen"));
	assert_non_null(strstr(out, "ledger S-2 huimin 2026-03-01: 180000 fen"));
	/* The explanations, as explain prints them: the parameter and the line. */
	assert_non_null(strstr(out, "benefit urban_dibao: "));
	assert_non_null(strstr(out, "  param dibao.urban.standard.city = "));
	assert_non_null(strstr(out, "  from health@8/0\n"));
	assert_string_equal(err, "");
	free(out);
	free(err);
	/* Nobody of it was stored. */
	assert_int_equal(sql_int("SELECT count(*) FROM person"), 0);
	assert_int_equal(feed_seq(), 0);
	out = err = NULL;
	assert_int_equal(simulate("scratch.jsonl", text, "--json", &out, &err), 0);
	json_t *j = json_loads(out, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_array_size(json_object_get(j, "records")), 3);
	assert_int_equal(json_array_size(json_object_get(j, "explanations")), 3);
	assert_string_equal(fixture_str(j, "records.0.id_number"), a);
	json_decref(j);
	free(out);
	free(err);
}

/* The README's example file, as the tour runs it. */
static void test_example(void **state)
{
	char path[640], *out = NULL, *err = NULL;
	const char *argv[] = {"assistctl", "-c", fx.conf, "simulate", path, "--as-of",
			      "2026-04-30", NULL};

	snprintf(path, sizeof(path), "%s/examples/simulate.jsonl", fx.src);
	assert_int_equal(fixture_run(&fx, &out, &err, argv), 0);
	assert_non_null(strstr(out, "42070419850505031X Chen Gang, household H-SIM: 3 members"));
	assert_non_null(strstr(out, "benefit urban_dibao 8500 fen a month, active"));
	assert_non_null(strstr(out, "ledger SIM-1 huimin 2026-03-01: 594000 fen"));
	assert_non_null(strstr(out, "ledger SIM-1 medical_assistance 2026-03-01: 203000 fen"));
	assert_non_null(strstr(out, "ledger SIM-2 huimin 2026-04-01: 180000 fen"));
	assert_string_equal(err, "");
	free(out);
	free(err);
	assert_int_equal(sql_int("SELECT count(*) FROM person"), 0);
}

/* The same family pushed for real: a simulated income rise and a bill start
 * from its real state, and leave the state, the feed and the ledger alone. */
static void test_existing(void **state)
{
	char text[4096], *before, *after, *out = NULL, *err = NULL;
	long long seq, ledger;
	const json_t *ben;
	json_t *rec;

	family(text, sizeof(text), "REAL-1", true);
	assert_int_equal(fixture_push(&fx, "real.jsonl", text, NULL), 0);
	rec = fixture_get(&fx, a, 0, NULL);
	ben = fixture_find(rec, "benefits", "scheme", "urban_dibao", NULL, NULL);
	assert_non_null(ben);
	assert_int_equal(fixture_int(ben, "monthly_fen"), 8500);
	json_decref(rec);
	before = dump();
	seq = feed_seq();
	ledger = sql_int("SELECT count(*) FROM ledger");

	/* 45,000 income: (55,500 - 45,000) / 3 = 3,500 each from March. */
	snprintf(text, sizeof(text),
		 "{\"kind\":\"household\",\"household\":{\"household_id\":\"REAL-1\","
		 "\"monthly_income_fen\":45000,\"effective_on\":\"2026-03-01\"}}\n");
	snprintf(text + strlen(text), sizeof(text) - strlen(text), bill, c);
	assert_int_equal(simulate("rise.jsonl", text, NULL, &out, &err), 0);
	assert_non_null(strstr(out, "household REAL-1: 3 members, income 45000 fen a month"));
	assert_non_null(strstr(out, "benefit urban_dibao 3500 fen a month, active"));
	assert_non_null(strstr(out, "ledger S-1 huimin 2026-03-01: 594000 fen"));
	assert_null(strstr(out, "8500 fen a month"));
	free(out);
	free(err);

	after = dump();
	assert_string_equal(after, before);
	assert_int_equal(feed_seq(), seq);
	/* The simulated household event was taken as civil_affairs's: its
	 * position is still the last one pushed. */
	json_t *st = fixture_status(&fx);
	assert_int_equal(fixture_int(st, "sources.civil_affairs.position"), 7);
	assert_int_equal(fixture_int(st, "sources.civil_affairs.applied"), 7);
	json_decref(st);
	assert_int_equal(sql_int("SELECT count(*) FROM ledger"), ledger);
	assert_int_equal(sql_int("SELECT count(*) FROM event_journal"), 7);
	free(before);
	free(after);
}

/* A bad ID, a line that is not JSON and an event outside its source's role:
 * each with its line and reason, exit 1, the valid line still simulated. */
static void test_invalid_lines(void **state)
{
	char text[2048], bad[19], *out = NULL, *err = NULL;

	snprintf(bad, sizeof(bad), "%s", a);
	bad[17] = bad[17] == '0' ? '1' : '0';
	snprintf(text, sizeof(text),
		 "{\"kind\":\"person\",\"person\":{\"id_number\":\"%s\",\"name\":\"Ok\","
		 "\"hukou\":\"urban\",\"area\":\"city\"}}\n"
		 "{\"kind\":\"person\",\"person\":{\"id_number\":\"%s\"}}\n"
		 "# a comment\n"
		 "{\"kind\":\n"
		 "{\"source\":\"education\",\"kind\":\"medical_claim\",\"medical_claim\":{"
		 "\"claim_id\":\"X\",\"id_number\":\"%s\",\"date\":\"2026-03-01\","
		 "\"setting\":\"outpatient\",\"disease\":\"common\",\"total_fen\":100,"
		 "\"insurer\":\"none\"}}\n",
		 c, bad, c);
	assert_int_equal(simulate("bad.jsonl", text, NULL, &out, &err), 1);
	assert_non_null(strstr(err, "line 2: person.id_number: "));
	assert_non_null(strstr(err, "line 4: invalid JSON"));
	assert_non_null(strstr(err, "line 5: event.kind: not_authorized: education may not send "
				    "medical_claim events"));
	assert_non_null(strstr(out, "Ok"));
	free(out);
	free(err);
}

/* More events than one simulation takes: refused before anything is sent. */
static void test_too_many(void **state)
{
	size_t len = 1001 * 128;
	char *text = malloc(len), *out = NULL, *err = NULL;
	size_t n = 0;

	assert_non_null(text);
	for (int i = 0; i < 1001; i++)
		n += (size_t)snprintf(text + n, len - n,
				      "{\"kind\":\"person\",\"person\":{\"id_number\":\"%s\"}}\n", a);
	assert_int_equal(simulate("many.jsonl", text, NULL, &out, &err), 64);
	assert_non_null(strstr(err, "line 1001: more than 1000 events"));
	assert_string_equal(out, "");
	free(text);
	free(out);
	free(err);
}

static int setup(void **state)
{
	fixture_id(a, "420704", "19800101", 301);
	fixture_id(b, "420704", "19820202", 302);
	fixture_id(c, "420704", "20100303", 303);
	if (fixture_setup(&fx, "simulate", NULL) < 0 || fixture_assistd_start(&fx) < 0)
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
		cmocka_unit_test(test_from_scratch),
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_existing),
		cmocka_unit_test(test_invalid_lines),
		cmocka_unit_test(test_too_many),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
