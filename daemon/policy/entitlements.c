#include "rules.h"

#include "atom.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define P_WATER "entitlements.utilities.water"
#define P_GAS "entitlements.utilities.gas"
#define P_ELECTRICITY "entitlements.utilities.electricity"
#define P_UNEMPLOYED_MONTHS "entitlements.public_welfare_post.unemployed_months"
#define P_MINIMUM_WAGE "entitlements.public_welfare_post.minimum_wage"
#define P_POST_SUBSIDY_RATE "entitlements.public_welfare_post.subsidy_rate"
#define P_HUIMIN_PREMIUM "entitlements.huimin.premium"
#define P_NCMS_PREMIUM "entitlements.ncms.premium"

const char *const entitlements_param_names[] = {
	P_WATER,
	P_GAS,
	P_ELECTRICITY,
	P_UNEMPLOYED_MONTHS,
	P_MINIMUM_WAGE,
	P_POST_SUBSIDY_RATE,
	P_HUIMIN_PREMIUM,
	P_NCMS_PREMIUM,
	NULL,
};

/* The civil-affairs categories that make someone an assistance recipient
 * (legal aid), with the names the record uses. */
static const struct {
	int category;
	const char *name;
} recipient_categories[] = {
	{ASSIST__CATEGORY__CATEGORY_URBAN_DIBAO, "urban_dibao"},
	{ASSIST__CATEGORY__CATEGORY_RURAL_DIBAO, "rural_dibao"},
	{ASSIST__CATEGORY__CATEGORY_THREE_NOES, "three_noes"},
	{ASSIST__CATEGORY__CATEGORY_FIVE_GUARANTEE, "five_guarantee"},
	{ASSIST__CATEGORY__CATEGORY_ORPHAN, "orphan"},
	{ASSIST__CATEGORY__CATEGORY_ENTITLED_GROUP, "entitled_group"},
	{ASSIST__CATEGORY__CATEGORY_MARGINAL, "marginal"},
	{ASSIST__CATEGORY__CATEGORY_VAGRANT, "vagrant"},
	{ASSIST__CATEGORY__CATEGORY_DISABLED, "disabled"},
};

/* The list being written: room for POLICY_MAX_ENTITLEMENTS. */
struct ent_out {
	struct entitlement *items;
	int n;
};

/* What one member's entitlements are computed from. */
struct ent_ctx {
	const struct params *params;
	const struct person *m;
	ymd_t date;
	bool urban; /* the household is in urban dibao on date */
	bool rural;
};

/* The atom of a reason without arguments, a string literal: remembered by
 * its address, which lives as long as the process, as do atoms, so that
 * each record's seven reasons are not hashed and looked up again. */
static const char *constant_atom(const char *text)
{
	static struct {
		const char *text, *atom;
	} seen[64];
	size_t i = ((uintptr_t)text >> 3) % (sizeof(seen) / sizeof(seen[0]));

	if (seen[i].text != text) {
		const char *atom = atom_intern(text);

		if (atom == NULL)
			return NULL;
		seen[i].text = text;
		seen[i].atom = atom;
	}
	return seen[i].atom;
}

__attribute__((format(printf, 4, 5))) static void put(struct ent_out *d, Assist__Scheme scheme,
							bool eligible, const char *fmt, ...)
{
	struct entitlement *e = &d->items[d->n++];
	char reason[192];
	va_list ap;

	e->scheme = scheme;
	e->eligible = eligible;
	/* Most reasons are constant: no formatting for them. */
	if (strchr(fmt, '%') == NULL) {
		e->reason = constant_atom(fmt);
	} else {
		va_start(ap, fmt);
		vsnprintf(reason, sizeof(reason), fmt, ap);
		va_end(ap);
		e->reason = atom_intern(reason);
	}
	/* Out of memory, the reason is lost, not the entitlement. */
	if (e->reason == NULL)
		e->reason = "";
}

/* c->m, or another member of its household alive on c->date (or dead in its
 * month, as for the dibao of a household), holds category cat on c->date. */
static bool household_has(const struct ent_ctx *c, int cat)
{
	const struct household *hh = c->m->hh;

	if (rules_category_on(c->m, cat, c->date))
		return true;
	for (size_t i = 0; hh != NULL && i < hh->n_m; i++) {
		const struct person *o = hh->m[i];

		if (rules_category_on(o, cat, c->date) &&
		    (o->deceased_on == YMD_NONE || policy_month_end(o->deceased_on) >= c->date))
			return true;
	}
	return false;
}

/* The yearly premium of param, paid by the medical assistance fund (3.3). */
static long long premium(const struct ent_ctx *c, const char *param)
{
	return (long long)trace_param(NULL, c->params, param, c->date);
}

