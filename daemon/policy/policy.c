#include "policy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "rules.h"

/* Date part of an RFC 3339 timestamp, or YMD_NONE. */
static ymd_t timestamp_date(const char *ts)
{
	char day[YMD_BUFLEN];
	ymd_t d;

	if (ts == NULL || strlen(ts) < 10)
		return YMD_NONE;
	memcpy(day, ts, 10);
	day[10] = '\0';
	return ymd_parse(day, &d) == 0 ? d : YMD_NONE;
}

static ymd_t parse_or_none(const char *s)
{
	ymd_t d;

	if (s == NULL || s[0] == '\0' || ymd_parse(s, &d) < 0)
		return YMD_NONE;
	return d;
}

/* An education_aid carries no date: its term's leading year ("2009-autumn"
 * -> 2009-01-01) if it is a year a date may have (past 2199 the store could
 * not read the ledger line back), else when it occurred, else the person's
 * latest date. */
static ymd_t education_date(const Assist__Event *ev, const struct person *p)
{
	const char *term = ev->education_aid->term;
	char day[YMD_BUFLEN];
	ymd_t d;

	if (term != NULL && strnlen(term, 4) == 4) {
		snprintf(day, sizeof(day), "%.4s-01-01", term);
		if (ymd_parse(day, &d) == 0)
			return d;
	}
	d = timestamp_date(ev->occurred_at);
	if (d != YMD_NONE)
		return d;
	return p->latest_date != YMD_NONE ? p->latest_date : ymd_today();
}

static Assist__Scheme training_scheme(Assist__Program program)
{
	switch (program) {
	case ASSIST__PROGRAM__PROGRAM_VOCATIONAL:
		return ASSIST__SCHEME__SCHEME_VOCATIONAL_TRAINING;
	case ASSIST__PROGRAM__PROGRAM_ENTREPRENEURSHIP:
		return ASSIST__SCHEME__SCHEME_ENTREPRENEURSHIP_TRAINING;
	case ASSIST__PROGRAM__PROGRAM_POVERTY_ALLEVIATION:
		return ASSIST__SCHEME__SCHEME_POVERTY_TRAINING;
	case ASSIST__PROGRAM__PROGRAM_SUNSHINE:
		return ASSIST__SCHEME__SCHEME_SUNSHINE_TRAINING;
	default:
		return ASSIST__SCHEME__SCHEME_UNSPECIFIED;
	}
}

/* A claim for someone who died on or before its date pays nothing: one
 * place for the rule, whatever the scheme. */
static int deceased_claim(struct person *p, const char *ref, Assist__Scheme scheme, ymd_t date,
			  fen_t requested, struct decisions *out)
{
	char died[YMD_BUFLEN], day[YMD_BUFLEN];
	struct decision *d;
	struct ledger_entry *le;

	ymd_format(p->deceased_on, died);
	if (rules_alert(out, p, "deceased_recipient", scheme, ref, "claim dated after death on %s",
			died) < 0)
		return -ENOMEM;
	d = decisions_add(out, DEC_LEDGER, p);
	if (d == NULL)
		return -ENOMEM;
	le = &d->u.ledger;
	snprintf(le->ref, sizeof(le->ref), "%s", ref != NULL ? ref : "");
	le->scheme = scheme;
	le->date = date;
	le->requested = requested;
	le->amount = 0;
	snprintf(le->reason, sizeof(le->reason), "deceased on %s: nothing paid", died);
	d->has_trace = true;
	trace_init(&d->trace, "policy.deceased");
	trace_input(&d->trace, "deceased_on", "%s", died);
	trace_input(&d->trace, "claim_date", "%s", ymd_format(date, day));
	trace_input(&d->trace, "requested_fen", "%lld", (long long)requested);
	trace_result(&d->trace, "%s", le->reason);
	return 0;
}

static bool is_dibao(Assist__Scheme s)
{
	return s == ASSIST__SCHEME__SCHEME_URBAN_DIBAO || s == ASSIST__SCHEME__SCHEME_RURAL_DIBAO;
}

int policy_enrollment(const struct policy_ctx *ctx, const Assist__Event *ev, struct person *p,
		      struct household *hh, struct decisions *out)
{
	const Assist__Enrollment *e = ev->enrollment;
	ymd_t start = event_date(ev);

