/* A medical bill through its payers, in the order of docs/policy.md "A
 * medical bill, step by step": insurer, medical assistance, temporary
 * assistance, vagrant aid, chronic-disease quota, never more together than
 * the bill's total. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "rules.h"

const char *const medical_param_names[] = {
	"medical.huimin.deductible",
	"medical.huimin.rate.huimin",
	"medical.huimin.rate.central",
	"medical.huimin.rate.provincial",
	"medical.huimin.rate.other",
	"medical.huimin.chronic.cancer",
	"medical.huimin.chronic.kidney_transplant",
	"medical.huimin.chronic.dialysis",
	"medical.huimin.cap",
	"medical.huimin.mismatch_tolerance",
	"medical.huimin.halving_rate",
	"medical.ncms.cap",
	"medical.ncms.deductible",
	"medical.ncms.rate",
	"medical.assistance.rate",
	"medical.assistance.cap",
	"medical.assistance.cap_special",
	"medical.temporary.rate",
	"medical.temporary.cap",
	"medical.temporary.cap_approved",
	"medical.vagrant.rate",
	"medical.vagrant.stay_cap",
	"medical.vagrant.cap",
	"medical.chronic_quota.special",
	"medical.chronic_quota.class_ii",
	"medical.chronic_quota.other",
	NULL,
};

/* One bill as the steps see it: the year's totals before the bill and what
 * the payers have paid of it so far. */
struct bill {
	const struct params *ps;
	const Assist__MedicalClaim *c;
	ymd_t date;
	struct person *p;
	struct ytd ytd;
	fen_t total;
	fen_t paid;
	bool ma_eligible;
	struct decisions *out;
};

/* What one payer step asks and is granted. */
struct step {
	Assist__Scheme scheme;
	struct trace t;
	char formula[128];
	fen_t requested;
	fen_t amount;
	bool capped; /* by an annual cap */
	bool billed; /* by what the bill had left */
};

static const char *setting_name(Assist__Setting s)
{
	switch (s) {
	case ASSIST__SETTING__SETTING_INPATIENT:
		return "inpatient";
	case ASSIST__SETTING__SETTING_CHRONIC_OUTPATIENT:
		return "chronic_outpatient";
	case ASSIST__SETTING__SETTING_OUTPATIENT:
		return "outpatient";
	default:
		return "unspecified";
	}
}

static const char *disease_name(Assist__Disease d)
{
	switch (d) {
	case ASSIST__DISEASE__DISEASE_CANCER:
		return "cancer";
	case ASSIST__DISEASE__DISEASE_KIDNEY_TRANSPLANT:
		return "kidney_transplant";
	case ASSIST__DISEASE__DISEASE_DIALYSIS:
		return "dialysis";
	case ASSIST__DISEASE__DISEASE_MAJOR:
		return "major";
	case ASSIST__DISEASE__DISEASE_CHRONIC:
		return "chronic";
	case ASSIST__DISEASE__DISEASE_COMMON:
		return "common";
	default:
		return "unspecified";
	}
}

static const char *hospital_name(Assist__Hospital h)
{
	switch (h) {
	case ASSIST__HOSPITAL__HOSPITAL_HUIMIN:
		return "huimin";
	case ASSIST__HOSPITAL__HOSPITAL_CENTRAL:
		return "central";
	case ASSIST__HOSPITAL__HOSPITAL_PROVINCIAL:
		return "provincial";
	default:
		return "other";
	}
}

static bool special_cap_person(const struct person *p)
{
	return person_has(p, ASSIST__CATEGORY__CATEGORY_THREE_NOES) ||
	       person_has(p, ASSIST__CATEGORY__CATEGORY_FIVE_GUARANTEE);
}

/* An inpatient stay or a major disease: what steps 3 and 4 assist. */
static bool bill_serious(const Assist__MedicalClaim *c)
{
	return c->setting == ASSIST__SETTING__SETTING_INPATIENT ||
	       c->disease == ASSIST__DISEASE__DISEASE_MAJOR;
}

