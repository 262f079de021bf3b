#include "statemap.h"

#include <errno.h>

#include "policy/policy.h"
#include "state.pb-c.h"

#define N(rows) (sizeof(rows) / sizeof((rows)[0]))

static const struct pbmap_field place_rows[] = {
	PBMAP_FIELD(struct place, district, "district", PBMAP_ATOM),
	PBMAP_FIELD(struct place, town, "town", PBMAP_ATOM),
	PBMAP_FIELD(struct place, community, "community", PBMAP_ATOM),
};

static const struct pbmap place_map = {
	&assist__place__descriptor, sizeof(struct place), place_rows, N(place_rows)};

static const struct pbmap_field person_rows[] = {
	PBMAP_FIELD(struct person, name, "name", PBMAP_TEXT),
	PBMAP_FIELD(struct person, household_id, "household_id", PBMAP_TEXT),
	PBMAP_FIELD(struct person, hukou, "hukou", PBMAP_ENUM),
	PBMAP_FIELD(struct person, area, "area", PBMAP_ENUM),
	{"place", offsetof(struct person, place), sizeof(struct place), PBMAP_MESSAGE, &place_map},
	PBMAP_FIELD(struct person, deceased_on, "deceased_on", PBMAP_DATE),
	PBMAP_FIELD(struct person, version, "version", PBMAP_UINT64),
	PBMAP_FIELD(struct person, feed_seq, "feed_seq", PBMAP_UINT64),
};

const struct pbmap statemap_person = {&assist__recipient_record__descriptor, sizeof(struct person),
				      person_rows, N(person_rows)};

static const struct pbmap_field person_state_rows[] = {
	PBMAP_FIELD(struct person, latest_date, "latest_date", PBMAP_INT32), /* YYYYMMDD */
	PBMAP_FIELD(struct person, updated_at_ms, "updated_at_ms", PBMAP_INT64),
	PBMAP_FIELD(struct person, hukou_from, "hukou_from", PBMAP_DATE),
	PBMAP_FIELD(struct person, household_from, "household_from", PBMAP_DATE),
};

const struct pbmap statemap_person_state = {&assist__person_state__descriptor,
					    sizeof(struct person), person_state_rows,
					    N(person_state_rows)};

static const struct pbmap_field benefit_rows[] = {
	PBMAP_FIELD(struct benefit, scheme, "scheme", PBMAP_ENUM),
	PBMAP_FIELD(struct benefit, class_, "class", PBMAP_TEXT),
	PBMAP_FIELD(struct benefit, monthly, "monthly_fen", PBMAP_INT64),
	PBMAP_FIELD(struct benefit, active, "status", PBMAP_BENEFIT_STATUS),
	PBMAP_FIELD(struct benefit, since, "since", PBMAP_DATE),
	PBMAP_FIELD(struct benefit, until, "until", PBMAP_DATE),
	PBMAP_FIELD(struct benefit, reason, "reason", PBMAP_TEXT),
};

static const struct pbmap benefit_map = {&assist__benefit__descriptor, sizeof(struct benefit),
					 benefit_rows, N(benefit_rows)};

static const struct pbmap_field entitlement_rows[] = {
	PBMAP_FIELD(struct entitlement, scheme, "scheme", PBMAP_ENUM),
	PBMAP_FIELD(struct entitlement, eligible, "eligible", PBMAP_BOOL),
	PBMAP_FIELD(struct entitlement, reason, "reason", PBMAP_ATOM),
};

static const struct pbmap entitlement_map = {&assist__entitlement__descriptor,
					     sizeof(struct entitlement), entitlement_rows,
					     N(entitlement_rows)};

static const struct pbmap_field ledger_rows[] = {
	PBMAP_FIELD(struct ledger_entry, ref, "ref", PBMAP_TEXT),
	PBMAP_FIELD(struct ledger_entry, scheme, "scheme", PBMAP_ENUM),
	PBMAP_FIELD(struct ledger_entry, date, "date", PBMAP_DATE),
	PBMAP_FIELD(struct ledger_entry, requested, "requested_fen", PBMAP_INT64),
	PBMAP_FIELD(struct ledger_entry, amount, "amount_fen", PBMAP_INT64),
	PBMAP_FIELD(struct ledger_entry, clipped, "clipped", PBMAP_BOOL),
	PBMAP_FIELD(struct ledger_entry, reason, "reason", PBMAP_TEXT),
	PBMAP_FIELD(struct ledger_entry, kind, "kind", PBMAP_ENUM),
	PBMAP_FIELD(struct ledger_entry, period, "period", PBMAP_TEXT),
};

static const struct pbmap ledger_map = {&assist__ledger_entry__descriptor,
					sizeof(struct ledger_entry), ledger_rows, N(ledger_rows)};

