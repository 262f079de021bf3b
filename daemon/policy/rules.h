/* Internal to the policy engine: trace helpers, shared predicates and each
 * scheme family's entry points. Rules are pure: they read their arguments and
 * append decisions; nothing here changes a person. */
#ifndef ASSIST_RULES_H
#define ASSIST_RULES_H

#include "policy.h"

/* ---- trace.c ------------------------------------------------------------ */

/* Start a trace for rule (a static string such as "medical.assistance"). */
void trace_init(struct trace *t, const char *rule);
/* The value of parameter name in force on d, recorded in t (unless t is
 * NULL, for figures that only go into a reason text). Only names listed in a
 * family's *_param_names are read, and policy_check_params() made sure they
 * exist; a value not yet in force on d is logged and read as 0. */
int64_t trace_param(struct trace *t, const struct params *ps, const char *name, ymd_t d);
/* Record an input ("total_fen", "1000000"); nothing in a quiet trace. */
void trace_input(struct trace *t, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Set the one-line result ("granted 319500 of 1019500: cap 800000 reached"). */
void trace_result(struct trace *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append an alert decision for p. 0 or -ENOMEM. */
int rules_alert(struct decisions *out, struct person *p, const char *code,
		Assist__Scheme scheme, const char *ref, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* ---- decision.c --------------------------------------------------------- */

/* Append a DEC_ENROLLMENT for p recording e as asked (start, the end date
 * parsed, source and position from ctx), granted or not. 0 or -ENOMEM. */
int rules_enrollment(struct decisions *out, const struct policy_ctx *ctx,
		     const Assist__Enrollment *e, ymd_t start, bool granted, struct person *p);

/* ---- policy.c ------------------------------------------------------------ */

/* A claim for p, who died on or before its date, pays nothing: an alert and
 * a ledger entry of 0 with its trace. 0 or -ENOMEM. */
int rules_deceased_claim(struct person *p, const char *ref, Assist__Scheme scheme, ymd_t date,
			 fen_t requested, struct decisions *out);

/* ---- stacking.c: who is in what, shared by every family ----------------- */

/* p's enrollment of scheme that is granted and open on d, or NULL. */
const struct enrollment *rules_enrollment_on(const struct person *p, Assist__Scheme scheme,
					     ymd_t d);
/* Some member of p's household (p itself when it has none) holds a granted,
 * open urban (rural) dibao enrollment on d. */
bool rules_in_urban_dibao(const struct person *p, ymd_t d);
bool rules_in_rural_dibao(const struct person *p, ymd_t d);
/* The class ("I", "II", "III") of the rural dibao enrollment p's household
 * holds on d, or "" when none. */
const char *rules_rural_dibao_class(const struct person *p, ymd_t d);
/* Huimin: in urban dibao on d and not in workers' insurance. */
bool rules_huimin_eligible(const struct person *p, ymd_t d);
/* Medical assistance (3.3): in urban or rural dibao, or three_noes,
 * five_guarantee or entitled_group. */
bool rules_medical_assistance_eligible(const struct person *p, ymd_t d);
/* p holds category c (an Assist__Category) on d: from its since while
 * active, through its until once ended. */
bool rules_category_on(const struct person *p, int c, ymd_t d);
/* Dead on or before d. */
bool rules_deceased_on(const struct person *p, ymd_t d);
/* A dispersed five-guarantee person (class "dispersed", or no class given). */
bool rules_dispersed_five_guarantee(const struct person *p);

/* ---- payment.c: monthly payment runs ----------------------------------- */

/* Whether a periodic benefit held from since to until (YMD_NONE: open) is
 * paid for the month whose first day is first: active on that day. */
bool payment_due(ymd_t since, ymd_t until, ymd_t first);
/* Book p's payments for the month starting first: for every periodic
 * benefit active on that day (and on the enrollment it rests on) and not
 * paid for the month yet (no entry of its ref pay/<scheme>/<YYYY-MM>), a
 * ledger decision of kind payment of the amount valid that day
 * (dibao_due() with the parameters ps), dated first, with its trace.
 * Appended to out, not applied. 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int payment_person(const struct params *ps,
							struct person *p, ymd_t first,
							struct decisions *out);
/* Back-dated facts: book the difference between what is due now and what is
 * in force for every month from from on that p, or a member of its
 * household, was paid for (a month run), for each of p's periodic benefits:
 * due is what payment_person() would pay for the month with the facts now
 * known of that day (0 when the benefit is not active on its first day;
 * c->ps the parameters), in force the
 * sum of p's entries under pay/<scheme>/<YYYY-MM>. A positive difference is
 * an arrears entry, a negative one a recovery entry, dated the month's
 * first day, explained by the cause c (policy.h). Months before c->from, or
 * before p's household is the one they were paid with
 * (person_household_from), are left as paid. Appended to out, not applied;
 * reconciling again books nothing. 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int payment_reconcile(struct person *p,
							   const struct policy_cause *c,
							   struct decisions *out);

/* ---- family entry points (called by policy.c) ---------------------------- */

int dibao_enrollment(const struct policy_ctx *ctx, const Assist__Enrollment *e, ymd_t date,
		     struct person *p, struct decisions *out);
/* Amounts and endings of every member's dibao benefit as of date. */
int dibao_refresh(const struct policy_ctx *ctx, struct person *p, ymd_t date,
		  struct decisions *out);
/* The benefit row b of m (one of its own) as of d into out: ended when the
 * last day known of it (the ending stored with the row, the enrollment's
 * end_date, the month of death) is before d, else active with that last day
 * as until when one is known. false (out untouched) when b starts after d. */
bool dibao_benefit_as_of(const struct person *m, const struct benefit *b, ymd_t d,
			 struct benefit *out);
/* What m's periodic benefit b amounts to in the month starting first: the
 * calculation of its scheme with the facts valid on that day (the
 * household's as they were, the standards in force), its result into why;
 * 0 when they make it not eligible. Whether b is active that day is the
 * caller's. Pure. */
fen_t dibao_due(const struct params *ps, const struct person *m, const struct benefit *b,
		ymd_t first, char *why, size_t len);
int entitlements_refresh(const struct policy_ctx *ctx, struct person *p, ymd_t date,
			 struct decisions *out);
int medical_claim(const struct policy_ctx *ctx, const Assist__MedicalClaim *c, ymd_t date,
		  struct person *p, struct decisions *out);
int education_aid(const struct policy_ctx *ctx, const Assist__EducationAid *a, ymd_t date,
		  struct person *p, struct decisions *out);
int training_claim(const struct policy_ctx *ctx, const Assist__Training *t, ymd_t date,
		   struct person *p, struct decisions *out);
int housing_aid(const struct policy_ctx *ctx, const Assist__HousingAid *h, ymd_t date,
		struct household *hh, struct decisions *out);

/* ---- the event registry's decide entry points (event.c) ------------------ */

/* Decide an event of its kind: its date, a claim dated after p's death, then
 * the family's rule above. The arguments and results of policy_event(); p is
 * NULL for a household-level kind only. */
int policy_decide_enrollment(const struct policy_ctx *ctx, const Assist__Event *ev,
			     struct person *p, struct household *hh, struct decisions *out);
int medical_decide(const struct policy_ctx *ctx, const Assist__Event *ev, struct person *p,
		   struct household *hh, struct decisions *out);
int education_decide(const struct policy_ctx *ctx, const Assist__Event *ev, struct person *p,
		     struct household *hh, struct decisions *out);
int training_decide(const struct policy_ctx *ctx, const Assist__Event *ev, struct person *p,
		    struct household *hh, struct decisions *out);
int housing_decide(const struct policy_ctx *ctx, const Assist__Event *ev, struct person *p,
		   struct household *hh, struct decisions *out);

/* Every parameter each family reads, NULL-terminated; policy_check_params()
 * walks them all. */
extern const char *const dibao_param_names[];
extern const char *const entitlements_param_names[];
extern const char *const medical_param_names[];
extern const char *const education_param_names[];
extern const char *const training_param_names[];
extern const char *const housing_param_names[];

#endif
