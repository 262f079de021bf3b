/* assistctl against a fake assistd: a ROUTER on an ipc endpoint in a temp
 * dir, driven here with zmq_poll, while the real assistctl runs as a child
 * process. The fake models the daemon's ingest rules (dedupe by position, a
 * prev mismatch answered with gap and the expected position) plus scripted
 * faults: a rejection, a gap, a batch dropped without answer, silence. Like
 * assistd it rejects an event carrying invalid_reason, with that reason. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <zmq.h>

#include "assist.pb-c.h"

#define MAX_SOURCES 4
#define MAX_LOG 1024

struct fake_source {
	char name[32];
	uint64_t have;              /* last position major taken in */
	uint64_t *taken;            /* positions taken, in order */
	size_t n_taken, cap_taken;
};

struct fake_batch {
	char source[32];
	bool has_prev;
	uint64_t prev;
	uint64_t first, last;
	size_t n;
	bool answered_gap;
	bool dropped;
};

struct fake {
	char dir[64];
	char endpoint[128];
	void *ctx, *router;
	/* script */
	uint64_t reject_seq;        /* 0: none */
	const char *reject_field, *reject_reason;
	uint64_t gap_first_at;      /* answer the first batch with gap, expected this */
	bool drop_first;            /* leave the first batch unanswered */
	time_t silent_until;        /* read and drop every request until then */
	uint64_t have_before;       /* position every source has before the push */
	/* what it saw */
	struct fake_source sources[MAX_SOURCES];
	size_t n_sources;
	struct fake_batch log[MAX_LOG];
	size_t n_log;
	size_t n_gets;
	int32_t last_year;
	const char *stdin_path;     /* the child's stdin, if set */
	size_t n_heartbeats;
	char raws[4][256];          /* raw of the first invalid events taken */
	size_t n_raws;
	/* feed: the table holds 1..feed_last; live seqs are published again and
	 * again (a PUB drops what a subscriber is not yet connected for) */
	void *pub;
	uint64_t feed_last;         /* grows to feed_final once a replay reaches the end */
	uint64_t feed_final;
	bool live_on;
	const uint64_t *live;
	size_t n_live;
	size_t n_replays;
	uint64_t max_replay_from;
	bool beat;                  /* publish heartbeats with latest_seq feed_last */
};

struct run {
	int status;                 /* exit code, or -1 if killed */
	char *out, *err;
};

static struct fake_source *fake_source(struct fake *f, const char *name)
{
	for (size_t i = 0; i < f->n_sources; i++) {
		if (strcmp(f->sources[i].name, name) == 0)
			return &f->sources[i];
	}
	assert_true(f->n_sources < MAX_SOURCES);
	snprintf(f->sources[f->n_sources].name, sizeof(f->sources[0].name), "%s", name);
	f->sources[f->n_sources].have = f->have_before;
	return &f->sources[f->n_sources++];
}

/* The event's position major: position, or the seq shorthand. */
static uint64_t ev_major(const Assist__Event *e)
{
	return e->position ? e->position->major : e->seq;
}

static void fake_send(struct fake *f, zmq_msg_t *identity, const Assist__Reply *reply)
{
	size_t len = assist__reply__get_packed_size(reply);
	uint8_t *buf = malloc(len + 1);

	assert_non_null(buf);
	assist__reply__pack(reply, buf);
	assert_true(zmq_send(f->router, zmq_msg_data(identity), zmq_msg_size(identity),
			     ZMQ_SNDMORE) >= 0);
	assert_true(zmq_send(f->router, buf, len, 0) >= 0);
	free(buf);
}

