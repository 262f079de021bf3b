/* The metrics' pure parts: metrics_listen parsed (numeric hosts only),
 * histogram buckets, ledger entries per scheme, a batch's kinds, and the
 * exposition of assistd and of an adapter rendered from a snapshot: each
 * expected line present, every family with its HELP and TYPE before its
 * samples, families not interleaved. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "adapter_metrics.h"
#include "metrics.h"
#include "tally.h"

static void test_parse_listen(void **state)
{
	static const struct {
		const char *s;
		int family; /* 0: refused */
		unsigned port;
	} cases[] = {
		{"127.0.0.1:9464", AF_INET, 9464}, {"0.0.0.0:1", AF_INET, 1},
		{"[::1]:9464", AF_INET6, 9464},    {"127.0.0.1:65535", AF_INET, 65535},
		{"127.0.0.1", 0, 0},               {"127.0.0.1:", 0, 0},
		{"127.0.0.1:0", 0, 0},             {"127.0.0.1:65536", 0, 0},
		{"127.0.0.1:94x", 0, 0},           {"127.0.0.1:-1", 0, 0},
		{"localhost:9464", 0, 0},          {"::1:9464", 0, 0},
		{":9464", 0, 0},                   {"[::1:9464", 0, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sockaddr_storage sa;
		socklen_t len = 0;
		char err[256] = "";
		int rc = metricserve_parse_listen(cases[i].s, &sa, &len, err, sizeof(err));

		print_message("%s\n", cases[i].s);
		if (cases[i].family == 0) {
			assert_int_equal(rc, -EINVAL);
			assert_non_null(strstr(err, "metrics_listen"));
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(sa.ss_family, cases[i].family);
		if (cases[i].family == AF_INET) {
			assert_int_equal(len, sizeof(struct sockaddr_in));
			assert_int_equal(ntohs(((struct sockaddr_in *)&sa)->sin_port), cases[i].port);
		} else {
			assert_int_equal(len, sizeof(struct sockaddr_in6));
			assert_int_equal(ntohs(((struct sockaddr_in6 *)&sa)->sin6_port), cases[i].port);
		}
	}
}

static void test_observe(void **state)
{
	static const struct {
		double value;
		size_t bucket; /* TALLY_SIZE_BUCKETS: +Inf */
	} cases[] = {
		{0, 0}, {1, 0}, {1.5, 1}, {2, 1}, {3, 2}, {500, 8}, {501, 9}, {5000, 11},
		{5001, TALLY_SIZE_BUCKETS},
	};
	struct tally_histogram h = {0};

	assert_int_equal(tally_check(), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tally_histogram one = {0};

		tally_observe(&one, tally_size_bounds, TALLY_SIZE_BUCKETS, cases[i].value);
		assert_int_equal(one.counts[cases[i].bucket], 1);
		assert_int_equal(one.count, 1);
		tally_observe(&h, tally_size_bounds, TALLY_SIZE_BUCKETS, cases[i].value);
	}
	assert_int_equal(h.count, sizeof(cases) / sizeof(cases[0]));
	assert_true(h.sum > 11009.4 && h.sum < 11009.6);
}

static void test_ledger(void **state)
{
	static const struct {
		Assist__Scheme scheme;
		Assist__LedgerKind kind;
		fen_t amount;
	} entries[] = {
		{ASSIST__SCHEME__SCHEME_URBAN_DIBAO, ASSIST__LEDGER_KIND__LEDGER_KIND_PAYMENT, 8500},
		{ASSIST__SCHEME__SCHEME_URBAN_DIBAO, ASSIST__LEDGER_KIND__LEDGER_KIND_PAYMENT, 8500},
		{ASSIST__SCHEME__SCHEME_URBAN_DIBAO, ASSIST__LEDGER_KIND__LEDGER_KIND_RECOVERY, -3000},
		{ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE, ASSIST__LEDGER_KIND__LEDGER_KIND_DECISION,
		 12000},
		{ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE, ASSIST__LEDGER_KIND__LEDGER_KIND_REVERSAL,
		 -12000},
		{(Assist__Scheme)TALLY_SCHEMES, ASSIST__LEDGER_KIND__LEDGER_KIND_PAYMENT, 1},
	};
	struct tally_money batch = {0}, total = {0};

	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++)
		tally_ledger(&batch, entries[i].scheme, entries[i].kind, entries[i].amount);
	tally_money_add(&total, &batch);
	tally_money_add(&total, &batch);
	assert_int_equal(total.payments[ASSIST__SCHEME__SCHEME_URBAN_DIBAO], 4);
	assert_int_equal(total.payments_fen[ASSIST__SCHEME__SCHEME_URBAN_DIBAO], 34000);
	assert_int_equal(total.spent_fen[ASSIST__SCHEME__SCHEME_URBAN_DIBAO], 28000);
	assert_int_equal(total.payments[ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE], 0);
	assert_int_equal(total.spent_fen[ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE], 0);
}

