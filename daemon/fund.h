/* Earmarked funds (docs/policy.md "Earmarked funds"): each scheme pays from
 * its own fund, which has a yearly budget in the policy set
 * (fund.<scheme>.budget, config/policy/funds.yaml). A fund's spending for a
 * year is the sum of its ledger entries dated in that year, a household's
 * entry (written on every member under one ref) once.
 *
 * The engine keeps every fund-year's spending in memory (loaded at start,
 * running ahead of the store by the batches in flight), so that the entry
 * that takes a fund past its budget raises budget_exceeded, once per fund
 * and year. A batch gathers what it adds per fund-year (struct fund_deltas):
 * its transaction upserts each fund-year it touched once, and the COMMIT
 * makes the additions the committed ones; a refused batch goes back to
 * those. */
#ifndef ASSIST_FUND_H
#define ASSIST_FUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assist.pb-c.h"
#include "money.h"
#include "params.h"

/* One fund-year's spending: as applied, and as committed. */
struct fund_total {
	Assist__Scheme scheme;
	int year;
	fen_t spent, spent_committed;
	bool alerted, alerted_committed; /* budget_exceeded raised */
};

/* The engine's part: every fund-year with spending. */
struct funds {
	struct fund_total *v;
	size_t n, cap;
};

/* What one batch adds to a fund-year. */
struct fund_delta {
	Assist__Scheme scheme;
	int year;
	fen_t spent;
	int64_t entries;
	int64_t recipients; /* persons whose first entry in it this is */
	bool alerted;
};

struct fund_deltas {
	struct fund_delta *v;
	size_t n, cap;
};

/* The budget of scheme's fund for year: the value of fund.<scheme>.budget
 * dated in that year (the last one). 0 and *out, or -ENOENT: none. */
__attribute__((warn_unused_result)) int fund_budget(const struct params *ps, Assist__Scheme s,
						    int year, fen_t *out);
/* Whether every fund.*.budget parameter of ps names a scheme that has a
 * fund and counts fen: 0, or -EINVAL with the first fault in err. */
__attribute__((warn_unused_result)) int fund_check_params(const struct params *ps, char *err,
							  size_t errlen);
/* What is left of budget once spent is spent (negative past it). */
fen_t fund_remaining(fen_t budget, fen_t spent);
/* Whether an entry of amount that brought the fund to spent takes it past
 * its budget for the first time: a positive amount, a budget, spent above
 * it, not raised before. */
bool fund_crosses(bool has_budget, fen_t budget, fen_t spent, fen_t amount, bool alerted);

/* The total of scheme and year, added (zero) if new; NULL without memory. */
struct fund_total *funds_get(struct funds *f, Assist__Scheme s, int year);
/* Add what a batch's deltas say to the committed totals (after its COMMIT). */
void funds_committed(struct funds *f, const struct fund_deltas *d);
/* Back to the committed totals (a refused batch took the rest back). */
void funds_rewind(struct funds *f);
/* Forget every total (a rebuild starts from nothing). */
void funds_clear(struct funds *f);
void funds_free(struct funds *f);

/* The delta of scheme and year, added (zero) if new; NULL without memory. */
struct fund_delta *fund_deltas_get(struct fund_deltas *d, Assist__Scheme s, int year);
void fund_deltas_free(struct fund_deltas *d);

struct engine;
struct batch;
struct decision;
struct commit_origin;
struct person;

/* Ledger decision d of an event (from o) into the funds: when counted, its
 * amount into b's deltas and the totals; the entry that
 * takes a fund past its budget raises budget_exceeded (an alert row on the
 * entry's person and ref, a feed message alert/budget_exceeded/<scheme>/<year>).
 * 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int fund_book(struct engine *e, struct batch *b,
						  const struct commit_origin *o,
						  const struct decision *d, bool counted);
/* p's entries new in b into its fund-years' recipients, for each fund-year
 * in which p had none before. Before p's row is written. 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int fund_recipients(struct batch *b, const struct person *p);
/* b's deltas into its transaction: one row per fund-year it touched. */
void fund_flush(struct engine *e, const struct batch *b);

#endif