static void fake_on_batch(struct fake *f, zmq_msg_t *identity, uint64_t request_id,
			  const Assist__Batch *b)
{
	Assist__Reply reply = ASSIST__REPLY__INIT;
	Assist__Ack ack = ASSIST__ACK__INIT;
	Assist__Position applied = ASSIST__POSITION__INIT, expected = ASSIST__POSITION__INIT;
	Assist__Rejection rej[500], *rejs[500];
	Assist__Position rej_pos[500];
	struct fake_source *s = fake_source(f, b->source);
	struct fake_batch *l;

	assert_true(f->n_log < MAX_LOG);
	assert_true(b->n_events > 0 && b->n_events <= 500);
	l = &f->log[f->n_log++];
	snprintf(l->source, sizeof(l->source), "%s", b->source);
	l->has_prev = b->prev != NULL;
	l->prev = b->prev ? b->prev->major : 0;
	l->n = b->n_events;
	l->first = ev_major(b->events[0]);
	l->last = ev_major(b->events[b->n_events - 1]);
	for (size_t i = 0; i < b->n_events; i++)
		assert_string_equal(b->events[i]->source, b->source);
	if (f->drop_first && f->n_log == 1) {
		l->dropped = true;
		return;
	}
	reply.request_id = request_id;
	reply.body_case = ASSIST__REPLY__BODY_ACK;
	reply.ack = &ack;
	ack.source = b->source;
	ack.applied = &applied;
	if (f->gap_first_at != 0 && f->n_log == 1)
		s->have = f->gap_first_at;
	if ((f->gap_first_at != 0 && f->n_log == 1) || (b->prev && b->prev->major != s->have)) {
		l->answered_gap = true;
		ack.gap = true;
		ack.expected = &expected;
		expected.major = s->have;
		applied.major = s->have;
		fake_send(f, identity, &reply);
		return;
	}
	for (size_t i = 0; i < b->n_events; i++) {
		uint64_t seq = ev_major(b->events[i]);
		if (seq <= s->have)
			continue;
		if (s->n_taken == s->cap_taken) {
			s->cap_taken = s->cap_taken ? 2 * s->cap_taken : 1024;
			s->taken = realloc(s->taken, s->cap_taken * sizeof(*s->taken));
			assert_non_null(s->taken);
		}
		s->taken[s->n_taken++] = seq;
		s->have = seq;
		if (seq == f->reject_seq || b->events[i]->invalid_reason[0] != '\0') {
			size_t k = ack.n_rejections++;
			bool own = b->events[i]->invalid_reason[0] != '\0';
			assist__rejection__init(&rej[k]);
			assist__position__init(&rej_pos[k]);
			rej_pos[k].major = seq;
			rej[k].position = &rej_pos[k];
			rej[k].field = own ? "event" : (char *)f->reject_field;
			rej[k].reason = own ? b->events[i]->invalid_reason : (char *)f->reject_reason;
			rejs[k] = &rej[k];
			ack.rejections = rejs;
		}
		if (b->events[i]->raw[0] != '\0' && f->n_raws < 4)
			snprintf(f->raws[f->n_raws++], sizeof(f->raws[0]), "%s",
				 b->events[i]->raw);
	}
	applied.major = s->have;
	fake_send(f, identity, &reply);
}

/* Answered with the source's position, as assistd does. */
static void fake_on_heartbeat(struct fake *f, zmq_msg_t *identity, uint64_t request_id,
			      const Assist__Heartbeat *hb)
{
	Assist__Reply reply = ASSIST__REPLY__INIT;
	Assist__Ack ack = ASSIST__ACK__INIT;
	Assist__Position applied = ASSIST__POSITION__INIT;
	struct fake_source *s = fake_source(f, hb->source);

	f->n_heartbeats++;
	reply.request_id = request_id;
	reply.body_case = ASSIST__REPLY__BODY_ACK;
	reply.ack = &ack;
	ack.source = hb->source;
	ack.applied = &applied;
	ack.expected = &applied;
	applied.major = s->have;
	fake_send(f, identity, &reply);
}

static void fake_on_get(struct fake *f, zmq_msg_t *identity, uint64_t request_id,
			const Assist__GetRequest *get)
{
	Assist__Reply reply = ASSIST__REPLY__INIT;
	Assist__RecipientRecord rec = ASSIST__RECIPIENT_RECORD__INIT;
	Assist__Error error = ASSIST__ERROR__INIT;

	f->n_gets++;
	f->last_year = get->year;
	reply.request_id = request_id;
	if (strcmp(get->id_number, "420704199001010012") == 0) {
		reply.body_case = ASSIST__REPLY__BODY_RECORD;
		reply.record = &rec;
		rec.id_number = get->id_number;
		rec.name = "Zhang San";
		rec.year = get->year ? get->year : 2024;
		rec.version = 7;
	} else {
		reply.body_case = ASSIST__REPLY__BODY_ERROR;
		reply.error = &error;
		error.code = ASSIST__ERROR_CODE__ERROR_CODE_UNKNOWN_PERSON;
		error.message = "unknown person";
	}
	fake_send(f, identity, &reply);
}

static void feed_message(Assist__FeedMessage *m, Assist__RecipientRecord *rec, uint64_t seq)
{
	static char household[32];

	assist__feed_message__init(m);
	assist__recipient_record__init(rec);
	snprintf(household, sizeof(household), "H%03lu", (unsigned long)seq);
	m->seq = seq;
	m->topic = "record/west/H1";
	m->record = rec;
	rec->household_id = household;
	rec->feed_seq = seq;
}