static void test_kind_index(void **state)
{
	Assist__Event ev = ASSIST__EVENT__INIT;

	assert_int_equal(tally_kind_index(&ev), 0);
	assert_string_equal(tally_kind_name(0), "unknown");
	ev.kind = ASSIST__KIND__KIND_MEDICAL_CLAIM;
	assert_string_equal(tally_kind_name(tally_kind_index(&ev)), "medical_claim");
	ev.kind = ASSIST__KIND__KIND_UNSPECIFIED;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_PAYMENT_RUN;
	assert_string_equal(tally_kind_name(tally_kind_index(&ev)), "payment_run");
	assert_null(tally_kind_name(TALLY_KINDS));
}

/* The family a sample or comment line is of ("# TYPE x counter" -> x,
 * "x_bucket{..} 1" -> x for histogram x). */
static void family_of(const char *line, const char *const *histograms, char *out, size_t n)
{
	size_t len;

	if (strncmp(line, "# HELP ", 7) == 0 || strncmp(line, "# TYPE ", 7) == 0)
		line += 7;
	len = strcspn(line, "{ \n");
	snprintf(out, n, "%.*s", (int)len, line);
	for (size_t i = 0; histograms[i] != NULL; i++) {
		size_t h = strlen(histograms[i]);

		if (strncmp(out, histograms[i], h) == 0 && out[h] == '_')
			out[h] = '\0';
	}
}

/* Every family's lines are one group, its HELP and TYPE first; the
 * histograms named (NULL-terminated) have suffixed samples. */
static void assert_grouped_with(const char *text, const char *const *histograms)
{
	char seen[64][64], cur[64] = "", fam[64];
	size_t n_seen = 0;

	for (const char *p = text; *p != '\0'; p = strchr(p, '\n') + 1) {
		family_of(p, histograms, fam, sizeof(fam));
		if (strcmp(fam, cur) == 0)
			continue;
		for (size_t i = 0; i < n_seen; i++) {
			if (strcmp(seen[i], fam) == 0)
				fail_msg("%s comes back after %s", fam, cur);
		}
		if (strncmp(p, "# HELP ", 7) != 0)
			fail_msg("%s starts without HELP", fam);
		assert_true(n_seen < 64);
		strcpy(seen[n_seen++], fam);
		strcpy(cur, fam);
	}
}

static void test_render(void **state)
{
	struct tally_kinds civil = {0}, health = {0};
	struct tally t = {0};
	struct metrics_source sources[] = {
		{"civil_affairs", &civil, 1.5, 2.25, false},
		{"health", &health, 0, -1, false},
		{"labor", &civil, 0, 900, true},
	};
	struct metrics_snapshot s = {
		.sources = sources, .n_sources = 3, .tally = &t, .feed_seq = 42,
		.dead_letters = 3, .recipients = 7, .resident_bytes = 4096,
	};
	static const char *const want[] = {
		"# TYPE assist_events_received_total counter\n",
		"assist_events_received_total{source=\"civil_affairs\",kind=\"person\"} 3\n",
		"assist_events_applied_total{source=\"civil_affairs\",kind=\"person\"} 2\n",
		"assist_events_rejected_total{source=\"civil_affairs\",kind=\"person\"} 1\n",
		"assist_events_applied_total{source=\"labor\",kind=\"person\"} 2\n",
		"assist_events_rejected_total{source=\"health\",kind=\"unknown\"} 1\n",
		"# TYPE assist_batch_events histogram\n",
		"assist_batch_events_bucket{le=\"1\"} 1\n",
		"assist_batch_events_bucket{le=\"2\"} 1\n",
		"assist_batch_events_bucket{le=\"5\"} 2\n",
		"assist_batch_events_bucket{le=\"5000\"} 2\n",
		"assist_batch_events_bucket{le=\"+Inf\"} 3\n",
		"assist_batch_events_sum 6004\n",
		"assist_batch_events_count 3\n",
		"assist_commit_seconds_bucket{le=\"0.0005\"} 0\n",
		"assist_commit_seconds_bucket{le=\"0.005\"} 1\n",
		"assist_commit_seconds_count 1\n",
		"assist_source_lag_seconds{source=\"civil_affairs\"} 1.500\n",
		"assist_source_last_seen_age_seconds{source=\"civil_affairs\"} 2.250\n",
		"assist_source_stale{source=\"labor\"} 1\n",
		"assist_source_stale{source=\"health\"} 0\n",
		"# TYPE assist_feed_sequence gauge\nassist_feed_sequence 42\n",
		"assist_dead_letters 3\n",
		"assist_recipients 7\n",
		"assist_resident_memory_bytes 4096\n",
		"assist_payments_total{scheme=\"urban_dibao\"} 1\n",
		"assist_payments_fen_total{scheme=\"urban_dibao\"} 8500\n",
		"assist_fund_spending_fen{scheme=\"urban_dibao\"} 8500\n",
		"assist_fund_spending_fen{scheme=\"medical_assistance\"} -2000\n",
	};
	/* Not shown: a kind nobody sent, a source never seen, a scheme unused. */
	static const char *const absent[] = {
		"kind=\"enrollment\"",
		"assist_source_last_seen_age_seconds{source=\"health\"}",
		"scheme=\"rural_dibao\"",
		"assist_payments_total{scheme=\"medical_assistance\"} 1",
	};
	static const char *const histograms[] = {"assist_batch_events", "assist_commit_seconds",
						 NULL};
	char *text;
	size_t len;

	civil.received[1] = 3; /* person, the registry's first row */
	civil.applied[1] = 2;
	civil.rejected[1] = 1;
	health.received[0] = health.rejected[0] = 1;
	tally_observe(&t.batch_size, tally_size_bounds, TALLY_SIZE_BUCKETS, 1);
	tally_observe(&t.batch_size, tally_size_bounds, TALLY_SIZE_BUCKETS, 3);
	tally_observe(&t.batch_size, tally_size_bounds, TALLY_SIZE_BUCKETS, 6000);
	tally_observe(&t.commit_seconds, tally_latency_bounds, TALLY_LATENCY_BUCKETS, 0.004);
	tally_ledger(&t.money, ASSIST__SCHEME__SCHEME_URBAN_DIBAO,
		     ASSIST__LEDGER_KIND__LEDGER_KIND_PAYMENT, 8500);
	tally_ledger(&t.money, ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE,
		     ASSIST__LEDGER_KIND__LEDGER_KIND_REVERSAL, -2000);
	text = metrics_render(&s, &len);
	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (strstr(text, want[i]) == NULL)
			fail_msg("missing %s in\n%s", want[i], text);
	}
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		if (strstr(text, absent[i]) != NULL)
			fail_msg("unexpected %s in\n%s", absent[i], text);
	}
	assert_grouped_with(text, histograms);
	free(text);
}

