/* Dated policy parameters (OpenFisca style), loaded from the YAML files of config/policy.
 * A parameter has a unit, the policy clause it comes from, and values keyed by
 * effective date; a lookup for a date gets the value in force on that date. */
#ifndef ASSIST_PARAMS_H
#define ASSIST_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ymd.h"

struct params; /* an immutable, loaded set */

struct param_value {
	const char *name;    /* "dibao.urban.standard.city" */
	int64_t value;       /* in unit */
	ymd_t effective;     /* the date the value holds from */
	const char *unit;    /* "fen", "bp", "m2", "days", "months", "years", "count" */
	const char *clause;  /* the policy clause it comes from */
	bool local_default;  /* a [local default]: the text gives no figure */
};

/* Load every *.yaml file of dir into a new set. On error returns a negative
 * errno and writes "file:line: reason" into err. */
__attribute__((warn_unused_result)) int params_load_dir(const char *dir, struct params **out,
							 char *err, size_t errlen);
/* Load one YAML document held in memory (tests); name is used in errors. */
__attribute__((warn_unused_result)) int params_load_string(const char *yaml, const char *name,
							    struct params **out, char *err,
							    size_t errlen);
/* Free a set (NULL is fine). Values handed out before point into it. */
void params_free(struct params *p);
/* The value of name in force on date d: 0, -ENOENT (no such parameter) or
 * -ERANGE (no value in force yet on d). */
__attribute__((warn_unused_result)) int params_get(const struct params *p, const char *name,
						   ymd_t d, struct param_value *out);
/* Every value of name: its dates (increasing) in *dates, the values in
 * *values (both pointing into the set), their number in *n. 0 or -ENOENT. */
__attribute__((warn_unused_result)) int params_values(const struct params *p, const char *name,
						      const ymd_t **dates,
						      const int64_t **values, size_t *n);
/* Number of parameters in the set. */
size_t params_count(const struct params *p);
/* The name of parameter i (0 .. params_count - 1, in name order), or NULL. */
const char *params_name(const struct params *p, size_t i);

#endif