static const struct pbmap_field alert_rows[] = {
	PBMAP_FIELD(struct alert, code, "code", PBMAP_TEXT),
	PBMAP_FIELD(struct alert, scheme, "scheme", PBMAP_ENUM),
	PBMAP_FIELD(struct alert, ref, "ref", PBMAP_TEXT),
	PBMAP_FIELD(struct alert, message, "message", PBMAP_TEXT),
};

static const struct pbmap alert_map = {&assist__alert__descriptor, sizeof(struct alert),
				       alert_rows, N(alert_rows)};

static const struct pbmap_field application_rows[] = {
	PBMAP_FIELD(struct application, id, "application_id", PBMAP_TEXT),
	PBMAP_FIELD(struct application, scheme, "scheme", PBMAP_ENUM),
	PBMAP_FIELD(struct application, state, "state", PBMAP_ENUM),
	PBMAP_FIELD(struct application, household_id, "household_id", PBMAP_TEXT),
};

static const struct pbmap application_map = {&assist__application_trail__descriptor,
					     sizeof(struct application), application_rows,
					     N(application_rows)};

static const struct pbmap_field application_step_rows[] = {
	PBMAP_FIELD(struct application_step, step, "step", PBMAP_ENUM),
	PBMAP_FIELD(struct application_step, officer, "officer", PBMAP_TEXT),
	PBMAP_FIELD(struct application_step, on, "on", PBMAP_DATE),
	PBMAP_FIELD(struct application_step, note, "note", PBMAP_TEXT),
};

const struct pbmap statemap_application_step = {&assist__application_trail_step__descriptor,
						sizeof(struct application_step),
						application_step_rows, N(application_step_rows)};

static const struct pbmap_field category_rows[] = {
	PBMAP_FIELD(struct category_state, active, "active", PBMAP_BOOL),
	PBMAP_FIELD(struct category_state, since, "since", PBMAP_DATE),
	PBMAP_FIELD(struct category_state, class_, "class", PBMAP_TEXT),
	PBMAP_FIELD(struct category_state, months, "months", PBMAP_INT32),
	PBMAP_FIELD(struct category_state, until, "until", PBMAP_DATE),
};

const struct pbmap statemap_category = {&assist__category_state__descriptor,
					sizeof(struct category_state), category_rows,
					N(category_rows)};

/* The Position of an enrollment is two of its own members, so the nested
 * map's offsets are the enrollment's. */
static const struct pbmap_field position_rows[] = {
	PBMAP_FIELD(struct enrollment, major, "major", PBMAP_UINT64),
	PBMAP_FIELD(struct enrollment, minor, "minor", PBMAP_UINT64),
};

static const struct pbmap position_map = {&assist__position__descriptor, sizeof(struct enrollment),
					  position_rows, N(position_rows)};

static const struct pbmap_field enrollment_rows[] = {
	PBMAP_FIELD(struct enrollment, scheme, "scheme", PBMAP_ENUM),
	PBMAP_FIELD(struct enrollment, class_, "class", PBMAP_TEXT),
	PBMAP_FIELD(struct enrollment, has_amount, "has_amount", PBMAP_BOOL),
	PBMAP_FIELD(struct enrollment, amount, "amount_fen", PBMAP_INT64),
	PBMAP_FIELD(struct enrollment, start, "start_date", PBMAP_DATE),
	PBMAP_FIELD(struct enrollment, end, "end_date", PBMAP_DATE),
	PBMAP_FIELD(struct enrollment, granted, "granted", PBMAP_BOOL),
	PBMAP_FIELD(struct enrollment, source, "source", PBMAP_TEXT),
	{"position", 0, sizeof(struct enrollment), PBMAP_MESSAGE, &position_map},
};

static const struct pbmap enrollment_map = {&assist__enrollment_state__descriptor,
					    sizeof(struct enrollment), enrollment_rows,
					    N(enrollment_rows)};

static const struct pbmap_field household_rows[] = {
	PBMAP_FIELD(struct household, id, "household_id", PBMAP_TEXT),
	PBMAP_FIELD(struct household, has_members, "has_members", PBMAP_BOOL),
	PBMAP_FIELD(struct household, members, "members", PBMAP_INT32),
	PBMAP_FIELD(struct household, has_income, "has_income", PBMAP_BOOL),
	PBMAP_FIELD(struct household, monthly_income, "monthly_income_fen", PBMAP_INT64),
	PBMAP_FIELD(struct household, has_area, "has_area", PBMAP_BOOL),
	PBMAP_FIELD(struct household, housing_area_m2, "housing_area_m2", PBMAP_DOUBLE),
	PBMAP_FIELD(struct household, area, "area", PBMAP_ENUM),
	PBMAP_FIELD(struct household, changed_from, "changed_from", PBMAP_DATE),
};

