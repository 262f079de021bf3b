/* The event registry (daemon/event.c): each kind's row, what it finds in an
 * event, and the start-up check that the table matches the proto. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "event.h"
#include "validate.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define ID "11010519491231002X"

/* Every payload type, one event pointing at the one of its kind. */
struct built {
	Assist__Event ev;
	Assist__PersonChange person;
	Assist__HouseholdChange household;
	Assist__StatusChange status;
	Assist__Enrollment enrollment;
	Assist__MedicalClaim medical;
	Assist__EducationAid education;
	Assist__Training training;
	Assist__HousingAid housing;
	Assist__PaymentRun payment_run;
	Assist__Recompute recompute;
	Assist__Application application;
};

/* The payload of the kind built, or NULL. */
static ProtobufCMessage *build(struct built *b, Assist__Kind kind)
{
	*b = (struct built){.ev = ASSIST__EVENT__INIT,
			    .person = ASSIST__PERSON_CHANGE__INIT,
			    .household = ASSIST__HOUSEHOLD_CHANGE__INIT,
			    .status = ASSIST__STATUS_CHANGE__INIT,
			    .enrollment = ASSIST__ENROLLMENT__INIT,
			    .medical = ASSIST__MEDICAL_CLAIM__INIT,
			    .education = ASSIST__EDUCATION_AID__INIT,
			    .training = ASSIST__TRAINING__INIT,
			    .housing = ASSIST__HOUSING_AID__INIT,
			    .payment_run = ASSIST__PAYMENT_RUN__INIT,
			    .recompute = ASSIST__RECOMPUTE__INIT,
			    .application = ASSIST__APPLICATION__INIT};
	b->ev.kind = kind;
	switch (kind) {
	case ASSIST__KIND__KIND_PERSON:
		b->person.id_number = ID;
		b->person.household_id = "H-1";
		b->person.deceased_on = "2009-01-31";
		b->ev.payload_case = ASSIST__EVENT__PAYLOAD_PERSON;
		b->ev.person = &b->person;
		return &b->person.base;
	case ASSIST__KIND__KIND_HOUSEHOLD:
		b->household.household_id = "H-1";
		b->ev.payload_case = ASSIST__EVENT__PAYLOAD_HOUSEHOLD;
		b->ev.household = &b->household;
		return &b->household.base;
	case ASSIST__KIND__KIND_STATUS:
		b->status.id_number = ID;
		b->status.since = "2009-02-01";
		b->ev.payload_case = ASSIST__EVENT__PAYLOAD_STATUS;
		b->ev.status = &b->status;
		return &b->status.base;
	case ASSIST__KIND__KIND_ENROLLMENT:
		b->enrollment.id_number = ID;
		b->enrollment.start_date = "2009-03-01";
		b->enrollment.end_date = "2009-12-31";
		b->ev.payload_case = ASSIST__EVENT__PAYLOAD_ENROLLMENT;
		b->ev.enrollment = &b->enrollment;
		return &b->enrollment.base;
	case ASSIST__KIND__KIND_MEDICAL_CLAIM:
		b->medical.claim_id = "M-1";
		b->medical.id_number = ID;
		b->medical.date = "2009-04-01";
		b->ev.payload_case = ASSIST__EVENT__PAYLOAD_MEDICAL_CLAIM;
		b->ev.medical_claim = &b->medical;
		return &b->medical.base;
	case ASSIST__KIND__KIND_EDUCATION_AID:
		b->education.claim_id = "E-1";
		b->education.id_number = ID;
		b->education.term = "2009-autumn";
		b->ev.payload_case = ASSIST__EVENT__PAYLOAD_EDUCATION_AID;
		b->ev.education_aid = &b->education;
		return &b->education.base;
	case ASSIST__KIND__KIND_TRAINING:
		b->training.claim_id = "T-1";
		b->training.id_number = ID;
		b->training.started_on = "2009-05-01";
		b->training.completed_on = "2009-06-30";
		b->ev.payload_case = ASSIST__EVENT__PAYLOAD_TRAINING;
		b->ev.training = &b->training;
		return &b->training.base;
	case ASSIST__KIND__KIND_HOUSING_AID:
		b->housing.claim_id = "R-1";
		b->housing.household_id = "H-2";
		b->housing.date = "2009-07-01";
		b->ev.payload_case = ASSIST__EVENT__PAYLOAD_HOUSING_AID;
		b->ev.housing_aid = &b->housing;
		return &b->housing.base;
	case ASSIST__KIND__KIND_PAYMENT_RUN:
		b->payment_run.month = "2009-08";
		b->ev.payload_case = ASSIST__EVENT__PAYLOAD_PAYMENT_RUN;
		b->ev.payment_run = &b->payment_run;
		return &b->payment_run.base;
	case ASSIST__KIND__KIND_RECOMPUTE:
		b->recompute.from = "2009-01-01";
		b->recompute.buckets = 1;
		b->ev.payload_case = ASSIST__EVENT__PAYLOAD_RECOMPUTE;
		b->ev.recompute = &b->recompute;
		return &b->recompute.base;
	case ASSIST__KIND__KIND_APPLICATION:
		b->application.application_id = "A-1";
		b->application.id_number = ID;
		b->application.on = "2009-09-01";
		b->ev.payload_case = ASSIST__EVENT__PAYLOAD_APPLICATION;
		b->ev.application = &b->application;
		return &b->application.base;
	default:
		return NULL;
	}
}

