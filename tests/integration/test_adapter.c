/* assist-adapter against a real PostgreSQL (scripts/pg) holding the civil
 * affairs sample schema, with a fake assistd: a ROUTER that takes batches in
 * position order, drops duplicates, answers gaps and acknowledges, like the
 * real ingest. One department slot per cluster, so the phases run in order
 * on one database:
 *   snapshot   rows present before the first start arrive as snapshot events
 *              below every streamed position, then streamed changes carry
 *              (commit LSN, index) checked against a second slot's Begin
 *              messages;
 *   kill       SIGKILL mid-stream and restart: every change once after
 *              dedup by position;
 *   window     the fake stops acknowledging: the adapter holds at most its
 *              window, then resumes when acks come back;
 *   stop       SIGTERM exits 0;
 *   fast stop  `pg_ctl -m fast stop` of the database with the adapter idle
 *              completes, and the adapter streams again once it is back;
 *   idle slot  with nothing of its own to send, the slot follows WAL written
 *              by another database, and the heartbeat message moves it when
 *              nothing else writes;
 *   setup      a table set back to REPLICA IDENTITY DEFAULT is set FULL at
 *              start; a table dropped and made anew is put back into the
 *              publication and its rows flow; a TRUNCATE raises an alert.
 * Throughout, the slot's confirmed_flush_lsn never passes an event seen but
 * not acknowledged; with nothing held it follows the server's position. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include <cmocka.h>

#include "assist.pb-c.h"
#include "idnum.h"
#include "link.h"
#include "pgoutput.h"

#define WINDOW 50
#define SLOT "assist_civil_affairs"
#define DEADLINE_MS 120000

struct rec {
	struct pos pos;
	char id[24];
	bool invalid;
};

struct fake {
	void *ctx;
	void *router;
	bool have;
	struct pos stored;  /* acknowledged */
	bool acking;
	struct rec *recs;        /* accepted events, in order */
	size_t n;
	size_t cap;
	size_t dups;
	size_t gaps;
	struct pos ahead_max; /* while not acking: highest position seen */
	size_t ahead;            /* distinct positions seen past the stored one */
	size_t truncated;        /* "truncated" alerts heard naming category_registrations */
	char problem[256];       /* the problem of the last heartbeat */
	struct pos ahead_min; /* while not acking: lowest position seen past stored */
};

static struct {
	char dir[64];
	char src[512];
	char build[512];
	char conninfo[256];
	char conf[128];
	PGconn *db;
	struct fake fake;
	pid_t adapter;
	uint64_t consistent_point;
	uint64_t last_sample_ms;
	size_t samples;
} t;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

static void sql(PGconn *db, const char *fmt, ...)
{
	char q[2048];
	va_list ap;
	PGresult *res;

	va_start(ap, fmt);
	vsnprintf(q, sizeof(q), fmt, ap);
	va_end(ap);
	res = PQexec(db, q);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", q, PQresultErrorMessage(res));
	PQclear(res);
}

/* A valid resident ID number for k (distinct for distinct k). */
static void id_of(int k, char out[19])
{
	snprintf(out, 19, "1101011990%02d%02d%03d", 1 + k / 28000, 1 + (k / 1000) % 28, k % 1000);
	out[17] = idnum_check_char(out);
	out[18] = '\0';
}

static void insert_person(PGconn *db, int k)
{
	char id[19];

	id_of(k, id);
	sql(db,
	    "INSERT INTO persons (id_card_no, name, gender, hukou_type, district_code, town, "
	    "village) VALUES ('%s', 'P%d', '1', '1', '420701', 'Town', 'Village')",
	    id, k);
}

/* ---- the fake assistd ---------------------------------------------------- */

