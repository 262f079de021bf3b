/* What intake decides about an incoming event from its source's position:
 * taken, dropped as a duplicate, a gap, out of order; and what refuses a
 * whole batch (another source, the 2^63 limit, order, position 0). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ingest.h"

#define TOP INGEST_POSITION_MAX

static void test_pos_cmp(void **state)
{
	static const struct {
		struct pos a, b;
		int want;
	} cases[] = {
		{{1, 0}, {1, 0}, 0},    {{1, 0}, {2, 0}, -1},  {{2, 0}, {1, 0}, 1},
		{{1, 5}, {1, 6}, -1},   {{1, 6}, {1, 5}, 1},   {{2, 0}, {1, 99}, 1},
		{{0, 0}, {0, 0}, 0},    {{TOP, TOP}, {TOP, TOP}, 0}, {{TOP, 0}, {TOP - 1, TOP}, 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(pos_cmp(cases[i].a, cases[i].b), cases[i].want);
}

/* As the journal's digests and the store's numeric columns take them. */
static void test_pos_decimal(void **state)
{
	static const struct {
		uint64_t v;
		const char *want;
	} cases[] = {
		{0, "0"}, {7, "7"}, {10, "10"}, {1000000, "1000000"},
		{UINT64_MAX, "18446744073709551615"}, {UINT64_MAX / 10, "1844674407370955161"},
	};
	char buf[POS_DECIMAL_LEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(pos_decimal(cases[i].v, buf), strlen(cases[i].want));
		assert_string_equal(buf, cases[i].want);
	}
}

