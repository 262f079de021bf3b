#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assist.pb-c.h"
#include "pbjson.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, JSON_ALLOW_NUL, &jerr);

	if (j == NULL)
		fail_msg("bad test JSON at %d: %s\n%s", jerr.position, jerr.text, text);
	return j;
}

static void assert_json_equal(const json_t *got, const json_t *want, const char *what)
{
	char *g, *w;

	if (json_equal(got, want))
		return;
	g = json_dumps(got, JSON_SORT_KEYS);
	w = json_dumps(want, JSON_SORT_KEYS);
	fail_msg("%s:\n got  %s\n want %s", what, g, w);
}

static ProtobufCMessage *decode_ok(const ProtobufCMessageDescriptor *desc, const json_t *j)
{
	ProtobufCMessage *msg = NULL;
	char err[256];
	int rc = pbjson_decode(desc, j, &msg, err, sizeof(err));

	if (rc != 0)
		fail_msg("decode failed (%d): %s", rc, err);
	assert_non_null(msg);
	return msg;
}

/* Through the wire form and back, to show the decoded message is one
 * protobuf-c itself agrees with. */
static ProtobufCMessage *repack(const ProtobufCMessage *msg)
{
	size_t len = protobuf_c_message_get_packed_size(msg);
	uint8_t *buf = malloc(len + 1);
	ProtobufCMessage *back;

	assert_non_null(buf);
	assert_int_equal(protobuf_c_message_pack(msg, buf), len);
	back = protobuf_c_message_unpack(msg->descriptor, NULL, len, buf);
	free(buf);
	assert_non_null(back);
	return back;
}

/* decode -> encode must give want; so must decode -> pack -> unpack -> encode. */
static void check_roundtrip(const ProtobufCMessageDescriptor *desc, const char *in,
			    const char *want_text, int flags)
{
	json_t *j = parse(in);
	json_t *want = parse(want_text);
	ProtobufCMessage *msg = decode_ok(desc, j);
	ProtobufCMessage *back = repack(msg);
	json_t *out = pbjson_encode(msg, flags);
	json_t *out2 = pbjson_encode(back, flags);

	assert_non_null(out);
	assert_non_null(out2);
	assert_json_equal(out, want, in);
	assert_json_equal(out2, want, "after pack/unpack");
	json_decref(out);
	json_decref(out2);
	protobuf_c_message_free_unpacked(back, NULL);
	protobuf_c_message_free_unpacked(msg, NULL);
	json_decref(want);
	json_decref(j);
}

