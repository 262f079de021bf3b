/* A simulation (daemon/simulate.c) without the store: the source and the
 * number an event is taken with, what the checks refuse, a family from
 * scratch, and a simulation about a household the world holds, which starts
 * from its state and leaves it as it was. The rules run on the shipped
 * parameters. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pbjson.h"
#include "policytest.h"
#include "simulate.h"
#include "stored.h"
#include "worldtest.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define ID_1 "420704198001010015"
#define ID_2 "420704198202020025"
#define ID_BAD "420704198001010016"

static struct params *params;
static struct roles *roles;

static int load(void **state)
{
	char err[256];

	if (policytest_params(NULL, &params) < 0)
		return -1;
	if (roles_parse(NULL, "", &roles, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int unload(void **state)
{
	params_free(params);
	roles_free(roles);
	return 0;
}

/* The event of a JSON line (the test fails if it does not decode). */
static Assist__Event *event(const char *json)
{
	json_t *j = json_loads(json, 0, NULL);
	ProtobufCMessage *m = NULL;
	char err[256];

	assert_non_null(j);
	if (pbjson_decode(&assist__event__descriptor, j, &m, err, sizeof(err)) < 0)
		fail_msg("%s: %s", json, err);
	json_decref(j);
	return (Assist__Event *)m;
}

static void free_events(Assist__Event **evs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		protobuf_c_message_free_unpacked(&evs[i]->base, NULL);
}

#define HOUSEHOLD(id, income)                                                                  \
	"{\"kind\":\"household\",\"household\":{\"household_id\":\"" id "\",\"members\":3,"    \
	"\"monthly_income_fen\":" #income ",\"area\":\"city\"}}"
/* A change of the household's income holding from the day from. */
#define HOUSEHOLD_FROM(id, income, from)                                                       \
	"{\"kind\":\"household\",\"household\":{\"household_id\":\"" id "\","              \
	"\"monthly_income_fen\":" #income ",\"effective_on\":\"" from "\"}}"
#define PERSON(id, hh)                                                                         \
	"{\"kind\":\"person\",\"person\":{\"id_number\":\"" id "\",\"household_id\":\"" hh     \
	"\",\"hukou\":\"urban\",\"area\":\"city\"}}"
#define DIBAO(id)                                                                              \
	"{\"kind\":\"enrollment\",\"enrollment\":{\"id_number\":\"" id                         \
	"\",\"scheme\":\"urban_dibao\",\"start_date\":\"2026-01-01\"}}"

static void test_source_and_number(void **state)
{
	static const struct {
		const char *json;
		const char *source;
		uint64_t number;
	} cases[] = {
		{PERSON(ID_1, "H"), "civil_affairs", 7},
		{"{\"kind\":\"medical_claim\"}", "health", 7},
		{"{\"kind\":\"payment_run\"}", "finance", 7},
		{"{\"source\":\"labor\",\"seq\":12,\"kind\":\"medical_claim\"}", "labor", 12},
		{"{\"position\":{\"major\":9,\"minor\":2},\"kind\":\"status\"}", "civil_affairs", 9},
		{"{\"seq\":0}", NULL, 7},
	};

	for (size_t i = 0; i < N(cases); i++) {
		Assist__Event *ev = event(cases[i].json);
		const char *src = simulate_source(ev);

		if (cases[i].source == NULL)
			assert_null(src);
		else
			assert_string_equal(src, cases[i].source);
		assert_int_equal(simulate_number(ev, 7), cases[i].number);
		free_events(&ev, 1);
	}
}

