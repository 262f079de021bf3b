/* The sunshine roster and the managers' reports through the real assistd:
 * persons in two communities of one town and a village of another district,
 * the roster's rows and amounts (docs/policy.md's urban dibao of 185 yuan),
 * --as-of before an enrollment starts, --place and --scheme, the recipients
 * rolled up from community to city, spending equal to the ledger (a
 * household's housing aid once), and not one byte of a full ID number,
 * income, category or diagnosis in any output. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static struct fixture fx;
static char a[19], b[19], c[19], r[19], r2[19];

static struct fixture_events evs;

static void push(const char *name)
{
	char *err = NULL;
	int st = fixture_events_push(&fx, &evs, name, &err);

	if (st != 0)
		fail_msg("push %s: exit %d\n%s", name, st, err ? err : "");
	free(err);
}

static void person(const char *id, const char *name, const char *hh, const char *hukou,
		   const char *district, const char *town, const char *community, const char *cats)
{
	fixture_ev(&evs, "civil_affairs", "person",
		   "\"id_number\":\"%s\",\"name\":\"%s\",\"household_id\":\"%s\",\"hukou\":\"%s\","
		   "\"area\":\"%s\",\"place\":{\"district\":\"%s\",\"town\":\"%s\",\"community\":\"%s\"}"
		   "%s%s%s",
		   id, name, hh, hukou, hukou[0] == 'u' ? "city" : "district", district, town, community,
		   cats ? ",\"categories\":[\"" : "", cats ? cats : "", cats ? "\"]" : "");
}

/* Every output is kept for the privacy scan. */
static char *outputs[64];
static size_t n_outputs;

