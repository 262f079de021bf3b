/* Poison input at the ingest endpoint, sent from a raw DEALER: invalid
 * UTF-8, NUL bytes, events out of order, positions the store cannot keep,
 * huge events and requests, ID numbers quoted in reasons. Every rejection
 * consumes its position and is counted; assistd keeps running. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include "assist.pb-c.h"
#include "fixture.h"

#define SOURCE "civil_affairs"

static struct fixture fx;
static void *zctx;
static void *socks[32]; /* open sockets: a failed test's are closed in teardown */
static uint64_t next_seq = 1; /* the source's next position */
static uint64_t rejected_so_far;

static int setup(void **state)
{
	if (fixture_setup(&fx, "intake", "batch_max_events = 500\n") < 0 ||
	    fixture_assistd_start(&fx) < 0)
		return -1;
	zctx = zmq_ctx_new();
	return 0;
}

static void disconnect(void *s)
{
	for (size_t i = 0; i < sizeof(socks) / sizeof(socks[0]); i++) {
		if (socks[i] == s)
			socks[i] = NULL;
	}
	zmq_close(s);
}

static int teardown(void **state)
{
	for (size_t i = 0; i < sizeof(socks) / sizeof(socks[0]); i++) {
		if (socks[i] != NULL)
			disconnect(socks[i]);
	}
	zmq_ctx_term(zctx);
	fixture_teardown(&fx);
	return 0;
}

static void *connect_to(const char *name)
{
	char ep[400];
	void *s = zmq_socket(zctx, ZMQ_DEALER);
	int timeout = 30000, zero = 0;

	snprintf(ep, sizeof(ep), "ipc://%s/%s.sock", fx.dir, name);
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof(timeout));
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	assert_int_equal(zmq_connect(s, ep), 0);
	for (size_t i = 0; i < sizeof(socks) / sizeof(socks[0]); i++) {
		if (socks[i] == NULL) {
			socks[i] = s;
			break;
		}
	}
	return s;
}

/* Pack req; each "@NUL@" in the packed bytes becomes "\0" + 4 spaces (a NUL
 * that protobuf-c's own packing cannot produce). */
static void send_request(void *s, Assist__Request *req)
{
	size_t len = assist__request__get_packed_size(req);
	uint8_t *buf = malloc(len), *at;

	assert_non_null(buf);
	assist__request__pack(req, buf);
	while ((at = memmem(buf, len, "@NUL@", 5)) != NULL)
		memcpy(at, "\0    ", 5);
	assert_int_equal(zmq_send(s, buf, len, 0), (int)len);
	free(buf);
}

/* The first Error, or the first Ack whose applied position reaches upto. */
static Assist__Reply *wait_reply(void *s, uint64_t upto)
{
	zmq_msg_t m;

	for (;;) {
		Assist__Reply *r;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, s, 0) < 0) {
			zmq_msg_close(&m);
			return NULL;
		}
		r = assist__reply__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
		zmq_msg_close(&m);
		if (r != NULL && (r->body_case == ASSIST__REPLY__BODY_ERROR ||
				  (r->body_case == ASSIST__REPLY__BODY_ACK &&
				   r->ack->applied->major >= upto)))
			return r;
		if (r != NULL)
			assist__reply__free_unpacked(r, NULL);
	}
}

/* n person events of SOURCE, from seq first; names and fields filled in by
 * the caller. */
struct events {
	Assist__Event *ev;
	Assist__PersonChange *p;
	Assist__Event **ptrs;
	size_t n;
};

static void events_init(struct events *es, size_t n, uint64_t first, const char *id)
{
	es->ev = calloc(n, sizeof(*es->ev));
	es->p = calloc(n, sizeof(*es->p));
	es->ptrs = calloc(n, sizeof(*es->ptrs));
	es->n = n;
	assert_non_null(es->ptrs);
	for (size_t i = 0; i < n; i++) {
		assist__event__init(&es->ev[i]);
		assist__person_change__init(&es->p[i]);
		es->p[i].id_number = (char *)id;
		es->p[i].name = "Zhang Wei";
		es->ev[i].seq = first + i;
		es->ev[i].kind = ASSIST__KIND__KIND_PERSON;
		es->ev[i].payload_case = ASSIST__EVENT__PAYLOAD_PERSON;
		es->ev[i].person = &es->p[i];
		es->ptrs[i] = &es->ev[i];
	}
}

static void events_free(struct events *es)
{
	free(es->ev);
	free(es->p);
	free(es->ptrs);
}

