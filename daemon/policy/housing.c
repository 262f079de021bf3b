/* Housing assistance (docs/policy.md (5)): a household's
 * claim, decided once and recorded on every living member's record. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "rules.h"

const char *const housing_param_names[] = {
	"housing.rural.small_max_members",
	"housing.rural.medium_max_members",
	"housing.rural.area_small",
	"housing.rural.area_medium",
	"housing.rural.area_large",
	"housing.rural.price_per_m2",
	"housing.rural.repair",
	"housing.urban.area_per_member",
	"housing.urban.rent_reduction_rate",
	"housing.urban.rental.market_rent_per_m2",
	"housing.urban.rental.low_rent_per_m2",
	"housing.urban.rental.area_per_member",
	"housing.affordable.area_per_member",
	"housing.affordable.income_per_member",
	"housing.affordable.flat_area",
	"housing.affordable.price_rate",
	NULL,
};

/* The household's claim and its outcome, shared by every member. */
struct hs_claim {
	const struct params *ps;
	const Assist__HousingAid *h;
	const struct household *hh;
	const struct person *m0; /* a living member, for household status */
	ymd_t date;
	int32_t size;
	struct trace t;
	fen_t requested;
	fen_t amount;
	const char *alert; /* NULL, or the code raised on every member */
	char reason[128];
};

/* The housing scheme's name, or NULL for a scheme of another family. */
static const char *scheme_name(Assist__Scheme s)
{
	return scheme_family(s) == SCHEME_FAMILY_HOUSING ? scheme_get(s)->name : NULL;
}

static bool hs_living(const struct hs_claim *hc, const struct person *m)
{
	return !rules_deceased_on(m, hc->date);
}

/* Some living member satisfies pred. */
static bool hs_any(const struct hs_claim *hc, bool (*pred)(const struct person *))
{
	for (size_t i = 0; i < hc->hh->n_m; i++) {
		if (hs_living(hc, hc->hh->m[i]) && pred(hc->hh->m[i]))
			return true;
	}
	return false;
}

static bool is_three_noes(const struct person *m)
{
	return person_has(m, ASSIST__CATEGORY__CATEGORY_THREE_NOES);
}

static bool not_urban(const struct person *m)
{
	return m->hukou != ASSIST__HUKOU__HUKOU_URBAN;
}

/* Pays nothing: code raised on every member, why in the ledger and trace. */
static void hs_refuse(struct hs_claim *hc, const char *code, const char *why)
{
	hc->amount = 0;
	hc->alert = code;
	snprintf(hc->reason, sizeof(hc->reason), "%s", why);
	trace_result(&hc->t, "%s: 0", why);
}

static void hs_rural(struct hs_claim *hc)
{
	const struct params *ps = hc->ps;
	int64_t small, medium, area, price;
	const char *name;
	bool dibao;

	if (hs_any(hc, rules_dispersed_five_guarantee)) {
		trace_input(&hc->t, "dispersed_five_guarantee", "yes");
		hs_refuse(hc, "excluded",
			  "a dispersed five_guarantee member goes to the welfare home instead");
		return;
	}
	dibao = rules_in_rural_dibao(hc->m0, hc->date);
	trace_input(&hc->t, "rural_dibao", "%s", dibao ? "yes" : "no");
	if (!dibao) {
		hs_refuse(hc, "not_eligible", "not a rural dibao household");
		return;
	}
	if (hc->h->scheme == ASSIST__SCHEME__SCHEME_RURAL_REPAIR) {
		hc->amount = trace_param(&hc->t, ps, "housing.rural.repair", hc->date);
		hc->requested = hc->amount;
		snprintf(hc->reason, sizeof(hc->reason), "rural repair");
		trace_result(&hc->t, "repair %" PRId64 " a household", hc->amount);
		return;
	}
	small = trace_param(&hc->t, ps, "housing.rural.small_max_members", hc->date);
	medium = trace_param(&hc->t, ps, "housing.rural.medium_max_members", hc->date);
	if (hc->size <= small)
		name = "housing.rural.area_small";
	else if (hc->size <= medium)
		name = "housing.rural.area_medium";
	else
		name = "housing.rural.area_large";
	area = trace_param(&hc->t, ps, name, hc->date);
	price = trace_param(&hc->t, ps, "housing.rural.price_per_m2", hc->date);
	hc->amount = area * price;
	hc->requested = hc->amount;
	snprintf(hc->reason, sizeof(hc->reason), "new build, %" PRId64 " m2", area);
	trace_result(&hc->t, "%d members: %" PRId64 " m2 x %" PRId64 " = %" PRId64, hc->size, area,
		     price, hc->amount);
}

/* Urban rental subsidy housing did not report: (average market rent - low
 * rent) a m2 x the subsidised area, the area standard a member times the
 * members. */
