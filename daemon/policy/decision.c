#include "rules.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct decision *decisions_add(struct decisions *d, enum decision_type t, struct person *p)
{
	struct decision *dec = vec_grow((void **)&d->items, &d->n, &d->cap, sizeof(*dec));

	if (dec != NULL) {
		dec->type = t;
		dec->person = p;
	}
	return dec;
}

void decisions_clear(struct decisions *d)
{
	d->n = 0;
}

void decisions_free(struct decisions *d)
{
	free(d->items);
	d->items = NULL;
	d->n = d->cap = 0;
}

int rules_enrollment(struct decisions *out, const struct policy_ctx *ctx,
		     const Assist__Enrollment *e, ymd_t start, bool granted, struct person *p)
{
	struct decision *d = decisions_add(out, DEC_ENROLLMENT, p);
	struct enrollment *en;

	if (d == NULL)
		return -ENOMEM;
	en = &d->u.enrollment;
	en->scheme = e->scheme;
	snprintf(en->class_, sizeof(en->class_), "%s", e->class_ != NULL ? e->class_ : "");
	en->has_amount = e->amount_fen != 0;
	en->amount = e->amount_fen;
	en->start = start;
	if (e->end_date == NULL || e->end_date[0] == '\0' || ymd_parse(e->end_date, &en->end) < 0)
		en->end = YMD_NONE;
	en->granted = granted;
	snprintf(en->source, sizeof(en->source), "%s", ctx->source != NULL ? ctx->source : "");
	en->major = ctx->major;
	en->minor = ctx->minor;
	return 0;
}

/* Add amount to the YTD counters its scheme feeds (lib/scheme.c); false when
 * out of memory. */
static bool add_ytd(struct person *p, const struct ledger_entry *le)
{
	struct ytd *y;

	if (!scheme_counts(le->scheme))
		return true;
	y = person_ytd(p, ymd_year(le->date));
	if (y == NULL)
		return false;
	scheme_ytd_add(y->totals, le->scheme, le->amount);
	return true;
}

/* The apply_* helpers return 1 (changed), 0 (unchanged) or -ENOMEM. */
static int apply_ledger(struct person *p, const struct ledger_entry *le)
{
	struct ledger_entry *slot;

	slot = vec_grow((void **)&p->ledger, &p->n_ledger, &p->cap_ledger, sizeof(*slot));
	if (slot == NULL)
		return -ENOMEM;
	if (!add_ytd(p, le)) {
		p->n_ledger--;
		return -ENOMEM;
	}
	*slot = *le;
	return 1;
}

static int apply_bill(struct person *p, ymd_t date, fen_t total)
{
	struct ytd *y;

	if (total == 0)
		return 0;
	y = person_ytd(p, ymd_year(date));
	if (y == NULL)
		return -ENOMEM;
	y->totals[SCHEME_YTD_MEDICAL_TOTAL] += total;
	return 1;
}

static bool benefit_equal(const struct benefit *a, const struct benefit *b)
{
	return a->scheme == b->scheme && strcmp(a->class_, b->class_) == 0 &&
	       a->monthly == b->monthly && a->active == b->active && a->since == b->since &&
	       a->until == b->until && strcmp(a->reason, b->reason) == 0;
}

static int apply_benefit(struct person *p, const struct benefit *b)
{
	struct benefit *row = person_benefit(p, b->scheme);

	if (row != NULL && benefit_equal(row, b))
		return 0;
	if (row == NULL)
		row = vec_grow((void **)&p->benefits, &p->n_benefits, &p->cap_benefits,
				 sizeof(*row));
	if (row == NULL)
		return -ENOMEM;
	*row = *b;
	return 1;
}

static bool enrollment_equal(const struct enrollment *a, const struct enrollment *b)
{
	return a->scheme == b->scheme && strcmp(a->class_, b->class_) == 0 &&
	       a->has_amount == b->has_amount && a->amount == b->amount && a->start == b->start &&
	       a->end == b->end && a->granted == b->granted && strcmp(a->source, b->source) == 0 &&
	       a->major == b->major && a->minor == b->minor;
}

static int apply_enrollment(struct person *p, const struct enrollment *e)
{
	struct enrollment *row = NULL;

	for (size_t i = 0; i < p->n_enrollments; i++) {
		/* One enrollment per person and scheme: a new one replaces it. */
		if (p->enrollments[i].scheme == e->scheme) {
			row = &p->enrollments[i];
			break;
		}
	}
	if (row != NULL && enrollment_equal(row, e))
		return 0;
	if (row == NULL)
		row = vec_grow((void **)&p->enrollments, &p->n_enrollments, &p->cap_enrollments,
				 sizeof(*row));
	if (row == NULL)
		return -ENOMEM;
	*row = *e;
	return 1;
}

static bool entitlements_equal(const struct person *p, const struct entitlement *items, int n)
{
	if (p->n_entitlements != (size_t)n)
		return false;
	for (int i = 0; i < n; i++) {
		const struct entitlement *a = &p->entitlements[i];

		if (a->scheme != items[i].scheme || a->eligible != items[i].eligible ||
		    strcmp(a->reason, items[i].reason) != 0)
			return false;
	}
	return true;
}

