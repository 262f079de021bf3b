/* Sources and roles: a source that is not configured is refused whole (its
 * batch and its heartbeat; nothing appears in status), and an event outside
 * its source's role is rejected not_authorized, consuming its position and
 * kept as a dead letter and raised as an alert on the feed, while the rest
 * of the batch is applied. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "assist.pb-c.h"
#include "fixture.h"

static struct fixture fx;
static char id[19];

static int setup(void **state)
{
	if (fixture_setup(&fx, "sources", NULL) < 0 || fixture_assistd_start(&fx) < 0)
		return -1;
	fixture_id(id, "420704", "19800101", 1);
	return 0;
}

static int teardown(void **state)
{
	fixture_teardown(&fx);
	return 0;
}

static bool status_has(const char *source)
{
	json_t *st = fixture_status(&fx);
	bool has;

	assert_non_null(st);
	has = json_object_get(json_object_get(st, "sources"), source) != NULL;
	json_decref(st);
	return has;
}

/* Send one Heartbeat for source on the ingest socket; the reply. */
static Assist__Reply *heartbeat(const char *source)
{
	char ep[400], buf[4096];
	void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_DEALER);
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__Heartbeat hb = ASSIST__HEARTBEAT__INIT;
	Assist__Reply *r = NULL;
	int timeout = 10000, zero = 0, len;

	snprintf(ep, sizeof(ep), "ipc://%s/ingest.sock", fx.dir);
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof(timeout));
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	assert_int_equal(zmq_connect(s, ep), 0);
	hb.source = (char *)source;
	req.request_id = 9;
	req.body_case = ASSIST__REQUEST__BODY_HEARTBEAT;
	req.heartbeat = &hb;
	len = (int)assist__request__pack(&req, (uint8_t *)buf);
	zmq_send(s, buf, (size_t)len, 0);
	len = zmq_recv(s, buf, sizeof(buf), 0);
	if (len > 0)
		r = assist__reply__unpack(NULL, (size_t)len, (uint8_t *)buf);
	zmq_close(s);
	zmq_ctx_term(ctx);
	return r;
}

static void test_unknown_source_refused(void **state)
{
	char line[400], *err = NULL;

	snprintf(line, sizeof(line), "{\"source\":\"water\",\"seq\":1,\"kind\":\"person\","
		 "\"person\":{\"id_number\":\"%s\",\"name\":\"W\"}}\n", id);
	assert_int_not_equal(fixture_push(&fx, "water.jsonl", line, &err), 0);
	if (strstr(err, "batch.source: not a configured source") == NULL)
		fail_msg("push stderr: %s", err);
	free(err);
	assert_false(status_has("water"));
	char *n = fixture_sql(&fx, "SELECT count(*) FROM event_journal WHERE source = 'water'");

	assert_non_null(n);
	assert_string_equal(n, "0");
	free(n);
}

static void test_unknown_heartbeat_creates_nothing(void **state)
{
	Assist__Reply *r = heartbeat("phantom");

	assert_non_null(r);
	assert_int_equal(r->body_case, ASSIST__REPLY__BODY_ERROR);
	assert_int_equal(r->error->code, ASSIST__ERROR_CODE__ERROR_CODE_NOT_AUTHORIZED);
	assert_string_equal(r->error->message, "heartbeat.source: not a configured source (roles_file)");
	assist__reply__free_unpacked(r, NULL);
	assert_false(status_has("phantom"));
	/* A configured one is answered and shows. */
	r = heartbeat("education");
	assert_non_null(r);
	assert_int_equal(r->body_case, ASSIST__REPLY__BODY_ACK);
	assist__reply__free_unpacked(r, NULL);
	assert_true(status_has("education"));
}