static const struct pbmap_field household_past_rows[] = {
	PBMAP_FIELD(struct household_past, from, "from", PBMAP_DATE),
	PBMAP_FIELD(struct household_past, has_members, "has_members", PBMAP_BOOL),
	PBMAP_FIELD(struct household_past, members, "members", PBMAP_INT32),
	PBMAP_FIELD(struct household_past, has_income, "has_income", PBMAP_BOOL),
	PBMAP_FIELD(struct household_past, monthly_income, "monthly_income_fen", PBMAP_INT64),
	PBMAP_FIELD(struct household_past, has_area, "has_area", PBMAP_BOOL),
	PBMAP_FIELD(struct household_past, housing_area_m2, "housing_area_m2", PBMAP_DOUBLE),
	PBMAP_FIELD(struct household_past, area, "area", PBMAP_ENUM),
};

static const struct pbmap household_past_map = {&assist__household_past__descriptor,
						sizeof(struct household_past), household_past_rows,
						N(household_past_rows)};

const struct pbmap statemap_household = {&assist__household_state__descriptor,
					 sizeof(struct household), household_rows,
					 N(household_rows)};

static const struct pbmap_field trace_param_rows[] = {
	PBMAP_FIELD(struct trace_param, name, "name", PBMAP_CSTR),
	PBMAP_FIELD(struct trace_param, value, "value", PBMAP_INT64),
	PBMAP_FIELD(struct trace_param, unit, "unit", PBMAP_CSTR),
	PBMAP_FIELD(struct trace_param, effective, "effective", PBMAP_DATE),
	PBMAP_FIELD(struct trace_param, clause, "clause", PBMAP_CSTR),
};

static const struct pbmap trace_param_map = {&assist__trace_param__descriptor,
					     sizeof(struct trace_param), trace_param_rows,
					     N(trace_param_rows)};

static const struct pbmap_field trace_input_rows[] = {
	PBMAP_FIELD(struct trace_input, name, "name", PBMAP_TEXT),
	PBMAP_FIELD(struct trace_input, value, "value", PBMAP_TEXT),
};

static const struct pbmap trace_input_map = {&assist__trace_input__descriptor,
					     sizeof(struct trace_input), trace_input_rows,
					     N(trace_input_rows)};

const struct pbmap_list statemap_benefits = {&assist__recipient_record__descriptor, "benefits",
					     &benefit_map};
const struct pbmap_list statemap_entitlements = {&assist__recipient_record__descriptor,
						 "entitlements", &entitlement_map};
const struct pbmap_list statemap_ledger = {&assist__recipient_record__descriptor, "ledger",
					   &ledger_map};
const struct pbmap_list statemap_alerts = {&assist__recipient_record__descriptor, "alerts",
					   &alert_map};
const struct pbmap_list statemap_applications = {&assist__recipient_record__descriptor,
						 "applications", &application_map};
const struct pbmap_list statemap_application_steps = {&assist__application_trail__descriptor,
						      "steps", &statemap_application_step};
const struct pbmap_list statemap_enrollments = {&assist__person_state__descriptor, "enrollments",
						&enrollment_map};
const struct pbmap_list statemap_household_past = {&assist__household_state__descriptor, "past",
						   &household_past_map};
const struct pbmap_list statemap_trace_params = {&assist__explanation__descriptor, "params",
						 &trace_param_map};
const struct pbmap_list statemap_trace_inputs = {&assist__explanation__descriptor, "inputs",
						 &trace_input_map};

void statemap_fill_ytd(Assist__Ytd *o, const struct ytd *y)
{
	int64_t *slot;

	for (int c = 0; (slot = scheme_ytd_counter(o, c)) != NULL; c++)
		*slot = y->totals[c];
}

void statemap_read_ytd(struct ytd *y, const Assist__Ytd *o)
{
	const int64_t *slot;

	for (int c = 0; (slot = scheme_ytd_counter((Assist__Ytd *)o, c)) != NULL; c++)
		y->totals[c] = *slot;
}

int statemap_check(char *err, size_t errlen)
{
	static const struct pbmap *const maps[] = {
		&statemap_person,
		&statemap_person_state,
		&statemap_category,
		&statemap_household,
		&statemap_application_step,
	};
	static const struct pbmap_list *const lists[] = {
		&statemap_benefits,    &statemap_entitlements, &statemap_ledger,
		&statemap_alerts,      &statemap_enrollments,  &statemap_trace_params,
		&statemap_trace_inputs, &statemap_applications, &statemap_application_steps,
		&statemap_household_past,
	};

	for (size_t i = 0; i < N(maps); i++) {
		if (pbmap_check(maps[i], err, errlen) < 0)
			return -EINVAL;
	}
	for (size_t i = 0; i < N(lists); i++) {
		if (pbmap_check_list(lists[i], err, errlen) < 0)
			return -EINVAL;
	}
	return 0;
}