static void fake_reply(struct fake *f, zmq_msg_t *ident, uint64_t request_id, bool gap)
{
	Assist__Reply reply = ASSIST__REPLY__INIT;
	Assist__Ack ack = ASSIST__ACK__INIT;
	Assist__Position applied = ASSIST__POSITION__INIT;
	uint8_t buf[256];
	size_t len;

	applied.major = f->stored.major;
	applied.minor = f->stored.minor;
	ack.source = "civil_affairs";
	if (f->have) {
		ack.applied = &applied;
		ack.expected = &applied;
	}
	ack.gap = gap;
	reply.request_id = request_id;
	reply.body_case = ASSIST__REPLY__BODY_ACK;
	reply.ack = &ack;
	len = assist__reply__pack(&reply, buf);
	assert_true(zmq_send(f->router, zmq_msg_data(ident), zmq_msg_size(ident),
			     ZMQ_SNDMORE) >= 0);
	assert_true(zmq_send(f->router, buf, len, 0) >= 0);
}

static void fake_record(struct fake *f, const Assist__Event *ev, struct pos pos)
{
	struct rec *r;

	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 256;
		f->recs = realloc(f->recs, f->cap * sizeof(*f->recs));
		assert_non_null(f->recs);
	}
	r = &f->recs[f->n++];
	*r = (struct rec){.pos = pos};
	assert_string_equal(ev->source, "civil_affairs");
	if (ev->invalid_reason[0] != '\0') {
		json_t *raw = json_loads(ev->raw, 0, NULL);
		assert_non_null(raw);
		r->invalid = true;
		snprintf(r->id, sizeof(r->id), "%s",
			 json_string_value(json_object_get(raw, "id_card_no")));
		json_decref(raw);
	} else {
		assert_int_equal(ev->payload_case, ASSIST__EVENT__PAYLOAD_PERSON);
		snprintf(r->id, sizeof(r->id), "%s", ev->person->id_number);
	}
}

static void fake_batch(struct fake *f, zmq_msg_t *ident, uint64_t request_id,
		       const Assist__Batch *b)
{
	assert_string_equal(b->source, "civil_affairs");
	if (!f->acking) {
		for (size_t i = 0; i < b->n_events; i++) {
			struct pos pos = {b->events[i]->position->major,
					       b->events[i]->position->minor};
			if (pos_cmp(pos, f->ahead_max) > 0) {
				if (f->ahead == 0)
					f->ahead_min = pos;
				f->ahead_max = pos;
				f->ahead++;
			}
		}
		return;
	}
	if (b->prev != NULL && f->have &&
	    pos_cmp((struct pos){b->prev->major, b->prev->minor}, f->stored) > 0) {
		f->gaps++;
		fake_reply(f, ident, request_id, true);
		return;
	}
	for (size_t i = 0; i < b->n_events; i++) {
		const Assist__Event *ev = b->events[i];
		struct pos pos;
		assert_non_null(ev->position);
		pos = (struct pos){ev->position->major, ev->position->minor};
		if (f->have && pos_cmp(pos, f->stored) <= 0) {
			f->dups++;
			continue;
		}
		fake_record(f, ev, pos);
		f->stored = pos;
		f->have = true;
	}
	fake_reply(f, ident, request_id, false);
}

static void fake_handle(struct fake *f)
{
	zmq_msg_t ident, body;
	Assist__Request *req;

	zmq_msg_init(&ident);
	zmq_msg_init(&body);
	assert_true(zmq_msg_recv(&ident, f->router, 0) >= 0);
	assert_true(zmq_msg_more(&ident));
	assert_true(zmq_msg_recv(&body, f->router, 0) >= 0);
	assert_false(zmq_msg_more(&body));
	req = assist__request__unpack(NULL, zmq_msg_size(&body), zmq_msg_data(&body));
	assert_non_null(req);
	if (req->body_case == ASSIST__REQUEST__BODY_HEARTBEAT) {
		assert_string_equal(req->heartbeat->source, "civil_affairs");
		snprintf(f->problem, sizeof(f->problem), "%s", req->heartbeat->problem);
		for (size_t i = 0; i < req->heartbeat->n_alerts; i++) {
			const Assist__SourceAlert *al = req->heartbeat->alerts[i];
			f->truncated += strcmp(al->code, "truncated") == 0 &&
					strstr(al->message, "category_registrations") != NULL;
		}
		fake_reply(f, &ident, req->request_id, false);
	} else {
		assert_int_equal(req->body_case, ASSIST__REQUEST__BODY_BATCH);
		fake_batch(f, &ident, req->request_id, req->batch);
	}
	assist__request__free_unpacked(req, NULL);
	zmq_msg_close(&ident);
	zmq_msg_close(&body);
}

