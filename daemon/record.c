#include "record.h"

#include <errno.h>
#include <string.h>

#include "application.h"
#include "statemap.h"
#include "walltime.h"

/* One key for the life of the process: a pseudonym that changed while assistd
 * runs would split a person in two for every consumer. */
static uint8_t subject_key[SUBJECT_KEY_BYTES];
static bool have_subject_key;

void record_set_subject_key(const uint8_t key[SUBJECT_KEY_BYTES])
{
	have_subject_key = key != NULL;
	if (key != NULL)
		memcpy(subject_key, key, SUBJECT_KEY_BYTES);
	else
		memset(subject_key, 0, SUBJECT_KEY_BYTES);
}

const char *record_subject_key(const char *id, char out[SUBJECT_HEX_LEN + 1])
{
	return have_subject_key ? subject_of(subject_key, id, out) : NULL;
}

int record_default_year(const struct person *p)
{
	return p->latest_date != YMD_NONE ? ymd_year(p->latest_date) : ymd_year(ymd_today());
}

/* Each of p's lists into its repeated field of r. For the stored form
 * (stored): the benefit rows, not the ledger and alerts (the rows of their
 * tables, daemon/load.c) nor the entitlements (a shared list's row, named
 * by the stored form). For a record: the ledger and alerts, not those rows
 * (it shows them as of a day instead). 0 or a negative errno. */
static int build_lists(struct arena *a, const struct person *p, Assist__RecipientRecord *r,
		       bool stored)
{
	int rc;

	if (stored) {
		rc = pbmap_to_list(&statemap_benefits, p->benefits, p->n_benefits, &r->base, a);
	} else {
		rc = pbmap_to_list(&statemap_ledger, p->ledger, p->n_ledger, &r->base, a);
		if (rc == 0)
			rc = pbmap_to_list(&statemap_alerts, p->alerts, p->n_alerts, &r->base, a);
	}
	return rc < 0 ? rc : application_to_record(a, p, r);
}

/* The categories p holds, in code order. */
static int build_categories(struct arena *a, const struct person *p, Assist__RecipientRecord *r)
{
	Assist__Category *cats = arena_alloc(a, STATE_CATEGORY_MAX * sizeof(*cats));

	if (cats == NULL)
		return -ENOMEM;
	for (int c = 1; c < STATE_CATEGORY_MAX; c++) {
		if (person_has(p, c))
			cats[r->n_categories++] = c;
	}
	r->categories = cats;
	return 0;
}

static Assist__RecipientRecord *record_new(struct arena *a, const struct person *p, bool full_id,
					   bool stored)
{
	Assist__RecipientRecord *r = arena_alloc(a, sizeof(*r));
	char masked[IDNUM_BUFLEN], when[40];

	if (r == NULL)
		return NULL;
	assist__recipient_record__init(r);
	r->id_number = full_id ? (char *)p->id : arena_strdup(a, idnum_mask(p->id, masked));
	r->updated_at = arena_strdup(a, walltime_format(p->updated_at_ms, when, sizeof(when)));
	if (r->id_number == NULL || r->updated_at == NULL ||
	    pbmap_to_message(&statemap_person, p, &r->base, a) < 0 ||
	    build_categories(a, p, r) < 0 || build_lists(a, p, r, stored) < 0)
		return NULL;
	return r;
}

Assist__RecipientRecord *record_base(struct arena *a, const struct person *p, bool full_id)
{
	return record_new(a, p, full_id, true);
}

/* The household part of the record: what the rules count of p's household,
 * as it was on d. */
static Assist__HouseholdSummary *build_household(struct arena *a, const struct person *p, ymd_t d)
{
	Assist__HouseholdSummary *hs = arena_alloc(a, sizeof(*hs));
	struct household buf;
	const struct household *hh = household_on(p->hh, d, &buf);

	if (hs == NULL)
		return NULL;
	assist__household_summary__init(hs);
	if (hh != NULL) {
		hs->members = household_size(hh);
		hs->monthly_income_fen = hh->monthly_income;
		hs->housing_area_m2 = hh->housing_area_m2;
	}
	return hs;
}

/* Benefits and entitlements as of d in place of the stored rows. */
static int build_as_of(struct arena *a, const struct person *p, ymd_t d,
		       const struct params *params, Assist__RecipientRecord *r)
{
	struct benefit *b = arena_alloc(a, (p->n_benefits ? p->n_benefits : 1) * sizeof(*b));
	struct entitlement *e = arena_alloc(a, POLICY_MAX_ENTITLEMENTS * sizeof(*e));
	char day[YMD_BUFLEN];
	size_t n;
	int rc;

	if (b == NULL || e == NULL || (r->as_of = arena_strdup(a, ymd_format(d, day))) == NULL)
		return -ENOMEM;
	n = policy_benefits_as_of(params, p, d, b);
	if ((rc = pbmap_to_list(&statemap_benefits, b, n, &r->base, a)) < 0)
		return rc;
	n = (size_t)policy_entitlements_as_of(params, p, d, e);
	return pbmap_to_list(&statemap_entitlements, e, n, &r->base, a);
}

Assist__RecipientRecord *record_build(struct arena *a, const struct person *p, int year,
				      ymd_t as_of, const struct params *params, bool full_id)
{
	Assist__RecipientRecord *r = record_new(a, p, full_id, false);
	Assist__Ytd *ytd = arena_alloc(a, sizeof(*ytd));
	char subject[SUBJECT_HEX_LEN + 1];
	const struct ytd *y;
	ymd_t d = as_of != YMD_NONE ? as_of : ymd_today();

	if (r == NULL || ytd == NULL || (r->household = build_household(a, p, d)) == NULL ||
	    build_as_of(a, p, d, params, r) < 0)
		return NULL;
	if (record_subject_key(p->id, subject) != NULL &&
	    (r->subject_key = arena_strdup(a, subject)) == NULL)
		return NULL;
	r->year = year ? year : record_default_year(p);
	assist__ytd__init(ytd);
	if ((y = person_ytd_find(p, r->year)) != NULL)
		statemap_fill_ytd(ytd, y);
	policy_caps(params, p, r->year, ytd);
	r->ytd = ytd;
	return r;
}