static void huimin(struct ent_out *d, const struct ent_ctx *c)
{
	if (!c->urban)
		put(d, ASSIST__SCHEME__SCHEME_HUIMIN, false, "not in urban dibao");
	else if (rules_category_on(c->m, ASSIST__CATEGORY__CATEGORY_WORKER_INSURANCE, c->date))
		put(d, ASSIST__SCHEME__SCHEME_HUIMIN, false,
		    "urban dibao, but in workers' basic medical insurance");
	else
		put(d, ASSIST__SCHEME__SCHEME_HUIMIN, true,
		    "urban dibao, not in workers' basic medical insurance; premium %lld fen a "
		    "year paid by the medical assistance fund",
		    premium(c, P_HUIMIN_PREMIUM));
}

static void utilities(struct ent_out *d, const struct ent_ctx *c)
{
	if (!c->urban) {
		put(d, ASSIST__SCHEME__SCHEME_UTILITIES, false, "not an urban dibao household");
		return;
	}
	put(d, ASSIST__SCHEME__SCHEME_UTILITIES, true,
	    "urban dibao household: water %lld fen a month, %lld m3 gas, %lld kWh without surcharge",
	    (long long)trace_param(NULL, c->params, P_WATER, c->date),
	    (long long)trace_param(NULL, c->params, P_GAS, c->date),
	    (long long)trace_param(NULL, c->params, P_ELECTRICITY, c->date));
}

static void education(struct ent_out *d, const struct ent_ctx *c)
{
	const char *why = NULL;

	if (c->urban)
		why = "member of an urban dibao household";
	else if (c->rural)
		why = "member of a rural dibao household";
	else if (rules_category_on(c->m, ASSIST__CATEGORY__CATEGORY_ORPHAN, c->date))
		why = "orphan";
	else if (rules_category_on(c->m, ASSIST__CATEGORY__CATEGORY_FIVE_GUARANTEE, c->date))
		why = "five guarantees";
	else if (rules_category_on(c->m, ASSIST__CATEGORY__CATEGORY_POOR_STUDENT, c->date))
		why = "poor student";
	if (why != NULL)
		put(d, ASSIST__SCHEME__SCHEME_EDUCATION, true, "%s", why);
	else
		put(d, ASSIST__SCHEME__SCHEME_EDUCATION, false,
		    "not in a dibao household, not an orphan, five-guarantee or poor student");
}

/* Registered unemployed for over the threshold on date: since that many
 * months before it, or more months than that reported. */
static bool long_unemployed(const struct ent_ctx *c, int64_t months)
{
	const struct category_state *s =
		person_category_of(c->m, ASSIST__CATEGORY__CATEGORY_REGISTERED_UNEMPLOYED);

	if (!rules_category_on(c->m, ASSIST__CATEGORY__CATEGORY_REGISTERED_UNEMPLOYED, c->date))
		return false;
	if (s->since != YMD_NONE && s->since <= ymd_add_months(c->date, -(int)months))
		return true;
	return s->months > months;
}

/* Priority for a public-welfare post, for why; the post's subsidy is at
 * least the rate of the local minimum wage. */
static void post_priority(struct ent_out *d, const struct ent_ctx *c, const char *why)
{
	fen_t wage = trace_param(NULL, c->params, P_MINIMUM_WAGE, c->date);
	int64_t rate = trace_param(NULL, c->params, P_POST_SUBSIDY_RATE, c->date);

	put(d, ASSIST__SCHEME__SCHEME_PUBLIC_WELFARE_POST, true,
	    "%s; post subsidy at least %lld fen a month (minimum wage %lld x %lld bp)", why,
	    (long long)money_mul_bp(wage, rate), (long long)wage, (long long)rate);
}

static void public_welfare_post(struct ent_out *d, const struct ent_ctx *c)
{
	int64_t months = trace_param(NULL, c->params, P_UNEMPLOYED_MONTHS, c->date);
	char why[64];

	if (rules_category_on(c->m, ASSIST__CATEGORY__CATEGORY_4050, c->date)) {
		post_priority(d, c, "4050 card holder");
	} else if (household_has(c, ASSIST__CATEGORY__CATEGORY_ZERO_EMPLOYMENT_FAMILY)) {
		post_priority(d, c, "zero-employment family");
	} else if (c->urban && long_unemployed(c, months)) {
		snprintf(why, sizeof(why), "urban dibao, registered unemployed over %lld months",
			 (long long)months);
		post_priority(d, c, why);
	} else {
		put(d, ASSIST__SCHEME__SCHEME_PUBLIC_WELFARE_POST, false,
		    "not 4050, zero-employment family or urban dibao unemployed over %lld months",
		    (long long)months);
	}
}

