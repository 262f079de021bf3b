/* Event validation: one row per rule, the reason exactly as senders read it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <string.h>

#include "assist.pb-c.h"
#include "event.h"
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
	{"{\"kind\":\"payment_run\",\"payment_run\":{\"month\":\"2008-03\"}}", NULL, NULL, 0},
	{"{\"kind\":\"payment_run\",\"payment_run\":{}}", "payment_run.month", "is required", 0},
	{"{\"kind\":\"payment_run\",\"payment_run\":{\"month\":\"2008-13\"}}",
	 "payment_run.month", "\"2008-13\" is not a month (YYYY-MM)", 0},
	{"{\"kind\":\"payment_run\",\"payment_run\":{\"month\":\"2008-03-01\"}}",
	 "payment_run.month", "\"2008-03-01\" is not a month (YYYY-MM)", 0},
	{"{\"kind\":\"payment_run\",\"payment_run\":{\"month\":\"2008-3\"}}",
	 "payment_run.month", "\"2008-3\" is not a month (YYYY-MM)", 0},
	{"{\"kind\":\"application\",\"application\":{\"application_id\":\"A1\",\"id_number\":\"420704198001010015\",\"scheme\":\"urban_dibao\",\"step\":\"submitted\",\"on\":\"2026-01-05\"}}",
	 NULL, NULL, 20260105},
	{"{\"kind\":\"application\",\"application\":{\"application_id\":\"A1\",\"id_number\":\"420704198001010015\",\"scheme\":\"urban_dibao\",\"step\":\"submitted\"}}",
	 "application.on", "is required", 0},
	{"{\"kind\":\"application\",\"application\":{\"id_number\":\"420704198001010015\",\"scheme\":\"urban_dibao\",\"step\":\"submitted\",\"on\":\"2026-01-05\"}}",
	 "application.application_id", "is required", 0},
	{"{\"kind\":\"application\",\"application\":{\"application_id\":\"A1\",\"id_number\":\"420704198001010015\",\"scheme\":\"urban_dibao\",\"on\":\"2026-01-05\"}}",
	 "application.step", "is required", 0},
	{"{\"kind\":\"application\",\"application\":{\"application_id\":\"A1\",\"id_number\":\"420704198001010016\",\"scheme\":\"urban_dibao\",\"step\":\"submitted\",\"on\":\"2026-01-05\"}}",
	 "application.id_number", "check character does not match", 0},
	{"{\"kind\":\"application\",\"application\":{\"application_id\":\"A1\",\"household_id\":\"H1\",\"scheme\":\"urban_rental\",\"step\":\"rejected\",\"on\":\"2026-01-05\",\"note\":\"no\"}}",
	 NULL, NULL, 20260105},
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

/* The longest text of each field passes, one byte more fails: the sizes of
 * the state's arrays less the NUL (and the term's named constant). */