/* The statuses the steps depend on, for the trace. */
static void trace_status(struct trace *t, const struct bill *b)
{
	static const struct {
		int cat;
		const char *name;
	} cats[] = {
		{ASSIST__CATEGORY__CATEGORY_THREE_NOES, "three_noes"},
		{ASSIST__CATEGORY__CATEGORY_FIVE_GUARANTEE, "five_guarantee"},
		{ASSIST__CATEGORY__CATEGORY_ENTITLED_GROUP, "entitled_group"},
		{ASSIST__CATEGORY__CATEGORY_MARGINAL, "marginal"},
		{ASSIST__CATEGORY__CATEGORY_VAGRANT, "vagrant"},
		{ASSIST__CATEGORY__CATEGORY_WORKER_INSURANCE, "worker_insurance"},
	};
	char buf[80] = "";
	size_t n = 0;
	const char *cls;

	if (rules_in_urban_dibao(b->p, b->date))
		n += snprintf(buf + n, sizeof(buf) - n, " urban_dibao");
	cls = rules_rural_dibao_class(b->p, b->date);
	if (n < sizeof(buf) && rules_in_rural_dibao(b->p, b->date))
		n += snprintf(buf + n, sizeof(buf) - n, " rural_dibao(%s)", cls);
	for (size_t i = 0; i < sizeof(cats) / sizeof(cats[0]) && n < sizeof(buf); i++) {
		if (person_has(b->p, cats[i].cat))
			n += snprintf(buf + n, sizeof(buf) - n, " %s", cats[i].name);
	}
	trace_input(t, "status", "%s", n ? buf + 1 : "none");
}

static void step_init(struct step *s, const struct bill *b, Assist__Scheme scheme,
		      const char *rule)
{
	char d[YMD_BUFLEN];

	memset(s, 0, sizeof(*s));
	s->scheme = scheme;
	trace_init(&s->t, rule);
	trace_input(&s->t, "claim", "%s", b->c->claim_id);
	trace_input(&s->t, "date", "%s", ymd_format(b->date, d));
	trace_input(&s->t, "total_fen", "%" PRId64, b->total);
	trace_input(&s->t, "setting", "%s", setting_name(b->c->setting));
	trace_input(&s->t, "disease", "%s", disease_name(b->c->disease));
}

/* What the step's scheme has paid this year before the bill (its counter in
 * lib/scheme.c). */
static fen_t step_ytd(const struct step *s, const struct bill *b)
{
	return b->ytd.totals[scheme_ytd(s->scheme)];
}

/* The parameter of p's annual cap of the scheme of row (lib/scheme.c): the
 * higher one of three noes and five guarantees where it has one. */
static const char *cap_name(const struct scheme *row, const struct person *p)
{
	return row->cap_special != NULL && special_cap_person(p) ? row->cap_special : row->cap;
}

/* The step's annual cap, traced. */
static fen_t step_cap(struct step *s, const struct bill *b)
{
	return trace_param(&s->t, b->ps, cap_name(scheme_get(s->scheme), b->p), b->date);
}

/* Grant s->requested within a limit of its own (limit < 0: none), the room
 * an annual cap leaves (cap < 0: none) and what the bill has left, and
 * explain the figure. */
static void step_clip(struct step *s, struct bill *b, fen_t limit, fen_t ytd, fen_t cap)
{
	fen_t left = money_max(b->total - b->paid, 0);
	char tail[160] = "";
	int n = 0;

	s->amount = s->requested;
	if (limit >= 0) {
		n += snprintf(tail + n, sizeof(tail) - n, "; at most %" PRId64, limit);
		s->amount = money_min(s->amount, limit);
	}
	if (cap >= 0) {
		fen_t room = money_max(cap - ytd, 0);

		n += snprintf(tail + n, sizeof(tail) - n,
			      "; YTD %" PRId64 " of cap %" PRId64 " leaves %" PRId64, ytd, cap,
			      room);
		if (s->amount > room) {
			s->amount = room;
			s->capped = true;
		}
	}
	if (s->amount > left) {
		snprintf(tail + n, sizeof(tail) - n,
			 "; the bill's total %" PRId64 " has %" PRId64 " left", b->total, left);
		s->amount = left;
		s->billed = true;
	}
	if (s->amount < s->requested)
		trace_result(&s->t, "%s%s: clipped to %" PRId64, s->formula, tail, s->amount);
	else
		trace_result(&s->t, "%s%s: paid %" PRId64, s->formula, tail, s->amount);
}

