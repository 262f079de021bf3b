/* assist-web against a real assistd: records and explanations with IDs
 * masked unless the token is given; errors that name the field; the event
 * stream replaying from Last-Event-ID with every sequence once, then live;
 * simulate leaving assistctl dump unchanged; the summary's figures; the
 * roster page; only the page's own files served. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "promtest.h"

#define TOKEN "web-test-token-0123456789"

static struct fixture fx;
static struct fixture_events fe;
static int port;
static pid_t web;
static char a[19], b[19], c[19];

/* One HTTP/1.0 exchange: the whole response, read until the server closes
 * or read_ms passes (an event stream does not close). */
static char *http(const char *method, const char *path, const char *headers, const char *body,
		  int read_ms)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap), req[2048];
	double end = fixture_now_s() + read_ms / 1000.0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_non_null(buf);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	snprintf(req, sizeof(req), "%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\n%sContent-Length: %zu\r\n\r\n",
		 method, path, headers ? headers : "", body ? strlen(body) : 0);
	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	if (body != NULL)
		assert_int_equal(write(fd, body, strlen(body)), (ssize_t)strlen(body));
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int left = (int)((end - fixture_now_s()) * 1000);
		ssize_t n;
		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		if (len + 4097 > cap)
			assert_non_null(buf = realloc(buf, cap *= 2));
		if ((n = read(fd, buf + len, cap - len - 1)) <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

static char *get(const char *path)
{
	return http("GET", path, NULL, NULL, 10000);
}

static int status_of(const char *resp)
{
	int st = 0;

	sscanf(resp, "HTTP/1.%*d %d", &st);
	return st;
}

/* Whether text holds an unmasked ID number: 17 digits and a digit or X. */
static bool has_full_id(const char *text)
{
	size_t run = 0;

	for (const char *p = text; *p != '\0'; p++) {
		if (isdigit((unsigned char)*p) || (run == 17 && (*p == 'X' || *p == 'x')))
			run++;
		else
			run = 0;
		if (run == 18)
			return true;
	}
	return false;
}

static json_t *body_json(const char *resp)
{
	const char *body = promtest_body(resp);
	json_t *j = body != NULL ? json_loads(body, 0, NULL) : NULL;

	assert_non_null(j);
	return j;
}

static uint64_t feed_seq(void)
{
	json_t *st = fixture_status(&fx);
	uint64_t seq = (uint64_t)fixture_int(st, "feed_seq");

	json_decref(st);
	return seq;
}

/* The ids of an event stream's messages, in order, into ids; how many. */
static size_t stream_ids(const char *resp, uint64_t *ids, size_t max)
{
	size_t n = 0;

	for (const char *p = strstr(resp, "\nid: "); p != NULL && n < max;
	     p = strstr(p + 1, "\nid: "))
		ids[n++] = strtoull(p + 5, NULL, 10);
	return n;
}

static void household(const char *hh, int members, long income, const char *ids[], int n)
{
	fixture_ev(&fe, "civil_affairs", "household",
		   "\"household_id\":\"%s\",\"members\":%d,\"monthly_income_fen\":%ld,"
		   "\"area\":\"city\"", hh, members, income);
	for (int i = 0; i < n; i++) {
		fixture_ev(&fe, "civil_affairs", "person",
			   "\"id_number\":\"%s\",\"name\":\"Wang %d\",\"household_id\":\"%s\","
			   "\"hukou\":\"urban\",\"area\":\"city\"", ids[i], i, hh);
		fixture_ev(&fe, "civil_affairs", "enrollment",
			   "\"id_number\":\"%s\",\"scheme\":\"urban_dibao\",\"start_date\":"
			   "\"2026-01-01\"", ids[i]);
	}
	assert_int_equal(fixture_events_push(&fx, &fe, "hh.jsonl", NULL), 0);
}

static int setup(void **state)
{
	char conf[1024];
	const char *argv[4] = {"assist-web", "-c", NULL, NULL};
	const char *members[] = {a, b};

	fixture_id(a, "420704", "19800101", 401);
	fixture_id(b, "420704", "19820202", 402);
	fixture_id(c, "420704", "19900303", 403);
	if ((port = promtest_free_port()) < 0 || fixture_setup(&fx, "web", NULL) < 0 ||
	    fixture_assistd_start(&fx) < 0)
		return -1;
	household("HW-1", 2, 17000, members, 2);
	snprintf(conf, sizeof(conf), "%s/assets", fx.dir);
	if (mkdir(conf, 0755) < 0)
		return -1;
	fixture_write(&fx, "assets/index.html", "<!doctype html><title>assist</title>\n");
	fixture_write(&fx, "token", TOKEN "\n");
	snprintf(conf, sizeof(conf),
		 "listen = 127.0.0.1:%d\nquery_endpoint = ipc://%s/query.sock\n"
		 "feed_endpoint = ipc://%s/feed.sock\nassets_dir = %s/assets\n"
		 "token_file = %s/token\n", port, fx.dir, fx.dir, fx.dir, fx.dir);
	argv[2] = fixture_write(&fx, "web.conf", conf);
	if ((web = fixture_spawn(&fx, argv)) < 0)
		return -1;
	for (int i = 0; i < 100; i++) {
		char *r = promtest_http(port, "GET", "/");
		bool up = r != NULL && status_of(r) == 200;
		free(r);
		if (up)
			return 0;
		fixture_sleep_ms(100);
	}
	return -1;
}

static int teardown(void **state)
{
	if (web > 0) {
		kill(web, SIGTERM);
		assert_int_equal(fixture_wait(web), 0);
	}
	fixture_teardown(&fx);
	return 0;
}

/* A record: masked without the token, whole with it; a bad ID names the
 * field; an unknown person is 404. */
static void test_record(void **state)
{
	char path[64], *r;
	json_t *j;

	snprintf(path, sizeof(path), "/api/records/%s", a);
	r = get(path);
	assert_int_equal(status_of(r), 200);
	assert_false(has_full_id(r));
	j = body_json(r);
	assert_string_equal(fixture_str(j, "benefits.0.scheme"), "urban_dibao");
	/* 2 x 185 - 170 = 200 yuan, 100 each */
	assert_int_equal(fixture_int(j, "benefits.0.monthly_fen"), 10000);
	json_decref(j);
	free(r);
	r = http("GET", path, "Authorization: Bearer " TOKEN "\r\n", NULL, 10000);
	assert_int_equal(status_of(r), 200);
	assert_non_null(strstr(r, a));
	free(r);
	r = http("GET", path, "Authorization: Bearer wrong-token-0123456789\r\n", NULL, 10000);
	assert_false(has_full_id(r));
	free(r);
	r = get("/api/records/420704198001010000");
	assert_int_equal(status_of(r), 400);
	assert_non_null(strstr(r, "\"error\":\"id_number: "));
	free(r);
	snprintf(path, sizeof(path), "/api/records/%s", c);
	r = get(path);
	assert_int_equal(status_of(r), 404);
	assert_false(has_full_id(r));
	free(r);
	snprintf(path, sizeof(path), "/api/records/%s?as_of=2026-13-01", a);
	r = get(path);
	assert_int_equal(status_of(r), 400);
	assert_non_null(strstr(r, "as_of: not a date"));
	free(r);
}

static void test_explain(void **state)
{
	char path[64], *r;

	snprintf(path, sizeof(path), "/api/explain/%s", b);
	r = get(path);
	assert_int_equal(status_of(r), 200);
	assert_non_null(strstr(r, "\"rule\":\"dibao.urban\""));
	assert_non_null(strstr(r, "dibao.urban.standard.city"));
	assert_false(has_full_id(r));
	free(r);
}

/* Replay from Last-Event-ID: every later sequence once, in order; then a
 * stream resumed at the end gets what is pushed while it is open. */
static void test_events(void **state)
{
	uint64_t first = feed_seq(), ids[256], last;
	const char *members[] = {c};
	char hdr[64], *r;
	size_t n;

	assert_true(first >= 2);
	r = http("GET", "/events", "Last-Event-ID: 0\r\n", NULL, 1500);
	assert_int_equal(status_of(r), 200);
	assert_non_null(strstr(r, "text/event-stream"));
	assert_false(has_full_id(r));
	n = stream_ids(r, ids, 256);
	free(r);
	assert_int_equal(n, first);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ids[i], 1 + i);
	/* Pushed while nobody listens: a resume replays it. */
	household("HW-2", 1, 0, members, 1);
	last = feed_seq();
	assert_true(last > first);
	snprintf(hdr, sizeof(hdr), "Last-Event-ID: %" PRIu64 "\r\n", first);
	r = http("GET", "/events", hdr, NULL, 1500);
	n = stream_ids(r, ids, 256);
	assert_non_null(strstr(r, "event: record\n"));
	free(r);
	assert_int_equal(n, last - first);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ids[i], first + 1 + i);
	/* Live: pushed while the stream is open, from a child process. */
	fixture_ev(&fe, "civil_affairs", "household",
		   "\"household_id\":\"HW-2\",\"members\":1,\"monthly_income_fen\":100,"
		   "\"area\":\"city\"");
	const char *push[] = {"assistctl", "-c", fx.conf, "push",
			      fixture_write(&fx, "live.jsonl", fe.buf), NULL};
	fe.len = 0;
	pid_t child = fork();
	if (child == 0) {
		fixture_sleep_ms(500);
		_exit(fixture_run(&fx, NULL, NULL, push) == 0 ? 0 : 1);
	}
	snprintf(hdr, sizeof(hdr), "Last-Event-ID: %" PRIu64 "\r\n", last);
	r = http("GET", "/events", hdr, NULL, 3000);
	assert_int_equal(fixture_wait(child), 0);
	n = stream_ids(r, ids, 256);
	free(r);
	assert_int_equal(n, feed_seq() - last);
	assert_true(n >= 1);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ids[i], last + 1 + i);
	/* ?from=SEQ starts at SEQ itself. */
	r = get("/events?from=1&topic=nothing/");
	assert_int_equal(stream_ids(r, ids, 256), 0);
	free(r);
	r = http("GET", "/events?from=2", NULL, NULL, 1500);
	assert_true(stream_ids(r, ids, 256) > 0);
	assert_int_equal(ids[0], 2);
	free(r);
}

