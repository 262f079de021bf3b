#include "fund.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "log.h"
#include "scheme.h"
#include "vec.h"
#include "ymd.h"

#define FUND_PREFIX "fund."
#define FUND_SUFFIX ".budget"

/* ---- budgets ------------------------------------------------------------------- */

int fund_budget(const struct params *ps, Assist__Scheme s, int year, fen_t *out)
{
	const struct scheme *row = scheme_get(s);
	struct param_value pv;
	char name[96];

	if (row == NULL)
		return -ENOENT;
	snprintf(name, sizeof(name), FUND_PREFIX "%s" FUND_SUFFIX, row->name);
	/* A value holds for the year it is dated in only: a budget is voted
	 * year by year, and last year's is no answer for this one. */
	if (params_get(ps, name, ymd_make(year, 12, 31), &pv) < 0 || ymd_year(pv.effective) != year)
		return -ENOENT;
	*out = pv.value;
	return 0;
}

int fund_check_params(const struct params *ps, char *err, size_t errlen)
{
	size_t plen = strlen(FUND_PREFIX), slen = strlen(FUND_SUFFIX);
	struct param_value pv;
	const char *name;

	for (size_t i = 0; (name = params_name(ps, i)) != NULL; i++) {
		size_t len = strlen(name);
		char scheme[64];
		const struct scheme *row;

		if (strncmp(name, FUND_PREFIX, plen) != 0)
			continue;
		if (len <= plen + slen || strcmp(name + len - slen, FUND_SUFFIX) != 0 ||
		    len - plen - slen >= sizeof(scheme)) {
			snprintf(err, errlen, "%s: a fund parameter is fund.<scheme>.budget", name);
			return -EINVAL;
		}
		snprintf(scheme, sizeof(scheme), "%.*s", (int)(len - plen - slen), name + plen);
		row = scheme_by_name(scheme);
		if (row == NULL || row->fund == NULL) {
			snprintf(err, errlen, "%s: %s is not a scheme with a fund", name, scheme);
			return -EINVAL;
		}
		if (params_get(ps, name, ymd_make(9999, 12, 31), &pv) == 0 &&
		    strcmp(pv.unit, "fen") != 0) {
			snprintf(err, errlen, "%s: a budget is in fen, not %s", name, pv.unit);
			return -EINVAL;
		}
	}
	return 0;
}

fen_t fund_remaining(fen_t budget, fen_t spent)
{
	return budget - spent;
}

bool fund_crosses(bool has_budget, fen_t budget, fen_t spent, fen_t amount, bool alerted)
{
	return has_budget && !alerted && amount > 0 && spent > budget;
}

/* ---- totals and deltas ------------------------------------------------------------ */

struct fund_total *funds_get(struct funds *f, Assist__Scheme s, int year)
{
	struct fund_total *t;

	for (size_t i = 0; i < f->n; i++) {
		if (f->v[i].scheme == s && f->v[i].year == year)
			return &f->v[i];
	}
	t = vec_grow((void **)&f->v, &f->n, &f->cap, sizeof(*t));
	if (t != NULL) {
		memset(t, 0, sizeof(*t));
		t->scheme = s;
		t->year = year;
	}
	return t;
}

void funds_committed(struct funds *f, const struct fund_deltas *d)
{
	for (size_t i = 0; i < d->n; i++) {
		struct fund_total *t = funds_get(f, d->v[i].scheme, d->v[i].year);

		/* Booking made the total; without memory now, the next start
		 * reads it from the store. */
		if (t == NULL)
			continue;
		t->spent_committed += d->v[i].spent;
		t->alerted_committed = t->alerted_committed || d->v[i].alerted;
	}
}

void funds_rewind(struct funds *f)
{
	for (size_t i = 0; i < f->n; i++) {
		f->v[i].spent = f->v[i].spent_committed;
		f->v[i].alerted = f->v[i].alerted_committed;
	}
}

void funds_clear(struct funds *f)
{
	f->n = 0;
}

void funds_free(struct funds *f)
{
	free(f->v);
	memset(f, 0, sizeof(*f));
}

struct fund_delta *fund_deltas_get(struct fund_deltas *d, Assist__Scheme s, int year)
{
	struct fund_delta *x;