/* The ledger decision of a step that applies, and cap_reached when an annual
 * cap clipped it. */
static int step_emit(struct step *s, struct bill *b, const char *what)
{
	struct decision *d = decisions_add(b->out, DEC_LEDGER, b->p);
	struct ledger_entry *le;

	if (d == NULL)
		return -ENOMEM;
	le = &d->u.ledger;
	snprintf(le->ref, sizeof(le->ref), "%s", b->c->claim_id);
	le->scheme = s->scheme;
	le->date = b->date;
	le->requested = s->requested;
	le->amount = s->amount;
	le->clipped = s->amount < s->requested;
	if (s->capped)
		snprintf(le->reason, sizeof(le->reason), "%s; annual cap reached", what);
	else if (s->billed)
		snprintf(le->reason, sizeof(le->reason), "%s; bill total reached", what);
	else if (le->clipped)
		snprintf(le->reason, sizeof(le->reason), "%s; limit reached", what);
	else
		snprintf(le->reason, sizeof(le->reason), "%s", what);
	d->has_trace = true;
	d->trace = s->t;
	b->paid += s->amount;
	if (s->capped)
		return rules_alert(b->out, b->p, "cap_reached", s->scheme, b->c->claim_id,
				   "%s: %" PRId64 " asked, %" PRId64 " paid within the annual cap",
				   what, s->requested, s->amount);
	return 0;
}

/* The bill's eligible expense: as reported, else its total. */
static fen_t bill_eligible(struct step *s, const struct bill *b)
{
	const Assist__MedicalClaim *c = b->c;
	fen_t eligible = c->eligible_fen ? money_max(c->eligible_fen->value, 0) : b->total;

	trace_input(&s->t, "eligible_fen", "%" PRId64 "%s", eligible,
		    c->eligible_fen ? "" : " (total)");
	return eligible;
}

/* An outpatient bill: no Huimin share. At a Huimin hospital the ten
 * exemptions and ten halvings are already in the bill's total, which the
 * trace says with the halving rate. */
static fen_t huimin_outpatient(struct step *s, const struct bill *b)
{
	int64_t rate;

	if (b->c->hospital != ASSIST__HOSPITAL__HOSPITAL_HUIMIN) {
		snprintf(s->formula, sizeof(s->formula), "no Huimin share for %s bills = 0",
			 setting_name(b->c->setting));
		return 0;
	}
	trace_input(&s->t, "hospital", "%s", hospital_name(b->c->hospital));
	rate = trace_param(&s->t, b->ps, "medical.huimin.halving_rate", b->date);
	snprintf(s->formula, sizeof(s->formula),
		 "ten halvings (%" PRId64 " bp) and ten exemptions are in the Huimin hospital's "
		 "bill; no Huimin share for %s bills = 0",
		 rate, setting_name(b->c->setting));
	return 0;
}