static void ncms(struct ent_out *d, const struct ent_ctx *c)
{
	const char *why = NULL;

	if (c->rural)
		why = "rural dibao";
	else if (rules_category_on(c->m, ASSIST__CATEGORY__CATEGORY_FIVE_GUARANTEE, c->date))
		why = "five guarantees";
	if (why != NULL)
		put(d, ASSIST__SCHEME__SCHEME_NCMS, true,
		    "ncms premium paid: %s; %lld fen a year by the medical assistance fund", why,
		    premium(c, P_NCMS_PREMIUM));
	else
		put(d, ASSIST__SCHEME__SCHEME_NCMS, false, "not in rural dibao or five guarantees");
}

static void central_support(struct ent_out *d, const struct ent_ctx *c)
{
	/* The three-noes member's own (the household's housing aid is excluded
	 * for every member in housing.c). */
	if (rules_category_on(c->m, ASSIST__CATEGORY__CATEGORY_THREE_NOES, c->date))
		put(d, ASSIST__SCHEME__SCHEME_CENTRAL_SUPPORT, true, "three noes");
	else
		put(d, ASSIST__SCHEME__SCHEME_CENTRAL_SUPPORT, false, "not three noes");
}

/* Anyone holding a civil-affairs category, a dibao or any other entitlement
 * on the date (d holds the others, computed first). */
static void legal_aid(struct ent_out *d, const struct ent_ctx *c)
{
	for (size_t i = 0; i < sizeof(recipient_categories) / sizeof(recipient_categories[0]); i++) {
		if (rules_category_on(c->m, recipient_categories[i].category, c->date)) {
			put(d, ASSIST__SCHEME__SCHEME_LEGAL_AID, true, "assistance recipient: %s",
			    recipient_categories[i].name);
			return;
		}
	}
	if (c->urban || c->rural) {
		put(d, ASSIST__SCHEME__SCHEME_LEGAL_AID, true, "assistance recipient: %s dibao",
		    c->urban ? "urban" : "rural");
		return;
	}
	for (int i = 0; i < d->n; i++) {
		if (d->items[i].eligible) {
			const struct scheme *row = scheme_get(d->items[i].scheme);

			put(d, ASSIST__SCHEME__SCHEME_LEGAL_AID, true, "assistance recipient: %s",
			    row != NULL ? row->name : "another scheme");
			return;
		}
	}
	put(d, ASSIST__SCHEME__SCHEME_LEGAL_AID, false, "not an assistance recipient");
}

static const Assist__Scheme all_schemes[] = {
	ASSIST__SCHEME__SCHEME_HUIMIN,		    ASSIST__SCHEME__SCHEME_UTILITIES,
	ASSIST__SCHEME__SCHEME_EDUCATION,	    ASSIST__SCHEME__SCHEME_PUBLIC_WELFARE_POST,
	ASSIST__SCHEME__SCHEME_NCMS,		    ASSIST__SCHEME__SCHEME_CENTRAL_SUPPORT,
	ASSIST__SCHEME__SCHEME_LEGAL_AID,
};

int policy_entitlements_as_of(const struct params *params, const struct person *m, ymd_t date,
			      struct entitlement out[POLICY_MAX_ENTITLEMENTS])
{
	struct ent_ctx c = {.params = params, .m = m, .date = date};
	struct ent_out d = {.items = out};
	char died[YMD_BUFLEN];

	/* A death ends everything from the month after (rule 9). */
	if (m->deceased_on != YMD_NONE && policy_month_end(m->deceased_on) < date) {
		ymd_format(m->deceased_on, died);
		for (size_t i = 0; i < sizeof(all_schemes) / sizeof(all_schemes[0]); i++)
			put(&d, all_schemes[i], false, "deceased on %s", died);
		return d.n;
	}
	c.urban = rules_in_urban_dibao(m, date);
	c.rural = rules_in_rural_dibao(m, date);
	huimin(&d, &c);
	utilities(&d, &c);
	education(&d, &c);
	public_welfare_post(&d, &c);
	ncms(&d, &c);
	central_support(&d, &c);
	legal_aid(&d, &c);
	return d.n;
}

int entitlements_refresh(const struct policy_ctx *ctx, struct person *p, ymd_t date,
			 struct decisions *out)
{
	size_t n = p->hh != NULL ? p->hh->n_m : 1;

	for (size_t i = 0; i < n; i++) {
		struct person *m = p->hh != NULL ? p->hh->m[i] : p;
		struct decision *d = decisions_add(out, DEC_ENTITLEMENTS, m);

		if (d == NULL)
			return -ENOMEM;
		d->u.entitlements.n =
			policy_entitlements_as_of(ctx->params, m, date, d->u.entitlements.items);
	}
	return 0;
}