static uint64_t lsn_of(const char *s)
{
	unsigned hi, lo;

	assert_int_equal(sscanf(s, "%X/%X", &hi, &lo), 2);
	return (uint64_t)hi << 32 | lo;
}

/* The slot never confirms past the commit of an event the fake saw and did
 * not acknowledge (the server resends a transaction committing at or above
 * the confirmed position). Returns the confirmed position (0 without a slot). */
static uint64_t check_slot(void)
{
	PGresult *res = PQexec(t.db, "SELECT confirmed_flush_lsn FROM pg_replication_slots "
				     "WHERE slot_name = '" SLOT "'");
	uint64_t confirmed = 0;

	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)) {
		confirmed = lsn_of(PQgetvalue(res, 0, 0));
		if (!t.fake.acking && t.fake.ahead > 0 && confirmed > t.fake.ahead_min.major)
			fail_msg("slot confirmed %" PRIx64 " past the unacknowledged %" PRIx64,
				 confirmed, t.fake.ahead_min.major);
		t.samples++;
	}
	PQclear(res);
	return confirmed;
}

/* Serve the fake for up to ms (checking the slot now and then). */
static void pump(uint64_t ms)
{
	uint64_t end = now_ms() + ms;

	for (;;) {
		zmq_pollitem_t item = {.socket = t.fake.router, .events = ZMQ_POLLIN};
		uint64_t now = now_ms();
		if (now >= end)
			return;
		if (now - t.last_sample_ms >= 100) {
			check_slot();
			t.last_sample_ms = now;
		}
		if (zmq_poll(&item, 1, (long)(end - now < 50 ? end - now : 50)) > 0)
			fake_handle(&t.fake);
	}
}

static ssize_t find_id(size_t from, const char *id)
{
	for (size_t i = from; i < t.fake.n; i++) {
		if (strcmp(t.fake.recs[i].id, id) == 0)
			return (ssize_t)i;
	}
	return -1;
}

/* Serve until person k's event was accepted. */
static void pump_until_person(int k)
{
	uint64_t start = now_ms();
	char id[19];

	id_of(k, id);
	while (find_id(0, id) < 0) {
		if (now_ms() - start > DEADLINE_MS)
			fail_msg("person %d never arrived (%zu events so far)", k, t.fake.n);
		pump(50);
	}
}

static size_t count_id(size_t from, const char *id)
{
	size_t n = 0;

	for (size_t i = from; i < t.fake.n; i++)
		n += strcmp(t.fake.recs[i].id, id) == 0;
	return n;
}

/* ---- the adapter process ------------------------------------------------- */

static void adapter_spawn(void)
{
	char bin[600], log[128];
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		snprintf(bin, sizeof(bin), "%s/assist-adapter", t.build);
		snprintf(log, sizeof(log), "%s/adapter.log", t.dir);
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 2);
			close(fd);
		}
		execl(bin, bin, "--department", "civil_affairs", "-c", t.conf, (char *)NULL);
		_exit(127);
	}
	t.adapter = pid;
}

static int adapter_signal(int sig)
{
	int status;

	assert_int_equal(kill(t.adapter, sig), 0);
	/* Serve while it stops: a clean stop does not wait for us, but be fair. */
	for (int i = 0; i < DEADLINE_MS / 50; i++) {
		pid_t p = waitpid(t.adapter, &status, WNOHANG);
		if (p == t.adapter) {
			t.adapter = 0;
			return status;
		}
		pump(50);
	}
	fail_msg("adapter did not exit on signal %d", sig);
	return -1;
}

