/* The batch queue's thresholds: when a filling batch is full and sealed,
 * what counts as in flight, when intake pauses and resumes, when a drain
 * is over; and a filling batch sealed by its size and by batch_max_ms, on a
 * loop whose store never connects (its jobs wait in the queue). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "batch.h"
#include "engine.h"
#include "schema.h"

static void test_full(void **state)
{
	static const struct {
		size_t n;
		int64_t max;
		bool full;
	} cases[] = {
		{0, 1, false},   {1, 1, true},      {1, 500, false},  {499, 500, false},
		{500, 500, true}, {501, 500, true}, /* a replayed slice never passes it */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(batch_full(cases[i].n, cases[i].max), cases[i].full);
}

static void test_in_flight(void **state)
{
	static const struct {
		size_t queued, committing;
		bool loading;
		size_t want;
	} cases[] = {
		{0, 0, false, 0}, {1, 0, false, 1}, {0, 1, false, 1},
		{2, 3, false, 5}, {2, 3, true, 6},  {0, 0, true, 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct batch_queue q = {0};

		q.n_queued = cases[i].queued;
		q.n_committing = cases[i].committing;
		q.loading = cases[i].loading;
		assert_int_equal(batch_in_flight(&q), cases[i].want);
	}
}

static void test_pause(void **state)
{
	static const struct {
		size_t in_flight;
		int64_t max;
		bool pause;
	} cases[] = {
		{0, 4, false}, {3, 4, false}, {4, 4, true}, /* pauses at the limit */
		{5, 4, true},  {3, 4, false},               /* resumes below it */
		{0, 1, false}, {1, 1, true},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(batch_pause_wanted(cases[i].in_flight, cases[i].max),
				 cases[i].pause);
}

static void test_drained(void **state)
{
	struct batch filling = {0};
	static const struct {
		bool draining, filling;
		size_t queued, committing;
		bool drained;
	} cases[] = {
		{false, false, 0, 0, false}, /* not asked */
		{true, false, 0, 0, true},
		{true, true, 0, 0, false},   /* a batch still filling */
		{true, false, 1, 0, false},  /* one queued */
		{true, false, 0, 1, false},  /* one committing */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct batch_queue q = {0};

		q.draining = cases[i].draining;
		q.filling = cases[i].filling ? &filling : NULL;
		q.n_queued = cases[i].queued;
		q.n_committing = cases[i].committing;
		assert_int_equal(batch_drained(&q), cases[i].drained);
	}
}

static int fatals, drains;

static void on_reply(void *data, const uint8_t *peer, size_t peer_len, const Assist__Reply *r)
{
}

static void on_publish(void *data, const char *topic, const uint8_t *msg, size_t len)
{
}

static void on_pause(void *data, bool paused)
{
}

static void on_fatal(void *data, const char *why)
{
	fatals++;
}

static void on_drained(void *data)
{
	drains++;
}

static const struct engine_ops ops = {on_reply, on_publish, on_pause, on_fatal, on_drained};

static void on_state(struct store *st, bool up)
{
}

static void on_closed(void *data)
{
}

/* An event the rules reject (no kind), as a decoder hands it over. */
static Assist__Event *event_at(uint64_t seq)
{
	Assist__Event ev = ASSIST__EVENT__INIT;
	uint8_t buf[32];

	ev.seq = seq;
	return assist__event__unpack(NULL, assist__event__pack(&ev, buf), buf);
}

static void test_seal(void **state)
{
	struct store_options opt = {.conninfo = "host=/nonexistent/assist dbname=none"};
	struct config cfg = {0};
	struct store *st;
	struct engine e;
	uv_loop_t loop;

	cfg.batch_max_events = 2;
	cfg.batch_max_ms = 20;
	cfg.max_inflight = 100;
	cfg.dead_letter_max_bytes = 4096;
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(store_open(&loop, &opt, &schema_catalog, on_state, NULL, &st), 0);
	assert_int_equal(engine_init(&e, &loop, st, &ops, NULL), 0);
	e.cfg = &cfg;
	e.replay = true; /* no roles, no journal */

	/* By size: the second event fills it. */
	assert_int_equal(ingest_replay(&e, "civil", 1, 0, 0, event_at(1)), 0);
	assert_non_null(e.queue.filling);
	assert_int_equal(e.queue.n_committing, 0);
	assert_int_equal(ingest_replay(&e, "civil", 2, 0, 0, event_at(2)), 0);
	assert_null(e.queue.filling);
	assert_int_equal(e.queue.n_committing, 1);

	/* By time: one event, sealed when batch_max_ms has passed. */
	assert_int_equal(ingest_replay(&e, "civil", 3, 0, 0, event_at(3)), 0);
	assert_non_null(e.queue.filling);
	for (int i = 0; i < 1000 && e.queue.filling != NULL; i++)
		uv_run(&loop, UV_RUN_ONCE);
	assert_null(e.queue.filling);
	assert_int_equal(e.queue.n_committing, 2);

	/* A drain is over only when they commit, which they never do here. */
	engine_drain(&e);
	assert_int_equal(drains, 0);
	assert_int_equal(fatals, 0);
	assert_int_equal(e.replay_diverged, 3);

	engine_close(&e, on_closed);
	store_close(st, on_closed);
	uv_run(&loop, UV_RUN_DEFAULT);
	engine_free(&e);
	assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_in_flight),
		cmocka_unit_test(test_pause),
		cmocka_unit_test(test_drained),
		cmocka_unit_test(test_seal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
