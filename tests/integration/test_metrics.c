/* GET /metrics of a real assistd (metrics_listen on a free loopback port):
 * after events of three sources, some rejected, and a payment run, the
 * counters per source and kind are what was pushed, the payments per scheme
 * what the run booked, the gauges what the store holds; promtool accepts
 * the text; any other path is 404 and any other method 405; a bad
 * metrics_listen or a port taken refuses the start. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixture.h"
#include "promtest.h"

static struct fixture fx;
static int port;
static char a[19], b[19];
static unsigned long seq;

static long long sample(const char *text, const char *series)
{
	return promtest_sample(text, series);
}

__attribute__((format(printf, 4, 5))) static int push(const char *name, const char *source,
						      const char *kind, const char *fmt, ...)
{
	char payload[1024], line[1400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(payload, sizeof(payload), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "{\"source\":\"%s\",\"seq\":%lu,\"kind\":\"%s\",\"%s\":{%s}}\n",
		 source, ++seq, kind, kind, payload);
	return fixture_push(&fx, name, line, NULL);
}

static int setup(void **state)
{
	char conf[64];

	fixture_id(a, "420704", "19800101", 301);
	fixture_id(b, "420704", "19820202", 302);
	if ((port = promtest_free_port()) < 0)
		return -1;
	snprintf(conf, sizeof(conf), "metrics_listen = 127.0.0.1:%d\n", port);
	return fixture_setup(&fx, "metrics", conf) < 0 || fixture_assistd_start(&fx) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	fixture_teardown(&fx);
	return 0;
}

/* Two urban dibao members of a household of three with 300 yuan (85 yuan
 * each), a person civil affairs could not read, a claim health could not. */
static void push_events(void)
{
	const char *pay[] = {"assistctl", "-c", fx.conf, "pay", "2008-03", NULL};

	assert_int_equal(push("h.jsonl", "civil_affairs", "household",
			      "\"household_id\":\"PM-1\",\"members\":3,"
			      "\"monthly_income_fen\":30000,\"area\":\"city\""), 0);
	for (int i = 0; i < 2; i++) {
		const char *id = i ? b : a;

		assert_int_equal(push("p.jsonl", "civil_affairs", "person",
				      "\"id_number\":\"%s\",\"name\":\"P\",\"household_id\":"
				      "\"PM-1\",\"hukou\":\"urban\",\"area\":\"city\"", id), 0);
		assert_int_equal(push("e.jsonl", "civil_affairs", "enrollment",
				      "\"id_number\":\"%s\",\"scheme\":\"urban_dibao\","
				      "\"start_date\":\"2008-01-01\"", id), 0);
	}
	assert_int_equal(push("bad.jsonl", "civil_affairs", "person",
			      "\"id_number\":\"x\",\"hukou\":\"martian\""), 1);
	seq = 0;
	assert_int_equal(push("claim.jsonl", "health", "medical_claim",
			      "\"claim_id\":\"C-M-1\",\"id_number\":\"x\",\"date\":\"2008-03-02\","
			      "\"setting\":\"inpatient\",\"total_fen\":1000"), 1);
	assert_int_equal(fixture_run(&fx, NULL, NULL, pay), 0);
}