/* ---- commit LSNs from a second slot --------------------------------------- */

struct txn {
	uint64_t lsn;
	int rows;
};

/* The transactions the check slot saw (those with row changes), in order. */
static size_t check_slot_txns(struct txn *out, size_t max)
{
	static const char q[] = "SELECT data FROM pg_logical_slot_peek_binary_changes('check', "
				"NULL, NULL, 'proto_version', '1', "
				"'publication_names', 'check_pub')";
	PGresult *res = PQexecParams(t.db, q, 0, NULL, NULL, NULL, NULL, 1);
	struct pgo_cache cache;
	size_t n = 0;

	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	pgo_cache_init(&cache);
	for (int i = 0; i < PQntuples(res); i++) {
		struct pgo_msg m;
		assert_int_equal(pgo_decode(&cache, (const uint8_t *)PQgetvalue(res, i, 0),
					    (size_t)PQgetlength(res, i, 0), &m),
				 0);
		if (m.type == PGO_BEGIN) {
			assert_true(n < max);
			out[n] = (struct txn){.lsn = m.lsn};
		} else if (m.type == PGO_INSERT || m.type == PGO_UPDATE || m.type == PGO_DELETE) {
			out[n].rows++;
		} else if (m.type == PGO_COMMIT && out[n].rows > 0) {
			n++;
		}
		pgo_msg_clear(&m);
	}
	pgo_cache_free(&cache);
	PQclear(res);
	return n;
}

/* ---- setup ---------------------------------------------------------------- */