struct kind_case {
	Assist__Kind kind;
	const char *name;
	const char *subject, *household, *claim; /* NULL: the payload has no such field */
	ymd_t date;
	bool household_level, decided, refresh_after;
	const char *first_field; /* the first field validation checks */
	bool city_level;
};

static const struct kind_case kind_cases[] = {
	{ASSIST__KIND__KIND_PERSON, "person", ID, "H-1", NULL, YMD_NONE, false, false, false,
	 "id_number", false},
	{ASSIST__KIND__KIND_HOUSEHOLD, "household", NULL, "H-1", NULL, YMD_NONE, true, false, false,
	 "household_id", false},
	{ASSIST__KIND__KIND_STATUS, "status", ID, NULL, NULL, 20090201, false, false, false,
	 "id_number", false},
	{ASSIST__KIND__KIND_ENROLLMENT, "enrollment", ID, NULL, NULL, 20090301, false, true, true,
	 "id_number", false},
	{ASSIST__KIND__KIND_MEDICAL_CLAIM, "medical_claim", ID, NULL, "M-1", 20090401, false, true,
	 false, "claim_id", false},
	/* Dated by its term, which policy.c reads: no date field. */
	{ASSIST__KIND__KIND_EDUCATION_AID, "education_aid", ID, NULL, "E-1", YMD_NONE, false, true,
	 false, "claim_id", false},
	{ASSIST__KIND__KIND_TRAINING, "training", ID, NULL, "T-1", 20090630, false, true, false,
	 "claim_id", false},
	{ASSIST__KIND__KIND_HOUSING_AID, "housing_aid", NULL, "H-2", "R-1", 20090701, true, true,
	 false, "claim_id", false},
	/* Names no one: applied over everyone who may be paid. */
	{ASSIST__KIND__KIND_PAYMENT_RUN, "payment_run", NULL, NULL, NULL, YMD_NONE, false, false,
	 false, "month", true},
	/* Names its applicant itself, a person or a household: applied. */
	{ASSIST__KIND__KIND_APPLICATION, "application", ID, "", NULL, 20090901, true, false,
	 false, "application_id", false},
	/* assistd's own: a recompute job's chunk, over the payees of a bucket. */
	{ASSIST__KIND__KIND_RECOMPUTE, "recompute", NULL, NULL, NULL, YMD_NONE, false, false, false,
	 "from", true},
};

static void assert_text(const char *got, const char *want)
{
	if (want == NULL) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
}