/* The Huimin share the system computes for the bill. */
static fen_t huimin_computed(struct step *s, const struct bill *b)
{
	const Assist__MedicalClaim *c = b->c;
	const char *name;
	fen_t eligible, deductible, base, amount;
	int64_t rate, months;

	switch (c->setting) {
	case ASSIST__SETTING__SETTING_INPATIENT:
		eligible = bill_eligible(s, b);
		deductible = trace_param(&s->t, b->ps, "medical.huimin.deductible", b->date);
		if (person_has(b->p, ASSIST__CATEGORY__CATEGORY_THREE_NOES)) {
			trace_input(&s->t, "deductible", "0: three_noes");
			deductible = 0;
		}
		switch (c->hospital) {
		case ASSIST__HOSPITAL__HOSPITAL_HUIMIN:
			name = "medical.huimin.rate.huimin";
			break;
		case ASSIST__HOSPITAL__HOSPITAL_CENTRAL:
			name = "medical.huimin.rate.central";
			break;
		case ASSIST__HOSPITAL__HOSPITAL_PROVINCIAL:
			name = "medical.huimin.rate.provincial";
			break;
		default:
			name = "medical.huimin.rate.other";
			break;
		}
		trace_input(&s->t, "hospital", "%s", hospital_name(c->hospital));
		rate = trace_param(&s->t, b->ps, name, b->date);
		base = money_max(eligible - deductible, 0);
		amount = money_mul_bp(base, rate);
		snprintf(s->formula, sizeof(s->formula),
			 "(eligible %" PRId64 " - deductible %" PRId64 ") x %" PRId64
			 " bp = %" PRId64,
			 eligible, deductible, rate, amount);
		return amount;
	case ASSIST__SETTING__SETTING_CHRONIC_OUTPATIENT:
		switch (c->disease) {
		case ASSIST__DISEASE__DISEASE_CANCER:
			name = "medical.huimin.chronic.cancer";
			break;
		case ASSIST__DISEASE__DISEASE_KIDNEY_TRANSPLANT:
			name = "medical.huimin.chronic.kidney_transplant";
			break;
		case ASSIST__DISEASE__DISEASE_DIALYSIS:
			name = "medical.huimin.chronic.dialysis";
			break;
		default:
			snprintf(s->formula, sizeof(s->formula),
				 "no fixed subsidy for chronic outpatient %s = 0",
				 disease_name(c->disease));
			return 0;
		}
		months = c->months > 0 ? c->months : 1;
		trace_input(&s->t, "months", "%" PRId64 "%s", months,
			    c->months > 0 ? "" : " (default)");
		rate = trace_param(&s->t, b->ps, name, b->date);
		amount = rate * months;
		snprintf(s->formula, sizeof(s->formula),
			 "%s %" PRId64 " a month x %" PRId64 " = %" PRId64,
			 disease_name(c->disease), rate, months, amount);
		return amount;
	default:
		return huimin_outpatient(s, b);
	}
}

static int step_huimin(struct bill *b, fen_t *share)
{
	const Assist__MedicalClaim *c = b->c;
	struct step s;
	fen_t computed, tolerance, cap;
	int rc;

	*share = 0;
	if (!rules_huimin_eligible(b->p, b->date))
		return rules_alert(b->out, b->p, "not_eligible", ASSIST__SCHEME__SCHEME_HUIMIN,
				   c->claim_id,
				   "Huimin bill for someone not eligible (not in urban dibao, or "
				   "in workers' insurance): insurer share 0");
	step_init(&s, b, ASSIST__SCHEME__SCHEME_HUIMIN, "medical.huimin");
	computed = huimin_computed(&s, b);
	s.requested = computed;
	if (c->insurer_paid_fen) {
		s.requested = money_max(c->insurer_paid_fen->value, 0);
		trace_input(&s.t, "insurer_paid_fen", "%" PRId64 " (reported)", s.requested);
		trace_input(&s.t, "computed", "%s", s.formula);
		tolerance = trace_param(&s.t, b->ps, "medical.huimin.mismatch_tolerance", b->date);
		snprintf(s.formula, sizeof(s.formula), "reported %" PRId64 ", computed %" PRId64,
			 s.requested, computed);
		if (money_max(s.requested - computed, computed - s.requested) > tolerance) {
			rc = rules_alert(b->out, b->p, "insurer_mismatch",
					 ASSIST__SCHEME__SCHEME_HUIMIN, c->claim_id,
					 "Huimin reported %" PRId64 ", computed %" PRId64
					 ": differ by more than %" PRId64,
					 s.requested, computed, tolerance);
			if (rc < 0)
				return rc;
		}
	}
	trace_status(&s.t, b);
	cap = step_cap(&s, b);
	trace_input(&s.t, "huimin_paid_ytd", "%" PRId64, step_ytd(&s, b));
	step_clip(&s, b, -1, step_ytd(&s, b), cap);
	*share = s.amount;
	return step_emit(&s, b, "Huimin share");
}