	for (size_t i = 0; i < d->n; i++) {
		if (d->v[i].scheme == s && d->v[i].year == year)
			return &d->v[i];
	}
	x = vec_grow((void **)&d->v, &d->n, &d->cap, sizeof(*x));
	if (x != NULL) {
		memset(x, 0, sizeof(*x));
		x->scheme = s;
		x->year = year;
	}
	return x;
}

void fund_deltas_free(struct fund_deltas *d)
{
	free(d->v);
	memset(d, 0, sizeof(*d));
}

/* ---- booking ------------------------------------------------------------------------ */

/* The alert of a fund past its budget: a row on the person and ref of the
 * entry that took it there, and a message on the feed for the fund. */
static int fund_alert(struct engine *e, struct batch *b, const struct commit_origin *o,
		      const struct decision *d, const struct fund_total *t, fen_t budget)
{
	const struct ledger_entry *l = &d->u.ledger;
	const char *scheme = scheme_get(l->scheme)->name;
	struct alert a = {.scheme = l->scheme};
	char fund[96];

	snprintf(a.code, sizeof(a.code), "budget_exceeded");
	snprintf(a.ref, sizeof(a.ref), "%s", l->ref);
	snprintf(a.message, sizeof(a.message),
		 "fund %s %d: spent %" PRId64 " fen, past its budget of %" PRId64 " fen", scheme,
		 t->year, t->spent, budget);
	if (commit_alert(&e->commit, o, d->person, &a, -1, 0) < 0)
		return -ENOMEM;
	snprintf(fund, sizeof(fund), "%s/%d", scheme, t->year);
	log_warn("%s (budget_exceeded)", a.message);
	return feed_fund_alert(e, b, "budget_exceeded", fund, a.message);
}

/* The fund-year of entry le, or 0 when it has none (undated, or a scheme
 * outside the table). */
static int fund_year_of(const struct ledger_entry *le)
{
	if (le->date == YMD_NONE || scheme_get(le->scheme) == NULL)
		return 0;
	return ymd_year(le->date);
}

int fund_book(struct engine *e, struct batch *b, const struct commit_origin *o,
	      const struct decision *d, bool counted)
{
	const struct ledger_entry *l = &d->u.ledger;
	int year = fund_year_of(l);
	struct fund_total *t;
	struct fund_delta *x;
	fen_t budget = 0;
	bool has_budget;

	if (!counted || year == 0)
		return 0;
	if ((t = funds_get(&e->funds, l->scheme, year)) == NULL ||
	    (x = fund_deltas_get(&b->funds, l->scheme, year)) == NULL)
		return -ENOMEM;
	t->spent += l->amount;
	x->spent += l->amount;
	x->entries++;
	has_budget = fund_budget(e->params, l->scheme, year, &budget) == 0;
	if (!fund_crosses(has_budget, budget, t->spent, l->amount, t->alerted))
		return 0;
	t->alerted = x->alerted = true;
	return fund_alert(e, b, o, d, t, budget);
}

/* Whether one of p's first n entries is in scheme s's fund for year, the
 * latest looked at first: none is ever removed, and memory holds every
 * entry of a person it holds. */
static bool has_fund_year(const struct person *p, size_t n, Assist__Scheme s, int year)
{
	for (size_t i = n; i-- > 0;) {
		if (p->ledger[i].scheme == s && fund_year_of(&p->ledger[i]) == year)
			return true;
	}
	return false;
}

int fund_recipients(struct batch *b, const struct person *p)
{
	for (size_t i = p->ledger_stored; i < p->n_ledger; i++) {
		const struct ledger_entry *le = &p->ledger[i];
		int year = fund_year_of(le);
		struct fund_delta *x;

		if (year == 0 || has_fund_year(p, i, le->scheme, year))
			continue;
		if ((x = fund_deltas_get(&b->funds, le->scheme, year)) == NULL)
			return -ENOMEM;
		x->recipients++;
	}
	return 0;
}

void fund_flush(struct engine *e, const struct batch *b)
{
	for (size_t i = 0; i < b->funds.n; i++) {
		const struct fund_delta *x = &b->funds.v[i];

		commit_fund_year(&e->commit, scheme_get(x->scheme)->name, x->year, x->spent,
				 x->entries, x->alerted, x->recipients);
	}
}