/* What the checks refuse, each with its field; the rest go to the load. */
static void test_check(void **state)
{
	static const struct {
		const char *json;
		const char *field; /* NULL: valid */
	} cases[] = {
		{PERSON(ID_1, "H"), NULL},
		{PERSON(ID_BAD, "H"), "person.id_number"},
		{"{\"kind\":\"person\"}", "event.person"},
		{"{\"source\":\"education\",\"kind\":\"medical_claim\",\"medical_claim\":{"
		 "\"claim_id\":\"X\",\"id_number\":\"" ID_1 "\",\"date\":\"2026-03-01\","
		 "\"setting\":\"outpatient\",\"disease\":\"common\",\"total_fen\":1,"
		 "\"insurer\":\"none\"}}",
		 "event.kind"},
		{"{\"source\":\"standards\",\"kind\":\"payment_run\","
		 "\"payment_run\":{\"month\":\"2026-03\"}}",
		 "event.source"},
		{"{\"source\":\"nowhere\",\"kind\":\"payment_run\","
		 "\"payment_run\":{\"month\":\"2026-03\"}}",
		 "event.source"},
	};
	Assist__Event *evs[N(cases)];
	struct simulation s;

	for (size_t i = 0; i < N(cases); i++)
		evs[i] = event(cases[i].json);
	assert_int_equal(simulate_check(&s, roles, evs, N(cases)), 0);
	assert_int_equal(s.n_valid, 1);
	assert_ptr_equal(s.valid[0], evs[0]);
	for (size_t i = 0; i < N(cases); i++) {
		assert_int_equal(s.events[i].rejected, cases[i].field != NULL);
		assert_int_equal(s.events[i].number, i + 1);
		if (cases[i].field != NULL)
			assert_string_equal(s.events[i].v.field, cases[i].field);
	}
	simulate_free(&s);
	free_events(evs, N(cases));
}

/* The record of id in s's reply, or NULL. */
static const Assist__RecipientRecord *record_of(const struct simulation *s, const char *id,
						size_t *at)
{
	for (size_t i = 0; i < s->reply.n_records; i++) {
		if (strcmp(s->reply.records[i]->id_number, id) == 0) {
			*at = i;
			return s->reply.records[i];
		}
	}
	return NULL;
}

static int64_t dibao_of(const Assist__RecipientRecord *r)
{
	for (size_t i = 0; i < r->n_benefits; i++) {
		if (r->benefits[i]->scheme == ASSIST__SCHEME__SCHEME_URBAN_DIBAO)
			return r->benefits[i]->monthly_fen;
	}
	return -1;
}

/* Simulate the JSON lines against real; the caller frees s and the events. */
static void run(struct simulation *s, const struct world *real, const char *const *lines,
		size_t n, Assist__Event **evs)
{
	for (size_t i = 0; i < n; i++)
		evs[i] = event(lines[i]);
	assert_int_equal(simulate_check(s, roles, evs, n), 0);
	assert_int_equal(simulate_apply(s, real, params, 20260331), 0);
}

static void test_from_scratch(void **state)
{
	static const char *const lines[] = {HOUSEHOLD("S", 30000), PERSON(ID_1, "S"),
					    DIBAO(ID_1), PERSON(ID_2, "S"), DIBAO(ID_2)};
	struct world empty = {0};
	Assist__Event *evs[N(lines)];
	const Assist__RecipientRecord *r;
	struct simulation s;
	size_t at;

	run(&s, &empty, lines, N(lines), evs);
	assert_int_equal(s.reply.n_records, 2);
	assert_int_equal(s.reply.n_explanations, 2);
	assert_int_equal(s.reply.n_rejections, 0);
	assert_non_null(r = record_of(&s, ID_1, &at));
	assert_int_equal(at, 0);
	assert_int_equal(dibao_of(r), 8500);
	assert_string_equal(s.reply.explanations[at]->id_number, ID_1);
	assert_true(s.reply.explanations[at]->n_items > 0);
	assert_string_equal(s.reply.explanations[at]->items[0]->subject, "benefit urban_dibao");
	assert_string_equal(s.reply.explanations[at]->items[0]->source, "civil_affairs");
	assert_int_equal(empty.persons.n, 0);
	simulate_free(&s);
	free_events(evs, N(lines));
}

/* The packed stored forms of every person of w, concatenated by ID. */
static size_t packed(const struct world *w, const char *const *ids, size_t n, uint8_t *out,
		     size_t cap)
{
	size_t used = 0;

	for (size_t i = 0; i < n; i++) {
		size_t len;
		uint8_t *d = stored_pack_person(strmap_get(&w->persons, ids[i]), &len);
		assert_non_null(d);
		assert_true(used + len <= cap);
		memcpy(out + used, d, len);
		used += len;
		free(d);
	}
	return used;
}

/* A household the world holds: an income rise from 2026-03-01, shown as of
 * 2026-03-31, and a claim seen before, from its state; the world keeps it. */
