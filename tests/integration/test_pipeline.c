/* The core pipeline end to end: real PostgreSQL, real assistd, real
 * assistctl, real signals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include "assist.pb-c.h"
#include "fixture.h"

static struct fixture fx;

/* Household H of a city-area urban family of three with 30,000 fen income. */
static const char *family_events(char ids[3][19])
{
	static char buf[4096];

	fixture_id(ids[0], "420704", "19800101", 1);
	fixture_id(ids[1], "420704", "19820202", 2);
	fixture_id(ids[2], "420704", "20100303", 3);
	snprintf(buf, sizeof(buf),
		 "{\"source\":\"civil_affairs\",\"seq\":1,\"kind\":\"household\",\"household\":"
		 "{\"household_id\":\"H-1\",\"members\":3,\"monthly_income_fen\":30000,\"area\":\"city\"}}\n"
		 "{\"source\":\"civil_affairs\",\"seq\":2,\"kind\":\"person\",\"person\":{\"id_number\":\"%s\","
		 "\"name\":\"Zhang Wei\",\"household_id\":\"H-1\",\"hukou\":\"urban\",\"area\":\"city\","
		 "\"place\":{\"district\":\"Echeng\"}}}\n"
		 "{\"source\":\"civil_affairs\",\"seq\":3,\"kind\":\"person\",\"person\":{\"id_number\":\"%s\","
		 "\"name\":\"Li Na\",\"household_id\":\"H-1\",\"hukou\":\"urban\",\"area\":\"city\"}}\n"
		 "{\"source\":\"civil_affairs\",\"seq\":4,\"kind\":\"person\",\"person\":{\"id_number\":\"%s\","
		 "\"name\":\"Zhang Ming\",\"household_id\":\"H-1\",\"hukou\":\"urban\",\"area\":\"city\"}}\n"
		 "{\"source\":\"civil_affairs\",\"seq\":5,\"kind\":\"enrollment\",\"enrollment\":{\"id_number\":\"%s\","
		 "\"scheme\":\"urban_dibao\",\"start_date\":\"2026-01-01\"}}\n"
		 "{\"source\":\"civil_affairs\",\"seq\":6,\"kind\":\"enrollment\",\"enrollment\":{\"id_number\":\"%s\","
		 "\"scheme\":\"urban_dibao\",\"start_date\":\"2026-01-01\"}}\n",
		 ids[0], ids[1], ids[2], ids[0], ids[1]);
	return buf;
}

static int push(const char *path, char **err)
{
	const char *argv[] = {"assistctl", "-c", fx.conf, "push", path, NULL};

	return fixture_run(&fx, NULL, err, argv);
}

static int setup(void **state)
{
	char line[400];

	if (fixture_setup(&fx, "pipeline", NULL) < 0)
		return -1;
	/* The crash tests' own sources, with the roles of the departments they play. */
	snprintf(line, sizeof(line), "roles_file = %s",
		 fixture_write(&fx, "roles", "kill_ca = civil_affairs\nkill_h = health\n"
					     "pgr_ca = civil_affairs\npgr_h = health\n"));
	if (fixture_conf_append(&fx, line) < 0 || fixture_assistd_start(&fx) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	fixture_teardown(&fx);
	return 0;
}

static void test_urban_dibao_figures(void **state)
{
	char ids[3][19];
	const char *path = fixture_write(&fx, "family.jsonl", family_events(ids));
	json_t *rec;

	assert_int_equal(push(path, NULL), 0);
	/* POLICY (1): 3 x 18,500 - 30,000 = 25,500 a month, 8,500 per member. */
	rec = fixture_get(&fx, ids[0], 0, NULL);
	assert_non_null(rec);
	assert_string_equal(fixture_str(rec, "benefits.0.scheme"), "urban_dibao");
	assert_int_equal(fixture_int(rec, "benefits.0.monthly_fen"), 8500);
	assert_string_equal(fixture_str(rec, "benefits.0.status"), "active");
	assert_int_equal(fixture_int(rec, "household.members"), 3);
	json_decref(rec);
	/* The third member is not enrolled: no benefit row, but the household's
	 * dibao makes it eligible for Huimin. */
	rec = fixture_get(&fx, ids[2], 0, NULL);
	assert_non_null(rec);
	assert_int_equal(json_array_size(json_object_get(rec, "benefits")), 0);
	assert_string_equal(fixture_str(rec, "entitlements.0.scheme"), "huimin");
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(rec, "entitlements"), 0),
						 "eligible")));
	json_decref(rec);
}