static void test_kinds(void **state)
{
	assert_int_equal(N(kind_cases), event_n_kinds);
	for (size_t i = 0; i < N(kind_cases); i++) {
		const struct kind_case *c = &kind_cases[i];
		const struct event_kind *k;
		ProtobufCMessage *payload;
		struct built b;

		print_message("%s\n", c->name);
		payload = build(&b, c->kind);
		assert_non_null(payload);
		k = event_of(&b.ev);
		assert_non_null(k);
		assert_ptr_equal(k, event_kind(c->kind));
		assert_int_equal(k->kind, c->kind);
		assert_string_equal(k->name, c->name);
		assert_string_equal(validate_kind_name(&b.ev), c->name);
		assert_ptr_equal(event_payload(&b.ev), payload);
		assert_text(validate_subject(&b.ev), c->subject);
		assert_text(event_text(&b.ev, EVENT_FIELD_HOUSEHOLD), c->household);
		assert_text(event_text(&b.ev, EVENT_FIELD_CLAIM), c->claim);
		assert_int_equal(event_date(&b.ev), c->date);
		assert_int_equal(!!(k->flags & EVENT_HOUSEHOLD_LEVEL), c->household_level);
		assert_int_equal(!!(k->flags & EVENT_REFRESH_AFTER), c->refresh_after);
		assert_int_equal(!!(k->flags & EVENT_CITY_LEVEL), c->city_level);
		assert_int_equal(k->decide != NULL, c->decided);
		assert_int_equal(k->apply != NULL, !c->decided);
		assert_non_null(k->fields);
		assert_string_equal(k->fields[0].name, c->first_field);
	}
}

/* No kind, an unknown one, a kind with no payload. */
static void test_no_row(void **state)
{
	Assist__Event ev = ASSIST__EVENT__INIT;

	assert_null(event_of(&ev));
	assert_null(event_payload(&ev));
	assert_null(validate_subject(&ev));
	assert_null(event_text(&ev, EVENT_FIELD_CLAIM));
	assert_int_equal(event_date(&ev), YMD_NONE);
	assert_string_equal(validate_kind_name(&ev), "unspecified");
	assert_null(event_kind(ASSIST__KIND__KIND_UNSPECIFIED));
	ev.kind = 99;
	assert_null(event_kind(ev.kind));
	assert_string_equal(validate_kind_name(&ev), "unknown");
	ev.payload_case = 99;
	assert_null(event_of(&ev));
	assert_null(event_payload(&ev));
}

static void test_registry_check_passes(void **state)
{
	char err[160] = "";

	assert_int_equal(event_registry_check(event_kinds, event_n_kinds, err, sizeof(err)), 0);
	assert_string_equal(err, "");
}

/* Whichever row is missing, the check says which kind. */
static void test_registry_missing_row(void **state)
{
	struct event_kind rows[16];

	assert_true(event_n_kinds <= N(rows));
	for (size_t skip = 0; skip < event_n_kinds; skip++) {
		const ProtobufCEnumValue *v =
			protobuf_c_enum_descriptor_get_value(&assist__kind__descriptor,
							     (int)event_kinds[skip].kind);
		char err[160] = "";
		size_t n = 0;

		for (size_t i = 0; i < event_n_kinds; i++) {
			if (i != skip)
				rows[n++] = event_kinds[i];
		}
		print_message("without %s\n", event_kinds[skip].name);
		assert_int_equal(event_registry_check(rows, n, err, sizeof(err)), -EINVAL);
		assert_non_null(v);
		assert_non_null(strstr(err, v->name));
		assert_non_null(strstr(err, "has 0 rows"));
	}
}

struct bad_row {
	const char *what;
	void (*spoil)(struct event_kind *rows, size_t *n);
	const char *err; /* a part of the message */
};

static void duplicate_row(struct event_kind *rows, size_t *n)
{
	rows[(*n)++] = rows[0];
}

static void wrong_name(struct event_kind *rows, size_t *n)
{
	rows[4].name = "medical";
}