/* Pages of two, to make the client follow next_seq. */
static void fake_on_replay(struct fake *f, zmq_msg_t *identity, uint64_t request_id,
			   const Assist__ReplayRequest *rr)
{
	Assist__Reply reply = ASSIST__REPLY__INIT;
	Assist__ReplayReply page = ASSIST__REPLAY_REPLY__INIT;
	Assist__FeedMessage msgs[2], *pmsgs[2] = { &msgs[0], &msgs[1] };
	Assist__RecipientRecord recs[2];

	f->n_replays++;
	assert_int_equal(rr->limit, 500);
	assert_string_equal(rr->topic_prefix, "record/");
	assert_true(rr->from_seq >= 1);
	reply.request_id = request_id;
	reply.body_case = ASSIST__REPLY__BODY_REPLAY;
	reply.replay = &page;
	page.messages = pmsgs;
	for (uint64_t seq = rr->from_seq; seq <= f->feed_last && page.n_messages < 2; seq++) {
		feed_message(&msgs[page.n_messages], &recs[page.n_messages], seq);
		page.n_messages++;
	}
	page.next_seq = rr->from_seq + page.n_messages;
	page.more = page.next_seq <= f->feed_last;
	if (rr->from_seq > f->max_replay_from)
		f->max_replay_from = rr->from_seq;
	fake_send(f, identity, &reply);
	if (!page.more && !f->live_on) {
		f->feed_last = f->feed_final;
		f->live_on = true;
	}
}

static void fake_beat(struct fake *f)
{
	Assist__FeedMessage m = ASSIST__FEED_MESSAGE__INIT;
	uint8_t buf[64];
	size_t len;

	m.topic = "heartbeat";
	m.latest_seq = f->feed_last;
	len = assist__feed_message__pack(&m, buf);
	assert_true(zmq_send(f->pub, m.topic, strlen(m.topic), ZMQ_SNDMORE) >= 0);
	assert_true(zmq_send(f->pub, buf, len, 0) >= 0);
}

static void fake_publish(struct fake *f)
{
	if (f->beat)
		fake_beat(f);
	for (size_t i = 0; i < f->n_live; i++) {
		Assist__FeedMessage m;
		Assist__RecipientRecord rec;
		uint8_t buf[512];
		size_t len;

		feed_message(&m, &rec, f->live[i]);
		len = assist__feed_message__pack(&m, buf);
		assert_true(zmq_send(f->pub, m.topic, strlen(m.topic), ZMQ_SNDMORE) >= 0);
		assert_true(zmq_send(f->pub, buf, len, 0) >= 0);
	}
}

static void fake_on_explain(struct fake *f, zmq_msg_t *identity, uint64_t request_id,
			    const Assist__ExplainRequest *ex)
{
	Assist__Reply reply = ASSIST__REPLY__INIT;
	Assist__ExplainReply er = ASSIST__EXPLAIN_REPLY__INIT;
	Assist__Explanation item = ASSIST__EXPLANATION__INIT, *items[1] = { &item };
	Assist__TraceParam param = ASSIST__TRACE_PARAM__INIT, *params[1] = { &param };
	Assist__TraceInput input = ASSIST__TRACE_INPUT__INIT, *inputs[1] = { &input };
	Assist__Position pos = ASSIST__POSITION__INIT, *positions[1] = { &pos };
	Assist__Error error = ASSIST__ERROR__INIT;

	reply.request_id = request_id;
	if (strcmp(ex->id_number, "420704199001010012") != 0) {
		reply.body_case = ASSIST__REPLY__BODY_ERROR;
		reply.error = &error;
		error.code = ASSIST__ERROR_CODE__ERROR_CODE_UNKNOWN_PERSON;
		error.message = "unknown person";
		fake_send(f, identity, &reply);
		return;
	}
	reply.body_case = ASSIST__REPLY__BODY_EXPLAIN;
	reply.explain = &er;
	er.id_number = ex->id_number;
	er.n_items = 1;
	er.items = items;
	item.subject = "benefit urban_dibao";
	item.rule = "dibao.gap";
	item.n_params = 1;
	item.params = params;
	param.name = "urban_dibao_line";
	param.value = 72000;
	param.unit = "fen";
	param.effective = "2024-01-01";
	param.clause = "POLICY 3.1";
	item.n_inputs = 1;
	item.inputs = inputs;
	input.name = "monthly_income_fen";
	input.value = "30000";
	item.n_sources = 1;
	item.sources = positions;
	pos.major = 12;
	pos.minor = 1;
	item.source = "civil_affairs";
	item.result = "monthly 42000 fen";
	fake_send(f, identity, &reply);
}

