/* Monthly payment runs: a periodic benefit (lib/scheme.c's .periodic) is
 * paid for a month when it is active on the month's first day. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

bool payment_due(ymd_t since, ymd_t until, ymd_t first)
{
	return since != YMD_NONE && since <= first && (until == YMD_NONE || until >= first);
}

/* The last day b holds: its until, or the end of the enrollment it rests on
 * when that comes first (an enrollment sent with its end is paid to it).
 * false when b rests on no granted enrollment. */
static bool last_day(const struct person *p, const struct benefit *b, ymd_t *last)
{
	const struct enrollment *e = rules_enrollment_on(p, b->scheme, b->since);

	if (e == NULL)
		return false;
	*last = b->until;
	if (e->end != YMD_NONE && (*last == YMD_NONE || e->end < *last))
		*last = e->end;
	return true;
}

/* Whether p has an entry under the month's ref. Every such entry carries the
 * month as its period (month_entry), and the refs of one scheme's months are
 * alike up to it, so the period is compared first: a payee's ledger is
 * mostly its months. */
static bool has_ref(const struct person *p, const char *ref, const char *period)
{
	for (size_t i = 0; i < p->n_ledger; i++) {
		const struct ledger_entry *le = &p->ledger[i];

		if (strcmp(le->period, period) == 0 && strcmp(le->ref, ref) == 0)
			return true;
	}
	return false;
}

/* The period of the month starting first: "2008-03" (a ledger entry's). */
static void month_period(ymd_t first, char out[static 8])
{
	char day[YMD_BUFLEN];

	snprintf(out, 8, "%.7s", ymd_format(first, day));
}

/* A new ledger decision of amount under ref for b's scheme and the month
 * starting first (dated that day, its period the month), with its trace
 * begun as rule; NULL when out of memory. */
static struct decision *month_entry(struct person *p, const struct benefit *b, ymd_t first,
				    const char *ref, fen_t amount, Assist__LedgerKind kind,
				    const char *rule, struct decisions *out)
{
	struct decision *d = decisions_add(out, DEC_LEDGER, p);
	struct ledger_entry *le;

	if (d == NULL)
		return NULL;
	le = &d->u.ledger;
	snprintf(le->ref, sizeof(le->ref), "%s", ref);
	le->scheme = b->scheme;
	le->date = first;
	le->requested = le->amount = amount;
	le->kind = kind;
	month_period(first, le->period);
	d->has_trace = true;
	trace_init(&d->trace, rule);
	trace_input(&d->trace, "month", "%s", le->period);
	return d;
}

/* One payment entry of amount for b and the month starting first,
 * explained by the calculation how. */
static int book(struct person *p, const struct benefit *b, ymd_t last, ymd_t first,
		const char *ref, fen_t amount, const char *how, struct decisions *out)
{
	struct decision *d = month_entry(p, b, first, ref, amount,
					 ASSIST__LEDGER_KIND__LEDGER_KIND_PAYMENT, "payment.monthly",
					 out);
	char since[YMD_BUFLEN], until[YMD_BUFLEN], day[YMD_BUFLEN];

	if (d == NULL)
		return -ENOMEM;
	snprintf(d->u.ledger.reason, sizeof(d->u.ledger.reason), "monthly payment for %s",
		 d->u.ledger.period);
	trace_input(&d->trace, "since", "%s", ymd_format(b->since, since));
	trace_input(&d->trace, "until", "%s", last != YMD_NONE ? ymd_format(last, until) : "open");
	trace_input(&d->trace, "amount", "%s", how);
	trace_input(&d->trace, "monthly_fen", "%lld", (long long)amount);
	trace_result(&d->trace, "paid %lld for %s: active on %s", (long long)amount,
		     d->u.ledger.period, ymd_format(first, day));
	return 0;
}

/* Whether b is a monthly benefit; then its ref for the month starting first
 * ("pay/urban_dibao/2008-03") into ref. */
static bool month_ref(const struct benefit *b, ymd_t first, char *ref, size_t len)
{
	const struct scheme *s = scheme_get(b->scheme);
	char period[8];

	if (s == NULL || !s->periodic)
		return false;
	month_period(first, period);
	snprintf(ref, len, "pay/%s/%s", s->name, period);
	return true;
}

/* What b is due for the month starting first (policy_month_due), and its
 * last day known into *last. */
static fen_t month_due(const struct params *ps, const struct person *p, const struct benefit *b,
		       ymd_t first, ymd_t *last, char *how, size_t len)
{
	if (!last_day(p, b, last) || !payment_due(b->since, *last, first)) {
		snprintf(how, len, "%s", b->reason);
		return 0;
	}
	return dibao_due(ps, p, b, first, how, len);
}

int payment_person(const struct params *ps, struct person *p, ymd_t first,
		   struct decisions *out)
{
	char ref[64], how[sizeof(((struct trace *)0)->result)], period[8];
	fen_t amount;
	int rc;

	month_period(first, period);
	for (size_t i = 0; i < p->n_benefits; i++) {
		const struct benefit *b = &p->benefits[i];
		ymd_t last;

		if (!month_ref(b, first, ref, sizeof(ref)) || has_ref(p, ref, period) ||
		    (amount = month_due(ps, p, b, first, &last, how, sizeof(how))) == 0)
			continue;
		if ((rc = book(p, b, last, first, ref, amount, how, out)) < 0)
			return rc;
	}
	return 0;
}