/* Send es as one batch and wait for its commit (or an Error). */
static Assist__Reply *send_events(struct events *es, const char *source)
{
	void *s = connect_to("ingest");
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__Batch b = ASSIST__BATCH__INIT;
	Assist__Reply *r;

	b.source = (char *)source;
	b.events = es->ptrs;
	b.n_events = es->n;
	req.request_id = 42;
	req.body_case = ASSIST__REQUEST__BODY_BATCH;
	req.batch = &b;
	send_request(s, &req);
	r = wait_reply(s, es->n ? es->ev[es->n - 1].seq : 0);
	disconnect(s);
	return r;
}

static bool assistd_alive(void)
{
	int status;

	if (fx.assistd > 0 && waitpid(fx.assistd, &status, WNOHANG) == fx.assistd)
		fx.assistd = 0; /* it died */
	return fx.assistd > 0;
}

/* Each test starts from what status shows, with assistd running (restarted
 * if an earlier test stopped it), so that each finding is shown apart. */
static int per_test(void **state)
{
	json_t *st;

	if (!assistd_alive() && fixture_assistd_start(&fx) < 0)
		return -1;
	if ((st = fixture_status(&fx)) == NULL)
		return -1;
	if (fixture_int(st, "sources." SOURCE ".position") > 0) {
		next_seq = (uint64_t)fixture_int(st, "sources." SOURCE ".position") + 1;
		rejected_so_far = (uint64_t)fixture_int(st, "sources." SOURCE ".rejected");
	}
	json_decref(st);
	return 0;
}

/* Position, applied and rejected of SOURCE, as status shows them: every
 * event consumed, none lost. */
static void assert_counts(uint64_t position, uint64_t rejected)
{
	json_t *st = fixture_status(&fx);

	assert_non_null(st);
	assert_int_equal(fixture_int(st, "sources." SOURCE ".position"), (long long)position);
	assert_int_equal(fixture_int(st, "sources." SOURCE ".rejected"), (long long)rejected);
	assert_int_equal(fixture_int(st, "sources." SOURCE ".applied"),
			 (long long)(position - rejected));
	json_decref(st);
}

static char *dead_letter(uint64_t seq, const char *what)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT %s FROM dead_letter WHERE source = '" SOURCE
		 "' AND major = %llu", what, (unsigned long long)seq);
	return fixture_sql(&fx, sql);
}

static void assert_rejection(const Assist__Reply *r, uint64_t seq, const char *field,
			     const char *reason)
{
	assert_non_null(r);
	assert_int_equal(r->body_case, ASSIST__REPLY__BODY_ACK);
	for (size_t i = 0; i < r->ack->n_rejections; i++) {
		const Assist__Rejection *x = r->ack->rejections[i];
		if (x->position->major == seq) {
			assert_string_equal(x->field, field);
			assert_non_null(strstr(x->reason, reason));
			return;
		}
	}
	fail_msg("no rejection for %llu", (unsigned long long)seq);
}

