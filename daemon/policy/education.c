/* Education assistance (docs/policy.md (4)): fixed
 * per-term exemptions by stage, yearly grants, ranged amounts clipped into
 * their range, once per scheme and term (university entry once ever). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "rules.h"

const char *const education_param_names[] = {
	"education.misc_fee.primary",
	"education.misc_fee.junior",
	"education.textbook.primary",
	"education.textbook.junior",
	"education.tuition.primary",
	"education.tuition.junior",
	"education.key_high_school",
	"education.vocational",
	"education.boarding.min",
	"education.boarding.max",
	"education.university_entry.min",
	"education.university_entry.max",
	"education.university_monthly.min",
	"education.university_monthly.max",
	NULL,
};

enum edu_kind {
	EDU_STAGED, /* primary / junior amounts */
	EDU_FIXED,  /* one amount */
	EDU_RANGED, /* the requested amount inside [min, max] */
};

struct edu_scheme {
	Assist__Scheme scheme;
	const char *name; /* JSON name, also the once key's middle part */
	enum edu_kind kind;
	const char *param;   /* FIXED: the amount; STAGED, RANGED: the prefix */
	bool once_ever;      /* once per person, not per term */
};

static const struct edu_scheme edu_schemes[] = {
	{ASSIST__SCHEME__SCHEME_MISC_FEE_EXEMPTION, "misc_fee_exemption", EDU_STAGED,
	 "education.misc_fee", false},
	{ASSIST__SCHEME__SCHEME_TEXTBOOK_EXEMPTION, "textbook_exemption", EDU_STAGED,
	 "education.textbook", false},
	{ASSIST__SCHEME__SCHEME_TUITION_EXEMPTION, "tuition_exemption", EDU_STAGED,
	 "education.tuition", false},
	{ASSIST__SCHEME__SCHEME_KEY_HIGH_SCHOOL, "key_high_school", EDU_FIXED,
	 "education.key_high_school", false},
	{ASSIST__SCHEME__SCHEME_VOCATIONAL, "vocational", EDU_FIXED, "education.vocational", false},
	{ASSIST__SCHEME__SCHEME_BOARDING_ALLOWANCE, "boarding_allowance", EDU_RANGED,
	 "education.boarding", false},
	{ASSIST__SCHEME__SCHEME_UNIVERSITY_ENTRY, "university_entry", EDU_RANGED,
	 "education.university_entry", true},
	{ASSIST__SCHEME__SCHEME_UNIVERSITY_MONTHLY, "university_monthly", EDU_RANGED,
	 "education.university_monthly", false},
};

/* One claim as the rule sees it. */
struct edu_claim {
	const struct params *ps;
	const Assist__EducationAid *a;
	const struct edu_scheme *es;
	ymd_t date;
	struct person *p;
	struct decisions *out;
	struct trace t;
	char key[64];
};

static const struct edu_scheme *edu_scheme_of(Assist__Scheme s)
{
	for (size_t i = 0; i < sizeof(edu_schemes) / sizeof(edu_schemes[0]); i++) {
		if (edu_schemes[i].scheme == s)
			return &edu_schemes[i];
	}
	return NULL;
}

static const char *stage_name(Assist__Stage s)
{
	switch (s) {
	case ASSIST__STAGE__STAGE_PRIMARY:
		return "primary";
	case ASSIST__STAGE__STAGE_JUNIOR:
		return "junior";
	case ASSIST__STAGE__STAGE_SENIOR:
		return "senior";
	case ASSIST__STAGE__STAGE_VOCATIONAL:
		return "vocational";
	case ASSIST__STAGE__STAGE_UNIVERSITY:
		return "university";
	default:
		return "unspecified";
	}
}

