/* The policy engine: pure rules over the in-memory state.
 *
 * A rule reads the parameters, the person, the household, the year-to-date
 * totals and the event, and returns decisions (each with its explanation
 * trace); it never changes state and does no I/O. decision_apply() is the one
 * place that changes a person. One file per scheme family: dibao.c,
 * medical.c, education.c, training.c, housing.c, entitlements.c,
 * stacking.c (exclusions and conflicts shared by the others). */
#ifndef ASSIST_POLICY_H
#define ASSIST_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assist.pb-c.h"
#include "params.h"
#include "state.h"

#define TRACE_MAX_PARAMS 12
#define TRACE_MAX_INPUTS 16

/* A parameter as used: the strings point into the parameter set, which
 * outlives the batch the trace is stored with. */
struct trace_param {
	const char *name;
	int64_t value;
	ymd_t effective;
	const char *unit;
	const char *clause;
};

struct trace_input {
	char name[40];
	char value[80];
};

struct trace {
	const char *rule; /* static: "medical.assistance", "dibao.urban", ... */
	struct trace_param params[TRACE_MAX_PARAMS];
	int n_params;
	struct trace_input inputs[TRACE_MAX_INPUTS];
	int n_inputs;
	char result[192];
	bool quiet; /* inputs not recorded: only the result is wanted (a payment's amount) */
};

enum decision_type {
	DEC_LEDGER,       /* add u.ledger; its amount counts in the YTD of its scheme and year */
	DEC_BILL,         /* a medical bill's total: counts in medical_total of its year */
	DEC_BENEFIT,      /* set the benefit row of u.benefit.scheme (replacing it) */
	DEC_ENROLLMENT,   /* add or replace the enrollment of the same scheme (one per scheme) */
	DEC_ENTITLEMENTS, /* replace the entitlement list */
	DEC_ALERT,        /* add u.alert */
	DEC_ONCE_KEY,     /* record a one-time subsidy as taken */
};

#define POLICY_MAX_ENTITLEMENTS 12

struct decision {
	enum decision_type type;
	struct person *person; /* whom it changes */
	union {
		struct ledger_entry ledger;
		struct {
			ymd_t date;
			fen_t total;
		} bill;
		struct benefit benefit;
		struct enrollment enrollment;
		struct {
			struct entitlement items[POLICY_MAX_ENTITLEMENTS];
			int n;
		} entitlements;
		struct alert alert;
		char once_key[64];
	} u;
	bool has_trace; /* ledger and benefit decisions carry one */
	struct trace trace;
};

struct decisions {
	struct decision *items;
	size_t n, cap;
};

/* The explanation of decision d (its trace, the subject it explains, the
 * source and position of the event) as a packed Assist.Explanation
 * (malloc'ed, *len bytes), for the store; NULL when out of memory. */
uint8_t *trace_pack(const struct decision *d, const char *subject, const char *source,
		    uint64_t major, uint64_t minor, size_t *len);

/* Why months already paid are computed again: a fact or a standard valid
 * from from, in words ("household income 45000 from 2008-02-01 (was
 * 30000)"), and ps, the parameters each month's amount is computed with;
 * for a standard, also the parameters whose values changed (NULL-terminated
 * names, or NULL), each traced with its value in force on from. */
struct policy_cause {
	ymd_t from;
	const char *why;
	const struct params *ps;
	const char *const *params;
};

/* The parameters the amounts of periodic benefits are computed from,
 * NULL-terminated: a value of one added back in months already paid is a
 * recompute job (standards.c). */
const char *const *policy_periodic_params(void);

/* Where an event came from, for traces. */
struct policy_ctx {
	const struct params *params;
	const char *source;
	uint64_t major, minor;
};

/* A new zeroed decision of type t for p at the end of d; NULL when out of memory. */
struct decision *decisions_add(struct decisions *d, enum decision_type t, struct person *p);
/* Forget every decision (keeps the memory). */
void decisions_clear(struct decisions *d);
void decisions_free(struct decisions *d);
/* Apply one decision to its person; true if the person changed (then it is
 * also marked dirty). Returns false and changes nothing when out of memory
 * would be the alternative, after logging. */