/* The NCMS share for a hospital stay health reports none for:
 * (eligible expense - deductible) x rate. */
static fen_t ncms_computed(struct step *s, const struct bill *b)
{
	fen_t eligible = bill_eligible(s, b);
	fen_t deductible = trace_param(&s->t, b->ps, "medical.ncms.deductible", b->date);
	int64_t rate = trace_param(&s->t, b->ps, "medical.ncms.rate", b->date);
	fen_t amount = money_mul_bp(money_max(eligible - deductible, 0), rate);

	snprintf(s->formula, sizeof(s->formula),
		 "(eligible %" PRId64 " - deductible %" PRId64 ") x %" PRId64 " bp = %" PRId64,
		 eligible, deductible, rate, amount);
	return amount;
}

/* NCMS (hospitalization compensation): the share health reports, else for a
 * hospital stay the computed one; within the annual cap either way. */
static int step_ncms(struct bill *b, fen_t *share)
{
	const Assist__MedicalClaim *c = b->c;
	struct step s;
	fen_t cap;

	*share = 0;
	if (c->insurer_paid_fen == NULL && c->setting != ASSIST__SETTING__SETTING_INPATIENT)
		return 0;
	step_init(&s, b, ASSIST__SCHEME__SCHEME_NCMS, "medical.ncms");
	if (c->insurer_paid_fen != NULL) {
		s.requested = money_max(c->insurer_paid_fen->value, 0);
		trace_input(&s.t, "insurer_paid_fen", "%" PRId64 " (reported)", s.requested);
		snprintf(s.formula, sizeof(s.formula), "reported share %" PRId64, s.requested);
	} else {
		trace_input(&s.t, "insurer_paid_fen", "not reported: computed");
		s.requested = ncms_computed(&s, b);
	}
	cap = step_cap(&s, b);
	trace_input(&s.t, "ncms_paid_ytd", "%" PRId64, step_ytd(&s, b));
	step_clip(&s, b, -1, step_ytd(&s, b), cap);
	*share = s.amount;
	return step_emit(&s, b, "NCMS share");
}

/* Workers' insurance: the share labor reports, if any; no cap of ours. */
static int step_worker(struct bill *b, fen_t *share)
{
	const Assist__MedicalClaim *c = b->c;
	struct step s;

	*share = 0;
	if (c->insurer_paid_fen == NULL)
		return 0;
	step_init(&s, b, ASSIST__SCHEME__SCHEME_WORKER_INSURANCE, "medical.worker_insurance");
	s.requested = money_max(c->insurer_paid_fen->value, 0);
	trace_input(&s.t, "insurer_paid_fen", "%" PRId64 " (reported)", s.requested);
	snprintf(s.formula, sizeof(s.formula), "reported share %" PRId64, s.requested);
	step_clip(&s, b, -1, 0, -1);
	*share = s.amount;
	return step_emit(&s, b, "workers' insurance share");
}

static int step_insurer(struct bill *b, fen_t *share)
{
	fen_t quota;
	int rc;

	switch (b->c->insurer) {
	case ASSIST__INSURER__INSURER_HUIMIN:
		rc = step_huimin(b, share);
		break;
	case ASSIST__INSURER__INSURER_NCMS:
		rc = step_ncms(b, share);
		break;
	case ASSIST__INSURER__INSURER_WORKER:
		rc = step_worker(b, share);
		break;
	default:
		*share = 0;
		return 0;
	}
	quota = b->ytd.totals[scheme_ytd(ASSIST__SCHEME__SCHEME_CHRONIC_QUOTA)];
	if (rc < 0 || *share == 0 || quota == 0)
		return rc;
	return rules_alert(b->out, b->p, "chronic_quota_conflict",
			   ASSIST__SCHEME__SCHEME_CHRONIC_QUOTA, b->c->claim_id,
			   "insurer share %" PRId64 " after a chronic-disease quota of %" PRId64
			   " this year",
			   *share, quota);
}

