/* Monthly payment runs: a periodic benefit (lib/scheme.c's .periodic) is
 * paid for a month when it is active on the month's first day. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rules.h"

int payment_month(const char *s, ymd_t *first)
{
	char day[YMD_BUFLEN];

	if (s == NULL || strlen(s) != 7)
		return -EINVAL;
	snprintf(day, sizeof(day), "%s-01", s);
	return ymd_parse(day, first);
}

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

static bool has_ref(const struct person *p, const char *ref)
{
	for (size_t i = 0; i < p->n_ledger; i++) {
		if (strcmp(p->ledger[i].ref, ref) == 0)
			return true;
	}
	return false;
}

/* One payment entry of b for the month starting first, explained. */
static int book(struct person *p, const struct benefit *b, ymd_t last, ymd_t first,
		const char *ref, struct decisions *out)
{
	struct decision *d = decisions_add(out, DEC_LEDGER, p);
	struct ledger_entry *le;
	char since[YMD_BUFLEN], until[YMD_BUFLEN], day[YMD_BUFLEN];

	if (d == NULL)
		return -ENOMEM;
	le = &d->u.ledger;
	snprintf(le->ref, sizeof(le->ref), "%s", ref);
	le->scheme = b->scheme;
	le->date = first;
	le->requested = le->amount = b->monthly;
	le->kind = ASSIST__LEDGER_KIND__LEDGER_KIND_PAYMENT;
	snprintf(le->period, sizeof(le->period), "%.7s", ymd_format(first, day));
	snprintf(le->reason, sizeof(le->reason), "monthly payment for %s", le->period);
	d->has_trace = true;
	trace_init(&d->trace, "payment.monthly");
	trace_input(&d->trace, "month", "%s", le->period);
	trace_input(&d->trace, "since", "%s", ymd_format(b->since, since));
	trace_input(&d->trace, "until", "%s", last != YMD_NONE ? ymd_format(last, until) : "open");
	trace_input(&d->trace, "monthly_fen", "%lld", (long long)b->monthly);
	trace_result(&d->trace, "paid %lld for %s: active on %s", (long long)b->monthly,
		     le->period, day);
	return 0;
}

int payment_person(struct person *p, ymd_t first, struct decisions *out)
{
	char day[YMD_BUFLEN], ref[64];
	int rc;

	ymd_format(first, day);
	for (size_t i = 0; i < p->n_benefits; i++) {
		const struct benefit *b = &p->benefits[i];
		const struct scheme *s = scheme_get(b->scheme);
		ymd_t last;

		if (s == NULL || !s->periodic || !last_day(p, b, &last) ||
		    !payment_due(b->since, last, first))
			continue;
		snprintf(ref, sizeof(ref), "pay/%s/%.7s", s->name, day);
		if (has_ref(p, ref))
			continue;
		if ((rc = book(p, b, last, first, ref, out)) < 0)
			return rc;
	}
	return 0;
}
