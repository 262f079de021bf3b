/* The explanation of a decision, packed, shows as the same JSON as before it
 * moved into trace.c (golden strings): a ledger, a benefit, a bare decision. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pbjson.h"
#include "policy/rules.h"

static const char ledger_json[] =
	"{\"subject\":\"ledger B-1 medical_assistance\",\"scheme\":\"medical_assistance\""
	",\"ref\":\"B-1\",\"rule\":\"medical.assistance\",\"params\":[{\"name\":\"medical.assi"
	"stance.rate\",\"value\":7000,\"unit\":\"bp\",\"effective\":\"2025-01-01\",\"clause\":"
	"\"4.2\"},{\"name\":\"medical.assistance.cap\",\"value\":800000,\"effective\":\"2008"
	"-01-01\"}],\"inputs\":[{\"name\":\"bill\",\"value\":\"1019500\"},{\"name\":\"category\""
	",\"value\":\"three_noes\"}],\"sources\":[{\"major\":5,\"minor\":7}],\"source\":\"heal"
	"th\",\"result\":\"paid 319500\"}";

static const char benefit_json[] =
	"{\"subject\":\"benefit urban_dibao\",\"scheme\":\"urban_dibao\",\"rule\":\"medical."
	"assistance\",\"params\":[{\"name\":\"medical.assistance.rate\",\"value\":7000,\"un"
	"it\":\"bp\",\"effective\":\"2025-01-01\",\"clause\":\"4.2\"},{\"name\":\"medical.assis"
	"tance.cap\",\"value\":800000,\"effective\":\"2008-01-01\"}],\"inputs\":[{\"name\":\""
	"bill\",\"value\":\"1019500\"},{\"name\":\"category\",\"value\":\"three_noes\"}],\"sour"
	"ces\":[{}],\"source\":\"civil_affairs\",\"result\":\"paid 319500\"}";

/* A trace with two parameters (one without unit and clause) and two inputs. */
static void fill_trace(struct trace *t)
{
	trace_init(t, "medical.assistance");
	t->params[0] = (struct trace_param){"medical.assistance.rate", 7000, 20250101, "bp", "4.2"};
	t->params[1] = (struct trace_param){"medical.assistance.cap", 800000, 20080101, NULL, NULL};
	t->n_params = 2;
	trace_input(t, "bill", "%d", 1019500);
	trace_input(t, "category", "three_noes");
	trace_result(t, "paid %d", 319500);
}

/* The packed explanation, unpacked, as explain's JSON shows it. */
static void assert_json(uint8_t *packed, size_t len, const char *want)
{
	Assist__Explanation *ex;
	json_t *j;
	char *got;

	assert_non_null(packed);
	ex = assist__explanation__unpack(NULL, len, packed);
	assert_non_null(ex);
	j = pbjson_encode(&ex->base, 0);
	assert_non_null(j);
	got = json_dumps(j, JSON_COMPACT);
	assert_string_equal(got, want);
	free(got);
	json_decref(j);
	assist__explanation__free_unpacked(ex, NULL);
	free(packed);
}

/* An input's text as snprintf would make it: formatted, or a text as it is
 * (cut to fit), and its name cut to fit too. */
static void test_inputs(void **state)
{
	static const char long_text[] = "0123456789012345678901234567890123456789"
					"0123456789012345678901234567890123456789+";
	static const char long_name[] = "a name longer than the forty bytes a name has";
	struct trace t;
	char want[sizeof(t.inputs[0].value)];

	trace_init(&t, "rule");
	trace_input(&t, "bill", "%d", 1019500);
	trace_input(&t, "category", "%s", "three_noes");
	trace_input(&t, "long", "%s", long_text);
	trace_input(&t, long_name, "%s (%s)", "a", "b");
	assert_int_equal(t.n_inputs, 4);
	assert_string_equal(t.inputs[0].value, "1019500");
	assert_string_equal(t.inputs[1].value, "three_noes");
	snprintf(want, sizeof(want), "%s", long_text);
	assert_string_equal(t.inputs[2].value, want);
	assert_int_equal(strlen(t.inputs[2].value), sizeof(want) - 1);
	assert_string_equal(t.inputs[3].value, "a (b)");
	assert_int_equal(strlen(t.inputs[3].name), sizeof(t.inputs[3].name) - 1);
	assert_memory_equal(t.inputs[3].name, long_name, sizeof(t.inputs[3].name) - 1);
}

static void test_ledger(void **state)
{
	struct decision d = {.type = DEC_LEDGER};
	uint8_t *packed;
	size_t len;

	snprintf(d.u.ledger.ref, sizeof(d.u.ledger.ref), "B-1");
	d.u.ledger.scheme = ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE;
	fill_trace(&d.trace);
	packed = trace_pack(&d, "ledger B-1 medical_assistance", "health", 5, 7, &len);
	assert_json(packed, len, ledger_json);
}

static void test_benefit(void **state)
{
	struct decision d = {.type = DEC_BENEFIT};
	uint8_t *packed;
	size_t len;

	d.u.benefit.scheme = ASSIST__SCHEME__SCHEME_URBAN_DIBAO;
	fill_trace(&d.trace);
	packed = trace_pack(&d, "benefit urban_dibao", "civil_affairs", 0, 0, &len);
	assert_json(packed, len, benefit_json);
}

/* No rule, no parameters, no inputs: only the position. */
static void test_bare(void **state)
{
	struct decision d = {.type = DEC_ALERT};
	uint8_t *packed;
	size_t len;

	packed = trace_pack(&d, "", "", 1, 2, &len);
	assert_json(packed, len, "{\"sources\":[{\"major\":1,\"minor\":2}]}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inputs),
		cmocka_unit_test(test_ledger),
		cmocka_unit_test(test_benefit),
		cmocka_unit_test(test_bare),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