/* Step 3: medical assistance on the personal burden. */
static int step_assistance(struct bill *b, fen_t burden)
{
	struct step s;
	int64_t rate;
	fen_t cap;

	step_init(&s, b, ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE, "medical.assistance");
	trace_status(&s.t, b);
	trace_input(&s.t, "burden_fen", "%" PRId64, burden);
	trace_input(&s.t, "medical_assistance_ytd", "%" PRId64, step_ytd(&s, b));
	rate = trace_param(&s.t, b->ps, "medical.assistance.rate", b->date);
	cap = step_cap(&s, b);
	s.requested = money_mul_bp(burden, rate);
	snprintf(s.formula, sizeof(s.formula), "burden %" PRId64 " x %" PRId64 " bp = %" PRId64,
		 burden, rate, s.requested);
	step_clip(&s, b, -1, step_ytd(&s, b), cap);
	return step_emit(&s, b, "medical assistance on the burden");
}

/* Step 4: temporary assistance for the marginal population. */
static int step_temporary(struct bill *b, fen_t burden)
{
	bool approved = b->c->special_approval;
	struct step s;
	int64_t rate;
	fen_t cap;

	step_init(&s, b, ASSIST__SCHEME__SCHEME_TEMPORARY_MEDICAL, "medical.temporary");
	trace_status(&s.t, b);
	trace_input(&s.t, "burden_fen", "%" PRId64, burden);
	trace_input(&s.t, "special_approval", "%s", approved ? "yes" : "no");
	trace_input(&s.t, "temporary_medical_ytd", "%" PRId64, step_ytd(&s, b));
	rate = trace_param(&s.t, b->ps, "medical.temporary.rate", b->date);
	if (approved)
		cap = trace_param(&s.t, b->ps, "medical.temporary.cap_approved", b->date);
	else
		cap = step_cap(&s, b);
	s.requested = money_mul_bp(burden, rate);
	snprintf(s.formula, sizeof(s.formula), "burden %" PRId64 " x %" PRId64 " bp = %" PRId64,
		 burden, rate, s.requested);
	step_clip(&s, b, -1, step_ytd(&s, b), cap);
	return step_emit(&s, b, "temporary assistance, marginal population");
}

/* Step 5: vagrants and beggars, per stay and per year. */
static int step_vagrant(struct bill *b)
{
	struct step s;
	int64_t rate;
	fen_t stay, cap;

	step_init(&s, b, ASSIST__SCHEME__SCHEME_VAGRANT_MEDICAL, "medical.vagrant");
	trace_status(&s.t, b);
	trace_input(&s.t, "vagrant_medical_ytd", "%" PRId64, step_ytd(&s, b));
	rate = trace_param(&s.t, b->ps, "medical.vagrant.rate", b->date);
	stay = trace_param(&s.t, b->ps, "medical.vagrant.stay_cap", b->date);
	cap = step_cap(&s, b);
	s.requested = money_mul_bp(b->total, rate);
	snprintf(s.formula, sizeof(s.formula), "total %" PRId64 " x %" PRId64 " bp = %" PRId64,
		 b->total, rate, s.requested);
	step_clip(&s, b, stay, step_ytd(&s, b), cap);
	return step_emit(&s, b, "vagrant medical aid");
}

/* Step 6 applies: an outpatient chronic bill without any insurer share this
 * year, of someone medical assistance covers. */
static bool quota_applies(const struct bill *b, fen_t share)
{
	return b->c->setting == ASSIST__SETTING__SETTING_OUTPATIENT &&
	       b->c->disease == ASSIST__DISEASE__DISEASE_CHRONIC && share == 0 &&
	       b->ma_eligible && b->ytd.totals[SCHEME_YTD_INSURER] == 0;
}