static void test_adapter_render(void **state)
{
	static const struct {
		const char *table;
		char op;
	} rows[] = {
		{"persons", 'I'}, {"persons", 'I'}, {"persons", 'U'}, {"deaths", 'S'},
		{"persons", 'X'}, {"nosuch", 'I'},  {"persons", '\0'},
	};
	static const char *const histograms[] = {NULL};
	static const char *const want[] = {
		"# TYPE assist_adapter_rows_total counter\n",
		"assist_adapter_rows_total{department=\"civil_affairs\",table=\"persons\","
		"op=\"insert\"} 2\n",
		"assist_adapter_rows_total{department=\"civil_affairs\",table=\"persons\","
		"op=\"update\"} 1\n",
		"assist_adapter_rows_total{department=\"civil_affairs\",table=\"persons\","
		"op=\"delete\"} 0\n",
		"assist_adapter_rows_total{department=\"civil_affairs\",table=\"deaths\","
		"op=\"snapshot\"} 1\n",
		"assist_adapter_slot_lag_bytes{department=\"civil_affairs\"} 0\n",
		"assist_adapter_confirmed_lsn{department=\"civil_affairs\"} 5000\n",
		"assist_adapter_received_lsn{department=\"civil_affairs\"} 4000\n",
		"assist_adapter_unacknowledged_events{department=\"civil_affairs\"} 7\n",
	};
	const struct department *d = department_find("civil_affairs");
	struct adapter_metrics m = {0};
	struct adapter_metrics_snapshot s = {
		.rows = m.rows, .received_lsn = 4000, .confirmed_lsn = 5000, .unacknowledged = 7,
	};
	char *text;
	size_t len;

	assert_non_null(d);
	s.dept = d;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		adapter_metrics_row(&m, d, rows[i].table, rows[i].op);
	text = adapter_metrics_render(&s, &len);
	assert_non_null(text);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (strstr(text, want[i]) == NULL)
			fail_msg("missing %s in\n%s", want[i], text);
	}
	assert_null(strstr(text, "nosuch"));
	assert_grouped_with(text, histograms);
	free(text);
	/* Received beyond confirmed: the lag. */
	s.received_lsn = 5300;
	text = adapter_metrics_render(&s, &len);
	assert_non_null(strstr(text, "assist_adapter_slot_lag_bytes{department=\"civil_affairs\"} "
				     "300\n"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_listen), cmocka_unit_test(test_observe),
		cmocka_unit_test(test_ledger),       cmocka_unit_test(test_kind_index),
		cmocka_unit_test(test_render),       cmocka_unit_test(test_adapter_render),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
