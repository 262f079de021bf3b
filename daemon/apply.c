#include "apply.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "log.h"

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
		const struct category_state *cs = &p->cat[c];

		if (civil_affairs_category(c) &&
		    (cs->active || cs->since != YMD_NONE || cs->until != YMD_NONE))
			return false;
	}
	return true;
}

/* The civil-affairs categories listed (and no longer listed) from the day
 * from; the first list known holds from the earliest date. */
static void replace_categories(struct person *p, const Assist__PersonChange *pc, ymd_t from)
{
	bool listed[STATE_CATEGORY_MAX] = {false};
	bool first = no_civil_affairs_categories(p);

	for (size_t i = 0; i < pc->n_categories; i++) {
		if (pc->categories[i] > 0 && pc->categories[i] < STATE_CATEGORY_MAX)
			listed[pc->categories[i]] = true;
	}
	for (int c = 1; c < STATE_CATEGORY_MAX; c++) {
		struct category_state *cs = &p->cat[c];

		if (!civil_affairs_category(c) || cs->active == listed[c])
			continue;
		cs->active = listed[c];
		if (listed[c]) {
			cs->since = first ? YMD_NONE : from;
			cs->until = YMD_NONE;
		} else {
			cs->until = policy_day_before(from);
		}
	}
}

/* Every member's record shows the household's size: a move changes the
 * records of the household left and of the one joined. */
static int members_changed(struct world *w, struct household *hh)
{
	for (size_t i = 0; i < hh->n_m; i++) {
		hh->m[i]->dirty = true;
		if (world_queue_person(w, hh->m[i]) < 0)
			return -ENOMEM;
	}
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
	if (pc->place != NULL) {
		copy_str(p->place.district, sizeof(p->place.district), pc->place->district);
		copy_str(p->place.town, sizeof(p->place.town), pc->place->town);
		copy_str(p->place.community, sizeof(p->place.community), pc->place->community);
	}
	if (pc->n_categories > 0)
		replace_categories(p, pc, from);
	if (pc->deceased_on[0] != '\0' && ymd_parse(pc->deceased_on, &p->deceased_on) < 0)
		p->deceased_on = YMD_NONE; /* validated before: cannot happen */
	if (pc->household_id[0] != '\0' && strcmp(pc->household_id, p->household_id) != 0) {
		struct household *old = p->hh;
		struct household *hh = world_household(w, pc->household_id);
		if (hh == NULL)
			return -ENOMEM;
		copy_str(p->household_id, sizeof(p->household_id), pc->household_id);
		if (household_link(hh, p) < 0 ||
		    (old != NULL && members_changed(w, old) < 0) || members_changed(w, hh) < 0)
			return -ENOMEM;
	} else if (pc->household_id[0] != '\0' && p->hh == NULL) {
		struct household *hh = world_household(w, pc->household_id);
		if (hh == NULL || household_link(hh, p) < 0)
			return -ENOMEM;
	}
	p->dirty = true;
	return 0;
}

/* A value the household had before that changes holds from the day from;
 * the first values known hold from the earliest date. */
static void update_household(const Assist__HouseholdChange *hc, ymd_t from, struct household *hh)
{
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
	if (later)
		hh->changed_from = from;
	hh->dirty = true;
}

/* Held from since while active; ended from since (its last day the one
 * before) when active is false. Without since: the day it is applied. */
static void update_status(const Assist__StatusChange *sc, ymd_t since, struct person *p)
{
	struct category_state *cs = &p->cat[sc->category];
	bool active = sc->active == NULL || sc->active->value;

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
}

/* Apply every decision in out from index first on. */
static void apply_decisions(struct decisions *out, size_t first)
{
	for (size_t i = first; i < out->n; i++)
		decision_apply(&out->items[i]);
}

/* key with a digest (FNV-1a of the packed claim) appended: remembered next to
 * the claim's key, it tells a claim sent again unchanged (an adapter's
 * re-snapshot) from a second claim under the same id. 0 or -ENOMEM. */
static int claim_digest_key(const Assist__Event *ev, const char *key, char *out, size_t n)
{
	const ProtobufCMessage *m = event_payload(ev);
	uint64_t h = 0xcbf29ce484222325ULL;
	uint8_t *buf;
	size_t len;

	len = m != NULL ? protobuf_c_message_get_packed_size(m) : 0;
	if ((buf = malloc(len ? len : 1)) == NULL)
		return -ENOMEM;
	if (m != NULL)
		protobuf_c_message_pack(m, buf);
	for (size_t i = 0; i < len; i++)
		h = (h ^ buf[i]) * 0x100000001b3ULL;
	free(buf);
	snprintf(out, n, "%s#%016" PRIx64, key, h);
	return 0;
}

static int reject_duplicate(struct verdict *reject, const Assist__Event *ev, const char *claim)
{
	memset(reject, 0, sizeof(*reject));
	snprintf(reject->field, sizeof(reject->field), "%s.claim_id", validate_kind_name(ev));
	snprintf(reject->reason, sizeof(reject->reason),
		 "duplicate_claim: claim %s was already applied from %s", claim, ev->source);
	return -EINVAL;
}

/* A claim id already applied: the same claim again is acknowledged with no
 * effect (1); another under its id is a duplicate_claim (-EINVAL). */
static int claim_seen(const struct person *p, const Assist__Event *ev, const char *digest_key,
		      const char *claim, struct verdict *reject)
{
	if (person_has_claim_key(p, digest_key))
		return 1;
	return reject_duplicate(reject, ev, claim);
}

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