static void hs_rental_computed(struct hs_claim *hc, double limit)
{
	int64_t market, low, per, area;

	trace_input(&hc->t, "amount_fen", "not reported: computed");
	market = trace_param(&hc->t, hc->ps, "housing.urban.rental.market_rent_per_m2", hc->date);
	low = trace_param(&hc->t, hc->ps, "housing.urban.rental.low_rent_per_m2", hc->date);
	per = trace_param(&hc->t, hc->ps, "housing.urban.rental.area_per_member", hc->date);
	area = per * hc->size;
	hc->amount = hc->requested = money_max(market - low, 0) * area;
	snprintf(hc->reason, sizeof(hc->reason),
		 "urban rental subsidy: (market rent %" PRId64 " - low rent %" PRId64
		 ") a m2 x %" PRId64 " m2",
		 market, low, area);
	trace_result(&hc->t,
		     "housing %.2f m2 below %.0f m2: (%" PRId64 " - %" PRId64 ") a m2 x %" PRId64
		     " m2 (%" PRId64 " a member x %d) = %" PRId64,
		     hc->hh->housing_area_m2, limit, market, low, area, per, hc->size, hc->amount);
}

/* Urban rental subsidy or rent reduction: an urban dibao household with
 * less than 10 m2 a member, no three_noes member. */
static void hs_urban(struct hs_claim *hc)
{
	const Assist__HousingAid *h = hc->h;
	int64_t per, rate;
	double limit;
	char why[128];
	bool dibao;

	if (hs_any(hc, is_three_noes)) {
		trace_input(&hc->t, "three_noes_member", "yes");
		hs_refuse(hc, "excluded", "a three_noes member: central support instead");
		return;
	}
	dibao = rules_in_urban_dibao(hc->m0, hc->date);
	trace_input(&hc->t, "urban_dibao", "%s", dibao ? "yes" : "no");
	per = trace_param(&hc->t, hc->ps, "housing.urban.area_per_member", hc->date);
	limit = (double)(per * hc->size);
	if (!dibao) {
		hs_refuse(hc, "not_eligible", "not an urban dibao household");
		return;
	}
	if (!hc->hh->has_area) {
		hs_refuse(hc, "not_eligible", "housing area unknown");
		return;
	}
	if (hc->hh->housing_area_m2 >= limit) {
		snprintf(why, sizeof(why),
			 "housing %.2f m2, not below %.0f m2 (%" PRId64 " a member)",
			 hc->hh->housing_area_m2, limit, per);
		hs_refuse(hc, "not_eligible", why);
		return;
	}
	if (h->scheme == ASSIST__SCHEME__SCHEME_URBAN_RENTAL && h->amount_fen == 0) {
		hs_rental_computed(hc, limit);
		return;
	}
	if (h->scheme == ASSIST__SCHEME__SCHEME_URBAN_RENTAL) {
		hc->amount = hc->requested = money_max(h->amount_fen, 0);
		snprintf(hc->reason, sizeof(hc->reason), "urban rental subsidy as reported");
		trace_result(&hc->t, "housing %.2f m2 below %.0f m2: rental subsidy %" PRId64
				     " as reported",
			     hc->hh->housing_area_m2, limit, hc->amount);
		return;
	}
	rate = trace_param(&hc->t, hc->ps, "housing.urban.rent_reduction_rate", hc->date);
	hc->requested = money_max(h->rent_fen, 0);
	hc->amount = money_mul_bp(hc->requested, rate);
	snprintf(hc->reason, sizeof(hc->reason), "rent reduction");
	trace_result(&hc->t, "housing %.2f m2 below %.0f m2: rent %" PRId64 " x %" PRId64
			     " bp = %" PRId64,
		     hc->hh->housing_area_m2, limit, hc->requested, rate, hc->amount);
}

/* Affordable housing: eligibility, recorded as a line of 0 that states the
 * flat and price ceiling the household may buy at. */
static void hs_affordable(struct hs_claim *hc)
{
	const struct household *hh = hc->hh;
	int64_t per_area, per_income, flat, rate;
	char why[128];

	per_area = trace_param(&hc->t, hc->ps, "housing.affordable.area_per_member", hc->date);
	per_income = trace_param(&hc->t, hc->ps, "housing.affordable.income_per_member",
				 hc->date);
	if (hs_any(hc, not_urban)) {
		hs_refuse(hc, "not_eligible", "not eligible: a member without urban hukou");
		return;
	}
	if (!hh->has_area) {
		hs_refuse(hc, "not_eligible", "not eligible: housing area unknown");
		return;
	}
	if (hh->housing_area_m2 >= (double)(per_area * hc->size)) {
		snprintf(why, sizeof(why),
			 "not eligible: housing %.2f m2, not below %" PRId64 " m2",
			 hh->housing_area_m2, per_area * hc->size);
		hs_refuse(hc, "not_eligible", why);
		return;
	}
	if (!hh->has_income) {
		hs_refuse(hc, "not_eligible", "not eligible: household income unknown");
		return;
	}
	/* Compared in whole fen, yearly income < limit x members: no rounding. */
	if (hh->monthly_income * 12 >= per_income * hc->size) {
		snprintf(why, sizeof(why),
			 "not eligible: yearly income %" PRId64 " a member, not below %" PRId64,
			 money_div(hh->monthly_income * 12, hc->size), per_income);
		hs_refuse(hc, "not_eligible", why);
		return;
	}
	flat = trace_param(&hc->t, hc->ps, "housing.affordable.flat_area", hc->date);
	rate = trace_param(&hc->t, hc->ps, "housing.affordable.price_rate", hc->date);
	snprintf(hc->reason, sizeof(hc->reason),
		 "eligible for affordable housing: one flat of %" PRId64
		 " m2 at no more than %" PRId64 " bp of the commercial price",
		 flat, rate);
	trace_result(&hc->t,
		     "eligible: urban hukou, %.2f m2 below %" PRId64 ", yearly income %" PRId64
		     " below %" PRId64 " for %d members; one flat of %" PRId64
		     " m2 at no more than %" PRId64 " bp of the commercial price",
		     hh->housing_area_m2, per_area * hc->size, hh->monthly_income * 12,
		     per_income * hc->size, hc->size, flat, rate);
}