static void test_text_lengths(void **state)
{
	static const struct {
		const char *kind, *field, *rest; /* rest: the payload's other fields */
		size_t max;
	} cases[] = {
		{"person", "name", "\"id_number\":\"" ID "\"", 63},
		{"person", "household_id", "\"id_number\":\"" ID "\"", 47},
		{"household", "household_id", "\"members\":1", 47},
		{"status", "class", "\"id_number\":\"" ID "\",\"category\":\"marginal\"", 15},
		{"enrollment", "class", "\"id_number\":\"" ID "\",\"scheme\":\"urban_dibao\",\"start_date\":\"2026-01-01\"", 7},
		{"medical_claim", "claim_id", CLAIM, 63},
		{"education_aid", "term", "\"claim_id\":\"E1\",\"id_number\":\"" ID "\",\"scheme\":\"misc_fee_exemption\",\"stage\":\"primary\"", 31},
		{"training", "claim_id", "\"id_number\":\"" ID "\",\"program\":\"sunshine\",\"started_on\":\"2026-03-01\",\"completed_on\":\"2026-04-01\"", 63},
		{"housing_aid", "household_id", "\"claim_id\":\"HA1\",\"scheme\":\"rural_repair\",\"date\":\"2026-05-01\"", 47},
		{"person", "place.district", "\"id_number\":\"" ID "\"", 47},
		{"person", "place.town", "\"id_number\":\"" ID "\"", 47},
		{"person", "place.community", "\"id_number\":\"" ID "\"", 63},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *dot = strchr(cases[i].field, '.');
		for (size_t len = cases[i].max; len <= cases[i].max + 1; len++) {
			char json[1024], text[128], want[64], reason[64];
			Assist__Event *ev;
			struct verdict v;

			memset(text, 'a', len);
			text[len] = '\0';
			if (dot != NULL) /* place.district: {"place":{"district":...}} */
				snprintf(json, sizeof(json), "{\"kind\":\"%s\",\"%s\":{%s,\"%.*s\":{\"%s\":\"%s\"}}}",
					 cases[i].kind, cases[i].kind, cases[i].rest,
					 (int)(dot - cases[i].field), cases[i].field, dot + 1, text);
			else
				snprintf(json, sizeof(json), "{\"kind\":\"%s\",\"%s\":{%s,\"%s\":\"%s\"}}",
					 cases[i].kind, cases[i].kind, cases[i].rest, cases[i].field, text);
			ev = decode(json);
			if (ev == NULL)
				fail_msg("case %zu does not decode: %s", i, json);
			if (len == cases[i].max) {
				if (validate_event(ev, &v) != 0)
					fail_msg("case %zu: %zu bytes refused: %s: %s", i, len, v.field, v.reason);
			} else {
				snprintf(want, sizeof(want), "%s.%s", cases[i].kind, cases[i].field);
				snprintf(reason, sizeof(reason), "is longer than %zu bytes", cases[i].max);
				assert_int_equal(validate_event(ev, &v), -22);
				if (strcmp(v.field, want) != 0 || strcmp(v.reason, reason) != 0)
					fail_msg("case %zu: got %s: %s", i, v.field, v.reason);
			}
			protobuf_c_message_free_unpacked(&ev->base, NULL);
		}
	}
}

/* The generic field checks, on a row of made-up rules over a medical claim. */
static const struct event_field generic_rules[] = {
	{.name = "claim_id", .check = EVENT_CHECK_TEXT, .required = true, .max_len = 3},
	{.name = "id_number", .check = EVENT_CHECK_ID},
	{.name = "date", .check = EVENT_CHECK_DATE, .required = true},
	{.name = "setting", .check = EVENT_CHECK_ENUM, .required = true},
	{.name = "hospital", .check = EVENT_CHECK_ENUM, .when_field = "setting",
	 .when_value = ASSIST__SETTING__SETTING_INPATIENT},
	{.name = "disease", .check = EVENT_CHECK_ENUM},
	{.name = "total_fen", .check = EVENT_CHECK_MONEY},
	{.name = "months", .check = EVENT_CHECK_COUNT, .min = 1, .max = 6},
	{0},
};

static int extra_checked;

/* The row's own check: runs only once every rule has passed. */
static int extra_check(ProtobufCMessage *m, struct verdict *v)
{
	extra_checked++;
	return 0;
}

static const struct event_kind generic_row = {
	.kind = ASSIST__KIND__KIND_MEDICAL_CLAIM,
	.payload = ASSIST__EVENT__PAYLOAD_MEDICAL_CLAIM,
	.name = "medical_claim",
	.fields = generic_rules,
	.check = extra_check,
	.date_field = "date",
};

static void generic_valid(Assist__MedicalClaim *c)
{
	*c = (Assist__MedicalClaim)ASSIST__MEDICAL_CLAIM__INIT;
	c->claim_id = "B1";
	c->id_number = NULL; /* set by the test: it is normalized in place */
	c->date = "2026-03-01";
	c->setting = ASSIST__SETTING__SETTING_OUTPATIENT;
	c->total_fen = 100;
	c->months = 1;
}

static void no_claim_id(Assist__MedicalClaim *c)
{
	c->claim_id = "";
}

static void long_claim_id(Assist__MedicalClaim *c)
{
	c->claim_id = "B123";
}

static void no_id(Assist__MedicalClaim *c)
{
	c->id_number[0] = '\0';
}

static void bad_id(Assist__MedicalClaim *c)
{
	c->id_number[17] = '6';
}

static void no_date(Assist__MedicalClaim *c)
{
	c->date = NULL;
}

static void bad_date(Assist__MedicalClaim *c)
{
	c->date = "2026-02-30";
}

static void no_setting(Assist__MedicalClaim *c)
{
	c->setting = 0;
}

static void unknown_setting(Assist__MedicalClaim *c)
{
	c->setting = 9;
}

static void inpatient_no_hospital(Assist__MedicalClaim *c)
{
	c->setting = ASSIST__SETTING__SETTING_INPATIENT;
}