static void wrong_payload(struct event_kind *rows, size_t *n)
{
	rows[4].payload = ASSIST__EVENT__PAYLOAD_TRAINING;
}

static void unknown_kind(struct event_kind *rows, size_t *n)
{
	rows[(*n)++] = (struct event_kind){.kind = 99, .name = "x"};
}

static void no_entry_point(struct event_kind *rows, size_t *n)
{
	rows[2].apply = NULL;
}

static void both_entry_points(struct event_kind *rows, size_t *n)
{
	rows[4].apply = rows[0].apply;
}

static void no_date_field(struct event_kind *rows, size_t *n)
{
	rows[4].date_field = "on";
}

static void person_level_household(struct event_kind *rows, size_t *n)
{
	rows[1].flags = 0; /* household: no id_number */
}

static void household_level_person(struct event_kind *rows, size_t *n)
{
	rows[0].flags = EVENT_HOUSEHOLD_LEVEL;
	rows[0].apply = NULL;
	rows[0].decide = rows[4].decide; /* a decided person: no claim_id */
}

static void household_level_status(struct event_kind *rows, size_t *n)
{
	rows[2].flags = EVENT_HOUSEHOLD_LEVEL; /* status: no household_id */
}

/* Field rules of a medical claim (rows[4]) that do not fit its payload. */
static void rules_of(struct event_kind *rows, const struct event_field *rules)
{
	rows[4].fields = rules;
}

static void rule_field_missing(struct event_kind *rows, size_t *n)
{
	static const struct event_field rules[] = {
		{.name = "claim_id", .check = EVENT_CHECK_TEXT, .max_len = 63},
		{.name = "totl_fen", .check = EVENT_CHECK_MONEY},
		{0},
	};
	rules_of(rows, rules);
}

static void rule_text_on_enum(struct event_kind *rows, size_t *n)
{
	static const struct event_field rules[] = {
		{.name = "setting", .check = EVENT_CHECK_TEXT, .max_len = 7}, {0}};
	rules_of(rows, rules);
}

static void rule_date_on_money(struct event_kind *rows, size_t *n)
{
	static const struct event_field rules[] = {
		{.name = "total_fen", .check = EVENT_CHECK_DATE}, {0}};
	rules_of(rows, rules);
}

static void rule_enum_on_text(struct event_kind *rows, size_t *n)
{
	static const struct event_field rules[] = {{.name = "date", .check = EVENT_CHECK_ENUM}, {0}};
	rules_of(rows, rules);
}

static void rule_money_on_int32(struct event_kind *rows, size_t *n)
{
	static const struct event_field rules[] = {
		{.name = "months", .check = EVENT_CHECK_MONEY}, {0}};
	rules_of(rows, rules);
}

static void rule_count_on_text(struct event_kind *rows, size_t *n)
{
	static const struct event_field rules[] = {
		{.name = "date", .check = EVENT_CHECK_COUNT, .max = 1}, {0}};
	rules_of(rows, rules);
}

static void rule_text_unbounded(struct event_kind *rows, size_t *n)
{
	static const struct event_field rules[] = {
		{.name = "claim_id", .check = EVENT_CHECK_TEXT, .required = true}, {0}};
	rules_of(rows, rules);
}

static void rule_count_empty_range(struct event_kind *rows, size_t *n)
{
	static const struct event_field rules[] = {
		{.name = "months", .check = EVENT_CHECK_COUNT, .min = 12, .max = 0}, {0}};
	rules_of(rows, rules);
}

static void rule_when_missing(struct event_kind *rows, size_t *n)
{
	static const struct event_field rules[] = {
		{.name = "hospital", .check = EVENT_CHECK_ENUM, .when_field = "settings"}, {0}};
	rules_of(rows, rules);
}

static void rule_when_not_enum(struct event_kind *rows, size_t *n)
{
	static const struct event_field rules[] = {
		{.name = "hospital", .check = EVENT_CHECK_ENUM, .when_field = "months"}, {0}};
	rules_of(rows, rules);
}