static void test_existing(void **state)
{
	static const char *const real_lines[] = {HOUSEHOLD("R", 30000), PERSON(ID_1, "R"),
						 DIBAO(ID_1), PERSON(ID_2, "R"), DIBAO(ID_2)};
	static const char *const ids[] = {ID_1, ID_2};
	static const char *const lines[] = {HOUSEHOLD_FROM("R", 45000, "2026-03-01")};
	static uint8_t before[1 << 16], after[1 << 16];
	Assist__Event *evs[N(lines)];
	struct worldtest f;
	struct verdict reject;
	struct simulation s;
	size_t at, n_before;

	worldtest_init(&f, params, "civil_affairs");
	for (size_t i = 0; i < N(real_lines); i++) {
		Assist__Event *ev = event(real_lines[i]);
		assert_int_equal(worldtest_apply(&f, ev, &reject), 0);
		ev->source = NULL; /* worldtest's, not the event's */
		free_events(&ev, 1);
	}
	world_take_changes(&f.w);
	n_before = packed(&f.w, ids, N(ids), before, sizeof(before));

	run(&s, &f.w, lines, N(lines), evs);
	assert_int_equal(s.reply.n_records, 2);
	assert_int_equal(dibao_of(record_of(&s, ID_1, &at)), 3500);
	assert_int_equal(dibao_of(record_of(&s, ID_2, &at)), 3500);
	simulate_free(&s);
	free_events(evs, N(lines));

	assert_int_equal(packed(&f.w, ids, N(ids), after, sizeof(after)), n_before);
	assert_memory_equal(after, before, n_before);
	assert_int_equal(f.w.n_changed_p, 0);
	assert_int_equal(f.w.n_changed_h, 0);
	worldtest_free(&f);
}

/* A claim decided again with other figures in one simulation (not as a
 * correction): the rules reject the second with its number, the first
 * still counts. */
static void test_claim_again(void **state)
{
#define CLAIM(total)                                                                           \
	"{\"kind\":\"medical_claim\",\"medical_claim\":{\"claim_id\":\"C\",\"id_number\":\"" ID_1 \
	"\",\"date\":\"2026-03-01\",\"setting\":\"inpatient\",\"hospital\":\"huimin\","         \
	"\"disease\":\"major\",\"total_fen\":" #total ",\"insurer\":\"huimin\"}}"
	static const char *const lines[] = {HOUSEHOLD("S", 30000), PERSON(ID_1, "S"),
					    DIBAO(ID_1), CLAIM(1000000), CLAIM(2000000)};
	struct world empty = {0};
	Assist__Event *evs[N(lines)];
	const Assist__RecipientRecord *r;
	struct simulation s;
	size_t at;

	run(&s, &empty, lines, N(lines), evs);
	assert_int_equal(s.reply.n_rejections, 1);
	assert_int_equal(s.reply.rejections[0]->position->major, 5);
	assert_non_null(r = record_of(&s, ID_1, &at));
	assert_int_equal(r->n_ledger, 2); /* huimin and medical assistance, once */
	simulate_free(&s);
	free_events(evs, N(lines));
}

/* A payment run (finance's, by default) pays the persons of the copy only. */
static void test_payment_run(void **state)
{
	static const char *const lines[] = {
		HOUSEHOLD("S", 30000), PERSON(ID_1, "S"), DIBAO(ID_1),
		"{\"kind\":\"payment_run\",\"payment_run\":{\"month\":\"2026-03\"}}"};
	struct world empty = {0};
	Assist__Event *evs[N(lines)];
	const Assist__RecipientRecord *r;
	struct simulation s;
	size_t at;

	run(&s, &empty, lines, N(lines), evs);
	assert_int_equal(s.reply.n_rejections, 0);
	assert_non_null(r = record_of(&s, ID_1, &at));
	assert_int_equal(r->n_ledger, 1);
	assert_string_equal(r->ledger[0]->period, "2026-03");
	assert_int_equal(r->ledger[0]->amount_fen, dibao_of(r));
	simulate_free(&s);
	free_events(evs, N(lines));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source_and_number),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_from_scratch),
		cmocka_unit_test(test_existing),
		cmocka_unit_test(test_claim_again),
		cmocka_unit_test(test_payment_run),
	};

	return cmocka_run_group_tests(tests, load, unload);
}