static int step_quota(struct bill *b)
{
	struct step s;
	fen_t quota;

	step_init(&s, b, ASSIST__SCHEME__SCHEME_CHRONIC_QUOTA, "medical.chronic_quota");
	trace_status(&s.t, b);
	trace_input(&s.t, "insurer_paid_ytd", "%" PRId64, b->ytd.totals[SCHEME_YTD_INSURER]);
	trace_input(&s.t, "chronic_quota_ytd", "%" PRId64, step_ytd(&s, b));
	if (!special_cap_person(b->p) &&
	    strcmp(rules_rural_dibao_class(b->p, b->date), "II") == 0)
		quota = trace_param(&s.t, b->ps, "medical.chronic_quota.class_ii", b->date);
	else
		quota = step_cap(&s, b);
	s.requested = money_max(b->total - b->paid, 0);
	snprintf(s.formula, sizeof(s.formula), "unpaid part of the bill %" PRId64, s.requested);
	step_clip(&s, b, -1, step_ytd(&s, b), quota);
	return step_emit(&s, b, "chronic-disease quota");
}

static int bill_record(struct bill *b)
{
	struct decision *d = decisions_add(b->out, DEC_BILL, b->p);

	if (d == NULL)
		return -ENOMEM;
	d->u.bill.date = b->date;
	d->u.bill.total = b->total;
	return 0;
}

int medical_claim(const struct policy_ctx *ctx, const Assist__MedicalClaim *c, ymd_t date,
		  struct person *p, struct decisions *out)
{
	const struct ytd *y = person_ytd_find(p, ymd_year(date));
	struct bill b = {
		.ps = ctx->params,
		.c = c,
		.date = date,
		.p = p,
		.total = money_max(c->total_fen, 0),
		.ma_eligible = rules_medical_assistance_eligible(p, date),
		.out = out,
	};
	fen_t share, burden;
	int rc;

	if (y != NULL)
		b.ytd = *y;
	rc = step_insurer(&b, &share);
	if (rc < 0)
		return rc;
	burden = money_max(b.total - share, 0);
	if (bill_serious(c) && b.ma_eligible)
		rc = step_assistance(&b, burden);
	else if (bill_serious(c) && person_has(p, ASSIST__CATEGORY__CATEGORY_MARGINAL))
		rc = step_temporary(&b, burden);
	else if (person_has(p, ASSIST__CATEGORY__CATEGORY_VAGRANT))
		rc = step_vagrant(&b);
	if (rc < 0)
		return rc;
	if (quota_applies(&b, share)) {
		rc = step_quota(&b);
		if (rc < 0)
			return rc;
	}
	return bill_record(&b);
}

/* A cap as shown for a year: the value in force at the year's end. */
static fen_t cap_of(const struct params *params, const char *name, int year)
{
	struct param_value pv;

	if (params_get(params, name, ymd_make(year, 12, 31), &pv) < 0)
		return 0;
	return pv.value;
}

void policy_caps(const struct params *params, const struct person *p, int year, Assist__Ytd *out)
{
	const struct scheme *row;
	int64_t *slot;

	for (int s = 0; (row = scheme_get(s)) != NULL; s++) {
		if (row->cap_field != NULL && (slot = scheme_ytd_slot(out, row->cap_field)) != NULL)
			*slot = cap_of(params, cap_name(row, p), year);
	}
}

int medical_decide(const struct policy_ctx *ctx, const Assist__Event *ev, struct person *p,
		   struct household *hh, struct decisions *out)
{
	const Assist__MedicalClaim *c = ev->medical_claim;
	ymd_t date = event_date(ev);

	if (rules_deceased_on(p, date))
		return rules_deceased_claim(p, c->claim_id, ASSIST__SCHEME__SCHEME_MEDICAL_ASSISTANCE,
					    date, c->total_fen, out);
	return medical_claim(ctx, c, date, p, out);
}