/* Why p may have education assistance on d, or NULL when it may not. */
static const char *edu_eligible(const struct person *p, ymd_t d)
{
	if (rules_in_urban_dibao(p, d))
		return "urban dibao household";
	if (rules_in_rural_dibao(p, d))
		return "rural dibao household";
	if (person_has(p, ASSIST__CATEGORY__CATEGORY_ORPHAN))
		return "orphan";
	if (person_has(p, ASSIST__CATEGORY__CATEGORY_FIVE_GUARANTEE))
		return "five_guarantee";
	if (person_has(p, ASSIST__CATEGORY__CATEGORY_POOR_STUDENT))
		return "poor_student";
	return NULL;
}

static int edu_ledger(struct edu_claim *ec, fen_t requested, fen_t amount, bool clipped,
		      const char *reason)
{
	struct decision *d = decisions_add(ec->out, DEC_LEDGER, ec->p);
	struct ledger_entry *le;

	if (d == NULL)
		return -ENOMEM;
	le = &d->u.ledger;
	snprintf(le->ref, sizeof(le->ref), "%s", ec->a->claim_id);
	le->scheme = ec->a->scheme;
	le->date = ec->date;
	le->requested = requested;
	le->amount = amount;
	le->clipped = clipped;
	snprintf(le->reason, sizeof(le->reason), "%s", reason);
	d->has_trace = true;
	d->trace = ec->t;
	return 0;
}

/* A claim that pays nothing: the alert, and a ledger line of 0 saying why. */
static int edu_refuse(struct edu_claim *ec, const char *code, const char *why)
{
	trace_result(&ec->t, "%s: 0", why);
	if (edu_ledger(ec, ec->a->amount_fen, 0, false, why) < 0)
		return -ENOMEM;
	return rules_alert(ec->out, ec->p, code, ec->a->scheme, ec->a->claim_id, "%s", why);
}

/* The amount of a staged or fixed scheme; -1 when the stage has none. */
static fen_t edu_fixed(struct edu_claim *ec)
{
	const Assist__EducationAid *a = ec->a;
	char name[64];
	fen_t amount;

	if (ec->es->kind == EDU_FIXED) {
		amount = trace_param(&ec->t, ec->ps, ec->es->param, ec->date);
		trace_result(&ec->t, "%s %" PRId64, ec->es->name, amount);
		return amount;
	}
	if (a->stage != ASSIST__STAGE__STAGE_PRIMARY && a->stage != ASSIST__STAGE__STAGE_JUNIOR)
		return -1;
	snprintf(name, sizeof(name), "%s.%s", ec->es->param, stage_name(a->stage));
	amount = trace_param(&ec->t, ec->ps, name, ec->date);
	trace_result(&ec->t, "%s for %s %" PRId64 " a term", ec->es->name, stage_name(a->stage),
		     amount);
	return amount;
}

/* A ranged scheme: the requested amount, clipped into its range. */
static int edu_ranged(struct edu_claim *ec)
{
	fen_t asked = ec->a->amount_fen, lo, hi, amount;
	char name[64], reason[96];
	int rc;

	snprintf(name, sizeof(name), "%s.min", ec->es->param);
	lo = trace_param(&ec->t, ec->ps, name, ec->date);
	snprintf(name, sizeof(name), "%s.max", ec->es->param);
	hi = trace_param(&ec->t, ec->ps, name, ec->date);
	amount = money_clamp(asked, lo, hi);
	if (amount == asked) {
		trace_result(&ec->t, "requested %" PRId64 " within %" PRId64 "-%" PRId64 ": paid",
			     asked, lo, hi);
		return edu_ledger(ec, asked, amount, false, ec->es->name);
	}
	trace_result(&ec->t,
		     "requested %" PRId64 " outside %" PRId64 "-%" PRId64 ": clipped to %" PRId64,
		     asked, lo, hi, amount);
	snprintf(reason, sizeof(reason), "%s; out of range %" PRId64 "-%" PRId64, ec->es->name,
		 lo, hi);
	rc = edu_ledger(ec, asked, amount, true, reason);
	if (rc < 0)
		return rc;
	return rules_alert(ec->out, ec->p, "out_of_range", ec->a->scheme, ec->a->claim_id,
			   "%s requested %" PRId64 ", outside %" PRId64 "-%" PRId64
			   ": paid %" PRId64,
			   ec->es->name, asked, lo, hi, amount);
}