static void test_household_change_recomputes(void **state)
{
	char ids[3][19];
	json_t *rec;
	const char *path;

	family_events(ids);
	path = fixture_write(&fx, "income.jsonl",
			     "{\"source\":\"civil_affairs\",\"seq\":7,\"kind\":\"household\",\"household\":"
			     "{\"household_id\":\"H-1\",\"monthly_income_fen\":45000}}\n");
	assert_int_equal(push(path, NULL), 0);
	/* 3 x 18,500 - 45,000 = 10,500: 3,500 per member, both enrolled members. */
	for (int i = 0; i < 2; i++) {
		rec = fixture_get(&fx, ids[i], 0, NULL);
		assert_non_null(rec);
		assert_int_equal(fixture_int(rec, "benefits.0.monthly_fen"), 3500);
		json_decref(rec);
	}
}

static void test_moving_out_recomputes_household_left(void **state)
{
	char a[19], b[19], buf[2048];
	json_t *rec;

	fixture_id(a, "420704", "19700707", 41);
	fixture_id(b, "420704", "19720808", 42);
	/* No declared member count: the household's size is its known members. */
	snprintf(buf, sizeof(buf),
		 "{\"source\":\"civil_affairs\",\"seq\":20,\"kind\":\"household\",\"household\":{\"household_id\":\"M-1\",\"monthly_income_fen\":10000,\"area\":\"city\"}}\n"
		 "{\"source\":\"civil_affairs\",\"seq\":21,\"kind\":\"person\",\"person\":{\"id_number\":\"%s\",\"household_id\":\"M-1\",\"hukou\":\"urban\"}}\n"
		 "{\"source\":\"civil_affairs\",\"seq\":22,\"kind\":\"person\",\"person\":{\"id_number\":\"%s\",\"household_id\":\"M-1\",\"hukou\":\"urban\"}}\n"
		 "{\"source\":\"civil_affairs\",\"seq\":23,\"kind\":\"enrollment\",\"enrollment\":{\"id_number\":\"%s\",\"scheme\":\"urban_dibao\",\"start_date\":\"2026-01-01\"}}\n",
		 a, b, a);
	assert_int_equal(push(fixture_write(&fx, "move1.jsonl", buf), NULL), 0);
	/* 2 x 18,500 - 10,000 = 27,000: 13,500 a member. */
	rec = fixture_get(&fx, a, 0, NULL);
	assert_int_equal(fixture_int(rec, "benefits.0.monthly_fen"), 13500);
	json_decref(rec);
	snprintf(buf, sizeof(buf),
		 "{\"source\":\"civil_affairs\",\"seq\":24,\"kind\":\"person\",\"person\":{\"id_number\":\"%s\",\"household_id\":\"M-2\"}}\n", b);
	assert_int_equal(push(fixture_write(&fx, "move2.jsonl", buf), NULL), 0);
	/* Alone now: 18,500 - 10,000 = 8,500. */
	rec = fixture_get(&fx, a, 0, NULL);
	assert_int_equal(fixture_int(rec, "benefits.0.monthly_fen"), 8500);
	assert_int_equal(fixture_int(rec, "household.members"), 1);
	json_decref(rec);
}