static void rule_unknown_check(struct event_kind *rows, size_t *n)
{
	static const struct event_field rules[] = {{.name = "claim_id", .check = 99}, {0}};
	rules_of(rows, rules);
}

static void role_field_not_restricted(struct event_kind *rows, size_t *n)
{
	rows[4].role_field = "setting"; /* an enum, but of Setting */
}

static void role_field_missing(struct event_kind *rows, size_t *n)
{
	rows[2].role_field = "categories"; /* status has category, not categories */
}

static void sender_unknown(struct event_kind *rows, size_t *n)
{
	static const char *const senders[] = {"health", "treasury", NULL};
	rows[4].senders = senders;
}

/* A city-level kind names no one: only an apply of its own can run it. */
static void city_level_decided(struct event_kind *rows, size_t *n)
{
	rows[4].flags |= EVENT_CITY_LEVEL;
}

static void test_registry_bad_rows(void **state)
{
	static const struct bad_row cases[] = {
		{"a kind twice", duplicate_row, "KIND_PERSON has 2 rows"},
		{"a name not the payload's", wrong_name, "not Event's member medical"},
		{"another kind's payload", wrong_payload, "not Event's member medical_claim"},
		{"a kind not in the enum", unknown_kind, "kind 99 is not in the Kind enum"},
		{"neither applied nor decided", no_entry_point, "either apply or decide"},
		{"applied and decided", both_entry_points, "either apply or decide"},
		{"a date field it has not", no_date_field, "has no text field on"},
		{"a person-level kind without id_number", person_level_household,
		 "household has no text field id_number"},
		{"a household-level kind without household_id", household_level_status,
		 "status has no text field household_id"},
		{"a household-level claim without claim_id", household_level_person,
		 "person has no text field claim_id"},
		{"a rule on a field the payload has not", rule_field_missing,
		 "row medical_claim: medical_claim has no int64 field totl_fen"},
		{"a text rule on an enum", rule_text_on_enum, "medical_claim has no text field setting"},
		{"a date rule on money", rule_date_on_money, "medical_claim has no text field total_fen"},
		{"an enum rule on text", rule_enum_on_text, "medical_claim has no enum field date"},
		{"a money rule on an int32", rule_money_on_int32,
		 "medical_claim has no int64 field months"},
		{"a count rule on text", rule_count_on_text,
		 "medical_claim has no int32 or int64 field date"},
		{"a text rule without max_len", rule_text_unbounded, "text field claim_id has no max_len"},
		{"a count rule with min above max", rule_count_empty_range,
		 "count field months has min above max"},
		{"required when a field it has not", rule_when_missing,
		 "medical_claim has no enum field settings"},
		{"required when a field that is no enum", rule_when_not_enum,
		 "medical_claim has no enum field months"},
		{"a check that is none", rule_unknown_check, "field claim_id has no check 99"},
		{"a role field of another enum", role_field_not_restricted,
		 "medical_claim has no Category or Scheme field setting"},
		{"a role field the payload has not", role_field_missing,
		 "status has no Category or Scheme field categories"},
		{"a sender that is no department", sender_unknown,
		 "sender treasury is not a built-in department"},
		{"a city-level kind that is decided", city_level_decided,
		 "a city-level kind is applied"},
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct event_kind rows[16];
		size_t n = event_n_kinds;
		char err[160] = "";

		print_message("%s\n", cases[i].what);
		memcpy(rows, event_kinds, n * sizeof(rows[0]));
		cases[i].spoil(rows, &n);
		assert_int_equal(event_registry_check(rows, n, err, sizeof(err)), -EINVAL);
		print_message("  %s\n", err);
		assert_non_null(strstr(err, cases[i].err));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_no_row),
		cmocka_unit_test(test_registry_check_passes),
		cmocka_unit_test(test_registry_missing_row),
		cmocka_unit_test(test_registry_bad_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
