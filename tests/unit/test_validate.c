/* Event validation: one row per rule, the reason exactly as senders read it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <string.h>

#include "assist.pb-c.h"
#include "pbjson.h"
#include "utf8.h"
#include "validate.h"

struct row {
	const char *json;  /* the event */
	const char *field; /* NULL: valid */
	const char *reason;
	int date;          /* the event date validation reports (valid rows) */
};

#define ID "420704198001010015"
#define ID_LOWER_X "11010519491231002x"

static const struct row rows[] = {
	{"{\"kind\":\"person\",\"person\":{\"id_number\":\"" ID "\",\"name\":\"Zhang\"}}", NULL, NULL, 0},
	{"{\"kind\":\"person\",\"person\":{\"id_number\":\"420704198001010016\"}}",
	 "person.id_number", "check character does not match", 0},
	{"{\"kind\":\"person\",\"person\":{\"id_number\":\"42070419800101001\"}}",
	 "person.id_number", "must be 18 characters", 0},
	{"{\"kind\":\"person\",\"person\":{\"id_number\":\"420704198002300017\"}}",
	 "person.id_number", "birth date is not a valid date", 0},
	{"{\"kind\":\"person\",\"person\":{\"id_number\":\"\"}}", "person.id_number", "is required", 0},
	{"{\"kind\":\"person\",\"person\":{\"id_number\":\"" ID "\",\"deceased_on\":\"2026-13-01\"}}",
	 "person.deceased_on", "\"2026-13-01\" is not a date (YYYY-MM-DD)", 0},
	{"{\"kind\":\"person\"}", "event.person", "is required for kind person", 0},
	{"{\"person\":{\"id_number\":\"" ID "\"}}", "event.kind", "is required", 0},
	{"{\"kind\":\"household\",\"household\":{\"household_id\":\"H1\",\"monthly_income_fen\":0}}", NULL, NULL, 0},
	{"{\"kind\":\"household\",\"household\":{\"household_id\":\"H1\",\"monthly_income_fen\":-1}}",
	 "household.monthly_income_fen", "must not be negative", 0},
	{"{\"kind\":\"household\",\"household\":{\"members\":2}}", "household.household_id", "is required", 0},
	{"{\"kind\":\"household\",\"household\":{\"household_id\":\"H1\",\"members\":101}}",
	 "household.members", "must be between 0 and 100", 0},
	{"{\"kind\":\"household\",\"household\":{\"household_id\":\"H1\",\"housing_area_m2\":-0.5}}",
	 "household.housing_area_m2", "must be a number not below 0", 0},
	{"{\"kind\":\"status\",\"status\":{\"id_number\":\"" ID "\",\"category\":\"marginal\",\"since\":\"2026-02-01\"}}",
	 NULL, NULL, 20260201},
	{"{\"kind\":\"status\",\"status\":{\"id_number\":\"" ID "\"}}", "status.category", "is required", 0},
	{"{\"kind\":\"enrollment\",\"enrollment\":{\"id_number\":\"" ID "\",\"scheme\":\"urban_dibao\",\"start_date\":\"2026-01-01\"}}",
	 NULL, NULL, 20260101},
	{"{\"kind\":\"enrollment\",\"enrollment\":{\"id_number\":\"" ID "\",\"scheme\":\"urban_dibao\"}}",
	 "enrollment.start_date", "is required", 0},
	{"{\"kind\":\"enrollment\",\"enrollment\":{\"id_number\":\"" ID "\",\"scheme\":\"urban_dibao\",\"start_date\":\"2026-02-01\",\"end_date\":\"2026-01-31\"}}",
	 "enrollment.end_date", "is before start_date", 0},
	{"{\"kind\":\"medical_claim\",\"medical_claim\":{\"claim_id\":\"B1\",\"id_number\":\"" ID "\",\"date\":\"2026-03-01\",\"setting\":\"inpatient\",\"hospital\":\"huimin\",\"disease\":\"major\",\"total_fen\":1000000,\"insurer\":\"huimin\"}}",
	 NULL, NULL, 20260301},
	{"{\"kind\":\"medical_claim\",\"medical_claim\":{\"claim_id\":\"B1\",\"id_number\":\"" ID "\",\"date\":\"2026-03-01\",\"setting\":\"inpatient\",\"disease\":\"major\",\"total_fen\":1000000,\"insurer\":\"huimin\"}}",
	 "medical_claim.hospital", "is required", 0},
	{"{\"kind\":\"medical_claim\",\"medical_claim\":{\"claim_id\":\"B1\",\"id_number\":\"" ID "\",\"date\":\"2026-03-01\",\"setting\":\"outpatient\",\"disease\":\"chronic\",\"total_fen\":1000,\"insurer\":\"none\"}}",
	 NULL, NULL, 20260301},
	{"{\"kind\":\"medical_claim\",\"medical_claim\":{\"claim_id\":\"B1\",\"id_number\":\"" ID "\",\"date\":\"2026-03-01\",\"setting\":\"inpatient\",\"hospital\":\"huimin\",\"disease\":\"major\",\"total_fen\":-1,\"insurer\":\"huimin\"}}",
	 "medical_claim.total_fen", "must not be negative", 0},
	{"{\"kind\":\"medical_claim\",\"medical_claim\":{\"claim_id\":\"B1\",\"id_number\":\"" ID "\",\"date\":\"2026-03-01\",\"setting\":\"inpatient\",\"hospital\":\"huimin\",\"disease\":\"major\",\"total_fen\":100,\"eligible_fen\":101,\"insurer\":\"huimin\"}}",
	 "medical_claim.eligible_fen", "exceeds total_fen", 0},
	{"{\"kind\":\"medical_claim\",\"medical_claim\":{\"claim_id\":\"B1\",\"id_number\":\"" ID "\",\"date\":\"2026-03-01\",\"setting\":\"inpatient\",\"hospital\":\"huimin\",\"disease\":\"major\",\"total_fen\":100,\"insurer\":\"huimin\",\"insurer_paid_fen\":101}}",
	 "medical_claim.insurer_paid_fen", "exceeds total_fen", 0},
	{"{\"kind\":\"medical_claim\",\"medical_claim\":{\"id_number\":\"" ID "\",\"date\":\"2026-03-01\",\"setting\":\"inpatient\",\"hospital\":\"huimin\",\"disease\":\"major\",\"total_fen\":100,\"insurer\":\"huimin\"}}",
	 "medical_claim.claim_id", "is required", 0},
	{"{\"kind\":\"education_aid\",\"education_aid\":{\"claim_id\":\"E1\",\"id_number\":\"" ID "\",\"scheme\":\"huimin\",\"stage\":\"primary\",\"term\":\"2026-1\"}}",
	 "education_aid.scheme", "is not an education scheme", 0},
	{"{\"kind\":\"education_aid\",\"education_aid\":{\"claim_id\":\"E1\",\"id_number\":\"" ID "\",\"scheme\":\"misc_fee_exemption\",\"stage\":\"primary\",\"term\":\"2026-1\"}}",
	 NULL, NULL, 0},
	{"{\"kind\":\"training\",\"training\":{\"claim_id\":\"T1\",\"id_number\":\"" ID "\",\"program\":\"sunshine\",\"started_on\":\"2026-03-01\",\"completed_on\":\"2026-02-01\",\"days\":31}}",
	 "training.completed_on", "is before started_on", 0},
	{"{\"kind\":\"training\",\"training\":{\"claim_id\":\"T1\",\"id_number\":\"" ID "\",\"program\":\"sunshine\",\"started_on\":\"2026-03-01\",\"completed_on\":\"2026-04-01\",\"days\":-3}}",
	 "training.days", "must not be negative", 0},
	{"{\"kind\":\"training\",\"training\":{\"claim_id\":\"T1\",\"id_number\":\"" ID "\",\"program\":\"sunshine\",\"started_on\":\"2026-03-01\",\"completed_on\":\"2026-04-01\",\"days\":31}}",
	 NULL, NULL, 20260401},
	{"{\"kind\":\"housing_aid\",\"housing_aid\":{\"claim_id\":\"HA1\",\"household_id\":\"H1\",\"scheme\":\"rural_repair\",\"date\":\"2026-05-01\"}}",
	 NULL, NULL, 20260501},
	{"{\"kind\":\"housing_aid\",\"housing_aid\":{\"claim_id\":\"HA1\",\"household_id\":\"H1\",\"scheme\":\"sunshine_training\",\"date\":\"2026-05-01\"}}",
	 "housing_aid.scheme", "is not a housing scheme", 0},
	{"{\"kind\":\"housing_aid\",\"housing_aid\":{\"claim_id\":\"HA1\",\"household_id\":\"H1\",\"scheme\":\"rent_reduction\",\"date\":\"2026-05-01\",\"rent_fen\":-100}}",
	 "housing_aid.rent_fen", "must not be negative", 0},
	{"{\"invalid_reason\":\"hosp_bill.grade: unknown code 9\"}", "hosp_bill.grade",
	 "unknown code 9", 0},
	{"{\"kind\":\"medical_claim\",\"invalid_reason\":\"the row has no key\"}",
	 "medical_claim", "the row has no key", 0},
	{"{\"invalid_reason\":\"a reason: with words before\"}", "event",
	 "a reason: with words before", 0},
};