/* ---- back-dated facts: arrears and recovery ------------------------------ */

fen_t policy_month_due(const struct params *ps, const struct person *p, const struct benefit *b,
		       ymd_t first, char *how, size_t len)
{
	ymd_t last;

	return month_due(ps, p, b, first, &last, how, len);
}

/* The sum of p's entries under ref: the amount in force for the month. */
static fen_t paid_for(const struct person *p, const char *ref)
{
	fen_t sum = 0;

	for (size_t i = 0; i < p->n_ledger; i++) {
		if (strcmp(p->ledger[i].ref, ref) == 0)
			sum += p->ledger[i].amount;
	}
	return sum;
}

/* Add the first day of every month m has a pay/ entry for, from from on,
 * to the set months (distinct). 0 or -ENOMEM. */
static int paid_months(const struct person *m, ymd_t from, ymd_t **months, size_t *n,
		       size_t *cap)
{
	for (size_t i = 0; i < m->n_ledger; i++) {
		const struct ledger_entry *le = &m->ledger[i];
		bool seen = false;
		ymd_t first, *slot;

		if (strncmp(le->ref, "pay/", 4) != 0 || ymd_parse_month(le->period, &first) < 0 ||
		    first < from)
			continue;
		for (size_t j = 0; j < *n && !seen; j++)
			seen = (*months)[j] == first;
		if (seen)
			continue;
		if ((slot = vec_grow((void **)months, n, cap, sizeof(*slot))) == NULL)
			return -ENOMEM;
		*slot = first;
	}
	return 0;
}

static const char *kind_name(bool arrears)
{
	return arrears ? "arrears" : "recovery";
}

/* One arrears (diff > 0) or recovery entry of b's scheme for the month
 * starting first, explained by why and what the month is worth now (how). */
static int book_diff(struct person *p, const struct benefit *b, ymd_t first, const char *ref,
		     fen_t due, fen_t paid, const char *how, const struct policy_cause *c,
		     struct decisions *out)
{
	const char *why = c->why;
	bool more = due > paid;
	struct decision *d = month_entry(p, b, first, ref, due - paid,
					 more ? ASSIST__LEDGER_KIND__LEDGER_KIND_ARREARS
					      : ASSIST__LEDGER_KIND__LEDGER_KIND_RECOVERY,
					 more ? "payment.arrears" : "payment.recovery", out);

	if (d == NULL)
		return -ENOMEM;
	snprintf(d->u.ledger.reason, sizeof(d->u.ledger.reason), "%s for %s: due %lld, paid %lld",
		 kind_name(more), d->u.ledger.period, (long long)due, (long long)paid);
	trace_input(&d->trace, "changed", "%s", why);
	for (const char *const *name = c->params; name != NULL && *name != NULL; name++)
		(void)trace_param(&d->trace, c->ps, *name, c->from);
	trace_input(&d->trace, "benefit", "%.79s", how);
	trace_input(&d->trace, "due_fen", "%lld", (long long)due);
	trace_input(&d->trace, "paid_fen", "%lld", (long long)paid);
	if (due != 0)
		trace_result(&d->trace, "%s %s %lld: %s: %s, paid %lld", ref, kind_name(more),
			     (long long)(due - paid), why, how, (long long)paid);
	else
		trace_result(&d->trace, "%s %s %lld: %s: not due (%s), paid %lld", ref,
			     kind_name(more), (long long)(due - paid), why, how,
			     (long long)paid);
	return 0;
}

/* Reconcile p's periodic benefits for the month starting first. */
static int reconcile_month(struct person *p, ymd_t first, const struct policy_cause *c,
			   struct decisions *out)
{
	char ref[64], how[sizeof(((struct trace *)0)->result)];
	int rc;

	for (size_t i = 0; i < p->n_benefits; i++) {
		const struct benefit *b = &p->benefits[i];
		fen_t due, paid;

		if (!month_ref(b, first, ref, sizeof(ref)))
			continue;
		due = policy_month_due(c->ps, p, b, first, how, sizeof(how));
		paid = paid_for(p, ref);
		if (due != paid &&
		    (rc = book_diff(p, b, first, ref, due, paid, how, c, out)) < 0)
			return rc;
	}
	return 0;
}

static int by_day(const void *a, const void *b)
{
	ymd_t x = *(const ymd_t *)a, y = *(const ymd_t *)b;

	return x < y ? -1 : x > y;
}

int payment_reconcile(struct person *p, const struct policy_cause *c, struct decisions *out)
{
	size_t n_m = p->hh != NULL ? p->hh->n_m : 0, n = 0, cap = 0;
	/* Not before p's household is the one its months were paid with. */
	ymd_t from = c->from > person_household_from(p) ? c->from : person_household_from(p);
	ymd_t *months = NULL;
	int rc = paid_months(p, from, &months, &n, &cap);

	/* A month any member was paid for is a month run: a member's benefit
	 * started back in it is owed too. */
	for (size_t i = 0; i < n_m && rc == 0; i++)
		rc = paid_months(p->hh->m[i], from, &months, &n, &cap);
	if (n > 1)
		qsort(months, n, sizeof(*months), by_day);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = reconcile_month(p, months[i], c, out);
	free(months);
	return rc;
}
