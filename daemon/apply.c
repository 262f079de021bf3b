#include "apply.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atom.h"
#include "backdate.h"
#include "claim.h"
#include "event.h"
#include "log.h"
#include "recompute.h"
#include "policy/rules.h"

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src);
}

/* Civil affairs owns these categories: a person event's list replaces them. */
static bool civil_affairs_category(int c)
{
	switch (c) {
	case ASSIST__CATEGORY__CATEGORY_URBAN_DIBAO:
	case ASSIST__CATEGORY__CATEGORY_RURAL_DIBAO:
	case ASSIST__CATEGORY__CATEGORY_THREE_NOES:
	case ASSIST__CATEGORY__CATEGORY_FIVE_GUARANTEE:
	case ASSIST__CATEGORY__CATEGORY_ORPHAN:
	case ASSIST__CATEGORY__CATEGORY_ENTITLED_GROUP:
	case ASSIST__CATEGORY__CATEGORY_MARGINAL:
	case ASSIST__CATEGORY__CATEGORY_VAGRANT:
	case ASSIST__CATEGORY__CATEGORY_DISABLED:
		return true;
	default:
		return false;
	}
}

/* The day a later change holds from: its effective_on, else the date of the
 * event's occurred_at, else the day it is applied (docs/policy.md "Validity"). */
static ymd_t change_date(const Assist__Event *ev, const char *effective_on)
{
	char day[YMD_BUFLEN];
	ymd_t d;

	if (effective_on != NULL && effective_on[0] != '\0' && ymd_parse(effective_on, &d) == 0)
		return d;
	if (ev->occurred_at != NULL && strlen(ev->occurred_at) >= YMD_BUFLEN - 1) {
		snprintf(day, sizeof(day), "%.10s", ev->occurred_at);
		if (ymd_parse(day, &d) == 0)
			return d;
	}
	return ymd_today();
}

/* Whether p has held no civil-affairs category yet: its first list is what
 * is known of the past. */
static bool no_civil_affairs_categories(const struct person *p)
{
	for (int c = 1; c < STATE_CATEGORY_MAX; c++) {
		const struct category_state *cs = person_category_of(p, c);

		if (civil_affairs_category(c) &&
		    (cs->active || cs->since != YMD_NONE || cs->until != YMD_NONE))
			return false;
	}
	return true;
}

/* The civil-affairs categories listed (and no longer listed) from the day
 * from; the first list known holds from the earliest date. */
static int replace_categories(struct person *p, const Assist__PersonChange *pc, ymd_t from)
{
	bool listed[STATE_CATEGORY_MAX] = {false};
	bool first = no_civil_affairs_categories(p);

	for (size_t i = 0; i < pc->n_categories; i++) {
		if (pc->categories[i] > 0 && pc->categories[i] < STATE_CATEGORY_MAX)
			listed[pc->categories[i]] = true;
	}
	for (int c = 1; c < STATE_CATEGORY_MAX; c++) {
		struct category_state *cs;

		if (!civil_affairs_category(c) || person_category_of(p, c)->active == listed[c])
			continue;
		if ((cs = person_category(p, c)) == NULL)
			return -ENOMEM;
		cs->active = listed[c];
		if (listed[c]) {
			cs->since = first ? YMD_NONE : from;
			cs->until = YMD_NONE;
		} else {
			cs->until = policy_day_before(from);
		}
	}
	return 0;
}

/* Every member's record shows what hh is (its size, income and housing
 * area): each is changed. */
