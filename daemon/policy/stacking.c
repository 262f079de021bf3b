#include "rules.h"

#include <string.h>

const struct enrollment *rules_enrollment_on(const struct person *p, Assist__Scheme scheme,
					     ymd_t d)
{
	const struct enrollment *found = NULL;

	for (size_t i = 0; i < p->n_enrollments; i++) {
		const struct enrollment *e = &p->enrollments[i];

		if (e->scheme != scheme || !e->granted || e->start > d)
			continue;
		if (e->end != YMD_NONE && d > e->end)
			continue;
		if (found == NULL || e->start > found->start)
			found = e;
	}
	return found;
}

static const struct benefit *benefit_of(const struct person *m, Assist__Scheme scheme)
{
	for (size_t i = 0; i < m->n_benefits; i++) {
		if (m->benefits[i].scheme == scheme)
			return &m->benefits[i];
	}
	return NULL;
}

/* m itself holds scheme on d: a granted open enrollment, alive on d or
 * dead in d's month, and
 * no benefit row of it that ended before d (a hukou change or an income
 * rise ends the row while the enrollment stays on record). */
static const struct enrollment *member_holds(const struct person *m, Assist__Scheme scheme,
					     ymd_t d)
{
	const struct enrollment *e = rules_enrollment_on(m, scheme, d);
	const struct benefit *b;

	if (e == NULL)
		return NULL;
	/* A death ends the benefit from the month after (rule 9). */
	if (m->deceased_on != YMD_NONE && policy_month_end(m->deceased_on) < d)
		return NULL;
	b = benefit_of(m, scheme);
	if (b != NULL && !b->active && b->until != YMD_NONE && b->until < d)
		return NULL;
	return e;
}

/* The enrollment of scheme held on d by p, else by another member of its household. */
static const struct enrollment *household_holds(const struct person *p, Assist__Scheme scheme,
						ymd_t d)
{
	const struct enrollment *e = member_holds(p, scheme, d);

	if (e != NULL || p->hh == NULL)
		return e;
	for (size_t i = 0; i < p->hh->n_m; i++) {
		if (p->hh->m[i] == p)
			continue;
		e = member_holds(p->hh->m[i], scheme, d);
		if (e != NULL)
			return e;
	}
	return NULL;
}

bool rules_in_urban_dibao(const struct person *p, ymd_t d)
{
	return household_holds(p, ASSIST__SCHEME__SCHEME_URBAN_DIBAO, d) != NULL;
}

bool rules_in_rural_dibao(const struct person *p, ymd_t d)
{
	return household_holds(p, ASSIST__SCHEME__SCHEME_RURAL_DIBAO, d) != NULL;
}

const char *rules_rural_dibao_class(const struct person *p, ymd_t d)
{
	const struct enrollment *e = household_holds(p, ASSIST__SCHEME__SCHEME_RURAL_DIBAO, d);

	return e != NULL ? e->class_ : "";
}

bool rules_huimin_eligible(const struct person *p, ymd_t d)
{
	return rules_in_urban_dibao(p, d) &&
	       !person_has(p, ASSIST__CATEGORY__CATEGORY_WORKER_INSURANCE);
}

bool rules_medical_assistance_eligible(const struct person *p, ymd_t d)
{
	return rules_in_urban_dibao(p, d) || rules_in_rural_dibao(p, d) ||
	       person_has(p, ASSIST__CATEGORY__CATEGORY_THREE_NOES) ||
	       person_has(p, ASSIST__CATEGORY__CATEGORY_FIVE_GUARANTEE) ||
	       person_has(p, ASSIST__CATEGORY__CATEGORY_ENTITLED_GROUP);
}

bool rules_deceased_on(const struct person *p, ymd_t d)
{
	return p->deceased_on != YMD_NONE && p->deceased_on <= d;
}

bool rules_dispersed_five_guarantee(const struct person *p)
{
	const char *class_ =
		person_category_of(p, ASSIST__CATEGORY__CATEGORY_FIVE_GUARANTEE)->class_;

	if (!person_has(p, ASSIST__CATEGORY__CATEGORY_FIVE_GUARANTEE))
		return false;
	return class_[0] == '\0' || strcmp(class_, "dispersed") == 0;
}

bool rules_category_on(const struct person *p, int c, ymd_t d)
{
	const struct category_state *cs = person_category_of(p, c);

	if (cs->since != YMD_NONE && d < cs->since)
		return false;
	return cs->active || (cs->until != YMD_NONE && d <= cs->until);
}