/* What-if events: records out, nothing stored; a bad line names its line. */
static void test_simulate(void **state)
{
	const char *dump[] = {"assistctl", "-c", fx.conf, "dump", NULL};
	char *before, *after, *r, body[1024];

	assert_int_equal(fixture_run(&fx, &before, NULL, dump), 0);
	snprintf(body, sizeof(body),
		 "{\"kind\":\"household\",\"household\":{\"household_id\":\"H-SIM\","
		 "\"members\":1,\"monthly_income_fen\":0,\"area\":\"city\"}}\n"
		 "# a comment line\n"
		 "{\"kind\":\"person\",\"person\":{\"id_number\":\"%s\",\"name\":\"S\","
		 "\"household_id\":\"H-SIM\",\"hukou\":\"urban\",\"area\":\"city\"}}\n"
		 "{\"kind\":\"enrollment\",\"enrollment\":{\"id_number\":\"%s\","
		 "\"scheme\":\"urban_dibao\",\"start_date\":\"2026-01-01\"}}\n", a, a);
	r = http("POST", "/api/simulate?as_of=2026-06-30", NULL, body, 10000);
	assert_int_equal(status_of(r), 200);
	assert_non_null(strstr(r, "\"monthly_fen\":18500"));
	assert_false(has_full_id(r));
	free(r);
	assert_int_equal(fixture_run(&fx, &after, NULL, dump), 0);
	assert_string_equal(before, after);
	free(before);
	free(after);
	r = http("POST", "/api/simulate", NULL, "{\"kind\":\"household\"}\n{\"kind\":", 10000);
	assert_int_equal(status_of(r), 400);
	assert_non_null(strstr(r, "\"error\":\"line 2: invalid JSON"));
	free(r);
	r = http("POST", "/api/summary", NULL, "x", 10000);
	assert_int_equal(status_of(r), 405);
	free(r);
}