/* One line per event kind, as the departments write them (docs/interface.md). */
static const struct {
	const char *json;
	Assist__Kind kind;
	Assist__Event__PayloadCase payload;
} event_lines[] = {
	{"{\"source\":\"civil_affairs\",\"seq\":1001,\"kind\":\"person\","
	 "\"occurred_at\":\"2024-01-15T09:30:00+08:00\",\"person\":{"
	 "\"id_number\":\"420704198001011234\",\"name\":\"张桂兰\","
	 "\"household_id\":\"HH-420704-000123\",\"hukou\":\"rural\",\"area\":\"district\","
	 "\"place\":{\"district\":\"鄂城区\",\"town\":\"杨叶镇\",\"community\":\"杨叶村\"},"
	 "\"categories\":[\"rural_dibao\",\"disabled\",\"4050\"]}}",
	 ASSIST__KIND__KIND_PERSON, ASSIST__EVENT__PAYLOAD_PERSON},
	{"{\"source\":\"civil_affairs\",\"seq\":1002,\"kind\":\"person\",\"person\":{"
	 "\"id_number\":\"420704193503051217\",\"deceased_on\":\"2024-06-30\"}}",
	 ASSIST__KIND__KIND_PERSON, ASSIST__EVENT__PAYLOAD_PERSON},
	{"{\"source\":\"civil_affairs\",\"position\":{\"major\":7,\"minor\":3},"
	 "\"kind\":\"household\",\"household\":{\"household_id\":\"HH-420704-000123\","
	 "\"members\":4,\"monthly_income_fen\":128000,\"housing_area_m2\":62.5,"
	 "\"area\":\"district\"}}",
	 ASSIST__KIND__KIND_HOUSEHOLD, ASSIST__EVENT__PAYLOAD_HOUSEHOLD},
	{"{\"source\":\"civil_affairs\",\"seq\":1003,\"kind\":\"status\",\"status\":{"
	 "\"id_number\":\"420704198001011234\",\"category\":\"rural_dibao\","
	 "\"active\":false,\"since\":\"2024-03-01\",\"class\":\"II\"}}",
	 ASSIST__KIND__KIND_STATUS, ASSIST__EVENT__PAYLOAD_STATUS},
	{"{\"source\":\"civil_affairs\",\"seq\":1004,\"kind\":\"enrollment\",\"enrollment\":{"
	 "\"id_number\":\"420704198001011234\",\"scheme\":\"rural_dibao\",\"class\":\"II\","
	 "\"amount_fen\":42000,\"start_date\":\"2024-01-01\",\"end_date\":\"2024-12-31\"}}",
	 ASSIST__KIND__KIND_ENROLLMENT, ASSIST__EVENT__PAYLOAD_ENROLLMENT},
	{"{\"source\":\"health\",\"seq\":52,\"kind\":\"medical_claim\","
	 "\"occurred_at\":\"2024-03-05T10:20:00+08:00\",\"medical_claim\":{"
	 "\"claim_id\":\"H-2024-000381\",\"id_number\":\"420704198001011234\","
	 "\"date\":\"2024-03-04\",\"setting\":\"inpatient\",\"hospital\":\"huimin\","
	 "\"disease\":\"cancer\",\"total_fen\":1250000,\"eligible_fen\":1100000,"
	 "\"insurer\":\"ncms\",\"insurer_paid_fen\":0,\"months\":3,"
	 "\"special_approval\":true}}",
	 ASSIST__KIND__KIND_MEDICAL_CLAIM, ASSIST__EVENT__PAYLOAD_MEDICAL_CLAIM},
	{"{\"source\":\"labor\",\"seq\":8,\"kind\":\"medical_claim\",\"medical_claim\":{"
	 "\"claim_id\":\"W-2024-0008\",\"id_number\":\"42070419751212123X\","
	 "\"date\":\"2024-05-10\",\"setting\":\"chronic_outpatient\",\"hospital\":\"central\","
	 "\"disease\":\"chronic\",\"total_fen\":86000,\"insurer\":\"worker\"}}",
	 ASSIST__KIND__KIND_MEDICAL_CLAIM, ASSIST__EVENT__PAYLOAD_MEDICAL_CLAIM},
	{"{\"source\":\"education\",\"seq\":9,\"kind\":\"education_aid\",\"education_aid\":{"
	 "\"claim_id\":\"E-2024-0007\",\"id_number\":\"420704200801011236\","
	 "\"scheme\":\"boarding_allowance\",\"stage\":\"junior\",\"term\":\"2024-spring\","
	 "\"amount_fen\":62500}}",
	 ASSIST__KIND__KIND_EDUCATION_AID, ASSIST__EVENT__PAYLOAD_EDUCATION_AID},
	{"{\"source\":\"labor\",\"seq\":310,\"kind\":\"training\",\"training\":{"
	 "\"claim_id\":\"T-2024-0310\",\"id_number\":\"420704199203041218\","
	 "\"program\":\"poverty_alleviation\",\"locality\":\"city\","
	 "\"started_on\":\"2024-04-01\",\"completed_on\":\"2024-04-30\",\"days\":30,"
	 "\"employed_on\":\"2024-05-20\"}}",
	 ASSIST__KIND__KIND_TRAINING, ASSIST__EVENT__PAYLOAD_TRAINING},
	{"{\"source\":\"housing\",\"seq\":77,\"kind\":\"housing_aid\",\"housing_aid\":{"
	 "\"claim_id\":\"HA-2024-077\",\"household_id\":\"HH-420704-000123\","
	 "\"scheme\":\"urban_rental\",\"date\":\"2024-02-01\",\"amount_fen\":30000,"
	 "\"rent_fen\":90000}}",
	 ASSIST__KIND__KIND_HOUSING_AID, ASSIST__EVENT__PAYLOAD_HOUSING_AID},
	{"{\"source\":\"finance\",\"seq\":3,\"kind\":\"payment_run\",\"payment_run\":{"
	 "\"month\":\"2008-03\"}}",
	 ASSIST__KIND__KIND_PAYMENT_RUN, ASSIST__EVENT__PAYLOAD_PAYMENT_RUN},
	{"{\"source\":\"civil_affairs\",\"seq\":1005,\"kind\":\"application\",\"application\":{"
	 "\"application_id\":\"APP-2024-0007\",\"id_number\":\"420704198001011234\","
	 "\"scheme\":\"rural_dibao\",\"step\":\"city_approved\",\"officer\":\"Wang\","
	 "\"on\":\"2024-02-20\",\"class\":\"II\",\"amount_fen\":42000,"
	 "\"start_date\":\"2024-03-01\"}}",
	 ASSIST__KIND__KIND_APPLICATION, ASSIST__EVENT__PAYLOAD_APPLICATION},
};

static void test_event_roundtrip(void **state)
{
	for (size_t i = 0; i < N(event_lines); i++) {
		json_t *j = parse(event_lines[i].json);
		Assist__Event *ev = (Assist__Event *)decode_ok(&assist__event__descriptor, j);

		assert_int_equal(ev->kind, event_lines[i].kind);
		assert_int_equal(ev->payload_case, event_lines[i].payload);
		protobuf_c_message_free_unpacked(&ev->base, NULL);
		json_decref(j);
		check_roundtrip(&assist__event__descriptor, event_lines[i].json,
				event_lines[i].json, 0);
	}
}

/* The decoded structs hold what the line said, not merely something that
 * encodes back the same. */