static void test_rural_dibao_and_conflicts(void **state)
{
	char rural[19], orphan[19], urban[19], buf[2048];
	json_t *rec;

	fixture_id(rural, "420702", "19600101", 11);
	fixture_id(orphan, "420702", "20120101", 12);
	fixture_id(urban, "420702", "19700101", 13);
	snprintf(buf, sizeof(buf),
		 "{\"source\":\"civil_affairs\",\"seq\":8,\"kind\":\"person\",\"person\":{\"id_number\":\"%s\",\"household_id\":\"R-1\",\"hukou\":\"rural\"}}\n"
		 "{\"source\":\"civil_affairs\",\"seq\":9,\"kind\":\"enrollment\",\"enrollment\":{\"id_number\":\"%s\",\"scheme\":\"rural_dibao\",\"class\":\"II\",\"amount_fen\":6500,\"start_date\":\"2026-02-01\"}}\n"
		 "{\"source\":\"civil_affairs\",\"seq\":10,\"kind\":\"person\",\"person\":{\"id_number\":\"%s\",\"household_id\":\"R-2\",\"hukou\":\"rural\",\"categories\":[\"orphan\"]}}\n"
		 "{\"source\":\"civil_affairs\",\"seq\":11,\"kind\":\"enrollment\",\"enrollment\":{\"id_number\":\"%s\",\"scheme\":\"rural_dibao\",\"class\":\"I\",\"start_date\":\"2026-02-01\"}}\n"
		 "{\"source\":\"civil_affairs\",\"seq\":12,\"kind\":\"person\",\"person\":{\"id_number\":\"%s\",\"household_id\":\"U-9\",\"hukou\":\"urban\"}}\n"
		 "{\"source\":\"civil_affairs\",\"seq\":13,\"kind\":\"enrollment\",\"enrollment\":{\"id_number\":\"%s\",\"scheme\":\"rural_dibao\",\"class\":\"I\",\"start_date\":\"2026-02-01\"}}\n",
		 rural, rural, orphan, orphan, urban, urban);
	assert_int_equal(push(fixture_write(&fx, "rural.jsonl", buf), NULL), 0);
	/* Class II asked 6,500: clipped to the 6,000 top of its range, with an alert. */
	rec = fixture_get(&fx, rural, 0, NULL);
	assert_int_equal(fixture_int(rec, "benefits.0.monthly_fen"), 6000);
	assert_string_equal(fixture_str(rec, "alerts.0.code"), "out_of_range");
	json_decref(rec);
	/* Class I orphan: 10,000. */
	rec = fixture_get(&fx, orphan, 0, NULL);
	assert_int_equal(fixture_int(rec, "benefits.0.monthly_fen"), 10000);
	json_decref(rec);
	/* Urban hukou asking rural dibao: hukou_mismatch, nothing granted. */
	rec = fixture_get(&fx, urban, 0, NULL);
	assert_int_equal(json_array_size(json_object_get(rec, "benefits")), 0);
	assert_string_equal(fixture_str(rec, "alerts.0.code"), "hukou_mismatch");
	json_decref(rec);
}

static void test_push_twice_changes_nothing(void **state)
{
	char ids[3][19];
	const char *path = fixture_write(&fx, "family.jsonl", family_events(ids));
	json_t *before = fixture_get(&fx, ids[0], 0, NULL), *after;
	json_t *st1 = fixture_status(&fx), *st2;

	assert_non_null(before);
	assert_non_null(st1);
	assert_int_equal(push(path, NULL), 0);
	after = fixture_get(&fx, ids[0], 0, NULL);
	st2 = fixture_status(&fx);
	assert_true(json_equal(before, after));
	assert_int_equal(fixture_int(st1, "sources.civil_affairs.applied"),
			 fixture_int(st2, "sources.civil_affairs.applied"));
	assert_int_equal(fixture_int(st1, "feed_seq"), fixture_int(st2, "feed_seq"));
	json_decref(before);
	json_decref(after);
	json_decref(st1);
	json_decref(st2);
}

