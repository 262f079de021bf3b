/* A recompute chunk: see recompute.h. */
#include "recompute.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "log.h"
#include "validate.h"
#include "strmap.h"

/* A claims chunk's events: claim events, each valid as its sender's. */
static int check_claims(const Assist__Recompute *r, struct verdict *v)
{
	struct verdict one;

	for (size_t i = 0; i < r->n_events; i++) {
		Assist__Event *ev = r->events[i];

		if (event_text(ev, EVENT_FIELD_CLAIM) == NULL) {
			snprintf(v->field, sizeof(v->field), "recompute.events");
			snprintf(v->reason, sizeof(v->reason), "event %zu is not a claim", i);
			return -EINVAL;
		}
		if (validate_event(ev, &one) < 0) {
			snprintf(v->field, sizeof(v->field), "recompute.events");
			snprintf(v->reason, sizeof(v->reason), "event %zu: %.60s: %.80s", i,
				 one.field, one.reason);
			return -EINVAL;
		}
	}
	return 0;
}

int recompute_check(ProtobufCMessage *m, struct verdict *v)
{
	const Assist__Recompute *r = (const Assist__Recompute *)m;
	const char *field = "recompute.params", *why = NULL;

	if (r->claims)
		return check_claims(r, v);

	if (r->n_params > RECOMPUTE_PARAMS_MAX)
		why = "names too many parameters";
	for (size_t i = 0; i < r->n_params && why == NULL; i++) {
		size_t n = strlen(r->params[i]);

		if (n == 0 || n > 63)
			why = "holds a name that is empty or longer than 63 bytes";
	}
	if (why == NULL && r->bucket >= r->buckets) {
		field = "recompute.bucket";
		why = "must be below buckets";
	}
	if (why == NULL)
		return 0;
	snprintf(v->field, sizeof(v->field), "%s", field);
	snprintf(v->reason, sizeof(v->reason), "%s", why);
	return -EINVAL;
}

void recompute_payee_bucket(const Assist__Event *ev, uint32_t *bucket, uint32_t *buckets)
{
	int32_t k = 0, n = 1;

	if (ev->payload_case == ASSIST__EVENT__PAYLOAD_RECOMPUTE && ev->recompute->claims)
		n = 0; /* names its claims' persons instead */
	else if (ev->payload_case == ASSIST__EVENT__PAYLOAD_RECOMPUTE)
		k = ev->recompute->bucket, n = ev->recompute->buckets;
	else if (ev->payload_case == ASSIST__EVENT__PAYLOAD_PAYMENT_RUN &&
		 ev->payment_run->buckets > 0)
		k = ev->payment_run->bucket, n = ev->payment_run->buckets;
	*bucket = n > 1 ? (uint32_t)k : 0;
	*buckets = (uint32_t)n;
}

void recompute_why(const Assist__Recompute *r, char *why, size_t len)
{
	if (r->n_params == 0)
		snprintf(why, len, "standards from %s", r->from);
	else if (r->n_params == 1)
		snprintf(why, len, "standard %s from %s", r->params[0], r->from);
	else
		snprintf(why, len, "standards %s and %zu more from %s", r->params[0],
			 r->n_params - 1, r->from);
}

/* The names of r known to ps, NULL-terminated, into names (room for
 * RECOMPUTE_PARAMS_MAX + 1): a name the set lost since is not explained. */
static void known_params(const Assist__Recompute *r, const struct params *ps, ymd_t from,
			 const char **names)
{
	struct param_value pv;
	size_t n = 0;

	for (size_t i = 0; i < r->n_params && n < RECOMPUTE_PARAMS_MAX; i++) {
		if (params_get(ps, r->params[i], from, &pv) == 0)
			names[n++] = r->params[i];
	}
	names[n] = NULL;
}

/* A claims chunk: each claim decided again, as a correction of itself; one
 * that cannot be (its person gone by a rebuild of another journal) is
 * logged and left. */
static int redecide_claims(struct world *w, const struct policy_ctx *ctx,
			   const Assist__Recompute *r, struct decisions *out)
{
	int rc = 0;

	for (size_t i = 0; i < r->n_events && rc >= 0; i++) {
		struct verdict v, reject;

		if (validate_event(r->events[i], &v) < 0)
			continue; /* checked before: cannot happen */
		rc = apply_redecide(w, ctx, r->events[i], &v, out, &reject);
		if (rc == -EINVAL) {
			log_warn("recompute: %s: %s", reject.field, reject.reason);
			rc = 0;
		}
	}
	return rc;
}

/* m's household (m alone without one) as of the change: a benefit's
 * amount is the one in force on its refresh date, and each month's is
 * computed with the facts of its own first day (the household's past facts
 * too). */
static int recompute_household(const struct policy_ctx *ctx, struct person *m,
			       const struct policy_cause *c, struct decisions *out)
{
	return apply_refresh(ctx, m, c->from, c, out);
}

int recompute_apply(struct world *w, const struct policy_ctx *ctx, const Assist__Event *ev,
		    const struct verdict *v, struct person *p, struct decisions *out)
{
	const Assist__Recompute *r = ev->recompute;
	const char *names[RECOMPUTE_PARAMS_MAX + 1];
	struct strmap done = {0}; /* households refreshed: once each */
	struct person **payees;
	uint32_t bucket, buckets;
	char why[96];
	struct policy_cause c = {.why = why, .ps = ctx->params, .params = names};
	size_t n;
	int rc;

	(void)v;
	(void)p;
	if (r->claims)
		return redecide_claims(w, ctx, r, out);
	if (ymd_parse(r->from, &c.from) < 0)
		return 0; /* validated before: cannot happen */
	recompute_why(r, why, sizeof(why));
	known_params(r, ctx->params, c.from, names);
	recompute_payee_bucket(ev, &bucket, &buckets);
	if ((rc = world_payees(w, bucket, buckets, &payees, &n)) < 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct person *m = payees[i];

		if (m->hh != NULL && strmap_get(&done, m->hh->id) != NULL)
			continue;
		if (m->hh != NULL && (rc = strmap_put(&done, m->hh->id, m->hh)) < 0)
			break;
		rc = recompute_household(ctx, m, &c, out);
	}
	strmap_free(&done);
	free(payees);
	return rc;
}
