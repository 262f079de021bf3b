#include "tally.h"

#include <errno.h>

#include "batch.h"
#include "event.h"
#include "log.h"
#include "scheme.h"

_Static_assert(TALLY_SIZE_BUCKETS < TALLY_BUCKETS_MAX && TALLY_LATENCY_BUCKETS < TALLY_BUCKETS_MAX,
	       "a histogram's buckets and +Inf must fit its counts");

/* Batches are sealed at batch_max_events (500 by default) or by a
 * city-level event, which goes alone. */
const double tally_size_bounds[TALLY_SIZE_BUCKETS] = {1,   2,   5,    10,   20,   50,
						      100, 200, 500, 1000, 2000, 5000};
/* A local PostgreSQL commits in milliseconds; a stalled one in seconds. */
const double tally_latency_bounds[TALLY_LATENCY_BUCKETS] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

int tally_check(void)
{
	size_t n_schemes = 0;

	while (scheme_get((Assist__Scheme)n_schemes) != NULL)
		n_schemes++;
	if (event_n_kinds + 1 > TALLY_KINDS || n_schemes > TALLY_SCHEMES) {
		log_error("metrics: %zu event kinds and %zu schemes; tally.h has room for %d and %d: "
			  "raise TALLY_KINDS or TALLY_SCHEMES", event_n_kinds, n_schemes,
			  TALLY_KINDS - 1, TALLY_SCHEMES);
		return -EINVAL;
	}
	return 0;
}

size_t tally_kind_index(const Assist__Event *ev)
{
	/* A line its sender could not read has the kind and no payload. */
	const struct event_kind *k = event_kind(ev->kind);

	if (k == NULL)
		k = event_of(ev);
	return k != NULL ? (size_t)(k - event_kinds) + 1 : 0;
}

const char *tally_kind_name(size_t i)
{
	if (i == 0)
		return "unknown";
	return i <= event_n_kinds ? event_kinds[i - 1].name : NULL;
}

void tally_observe(struct tally_histogram *h, const double *bounds, size_t n, double value)
{
	size_t i = 0;

	while (i < n && value > bounds[i])
		i++;
	h->counts[i]++;
	h->count++;
	h->sum += value;
}

void tally_ledger(struct tally_money *m, Assist__Scheme scheme, Assist__LedgerKind kind,
		  fen_t amount)
{
	if ((int)scheme < 0 || scheme >= TALLY_SCHEMES)
		return; /* tally_check makes the table fit: not a row */
	if (kind == ASSIST__LEDGER_KIND__LEDGER_KIND_PAYMENT) {
		m->payments[scheme]++;
		m->payments_fen[scheme] += amount;
	}
	m->spent_fen[scheme] += amount;
}

void tally_money_add(struct tally_money *to, const struct tally_money *from)
{
	for (size_t i = 0; i < TALLY_SCHEMES; i++) {
		to->payments[i] += from->payments[i];
		to->payments_fen[i] += from->payments_fen[i];
		to->spent_fen[i] += from->spent_fen[i];
	}
}

void tally_committed(struct tally *t, const struct batch *b, double seconds)
{
	for (size_t i = 0; i < b->n_events; i++) {
		const struct batch_event *be = &b->events[i];
		size_t k = tally_kind_index(be->ev);

		if (be->rejected)
			be->src->tally.rejected[k]++;
		else
			be->src->tally.applied[k]++;
	}
	tally_observe(&t->batch_size, tally_size_bounds, TALLY_SIZE_BUCKETS, (double)b->n_events);
	tally_observe(&t->commit_seconds, tally_latency_bounds, TALLY_LATENCY_BUCKETS, seconds);
	tally_money_add(&t->money, &b->money);
}