static void test_bad_events_beside_good(void **state)
{
	char good[19], buf[2048], *err = NULL, *dead;
	json_t *st, *rec;
	long long dead_before;

	fixture_id(good, "420703", "19900615", 21);
	st = fixture_status(&fx);
	dead_before = fixture_int(st, "dead_letters");
	json_decref(st);
	snprintf(buf, sizeof(buf),
		 "{\"source\":\"labor\",\"seq\":1,\"kind\":\"status\",\"status\":{\"id_number\":\"420703199006150210\",\"category\":\"4050\",\"since\":\"2026-01-01\"}}\n"
		 "{\"source\":\"labor\",\"seq\":2,\"kind\":\"status\",\"status\":{\"id_number\":\"%s\",\"category\":\"4050\",\"since\":\"2026-01-01\"}}\n"
		 "{\"source\":\"labor\",\"seq\":3,\"kind\":\"status\",\"status\":{\"id_number\":\"%s\",\"category\":\"registered_unemployed\",\"since\":\"2026-02-30\"}}\n"
		 "{\"source\":\"labor\",\"seq\":4,\"kind\":\"medical_claim\",\"medical_claim\":{\"claim_id\":\"M1\",\"id_number\":\"%s\",\"date\":\"2026-03-01\",\"setting\":\"inpatient\",\"hospital\":\"huimin\",\"disease\":\"major\",\"total_fen\":-5,\"insurer\":\"worker\"}}\n"
		 "{\"source\":\"labor\",\"seq\":5,\"kind\":\"status\",\"status\":{\"id_number\":\"%s\",\"category\":\"zero_employment_family\",\"since\":\"2026-01-01\"}}\n",
		 good, good, good, good);
	assert_int_equal(push(fixture_write(&fx, "bad.jsonl", buf), &err), 1);
	assert_non_null(strstr(err, "line 1: status.id_number: check character does not match"));
	assert_non_null(strstr(err, "line 3: status.since: \"2026-02-30\" is not a date"));
	assert_non_null(strstr(err, "line 4: medical_claim.total_fen: must not be negative"));
	assert_null(strstr(err, "line 2"));
	free(err);
	/* The good events around them are applied. */
	rec = fixture_get(&fx, good, 0, NULL);
	assert_non_null(rec);
	assert_int_equal(json_array_size(json_object_get(rec, "categories")), 2);
	json_decref(rec);
	/* Rejected events are consumed (applied + rejected = processed) and kept. */
	st = fixture_status(&fx);
	assert_int_equal(fixture_int(st, "sources.labor.applied"), 2);
	assert_int_equal(fixture_int(st, "sources.labor.rejected"), 3);
	assert_int_equal(fixture_int(st, "sources.labor.position"), 5);
	assert_int_equal(fixture_int(st, "dead_letters"), dead_before + 3);
	json_decref(st);
	dead = fixture_sql(&fx, "SELECT string_agg(minor::text || major::text || ':' || field, ',' ORDER BY major) FROM dead_letter WHERE source = 'labor'");
	assert_non_null(dead);
	assert_string_equal(dead, "01:status.id_number,03:status.since,04:medical_claim.total_fen");
	free(dead);
}

/* A raw DEALER: send one batch, return the Ack. */
static Assist__Ack *raw_batch(const char *source, int has_prev, uint64_t prev, uint64_t first,
			      int n, const char *id)
{
	char ep[400], buf[65536];
	void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_DEALER);
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__Batch b = ASSIST__BATCH__INIT;
	Assist__Position pp = ASSIST__POSITION__INIT;
	Assist__Event ev[8], *evp[8];
	Assist__StatusChange sc[8];
	Assist__Reply *r;
	Assist__Ack *ack = NULL;
	int timeout = 10000, zero = 0, len;

	snprintf(ep, sizeof(ep), "ipc://%s/ingest.sock", fx.dir);
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof(timeout));
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_connect(s, ep);
	for (int i = 0; i < n; i++) {
		assist__event__init(&ev[i]);
		assist__status_change__init(&sc[i]);
		sc[i].id_number = (char *)id;
		sc[i].category = ASSIST__CATEGORY__CATEGORY_LOWEST_INCOME_HOUSING;
		sc[i].since = "2026-01-01";
		ev[i].source = (char *)source;
		ev[i].seq = first + (uint64_t)i;
		ev[i].kind = ASSIST__KIND__KIND_STATUS;
		ev[i].payload_case = ASSIST__EVENT__PAYLOAD_STATUS;
		ev[i].status = &sc[i];
		evp[i] = &ev[i];
	}
	b.source = (char *)source;
	if (has_prev) {
		pp.major = prev;
		b.prev = &pp;
	}
	b.events = evp;
	b.n_events = (size_t)n;
	req.request_id = 7;
	req.body_case = ASSIST__REQUEST__BODY_BATCH;
	req.batch = &b;
	len = (int)assist__request__pack(&req, (uint8_t *)buf);
	zmq_send(s, buf, (size_t)len, 0);
	/* The first answer may be an immediate one; a commit ack follows for new events. */
	for (;;) {
		len = zmq_recv(s, buf, sizeof(buf), 0);
		if (len < 0)
			break;
		r = assist__reply__unpack(NULL, (size_t)len, (uint8_t *)buf);
		if (r != NULL && r->body_case == ASSIST__REPLY__BODY_ACK) {
			Assist__Ack *a = r->ack;
			if (a->gap || a->applied->major >= first + (uint64_t)n - 1 ||
			    a->expected->major < first) {
				ack = a;
				r->ack = NULL;
				r->body_case = ASSIST__REPLY__BODY__NOT_SET;
			}
		}
		if (r != NULL)
			assist__reply__free_unpacked(r, NULL);
		if (ack != NULL)
			break;
	}
	zmq_close(s);
	zmq_ctx_term(ctx);
	return ack;
}