static void test_event_values(void **state)
{
	json_t *j = parse(event_lines[5].json);
	Assist__Event *ev = (Assist__Event *)decode_ok(&assist__event__descriptor, j);
	Assist__MedicalClaim *mc = ev->medical_claim;

	assert_string_equal(ev->source, "health");
	assert_int_equal(ev->seq, 52);
	assert_null(ev->position);
	assert_string_equal(mc->claim_id, "H-2024-000381");
	assert_int_equal(mc->setting, ASSIST__SETTING__SETTING_INPATIENT);
	assert_int_equal(mc->hospital, ASSIST__HOSPITAL__HOSPITAL_HUIMIN);
	assert_int_equal(mc->disease, ASSIST__DISEASE__DISEASE_CANCER);
	assert_int_equal(mc->insurer, ASSIST__INSURER__INSURER_NCMS);
	assert_int_equal(mc->total_fen, 1250000);
	assert_non_null(mc->eligible_fen);
	assert_int_equal(mc->eligible_fen->value, 1100000);
	assert_non_null(mc->insurer_paid_fen);
	assert_int_equal(mc->insurer_paid_fen->value, 0);
	assert_int_equal(mc->months, 3);
	assert_true(mc->special_approval);
	protobuf_c_message_free_unpacked(&ev->base, NULL);
	json_decref(j);

	j = parse(event_lines[0].json);
	ev = (Assist__Event *)decode_ok(&assist__event__descriptor, j);
	assert_int_equal(ev->person->n_categories, 3);
	assert_int_equal(ev->person->categories[0], ASSIST__CATEGORY__CATEGORY_RURAL_DIBAO);
	assert_int_equal(ev->person->categories[2], ASSIST__CATEGORY__CATEGORY_4050);
	assert_string_equal(ev->person->place->town, "杨叶镇");
	assert_int_equal(ev->person->hukou, ASSIST__HUKOU__HUKOU_RURAL);
	protobuf_c_message_free_unpacked(&ev->base, NULL);
	json_decref(j);
}

static const char record_full[] =
	"{\"id_number\":\"420704198001011234\",\"name\":\"张桂兰\","
	"\"household_id\":\"HH-420704-000123\",\"hukou\":\"rural\",\"area\":\"district\","
	"\"place\":{\"district\":\"鄂城区\",\"town\":\"杨叶镇\",\"community\":\"杨叶村\"},"
	"\"deceased_on\":\"\",\"categories\":[\"rural_dibao\",\"disabled\"],"
	"\"household\":{\"members\":4,\"monthly_income_fen\":128000,\"housing_area_m2\":0.0},"
	"\"benefits\":["
	"{\"scheme\":\"rural_dibao\",\"class\":\"II\",\"monthly_fen\":42000,\"status\":\"active\","
	"\"since\":\"2024-01-01\",\"until\":\"\",\"reason\":\"\"},"
	"{\"scheme\":\"public_welfare_post\",\"class\":\"\",\"monthly_fen\":0,"
	"\"status\":\"ended\",\"since\":\"2023-01-01\",\"until\":\"2023-12-31\","
	"\"reason\":\"term ended\"}],"
	"\"entitlements\":[{\"scheme\":\"huimin\",\"eligible\":true,\"reason\":\"\"},"
	"{\"scheme\":\"vocational\",\"eligible\":false,\"reason\":\"no enrolled student\"}],"
	"\"year\":2024,"
	"\"ytd\":{\"huimin_paid_fen\":594000,\"huimin_cap_fen\":10000000,"
	"\"medical_assistance_paid_fen\":127900,\"medical_assistance_cap_fen\":3000000,"
	"\"temporary_medical_paid_fen\":0,\"chronic_quota_paid_fen\":0,"
	"\"vagrant_medical_paid_fen\":0,\"insurer_paid_fen\":594000,"
	"\"medical_total_fen\":1250000,\"ncms_paid_fen\":0},"
	"\"ledger\":[{\"ref\":\"H-2024-000381\",\"scheme\":\"huimin\",\"date\":\"2024-03-04\","
	"\"requested_fen\":594000,\"amount_fen\":594000,\"clipped\":false,\"reason\":\"\","
	"\"kind\":\"decision\",\"period\":\"\"},"
	"{\"ref\":\"H-2024-000381\",\"scheme\":\"medical_assistance\",\"date\":\"2024-03-04\","
	"\"requested_fen\":330000,\"amount_fen\":127900,\"clipped\":true,"
	"\"reason\":\"annual cap\",\"kind\":\"decision\",\"period\":\"\"}],"
	"\"alerts\":[],\"version\":12,\"feed_seq\":90211,"
	"\"updated_at\":\"2024-03-05T10:20:01+08:00\","
	"\"subject_key\":\"5f0c2a9d8e7b6a5f4e3d2c1b0a998877\",\"as_of\":\"2024-03-05\","
	"\"applications\":[{\"application_id\":\"APP-2024-0007\",\"scheme\":\"rural_dibao\","
	"\"state\":\"rejected\",\"steps\":[{\"step\":\"submitted\",\"officer\":\"Li\","
	"\"on\":\"2024-01-03\",\"note\":\"\",\"level\":\"community\"},{\"step\":\"rejected\","
	"\"officer\":\"Zhou\",\"on\":\"2024-01-09\",\"note\":\"income above the standard\","
	"\"level\":\"community\"}],\"household_id\":\"\"}]}";

/* Every field written, defaults included, survives the round trip. */
static void test_record_emit_defaults(void **state)
{
	check_roundtrip(&assist__recipient_record__descriptor, record_full, record_full,
			PBJSON_EMIT_DEFAULTS);
}