static int members_dirty(struct world *w, struct household *hh)
{
	for (size_t i = 0; i < hh->n_m; i++) {
		hh->m[i]->dirty = true;
		if (world_queue_person(w, hh->m[i]) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* A move that changes hh's size (was: the size before) changes the records
 * of the household left or joined. A declared size does not move with its
 * members. */
static int members_changed(struct world *w, struct household *hh, int32_t was)
{
	return household_size(hh) == was ? 0 : members_dirty(w, hh);
}

/* The place sent, each part an atom (validated: no longer than STATE_*_MAX). */
static int update_place(struct place *pl, const Assist__Place *sent)
{
	const char *d = atom_intern(sent->district), *t = atom_intern(sent->town);
	const char *c = atom_intern(sent->community);

	if (d == NULL || t == NULL || c == NULL)
		return -ENOMEM;
	*pl = (struct place){d, t, c};
	return 0;
}

static int update_person(struct world *w, const Assist__PersonChange *pc, ymd_t from,
			 struct person *p)
{
	if (pc->name[0] != '\0')
		copy_str(p->name, sizeof(p->name), pc->name);
	if (pc->hukou != ASSIST__HUKOU__HUKOU_UNSPECIFIED && pc->hukou != p->hukou) {
		/* A change of hukou ends the dibao that needed the old one from here. */
		if (p->hukou != ASSIST__HUKOU__HUKOU_UNSPECIFIED)
			p->hukou_from = from;
		p->hukou = pc->hukou;
	}
	if (pc->area != ASSIST__AREA__AREA_UNSPECIFIED)
		p->area = pc->area;
	if (pc->place != NULL && update_place(&p->place, pc->place) < 0)
		return -ENOMEM;
	if (pc->n_categories > 0 && replace_categories(p, pc, from) < 0)
		return -ENOMEM;
	if (pc->deceased_on[0] != '\0' && ymd_parse(pc->deceased_on, &p->deceased_on) < 0)
		p->deceased_on = YMD_NONE; /* validated before: cannot happen */
	if (pc->household_id[0] != '\0' && strcmp(pc->household_id, p->household_id) != 0) {
		struct household *old = p->hh;
		struct household *hh = world_household(w, pc->household_id);
		int32_t old_was, hh_was;

		if (hh == NULL)
			return -ENOMEM;
		old_was = old != NULL ? household_size(old) : 0;
		hh_was = household_size(hh);
		/* A move holds from from; the first household known, from the earliest. */
		if (p->household_id[0] != '\0')
			p->household_from = from;
		copy_str(p->household_id, sizeof(p->household_id), pc->household_id);
		if (household_link(hh, p) < 0 ||
		    (old != NULL && members_changed(w, old, old_was) < 0) ||
		    members_changed(w, hh, hh_was) < 0)
			return -ENOMEM;
	} else if (pc->household_id[0] != '\0' && p->hh == NULL) {
		struct household *hh = world_household(w, pc->household_id);
		if (hh == NULL || household_link(hh, p) < 0)
			return -ENOMEM;
	}
	p->dirty = true;
	return 0;
}

/* A value the household had before that changes holds from the day from,
 * the one before it until then (household_supersede); the first values
 * known hold from the earliest date, in the past facts too. 1 when a value
 * changed, 0 when none did, -ENOMEM. */
static int update_household(const Assist__HouseholdChange *hc, ymd_t from, struct household *hh)
{
	struct household_past was = household_now(hh);
	bool later = false;

	if (hc->members > 0) {
		later |= hh->has_members && hh->members != hc->members;
		hh->has_members = true;
		hh->members = hc->members;
	}
	if (hc->monthly_income_fen != NULL) {
		later |= hh->has_income && hh->monthly_income != hc->monthly_income_fen->value;
		hh->has_income = true;
		hh->monthly_income = hc->monthly_income_fen->value;
	}
	if (hc->housing_area_m2 != NULL) {
		later |= hh->has_area && hh->housing_area_m2 != hc->housing_area_m2->value;
		hh->has_area = true;
		hh->housing_area_m2 = hc->housing_area_m2->value;
	}
	if (hc->area != ASSIST__AREA__AREA_UNSPECIFIED) {
		later |= hh->area != ASSIST__AREA__AREA_UNSPECIFIED && hh->area != hc->area;
		hh->area = hc->area;
	}
	household_fill_unknown(&was, hh);
	for (size_t i = 0; i < hh->n_past; i++)
		household_fill_unknown(&hh->past[i], hh);
	hh->dirty = true;
	if (!later)
		return 0;
	return household_supersede(hh, &was, from) < 0 ? -ENOMEM : 1;
}

/* Held from since while active; ended from since (its last day the one
 * before) when active is false. Without since: the day it is applied. */
static int update_status(const Assist__StatusChange *sc, ymd_t since, struct person *p)
{
	struct category_state *cs = person_category(p, sc->category);
	bool active = sc->active == NULL || sc->active->value;

	if (cs == NULL)
		return -ENOMEM;
	if (active) {
		if (since != YMD_NONE)
			cs->since = since;
		else if (!cs->active)
			cs->since = ymd_today();
		cs->until = YMD_NONE;
	} else if (cs->active || (cs->until != YMD_NONE && since != YMD_NONE)) {
		/* Never held: nothing to end. */
		cs->until = policy_day_before(since != YMD_NONE ? since : ymd_today());
	}
	cs->active = active;
	if (sc->class_[0] != '\0')
		copy_str(cs->class_, sizeof(cs->class_), sc->class_);
	p->dirty = true;
	return 0;
}

/* Apply every decision in out from index first on. */
static void apply_decisions(struct decisions *out, size_t first)
{
	for (size_t i = first; i < out->n; i++)
		decision_apply(&out->items[i]);
}

/* ---- refresh ------------------------------------------------------------------- */

/* The date rules are refreshed as of: the latest date the person's events
 * carry (an event may be dated back, a registration "since 2007": the record
 * still shows the person as of the newest news), else the event's, else today. */
static ymd_t refresh_date(const struct person *p, ymd_t event_date)
{
	if (p->latest_date > event_date)
		return p->latest_date;
	if (event_date != YMD_NONE)
		return event_date;
	return ymd_today();
}

int apply_refresh(const struct policy_ctx *ctx, struct person *p, ymd_t date,
		  const struct policy_cause *c, struct decisions *out)
{
	size_t first = out->n;
	int rc = policy_refresh(ctx, p, refresh_date(p, date), out);

	apply_decisions(out, first);
	if (rc < 0 || c->from == YMD_NONE)
		return rc;
	first = out->n;
	rc = policy_backdate(p, c, out);
	apply_decisions(out, first);
	return rc;
}

/* apply_refresh() for the back-dated fact bd. */
static int refresh(const struct policy_ctx *ctx, struct person *p, ymd_t date,
		   const struct backdate *bd, struct decisions *out)
{
	const struct policy_cause c = {.from = bd->from, .why = bd->why, .ps = ctx->params};

	return apply_refresh(ctx, p, date, &c, out);
}

int apply_person(struct world *w, const struct policy_ctx *ctx, const Assist__Event *ev,
		 const struct verdict *v, struct person *p, struct decisions *out)
{
	struct household *old = p->hh;
	ymd_t from = change_date(ev, ev->person->effective_on), died = p->deceased_on;
	Assist__Hukou hukou = p->hukou;
	char household[sizeof(p->household_id)];
	struct backdate bd;
	int rc;

	snprintf(household, sizeof(household), "%s", p->household_id);
	if ((rc = update_person(w, ev->person, from, p)) < 0)
		return rc;
	backdate_person(p, died, hukou, household, ev->person, from, &bd);
	/* A member who moved out changes the household left behind too. */
	if (old != NULL && old != p->hh && old->n_m > 0 &&
	    (rc = refresh(ctx, old->m[0], YMD_NONE, &bd, out)) < 0)
		return rc;
	return refresh(ctx, p, p->deceased_on, &bd, out);
}

int apply_household(struct world *w, const struct policy_ctx *ctx, const Assist__Event *ev,
		    const struct verdict *v, struct person *p, struct decisions *out)
{
	struct household *hh = world_household(w, ev->household->household_id);
	struct backdate bd = BACKDATE_NONE;
	struct household was;
	ymd_t from = change_date(ev, ev->household->effective_on);
	int rc;

	if (hh == NULL)
		return -ENOMEM;
	was = *hh;
	if ((rc = update_household(ev->household, from, hh)) < 0)
		return rc;
	if (rc > 0)
		backdate_household(&was, hh, from, &bd);
	if ((household_size(hh) != household_size(&was) ||
	     hh->monthly_income != was.monthly_income ||
	     hh->housing_area_m2 != was.housing_area_m2) &&
	    members_dirty(w, hh) < 0)
		return -ENOMEM;
	/* The household's rules run through any member (all of them). */
	return hh->n_m > 0 ? refresh(ctx, hh->m[0], YMD_NONE, &bd, out) : 0;
}

int apply_status(struct world *w, const struct policy_ctx *ctx, const Assist__Event *ev,
		 const struct verdict *v, struct person *p, struct decisions *out)
{
	const Assist__StatusChange *sc = ev->status;
	struct backdate bd;

	if (update_status(sc, v->date, p) < 0)
		return -ENOMEM;
	backdate_status(sc, v->date, &bd);
	return refresh(ctx, p, v->date, &bd, out);
}

int apply_payment_run(struct world *w, const struct policy_ctx *ctx, const Assist__Event *ev,
		      const struct verdict *v, struct person *p, struct decisions *out)
{
	struct person **payees;
	size_t n, first = out->n;
	uint32_t bucket, buckets;
	ymd_t month;
	int rc;

	if (ymd_parse_month(ev->payment_run->month, &month) < 0)
		return 0; /* validated before: cannot happen */
	recompute_payee_bucket(ev, &bucket, &buckets);
	if ((rc = world_payees(w, bucket, buckets, &payees, &n)) < 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = payment_person(ctx->params, payees[i], month, out);
	free(payees);
	if (rc == 0)
		apply_decisions(out, first);
	return rc;
}

/* A household-level claim (housing_aid). Its keys keep the "housing/" prefix
 * the stored records hold; every member remembers it, the first tells. */
static int apply_household_claim(struct world *w, const struct policy_ctx *ctx,
				 const Assist__Event *ev, const struct verdict *v,
				 struct decisions *out, struct verdict *reject)
{
	struct household *hh = world_household(w, event_text(ev, EVENT_FIELD_HOUSEHOLD));
	struct claim c;
	size_t first;
	int rc;

	if (hh == NULL)
		return -ENOMEM;
	if ((rc = claim_init(&c, ev, "housing/")) < 0)
		return rc;
	if ((rc = claim_check(hh->n_m > 0 ? hh->m[0] : NULL, &c, ev, reject)) != 0)
		return rc < 0 ? rc : 0;
	for (size_t i = 0; c.op != ASSIST__CLAIM_OP__CLAIM_OP_DECIDE && i < hh->n_m; i++) {
		if ((rc = claim_undo(hh->m[i], &c, out)) < 0)
			return rc;
	}
	first = out->n;
	if (c.op != ASSIST__CLAIM_OP__CLAIM_OP_VOID) {
		if ((rc = policy_event(ctx, ev, NULL, hh, out)) < 0)
			return rc;
		apply_decisions(out, first);
	}
	for (size_t i = 0; i < hh->n_m; i++) {
		if (c.op != ASSIST__CLAIM_OP__CLAIM_OP_VOID &&
		    (rc = claim_remember(hh->m[i], &c, out, first)) < 0)
			return rc;
		if (v->date > hh->m[i]->latest_date)
			hh->m[i]->latest_date = v->date;
		hh->m[i]->dirty = true;
	}
	return 0;
}

/* A person-level event the policy engine decides: enrollment and the
 * person-level claims. A correction is decided as a new claim once what the
 * claim was granted is reversed: against the year's totals less its own old
 * amounts, its one-time keys given back. */
static int apply_decided(const struct event_kind *k, const struct policy_ctx *ctx,
			 const Assist__Event *ev, const struct verdict *v, struct person *p,
			 struct decisions *out, struct verdict *reject)
{
	bool is_claim = event_text(ev, EVENT_FIELD_CLAIM) != NULL;
	struct claim c = {.op = ASSIST__CLAIM_OP__CLAIM_OP_DECIDE};
	struct enrollment was = {0};
	struct backdate bd = BACKDATE_NONE;
	size_t first;
	int rc;

	if (is_claim) {
		if ((rc = claim_init(&c, ev, "")) < 0)
			return rc;
		if ((rc = claim_check(p, &c, ev, reject)) != 0)
			return rc < 0 ? rc : 0;
		if (c.op != ASSIST__CLAIM_OP__CLAIM_OP_DECIDE && (rc = claim_undo(p, &c, out)) < 0)
			return rc;
	}
	if (ev->payload_case == ASSIST__EVENT__PAYLOAD_ENROLLMENT)
		was = backdate_enrollment_of(p, ev->enrollment->scheme);
	first = out->n;
	if (c.op != ASSIST__CLAIM_OP__CLAIM_OP_VOID) {
		if ((rc = policy_event(ctx, ev, p, p->hh, out)) < 0)
			return rc;
		apply_decisions(out, first);
		if (is_claim && (rc = claim_remember(p, &c, out, first)) < 0)
			return rc;
	}
	p->dirty = true;
	if (ev->payload_case == ASSIST__EVENT__PAYLOAD_ENROLLMENT)
		backdate_enrollment(p, &was, ev->enrollment->scheme, &bd);
	if (k->flags & EVENT_REFRESH_AFTER)
		return refresh(ctx, p, v->date, &bd, out);
	return 0;
}

static int apply_one(struct world *w, const struct policy_ctx *ctx, const Assist__Event *ev,
		     const struct verdict *v, struct decisions *out, struct verdict *reject)
{
	const struct event_kind *k = event_of(ev);
	const char *id = validate_subject(ev);
	struct person *p = NULL;
	int rc;

	if (k != NULL && k->admit != NULL && (rc = k->admit(w, ctx, ev, reject)) < 0)
		return rc;
	if (k != NULL && (k->flags & (EVENT_HOUSEHOLD_LEVEL | EVENT_CITY_LEVEL)))
		return k->apply ? k->apply(w, ctx, ev, v, NULL, out) :
				  apply_household_claim(w, ctx, ev, v, out, reject);
	if (k == NULL || id == NULL || (p = world_person(w, id)) == NULL)
		return -ENOMEM;
	if (v->date > p->latest_date)
		p->latest_date = v->date;
	if (k->apply != NULL)
		return k->apply(w, ctx, ev, v, p, out);
	return apply_decided(k, ctx, ev, v, p, out, reject);
}

/* The household an event names itself (a household-level kind's). */
static struct household *named_household(struct world *w, const Assist__Event *ev)
{
	const struct event_kind *k = event_of(ev);
	const char *id;

	if (k == NULL || !(k->flags & EVENT_HOUSEHOLD_LEVEL) ||
	    (id = event_text(ev, EVENT_FIELD_HOUSEHOLD)) == NULL)
		return NULL;
	return strmap_get(&w->households, id);
}

/* Queue what an event may have changed: its subject, the subject's
 * household and members, and every person a decision named. */
static int collect(struct world *w, const Assist__Event *ev, const struct decisions *out,
		   size_t first)
{
	const char *id = validate_subject(ev);
	struct household *hh = NULL;
	struct person *p = NULL;
	int rc;

	if (id != NULL && (p = strmap_get(&w->persons, id)) != NULL)
		hh = p->hh;
	else
		hh = named_household(w, ev);
	if (p != NULL && (rc = world_queue_person(w, p)) < 0)
		return rc;
	if (hh != NULL) {
		if ((rc = world_queue_household(w, hh)) < 0)
			return rc;
		for (size_t i = 0; i < hh->n_m; i++) {
			if ((rc = world_queue_person(w, hh->m[i])) < 0)
				return rc;
		}
	}
	for (size_t i = first; i < out->n; i++) {
		if ((rc = world_queue_person(w, out->items[i].person)) < 0)
			return rc;
	}
	/* A changed person's household, when it changed too (a new one). */
	for (size_t i = 0; i < w->n_changed_p; i++) {
		struct household *old = w->changed_p[i]->hh;
		if (old != NULL && (rc = world_queue_household(w, old)) < 0)
			return rc;
	}
	return 0;
}

int apply_redecide(struct world *w, const struct policy_ctx *ctx, const Assist__Event *ev,
		   const struct verdict *v, struct decisions *out, struct verdict *reject)
{
	const struct event_kind *k = event_of(ev);
	bool household = k != NULL && (k->flags & EVENT_HOUSEHOLD_LEVEL);
	const char *id = validate_subject(ev);
	struct household *hh = named_household(w, ev);
	struct person *p = id != NULL ? strmap_get(&w->persons, id) : NULL;
	struct claim c;
	int rc;

	if ((rc = claim_init(&c, ev, household ? "housing/" : "")) < 0)
		return rc;
	for (size_t i = 0; household && hh != NULL && i < hh->n_m; i++)
		claim_forget_digest(hh->m[i], &c);
	if (!household && p != NULL)
		claim_forget_digest(p, &c);
	return apply_event(w, ctx, ev, v, out, reject);
}

int apply_event(struct world *w, const struct policy_ctx *ctx, const Assist__Event *ev,
		const struct verdict *v, struct decisions *out, struct verdict *reject)
{
	size_t first = out->n;
	int rc = apply_one(w, ctx, ev, v, out, reject);

	if (rc < 0)
		return rc;
	return collect(w, ev, out, first);
}