/* The summary: recipients by scheme, funds, alerts by code (a bill of
 * 100,000 yuan reaches Huimin's annual cap: cap_reached). */
static void test_summary(void **state)
{
	const json_t *row;
	char *r;
	json_t *j;
	size_t i;
	bool found = false;

	fixture_ev(&fe, "health", "medical_claim",
		   "\"claim_id\":\"W-1\",\"id_number\":\"%s\",\"date\":\"2026-03-02\","
		   "\"setting\":\"inpatient\",\"hospital\":\"huimin\",\"disease\":\"major\","
		   "\"total_fen\":10000000,\"insurer\":\"huimin\"", a);
	assert_int_equal(fixture_events_push(&fx, &fe, "claim.jsonl", NULL), 0);
	r = get("/api/summary");
	assert_int_equal(status_of(r), 200);
	assert_false(has_full_id(r));
	j = body_json(r);
	json_array_foreach(json_object_get(json_object_get(j, "recipients_by_scheme"), "rows"), i,
			   row) {
		if (strcmp(fixture_str(row, "scheme"), "urban_dibao") == 0) {
			assert_int_equal(fixture_int(row, "value"), 3);
			found = true;
		}
	}
	assert_true(found);
	assert_true(fixture_int(j, "status.recipients") >= 3);
	assert_true(json_is_array(json_object_get(json_object_get(j, "funds"), "funds")));
	assert_true(json_is_object(json_object_get(json_object_get(j, "alerts"), "by_code")));
	assert_true(fixture_int(j, "alerts.by_code.cap_reached") >= 1);
	json_decref(j);
	free(r);
}

static void test_roster_and_files(void **state)
{
	char *r = get("/roster?scheme=urban_dibao");

	assert_int_equal(status_of(r), 200);
	assert_non_null(strstr(r, "<table id=\"roster\">"));
	assert_non_null(strstr(r, "<td>Wang*</td>"));
	assert_false(has_full_id(r));
	free(r);
	r = get("/api/roster?scheme=martian");
	assert_int_equal(status_of(r), 400);
	assert_non_null(strstr(r, "scheme: no scheme"));
	free(r);
	r = get("/");
	assert_int_equal(status_of(r), 200);
	assert_non_null(strstr(r, "<title>assist</title>"));
	free(r);
	r = get("/../token");
	assert_int_equal(status_of(r), 404);
	assert_null(strstr(r, TOKEN));
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record),	 cmocka_unit_test(test_explain),
		cmocka_unit_test(test_events),	 cmocka_unit_test(test_simulate),
		cmocka_unit_test(test_summary), cmocka_unit_test(test_roster_and_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
