#include "policy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "appstep.h"
#include "rules.h"

/* A claim for someone who died on or before its date pays nothing: one
 * place for the rule, whatever the scheme. */
int rules_deceased_claim(struct person *p, const char *ref, Assist__Scheme scheme, ymd_t date,
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

/* Whether entry i is a decision of a person-level claim on p that is still
 * in force and dated on or after p's death (rules_deceased_on()), the first
 * entry of its ref. */
static bool claim_after_death(const struct person *p, size_t i)
{
	const struct ledger_entry *le = &p->ledger[i];
	fen_t sum = 0;

	if (le->kind != ASSIST__LEDGER_KIND__LEDGER_KIND_DECISION || le->date < p->deceased_on ||
	    le->ref[0] == '\0' || scheme_family(le->scheme) == SCHEME_FAMILY_HOUSING)
		return false;
	for (size_t j = 0; j < p->n_ledger; j++) {
		if (strcmp(p->ledger[j].ref, le->ref) != 0)
			continue;
		if (j < i)
			return false;
		sum += p->ledger[j].amount;
	}
	return sum != 0;
}

/* A death registered after claims dated from it on were paid: each is
 * reversed and alerted, as a claim arriving after the registration pays
 * nothing. */
static int reverse_after_death(struct person *p, struct decisions *out)
{
	char died[YMD_BUFLEN];
	size_t n = p->n_ledger;
	int rc;

	if (p->deceased_on == YMD_NONE)
		return 0;
	ymd_format(p->deceased_on, died);
	for (size_t i = 0; i < n; i++) {
		if (!claim_after_death(p, i))
			continue;
		if ((rc = rules_alert(out, p, "deceased_recipient", p->ledger[i].scheme,
				      p->ledger[i].ref, "claim dated after death on %s: reversed",
				      died)) < 0 ||
		    (rc = policy_reversal(p, p->ledger[i].ref, "deceased", out)) < 0)
			return rc;
	}
	return 0;
}

const char *const *policy_periodic_params(void)
{
	return dibao_param_names;
}

int policy_backdate(struct person *p, const struct policy_cause *c, struct decisions *out)
{
	size_t n = p->hh != NULL ? p->hh->n_m : 1;
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		struct person *m = p->hh != NULL ? p->hh->m[i] : p;

		if ((rc = reverse_after_death(m, out)) == 0)
			rc = payment_reconcile(m, c, out);
	}
	return rc;
}

int policy_decide_enrollment(const struct policy_ctx *ctx, const Assist__Event *ev,
			     struct person *p, struct household *hh, struct decisions *out)
{
	const Assist__Enrollment *e = ev->enrollment;
	ymd_t start = event_date(ev);

	if (scheme_family(e->scheme) == SCHEME_FAMILY_DIBAO)
		return dibao_enrollment(ctx, e, start, p, out);
	return rules_enrollment(out, ctx, e, start, true, p);
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

ymd_t policy_day_before(ymd_t d)
{
	return ymd_from_days(ymd_to_days(d) - 1);
}

ymd_t policy_month_end(ymd_t d)
{
	return policy_day_before(ymd_next_month(d));
}

size_t policy_benefits_as_of(const struct params *ps, const struct person *p, ymd_t d,
			     struct benefit *out)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n_benefits; i++) {
		const struct benefit *b = &p->benefits[i];
		char how[sizeof(b->reason)];
		fen_t due;

		if (!dibao_benefit_as_of(p, b, d, &out[n]))
			continue;
		/* The amount of that day, when its facts still make one. */
		due = ps != NULL && out[n].active ? dibao_due(ps, p, b, d, how, sizeof(how)) : 0;
		if (due > 0) {
			out[n].monthly = due;
			if (b->active)
				snprintf(out[n].reason, sizeof(out[n].reason), "%s", how);
		}
		n++;
	}
	return n;
}

int policy_check_params(const struct params *params, char *err, size_t errlen)
{
	static const char *const *const lists[] = {
		dibao_param_names,     entitlements_param_names, medical_param_names,
		education_param_names, training_param_names,     housing_param_names,
		appstep_param_names,
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