static void test_gap_is_answered_and_healed(void **state)
{
	char id[19];
	Assist__Ack *ack;

	fixture_id(id, "420703", "19750505", 31);
	ack = raw_batch("housing", 0, 0, 1, 2, id); /* 1, 2 */
	assert_non_null(ack);
	assert_false(ack->gap);
	assert_int_equal(ack->applied->major, 2);
	assist__ack__free_unpacked(ack, NULL);
	/* The sender claims 4 came before 5: a gap, assistd expects what follows 2. */
	ack = raw_batch("housing", 1, 4, 5, 1, id);
	assert_non_null(ack);
	assert_true(ack->gap);
	assert_int_equal(ack->expected->major, 2);
	assist__ack__free_unpacked(ack, NULL);
	/* The sender resends from 3. */
	ack = raw_batch("housing", 1, 2, 3, 3, id); /* 3, 4, 5 */
	assert_non_null(ack);
	assert_false(ack->gap);
	assert_int_equal(ack->applied->major, 5);
	assist__ack__free_unpacked(ack, NULL);
}

/* Push one event of kind from source at its next position. */
static void push_one(const char *source, const char *kind, const char *payload)
{
	json_t *st = fixture_status(&fx);
	char buf[1024], key[64], *err = NULL;
	long long seq;

	snprintf(key, sizeof(key), "sources.%s.position", source);
	seq = json_object_get(json_object_get(json_object_get(st, "sources"), source),
			      "position") != NULL ? fixture_int(st, key) + 1 : 1;
	json_decref(st);
	snprintf(buf, sizeof(buf), "{\"source\":\"%s\",\"seq\":%lld,\"kind\":\"%s\",\"%s\":{%s}}\n",
		 source, seq, kind, kind, payload);
	if (push(fixture_write(&fx, "one.jsonl", buf), &err) != 0)
		fail_msg("push %s: %s", buf, err != NULL ? err : "");
	free(err);
}

/* The urban person of the test above gets alerts of both kinds of row: two
 * more hukou_mismatch (alert rows) around a refused training claim (its
 * not_eligible rides in the ledger row); its record, their order kept. */
static json_t *alerts_of_both_rows(const char *urban)
{
	char payload[512], *stamp, *merged, want[64];
	json_t *rec;

	snprintf(payload, sizeof(payload),
		 "\"id_number\":\"%s\",\"scheme\":\"rural_dibao\",\"class\":\"I\","
		 "\"start_date\":\"2026-03-01\"", urban);
	push_one("civil_affairs", "enrollment", payload);
	snprintf(payload, sizeof(payload),
		 "\"claim_id\":\"TR-ALERT-1\",\"id_number\":\"%s\",\"program\":\"vocational\","
		 "\"locality\":\"city\",\"started_on\":\"2026-03-01\",\"completed_on\":\"2026-04-15\","
		 "\"days\":45", urban);
	push_one("labor", "training", payload);
	snprintf(payload, sizeof(payload),
		 "\"id_number\":\"%s\",\"scheme\":\"rural_dibao\",\"class\":\"I\","
		 "\"start_date\":\"2026-04-01\"", urban);
	push_one("civil_affairs", "enrollment", payload);
	rec = fixture_get(&fx, urban, 0, NULL);
	assert_non_null(rec);
	assert_int_equal(json_array_size(json_object_get(rec, "alerts")), 4);
	assert_string_equal(fixture_str(rec, "alerts.1.code"), "hukou_mismatch");
	assert_string_equal(fixture_str(rec, "alerts.2.code"), "not_eligible");
	assert_string_equal(fixture_str(rec, "alerts.2.ref"), "TR-ALERT-1");
	assert_string_equal(fixture_str(rec, "alerts.3.code"), "hukou_mismatch");
	merged = fixture_sql(&fx, "SELECT alert_code || '/' || alert_no FROM ledger WHERE "
				  "ref = 'TR-ALERT-1'");
	assert_string_equal(merged, "not_eligible/2");
	free(merged);
	/* The last alert's row carries the record that first shows it, for a load to take. */
	stamp = fixture_sqlf(&fx, "SELECT version || '/' || feed_seq FROM alert WHERE "
				  "id_number = '%s' ORDER BY id DESC LIMIT 1", urban);
	snprintf(want, sizeof(want), "%lld/%lld", fixture_int(rec, "version"),
		 fixture_int(rec, "feed_seq"));
	assert_string_equal(stamp, want);
	free(stamp);
	return rec;
}