static int refresh(const struct policy_ctx *ctx, struct person *p, ymd_t date,
		   struct decisions *out)
{
	size_t first = out->n;
	int rc = policy_refresh(ctx, p, refresh_date(p, date), out);

	apply_decisions(out, first);
	return rc;
}

int apply_person(struct world *w, const struct policy_ctx *ctx, const Assist__Event *ev,
		 const struct verdict *v, struct person *p, struct decisions *out)
{
	struct household *old = p->hh;
	int rc;

	if ((rc = update_person(w, ev->person, change_date(ev, ev->person->effective_on), p)) < 0)
		return rc;
	/* A member who moved out changes the household left behind too. */
	if (old != NULL && old != p->hh && old->n_m > 0 &&
	    (rc = refresh(ctx, old->m[0], YMD_NONE, out)) < 0)
		return rc;
	return refresh(ctx, p, p->deceased_on, out);
}

int apply_household(struct world *w, const struct policy_ctx *ctx, const Assist__Event *ev,
		    const struct verdict *v, struct person *p, struct decisions *out)
{
	struct household *hh = world_household(w, ev->household->household_id);

	if (hh == NULL)
		return -ENOMEM;
	update_household(ev->household, change_date(ev, ev->household->effective_on), hh);
	/* The household's rules run through any member (all of them). */
	return hh->n_m > 0 ? refresh(ctx, hh->m[0], YMD_NONE, out) : 0;
}

int apply_status(struct world *w, const struct policy_ctx *ctx, const Assist__Event *ev,
		 const struct verdict *v, struct person *p, struct decisions *out)
{
	update_status(ev->status, v->date, p);
	return refresh(ctx, p, v->date, out);
}

/* A household-level claim (housing_aid). Its keys keep the "housing/" prefix
 * the stored records hold. */
static int apply_household_claim(struct world *w, const struct policy_ctx *ctx,
				 const Assist__Event *ev, const struct verdict *v,
				 struct decisions *out, struct verdict *reject)
{
	const char *claim = event_text(ev, EVENT_FIELD_CLAIM);
	struct household *hh = world_household(w, event_text(ev, EVENT_FIELD_HOUSEHOLD));
	char key[160], dkey[180];
	size_t first = out->n;
	int rc;

	if (hh == NULL)
		return -ENOMEM;
	/* A household claim is remembered by every member; the first tells. */
	snprintf(key, sizeof(key), "housing/%s/%s", ev->source, claim);
	if ((rc = claim_digest_key(ev, key, dkey, sizeof(dkey))) < 0)
		return rc;
	if (hh->n_m > 0 && person_has_claim_key(hh->m[0], key))
		return (rc = claim_seen(hh->m[0], ev, dkey, claim, reject)) < 0 ? rc : 0;
	if ((rc = policy_event(ctx, ev, NULL, hh, out)) < 0)
		return rc;
	apply_decisions(out, first);
	for (size_t i = 0; i < hh->n_m; i++) {
		if ((rc = person_add_claim_key(hh->m[i], key)) < 0 ||
		    (rc = person_add_claim_key(hh->m[i], dkey)) < 0)
			return rc;
		if (v->date > hh->m[i]->latest_date)
			hh->m[i]->latest_date = v->date;
		hh->m[i]->dirty = true;
	}
	return 0;
}

/* A person-level event the policy engine decides: enrollment and the
 * person-level claims. */
static int apply_decided(const struct event_kind *k, const struct policy_ctx *ctx,
			 const Assist__Event *ev, const struct verdict *v, struct person *p,
			 struct decisions *out, struct verdict *reject)
{
	const char *claim = event_text(ev, EVENT_FIELD_CLAIM);
	char key[160], dkey[180];
	size_t first = out->n;
	int rc;

	if (claim != NULL) {
		snprintf(key, sizeof(key), "%s/%s", ev->source, claim);
		if ((rc = claim_digest_key(ev, key, dkey, sizeof(dkey))) < 0)
			return rc;
		if (person_has_claim_key(p, key))
			return (rc = claim_seen(p, ev, dkey, claim, reject)) < 0 ? rc : 0;
	}
	if ((rc = policy_event(ctx, ev, p, p->hh, out)) < 0)
		return rc;
	apply_decisions(out, first);
	if (claim != NULL && ((rc = person_add_claim_key(p, key)) < 0 ||
			      (rc = person_add_claim_key(p, dkey)) < 0))
		return rc;
	p->dirty = true;
	if (k->flags & EVENT_REFRESH_AFTER)
		return refresh(ctx, p, v->date, out);
	return 0;
}

static int apply_one(struct world *w, const struct policy_ctx *ctx, const Assist__Event *ev,
		     const struct verdict *v, struct decisions *out, struct verdict *reject)
{
	const struct event_kind *k = event_of(ev);
	const char *id = validate_subject(ev);
	struct person *p = NULL;

	if (k != NULL && (k->flags & EVENT_HOUSEHOLD_LEVEL))
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

int apply_event(struct world *w, const struct policy_ctx *ctx, const Assist__Event *ev,
		const struct verdict *v, struct decisions *out, struct verdict *reject)
{
	size_t first = out->n;
	int rc = apply_one(w, ctx, ev, v, out, reject);

	if (rc < 0)
		return rc;
	return collect(w, ev, out, first);
}