static void test_counters(void **state)
{
	char *resp, *status;
	const char *text;

	push_events();
	resp = promtest_until(port, "assist_payments_total{scheme=\"urban_dibao\"}", 2);
	assert_non_null(resp);
	assert_non_null(text = promtest_body(resp));
	fixture_write(&fx, "metrics.txt", text);
	assert_non_null(strstr(resp, "Content-Type: text/plain; version=0.0.4"));
	assert_int_equal(sample(text, "assist_payments_total{scheme=\"urban_dibao\"}"), 2);
	assert_int_equal(sample(text, "assist_payments_fen_total{scheme=\"urban_dibao\"}"), 17000);
	assert_int_equal(sample(text, "assist_fund_spending_fen{scheme=\"urban_dibao\"}"), 17000);
	assert_int_equal(sample(text, "assist_events_received_total{source=\"civil_affairs\","
				      "kind=\"person\"}"), 2);
	assert_int_equal(sample(text, "assist_events_applied_total{source=\"civil_affairs\","
				      "kind=\"person\"}"), 2);
	assert_int_equal(sample(text, "assist_events_rejected_total{source=\"civil_affairs\","
				      "kind=\"person\"}"), 0);
	/* The line assistctl could not read goes as an event of no kind. */
	assert_int_equal(sample(text, "assist_events_received_total{source=\"civil_affairs\","
				      "kind=\"unknown\"}"), 1);
	assert_int_equal(sample(text, "assist_events_rejected_total{source=\"civil_affairs\","
				      "kind=\"unknown\"}"), 1);
	assert_int_equal(sample(text, "assist_events_applied_total{source=\"civil_affairs\","
				      "kind=\"enrollment\"}"), 2);
	assert_int_equal(sample(text, "assist_events_applied_total{source=\"civil_affairs\","
				      "kind=\"household\"}"), 1);
	assert_int_equal(sample(text, "assist_events_rejected_total{source=\"civil_affairs\","
				      "kind=\"enrollment\"}"), 0);
	assert_int_equal(sample(text, "assist_events_received_total{source=\"health\","
				      "kind=\"medical_claim\"}"), 1);
	assert_int_equal(sample(text, "assist_events_applied_total{source=\"health\","
				      "kind=\"medical_claim\"}"), 0);
	assert_int_equal(sample(text, "assist_events_rejected_total{source=\"health\","
				      "kind=\"medical_claim\"}"), 1);
	assert_int_equal(sample(text, "assist_events_applied_total{source=\"finance\","
				      "kind=\"payment_run\"}"), 1);
	assert_int_equal(sample(text, "assist_dead_letters"), 2);
	assert_int_equal(sample(text, "assist_recipients"), 2);
	/* Seven pushes and the run, one batch each, all committed. */
	assert_int_equal(sample(text, "assist_batch_events_count"), 8);
	assert_int_equal(sample(text, "assist_commit_seconds_count"), 8);
	assert_int_equal(sample(text, "assist_batch_events_bucket{le=\"1\"}"), 8);
	assert_true(sample(text, "assist_resident_memory_bytes") > 0);
	assert_int_equal(sample(text, "assist_source_stale{source=\"health\"}"), 0);
	status = fixture_sql(&fx, "SELECT greatest((SELECT max(seq) FROM feed), "
				  "(SELECT max(last_seq) FROM feed_page))");
	assert_non_null(status);
	assert_int_equal(sample(text, "assist_feed_sequence"), strtoll(status, NULL, 10));
	free(status);
	free(resp);
}

/* promtool (Debian's prometheus package) accepts the exposition. */
static void test_promtool(void **state)
{
	char *text = fixture_read(&fx, "metrics.txt");

	assert_true(strlen(text) > 0);
	assert_int_equal(promtest_promtool(fx.dir, "metrics-checked.txt", text), 0);
	free(text);
}

static void test_other_paths(void **state)
{
	char *resp = promtest_http(port, "GET", "/other");

	assert_non_null(resp);
	assert_non_null(strstr(resp, " 404 "));
	free(resp);
	resp = promtest_http(port, "GET", "/metrics/x");
	assert_non_null(strstr(resp, " 404 "));
	free(resp);
	resp = promtest_http(port, "POST", "/metrics");
	assert_non_null(strstr(resp, " 405 "));
	free(resp);
}

/* A listener of the test's own on port, or -1. */
static int occupy(int p)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)p),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	/* The port's connections to assistd linger in TIME_WAIT. */
	if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
			bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* A metrics_listen that is not HOST:PORT fails the check naming the key; a
 * port taken fails the start saying so; counters start again at 0. */
static void test_refused(void **state)
{
	char line[128], *err = NULL, *log, *resp;
	const char *argv[] = {"assistd", "-c", fx.conf, "--check", NULL};
	int fd;

	assert_int_equal(fixture_assistd_stop(&fx, SIGTERM), 0);
	assert_int_equal(fixture_conf_append(&fx, "metrics_listen = localhost:9464"), 0);
	assert_int_not_equal(fixture_run(&fx, NULL, &err, argv), 0);
	assert_non_null(strstr(err, "metrics_listen: \"localhost:9464\" is not HOST:PORT"));
	free(err);
	snprintf(line, sizeof(line), "metrics_listen = 127.0.0.1:%d", port);
	assert_int_equal(fixture_conf_append(&fx, line), 0);
	assert_true((fd = occupy(port)) >= 0);
	assert_int_equal(fixture_assistd_start(&fx), -1);
	close(fd);
	log = fixture_read(&fx, "assistd.log");
	snprintf(line, sizeof(line), "metrics_listen: cannot serve on 127.0.0.1:%d", port);
	assert_non_null(strstr(log, line));
	free(log);
	assert_int_equal(fixture_assistd_start(&fx), 0);
	resp = promtest_http(port, "GET", "/metrics");
	assert_non_null(resp);
	assert_int_equal(sample(promtest_body(resp), "assist_batch_events_count"), 0);
	assert_int_equal(sample(promtest_body(resp), "assist_events_received_total{source="
						     "\"civil_affairs\",kind=\"person\"}"), -1);
	free(resp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_promtool),
		cmocka_unit_test(test_other_paths),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