/* Handle every request waiting on the ROUTER. */
static void fake_drain(struct fake *f)
{
	for (;;) {
		zmq_msg_t identity, body;
		Assist__Request *req;

		zmq_msg_init(&identity);
		if (zmq_msg_recv(&identity, f->router, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&identity);
			return;
		}
		assert_true(zmq_msg_more(&identity));
		zmq_msg_init(&body);
		assert_true(zmq_msg_recv(&body, f->router, 0) >= 0);
		assert_false(zmq_msg_more(&body));
		req = assist__request__unpack(NULL, zmq_msg_size(&body), zmq_msg_data(&body));
		assert_non_null(req);
		if (time(NULL) < f->silent_until)
			; /* as if assistd were down */
		else if (req->body_case == ASSIST__REQUEST__BODY_BATCH)
			fake_on_batch(f, &identity, req->request_id, req->batch);
		else if (req->body_case == ASSIST__REQUEST__BODY_HEARTBEAT)
			fake_on_heartbeat(f, &identity, req->request_id, req->heartbeat);
		else if (req->body_case == ASSIST__REQUEST__BODY_GET)
			fake_on_get(f, &identity, req->request_id, req->get);
		else if (req->body_case == ASSIST__REQUEST__BODY_EXPLAIN)
			fake_on_explain(f, &identity, req->request_id, req->explain);
		else if (req->body_case == ASSIST__REQUEST__BODY_REPLAY)
			fake_on_replay(f, &identity, req->request_id, req->replay);
		else
			fail_msg("unexpected request %d", req->body_case);
		assist__request__free_unpacked(req, NULL);
		zmq_msg_close(&body);
		zmq_msg_close(&identity);
	}
}

static int fake_setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	int zero = 0;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/assistctl-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->endpoint, sizeof(f->endpoint), "ipc://%s/ingest.sock", f->dir);
	f->ctx = zmq_ctx_new();
	f->router = zmq_socket(f->ctx, ZMQ_ROUTER);
	assert_non_null(f->router);
	assert_int_equal(zmq_setsockopt(f->router, ZMQ_LINGER, &zero, sizeof(zero)), 0);
	assert_int_equal(zmq_bind(f->router, f->endpoint), 0);
	*state = f;
	return 0;
}

static int fake_teardown(void **state)
{
	struct fake *f = *state;
	char cmd[128];

	zmq_close(f->router);
	if (f->pub != NULL)
		zmq_close(f->pub);
	zmq_ctx_term(f->ctx);
	for (size_t i = 0; i < f->n_sources; i++)
		free(f->sources[i].taken);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	assert_non_null(fp);
	if (getdelim(&buf, &len, '\0', fp) < 0) {
		assert_true(feof(fp));
		free(buf);
		buf = strdup("");
	}
	fclose(fp);
	return buf;
}

/* Run assistctl with args (NULL-terminated), serving the fake meanwhile. */
static struct run run_ctl(struct fake *f, ...)
{
	const char *build = getenv("ASSIST_BUILD_DIR");
	char prog[512], out_path[128], err_path[128];
	char *argv[32];
	int argc = 0;
	posix_spawn_file_actions_t fa;
	struct run r = { .status = -1 };
	time_t deadline = time(NULL) + 120;
	unsigned rounds = 0;
	va_list ap;
	pid_t pid;
	int st;