/* Without the flag the defaults go, the rest stays. */
static void test_record_sparse(void **state)
{
	json_t *j = parse(record_full);
	ProtobufCMessage *rec = decode_ok(&assist__recipient_record__descriptor, j);
	json_t *out = pbjson_encode(rec, 0);
	json_t *benefit0, *benefit1, *ent1, *ledger0;

	assert_non_null(out);
	assert_null(json_object_get(out, "deceased_on"));
	assert_null(json_object_get(out, "alerts"));
	assert_null(json_object_get(json_object_get(out, "household"), "housing_area_m2"));
	assert_int_equal(json_integer_value(json_object_get(out, "version")), 12);
	benefit0 = json_array_get(json_object_get(out, "benefits"), 0);
	benefit1 = json_array_get(json_object_get(out, "benefits"), 1);
	assert_null(json_object_get(benefit0, "until"));
	assert_null(json_object_get(benefit1, "class"));
	assert_null(json_object_get(benefit1, "monthly_fen"));
	assert_string_equal(json_string_value(json_object_get(benefit1, "status")), "ended");
	ent1 = json_array_get(json_object_get(out, "entitlements"), 1);
	assert_null(json_object_get(ent1, "eligible"));
	ledger0 = json_array_get(json_object_get(out, "ledger"), 0);
	assert_null(json_object_get(ledger0, "clipped"));
	assert_int_equal(json_object_size(json_object_get(out, "ytd")), 6);
	json_decref(out);
	protobuf_c_message_free_unpacked(rec, NULL);
	json_decref(j);
}

/* An all-default record with EMIT_DEFAULTS: scalars and repeated fields
 * appear, unset sub-messages do not. */
static void test_record_empty_emit_defaults(void **state)
{
	Assist__RecipientRecord rec = ASSIST__RECIPIENT_RECORD__INIT;
	json_t *out = pbjson_encode(&rec.base, PBJSON_EMIT_DEFAULTS);
	json_t *want = parse("{\"id_number\":\"\",\"name\":\"\",\"household_id\":\"\","
			     "\"hukou\":\"unspecified\",\"area\":\"unspecified\","
			     "\"deceased_on\":\"\",\"categories\":[],\"benefits\":[],"
			     "\"entitlements\":[],\"year\":0,\"ledger\":[],\"alerts\":[],"
			     "\"version\":0,\"feed_seq\":0,\"updated_at\":\"\","
			     "\"subject_key\":\"\",\"as_of\":\"\",\"applications\":[]}");

	assert_json_equal(out, want, "empty record");
	json_decref(want);
	json_decref(out);
	out = pbjson_encode(&rec.base, 0);
	assert_int_equal(json_object_size(out), 0);
	json_decref(out);
}

/* Wrappers: a present 0 differs from an absent field. */
static void test_wrappers(void **state)
{
	Assist__MedicalClaim mc = ASSIST__MEDICAL_CLAIM__INIT;
	Assist__Int64Value zero = ASSIST__INT64_VALUE__INIT;
	Assist__BoolValue no = ASSIST__BOOL_VALUE__INIT;
	Assist__StatusChange st = ASSIST__STATUS_CHANGE__INIT;
	Assist__MedicalClaim *dec;
	json_t *out, *j;

	mc.total_fen = 86000;
	out = pbjson_encode(&mc.base, PBJSON_EMIT_DEFAULTS);
	assert_null(json_object_get(out, "insurer_paid_fen"));
	assert_null(json_object_get(out, "eligible_fen"));
	assert_non_null(json_object_get(out, "months"));
	json_decref(out);

	mc.insurer_paid_fen = &zero;
	out = pbjson_encode(&mc.base, 0);
	j = parse("{\"total_fen\":86000,\"insurer_paid_fen\":0}");
	assert_json_equal(out, j, "present zero");
	json_decref(j);
	json_decref(out);

	st.active = &no;
	out = pbjson_encode(&st.base, 0);
	j = parse("{\"active\":false}");
	assert_json_equal(out, j, "present false");
	json_decref(j);
	json_decref(out);

	j = parse("{\"total_fen\":86000,\"insurer_paid_fen\":0,\"eligible_fen\":null}");
	dec = (Assist__MedicalClaim *)decode_ok(&assist__medical_claim__descriptor, j);
	assert_non_null(dec->insurer_paid_fen);
	assert_int_equal(dec->insurer_paid_fen->value, 0);
	assert_null(dec->eligible_fen);
	protobuf_c_message_free_unpacked(&dec->base, NULL);
	json_decref(j);

	check_roundtrip(&assist__household_change__descriptor,
			"{\"monthly_income_fen\":0,\"housing_area_m2\":0.0}",
			"{\"monthly_income_fen\":0,\"housing_area_m2\":0.0}", 0);
	check_roundtrip(&assist__household_change__descriptor, "{\"members\":2}",
			"{\"household_id\":\"\",\"members\":2,\"area\":\"unspecified\","
			"\"effective_on\":\"\"}",
			PBJSON_EMIT_DEFAULTS);
}

