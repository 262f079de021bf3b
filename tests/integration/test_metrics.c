/* GET /metrics of a real assistd (metrics_listen on a free loopback port):
 * after events of three sources, some rejected, and a payment run, the
 * counters per source and kind are what was pushed, the payments per scheme
 * what the run booked, the gauges what status says; promtool accepts the
 * text; any other path is 404 and any other method 405. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixture.h"

static struct fixture fx;
static int port;
static char a[19], b[19];
static unsigned long seq;

/* A loopback port nobody listens on now. */
static int free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), p = -1;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		p = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return p;
}

/* An HTTP/1.0 request to assistd's metrics port: the whole response
 * (status line, headers, body), malloc'ed, or NULL. */
static char *http(const char *method, const char *path)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	char req[256], *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto out;
	snprintf(req, sizeof(req), "%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", method, path);
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		goto out;
	do {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			assert_non_null(buf = realloc(buf, cap));
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n > 0)
			len += (size_t)n;
	} while (n > 0);
	buf[len] = '\0';
out:
	if (fd >= 0)
		close(fd);
	return buf;
}

/* The body of a response. */
static const char *body(const char *resp)
{
	const char *p = strstr(resp, "\r\n\r\n");

	assert_non_null(p);
	return p + 4;
}

/* The value of the sample line starting with series (name and labels) in
 * text, or -1 when there is none. */
static long long sample(const char *text, const char *series)
{
	size_t n = strlen(series);

	for (const char *p = text; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p ? p + 1 : p) {
		if (strncmp(p, series, n) == 0 && p[n] == ' ')
			return strtoll(p + n + 1, NULL, 10);
	}
	return -1;
}

/* /metrics once the line series shows want (the loop renders once a
 * second), malloc'ed; the last one seen when it never does. */
static char *metrics_showing(const char *series, long long want)
{
	double deadline = fixture_now_s() + 15;
	char *resp = NULL;

	do {
		free(resp);
		resp = http("GET", "/metrics");
		assert_non_null(resp);
		if (sample(body(resp), series) == want)
			break;
		fixture_sleep_ms(200);
	} while (fixture_now_s() < deadline);
	return resp;
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
	if ((port = free_port()) < 0)
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
	resp = metrics_showing("assist_payments_total{scheme=\"urban_dibao\"}", 2);
	text = body(resp);
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
	status = fixture_sql(&fx, "SELECT max(seq) FROM feed");
	assert_non_null(status);
	assert_int_equal(sample(text, "assist_feed_sequence"), strtoll(status, NULL, 10));
	free(status);
	free(resp);
}

/* promtool (Debian's prometheus package) accepts the exposition. */
static void test_promtool(void **state)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s/metrics.txt", fx.dir);
	assert_int_equal(system(cmd), 0);
}

static void test_other_paths(void **state)
{
	char *resp = http("GET", "/other");

	assert_non_null(resp);
	assert_non_null(strstr(resp, " 404 "));
	free(resp);
	resp = http("GET", "/metrics/x");
	assert_non_null(strstr(resp, " 404 "));
	free(resp);
	resp = http("POST", "/metrics");
	assert_non_null(strstr(resp, " 405 "));
	free(resp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_promtool),
		cmocka_unit_test(test_other_paths),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