	snprintf(prog, sizeof(prog), "%s/assistctl", build ? build : ".");
	argv[argc++] = prog;
	va_start(ap, f);
	for (char *a; (a = va_arg(ap, char *)) != NULL && argc < 31;)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	snprintf(out_path, sizeof(out_path), "%s/stdout", f->dir);
	snprintf(err_path, sizeof(err_path), "%s/stderr", f->dir);
	posix_spawn_file_actions_init(&fa);
	if (f->stdin_path != NULL)
		posix_spawn_file_actions_addopen(&fa, 0, f->stdin_path, O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(posix_spawn(&pid, prog, &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	for (;;) {
		zmq_pollitem_t item = { .socket = f->router, .events = ZMQ_POLLIN };
		if (zmq_poll(&item, 1, 20) > 0)
			fake_drain(f);
		if (f->live_on && ++rounds % 5 == 0)
			fake_publish(f);
		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		if (time(NULL) > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			fail_msg("assistctl did not finish");
		}
	}
	r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	r.out = slurp(out_path);
	r.err = slurp(err_path);
	return r;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

/* Write lines (NULL-terminated) to DIR/name; returns the path. */
static char *write_file(struct fake *f, const char *name, ...)
{
	static char path[128];
	va_list ap;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	va_start(ap, name);
	for (const char *l; (l = va_arg(ap, const char *)) != NULL;)
		fprintf(fp, "%s\n", l);
	va_end(ap);
	fclose(fp);
	return path;
}

/* n events of source, seq first..first+n-1, one per line. */
static void write_events(FILE *fp, const char *source, uint64_t seq)
{
	fprintf(fp, "{\"source\": \"%s\", \"seq\": %lu, \"kind\": \"person\", "
		    "\"person\": {\"id_number\": \"420704199001010012\", \"name\": \"Li\"}}\n",
		source, (unsigned long)seq);
}

static char *write_source_file(struct fake *f, const char *source, uint64_t n)
{
	static char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/events.jsonl", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	for (uint64_t seq = 1; seq <= n; seq++)
		write_events(fp, source, seq);
	fclose(fp);
	return path;
}

static void assert_taken(const struct fake_source *s, uint64_t from, uint64_t to)
{
	assert_int_equal(s->n_taken, to - from + 1);
	for (size_t i = 0; i < s->n_taken; i++)
		assert_int_equal(s->taken[i], from + i);
}

static void test_push_all_acked(void **state)
{
	struct fake *f = *state;
	char path[128];
	struct run r;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/events.jsonl", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	for (uint64_t i = 0; i < 1200; i++)
		write_events(fp, i % 2 ? "labor" : "health", i / 2 + 1);
	fclose(fp);
	r = run_ctl(f, "--endpoint", f->endpoint, "push", path, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "pushed 1200 events: 1200 applied, 0 already applied, 0 rejected"));
	assert_int_equal(f->n_sources, 2);
	assert_taken(fake_source(f, "health"), 1, 600);
	assert_taken(fake_source(f, "labor"), 1, 600);
	for (size_t i = 0; i < f->n_log; i++) {
		assert_false(f->log[i].answered_gap);
		/* A source's first batch has no prev; the others follow on. */
		assert_int_equal(f->log[i].has_prev, f->log[i].first != 1);
		if (f->log[i].has_prev)
			assert_int_equal(f->log[i].prev, f->log[i].first - 1);
	}
	run_free(&r);
}

/* 100,000 events from three sources, interleaved. */
static void test_push_many(void **state)
{
	static const char *const names[] = { "health", "education", "housing" };
	struct fake *f = *state;
	uint64_t seq[3] = { 0, 0, 0 };
	char path[128];
	struct run r;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/events.jsonl", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	for (unsigned i = 0; i < 100000; i++) {
		unsigned k = (i * 7 + i / 13) % 3;
		write_events(fp, names[k], ++seq[k]);
	}
	fclose(fp);
	f->stdin_path = path;
	r = run_ctl(f, "--endpoint", f->endpoint, "push", "-", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "pushed 100000 events: 100000 applied, 0 already applied, 0 rejected"));
	for (unsigned k = 0; k < 3; k++)
		assert_taken(fake_source(f, names[k]), 1, seq[k]);
	run_free(&r);
}

static void test_push_rejected_line(void **state)
{
	struct fake *f = *state;
	FILE *fp;
	char path[128];
	struct run r;

	f->reject_seq = 7;
	f->reject_field = "person.id_number";
	f->reject_reason = "checksum mismatch";
	snprintf(path, sizeof(path), "%s/events.jsonl", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "# health department, night run\n\n");
	for (uint64_t seq = 1; seq <= 10; seq++)
		write_events(fp, "health", seq);
	fclose(fp);
	r = run_ctl(f, "--endpoint", f->endpoint, "push", path, NULL);
	assert_int_equal(r.status, 1);
	/* seq 7 is on line 9, after the comment and the blank line. */
	assert_non_null(strstr(r.err, "line 9: person.id_number: checksum mismatch\n"));
	assert_null(strstr(r.err, "line 8:"));
	assert_non_null(strstr(r.err, "pushed 10 events: 9 applied, 0 already applied, 1 rejected"));
	assert_taken(fake_source(f, "health"), 1, 10);
	run_free(&r);
}

static void test_push_gap_resends_from_expected(void **state)
{
	struct fake *f = *state;
	char *path = write_source_file(f, "health", 1000);
	struct fake_batch *resent = NULL;
	struct run r;

	f->gap_first_at = 200;
	r = run_ctl(f, "--endpoint", f->endpoint, "push", path, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "pushed 1000 events: 1000 applied, 0 already applied, 0 rejected"));
	assert_true(f->log[0].answered_gap);
	for (size_t i = 1; i < f->n_log && resent == NULL; i++) {
		if (!f->log[i].answered_gap)
			resent = &f->log[i];
	}
	assert_non_null(resent);
	assert_true(resent->has_prev);
	assert_int_equal(resent->prev, 200);
	assert_int_equal(resent->first, 201);
	assert_int_equal(resent->n, 500);
	assert_taken(fake_source(f, "health"), 201, 1000);
	run_free(&r);
}

