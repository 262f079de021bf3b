#include "rules.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

void trace_init(struct trace *t, const char *rule)
{
	memset(t, 0, sizeof(*t));
	t->rule = rule;
}

/* A parameter read twice for the same date is recorded once. */
static bool trace_has_param(const struct trace *t, const struct param_value *pv)
{
	for (int i = 0; i < t->n_params; i++) {
		if (t->params[i].effective == pv->effective && strcmp(t->params[i].name, pv->name) == 0)
			return true;
	}
	return false;
}

int64_t trace_param(struct trace *t, const struct params *ps, const char *name, ymd_t d)
{
	struct param_value pv;
	char date[YMD_BUFLEN];
	int rc = params_get(ps, name, d, &pv);

	if (rc < 0) {
		log_error("policy: parameter %s has no value on %s (%s)", name, ymd_format(d, date),
			  strerror(-rc));
		return 0;
	}
	if (t != NULL && !trace_has_param(t, &pv) && t->n_params < TRACE_MAX_PARAMS) {
		struct trace_param *tp = &t->params[t->n_params++];

		tp->name = pv.name;
		tp->value = pv.value;
		tp->effective = pv.effective;
		tp->unit = pv.unit;
		tp->clause = pv.clause;
	}
	return pv.value;
}

void trace_input(struct trace *t, const char *name, const char *fmt, ...)
{
	struct trace_input *in;
	va_list ap;

	if (t->n_inputs >= TRACE_MAX_INPUTS)
		return;
	in = &t->inputs[t->n_inputs++];
	snprintf(in->name, sizeof(in->name), "%s", name);
	va_start(ap, fmt);
	vsnprintf(in->value, sizeof(in->value), fmt, ap);
	va_end(ap);
}

void trace_result(struct trace *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->result, sizeof(t->result), fmt, ap);
	va_end(ap);
}

int rules_alert(struct decisions *out, struct person *p, const char *code, Assist__Scheme scheme,
		const char *ref, const char *fmt, ...)
{
	struct decision *d = decisions_add(out, DEC_ALERT, p);
	va_list ap;

	if (d == NULL)
		return -ENOMEM;
	snprintf(d->u.alert.code, sizeof(d->u.alert.code), "%s", code);
	d->u.alert.scheme = scheme;
	snprintf(d->u.alert.ref, sizeof(d->u.alert.ref), "%s", ref != NULL ? ref : "");
	va_start(ap, fmt);
	vsnprintf(d->u.alert.message, sizeof(d->u.alert.message), fmt, ap);
	va_end(ap);
	return 0;
}