bool decision_apply(const struct decision *d);

/* Decide an event of a kind the event registry says is decided (enrollment,
 * medical_claim, education_aid, training, housing_aid) through its row's
 * entry point. p: the person it names (NULL for a household-level kind); hh:
 * p's household or the one the event names (may be NULL). 0, -EINVAL for a
 * kind not decided or no person, or -ENOMEM. */
__attribute__((warn_unused_result)) int policy_event(const struct policy_ctx *ctx,
						     const Assist__Event *ev, struct person *p,
						     struct household *hh, struct decisions *out);
/* Take back what p was granted under the claim ref: for every scheme p has
 * entries of under ref, a ledger decision of kind reversal of minus their sum
 * (the amount in force), dated as the last of them, explained with ref, op
 * ("correct", "void") and the amount. A scheme already reversed to 0 gets
 * none. Appended to out, not applied. 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int policy_reversal(struct person *p, const char *ref,
							const char *op, struct decisions *out);
/* Recompute what follows from the state of p's household (every member; p
 * alone if it has none) as of date: dibao amounts, benefits ended by death, a
 * hukou change or an enrollment's end, and every member's entitlements. */
__attribute__((warn_unused_result)) int policy_refresh(const struct policy_ctx *ctx,
						       struct person *p, ymd_t date,
						       struct decisions *out);
/* What a fact valid from from (back-dated) changes in what was already
 * booked, for every member of p's household (p alone if it has none), once
 * the refresh's decisions are applied: the arrears and recovery of the
 * months paid from from on, explained by why (payment_reconcile() in
 * rules.h), and for a member who died, a reversal (alert
 * deceased_recipient) of every claim still in force dated on or after the
 * death.
 * Appended to out, not applied. 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int policy_backdate(struct person *p,
							 const struct policy_cause *c,
							 struct decisions *out);
/* What p's periodic benefit b is due for the month starting first, with
 * the facts known now of that day: the amount of that day (the household's
 * facts and the standards ps of then) when b is active on it (and on the
 * enrollment it rests on), else 0; how, the calculation or why nothing,
 * into how. What a month's entries add up to once every fact is booked
 * (payment_reconcile() in rules.h, assist-audit). Pure. */
fen_t policy_month_due(const struct params *ps, const struct person *p, const struct benefit *b,
		       ymd_t first, char *how, size_t len);
/* p's benefits as of d (docs/policy.md "Validity") into out, which has room
 * for p->n_benefits rows: a row whose last day is before d shows ended with
 * it as until; a row not started on d is left out; a row active on d shows
 * the amount of that day (dibao_due() in rules.h, with ps; NULL: the row's
 * own). The count written. Pure: reads p and ps only. */
size_t policy_benefits_as_of(const struct params *ps, const struct person *p, ymd_t d,
			     struct benefit *out);
/* p's entitlements as of d into out: each derived from what holds on d
 * (dibao of the household, categories, death), withdrawn the day after what
 * it derives from ends (rule 9). The count written. Pure. */
int policy_entitlements_as_of(const struct params *params, const struct person *p, ymd_t d,
			      struct entitlement out[POLICY_MAX_ENTITLEMENTS]);
/* The day before d; the last day of d's month. */
ymd_t policy_day_before(ymd_t d);
ymd_t policy_month_end(ymd_t d);
/* The annual caps shown on p's record for year: every cap field of out a
 * scheme names (lib/scheme.c), as in force on 31 December. */
void policy_caps(const struct params *params, const struct person *p, int year, Assist__Ytd *out);
/* Check that params holds every parameter the rules read; 0, or -ENOENT with
 * the first missing name in err. */
__attribute__((warn_unused_result)) int policy_check_params(const struct params *params,
							    char *err, size_t errlen);

#endif