static void test_pos_limit(void **state)
{
	static const struct {
		struct pos p;
		bool ok;
	} cases[] = {
		{{0, 0}, true},
		{{1, 1}, true},
		{{TOP, TOP}, true},          /* 2^63 - 1 still fits */
		{{TOP + 1, 0}, false},       /* 2^63 */
		{{0, TOP + 1}, false},
		{{UINT64_MAX, 0}, false},
		{{1, UINT64_MAX}, false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(ingest_pos_ok(cases[i].p), cases[i].ok);
}

static void test_order(void **state)
{
	static const struct {
		const char *what;
		struct pos taken;
		bool prev_known;
		struct pos prev, ev;
		enum ingest_order want;
	} cases[] = {
		{"a new source, no prev", {0, 0}, false, {0, 0}, {1, 0}, INGEST_NEXT},
		{"a new source starting high", {0, 0}, false, {0, 0}, {500, 0}, INGEST_NEXT},
		{"a new source, prev 0", {0, 0}, true, {0, 0}, {1, 0}, INGEST_NEXT},
		{"a new source, prev ahead", {0, 0}, true, {3, 0}, {4, 0}, INGEST_GAP},
		{"the next one", {7, 0}, false, {0, 0}, {8, 0}, INGEST_NEXT},
		{"a jump without prev", {7, 0}, false, {0, 0}, {20, 0}, INGEST_NEXT},
		{"prev matches", {7, 0}, true, {7, 0}, {8, 0}, INGEST_NEXT},
		{"prev ahead: a gap", {7, 0}, true, {9, 0}, {10, 0}, INGEST_GAP},
		{"prev behind: a gap", {7, 0}, true, {5, 0}, {8, 0}, INGEST_GAP},
		{"the same again", {7, 0}, false, {0, 0}, {7, 0}, INGEST_DUPLICATE},
		{"an older one", {7, 0}, false, {0, 0}, {3, 0}, INGEST_DUPLICATE},
		{"a duplicate with prev", {7, 0}, true, {6, 0}, {7, 0}, INGEST_DUPLICATE},
		{"not after prev", {7, 0}, true, {9, 0}, {9, 0}, INGEST_OUT_OF_ORDER},
		{"before prev", {7, 0}, true, {9, 0}, {8, 0}, INGEST_OUT_OF_ORDER},
		{"minor counts", {7, 2}, false, {0, 0}, {7, 3}, INGEST_NEXT},
		{"minor duplicate", {7, 2}, false, {0, 0}, {7, 2}, INGEST_DUPLICATE},
		{"minor prev", {7, 2}, true, {7, 2}, {8, 0}, INGEST_NEXT},
		{"minor gap", {7, 2}, true, {7, 1}, {8, 0}, INGEST_GAP},
		{"at the top", {TOP, TOP - 1}, true, {TOP, TOP - 1}, {TOP, TOP}, INGEST_NEXT},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum ingest_order got = ingest_order(cases[i].taken,
						     cases[i].prev_known ? &cases[i].prev : NULL,
						     cases[i].ev);
		if (got != cases[i].want)
			fail_msg("%s: got %d, want %d", cases[i].what, got, cases[i].want);
	}
}

static void test_event_pos(void **state)
{
	Assist__Event ev = ASSIST__EVENT__INIT;
	Assist__Position p = ASSIST__POSITION__INIT;
	struct pos got;

	ev.seq = 42;
	got = ingest_event_pos(&ev);
	assert_true(got.major == 42 && got.minor == 0);
	p.major = 5;
	p.minor = 6;
	ev.position = &p; /* a position wins over seq */
	got = ingest_event_pos(&ev);
	assert_true(got.major == 5 && got.minor == 6);
}

/* An event of a batch of source "civil": its source field, and its
 * position (or, with seq, seq = major and no position). */
struct spec {
	const char *source;
	uint64_t major, minor;
	bool seq;
};

static const char *refused(const struct spec *s, size_t n, const Assist__Position *prev,
			   char *msg, size_t len)
{
	Assist__Batch b = ASSIST__BATCH__INIT;
	Assist__Event evs[8], *ptrs[8];
	Assist__Position pos[8];

	assert_true(n <= 8);
	for (size_t i = 0; i < n; i++) {
		assist__event__init(&evs[i]);
		assist__position__init(&pos[i]);
		evs[i].source = (char *)s[i].source;
		if (s[i].seq) {
			evs[i].seq = s[i].major;
		} else {
			pos[i].major = s[i].major;
			pos[i].minor = s[i].minor;
			evs[i].position = &pos[i];
		}
		ptrs[i] = &evs[i];
	}
	b.source = "civil";
	b.events = ptrs;
	b.n_events = n;
	b.prev = (Assist__Position *)prev;
	msg[0] = '\0';
	return ingest_batch_refused(&b, "civil", msg, len) ? msg : NULL;
}

static void test_batch_refused(void **state)
{
	static const Assist__Position prev_top = {PROTOBUF_C_MESSAGE_INIT(&assist__position__descriptor),
						  TOP + 1, 0};
	static const struct {
		struct spec events[3];
		size_t n;
		const Assist__Position *prev;
		const char *want; /* NULL: taken */
	} cases[] = {
		{{{"", 1, 0, false}, {"civil", 2, 0, false}}, 2, NULL, NULL},
		{{{"", 1, 0, true}, {"", 2, 0, true}}, 2, NULL, NULL},
		{{{"", TOP, TOP, false}}, 1, NULL, NULL},
		{{{"", 1, 0, false}, {"health", 2, 0, false}},
		 2,
		 NULL,
		 "batch.events[1].source: \"health\" differs from batch.source; a batch holds one "
		 "source's events"},
		{{{"", TOP + 1, 0, false}}, 1, NULL,
		 "batch.events[0].position.major: must not be above 9223372036854775807"},
		{{{"", 1, TOP + 1, false}}, 1, NULL,
		 "batch.events[0].position.minor: must not be above 9223372036854775807"},
		{{{"", TOP + 1, 0, true}}, 1, NULL,
		 "batch.events[0].seq: must not be above 9223372036854775807"},
		{{{"", 0, 0, true}}, 1, NULL,
		 "batch.events[0].seq: is required (positions start at 1)"},
		{{{"", 0, 0, false}}, 1, NULL,
		 "batch.events[0].position: is required (positions start at 1)"},
		{{{"", 3, 0, false}, {"", 3, 0, false}}, 2, NULL,
		 "batch.events[1].position: 3 is not after 3 (events of a batch go in strictly "
		 "increasing position order)"},
		{{{"", 3, 2, false}, {"", 3, 1, false}}, 2, NULL,
		 "batch.events[1].position: 3/1 is not after 3/2 (events of a batch go in strictly "
		 "increasing position order)"},
		{{{"", 1, 0, false}}, 1, &prev_top,
		 "batch.prev.major: must not be above 9223372036854775807"},
	};
	char msg[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = refused(cases[i].events, cases[i].n, cases[i].prev, msg,
					  sizeof(msg));
		if (cases[i].want == NULL && got != NULL)
			fail_msg("case %zu: refused: %s", i, got);
		if (cases[i].want != NULL)
			assert_string_equal(got != NULL ? got : "(taken)", cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pos_cmp),
		cmocka_unit_test(test_pos_decimal),
		cmocka_unit_test(test_pos_limit),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_event_pos),
		cmocka_unit_test(test_batch_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