static void test_health_may_not_rename(void **state)
{
	char text[2048], *err = NULL, *dead, *out = NULL;
	const char *watch[] = {"assistctl", "-c", fx.conf, "watch", "--from", "1",
			       "--topic", "alert/", "--count", "1", NULL};
	json_t *rec, *st, *msg;

	snprintf(text, sizeof(text),
		 "{\"source\":\"civil_affairs\",\"seq\":1,\"kind\":\"person\",\"person\":"
		 "{\"id_number\":\"%s\",\"name\":\"Zhang Wei\",\"household_id\":\"H-1\","
		 "\"hukou\":\"urban\",\"area\":\"city\"}}\n", id);
	assert_int_equal(fixture_push(&fx, "person.jsonl", text, NULL), 0);
	snprintf(text, sizeof(text),
		 "{\"source\":\"health\",\"seq\":1,\"kind\":\"person\",\"person\":"
		 "{\"id_number\":\"%s\",\"name\":\"Someone Else\"}}\n"
		 "{\"source\":\"health\",\"seq\":2,\"kind\":\"medical_claim\",\"medical_claim\":"
		 "{\"claim_id\":\"B-1\",\"id_number\":\"%s\",\"date\":\"2026-03-01\","
		 "\"setting\":\"outpatient\",\"disease\":\"common\",\"total_fen\":10000,"
		 "\"insurer\":\"none\"}}\n", id, id);
	assert_int_equal(fixture_push(&fx, "health.jsonl", text, &err), 1);
	if (strstr(err, "event.kind: not_authorized: health may not send person events") == NULL)
		fail_msg("push stderr: %s", err);
	free(err);
	rec = fixture_get(&fx, id, 0, NULL);
	assert_non_null(rec);
	assert_string_equal(fixture_str(rec, "name"), "Zhang Wei");
	assert_int_equal(fixture_int(rec, "ytd.medical_total_fen"), 10000); /* the bill counted */
	json_decref(rec);
	st = fixture_status(&fx);
	assert_int_equal(fixture_int(st, "sources.health.applied"), 1);
	assert_int_equal(fixture_int(st, "sources.health.rejected"), 1);
	assert_int_equal(fixture_int(st, "sources.health.position"), 2);
	json_decref(st);
	dead = fixture_sql(&fx, "SELECT field || ' ' || reason FROM dead_letter WHERE source = 'health'");
	assert_string_equal(dead, "event.kind not_authorized: health may not send person events");
	free(dead);
	/* And the feed carries a not_authorized alert about the source. */
	assert_int_equal(fixture_run(&fx, &out, NULL, watch), 0);
	msg = json_loads(out, 0, NULL);
	assert_non_null(msg);
	assert_string_equal(fixture_str(msg, "topic"), "alert/not_authorized/health");
	assert_string_equal(fixture_str(msg, "alert.code"), "not_authorized");
	assert_string_equal(fixture_str(msg, "alert.ref"), "health");
	assert_string_equal(fixture_str(msg, "alert.message"),
			    "1/0 event.kind: not_authorized: health may not send person events");
	json_decref(msg);
	free(out);
}

/* SIGHUP and wait for the reload to be over. */
static void sighup(void)
{
	assert_int_equal(fixture_assistd_signal(&fx, SIGHUP), 0);
	assert_int_equal(fixture_notify_wait(&fx, "RELOADING=1", 30000), 0);
	assert_int_equal(fixture_notify_wait(&fx, "READY=1", 30000), 0);
}

/* roles_file is read again on SIGHUP; a broken one keeps the running roles. */
static void test_reload_roles(void **state)
{
	char line[400], *log;
	const char *roles = fixture_write(&fx, "roles", "water = person, category:disabled\n");

	snprintf(line, sizeof(line), "roles_file = %s", roles);
	assert_int_equal(fixture_conf_append(&fx, line), 0);
	sighup();
	snprintf(line, sizeof(line), "{\"source\":\"water\",\"seq\":1,\"kind\":\"person\","
		 "\"person\":{\"id_number\":\"%s\",\"categories\":[\"disabled\"]}}\n", id);
	assert_int_equal(fixture_push(&fx, "water2.jsonl", line, NULL), 0);
	assert_true(status_has("water"));
	fixture_write(&fx, "roles", "water = person, category:nobody\n");
	sighup();
	log = fixture_read(&fx, "assistd.log");
	if (strstr(log, "roles:1: \"category:nobody\" is not") == NULL ||
	    strstr(log, "reload: keeping the running configuration and roles") == NULL)
		fail_msg("assistd.log lacks the refused roles_file:\n%s", log);
	free(log);
	snprintf(line, sizeof(line), "{\"source\":\"water\",\"seq\":2,\"kind\":\"person\","
		 "\"person\":{\"id_number\":\"%s\",\"categories\":[\"disabled\"]}}\n", id);
	assert_int_equal(fixture_push(&fx, "water3.jsonl", line, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_source_refused),
		cmocka_unit_test(test_unknown_heartbeat_creates_nothing),
		cmocka_unit_test(test_health_may_not_rename),
		cmocka_unit_test(test_reload_roles),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