/* Rename id; only its record follows, after feed sequence seq. */
static void renamed_alone(const char *id, long long seq)
{
	json_t *st = fixture_status(&fx);
	long long at = fixture_int(st, "sources.civil_affairs.position") + 1;
	char buf[512];

	json_decref(st);
	snprintf(buf, sizeof(buf),
		 "{\"source\":\"civil_affairs\",\"seq\":%lld,\"kind\":\"person\",\"person\":"
		 "{\"id_number\":\"%s\",\"name\":\"Zhang Ming Jr\"}}\n", at, id);
	assert_int_equal(push(fixture_write(&fx, "rename.jsonl", buf), NULL), 0);
	st = fixture_status(&fx);
	assert_int_equal(fixture_int(st, "feed_seq"), seq + 1);
	json_decref(st);
}

static void test_restart_keeps_records(void **state)
{
	char ids[3][19], urban[19];
	json_t *before, *after, *st1, *st2, *alerted, *alerted2;

	family_events(ids);
	fixture_id(urban, "420702", "19700101", 13);
	alerted = alerts_of_both_rows(urban);
	before = fixture_get(&fx, ids[0], 0, NULL);
	st1 = fixture_status(&fx);
	assert_int_equal(fixture_assistd_stop(&fx, SIGTERM), 0);
	assert_int_equal(fixture_assistd_start(&fx), 0);
	after = fixture_get(&fx, ids[0], 0, NULL);
	st2 = fixture_status(&fx);
	assert_non_null(after);
	assert_true(json_equal(before, after));
	/* Alerts, version and feed sequence come back from the alert rows. */
	alerted2 = fixture_get(&fx, urban, 0, NULL);
	assert_non_null(alerted2);
	assert_true(json_equal(alerted, alerted2));
	json_decref(alerted);
	json_decref(alerted2);
	/* The members' entitlement lists came back too: a name changes one
	 * record, not every member's as if their entitlements were new. */
	renamed_alone(ids[2], fixture_int(st2, "feed_seq"));
	assert_true(json_equal(json_object_get(st1, "sources"), json_object_get(st2, "sources")) ||
		    fixture_int(st1, "sources.civil_affairs.applied") ==
			    fixture_int(st2, "sources.civil_affairs.applied"));
	assert_int_equal(fixture_int(st1, "feed_seq"), fixture_int(st2, "feed_seq"));
	assert_int_equal(fixture_int(st1, "recipients"), fixture_int(st2, "recipients"));
	json_decref(before);
	json_decref(after);
	json_decref(st1);
	json_decref(st2);
}

/* n households of two (one enrolled in urban dibao, with one Huimin bill of
 * 500,000 fen) from sources NAME_ca and NAME_h: 4 + 1 events each. */
static const char *bulk_events(const char *name, const char *region, int n)
{
	size_t cap = (size_t)n * 1200, len = 0;
	char *buf = malloc(cap), id[2][19], file[64];
	const char *path;
	int ca = 0, h = 0;

	for (int i = 0; i < n; i++) {
		char birth[9];
		snprintf(birth, sizeof(birth), "19%02d%02d%02d", 50 + i % 40, 1 + i % 12, 1 + i % 28);
		/* Birth dates repeat every 840 households; the sequence keeps IDs apart. */
		fixture_id(id[0], region, birth, (i / 840) * 2 % 1000);
		fixture_id(id[1], region, birth, ((i / 840) * 2 + 1) % 1000);
		len += (size_t)snprintf(buf + len, cap - len,
			"{\"source\":\"%s_ca\",\"seq\":%d,\"kind\":\"household\",\"household\":{\"household_id\":\"%s-%d\",\"members\":2,\"monthly_income_fen\":10000,\"area\":\"city\"}}\n"
			"{\"source\":\"%s_ca\",\"seq\":%d,\"kind\":\"person\",\"person\":{\"id_number\":\"%s\",\"household_id\":\"%s-%d\",\"hukou\":\"urban\",\"area\":\"city\"}}\n"
			"{\"source\":\"%s_ca\",\"seq\":%d,\"kind\":\"person\",\"person\":{\"id_number\":\"%s\",\"household_id\":\"%s-%d\",\"hukou\":\"urban\",\"area\":\"city\"}}\n"
			"{\"source\":\"%s_ca\",\"seq\":%d,\"kind\":\"enrollment\",\"enrollment\":{\"id_number\":\"%s\",\"scheme\":\"urban_dibao\",\"start_date\":\"2026-01-01\"}}\n"
			"{\"source\":\"%s_h\",\"seq\":%d,\"kind\":\"medical_claim\",\"medical_claim\":{\"claim_id\":\"B%d\",\"id_number\":\"%s\",\"date\":\"2026-03-01\",\"setting\":\"inpatient\",\"hospital\":\"huimin\",\"disease\":\"major\",\"total_fen\":500000,\"insurer\":\"huimin\"}}\n",
			name, ca + 1, name, i, name, ca + 2, id[0], name, i, name, ca + 3, id[1], name, i,
			name, ca + 4, id[0], name, h + 1, i, id[0]);
		ca += 4;
		h++;
	}
	snprintf(file, sizeof(file), "%s.jsonl", name);
	path = fixture_write(&fx, file, buf);
	free(buf);
	return path;
}