static int apply_entitlements(struct person *p, const struct entitlement *items, int n)
{
	const struct entitlement *list;

	if (n < 0 || entitlements_equal(p, items, n))
		return 0;
	if ((list = state_entitlements_intern(items, (size_t)n)) == NULL && n > 0)
		return -ENOMEM;
	p->entitlements = list;
	p->n_entitlements = (size_t)n;
	return 1;
}

static int apply_alert(struct person *p, const struct alert *a)
{
	struct alert *slot = vec_grow((void **)&p->alerts, &p->n_alerts, &p->cap_alerts,
					sizeof(*slot));

	if (slot == NULL)
		return -ENOMEM;
	*slot = *a;
	return 1;
}

static int apply_once_key(struct person *p, const char *key)
{
	int rc;

	if (person_has_once_key(p, key))
		return 0;
	rc = person_add_once_key(p, key);
	return rc < 0 ? rc : 1;
}

bool decision_apply(const struct decision *d)
{
	struct person *p = d->person;
	int changed = 0;

	if (p == NULL)
		return false;
	switch (d->type) {
	case DEC_LEDGER:
		changed = apply_ledger(p, &d->u.ledger);
		break;
	case DEC_BILL:
		changed = apply_bill(p, d->u.bill.date, d->u.bill.total);
		break;
	case DEC_BENEFIT:
		changed = apply_benefit(p, &d->u.benefit);
		break;
	case DEC_ENROLLMENT:
		changed = apply_enrollment(p, &d->u.enrollment);
		break;
	case DEC_ENTITLEMENTS:
		changed = apply_entitlements(p, d->u.entitlements.items, d->u.entitlements.n);
		break;
	case DEC_ALERT:
		changed = apply_alert(p, &d->u.alert);
		break;
	case DEC_ONCE_KEY:
		changed = apply_once_key(p, d->u.once_key);
		break;
	}
	if (changed < 0) {
		log_error("policy: out of memory applying a decision of type %d", (int)d->type);
		return false;
	}
	/* An entry that feeds no counter changes the ledger alone, an alert
	 * the alerts alone: rows of their own tables, not the person's. */
	if (changed > 0 && ((d->type == DEC_LEDGER && !scheme_counts(d->u.ledger.scheme)) ||
			    d->type == DEC_ALERT))
		p->booked = true;
	else if (changed > 0)
		p->dirty = true;
	return changed > 0;
}

/* The amount in force for ref of scheme on p: the sum of the entries, the
 * date of the last one, and whether one of them is a reversal. */
static fen_t in_force(const struct person *p, const char *ref, Assist__Scheme scheme,
		      ymd_t *date, bool *reversed)
{
	fen_t sum = 0;

	*reversed = false;
	for (size_t i = 0; i < p->n_ledger; i++) {
		const struct ledger_entry *le = &p->ledger[i];

		if (le->scheme != scheme || strcmp(le->ref, ref) != 0)
			continue;
		sum += le->amount;
		*date = le->date;
		if (le->kind == ASSIST__LEDGER_KIND__LEDGER_KIND_REVERSAL)
			*reversed = true;
	}
	return sum;
}

/* Whether entry i is the first of its ref and scheme on p. */
static bool first_of_scheme(const struct person *p, size_t i)
{
	for (size_t j = 0; j < i; j++) {
		if (p->ledger[j].scheme == p->ledger[i].scheme &&
		    strcmp(p->ledger[j].ref, p->ledger[i].ref) == 0)
			return false;
	}
	return true;
}

static int reverse_scheme(struct person *p, const char *ref, Assist__Scheme scheme,
			  const char *op, struct decisions *out)
{
	const struct scheme *row = scheme_get(scheme);
	const char *name = row != NULL ? row->name : "unspecified";
	struct decision *d;
	struct ledger_entry *le;
	ymd_t date = YMD_NONE;
	bool reversed;
	fen_t amount = in_force(p, ref, scheme, &date, &reversed);

	/* Nothing left to take back of a claim reversed before (a second void). */
	if (amount == 0 && reversed)
		return 0;
	if ((d = decisions_add(out, DEC_LEDGER, p)) == NULL)
		return -ENOMEM;
	le = &d->u.ledger;
	snprintf(le->ref, sizeof(le->ref), "%s", ref);
	le->scheme = scheme;
	le->date = date;
	le->requested = -amount;
	le->amount = -amount;
	le->kind = ASSIST__LEDGER_KIND__LEDGER_KIND_REVERSAL;
	snprintf(le->reason, sizeof(le->reason), "reversal of %s (%s)", ref, op);
	d->has_trace = true;
	trace_init(&d->trace, "claim.reversal");
	trace_input(&d->trace, "claim", "%s", ref);
	trace_input(&d->trace, "op", "%s", op);
	trace_input(&d->trace, "scheme", "%s", name);
	trace_input(&d->trace, "amount_in_force", "%" PRId64, amount);
	trace_result(&d->trace, "%s of claim %s: the %" PRId64 " in force for %s is reversed: %" PRId64,
		     op, ref, amount, name, -amount);
	return 0;
}

int policy_reversal(struct person *p, const char *ref, const char *op, struct decisions *out)
{
	size_t n = p->n_ledger;
	int rc;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(p->ledger[i].ref, ref) != 0 || !first_of_scheme(p, i))
			continue;
		if ((rc = reverse_scheme(p, ref, p->ledger[i].scheme, op, out)) < 0)
			return rc;
	}
	return 0;
}