	if (is_dibao(e->scheme))
		return dibao_enrollment(ctx, e, start, p, out);
	return rules_enrollment(out, ctx, e, start, true, p);
}

int policy_medical_claim(const struct policy_ctx *ctx, const Assist__Event *ev, struct person *p,
			 struct household *hh, struct decisions *out)
{
	const Assist__MedicalClaim *c = ev->medical_claim;
	ymd_t date = event_date(ev);

	if (rules_deceased_on(p, date))
		return deceased_claim(p, c->claim_id, ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE, date,
				      c->total_fen, out);
	return medical_claim(ctx, c, date, p, out);
}

int policy_education_aid(const struct policy_ctx *ctx, const Assist__Event *ev, struct person *p,
			 struct household *hh, struct decisions *out)
{
	const Assist__EducationAid *a = ev->education_aid;
	ymd_t date = education_date(ev, p);

	if (rules_deceased_on(p, date))
		return deceased_claim(p, a->claim_id, a->scheme, date, a->amount_fen, out);
	return education_aid(ctx, a, date, p, out);
}

int policy_training(const struct policy_ctx *ctx, const Assist__Event *ev, struct person *p,
		    struct household *hh, struct decisions *out)
{
	const Assist__Training *t = ev->training;
	ymd_t date = event_date(ev);

	if (date == YMD_NONE)
		date = parse_or_none(t->started_on);
	if (rules_deceased_on(p, date))
		return deceased_claim(p, t->claim_id, training_scheme(t->program), date, 0, out);
	return training_claim(ctx, t, date, p, out);
}

int policy_housing_aid(const struct policy_ctx *ctx, const Assist__Event *ev, struct person *p,
		       struct household *hh, struct decisions *out)
{
	return housing_aid(ctx, ev->housing_aid, event_date(ev), hh, out);
}

int policy_event(const struct policy_ctx *ctx, const Assist__Event *ev, struct person *p,
		 struct household *hh, struct decisions *out)
{
	const struct event_kind *k = event_of(ev);

	if (k == NULL || k->decide == NULL)
		return -EINVAL;
	/* A person-level kind is decided for the person it names. */
	if (p == NULL && !(k->flags & EVENT_HOUSEHOLD_LEVEL))
		return -EINVAL;
	return k->decide(ctx, ev, p, hh, out);
}

int policy_refresh(const struct policy_ctx *ctx, struct person *p, ymd_t date,
		   struct decisions *out)
{
	int rc = dibao_refresh(ctx, p, date, out);

	if (rc < 0)
		return rc;
	return entitlements_refresh(ctx, p, date, out);
}

/* A cap as shown for a year: the value in force at the year's end. */
static fen_t cap_of(const struct params *params, const char *name, int year)
{
	struct param_value pv;

	if (params_get(params, name, ymd_make(year, 12, 31), &pv) < 0)
		return 0;
	return pv.value;
}

void policy_caps(const struct params *params, const struct person *p, int year,
		 fen_t *huimin_cap, fen_t *medical_assistance_cap)
{
	bool special = person_has(p, ASSIST__CATEGORY__CATEGORY_THREE_NOES) ||
		       person_has(p, ASSIST__CATEGORY__CATEGORY_FIVE_GUARANTEE);

	*huimin_cap = cap_of(params, "medical.huimin.cap", year);
	*medical_assistance_cap = cap_of(params, special ? "medical.assistance.cap_special" :
							  "medical.assistance.cap",
					 year);
}

int policy_check_params(const struct params *params, char *err, size_t errlen)
{
	static const char *const *const lists[] = {
		dibao_param_names,     entitlements_param_names, medical_param_names,
		education_param_names, training_param_names,     housing_param_names,
	};
	struct param_value pv;

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		for (const char *const *name = lists[i]; *name != NULL; name++) {
			/* Only existence matters here: a value for any date will do. */
			if (params_get(params, *name, ymd_make(2199, 12, 31), &pv) == -ENOENT) {
				snprintf(err, errlen, "missing policy parameter %s", *name);
				return -ENOENT;
			}
		}
	}
	return 0;
}