static void test_push_timeout_resends(void **state)
{
	struct fake *f = *state;
	char *path = write_source_file(f, "housing", 10);
	struct run r;

	f->drop_first = true;
	r = run_ctl(f, "--endpoint", f->endpoint, "push", "--timeout", "300", path, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "pushed 10 events: 10 applied, 0 already applied, 0 rejected"));
	assert_true(f->n_log >= 2);
	assert_true(f->log[0].dropped);
	/* Nothing was acknowledged, so the resend starts over without prev. */
	assert_false(f->log[1].has_prev);
	assert_int_equal(f->log[1].first, 1);
	assert_int_equal(f->log[1].last, 10);
	assert_taken(fake_source(f, "housing"), 1, 10);
	run_free(&r);
}

static void test_push_nothing_listening(void **state)
{
	struct fake *f = *state;
	char *path = write_source_file(f, "health", 3);
	char ep[160], want[256];
	struct run r;

	snprintf(ep, sizeof(ep), "ipc://%s/nobody.sock", f->dir);
	r = run_ctl(f, "--endpoint", ep, "push", "--wait", "8", path, NULL);
	assert_int_equal(r.status, 2);
	/* Said at 2 s and again every 5 s, before giving up at --wait. */
	snprintf(want, sizeof(want), "assistctl: no answer from %s for 2 s; still trying\n", ep);
	assert_non_null(strstr(r.err, want));
	snprintf(want, sizeof(want), "assistctl: no answer from %s for 7 s; still trying\n", ep);
	assert_non_null(strstr(r.err, want));
	assert_non_null(strstr(r.err, "cannot reach assistd at"));
	assert_int_equal(f->n_log, 0);
	run_free(&r);
}

/* assistd silent for a while: push says so, keeps trying, and finishes. */
static void test_push_says_when_silent(void **state)
{
	struct fake *f = *state;
	char *path = write_source_file(f, "health", 3);
	char want[256];
	struct run r;

	f->silent_until = time(NULL) + 4;
	r = run_ctl(f, "--endpoint", f->endpoint, "push", "--timeout", "1000", path, NULL);
	assert_int_equal(r.status, 0);
	snprintf(want, sizeof(want), "assistctl: no answer from %s for 2 s; still trying\n",
		 f->endpoint);
	assert_non_null(strstr(r.err, want));
	snprintf(want, sizeof(want), "assistctl: %s answers again\n", f->endpoint);
	assert_non_null(strstr(r.err, want));
	assert_non_null(strstr(r.err, "pushed 3 events: 3 applied, 0 already applied, 0 rejected"));
	assert_taken(fake_source(f, "health"), 1, 3);
	run_free(&r);
}

/* What assistd had before the push is told apart from what the push applied. */
static void test_push_already_applied(void **state)
{
	struct fake *f = *state;
	char *path = write_source_file(f, "health", 13);
	struct run r;

	f->have_before = 13;
	r = run_ctl(f, "--endpoint", f->endpoint, "push", path, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "pushed 13 events: 0 applied, 13 already applied, 0 rejected"));
	assert_int_equal(f->n_heartbeats, 1);
	/* Nothing needed sending. */
	assert_int_equal(f->n_log, 0);
	run_free(&r);
	f->have_before = 5;
	f->n_sources = 0;
	r = run_ctl(f, "--endpoint", f->endpoint, "push", path, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "pushed 13 events: 8 applied, 5 already applied, 0 rejected"));
	assert_taken(fake_source(f, "health"), 6, 13);
	/* The first batch follows on from what assistd has. */
	assert_true(f->log[0].has_prev);
	assert_int_equal(f->log[0].prev, 5);
	run_free(&r);
}

/* Lines assistctl cannot read go to assistd as invalid events at their
 * position (with the reason and the line), so they are counted and kept;
 * lines without a usable position are reported only. */