static Assist__Event *decode(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);
	ProtobufCMessage *m = NULL;
	char err[256];

	if (j == NULL)
		return NULL;
	if (pbjson_decode(&assist__event__descriptor, j, &m, err, sizeof(err)) < 0) {
		json_decref(j);
		return NULL;
	}
	json_decref(j);
	return (Assist__Event *)m;
}

static void test_rows(void **state)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		Assist__Event *ev = decode(r->json);
		struct verdict v;
		int rc;

		assert_non_null(ev);
		rc = validate_event(ev, &v);
		if (r->field == NULL) {
			if (rc != 0)
				fail_msg("row %zu: unexpected %s: %s", i, v.field, v.reason);
			assert_int_equal(v.date, r->date);
		} else {
			assert_int_equal(rc, -22);
			if (strcmp(v.field, r->field) != 0 || strcmp(v.reason, r->reason) != 0)
				fail_msg("row %zu: got %s: %s", i, v.field, v.reason);
		}
		protobuf_c_message_free_unpacked(&ev->base, NULL);
	}
}

static void test_lower_case_x_normalized(void **state)
{
	Assist__Event *ev = decode("{\"kind\":\"person\",\"person\":{\"id_number\":\"" ID_LOWER_X "\"}}");
	struct verdict v;

	assert_non_null(ev);
	assert_int_equal(validate_event(ev, &v), 0);
	assert_string_equal(ev->person->id_number, "11010519491231002X");
	assert_string_equal(validate_subject(ev), "11010519491231002X");
	assert_string_equal(validate_kind_name(ev), "person");
	protobuf_c_message_free_unpacked(&ev->base, NULL);
}