static int edu_once_key(struct edu_claim *ec)
{
	struct decision *d = decisions_add(ec->out, DEC_ONCE_KEY, ec->p);

	if (d == NULL)
		return -ENOMEM;
	snprintf(d->u.once_key, sizeof(d->u.once_key), "%s", ec->key);
	return 0;
}

/* The date of the claim: the one the dispatcher took from the event (term,
 * occurred_at), else the person's latest dated event, else today. */
static ymd_t edu_date(ymd_t date, const struct person *p, const char **how)
{
	if (date != YMD_NONE) {
		*how = "from the event";
		return date;
	}
	if (p->latest_date != YMD_NONE) {
		*how = "latest dated event";
		return p->latest_date;
	}
	*how = "today";
	return ymd_today();
}

int education_aid(const struct policy_ctx *ctx, const Assist__EducationAid *a, ymd_t date,
		  struct person *p, struct decisions *out)
{
	struct edu_claim ec = {.ps = ctx->params, .a = a, .p = p, .out = out};
	char buf[YMD_BUFLEN], why[128];
	const char *how, *basis;
	fen_t amount;
	int rc;

	ec.date = edu_date(date, p, &how);
	ec.es = edu_scheme_of(a->scheme);
	trace_init(&ec.t, "education");
	trace_input(&ec.t, "claim", "%s", a->claim_id);
	trace_input(&ec.t, "date", "%s (%s)", ymd_format(ec.date, buf), how);
	trace_input(&ec.t, "scheme", "%s", ec.es ? ec.es->name : "not an education scheme");
	trace_input(&ec.t, "stage", "%s", stage_name(a->stage));
	trace_input(&ec.t, "term", "%s", a->term);
	trace_input(&ec.t, "amount_fen", "%" PRId64, a->amount_fen);
	if (ec.es == NULL)
		return edu_refuse(&ec, "not_eligible", "not an education scheme");
	basis = edu_eligible(p, ec.date);
	trace_input(&ec.t, "eligible_as", "%s", basis ? basis : "none");
	if (basis == NULL)
		return edu_refuse(&ec, "not_eligible",
				  "not in a dibao household, not orphan, five_guarantee or "
				  "poor_student");
	if (ec.es->once_ever)
		snprintf(ec.key, sizeof(ec.key), "education/%s", ec.es->name);
	else
		snprintf(ec.key, sizeof(ec.key), "education/%s/%s", ec.es->name, a->term);
	if (person_has_once_key(p, ec.key)) {
		snprintf(why, sizeof(why), "already paid (%s)", ec.key);
		return edu_refuse(&ec, "duplicate_one_time", why);
	}
	if (ec.es->kind == EDU_RANGED) {
		rc = edu_ranged(&ec);
	} else {
		amount = edu_fixed(&ec);
		if (amount < 0) {
			snprintf(why, sizeof(why), "%s is for primary or junior, not %s",
				 ec.es->name, stage_name(a->stage));
			return edu_refuse(&ec, "not_eligible", why);
		}
		rc = edu_ledger(&ec, amount, amount, false, ec.es->name);
	}
	if (rc < 0)
		return rc;
	return edu_once_key(&ec);
}

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

int education_decide(const struct policy_ctx *ctx, const Assist__Event *ev, struct person *p,
		     struct household *hh, struct decisions *out)
{
	const Assist__EducationAid *a = ev->education_aid;
	ymd_t date = education_date(ev, p);

	if (rules_deceased_on(p, date))
		return rules_deceased_claim(p, a->claim_id, a->scheme, date, a->amount_fen, out);
	return education_aid(ctx, a, date, p, out);
}