/* assistctl with args: its exit status and stdout (kept; freed at the end). */
static int ctl(char **out, const char *const *args)
{
	const char *argv[16] = {"assistctl", "-c", fx.conf};
	char *err = NULL;
	size_t n = 3;
	int st;

	for (; *args != NULL && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	st = fixture_run(&fx, out, &err, argv);
	print_message("%s %s: exit %d\n%s%s", argv[3], n > 4 ? argv[4] : "", st,
		      *out ? *out : "", err ? err : "");
	free(err);
	assert_true(n_outputs < sizeof(outputs) / sizeof(outputs[0]));
	if (*out != NULL)
		outputs[n_outputs++] = *out;
	return st;
}

static json_t *roster_json(const char *const *args)
{
	const char *argv[12] = {"roster", "--json"};
	char *out = NULL;
	size_t n = 2;
	json_t *j;

	for (; *args != NULL; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	assert_int_equal(ctl(&out, argv), 0);
	j = json_loads(out, 0, NULL);
	assert_non_null(j);
	assert_true(json_is_array(j));
	return j;
}

/* The roster row of the masked ID of id, or NULL. */
static const json_t *row_of(const json_t *rows, const char *id)
{
	char masked[19];
	size_t i;
	const json_t *row;

	snprintf(masked, sizeof(masked), "%.6s**********%.2s", id, id + 16);
	json_array_foreach(rows, i, row) {
		if (strcmp(fixture_str(row, "id_number"), masked) == 0)
			return row;
	}
	return NULL;
}

static void assert_row(const json_t *rows, const char *id, const char *name, const char *scheme,
		       int size, long long fen, const char *yuan, const char *since,
		       const char *community)
{
	const json_t *row = row_of(rows, id);

	if (row == NULL)
		fail_msg("no roster row for %s", id);
	assert_string_equal(fixture_str(row, "name"), name);
	assert_string_equal(fixture_str(row, "scheme"), scheme);
	assert_int_equal(fixture_int(row, "household_size"), size);
	assert_int_equal(fixture_int(row, "monthly_fen"), fen);
	assert_string_equal(fixture_str(row, "monthly_yuan"), yuan);
	assert_string_equal(fixture_str(row, "since"), since);
	assert_string_equal(fixture_str(row, "community"), community);
	/* Nothing but the roster's ten keys. */
	assert_int_equal(json_object_size(row), 10);
}

/* POLICY (1): urban dibao 185 yuan a person. PA-1: 3 members, 300 yuan
 * income: 3 x 185 - 300 = 255, 85 each; PC-1 alone: 185 from 15 March;
 * PR-1: rural class II, 50 yuan from February. */
static void test_roster_rows(void **state)
{
	json_t *rows;

	fixture_ev(&evs, "civil_affairs", "household", "\"household_id\":\"PA-1\",\"members\":3,"
		   "\"monthly_income_fen\":30000,\"area\":\"city\"");
	fixture_ev(&evs, "civil_affairs", "household", "\"household_id\":\"PC-1\",\"members\":1,"
		   "\"monthly_income_fen\":0,\"area\":\"city\"");
	fixture_ev(&evs, "civil_affairs", "household", "\"household_id\":\"PR-1\",\"members\":2,"
		   "\"monthly_income_fen\":0,\"area\":\"district\"");
	person(a, "王小明", "PA-1", "urban", "Echeng", "Gulou Street", "Wenxing Community",
	       "disabled");
	person(b, "王芳", "PA-1", "urban", "Echeng", "Gulou Street", "Wenxing Community", NULL);
	person(c, "Li Wei", "PC-1", "urban", "Echeng", "Gulou Street", "Minxin Community", NULL);
	person(r, "欧阳娜娜", "PR-1", "rural", "Huarong", "Liangzi Town", "Gaotang Village", NULL);
	person(r2, "Ouyang Er", "PR-1", "rural", "Huarong", "Liangzi Town", "Gaotang Village",
	       NULL);
	fixture_ev(&evs, "civil_affairs", "enrollment", "\"id_number\":\"%s\",\"scheme\":\"urban_dibao\","
		   "\"start_date\":\"2008-01-01\"", a);
	fixture_ev(&evs, "civil_affairs", "enrollment", "\"id_number\":\"%s\",\"scheme\":\"urban_dibao\","
		   "\"start_date\":\"2008-01-01\"", b);
	fixture_ev(&evs, "civil_affairs", "enrollment", "\"id_number\":\"%s\",\"scheme\":\"rural_dibao\","
		   "\"class\":\"II\",\"amount_fen\":5000,\"start_date\":\"2008-02-01\"", r);
	fixture_ev(&evs, "civil_affairs", "enrollment", "\"id_number\":\"%s\",\"scheme\":\"urban_dibao\","
		   "\"start_date\":\"2008-03-15\"", c);
	push("roster.jsonl");
	fixture_ev(&evs, "health", "medical_claim", "\"claim_id\":\"M-1\",\"id_number\":\"%s\","
		   "\"date\":\"2008-04-10\",\"setting\":\"inpatient\",\"hospital\":\"central\","
		   "\"disease\":\"cancer\",\"total_fen\":1000000,\"insurer\":\"none\"", a);
	push("claim.jsonl");
	fixture_ev(&evs, "housing", "housing_aid", "\"claim_id\":\"H-1\",\"household_id\":\"PR-1\","
		   "\"scheme\":\"rural_new_build\",\"date\":\"2008-05-01\"");
	push("housing.jsonl");

	rows = roster_json((const char *[]){"--as-of", "2008-04-01", NULL});
	assert_int_equal(json_array_size(rows), 4);
	assert_row(rows, a, "王*", "urban_dibao", 3, 8500, "85.00", "2008-01-01",
		   "Wenxing Community");
	assert_row(rows, b, "王*", "urban_dibao", 3, 8500, "85.00", "2008-01-01",
		   "Wenxing Community");
	assert_row(rows, c, "Li*", "urban_dibao", 1, 18500, "185.00", "2008-03-15",
		   "Minxin Community");
	assert_row(rows, r, "欧*", "rural_dibao", 2, 5000, "50.00", "2008-02-01", "Gaotang Village");
	/* Ordered by place: Echeng's Minxin, then Wenxing, then Huarong. */
	assert_string_equal(fixture_str(json_array_get(rows, 0), "community"), "Minxin Community");
	assert_string_equal(fixture_str(json_array_get(rows, 3), "district"), "Huarong");
	json_decref(rows);
}

/* Before an enrollment starts its row is not there. */
static void test_as_of(void **state)
{
	json_t *rows = roster_json((const char *[]){"--as-of", "2008-03-14", NULL});

	assert_int_equal(json_array_size(rows), 3);
	assert_null(row_of(rows, c));
	json_decref(rows);
	rows = roster_json((const char *[]){"--as-of", "2008-01-31", NULL});
	assert_int_equal(json_array_size(rows), 2);
	assert_null(row_of(rows, r));
	json_decref(rows);
	rows = roster_json((const char *[]){"--as-of", "2007-12-31", NULL});
	assert_int_equal(json_array_size(rows), 0);
	json_decref(rows);
}

static void test_place_and_scheme(void **state)
{
	static const struct {
		const char *opt, *value;
		size_t n;
		const char *first;
	} cases[] = {
		{"--place", "Echeng", 3, NULL},
		{"--place", "Echeng/Gulou Street", 3, NULL},
		{"--place", "Echeng/Gulou Street/Minxin Community", 1, "Minxin Community"},
		{"--place", "Huarong", 1, "Gaotang Village"},
		{"--place", "Huarong/Gulou Street", 0, NULL},
		{"--place", "Gulou Street", 0, NULL},
		{"--scheme", "rural_dibao", 1, "Gaotang Village"},
		{"--scheme", "huimin", 0, NULL},
	};
	const char *bad[] = {"roster", "--place", "Echeng//x", NULL};
	char *out = NULL;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *rows = roster_json((const char *[]){"--as-of", "2008-04-01", cases[i].opt,
							   cases[i].value, NULL});
		if (json_array_size(rows) != cases[i].n)
			fail_msg("%s %s: %zu rows", cases[i].opt, cases[i].value,
				 json_array_size(rows));
		if (cases[i].first != NULL)
			assert_string_equal(fixture_str(json_array_get(rows, 0), "community"),
					    cases[i].first);
		json_decref(rows);
	}
	assert_int_equal(ctl(&out, bad), 1);
}

/* The text form: grouped by community and scheme. */
static void test_roster_text(void **state)
{
	const char *argv[] = {"roster", "--as-of", "2008-04-01", NULL};
	char *out = NULL;
	char masked[19];

	assert_int_equal(ctl(&out, argv), 0);
	assert_non_null(strstr(out, "sunshine roster as of 2008-04-01: 4 rows"));
	assert_non_null(strstr(out, "Echeng / Gulou Street / Wenxing Community: urban_dibao"));
	assert_non_null(strstr(out, "Huarong / Liangzi Town / Gaotang Village: rural_dibao"));
	snprintf(masked, sizeof(masked), "%.6s**********%.2s", c, c + 16);
	assert_non_null(strstr(out, masked));
	assert_non_null(strstr(out, "185.00  2008-03-15"));
}

static void assert_lines(const char *out, const char *const *lines)
{
	for (; *lines != NULL; lines++) {
		if (strstr(out, *lines) == NULL)
			fail_msg("no line \"%s\" in\n%s", *lines, out);
	}
}

/* Four recipients on 31 December: two communities of Gulou Street, one
 * village of Liangzi Town; r2 holds no benefit. */
static void test_recipients(void **state)
{
	const char *by_place[] = {"report", "recipients", "--year", "2008", "--csv", NULL};
	const char *by_scheme[] = {"report", "recipients", "--year", "2008", "--by", "scheme",
				   "--csv", NULL};
	const char *text[] = {"report", "recipients", "--year", "2008", NULL};
	const char *month[] = {"report", "recipients", "--by", "month", NULL};
	char *out = NULL;

	assert_int_equal(ctl(&out, by_place), 0);
	assert_string_equal(out, "level,district,town,community,recipients\r\n"
				 "city,,,,4\r\n"
				 "district,Echeng,,,3\r\n"
				 "town,Echeng,Gulou Street,,3\r\n"
				 "community,Echeng,Gulou Street,Minxin Community,1\r\n"
				 "community,Echeng,Gulou Street,Wenxing Community,2\r\n"
				 "district,Huarong,,,1\r\n"
				 "town,Huarong,Liangzi Town,,1\r\n"
				 "community,Huarong,Liangzi Town,Gaotang Village,1\r\n");
	assert_int_equal(ctl(&out, by_scheme), 0);
	assert_string_equal(out, "scheme,recipients\r\nurban_dibao,3\r\nrural_dibao,1\r\n"
				 "total,4\r\n");
	assert_int_equal(ctl(&out, text), 0);
	assert_lines(out, (const char *const[]){"recipients as of 2008-12-31, by place",
						"      Wenxing Community", NULL});
	assert_int_equal(ctl(&out, month), 1);
}

/* After two payment runs, the dibao spending is what the runs paid; the
 * household's new build (720,000 on each of its two members) counts once. */
static void test_spending(void **state)
{
	const char *pay3[] = {"pay", "2008-03", NULL}, *pay4[] = {"pay", "2008-04", NULL};
	const char *by_scheme[] = {"report", "spending", "--year", "2008", "--by", "scheme",
				   "--csv", NULL};
	const char *by_month[] = {"report", "spending", "--year", "2008", "--by", "month",
				  "--csv", NULL};
	const char *by_place[] = {"report", "spending", "--year", "2008", "--csv", NULL};
	const char *text[] = {"report", "spending", "--year", "2008", "--by", "scheme", NULL};
	char *out = NULL, *paid, *medical, *total, line[128];

	assert_int_equal(ctl(&out, pay3), 0);
	assert_int_equal(ctl(&out, pay4), 0);
	paid = fixture_sql(&fx, "SELECT sum(amount_fen) FROM ledger WHERE kind = 'payment'");
	assert_string_equal(paid, "62500");
	medical = fixture_sql(&fx, "SELECT coalesce(sum(amount_fen), 0) FROM ledger WHERE "
				   "scheme NOT IN ('urban_dibao', 'rural_dibao', 'rural_new_build')");
	total = fixture_sql(&fx, "SELECT sum(amount_fen) - 720000 FROM ledger");
	free(paid);
	paid = fixture_sql(&fx, "SELECT count(*) FROM ledger WHERE ref = 'H-1' AND "
				"amount_fen = 720000");
	assert_string_equal(paid, "2");

	assert_int_equal(ctl(&out, by_scheme), 0);
	assert_lines(out, (const char *const[]){"scheme,amount_fen,amount_yuan\r\n",
						"urban_dibao,52500,525.00\r\n",
						"rural_dibao,10000,100.00\r\n",
						"rural_new_build,720000,7200.00\r\n", NULL});
	snprintf(line, sizeof(line), "total,%s,", total);
	assert_lines(out, (const char *const[]){line, NULL});

	assert_int_equal(ctl(&out, by_month), 0);
	snprintf(line, sizeof(line), "2008-04,%lld,", 40500 + atoll(medical));
	assert_lines(out, (const char *const[]){"month,amount_fen,amount_yuan\r\n",
						"2008-03,22000,220.00\r\n", line,
						"2008-05,720000,7200.00\r\n", NULL});

	assert_int_equal(ctl(&out, by_place), 0);
	snprintf(line, sizeof(line), "district,Echeng,,,%lld,", 52500 + atoll(medical));
	assert_lines(out, (const char *const[]){"level,district,town,community,amount_fen,"
						"amount_yuan\r\n",
						line, "district,Huarong,,,730000,7300.00\r\n",
						"community,Huarong,Liangzi Town,Gaotang Village,730000,",
						NULL});
	snprintf(line, sizeof(line), "city,,,,%s,", total);
	assert_lines(out, (const char *const[]){line, NULL});
	assert_int_equal(ctl(&out, text), 0);
	assert_lines(out, (const char *const[]){"spending in 2008, by scheme",
						"urban_dibao", "525.00 yuan", NULL});
	free(paid);
	free(medical);
	free(total);
}

/* Every byte that roster and report printed: no 18-character ID number, no
 * income, category, diagnosis or given name. */
static void test_privacy(void **state)
{
	/* Category 4050 is left out: amounts such as 40500 hold its digits. */
	static const char *const words[] = {
		"income", "disabled", "three_noes", "five_guarantee", "orphan", "entitled_group",
		"marginal", "vagrant", "reemployment_card", "zero_employment_family",
		"registered_unemployed", "poor_student", "cancer", "kidney_transplant",
		"dialysis", "major", "chronic", "common", "inpatient", "小明", "芳", "Wei",
		"娜娜", "Ouyang Er", NULL};
	const char *runs[][8] = {
		{"roster", NULL},
		{"roster", "--as-of", "2008-04-01", NULL},
		{"roster", "--as-of", "2008-04-01", "--json", NULL},
		{"report", "recipients", NULL},
		{"report", "recipients", "--by", "scheme", NULL},
		{"report", "spending", "--year", "2008", "--by", "place", NULL},
		{"report", "spending", "--year", "2008", "--by", "month", "--csv", NULL},
	};
	regex_t id;
	size_t scanned = 0;

	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		char *out = NULL;
		assert_int_equal(ctl(&out, runs[i]), 0);
	}
	assert_int_equal(regcomp(&id, "[0-9]{17}[0-9X]", REG_EXTENDED | REG_NOSUB), 0);
	for (size_t i = 0; i < n_outputs; i++) {
		if (regexec(&id, outputs[i], 0, NULL, 0) == 0)
			fail_msg("a full ID number in\n%s", outputs[i]);
		for (const char *const *w = words; *w != NULL; w++) {
			if (strstr(outputs[i], *w) != NULL)
				fail_msg("\"%s\" in\n%s", *w, outputs[i]);
		}
		scanned += strlen(outputs[i]);
	}
	regfree(&id);
	/* The scan read the roster rows, with their masked IDs. */
	assert_true(scanned > 1000);
	assert_non_null(strstr(outputs[n_outputs - 5], "**********"));
}