static void unknown_hospital(Assist__MedicalClaim *c)
{
	c->hospital = 99;
}

static void unknown_disease(Assist__MedicalClaim *c)
{
	c->disease = -1;
}

static void negative_total(Assist__MedicalClaim *c)
{
	c->total_fen = -1;
}

static void months_low(Assist__MedicalClaim *c)
{
	c->months = 0;
}

static void months_high(Assist__MedicalClaim *c)
{
	c->months = 7;
}

static void long_claim_negative_total(Assist__MedicalClaim *c)
{
	c->claim_id = "B123";
	c->total_fen = -1;
}

static void bad_date_unknown_setting(Assist__MedicalClaim *c)
{
	c->date = "x";
	c->setting = 9;
}

static void inpatient_with_hospital(Assist__MedicalClaim *c)
{
	c->setting = ASSIST__SETTING__SETTING_INPATIENT;
	c->hospital = ASSIST__HOSPITAL__HOSPITAL_HUIMIN;
}

static void at_the_edges(Assist__MedicalClaim *c)
{
	c->claim_id = "B12";
	c->total_fen = 0;
	c->months = 6;
}

static void test_generic_rules(void **state)
{
	static const struct {
		void (*spoil)(Assist__MedicalClaim *c);
		const char *field, *reason; /* NULL: valid */
	} cases[] = {
		{NULL, NULL, NULL},
		{at_the_edges, NULL, NULL},
		{inpatient_with_hospital, NULL, NULL},
		{no_claim_id, "medical_claim.claim_id", "is required"},
		{long_claim_id, "medical_claim.claim_id", "is longer than 3 bytes"},
		{no_id, "medical_claim.id_number", "is required"},
		{bad_id, "medical_claim.id_number", "check character does not match"},
		{no_date, "medical_claim.date", "is required"},
		{bad_date, "medical_claim.date", "\"2026-02-30\" is not a date (YYYY-MM-DD)"},
		{no_setting, "medical_claim.setting", "is required"},
		{unknown_setting, "medical_claim.setting", "unknown value 9"},
		{inpatient_no_hospital, "medical_claim.hospital", "is required"},
		{unknown_hospital, "medical_claim.hospital", "unknown value 99"},
		{unknown_disease, "medical_claim.disease", "unknown value -1"},
		{negative_total, "medical_claim.total_fen", "must not be negative"},
		{months_low, "medical_claim.months", "must be between 1 and 6"},
		{months_high, "medical_claim.months", "must be between 1 and 6"},
		/* Two failures: the first rule's is the one reported. */
		{long_claim_negative_total, "medical_claim.claim_id", "is longer than 3 bytes"},
		{bad_date_unknown_setting, "medical_claim.date", "\"x\" is not a date (YYYY-MM-DD)"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char id[] = ID_LOWER_X;
		Assist__MedicalClaim c;
		struct verdict v;
		int rc;

		generic_valid(&c);
		c.id_number = id;
		if (cases[i].spoil != NULL)
			cases[i].spoil(&c);
		memset(&v, 0, sizeof(v));
		extra_checked = 0;
		rc = validate_payload(&generic_row, &c.base, &v);
		if (cases[i].field == NULL) {
			if (rc != 0)
				fail_msg("case %zu: unexpected %s: %s", i, v.field, v.reason);
			assert_int_equal(v.date, 20260301); /* the row's date field */
			assert_string_equal(id, "11010519491231002X"); /* normalized */
			assert_int_equal(extra_checked, 1);
		} else {
			assert_int_equal(rc, -22);
			if (strcmp(v.field, cases[i].field) != 0 || strcmp(v.reason, cases[i].reason) != 0)
				fail_msg("case %zu: got %s: %s", i, v.field, v.reason);
			assert_int_equal(extra_checked, 0);
		}
	}
}

/* A row without rules or a check accepts anything. */
static void test_no_rules(void **state)
{
	const struct event_kind row = {.name = "medical_claim"};
	Assist__MedicalClaim c = ASSIST__MEDICAL_CLAIM__INIT;
	struct verdict v;

	c.total_fen = -1;
	memset(&v, 0, sizeof(v));
	assert_int_equal(validate_payload(&row, &c.base, &v), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_lower_case_x_normalized),
		cmocka_unit_test(test_invalid_utf8_in_any_field),
		cmocka_unit_test(test_utf8_text_kept_whole),
		cmocka_unit_test(test_text_lengths),
		cmocka_unit_test(test_generic_rules),
		cmocka_unit_test(test_no_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