static char *read_file(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long len;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = calloc(1, (size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	return buf;
}

static int setup(void **state)
{
	const char *src = getenv("ASSIST_SOURCE_DIR"), *build = getenv("ASSIST_BUILD_DIR");
	char path[700], *schema;
	FILE *fp;
	PGresult *res;

	assert_non_null(src);
	assert_non_null(build);
	snprintf(t.src, sizeof(t.src), "%s", src);
	snprintf(t.build, sizeof(t.build), "%s", build);
	strcpy(t.dir, "/tmp/assist-adapter-XXXXXX");
	assert_non_null(mkdtemp(t.dir));
	sh("ASSIST_PG_FSYNC=off %s/scripts/pg start %s", t.src, t.dir);
	sh("%s/scripts/pg createdb %s civil_affairs", t.src, t.dir);
	snprintf(t.conninfo, sizeof(t.conninfo), "host=%s/pgrun port=5432 user=assist "
		 "dbname=civil_affairs", t.dir);
	t.db = PQconnectdb(t.conninfo);
	assert_int_equal(PQstatus(t.db), CONNECTION_OK);
	res = PQexec(t.db, "SET client_min_messages = warning");
	PQclear(res);
	snprintf(path, sizeof(path), "%s/adapters/civil_affairs/schema.sql", t.src);
	schema = read_file(path);
	res = PQexec(t.db, schema);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		fail_msg("schema: %s", PQresultErrorMessage(res));
	PQclear(res);
	free(schema);

	snprintf(t.conf, sizeof(t.conf), "%s/adapter.conf", t.dir);
	fp = fopen(t.conf, "w");
	assert_non_null(fp);
	fprintf(fp, "database = %s\ningest_endpoint = ipc://%s/ingest\nwindow = %d\n"
		    "heartbeat_ms = 200\nresend_ms = 500\nlog_level = debug\n"
		    "db_heartbeat_ms = 300\n",
		t.conninfo, t.dir, WINDOW);
	fclose(fp);

	t.fake.ctx = zmq_ctx_new();
	t.fake.router = zmq_socket(t.fake.ctx, ZMQ_ROUTER);
	snprintf(path, sizeof(path), "ipc://%s/ingest", t.dir);
	assert_int_equal(zmq_bind(t.fake.router, path), 0);
	t.fake.acking = true;
	return 0;
}

static int teardown(void **state)
{
	if (t.adapter > 0) {
		kill(t.adapter, SIGKILL);
		waitpid(t.adapter, NULL, 0);
	}
	if (t.db != NULL)
		PQfinish(t.db);
	if (t.fake.router != NULL)
		zmq_close(t.fake.router);
	if (t.fake.ctx != NULL)
		zmq_ctx_term(t.fake.ctx);
	free(t.fake.recs);
	sh("%s/scripts/pg stop %s", t.src, t.dir);
	if (getenv("ASSIST_KEEP") == NULL)
		sh("rm -rf %s", t.dir);
	else
		fprintf(stderr, "kept %s\n", t.dir);
	return 0;
}

/* ---- phases --------------------------------------------------------------- */

static void test_snapshot_then_stream(void **state)
{
	struct txn txns[16];
	size_t ntxn, first_streamed;
	char id[19];

	/* More rows than the window: the snapshot pauses and resumes too. */
	for (int k = 0; k < 120; k++)
		insert_person(t.db, k);
	sql(t.db, "CREATE PUBLICATION check_pub FOR ALL TABLES");
	sql(t.db, "SELECT pg_create_logical_replication_slot('check', 'pgoutput')");

	adapter_spawn();
	pump_until_person(119);
	/* The snapshot: one major (consistent point - 1), minors 1..120. */
	assert_int_equal(t.fake.n, 120);
	for (size_t i = 0; i < 120; i++) {
		assert_int_equal(t.fake.recs[i].pos.major, t.fake.recs[0].pos.major);
		assert_int_equal(t.fake.recs[i].pos.minor, i + 1);
		assert_false(t.fake.recs[i].invalid);
	}
	t.consistent_point = t.fake.recs[0].pos.major + 1;

	/* Streamed: a transaction of two inserts, an update, a delete (which
	 * civil affairs cannot map: an invalid event with the row), and a last
	 * insert to know when everything arrived. */
	first_streamed = t.fake.n;
	sql(t.db, "BEGIN");
	insert_person(t.db, 500);
	insert_person(t.db, 501);
	sql(t.db, "COMMIT");
	id_of(500, id);
	sql(t.db, "UPDATE persons SET name = 'Renamed' WHERE id_card_no = '%s'", id);
	id_of(501, id);
	sql(t.db, "DELETE FROM persons WHERE id_card_no = '%s'", id);
	insert_person(t.db, 502);
	pump_until_person(502);

	ntxn = check_slot_txns(txns, 16);
	assert_int_equal(ntxn, 4);
	assert_int_equal(t.fake.n - first_streamed, 5);
	size_t i = first_streamed;
	for (size_t x = 0; x < ntxn; x++) {
		assert_true(txns[x].lsn >= t.consistent_point);
		for (int row = 1; row <= txns[x].rows; row++, i++) {
			assert_int_equal(t.fake.recs[i].pos.major, txns[x].lsn);
			assert_int_equal(t.fake.recs[i].pos.minor, row);
		}
	}
	id_of(500, id);
	assert_int_equal(count_id(first_streamed, id), 2);
	id_of(501, id);
	assert_int_equal(count_id(first_streamed, id), 2);
	assert_true(t.fake.recs[first_streamed + 3].invalid);
	sql(t.db, "SELECT pg_drop_replication_slot('check')");
	/* The slot moves up to the last acknowledged commit (and, per
	 * check_slot, never further). */
	uint64_t start = now_ms();
	while (check_slot() < txns[ntxn - 1].lsn) {
		if (now_ms() - start > DEADLINE_MS)
			fail_msg("the slot never confirmed %" PRIx64, txns[ntxn - 1].lsn);
		pump(100);
	}
	assert_true(t.samples > 0);
}

static void test_kill_and_restart(void **state)
{
	size_t from = t.fake.n;
	pid_t writer;
	int status;

	writer = fork();
	assert_true(writer >= 0);
	if (writer == 0) {
		PGconn *db = PQconnectdb(t.conninfo);
		for (int k = 1000; k < 1300; k++)
			insert_person(db, k);
		PQfinish(db);
		_exit(0);
	}
	while (t.fake.n < from + 40)
		pump(20);
	assert_int_equal(WIFSIGNALED(adapter_signal(SIGKILL)), 1);
	assert_int_equal(waitpid(writer, &status, 0), writer);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	insert_person(t.db, 1300);
	adapter_spawn();
	pump_until_person(1300);
	for (int k = 1000; k <= 1300; k++) {
		char id[19];
		id_of(k, id);
		if (count_id(from, id) != 1)
			fail_msg("person %d accepted %zu times", k, count_id(from, id));
	}
	assert_int_equal(t.fake.n - from, 301);
}

static void test_window_backpressure(void **state)
{
	size_t from = t.fake.n, ahead = 0;
	uint64_t quiet;

	t.fake.acking = false;
	t.fake.ahead_max = t.fake.stored;
	t.fake.ahead = 0;
	sql(t.db, "BEGIN");
	for (int k = 2000; k < 2120; k++)
		insert_person(t.db, k);
	sql(t.db, "COMMIT");
	for (int k = 2120; k < 2200; k++)
		insert_person(t.db, k);
	/* Serve without acknowledging until a window's worth came, then until
	 * nothing new comes for a while (resends repeat the same positions). */
	quiet = now_ms();
	while (t.fake.ahead < WINDOW) {
		if (now_ms() - quiet > DEADLINE_MS)
			fail_msg("only %zu events before the window filled", t.fake.ahead);
		pump(50);
	}
	quiet = now_ms();
	while (now_ms() - quiet < 3000) {
		pump(100);
		if (t.fake.ahead != ahead) {
			ahead = t.fake.ahead;
			quiet = now_ms();
		}
	}
	assert_true(t.fake.ahead >= WINDOW);
	assert_true(t.fake.ahead <= WINDOW + 4);
	assert_int_equal(t.fake.n, from);
	t.fake.acking = true;
	insert_person(t.db, 2200);
	pump_until_person(2200);
	for (int k = 2000; k <= 2200; k++) {
		char id[19];
		id_of(k, id);
		if (count_id(from, id) != 1)
			fail_msg("person %d accepted %zu times", k, count_id(from, id));
	}
	print_message("window: %zu events held back; so far %zu duplicates, %zu gaps\n",
		      t.fake.ahead, t.fake.dups, t.fake.gaps);
}

static void test_stop(void **state)
{
	int status = adapter_signal(SIGTERM);

	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	check_slot();
	/* A restart resends nothing new: all of it is at or below the stored
	 * position, so nothing more is accepted. */
	size_t n = t.fake.n;
	adapter_spawn();
	insert_person(t.db, 3000);
	pump_until_person(3000);
	assert_int_equal(t.fake.n, n + 1);
	status = adapter_signal(SIGTERM);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Run an SQL query; its first value, malloc'ed. */
static char *query1(const char *q)
{
	PGresult *res = PQexec(t.db, q);
	char *v;

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		fail_msg("%s: %s", q, PQresultErrorMessage(res));
	v = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	assert_non_null(v);
	return v;
}

static uint64_t current_lsn(void)
{
	char *v = query1("SELECT pg_current_wal_lsn()");
	uint64_t lsn = lsn_of(v);

	free(v);
	return lsn;
}

/* Serve until the slot confirms at least lsn. */
static void await_confirmed(uint64_t lsn, const char *what)
{
	uint64_t start = now_ms();

	while (check_slot() < lsn) {
		if (now_ms() - start > DEADLINE_MS)
			fail_msg("%s: the slot never confirmed %" PRIx64 " (at %" PRIx64 ")", what,
				 lsn, check_slot());
		pump(100);
	}
}

static void test_fast_stop(void **state)
{
	char pid[700];

	adapter_spawn();
	insert_person(t.db, 4000);
	pump_until_person(4000);
	pump(1500); /* idle: everything acknowledged */
	/* scripts/pg stop gives up after pg_ctl's 60 s; the server must be down. */
	sh("%s/scripts/pg stop %s", t.src, t.dir);
	snprintf(pid, sizeof(pid), "%s/pgdata/postmaster.pid", t.dir);
	if (access(pid, F_OK) == 0)
		fail_msg("pg_ctl -m fast stop did not stop the server");
	assert_int_equal(waitpid(t.adapter, NULL, WNOHANG), 0);
	sh("ASSIST_PG_FSYNC=off %s/scripts/pg start %s", t.src, t.dir);
	PQreset(t.db);
	assert_int_equal(PQstatus(t.db), CONNECTION_OK);
	insert_person(t.db, 4001);
	pump_until_person(4001);
}

static void test_idle_slot_moves(void **state)
{
	PGconn *other;
	char conninfo[300];
	uint64_t lsn;

	sh("%s/scripts/pg createdb %s other", t.src, t.dir);
	snprintf(conninfo, sizeof(conninfo), "host=%s/pgrun port=5432 user=assist dbname=other",
		 t.dir);
	other = PQconnectdb(conninfo);
	assert_int_equal(PQstatus(other), CONNECTION_OK);
	sql(other, "CREATE TABLE noise (n int, pad text)");
	for (int i = 0; i < 20; i++)
		sql(other, "INSERT INTO noise SELECT g, repeat('x', 200) FROM generate_series(1, 500) g");
	PQfinish(other);
	lsn = current_lsn();
	await_confirmed(lsn, "WAL of another database");
	/* Nothing writes now but the adapter's heartbeat message. */
	lsn = current_lsn();
	await_confirmed(lsn, "heartbeat");
}

static void test_setup_repairs(void **state)
{
	size_t n;
	char *v;
	uint64_t start;

	assert_int_equal(WEXITSTATUS(adapter_signal(SIGTERM)), 0);
	sql(t.db, "ALTER TABLE households REPLICA IDENTITY DEFAULT");
	adapter_spawn();
	insert_person(t.db, 4100);
	pump_until_person(4100);
	v = query1("SELECT relreplident FROM pg_class WHERE relname = 'households'");
	assert_string_equal(v, "f");
	free(v);

	/* persons dropped and made anew: out of the publication, then back. */
	sql(t.db, "CREATE TABLE persons_new (LIKE persons INCLUDING ALL)");
	sql(t.db, "DROP TABLE persons");
	sql(t.db, "ALTER TABLE persons_new RENAME TO persons");
	start = now_ms();
	for (;;) {
		v = query1("SELECT count(*) FROM pg_publication_tables WHERE pubname = '" SLOT
			   "' AND tablename = 'persons'");
		bool back = strcmp(v, "1") == 0;
		free(v);
		if (back)
			break;
		if (now_ms() - start > DEADLINE_MS)
			fail_msg("persons never came back into the publication");
		pump(100);
	}
	insert_person(t.db, 4101);
	pump_until_person(4101);
	v = query1("SELECT relreplident FROM pg_class WHERE relname = 'persons'");
	assert_string_equal(v, "f");
	free(v);

	n = t.fake.truncated;
	sql(t.db, "TRUNCATE category_registrations");
	start = now_ms();
	while (t.fake.truncated == n) {
		if (now_ms() - start > DEADLINE_MS)
			fail_msg("no truncated alert");
		pump(50);
	}
	assert_string_equal(t.fake.problem, "");
	assert_int_equal(WEXITSTATUS(adapter_signal(SIGTERM)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot_then_stream),
		cmocka_unit_test(test_kill_and_restart),
		cmocka_unit_test(test_window_backpressure),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_fast_stop),
		cmocka_unit_test(test_idle_slot_moves),
		cmocka_unit_test(test_setup_repairs),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