/* --help answers with exit 0; a bad option is a usage error. */
static void test_usage(void **state)
{
	const char *roster_help[] = {"roster", "--help", NULL};
	const char *report_help[] = {"report", "--help", NULL};
	const char *bad_by[] = {"report", "spending", "--by", "week", NULL};
	const char *bad_kind[] = {"report", "payments", NULL};
	const char *bad_scheme[] = {"roster", "--scheme", "dibao", NULL};
	char *out = NULL;

	assert_int_equal(ctl(&out, roster_help), 0);
	assert_non_null(strstr(out, "usage: assistctl roster"));
	assert_int_equal(ctl(&out, report_help), 0);
	assert_non_null(strstr(out, "usage: assistctl report recipients|spending"));
	assert_int_equal(ctl(&out, bad_by), 64);
	assert_int_equal(ctl(&out, bad_kind), 64);
	assert_int_equal(ctl(&out, bad_scheme), 64);
}

static int setup(void **state)
{
	fixture_id(a, "420704", "19800101", 301);
	fixture_id(b, "420704", "19820202", 302);
	fixture_id(c, "420704", "19700303", 303);
	fixture_id(r, "420702", "19600404", 304);
	fixture_id(r2, "420702", "19620505", 305);
	if (fixture_setup(&fx, "roster", NULL) < 0 || fixture_assistd_start(&fx) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	for (size_t i = 0; i < n_outputs; i++)
		free(outputs[i]);
	fixture_teardown(&fx);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roster_rows),   cmocka_unit_test(test_as_of),
		cmocka_unit_test(test_place_and_scheme), cmocka_unit_test(test_roster_text),
		cmocka_unit_test(test_recipients),    cmocka_unit_test(test_spending),
		cmocka_unit_test(test_privacy),    cmocka_unit_test(test_usage),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