static int hs_ledger(const struct hs_claim *hc, struct person *m, struct decisions *out)
{
	struct decision *d = decisions_add(out, DEC_LEDGER, m);
	struct ledger_entry *le;

	if (d == NULL)
		return -ENOMEM;
	le = &d->u.ledger;
	snprintf(le->ref, sizeof(le->ref), "%s", hc->h->claim_id);
	le->scheme = hc->h->scheme;
	le->date = hc->date;
	le->requested = hc->requested;
	le->amount = hc->amount;
	snprintf(le->reason, sizeof(le->reason), "%s", hc->reason);
	d->has_trace = true;
	d->trace = hc->t;
	return 0;
}

/* The outcome on every living member: a ledger line (unless the claim names
 * no housing scheme) and the alert, if any. */
static int hs_emit(const struct hs_claim *hc, bool ledger, struct decisions *out)
{
	for (size_t i = 0; i < hc->hh->n_m; i++) {
		struct person *m = hc->hh->m[i];

		if (!hs_living(hc, m))
			continue;
		if (ledger && hs_ledger(hc, m, out) < 0)
			return -ENOMEM;
		if (hc->alert != NULL &&
		    rules_alert(out, m, hc->alert, hc->h->scheme, hc->h->claim_id,
				"household %s: %s", hc->hh->id, hc->reason) < 0)
			return -ENOMEM;
	}
	return 0;
}

static void hs_inputs(struct hs_claim *hc, const char *scheme)
{
	const struct household *hh = hc->hh;
	char buf[YMD_BUFLEN];

	trace_input(&hc->t, "claim", "%s", hc->h->claim_id);
	trace_input(&hc->t, "scheme", "%s", scheme);
	trace_input(&hc->t, "date", "%s", ymd_format(hc->date, buf));
	trace_input(&hc->t, "household", "%s", hh->id);
	trace_input(&hc->t, "members", "%d", hc->size);
	if (hh->has_area)
		trace_input(&hc->t, "housing_area_m2", "%.2f", hh->housing_area_m2);
	if (hh->has_income)
		trace_input(&hc->t, "monthly_income_fen", "%" PRId64, hh->monthly_income);
	if (hc->h->amount_fen != 0)
		trace_input(&hc->t, "amount_fen", "%" PRId64, hc->h->amount_fen);
	if (hc->h->rent_fen != 0)
		trace_input(&hc->t, "rent_fen", "%" PRId64, hc->h->rent_fen);
}

int housing_aid(const struct policy_ctx *ctx, const Assist__HousingAid *h, ymd_t date,
		struct household *hh, struct decisions *out)
{
	struct hs_claim hc = {.ps = ctx->params, .h = h, .hh = hh, .date = date};
	const char *scheme = scheme_name(h->scheme);

	if (hh == NULL)
		return 0;
	if (hc.date == YMD_NONE)
		hc.date = ymd_today();
	for (size_t i = 0; i < hh->n_m && hc.m0 == NULL; i++) {
		if (hs_living(&hc, hh->m[i]))
			hc.m0 = hh->m[i];
	}
	if (hc.m0 == NULL)
		return 0;
	hc.size = household_size(hh);
	trace_init(&hc.t, "housing");
	if (scheme == NULL) {
		hs_refuse(&hc, "not_eligible", "not a housing scheme");
		return hs_emit(&hc, false, out);
	}
	hs_inputs(&hc, scheme);
	switch (h->scheme) {
	case ASSIST__SCHEME__SCHEME_RURAL_NEW_BUILD:
	case ASSIST__SCHEME__SCHEME_RURAL_REPAIR:
		hs_rural(&hc);
		break;
	case ASSIST__SCHEME__SCHEME_URBAN_RENTAL:
	case ASSIST__SCHEME__SCHEME_RENT_REDUCTION:
		hs_urban(&hc);
		break;
	default:
		hs_affordable(&hc);
		break;
	}
	return hs_emit(&hc, true, out);
}

int housing_decide(const struct policy_ctx *ctx, const Assist__Event *ev, struct person *p,
		   struct household *hh, struct decisions *out)
{
	return housing_aid(ctx, ev->housing_aid, event_date(ev), hh, out);
}