static long long sql_count(const char *sql)
{
	char *v = fixture_sql(&fx, sql);
	long long n = v ? atoll(v) : -1;

	free(v);
	return n;
}

/* After a push of n households survived a fault: every event applied once.
 * (Bills may arrive before their household's dibao enrollment: the two
 * sources are pushed side by side and arrival order is the order of record.) */
static void assert_exactly_once(const char *name, const char *region, int n)
{
	char sql[512], src[64];
	json_t *st = fixture_status(&fx);

	assert_non_null(st);
	snprintf(src, sizeof(src), "sources.%s_ca.applied", name);
	assert_int_equal(fixture_int(st, src), 4 * n);
	snprintf(src, sizeof(src), "sources.%s_h.applied", name);
	assert_int_equal(fixture_int(st, src), n);
	snprintf(src, sizeof(src), "sources.%s_ca.position", name);
	assert_int_equal(fixture_int(st, src), 4 * n);
	snprintf(src, sizeof(src), "sources.%s_ca.rejected", name);
	assert_int_equal(fixture_int(st, src), 0);
	json_decref(st);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM event_journal WHERE source LIKE '%s\\_%%'", name);
	assert_int_equal(sql_count(sql), 5 * n);
	/* Every bill decided exactly once: one ledger entry or one alert per payer. */
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM (SELECT ref FROM ledger WHERE source = '%s_h' GROUP BY ref, scheme HAVING count(*) > 1) d", name);
	assert_int_equal(sql_count(sql), 0);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM (SELECT ref FROM alert WHERE source = '%s_h' GROUP BY ref, code HAVING count(*) > 1) d", name);
	assert_int_equal(sql_count(sql), 0);
	snprintf(sql, sizeof(sql),
		 "SELECT count(DISTINCT ref) FROM (SELECT ref FROM ledger WHERE source = '%s_h' UNION ALL SELECT ref FROM alert WHERE source = '%s_h') d", name, name);
	assert_int_equal(sql_count(sql), n);
	/* And counted once in the year-to-date totals of a sample of persons. */
	for (int i = 0; i < n; i += n / 10) {
		char id[19], birth[9];
		json_t *rec;
		snprintf(birth, sizeof(birth), "19%02d%02d%02d", 50 + i % 40, 1 + i % 12, 1 + i % 28);
		fixture_id(id, region, birth, (i / 840) * 2 % 1000);
		rec = fixture_get(&fx, id, 2026, NULL);
		assert_non_null(rec);
		assert_int_equal(fixture_int(rec, "ytd.medical_total_fen"), 500000);
		json_decref(rec);
	}
}

static bool still_running(pid_t pid)
{
	int st;

	return waitpid(pid, &st, WNOHANG) == 0;
}

static void test_sigkill_mid_push(void **state)
{
	const int n = 3000;
	const char *path = bulk_events("kill", "420721", n);
	const char *argv[] = {"assistctl", "-c", fx.conf, "push", "--timeout", "500", path, NULL};
	pid_t pusher = fixture_spawn(&fx, argv);
	char sql[128];

	/* Kill once some of it is committed, and again while it resumes; watched
	 * as test_postgres_restart_mid_push watches, for the same reason. */
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 1000; i++) {
			snprintf(sql, sizeof(sql), "SELECT count(*) FROM event_journal WHERE source = 'kill_ca'");
			if (sql_count(sql) >= (round + 1) * 1000)
				break;
			fixture_sleep_ms(10);
		}
		assert_true(still_running(pusher)); /* the kill lands mid-push */
		assert_int_equal(fixture_assistd_stop(&fx, SIGKILL), 128 + SIGKILL);
		fixture_sleep_ms(300);
		assert_int_equal(fixture_assistd_start(&fx), 0);
	}
	assert_int_equal(fixture_wait(pusher), 0);
	assert_exactly_once("kill", "420721", n);
}