static void test_push_bad_lines(void **state)
{
	struct fake *f = *state;
	char *path = write_file(
		f, "events.jsonl",
		"{\"source\": \"labor\", \"seq\": 1, \"kind\": \"training\", \"training\": {}}",
		"{\"source\": \"labor\", \"seq\": 2, \"kind\": \"training\"",
		"{\"source\": \"labor\", \"seq\": 2, \"kind\": \"training\", \"training\": {}}",
		"{\"seq\": 3, \"kind\": \"training\"}",
		"{\"source\": \"labor\", \"seq\": 3, \"kind\": \"no_such_kind\"}",
		"{\"source\": \"labor\", \"position\": {\"major\": 4, \"minor\": 0}}",
		"{\"source\":\"labor\",\"seq\":5,\"kind\":\"person\",\"person\":{\"name\":\"\xff\"}}",
		"{\"source\":\"labor\",\"seq\":6,\"kind\":\"person\",\"person\":{\"nick\":\"a\"}}",
		"{\"source\": \"Labor!\", \"seq\": 7, \"kind\": \"bogus\"}", NULL);
	struct fake_source *s;
	struct run r;

	r = run_ctl(f, "--endpoint", f->endpoint, "push", path, NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "line 2: invalid JSON"));
	assert_non_null(strstr(r.err, "line 3: position 2/0 of labor does not follow 2/0 (line 2)"));
	assert_non_null(strstr(r.err, "line 4: missing source\n"));
	assert_non_null(strstr(r.err, "line 5: kind: "));
	assert_non_null(strstr(r.err, "line 7: invalid JSON"));
	assert_non_null(strstr(r.err, "line 8: unknown field \"nick\" in person"));
	assert_non_null(strstr(r.err, "line 9: kind: "));
	assert_non_null(strstr(r.err, "(not sent to assistd: source: must be 1-31 characters"));
	assert_null(strstr(r.err, "line 1:"));
	assert_null(strstr(r.err, "line 6:"));
	/* Reported once each, though the fake rejects the invalid events too. */
	assert_null(strstr(strstr(r.err, "line 2:") + 1, "line 2:"));
	assert_non_null(strstr(r.err, "pushed 9 events: 2 applied, 0 already applied, 7 rejected"));
	s = fake_source(f, "labor");
	assert_int_equal(s->n_taken, 6);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(s->taken[i], i + 1);
	/* raw is the line, as valid UTF-8. */
	assert_int_equal(f->n_raws, 4);
	assert_string_equal(f->raws[0], "{\"source\": \"labor\", \"seq\": 2, \"kind\": \"training\"");
	assert_non_null(strstr(f->raws[2], "\"name\":\"\\xff\""));
	run_free(&r);
}

static void test_get_record(void **state)
{
	struct fake *f = *state;
	struct run r;

	r = run_ctl(f, "--endpoint", f->endpoint, "get", "420704199001010012", "--year", "2023",
		    NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(f->n_gets, 1);
	assert_int_equal(f->last_year, 2023);
	assert_non_null(strstr(r.out, "\"name\": \"Zhang San\""));
	assert_non_null(strstr(r.out, "\"year\": 2023"));
	assert_non_null(strstr(r.out, "\"version\": 7"));
	/* Defaults are printed too, so every field of the record shows. */
	assert_non_null(strstr(r.out, "\"deceased_on\": \"\""));
	run_free(&r);
}

static void test_get_unknown_person(void **state)
{
	struct fake *f = *state;
	struct run r;

	r = run_ctl(f, "--endpoint", f->endpoint, "get", "110101199003074514", NULL);
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.err, "unknown person"));
	assert_string_equal(r.out, "");
	run_free(&r);
}

static void test_explain(void **state)
{
	struct fake *f = *state;
	struct run r;

	r = run_ctl(f, "--endpoint", f->endpoint, "explain", "420704199001010012", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "benefit urban_dibao: dibao.gap\n"
				   "  param urban_dibao_line = 72000 fen (since 2024-01-01; POLICY 3.1)\n"
				   "  input monthly_income_fen = 30000\n"
				   "  from civil_affairs@12/1\n"
				   "  => monthly 42000 fen\n");
	run_free(&r);
	r = run_ctl(f, "--endpoint", f->endpoint, "explain", "110101199003074514", NULL);
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.err, "unknown person"));
	run_free(&r);
}

/* Replay from --from in pages (the table then holds 1..5), then live: 6..9
 * are committed meanwhile but only 5 (a repeat), 6 and 9 are published, so
 * 7 and 8 must come from the feed table when 9 shows the gap. */