/* Inputs that decode to something written differently. */
static void test_normalised(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		/* enum names in any case, the full proto name, or the number */
		{"{\"kind\":\"MEDICAL_CLAIM\",\"medical_claim\":{\"hospital\":\"Central\","
		 "\"setting\":\"Chronic_Outpatient\",\"disease\":3,\"insurer\":\"INSURER_NONE\"}}",
		 "{\"kind\":\"medical_claim\",\"medical_claim\":{\"hospital\":\"central\","
		 "\"setting\":\"chronic_outpatient\",\"disease\":\"dialysis\","
		 "\"insurer\":\"none\"}}"},
		{"{\"person\":{\"categories\":[\"Urban_Dibao\",12,\"CATEGORY_POOR_STUDENT\"]}}",
		 "{\"person\":{\"categories\":[\"urban_dibao\",\"4050\",\"poor_student\"]}}"},
		{"{\"kind\":\"unspecified\",\"person\":{\"hukou\":0}}", "{\"person\":{}}"},
		/* 64-bit integers as decimal strings; integral reals */
		{"{\"seq\":\"1042\"}", "{\"seq\":1042}"},
		{"{\"seq\":\"18446744073709551615\"}", "{\"seq\":\"18446744073709551615\"}"},
		{"{\"seq\":1.0e3}", "{\"seq\":1000}"},
		{"{\"seq\":\"-0\"}", "{}"},
		{"{\"enrollment\":{\"amount_fen\":\"-500\"}}",
		 "{\"enrollment\":{\"amount_fen\":-500}}"},
		{"{\"enrollment\":{\"amount_fen\":\"-9223372036854775808\"}}",
		 "{\"enrollment\":{\"amount_fen\":-9223372036854775808}}"},
		{"{\"medical_claim\":{\"total_fen\":9223372036854775807}}",
		 "{\"medical_claim\":{\"total_fen\":9223372036854775807}}"},
		{"{\"household\":{\"members\":2147483647}}",
		 "{\"household\":{\"members\":2147483647}}"},
		{"{\"household\":{\"members\":-2147483648}}",
		 "{\"household\":{\"members\":-2147483648}}"},
		{"{\"household\":{\"members\":\"7\",\"housing_area_m2\":48}}",
		 "{\"household\":{\"members\":7,\"housing_area_m2\":48.0}}"},
		/* null is absent; defaults are dropped, present wrappers kept */
		{"{\"person\":null,\"seq\":null,\"kind\":null,\"source\":\"\"}", "{}"},
		{"{\"medical_claim\":{\"special_approval\":false,\"months\":0,\"total_fen\":0,"
		 "\"eligible_fen\":0,\"claim_id\":\"\"}}",
		 "{\"medical_claim\":{\"eligible_fen\":0}}"},
		/* an empty payload still selects its oneof member */
		{"{\"household\":{}}", "{\"household\":{}}"},
		{"{\"person\":{\"categories\":[]}}", "{\"person\":{}}"},
	};

	for (size_t i = 0; i < N(cases); i++)
		check_roundtrip(&assist__event__descriptor, cases[i].in, cases[i].want, 0);
}

static void test_uint64_max(void **state)
{
	json_t *j = parse("{\"seq\":\"18446744073709551615\"}");
	Assist__Event *ev = (Assist__Event *)decode_ok(&assist__event__descriptor, j);

	assert_true(ev->seq == UINT64_MAX);
	protobuf_c_message_free_unpacked(&ev->base, NULL);
	json_decref(j);
}

static void test_enum_names(void **state)
{
	static const struct {
		const ProtobufCEnumDescriptor *desc;
		int value;
		const char *name;
	} cases[] = {
		{&assist__hospital__descriptor, ASSIST__HOSPITAL__HOSPITAL_HUIMIN, "huimin"},
		{&assist__category__descriptor, ASSIST__CATEGORY__CATEGORY_4050, "4050"},
		{&assist__category__descriptor, ASSIST__CATEGORY__CATEGORY_ZERO_EMPLOYMENT_FAMILY,
		 "zero_employment_family"},
		{&assist__kind__descriptor, ASSIST__KIND__KIND_MEDICAL_CLAIM, "medical_claim"},
		{&assist__benefit_status__descriptor, ASSIST__BENEFIT_STATUS__BENEFIT_STATUS_ACTIVE,
		 "active"},
		{&assist__benefit_status__descriptor,
		 ASSIST__BENEFIT_STATUS__BENEFIT_STATUS_UNSPECIFIED, "unspecified"},
		{&assist__setting__descriptor, ASSIST__SETTING__SETTING_CHRONIC_OUTPATIENT,
		 "chronic_outpatient"},
		{&assist__scheme__descriptor, ASSIST__SCHEME__SCHEME_WORKER_INSURANCE,
		 "worker_insurance"},
		{&assist__program__descriptor, ASSIST__PROGRAM__PROGRAM_POVERTY_ALLEVIATION,
		 "poverty_alleviation"},
		{&assist__category__descriptor, 17, NULL},
		{&assist__hospital__descriptor, -1, NULL},
	};
	char buf[64];

	for (size_t i = 0; i < N(cases); i++) {
		const char *got = pbjson_enum_name(cases[i].desc, cases[i].value, buf, sizeof(buf));
		int v = -99;

		if (cases[i].name == NULL) {
			assert_null(got);
			continue;
		}
		assert_non_null(got);
		assert_string_equal(got, cases[i].name);
		assert_int_equal(pbjson_enum_value(cases[i].desc, cases[i].name, &v), 0);
		assert_int_equal(v, cases[i].value);
	}
	/* the buffer must hold the name and its NUL */
	assert_null(pbjson_enum_name(&assist__hospital__descriptor, 1, buf, 6));
	assert_string_equal(pbjson_enum_name(&assist__hospital__descriptor, 1, buf, 7), "huimin");
}

