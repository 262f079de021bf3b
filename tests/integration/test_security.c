/* CURVE and ZAP on assistd's TCP endpoints: keys, the allow-list, roles,
 * and the refusals at start. The usual ipc endpoints stay beside them. */
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "fixture.h"

struct keypair {
	char public[41];
	char secret[41];
};

static struct fixture fx;
static struct keypair server, department, consumer, stranger;
static char ingest_tcp[64], query_tcp[64], feed_tcp[64];
static char consumer_conf[400];

/* n distinct TCP ports on 127.0.0.1 nobody listens on right now. */
static int free_ports(int *ports, int n)
{
	int fds[8], rc = 0;

	for (int i = 0; i < n; i++) {
		struct sockaddr_in a = {.sin_family = AF_INET,
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		socklen_t len = sizeof(a);

		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (fds[i] < 0 || bind(fds[i], (struct sockaddr *)&a, sizeof(a)) != 0 ||
		    getsockname(fds[i], (struct sockaddr *)&a, &len) != 0)
			rc = -1;
		ports[i] = ntohs(a.sin_port);
	}
	for (int i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
	}
	return rc;
}

static int keypair(struct keypair *k)
{
	return zmq_curve_keypair(k->public, k->secret);
}

/* The environment assistctl reads its CURVE keys from: k's, or none. */
static void use_keys(const struct keypair *k)
{
	if (k == NULL) {
		unsetenv("ASSIST_SERVER_KEY");
		unsetenv("ASSIST_CLIENT_PUBLIC");
		unsetenv("ASSIST_CLIENT_SECRET");
		return;
	}
	setenv("ASSIST_SERVER_KEY", server.public, 1);
	setenv("ASSIST_CLIENT_PUBLIC", k->public, 1);
	setenv("ASSIST_CLIENT_SECRET", k->secret, 1);
}

static int append(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int append(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	return fixture_conf_append(&fx, line);
}

static const char *clients_text(void)
{
	static char text[512];

	snprintf(text, sizeof(text),
		 "# assistd's CURVE clients\n"
		 "%s department civil_affairs\n"
		 "\n"
		 "%s consumer dashboard\n",
		 department.public, consumer.public);
	return text;
}

static int setup(void **state)
{
	const char *clients;
	char text[1024];
	int ports[3];

	if (keypair(&server) != 0 || keypair(&department) != 0 || keypair(&consumer) != 0 ||
	    keypair(&stranger) != 0 || free_ports(ports, 3) < 0 ||
	    fixture_setup(&fx, "security", NULL) < 0)
		return -1;
	snprintf(ingest_tcp, sizeof(ingest_tcp), "tcp://127.0.0.1:%d", ports[0]);
	snprintf(query_tcp, sizeof(query_tcp), "tcp://127.0.0.1:%d", ports[1]);
	snprintf(feed_tcp, sizeof(feed_tcp), "tcp://127.0.0.1:%d", ports[2]);
	clients = fixture_write(&fx, "clients", clients_text());
	if (append("curve_secret_key = %s", server.secret) < 0 ||
	    append("clients_file = %s", clients) < 0 ||
	    append("ingest_endpoint = ipc://%s/ingest.sock, %s", fx.dir, ingest_tcp) < 0 ||
	    append("query_endpoint = ipc://%s/query.sock, %s", fx.dir, query_tcp) < 0 ||
	    append("feed_endpoint = ipc://%s/feed.sock, %s", fx.dir, feed_tcp) < 0)
		return -1;
	/* The consumer's own client file: endpoints and keys, no environment. */
	snprintf(text, sizeof(text),
		 "query_endpoint = %s\nfeed_endpoint = %s\ningest_endpoint = %s\n"
		 "curve_server_key = %s\ncurve_client_public_key = %s\n"
		 "curve_client_secret_key = %s\n",
		 query_tcp, feed_tcp, ingest_tcp, server.public, consumer.public, consumer.secret);
	snprintf(consumer_conf, sizeof(consumer_conf), "%s", fixture_write(&fx, "consumer.conf",
									   text));
	return fixture_assistd_start(&fx);
}

static int teardown(void **state)
{
	use_keys(NULL);
	fixture_teardown(&fx);
	return 0;
}

/* `assistctl --endpoint EP push FILE --wait 3` with k's keys; stderr in *err. */
static int push_tcp(const struct keypair *k, const char *name, const char *text, char **err)
{
	const char *argv[] = {"assistctl", "--endpoint", ingest_tcp, "push",
			      fixture_write(&fx, name, text), "--wait", "3", NULL};
	int rc;

	use_keys(k);
	rc = fixture_run(&fx, NULL, err, argv);
	use_keys(NULL);
	return rc;
}

static const char *person_event(const char *source, int seq, const char *id)
{
	static char buf[512];

	snprintf(buf, sizeof(buf),
		 "{\"source\":\"%s\",\"seq\":%d,\"kind\":\"person\",\"person\":{\"id_number\":"
		 "\"%s\",\"name\":\"Wang Fang\",\"hukou\":\"urban\",\"area\":\"city\"}}\n",
		 source, seq, id);
	return buf;
}

/* (a) A department's key pushes its own source over TCP. */
static void test_department_pushes_over_tcp(void **state)
{
	char id[19];
	json_t *rec;

	fixture_id(id, "420704", "19750505", 11);
	assert_int_equal(push_tcp(&department, "a.jsonl", person_event("civil_affairs", 1, id),
				  NULL), 0);
	rec = fixture_get(&fx, id, 0, NULL);
	assert_non_null(rec);
	assert_string_equal(fixture_str(rec, "name"), "Wang Fang");
	json_decref(rec);
}

/* (b) A key not in clients_file gets no connection, and the log says so. */
static void test_unknown_key_refused(void **state)
{
	char id[19], *err = NULL, *log, want[128];

	fixture_id(id, "420704", "19750505", 12);
	assert_int_equal(push_tcp(&stranger, "b.jsonl", person_event("civil_affairs", 2, id),
				  &err), 2);
	assert_non_null(strstr(err, "cannot reach assistd"));
	free(err);
	log = fixture_read(&fx, "assistd.log");
	snprintf(want, sizeof(want), "zap: refused client key %s", stranger.public);
	assert_non_null(strstr(log, want));
	free(log);
	/* Without any keys the handshake does not even start. */
	assert_int_equal(push_tcp(NULL, "b2.jsonl", person_event("civil_affairs", 2, id), NULL),
			 2);
}

/* (c) A department's key may not send another department's source. */
static void test_department_other_source_refused(void **state)
{
	char id[19], *err = NULL;
	int code = 0;
	json_t *rec, *st;

	fixture_id(id, "420704", "19750505", 13);
	assert_int_equal(push_tcp(&department, "c.jsonl", person_event("health", 1, id), &err),
			 1);
	assert_non_null(strstr(err, "batch.source: this key may only send civil_affairs"));
	assert_non_null(strstr(err, "(code 13)"));
	free(err);
	rec = fixture_get(&fx, id, 0, &code);
	assert_null(rec);
	assert_int_equal(code, 3);
	st = fixture_status(&fx);
	assert_non_null(st);
	assert_null(json_object_get(json_object_get(st, "sources"), "health"));
	json_decref(st);
}

/* (c') Over CURVE as over ipc, an event outside the department's role is
 * rejected not_authorized (its position consumed). */
static void test_department_role_over_tcp(void **state)
{
	char id[19], text[512], *err = NULL;

	fixture_id(id, "420704", "19750505", 14);
	snprintf(text, sizeof(text),
		 "{\"source\":\"civil_affairs\",\"seq\":5,\"kind\":\"medical_claim\","
		 "\"medical_claim\":{\"claim_id\":\"X-1\",\"id_number\":\"%s\",\"date\":"
		 "\"2026-03-01\",\"setting\":\"outpatient\",\"disease\":\"common\","
		 "\"total_fen\":100,\"insurer\":\"none\"}}\n", id);
	assert_int_equal(push_tcp(&department, "c2.jsonl", text, &err), 1);
	if (strstr(err, "not_authorized: civil_affairs may not send medical_claim events") == NULL)
		fail_msg("push stderr: %s", err);
	free(err);
	assert_null(fixture_get(&fx, id, 0, NULL));
}

/* (d) A consumer's key reads (get, status) but does not push, nor retry. */
static void test_consumer_reads_but_does_not_push(void **state)
{
	const char *get[] = {"assistctl", "-c", consumer_conf, "get", NULL, NULL};
	const char *status[] = {"assistctl", "-c", consumer_conf, "status", "--json", NULL};
	const char *retry[] = {"assistctl", "-c", consumer_conf, "retry", "1", NULL};
	char id[19], *out = NULL, *err = NULL;
	json_t *j;

	fixture_id(id, "420704", "19750505", 11);
	get[4] = id;
	assert_int_equal(fixture_run(&fx, &out, NULL, get), 0);
	j = json_loads(out, 0, NULL);
	assert_non_null(j);
	assert_string_equal(fixture_str(j, "name"), "Wang Fang");
	json_decref(j);
	free(out);
	assert_int_equal(fixture_run(&fx, &out, NULL, status), 0);
	j = json_loads(out, 0, NULL);
	assert_non_null(json_object_get(json_object_get(j, "sources"), "civil_affairs"));
	json_decref(j);
	free(out);
	fixture_id(id, "420704", "19750505", 14);
	assert_int_equal(push_tcp(&consumer, "d.jsonl", person_event("civil_affairs", 3, id),
				  &err), 1);
	assert_non_null(strstr(err, "a consumer key may not send events"));
	free(err);
	assert_null(fixture_get(&fx, id, 0, NULL));
	/* Nor does it take dead letters in again: retry is an operator's, on ipc. */
	assert_int_equal(fixture_run(&fx, NULL, &err, retry), 1);
	assert_non_null(strstr(err, "only an operator on the ipc endpoint may retry"));
	free(err);
}

/* The export of consumer's key: full IDs asked for, granted or not. */
static char *export_as_consumer(void)
{
	const char *argv[] = {"assistctl", "-c", consumer_conf, "export", "ledger", "--scheme",
			      "rural_repair", "--year", "2026", "--full-ids", NULL};
	char *out = NULL;

	assert_int_equal(fixture_run(&fx, &out, NULL, argv), 0);
	return out;
}

/* An export carries full IDs only for a key full_id_clients names: the
 * consumer asking for them reads masked ones until it is listed. */
static void test_export_full_ids_right(void **state)
{
	char id[19], text[1024], masked[19], *out, *err = NULL;

	fixture_id(id, "420702", "19700101", 31);
	snprintf(text, sizeof(text),
		 "{\"source\":\"civil_affairs\",\"seq\":900,\"kind\":\"household\",\"household\":"
		 "{\"household_id\":\"SX-1\",\"members\":1,\"monthly_income_fen\":0,"
		 "\"area\":\"district\"}}\n"
		 "{\"source\":\"civil_affairs\",\"seq\":901,\"kind\":\"person\",\"person\":"
		 "{\"id_number\":\"%s\",\"name\":\"Xu\",\"household_id\":\"SX-1\","
		 "\"hukou\":\"rural\",\"area\":\"district\"}}\n"
		 "{\"source\":\"civil_affairs\",\"seq\":902,\"kind\":\"enrollment\","
		 "\"enrollment\":{\"id_number\":\"%s\",\"scheme\":\"rural_dibao\","
		 "\"class\":\"I\",\"start_date\":\"2026-01-01\"}}\n"
		 "{\"source\":\"housing\",\"seq\":1,\"kind\":\"housing_aid\",\"housing_aid\":"
		 "{\"claim_id\":\"SX-1-a\",\"household_id\":\"SX-1\",\"scheme\":\"rural_repair\","
		 "\"date\":\"2026-04-01\"}}\n",
		 id, id);
	if (fixture_push(&fx, "sx.jsonl", text, &err) != 0)
		fail_msg("push: %s", err);
	free(err);
	snprintf(masked, sizeof(masked), "%.6s**********%s", id, id + 16);
	out = export_as_consumer();
	assert_non_null(strstr(out, masked));
	assert_null(strstr(out, id));
	free(out);
	assert_int_equal(append("full_id_clients = dashboard"), 0);
	assert_int_equal(fixture_assistd_signal(&fx, SIGHUP), 0);
	assert_int_equal(fixture_notify_wait(&fx, "RELOADING=1", 30000), 0);
	assert_int_equal(fixture_notify_wait(&fx, "READY=1", 30000), 0);
	out = export_as_consumer();
	assert_non_null(strstr(out, id));
	free(out);
}

/* The consumer sees records on the feed over CURVE; pushes until one comes,
 * since a subscriber only gets what is published after it joined. */
static void test_consumer_watches_feed(void **state)
{
	const char *watch[] = {"assistctl", "-c", consumer_conf, "watch", "--count", "1", NULL};
	pid_t pid = fixture_spawn(&fx, watch);
	int st = -1, seq = 10;
	char id[19], *out;

	assert_true(pid > 0);
	for (int i = 0; i < 50 && st < 0; i++, seq++) {
		fixture_id(id, "420704", "19750505", 100 + i);
		assert_int_equal(push_tcp(&department, "e.jsonl",
					  person_event("civil_affairs", seq, id), NULL), 0);
		usleep(200 * 1000);
		if (waitpid(pid, &st, WNOHANG) != pid)
			st = -1;
	}
	if (st < 0) {
		kill(pid, SIGTERM);
		fixture_wait(pid);
	}
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	out = fixture_read(&fx, "assistctl.out");
	assert_non_null(strstr(out, "\"seq\":"));
	/* Masked on the feed: region code and the last two characters. */
	assert_non_null(strstr(out, "420704**********"));
	free(out);
}

/* assist-adapter sends its department's changes over CURVE. */
static void test_adapter_over_curve(void **state)
{
	char schema[700], extra[512], id[19], sql[512];
	json_t *rec = NULL;
	PGconn *db;
	PGresult *res;
	pid_t pid;

	snprintf(schema, sizeof(schema), "%s/adapters/civil_affairs/schema.sql", fx.src);
	assert_int_equal(fixture_createdb(&fx, "civil_affairs", schema), 0);
	snprintf(extra, sizeof(extra),
		 "ingest_endpoint = %s\ncurve_server_key = %s\ncurve_client_public_key = %s\n"
		 "curve_client_secret_key = %s\n",
		 ingest_tcp, server.public, department.public, department.secret);
	pid = fixture_adapter_start(&fx, "civil_affairs", extra);
	assert_true(pid > 0);
	fixture_id(id, "420704", "19660606", 61);
	db = fixture_connect(&fx, "civil_affairs");
	assert_non_null(db);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO persons (id_card_no, name, gender, hukou_type, district_code, town, "
		 "village) VALUES ('%s', 'Chen Jing', '2', '1', '420704', 'Gulou Street', "
		 "'Minxin')",
		 id);
	res = PQexec(db, sql);
	assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	PQfinish(db);
	for (int i = 0; i < 100 && rec == NULL; i++) {
		rec = fixture_get(&fx, id, 0, NULL);
		if (rec == NULL)
			usleep(200 * 1000);
	}
	kill(pid, SIGTERM);
	assert_int_equal(fixture_wait(pid), 0);
	assert_non_null(rec);
	assert_string_equal(fixture_str(rec, "name"), "Chen Jing");
	json_decref(rec);
}

/* A new client key works after SIGHUP; a broken file then keeps the old list. */
static void test_reload_clients(void **state)
{
	const char *status[] = {"assistctl", "--endpoint", query_tcp, "status", NULL};
	struct keypair late;

	char text[1024], *log;

	assert_int_equal(keypair(&late), 0);
	use_keys(&late);
	snprintf(text, sizeof(text), "%s%s consumer late\n", clients_text(), late.public);
	fixture_write(&fx, "clients", text);
	assert_int_equal(fixture_run(&fx, NULL, NULL, status), 2);
	fixture_assistd_signal(&fx, SIGHUP);
	assert_int_equal(fixture_notify_wait(&fx, "READY=1", 10000), 0);
	assert_int_equal(fixture_run(&fx, NULL, NULL, status), 0);
	fixture_write(&fx, "clients", "not a key\n");
	fixture_assistd_signal(&fx, SIGHUP);
	assert_int_equal(fixture_notify_wait(&fx, "READY=1", 10000), 0);
	log = fixture_read(&fx, "assistd.log");
	assert_non_null(strstr(log, "clients:1: the key is not a 40-character Z85"));
	free(log);
	assert_int_equal(fixture_run(&fx, NULL, NULL, status), 0);
	use_keys(NULL);
}

/* Run assistd on conf (a variant of the fixture's) and expect it to refuse
 * to start with want in its log. */
static void assert_refuses_start(const char *name, const char *extra, const char *want)
{
	char *base = fixture_read(&fx, "assistd.conf"), *text, *err = NULL;
	const char *argv[] = {"assistd", "-c", NULL, NULL};
	size_t len = strlen(base) + strlen(extra) + 2;

	text = malloc(len);
	assert_non_null(text);
	snprintf(text, len, "%s%s\n", base, extra);
	argv[2] = fixture_write(&fx, name, text);
	assert_int_not_equal(fixture_run(&fx, NULL, &err, argv), 0);
	assert_non_null(strstr(err, want));
	free(err);
	free(text);
	free(base);
}

/* (e) A tcp endpoint without curve_secret_key is refused at start. */
static void test_plain_tcp_refused(void **state)
{
	char want[128];

	snprintf(want, sizeof(want), "ingest_endpoint: %s would be plaintext", ingest_tcp);
	assert_refuses_start("plain.conf", "curve_secret_key =", want);
}

/* (f) A broken clients_file refuses start, naming file and line. */
static void test_broken_clients_file_refused(void **state)
{
	char extra[512], want[400];
	const char *bad = fixture_write(&fx, "bad-clients",
					"# fine\n"
					"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7 department x\n"
					"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7 auditor y\n");

	snprintf(extra, sizeof(extra), "clients_file = %s", bad);
	snprintf(want, sizeof(want), "%s:3: role \"auditor\" is neither department nor consumer",
		 bad);
	assert_refuses_start("broken.conf", extra, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_department_pushes_over_tcp),
		cmocka_unit_test(test_unknown_key_refused),
		cmocka_unit_test(test_department_other_source_refused),
		cmocka_unit_test(test_department_role_over_tcp),
		cmocka_unit_test(test_consumer_reads_but_does_not_push),
		cmocka_unit_test(test_consumer_watches_feed),
		/* After the pushes of civil_affairs above, before the adapter's LSNs. */
		cmocka_unit_test(test_export_full_ids_right),
		cmocka_unit_test(test_adapter_over_curve),
		cmocka_unit_test(test_reload_clients),
		cmocka_unit_test(test_plain_tcp_refused),
		cmocka_unit_test(test_broken_clients_file_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