/* The journal is watched often, and the crash comes early in the push, so
 * that it lands in it however fast assistd commits: looking every 50 ms for
 * 2,000 of its events, a fast run once saw the push over first. */
static void test_postgres_restart_mid_push(void **state)
{
	const int n = 3000;
	const char *path = bulk_events("pgr", "420722", n);
	const char *argv[] = {"assistctl", "-c", fx.conf, "push", "--timeout", "500", path, NULL};
	pid_t pusher = fixture_spawn(&fx, argv);

	for (int i = 0; i < 1000; i++) {
		if (sql_count("SELECT count(*) FROM event_journal WHERE source = 'pgr_ca'") >= 1000)
			break;
		fixture_sleep_ms(10);
	}
	assert_true(still_running(pusher));
	assert_int_equal(fixture_pg(&fx, "kill"), 0); /* immediate shutdown: a crash */
	fixture_sleep_ms(500);
	assert_int_equal(fixture_pg(&fx, "start"), 0);
	assert_int_equal(fixture_wait(pusher), 0);
	assert_non_null(fx.assistd ? &fx : NULL); /* assistd rode it out */
	assert_exactly_once("pgr", "420722", n);
}

/* Last: it alters the database behind assistd's back, as a forger would. */
static void test_audit_finds_tampering(void **state)
{
	const char *argv[] = {"assist-audit", "-c", fx.conf, NULL};
	char *out = NULL, *v;

	assert_int_equal(fixture_run(&fx, &out, NULL, argv), 0);
	assert_non_null(strstr(out, ", 0 broken"));
	assert_non_null(strstr(out, ", 0 totals that do not match"));
	free(out);
	/* Events 3 to 5 are in one page: the batch of the first events. */
	v = fixture_sql(&fx, "UPDATE journal_page SET events[4 - first_id] = "
			     "events[4 - first_id] || '\\x00'::bytea WHERE 3 BETWEEN first_id "
			     "AND last_id RETURNING 3");
	assert_string_equal(v, "3");
	free(v);
	/* An event journaled twice: its own digest breaks too. */
	v = fixture_sql(&fx, "UPDATE journal_page SET sources[6 - first_id] = sources[5 - first_id], "
			     "majors[6 - first_id] = majors[5 - first_id], minors[6 - first_id] = "
			     "minors[5 - first_id] WHERE 5 BETWEEN first_id AND last_id "
			     "AND 4 >= first_id RETURNING 5");
	assert_string_equal(v, "5");
	free(v);
	v = fixture_sql(&fx, "UPDATE ledger SET amount_fen = amount_fen + 1 WHERE id = (SELECT min(id) FROM ledger WHERE scheme = 'huimin') RETURNING scheme");
	assert_string_equal(v, "huimin");
	free(v);
	assert_int_equal(fixture_run(&fx, &out, NULL, argv), 1);
	assert_non_null(strstr(out, "journal row 3 "));
	assert_non_null(strstr(out, "journal row 5 "));
	assert_non_null(strstr(out, " journaled 2 times"));
	assert_non_null(strstr(out, ", 3 broken"));
	assert_non_null(strstr(out, "huimin_paid_fen is "));
	assert_null(strstr(out, "198001010015")); /* ID numbers masked */
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_urban_dibao_figures),
		cmocka_unit_test(test_household_change_recomputes),
		cmocka_unit_test(test_rural_dibao_and_conflicts),
		cmocka_unit_test(test_moving_out_recomputes_household_left),
		cmocka_unit_test(test_push_twice_changes_nothing),
		cmocka_unit_test(test_bad_events_beside_good),
		cmocka_unit_test(test_gap_is_answered_and_healed),
		cmocka_unit_test(test_restart_keeps_records),
		cmocka_unit_test(test_sigkill_mid_push),
		cmocka_unit_test(test_postgres_restart_mid_push),
		cmocka_unit_test(test_audit_finds_tampering),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