static void test_enum_values(void **state)
{
	static const struct {
		const ProtobufCEnumDescriptor *desc;
		const char *name;
		int rc, value;
	} cases[] = {
		{&assist__hospital__descriptor, "HuiMin", 0, 1},
		{&assist__hospital__descriptor, "HUIMIN", 0, 1},
		{&assist__hospital__descriptor, "HOSPITAL_HUIMIN", 0, 1},
		{&assist__hospital__descriptor, "hospital_central", 0, 2},
		{&assist__category__descriptor, "4050", 0, 12},
		{&assist__kind__descriptor, "Medical_Claim", 0, 5},
		{&assist__kind__descriptor, "UNSPECIFIED", 0, 0},
		{&assist__benefit_status__descriptor, "benefit_status_ended", 0, 2},
		{&assist__benefit_status__descriptor, "Ended", 0, 2},
		{&assist__hospital__descriptor, "moon", -EINVAL, 0},
		{&assist__hospital__descriptor, "", -EINVAL, 0},
		{&assist__hospital__descriptor, "huimin ", -EINVAL, 0},
		{&assist__category__descriptor, "12", -EINVAL, 0},
		{&assist__benefit_status__descriptor, "status_ended", -EINVAL, 0},
	};

	for (size_t i = 0; i < N(cases); i++) {
		int v = -99;

		assert_int_equal(pbjson_enum_value(cases[i].desc, cases[i].name, &v), cases[i].rc);
		if (cases[i].rc == 0)
			assert_int_equal(v, cases[i].value);
	}
}

/* A message with the field kinds assist.proto does not use (bytes, float,
 * uint32, proto3 optional scalar and string, repeated string), described by
 * hand as protoc-c would. */
typedef struct {
	ProtobufCMessage base;
	ProtobufCBinaryData data;
	protobuf_c_boolean has_count;
	int32_t count;
	size_t n_tags;
	char **tags;
	float ratio;
	uint32_t small;
	char *note;
} Blob;

static const ProtobufCMessageDescriptor blob_descriptor;

static void blob_init(ProtobufCMessage *m)
{
	*(Blob *)m = (Blob){.base = PROTOBUF_C_MESSAGE_INIT(&blob_descriptor)};
}

static const ProtobufCFieldDescriptor blob_fields[] = {
	{"data", 1, PROTOBUF_C_LABEL_NONE, PROTOBUF_C_TYPE_BYTES, 0, offsetof(Blob, data), NULL,
	 NULL, 0, 0, NULL, NULL},
	{"count", 2, PROTOBUF_C_LABEL_OPTIONAL, PROTOBUF_C_TYPE_INT32, offsetof(Blob, has_count),
	 offsetof(Blob, count), NULL, NULL, 0, 0, NULL, NULL},
	{"tags", 3, PROTOBUF_C_LABEL_REPEATED, PROTOBUF_C_TYPE_STRING, offsetof(Blob, n_tags),
	 offsetof(Blob, tags), NULL, &protobuf_c_empty_string, 0, 0, NULL, NULL},
	{"ratio", 4, PROTOBUF_C_LABEL_NONE, PROTOBUF_C_TYPE_FLOAT, 0, offsetof(Blob, ratio), NULL,
	 NULL, 0, 0, NULL, NULL},
	{"small", 5, PROTOBUF_C_LABEL_NONE, PROTOBUF_C_TYPE_UINT32, 0, offsetof(Blob, small), NULL,
	 NULL, 0, 0, NULL, NULL},
	{"note", 6, PROTOBUF_C_LABEL_OPTIONAL, PROTOBUF_C_TYPE_STRING, 0, offsetof(Blob, note), NULL,
	 NULL, 0, 0, NULL, NULL},
};
static const unsigned blob_by_name[] = {1, 0, 5, 3, 4, 2};
static const ProtobufCIntRange blob_ranges[] = {{1, 0}, {0, 6}};
static const ProtobufCMessageDescriptor blob_descriptor = {
	PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC, "test.Blob", "Blob", "Blob", "test", sizeof(Blob),
	N(blob_fields), blob_fields, blob_by_name, 1, blob_ranges, blob_init, NULL, NULL, NULL,
};