static void test_watch_replay_and_gap(void **state)
{
	static const uint64_t live[] = { 5, 6, 9 };
	struct fake *f = *state;
	char feed[160], qlist[200], flist[200], *conf, *line;
	int zero = 0;
	struct run r;

	snprintf(feed, sizeof(feed), "ipc://%s/feed.sock", f->dir);
	f->pub = zmq_socket(f->ctx, ZMQ_PUB);
	assert_int_equal(zmq_setsockopt(f->pub, ZMQ_LINGER, &zero, sizeof(zero)), 0);
	assert_int_equal(zmq_bind(f->pub, feed), 0);
	f->feed_last = 5;
	f->feed_final = 9;
	f->live = live;
	f->n_live = 3;
	snprintf(qlist, sizeof(qlist), "query_endpoint = %s", f->endpoint);
	snprintf(flist, sizeof(flist), "feed_endpoint = %s, tcp://*:7777", feed);
	conf = write_file(f, "assistd.conf", "# test", qlist, flist, NULL);
	r = run_ctl(f, "-c", conf, "watch", "--from", "2", "--topic", "record/", "--count", "8",
		    NULL);
	assert_int_equal(r.status, 0);
	/* Two pages up to 5, then at least one to fill the gap before 9. */
	assert_true(f->n_replays >= 3);
	assert_true(f->max_replay_from >= 6);
	line = r.out;
	for (uint64_t seq = 2; seq <= 9; seq++) {
		char want[32];
		char *nl = strchr(line, '\n');
		assert_non_null(nl);
		*nl = '\0';
		snprintf(want, sizeof(want), "{\"seq\":%lu,", (unsigned long)seq);
		assert_true(strncmp(line, want, strlen(want)) == 0);
		assert_non_null(strstr(line, "\"topic\":\"record/west/H1\""));
		line = nl + 1;
	}
	assert_string_equal(line, "");
	run_free(&r);
}

/* The tail is lost: 6..8 are committed after the replay but none of them is
 * published (dropped past the high-water mark), and nothing follows. Only
 * the heartbeat tells; watch replays 6..8 from it, each once. */
static void test_watch_tail_from_heartbeat(void **state)
{
	struct fake *f = *state;
	char feed[160], qlist[200], flist[200], *conf, *line;
	int zero = 0;
	struct run r;

	snprintf(feed, sizeof(feed), "ipc://%s/feed.sock", f->dir);
	f->pub = zmq_socket(f->ctx, ZMQ_PUB);
	assert_int_equal(zmq_setsockopt(f->pub, ZMQ_LINGER, &zero, sizeof(zero)), 0);
	assert_int_equal(zmq_bind(f->pub, feed), 0);
	f->feed_last = 5;
	f->feed_final = 8;
	f->beat = true;
	snprintf(qlist, sizeof(qlist), "query_endpoint = %s", f->endpoint);
	snprintf(flist, sizeof(flist), "feed_endpoint = %s", feed);
	conf = write_file(f, "assistd.conf", qlist, flist, NULL);
	r = run_ctl(f, "-c", conf, "watch", "--from", "2", "--topic", "record/", "--count", "7",
		    NULL);
	assert_int_equal(r.status, 0);
	assert_true(f->max_replay_from >= 6);
	line = r.out;
	for (uint64_t seq = 2; seq <= 8; seq++) {
		char want[32];
		char *nl = strchr(line, '\n');
		assert_non_null(nl);
		*nl = '\0';
		snprintf(want, sizeof(want), "{\"seq\":%lu,", (unsigned long)seq);
		assert_true(strncmp(line, want, strlen(want)) == 0);
		line = nl + 1;
	}
	/* Heartbeats are not printed. */
	assert_string_equal(line, "");
	run_free(&r);
}

static void test_usage_error(void **state)
{
	struct fake *f = *state;
	struct run r;

	r = run_ctl(f, "--endpoint", f->endpoint, "get", NULL);
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err, "usage:"));
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_push_all_acked, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_push_many, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_push_rejected_line, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_push_gap_resends_from_expected, fake_setup,
						fake_teardown),
		cmocka_unit_test_setup_teardown(test_push_timeout_resends, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_push_nothing_listening, fake_setup,
						fake_teardown),
		cmocka_unit_test_setup_teardown(test_push_says_when_silent, fake_setup,
						fake_teardown),
		cmocka_unit_test_setup_teardown(test_push_already_applied, fake_setup,
						fake_teardown),
		cmocka_unit_test_setup_teardown(test_push_bad_lines, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_get_record, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_get_unknown_person, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_explain, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_watch_replay_and_gap, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_watch_tail_from_heartbeat, fake_setup,
						fake_teardown),
		cmocka_unit_test_setup_teardown(test_usage_error, fake_setup, fake_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