/* An event whose text field holding "@BAD@" gets invalid UTF-8 there,
 * whatever the field: replaced in the packed bytes, then unpacked. */
static Assist__Event *decode_poisoned(const char *text)
{
	Assist__Event *ev = decode(text);
	uint8_t buf[4096];
	size_t len;
	uint8_t *at;

	if (ev == NULL)
		return NULL;
	len = protobuf_c_message_pack(&ev->base, buf);
	protobuf_c_message_free_unpacked(&ev->base, NULL);
	while ((at = memmem(buf, len, "@BAD@", 5)) != NULL)
		memcpy(at, "Li\xff\xc3(", 5); /* a stray byte, then a broken sequence */
	return assist__event__unpack(NULL, len, buf);
}

#define CLAIM "\"id_number\":\"" ID "\",\"date\":\"2026-03-01\",\"setting\":\"outpatient\",\"disease\":\"chronic\",\"total_fen\":1000,\"insurer\":\"none\""

static void test_invalid_utf8_in_any_field(void **state)
{
	static const struct {
		const char *json, *field;
	} cases[] = {
		{"{\"kind\":\"person\",\"person\":{\"id_number\":\"" ID "\",\"name\":\"@BAD@\"}}", "person.name"},
		{"{\"kind\":\"person\",\"person\":{\"id_number\":\"" ID "\",\"household_id\":\"@BAD@\"}}", "person.household_id"},
		{"{\"kind\":\"person\",\"person\":{\"id_number\":\"" ID "\",\"place\":{\"district\":\"@BAD@\"}}}", "person.place.district"},
		{"{\"kind\":\"person\",\"person\":{\"id_number\":\"" ID "\",\"place\":{\"community\":\"C @BAD@\"}}}", "person.place.community"},
		{"{\"kind\":\"person\",\"person\":{\"id_number\":\"" ID "\",\"deceased_on\":\"@BAD@\"}}", "person.deceased_on"},
		{"{\"kind\":\"household\",\"household\":{\"household_id\":\"@BAD@\"}}", "household.household_id"},
		{"{\"kind\":\"status\",\"status\":{\"id_number\":\"" ID "\",\"category\":\"marginal\",\"class\":\"@BAD@\"}}", "status.class"},
		{"{\"kind\":\"medical_claim\",\"medical_claim\":{\"claim_id\":\"@BAD@\"," CLAIM "}}", "medical_claim.claim_id"},
		{"{\"kind\":\"training\",\"training\":{\"claim_id\":\"T1\",\"id_number\":\"" ID "\",\"program\":\"sunshine\",\"started_on\":\"2026-01-01\",\"completed_on\":\"2026-02-01\",\"employed_on\":\"x@BAD@\"}}", "training.employed_on"},
		{"{\"kind\":\"housing_aid\",\"housing_aid\":{\"claim_id\":\"@BAD@\",\"household_id\":\"H1\",\"scheme\":\"urban_rental\",\"date\":\"2026-01-01\"}}", "housing_aid.claim_id"},
		{"{\"kind\":\"person\",\"invalid_reason\":\"person.name: @BAD@\",\"raw\":\"a row\"}", "event.invalid_reason"},
		{"{\"kind\":\"person\",\"invalid_reason\":\"person.name: too long\",\"raw\":\"@BAD@\"}", "event.raw"},
		{"{\"source\":\"@BAD@\",\"kind\":\"person\",\"person\":{\"id_number\":\"" ID "\"}}", "event.source"},
		{"{\"occurred_at\":\"@BAD@\",\"kind\":\"person\",\"person\":{\"id_number\":\"" ID "\"}}", "event.occurred_at"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *want = cases[i].field;
		Assist__Event *ev = decode_poisoned(cases[i].json);
		struct verdict v;

		if (ev == NULL)
			fail_msg("case %zu does not decode", i);
		assert_int_equal(validate_event(ev, &v), -22);
		if (strcmp(v.field, want) != 0 || strcmp(v.reason, "not valid UTF-8") != 0)
			fail_msg("case %zu: got %s: %s", i, v.field, v.reason);
		protobuf_c_message_free_unpacked(&ev->base, NULL);
	}
}

/* Valid multi-byte text passes; a quoted value cut at the reason's size
 * never leaves half a character behind. */
static void test_utf8_text_kept_whole(void **state)
{
	char json[2048], date[700] = "";
	Assist__Event *ev;
	struct verdict v;

	ev = decode("{\"kind\":\"person\",\"person\":{\"id_number\":\"" ID "\",\"name\":\"\u5f20\u4f1f\"}}");
	assert_non_null(ev);
	assert_int_equal(validate_event(ev, &v), 0);
	protobuf_c_message_free_unpacked(&ev->base, NULL);
	for (int i = 0; i < 200; i++)
		strcat(date, "\u5f20");
	snprintf(json, sizeof(json), "{\"kind\":\"status\",\"status\":{\"id_number\":\"" ID "\",\"category\":\"marginal\",\"since\":\"x%s\"}}", date);
	ev = decode(json);
	assert_non_null(ev);
	assert_int_equal(validate_event(ev, &v), -22);
	assert_string_equal(v.field, "status.since");
	assert_true(utf8_valid(v.reason, strlen(v.reason)));
	assert_true(strlen(v.reason) > 150);
	protobuf_c_message_free_unpacked(&ev->base, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_lower_case_x_normalized),
		cmocka_unit_test(test_invalid_utf8_in_any_field),
		cmocka_unit_test(test_utf8_text_kept_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