static void test_other_types(void **state)
{
	static const char all[] = "{\"data\":\"aGVsbG8gd29ybGQ=\",\"count\":0,"
				  "\"tags\":[\"a\",\"\",\"c\"],\"ratio\":0.5,\"small\":4000000000}";
	json_t *j = parse(all);
	Blob *b = (Blob *)decode_ok(&blob_descriptor, j);

	assert_int_equal(b->data.len, 11);
	assert_memory_equal(b->data.data, "hello world", 11);
	assert_true(b->has_count);
	assert_int_equal(b->count, 0);
	assert_int_equal(b->n_tags, 3);
	assert_string_equal(b->tags[1], "");
	assert_true(b->small == 4000000000u);
	protobuf_c_message_free_unpacked(&b->base, NULL);
	json_decref(j);

	check_roundtrip(&blob_descriptor, all, all, 0);
	/* an unset optional stays out even with EMIT_DEFAULTS; a set one is in */
	check_roundtrip(&blob_descriptor, "{}",
			"{\"data\":\"\",\"tags\":[],\"ratio\":0.0,\"small\":0}",
			PBJSON_EMIT_DEFAULTS);
	check_roundtrip(&blob_descriptor, "{\"data\":\"\",\"count\":-4}", "{\"count\":-4}", 0);
	check_roundtrip(&blob_descriptor, "{\"note\":\"\"}", "{\"note\":\"\"}", 0);
}

/* What JSON cannot hold as such: NaN, infinities, invalid UTF-8. */
static void test_awkward_values(void **state)
{
	Assist__HouseholdSummary hs = ASSIST__HOUSEHOLD_SUMMARY__INIT;
	Assist__Rejection rej = ASSIST__REJECTION__INIT;
	json_t *out, *want;

	hs.housing_area_m2 = NAN;
	out = pbjson_encode(&hs.base, 0);
	assert_string_equal(json_string_value(json_object_get(out, "housing_area_m2")), "NaN");
	json_decref(out);

	check_roundtrip(&assist__household_summary__descriptor,
			"{\"housing_area_m2\":\"-Infinity\"}",
			"{\"housing_area_m2\":\"-Infinity\"}",
			0);
	check_roundtrip(&assist__household_summary__descriptor,
			"{\"housing_area_m2\":\"Infinity\"}", "{\"housing_area_m2\":\"Infinity\"}",
			0);

	/* each bad byte as the text \xNN, valid characters kept */
	rej.reason = "caf\xc3 r\xe9sum\xe9";
	out = pbjson_encode(&rej.base, 0);
	want = parse("{\"reason\":\"caf\\\\xc3 r\\\\xe9sum\\\\xe9\"}");
	assert_json_equal(out, want, "invalid UTF-8");
	json_decref(want);
	json_decref(out);
}