static void assert_error(const Assist__Reply *r, const char *want)
{
	assert_non_null(r);
	assert_int_equal(r->body_case, ASSIST__REPLY__BODY_ERROR);
	if (strstr(r->error->message, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", r->error->message, want);
}

/* ---- finding 1: invalid UTF-8 ---------------------------------------------------- */

static void test_invalid_utf8_rejected_with_field(void **state)
{
	char id[19];
	struct events es;
	Assist__Place place = ASSIST__PLACE__INIT;
	Assist__Reply *r;
	uint64_t s0 = next_seq;
	char *v;

	fixture_id(id, "420704", "19800101", 101);
	events_init(&es, 5, s0, id);
	es.p[0].name = "Li\xff\xc3(";                            /* rejected */
	place.district = "Echeng\xe5";
	es.p[1].place = &place;                                  /* rejected */
	es.ev[2].invalid_reason = "person.name: unknown code";   /* rejected, raw kept */
	es.ev[2].raw = "row 7 \xe5\xbc\xa0\xff\xfe tail";
	es.ev[3].invalid_reason = "person.hukou: \xc0\xaf";       /* rejected */
	es.p[4].name = "\xe5\xbc\xa0\xe4\xbc\x9f";               /* valid: applied */
	r = send_events(&es, SOURCE);
	assert_rejection(r, s0, "person.name", "not valid UTF-8");
	assert_rejection(r, s0 + 1, "person.place.district", "not valid UTF-8");
	assert_rejection(r, s0 + 2, "event.raw", "not valid UTF-8");
	assert_rejection(r, s0 + 3, "event.invalid_reason", "not valid UTF-8");
	assert_int_equal(r->ack->n_rejections, 4);
	assist__reply__free_unpacked(r, NULL);
	events_free(&es);
	next_seq += 5;
	rejected_so_far += 4;
	assert_true(assistd_alive());
	assert_counts(next_seq - 1, rejected_so_far);
	/* The dead letters keep the bad bytes escaped as \xNN. */
	v = dead_letter(s0 + 2, "raw");
	assert_non_null(v);
	assert_string_equal(v, "row 7 \xe5\xbc\xa0\\xff\\xfe tail");
	free(v);
	v = dead_letter(s0, "event->'person'->>'name'");
	assert_non_null(v);
	assert_string_equal(v, "Li\\xff\\xc3(");
	free(v);
	/* The valid name is stored as sent. */
	json_t *rec = fixture_get(&fx, id, 0, NULL);
	assert_non_null(rec);
	assert_string_equal(fixture_str(rec, "name"), "\xe5\xbc\xa0\xe4\xbc\x9f");
	json_decref(rec);
}

/* ---- finding 3: out of order ------------------------------------------------------ */

static void test_out_of_order_refused(void **state)
{
	char id[19], want[160];
	struct events es;
	Assist__Reply *r;

	fixture_id(id, "420704", "19800101", 102);
	events_init(&es, 2, next_seq, id);
	es.ev[0].seq = next_seq + 1;
	es.ev[1].seq = next_seq;
	r = send_events(&es, SOURCE);
	snprintf(want, sizeof(want), "batch.events[1].seq: %llu is not after %llu",
		 (unsigned long long)next_seq, (unsigned long long)next_seq + 1);
	assert_error(r, want);
	assist__reply__free_unpacked(r, NULL);
	assert_counts(next_seq - 1, rejected_so_far); /* nothing of it was taken */
	/* In order, both go in. */
	es.ev[0].seq = next_seq;
	es.ev[1].seq = next_seq + 1;
	r = send_events(&es, SOURCE);
	assert_non_null(r);
	assert_int_equal(r->body_case, ASSIST__REPLY__BODY_ACK);
	assert_int_equal(r->ack->applied->major, next_seq + 1);
	assist__reply__free_unpacked(r, NULL);
	events_free(&es);
	next_seq += 2;
	assert_counts(next_seq - 1, rejected_so_far);
}

/* ---- finding 4: positions the store cannot keep ----------------------------------- */

static void test_huge_positions_refused(void **state)
{
	char id[19];
	struct events es;
	Assist__Position pos = ASSIST__POSITION__INIT;
	Assist__Reply *r;

	fixture_id(id, "420704", "19800101", 103);
	events_init(&es, 1, UINT64_MAX, id);
	r = send_events(&es, SOURCE);
	assert_error(r, "batch.events[0].seq: must not be above 9223372036854775807");
	assist__reply__free_unpacked(r, NULL);
	pos.major = (uint64_t)1 << 63;
	es.ev[0].position = &pos;
	r = send_events(&es, SOURCE);
	assert_error(r, "batch.events[0].position.major: must not be above");
	assist__reply__free_unpacked(r, NULL);
	pos.major = next_seq;
	pos.minor = UINT64_MAX;
	r = send_events(&es, SOURCE);
	assert_error(r, "batch.events[0].position.minor: must not be above");
	assist__reply__free_unpacked(r, NULL);
	/* The source is not black-holed: the next event is applied. */
	es.ev[0].position = NULL;
	es.ev[0].seq = next_seq;
	r = send_events(&es, SOURCE);
	assert_non_null(r);
	assert_int_equal(r->body_case, ASSIST__REPLY__BODY_ACK);
	assert_int_equal(r->ack->applied->major, next_seq);
	assert_int_equal(r->ack->n_rejections, 0);
	assist__reply__free_unpacked(r, NULL);
	events_free(&es);
	next_seq++;
	assert_counts(next_seq - 1, rejected_so_far);
}

/* ---- finding 6: ID numbers quoted in reasons -------------------------------------- */

static void test_reasons_masked(void **state)
{
	char id[19], quoted[19], masked[32];
	struct events es;
	Assist__Reply *r;
	char *log, *v;

	fixture_id(id, "420704", "19800101", 104);
	fixture_id(quoted, "420704", "19900101", 777); /* a full ID where a date belongs */
	snprintf(masked, sizeof(masked), "\"420704**********%s\"", quoted + 16);
	events_init(&es, 1, next_seq, id);
	es.p[0].deceased_on = quoted;
	r = send_events(&es, SOURCE);
	assert_rejection(r, next_seq, "person.deceased_on", masked);
	assert_null(strstr(r->ack->rejections[0]->reason, quoted));
	assist__reply__free_unpacked(r, NULL);
	events_free(&es);
	v = dead_letter(next_seq, "reason");
	assert_non_null(v);
	assert_non_null(strstr(v, masked));
	assert_null(strstr(v, quoted));
	free(v);
	/* The raw event is kept as it came (docs/security.md). */
	v = dead_letter(next_seq, "event->'person'->>'deceased_on'");
	assert_non_null(v);
	assert_string_equal(v, quoted);
	free(v);
	next_seq++;
	rejected_so_far++;
	log = fixture_read(&fx, "assistd.log");
	assert_non_null(strstr(log, masked));
	assert_null(strstr(log, quoted));
	assert_null(strstr(log, id));
	free(log);
	assert_counts(next_seq - 1, rejected_so_far);
}

/* ---- finding 11: NUL bytes, replay past 2^63, rate-limited lines ------------------ */

static void test_nul_inside_strings(void **state)
{
	char id[19];
	struct events es;
	Assist__Reply *r;

	fixture_id(id, "420704", "19800101", 105);
	events_init(&es, 2, next_seq, id);
	/* In the batch's source: the request is refused. */
	r = send_events(&es, SOURCE "@NUL@");
	assert_error(r, "batch.source: contains a NUL byte");
	assist__reply__free_unpacked(r, NULL);
	assert_counts(next_seq - 1, rejected_so_far);
	/* In an event's field: that event is rejected, the other applied. */
	es.p[0].name = "Li@NUL@Na";
	r = send_events(&es, SOURCE);
	assert_rejection(r, next_seq, "person.name", "contains a NUL byte");
	assert_int_equal(r->ack->n_rejections, 1);
	assist__reply__free_unpacked(r, NULL);
	events_free(&es);
	next_seq += 2;
	rejected_so_far++;
	assert_counts(next_seq - 1, rejected_so_far);
}

static void test_heartbeat_source_checked(void **state)
{
	void *s = connect_to("ingest");
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__Heartbeat hb = ASSIST__HEARTBEAT__INIT;
	Assist__Reply *r;

	req.body_case = ASSIST__REQUEST__BODY_HEARTBEAT;
	req.heartbeat = &hb;
	hb.source = SOURCE "@NUL@";
	send_request(s, &req);
	r = wait_reply(s, 0);
	assert_error(r, "heartbeat.source: contains a NUL byte");
	assist__reply__free_unpacked(r, NULL);
	hb.source = "civil\xff";
	send_request(s, &req);
	r = wait_reply(s, 0);
	assert_error(r, "heartbeat.source: not a configured source");
	assist__reply__free_unpacked(r, NULL);
	disconnect(s);
}

static void test_replay_past_2_63(void **state)
{
	void *s = connect_to("query");
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__ReplayRequest rr = ASSIST__REPLAY_REQUEST__INIT;
	Assist__Reply *r;
	char *log;

	req.request_id = 5;
	req.body_case = ASSIST__REQUEST__BODY_REPLAY;
	req.replay = &rr;
	rr.from_seq = ((uint64_t)1 << 63) + 5;
	send_request(s, &req);
	r = wait_reply(s, 0);
	assert_error(r, "replay.from_seq: must not be above 9223372036854775807");
	assist__reply__free_unpacked(r, NULL);
	disconnect(s);
	log = fixture_read(&fx, "assistd.log");
	assert_null(strstr(log, "out of range"));
	assert_null(strstr(log, "replay:"));
	free(log);
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void test_rejection_lines_rate_limited(void **state)
{
	char id[19];
	struct events es;
	Assist__Reply *r;
	char *log;
	int lines;

	fixture_id(id, "420704", "19800101", 106);
	events_init(&es, 300, next_seq, id);
	for (size_t i = 0; i < es.n; i++)
		es.ev[i].invalid_reason = "person.name: flood of bad rows";
	r = send_events(&es, SOURCE);
	assert_non_null(r);
	assert_int_equal(r->ack->n_rejections, 300);
	assist__reply__free_unpacked(r, NULL);
	events_free(&es);
	next_seq += 300;
	rejected_so_far += 300;
	/* A second later the next line reports what was held back. */
	sleep(2);
	events_init(&es, 1, next_seq, id);
	es.ev[0].invalid_reason = "person.name: flood of bad rows";
	r = send_events(&es, SOURCE);
	assert_non_null(r);
	assist__reply__free_unpacked(r, NULL);
	events_free(&es);
	next_seq++;
	rejected_so_far++;
	log = fixture_read(&fx, "assistd.log");
	lines = count(log, "flood of bad rows");
	if (lines > 2 * 20 + 1)
		fail_msg("%d lines for 301 rejections", lines);
	assert_non_null(strstr(log, "rejected " SOURCE "@"));
	assert_non_null(strstr(log, SOURCE ": "));
	assert_non_null(strstr(log, " similar lines suppressed"));
	free(log);
	/* Every one is still counted and kept. */
	assert_counts(next_seq - 1, rejected_so_far);
}

/* ---- finding 2: large requests and huge events ------------------------------------ */

static void test_large_request_in_slices(void **state)
{
	char id[19];
	struct events es;
	Assist__Reply *r;
	char *batches;

	fixture_id(id, "420704", "19800101", 107);
	events_init(&es, 20000, next_seq, id);
	r = send_events(&es, SOURCE);
	assert_non_null(r);
	assert_int_equal(r->body_case, ASSIST__REPLY__BODY_ACK);
	assert_int_equal(r->ack->applied->major, next_seq + 19999);
	assist__reply__free_unpacked(r, NULL);
	events_free(&es);
	next_seq += 20000;
	assert_counts(next_seq - 1, rejected_so_far);
	/* One transaction per 500 events: the journal's batches show it. */
	batches = fixture_sql(&fx, "SELECT count(DISTINCT xmin::text) FROM journal_page");
	assert_non_null(batches);
	assert_true(atoi(batches) >= 40);
	free(batches);
}

static void test_huge_rejected_event_truncated(void **state)
{
	const size_t size = 11534336;
	char id[19], marker[64];
	struct events es;
	Assist__Reply *r;
	char *raw = malloc(size + 1), *v;

	assert_non_null(raw);
	memset(raw, 'x', size);
	raw[size] = '\0';
	memcpy(raw + 100, "\xe5\xbc\xa0\xff", 4);
	fixture_id(id, "420704", "19800101", 108);
	events_init(&es, 2, next_seq, id);
	es.ev[0].invalid_reason = "person.name: the row is too large";
	es.ev[0].raw = raw;
	r = send_events(&es, SOURCE);
	assert_non_null(r);
	assert_int_equal(r->body_case, ASSIST__REPLY__BODY_ACK);
	assert_int_equal(r->ack->applied->major, next_seq + 1);
	assist__reply__free_unpacked(r, NULL);
	events_free(&es);
	free(raw);
	assert_true(assistd_alive());
	/* Kept truncated, with the original size, within dead_letter_max_bytes. */
	snprintf(marker, sizeof(marker), "[truncated: %zu bytes]", size);
	v = dead_letter(next_seq, "right(raw, 40)");
	assert_non_null(v);
	assert_non_null(strstr(v, marker));
	free(v);
	v = dead_letter(next_seq, "octet_length(raw) <= 65536 AND octet_length(event::text) <= "
			"2 * 65536");
	assert_non_null(v);
	assert_string_equal(v, "t");
	free(v);
	v = dead_letter(next_seq, "(event->>'truncated_bytes')::bigint > 11534336");
	assert_non_null(v);
	assert_string_equal(v, "t");
	free(v);
	next_seq += 2;
	rejected_so_far++;
	assert_counts(next_seq - 1, rejected_so_far);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_invalid_utf8_rejected_with_field, per_test),
		cmocka_unit_test_setup(test_out_of_order_refused, per_test),
		cmocka_unit_test_setup(test_huge_positions_refused, per_test),
		cmocka_unit_test_setup(test_reasons_masked, per_test),
		cmocka_unit_test_setup(test_nul_inside_strings, per_test),
		cmocka_unit_test_setup(test_heartbeat_source_checked, per_test),
		cmocka_unit_test_setup(test_replay_past_2_63, per_test),
		cmocka_unit_test_setup(test_rejection_lines_rate_limited, per_test),
		cmocka_unit_test_setup(test_large_request_in_slices, per_test),
		cmocka_unit_test_setup(test_huge_rejected_event_truncated, per_test),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
