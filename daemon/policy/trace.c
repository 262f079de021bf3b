#include "rules.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "log.h"
#include "statemap.h"

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

/* s into buf of n bytes, cut to fit, as snprintf's "%s" would. */
static void copy_text(char *buf, size_t n, const char *s)
{
	size_t len = strnlen(s != NULL ? s : "(null)", n - 1);

	memcpy(buf, s != NULL ? s : "(null)", len);
	buf[len] = '\0';
}

void trace_input(struct trace *t, const char *name, const char *fmt, ...)
{
	struct trace_input *in;
	va_list ap;

	if (t->quiet || t->n_inputs >= TRACE_MAX_INPUTS)
		return;
	in = &t->inputs[t->n_inputs++];
	copy_text(in->name, sizeof(in->name), name);
	va_start(ap, fmt);
	/* Half the inputs are a text as it is: no formatting for them. */
	if (strcmp(fmt, "%s") == 0)
		copy_text(in->value, sizeof(in->value), va_arg(ap, const char *));
	else
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

uint8_t *trace_pack(const struct decision *d, const char *subject, const char *source,
		    uint64_t major, uint64_t minor, size_t *len)
{
	struct arena a = {0};
	Assist__Explanation ex = ASSIST__EXPLANATION__INIT;
	Assist__Position pos = ASSIST__POSITION__INIT;
	Assist__Position *posp = &pos;
	const struct trace *t = &d->trace;
	uint8_t *packed = NULL;

	ex.subject = (char *)subject;
	ex.rule = (char *)(t->rule ? t->rule : "");
	ex.result = (char *)t->result;
	ex.source = (char *)source;
	pos.major = major;
	pos.minor = minor;
	ex.sources = &posp;
	ex.n_sources = 1;
	if (d->type == DEC_LEDGER) {
		ex.scheme = d->u.ledger.scheme;
		ex.ref = (char *)d->u.ledger.ref;
	} else if (d->type == DEC_BENEFIT) {
		ex.scheme = d->u.benefit.scheme;
	}
	if (pbmap_to_list(&statemap_trace_params, t->params, (size_t)t->n_params, &ex.base, &a) < 0 ||
	    pbmap_to_list(&statemap_trace_inputs, t->inputs, (size_t)t->n_inputs, &ex.base, &a) < 0)
		goto cleanup;
	*len = protobuf_c_message_get_packed_size(&ex.base);
	if ((packed = malloc(*len ? *len : 1)) != NULL)
		protobuf_c_message_pack(&ex.base, packed);
cleanup:
	arena_free(&a);
	return packed;
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