static void test_bad_inputs(void **state)
{
	static const struct {
		const ProtobufCMessageDescriptor *desc;
		const char *json, *err;
	} cases[] = {
		{&assist__event__descriptor, "{\"medical_claim\":{\"total_fen\":\"12k\"}}",
		 "medical_claim.total_fen: expected an integer"},
		{&assist__event__descriptor, "{\"medical_claim\":{\"total_fen\":12.5}}",
		 "medical_claim.total_fen: expected an integer"},
		{&assist__event__descriptor, "{\"medical_claim\":{\"total_fen\":true}}",
		 "medical_claim.total_fen: expected an integer"},
		{&assist__event__descriptor, "{\"medical_claim\":{\"total_fen\":\" 12\"}}",
		 "medical_claim.total_fen: expected an integer"},
		{&assist__event__descriptor,
		 "{\"source\":\"health\",\"medical_claim\":{\"claim_id\":\"H-1\","
		 "\"hospital\":\"moon\"}}",
		 "medical_claim.hospital: unknown value \"moon\""},
		{&assist__event__descriptor,
		 "{\"person\":{\"id_number\":\"420704198001011234\",\"place\":{\"town\":\"杨叶镇\"},"
		 "\"categories\":[\"urban_dibao\",\"disabled\",\"x\"]}}",
		 "person.categories[2]: unknown value \"x\""},
		{&assist__event__descriptor,
		 "{\"medical_claim\":{\"claim_id\":\"H-1\",\"totl_fen\":1}}",
		 "unknown field \"totl_fen\" in medical_claim"},
		{&assist__event__descriptor, "{\"sauce\":\"health\"}", "unknown field \"sauce\""},
		{&assist__event__descriptor, "{\"person\":{\"place\":{\"twn\":\"x\"}}}",
		 "unknown field \"twn\" in person.place"},
		{&assist__event__descriptor, "{\"person\":\"420704198001011234\"}",
		 "person: expected an object"},
		{&assist__event__descriptor, "[]", "expected an object"},
		{&assist__event__descriptor, "{\"household\":{\"members\":2147483648}}",
		 "household.members: 2147483648 out of range for int32"},
		{&assist__event__descriptor, "{\"household\":{\"members\":-2147483649}}",
		 "household.members: -2147483649 out of range for int32"},
		{&assist__event__descriptor, "{\"household\":{\"members\":4.5}}",
		 "household.members: expected an integer"},
		{&assist__event__descriptor, "{\"seq\":-1}", "seq: -1 out of range for uint64"},
		{&assist__event__descriptor, "{\"seq\":\"18446744073709551616\"}",
		 "seq: 18446744073709551616 out of range"},
		{&assist__event__descriptor,
		 "{\"household\":{\"monthly_income_fen\":\"9223372036854775808\"}}",
		 "household.monthly_income_fen: 9223372036854775808 out of range for int64"},
		{&assist__event__descriptor, "{\"medical_claim\":{\"eligible_fen\":{\"value\":3}}}",
		 "medical_claim.eligible_fen: expected an integer"},
		{&assist__event__descriptor, "{\"person\":{\"household_id\":\"a\",\"name\":5}}",
		 "person.name: expected a string"},
		{&assist__event__descriptor, "{\"person\":{\"name\":\"a\\u0000b\"}}",
		 "person.name: contains a NUL character"},
		{&assist__event__descriptor, "{\"medical_claim\":{\"special_approval\":\"yes\"}}",
		 "medical_claim.special_approval: expected a boolean"},
		{&assist__event__descriptor, "{\"status\":{\"active\":1}}",
		 "status.active: expected a boolean"},
		{&assist__event__descriptor, "{\"household\":{\"housing_area_m2\":\"62.5\"}}",
		 "household.housing_area_m2: expected a number"},
		{&assist__event__descriptor, "{\"kind\":99}", "kind: unknown value 99"},
		{&assist__event__descriptor, "{\"kind\":\"\"}", "kind: unknown value \"\""},
		{&assist__event__descriptor, "{\"kind\":[\"person\"]}",
		 "kind: expected a name or an integer"},
		{&assist__event__descriptor,
		 "{\"person\":{\"id_number\":\"420704198001011234\"},\"household\":{}}",
		 "only one of \"person\" and \"household\" may be set"},
		{&assist__event__descriptor, "{\"person\":{\"categories\":\"disabled\"}}",
		 "person.categories: expected an array"},
		{&assist__event__descriptor, "{\"person\":{\"categories\":[null]}}",
		 "person.categories[0]: expected a name or an integer"},
		{&assist__event__descriptor, "{\"position\":{\"major\":\"12a\"}}",
		 "position.major: expected an integer"},
		{&assist__recipient_record__descriptor,
		 "{\"benefits\":[{\"scheme\":\"urban_dibao\",\"reason\":\"ok\"},"
		 "{\"status\":\"gone\"}]}",
		 "benefits[1].status: unknown value \"gone\""},
		{&assist__recipient_record__descriptor, "{\"ledger\":[{\"ref\":\"C-1\"},7]}",
		 "ledger[1]: expected an object"},
		{&assist__request__descriptor,
		 "{\"batch\":{\"source\":\"health\",\"events\":[{\"seq\":1,\"kind\":\"person\"},"
		 "{\"seq\":2,\"medical_claim\":{\"hospital\":\"moon\"}}]}}",
		 "batch.events[1].medical_claim.hospital: unknown value \"moon\""},
		{&blob_descriptor, "{\"data\":\"!!\"}", "data: invalid base64"},
		{&blob_descriptor, "{\"data\":\"aGVsbG8\"}", "data: invalid base64"},
		{&blob_descriptor, "{\"data\":7}", "data: expected a base64 string"},
		{&blob_descriptor, "{\"small\":-1}", "small: -1 out of range for uint32"},
		{&blob_descriptor, "{\"small\":4294967296}",
		 "small: 4294967296 out of range for uint32"},
		{&blob_descriptor, "{\"ratio\":1e300}", "ratio: 1e+300 out of range for float"},
		{&blob_descriptor, "{\"tags\":[\"a\",\"b\",3]}", "tags[2]: expected a string"},
		{&blob_descriptor, "{\"count\":\"x\"}", "count: expected an integer"},
	};

	for (size_t i = 0; i < N(cases); i++) {
		json_t *j = parse(cases[i].json);
		ProtobufCMessage *msg = (ProtobufCMessage *)&msg;
		char err[256] = "untouched";
		int rc = pbjson_decode(cases[i].desc, j, &msg, err, sizeof(err));

		if (rc != -EINVAL || strcmp(err, cases[i].err) != 0)
			fail_msg("%s: got %d \"%s\", want \"%s\"", cases[i].json, rc, err,
				 cases[i].err);
		assert_null(msg);
		json_decref(j);
	}
}

/* The error text is cut to fit, and no buffer at all is allowed. */
static void test_error_buffer(void **state)
{
	json_t *j = parse("{\"medical_claim\":{\"hospital\":\"moon\"}}");
	ProtobufCMessage *msg;
	char err[16];

	assert_int_equal(pbjson_decode(&assist__event__descriptor, j, &msg, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "medical_claim.h");
	assert_int_equal(pbjson_decode(&assist__event__descriptor, j, &msg, NULL, 0), -EINVAL);
	assert_null(msg);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_roundtrip),
		cmocka_unit_test(test_event_values),
		cmocka_unit_test(test_record_emit_defaults),
		cmocka_unit_test(test_record_sparse),
		cmocka_unit_test(test_record_empty_emit_defaults),
		cmocka_unit_test(test_wrappers),
		cmocka_unit_test(test_normalised),
		cmocka_unit_test(test_uint64_max),
		cmocka_unit_test(test_enum_names),
		cmocka_unit_test(test_enum_values),
		cmocka_unit_test(test_other_types),
		cmocka_unit_test(test_awkward_values),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_error_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
