#include "params.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct param {
	char *name;
	const char *unit; /* points into param_units */
	int64_t max;      /* the unit's largest value */
	char *clause;
	bool local_default;
	size_t nvalues;
	ymd_t *dates; /* strictly increasing */
	int64_t *values;
	size_t src; /* where it was defined, for the duplicate check */
	size_t line;
};

struct params {
	struct param *v; /* sorted by name after loading */
	size_t n, cap;
};

/* One load: the set being built and where errors go. */
struct pl {
	struct params *set;
	const char *const *srcs; /* the source names, in load order */
	size_t src;		 /* the source being parsed */
	yaml_document_t *doc;
	char *err;
	size_t errlen;
};

/* Every unit counts or measures something, so no value is negative; a rate
 * is at most the whole. */
static const struct {
	const char *name;
	int64_t max;
} param_units[] = {
	{"fen", INT64_MAX},   {"bp", 10000},       {"m2", INT64_MAX},
	{"days", INT64_MAX},  {"months", INT64_MAX}, {"years", INT64_MAX},
	{"count", INT64_MAX}, {"kwh", INT64_MAX},    {"m3", INT64_MAX},
};
#define PARAM_NUNITS (sizeof(param_units) / sizeof(param_units[0]))
#define PARAM_UNIT_LIST "fen, bp, m2, days, months, years, count, kwh, m3"

enum pl_key { PL_UNIT, PL_CLAUSE, PL_LOCAL_DEFAULT, PL_DESCRIPTION, PL_VALUES, PL_NKEYS };
static const char *const pl_keys[PL_NKEYS] = {"unit", "clause", "local_default", "description",
					      "values"};

__attribute__((format(printf, 3, 0))) static void pl_verror(struct pl *pl, size_t line,
							   const char *fmt, va_list ap)
{
	int n;

	if (pl->err == NULL || pl->errlen == 0)
		return;
	n = snprintf(pl->err, pl->errlen, "%s:%zu: ", pl->srcs[pl->src], line);
	if (n >= 0 && (size_t)n < pl->errlen)
		vsnprintf(pl->err + n, pl->errlen - n, fmt, ap);
}

/* Always -EINVAL, so callers can return it. */
__attribute__((format(printf, 3, 4))) static int pl_error(struct pl *pl, const yaml_node_t *node,
							  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pl_verror(pl, node->start_mark.line + 1, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

__attribute__((format(printf, 3, 4))) static int pl_error_at(struct pl *pl, size_t line,
							     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pl_verror(pl, line, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int pl_nomem(struct pl *pl)
{
	if (pl->err != NULL && pl->errlen > 0)
		snprintf(pl->err, pl->errlen, "%s: out of memory", pl->srcs[pl->src]);
	return -ENOMEM;
}

/* The text of a scalar node, or NULL for any other node and for a scalar
 * with an embedded NUL (which C strings would silently cut). */
static const char *pl_scalar(const yaml_node_t *node)
{
	const char *s;

	if (node == NULL || node->type != YAML_SCALAR_NODE)
		return NULL;
	s = (const char *)node->data.scalar.value;
	if (strlen(s) != node->data.scalar.length)
		return NULL;
	return s;
}

/* A plain (unquoted) decimal integer without leading zeros: YAML 1.1 would
 * read "010" as octal and "1_000" as a thousand, so neither is allowed. */
static int pl_int(const yaml_node_t *node, int64_t *out)
{
	const char *s = pl_scalar(node);
	const char *digits;
	long long v;

	if (s == NULL || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return -EINVAL;
	digits = s[0] == '-' ? s + 1 : s;
	if (digits[0] < '0' || digits[0] > '9' || (digits[0] == '0' && digits[1] != '\0'))
		return -EINVAL;
	for (const char *p = digits; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
	}
	errno = 0;
	v = strtoll(s, NULL, 10);
	if (errno == ERANGE)
		return -ERANGE;
	*out = v;
	return 0;
}

static int pl_unit(struct pl *pl, struct param *p, const yaml_node_t *node)
{
	const char *s = pl_scalar(node);

	for (size_t i = 0; s != NULL && i < PARAM_NUNITS; i++) {
		if (strcmp(s, param_units[i].name) == 0) {
			p->unit = param_units[i].name;
			p->max = param_units[i].max;
			return 0;
		}
	}
	if (s == NULL)
		return pl_error(pl, node, "%s: unit must be one of " PARAM_UNIT_LIST, p->name);
	return pl_error(pl, node, "%s: unit \"%s\" is not one of " PARAM_UNIT_LIST, p->name, s);
}

static int pl_clause(struct pl *pl, struct param *p, const yaml_node_t *node)
{
	const char *s = pl_scalar(node);

	if (s == NULL || s[0] == '\0')
		return pl_error(pl, node, "%s: clause must be a non-empty string", p->name);
	p->clause = strdup(s);
	return p->clause != NULL ? 0 : pl_nomem(pl);
}

static int pl_local_default(struct pl *pl, struct param *p, const yaml_node_t *node)
{
	const char *s = pl_scalar(node);

	if (s != NULL && node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0) {
			p->local_default = s[0] == 't';
			return 0;
		}
	}
	return pl_error(pl, node, "%s: local_default must be true or false", p->name);
}

static int pl_description(struct pl *pl, struct param *p, const yaml_node_t *node)
{
	if (pl_scalar(node) == NULL)
		return pl_error(pl, node, "%s: description must be a string", p->name);
	return 0;
}

static int pl_value(struct pl *pl, struct param *p, const yaml_node_t *knode,
		    const yaml_node_t *vnode)
{
	const char *ks = pl_scalar(knode);
	const char *vs = pl_scalar(vnode);
	char prev[YMD_BUFLEN], buf[YMD_BUFLEN];
	ymd_t d;
	int rc;

	if (ks == NULL || ymd_parse(ks, &d) != 0)
		return pl_error(pl, knode, "%s: date \"%s\" is not a valid YYYY-MM-DD date",
				p->name, ks != NULL ? ks : "");
	if (p->nvalues > 0 && d <= p->dates[p->nvalues - 1])
		return pl_error(pl, knode, "%s: date %s does not follow %s (dates must increase)",
				p->name, ymd_format(d, buf),
				ymd_format(p->dates[p->nvalues - 1], prev));
	rc = pl_int(vnode, &p->values[p->nvalues]);
	if (rc == -ERANGE)
		return pl_error(pl, vnode, "%s: value \"%s\" is out of range", p->name, vs);
	if (rc != 0 && vs != NULL)
		return pl_error(pl, vnode, "%s: value \"%s\" is not an integer", p->name, vs);
	if (rc != 0)
		return pl_error(pl, vnode, "%s: value for %s is not an integer", p->name, ks);
	p->dates[p->nvalues++] = d;
	return 0;
}

static int pl_values(struct pl *pl, struct param *p, const yaml_node_t *node)
{
	size_t n;
	int rc;

	if (node->type != YAML_MAPPING_NODE)
		return pl_error(pl, node, "%s: values must be a mapping of dates to integers",
				p->name);
	n = node->data.mapping.pairs.top - node->data.mapping.pairs.start;
	if (n == 0)
		return pl_error(pl, node, "%s: values must have at least one date", p->name);
	p->dates = calloc(n, sizeof(*p->dates));
	p->values = calloc(n, sizeof(*p->values));
	if (p->dates == NULL || p->values == NULL)
		return pl_nomem(pl);
	for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
	     pair < node->data.mapping.pairs.top; pair++) {
		rc = pl_value(pl, p, yaml_document_get_node(pl->doc, pair->key),
			      yaml_document_get_node(pl->doc, pair->value));
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Each value within its unit's range; checked once the unit is known, which
 * may come after the values. */
static int pl_range(struct pl *pl, const struct param *p, const yaml_node_t *node)
{
	size_t i = 0;

	for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
	     pair < node->data.mapping.pairs.top; pair++, i++) {
		const yaml_node_t *vnode = yaml_document_get_node(pl->doc, pair->value);

		if (p->values[i] < 0)
			return pl_error(pl, vnode, "%s: value %" PRId64 " must not be negative",
					p->name, p->values[i]);
		if (p->values[i] > p->max)
			return pl_error(pl, vnode, "%s: value %" PRId64 " %s above %" PRId64,
					p->name, p->values[i], p->unit, p->max);
	}
	return 0;
}

static int pl_field(struct pl *pl, struct param *p, enum pl_key key, const yaml_node_t *node)
{
	switch (key) {
	case PL_UNIT:
		return pl_unit(pl, p, node);
	case PL_CLAUSE:
		return pl_clause(pl, p, node);
	case PL_LOCAL_DEFAULT:
		return pl_local_default(pl, p, node);
	case PL_DESCRIPTION:
		return pl_description(pl, p, node);
	default:
		return pl_values(pl, p, node);
	}
}

static int pl_fields(struct pl *pl, struct param *p, const yaml_node_t *body)
{
	bool seen[PL_NKEYS] = {false};
	const yaml_node_t *values = NULL;
	int rc;

	for (yaml_node_pair_t *pair = body->data.mapping.pairs.start;
	     pair < body->data.mapping.pairs.top; pair++) {
		const yaml_node_t *knode = yaml_document_get_node(pl->doc, pair->key);
		const char *k = pl_scalar(knode);
		int key = 0;

		if (k == NULL)
			return pl_error(pl, knode, "%s: keys must be strings", p->name);
		while (key < PL_NKEYS && strcmp(k, pl_keys[key]) != 0)
			key++;
		if (key == PL_NKEYS)
			return pl_error(pl, knode, "%s: unknown key \"%s\"", p->name, k);
		if (seen[key])
			return pl_error(pl, knode, "%s: duplicate key \"%s\"", p->name, k);
		seen[key] = true;
		if (key == PL_VALUES)
			values = yaml_document_get_node(pl->doc, pair->value);
		rc = pl_field(pl, p, key, yaml_document_get_node(pl->doc, pair->value));
		if (rc != 0)
			return rc;
	}
	if (!seen[PL_UNIT] || !seen[PL_CLAUSE] || !seen[PL_VALUES])
		return pl_error_at(pl, p->line, "%s: missing %s", p->name,
				   !seen[PL_UNIT] ? "unit" : !seen[PL_CLAUSE] ? "clause" : "values");
	return pl_range(pl, p, values);
}

static void param_clear(struct param *p)
{
	free(p->name);
	free(p->clause);
	free(p->dates);
	free(p->values);
}

static int pl_push(struct pl *pl, struct param *p)
{
	struct params *set = pl->set;

	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 64;
		struct param *v = realloc(set->v, cap * sizeof(*v));

		if (v == NULL)
			return pl_nomem(pl);
		set->v = v;
		set->cap = cap;
	}
	set->v[set->n++] = *p;
	return 0;
}

static int pl_param(struct pl *pl, const yaml_node_t *key, const yaml_node_t *body)
{
	const char *name = pl_scalar(key);
	struct param p = {.src = pl->src, .line = key->start_mark.line + 1};
	int rc;

	if (name == NULL || name[0] == '\0')
		return pl_error(pl, key, "parameter names must be non-empty strings");
	if (body->type != YAML_MAPPING_NODE)
		return pl_error(pl, body, "%s: must be a mapping with unit, clause and values", name);
	p.name = strdup(name);
	if (p.name == NULL)
		return pl_nomem(pl);
	rc = pl_fields(pl, &p, body);
	if (rc == 0)
		rc = pl_push(pl, &p);
	if (rc != 0)
		param_clear(&p);
	return rc;
}

static int pl_root(struct pl *pl, const yaml_node_t *root)
{
	int rc;

	if (root->type != YAML_MAPPING_NODE)
		return pl_error(pl, root, "top level must be a mapping of parameter names");
	for (yaml_node_pair_t *pair = root->data.mapping.pairs.start;
	     pair < root->data.mapping.pairs.top; pair++) {
		rc = pl_param(pl, yaml_document_get_node(pl->doc, pair->key),
			      yaml_document_get_node(pl->doc, pair->value));
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int pl_syntax(struct pl *pl, const yaml_parser_t *parser)
{
	/* Reader errors (bad encoding) carry no mark; the reader's position is close. */
	size_t line = parser->error == YAML_READER_ERROR ? parser->mark.line
							 : parser->problem_mark.line;

	if (parser->error == YAML_MEMORY_ERROR)
		return pl_nomem(pl);
	if (parser->problem == NULL)
		return pl_error_at(pl, line + 1, "not valid YAML");
	if (parser->context != NULL)
		return pl_error_at(pl, line + 1, "%s (%s at line %zu)", parser->problem,
				   parser->context, parser->context_mark.line + 1);
	return pl_error_at(pl, line + 1, "%s", parser->problem);
}

/* Exactly one document, holding at least one parameter. */
static int pl_parse(struct pl *pl, yaml_parser_t *parser)
{
	yaml_document_t doc;
	const yaml_node_t *root;
	int rc;

	if (!yaml_parser_load(parser, &doc))
		return pl_syntax(pl, parser);
	pl->doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root == NULL)
		rc = pl_error_at(pl, 1, "no parameters");
	else if (root->type == YAML_MAPPING_NODE &&
		 root->data.mapping.pairs.top == root->data.mapping.pairs.start)
		rc = pl_error(pl, root, "no parameters");
	else
		rc = pl_root(pl, root);
	yaml_document_delete(&doc);
	pl->doc = NULL;
	if (rc != 0)
		return rc;
	if (!yaml_parser_load(parser, &doc))
		return pl_syntax(pl, parser);
	root = yaml_document_get_root_node(&doc);
	if (root != NULL)
		rc = pl_error(pl, root, "only one document is allowed");
	yaml_document_delete(&doc);
	return rc;
}

static int param_cmp(const void *a, const void *b)
{
	const struct param *pa = a, *pb = b;
	int c = strcmp(pa->name, pb->name);

	if (c != 0)
		return c;
	if (pa->src != pb->src)
		return pa->src < pb->src ? -1 : 1;
	return pa->line < pb->line ? -1 : pa->line > pb->line;
}

/* Sort for lookup; the later of two same-named parameters is the error. */
static int pl_finish(struct pl *pl)
{
	struct params *set = pl->set;

	qsort(set->v, set->n, sizeof(*set->v), param_cmp);
	for (size_t i = 1; i < set->n; i++) {
		const struct param *a = &set->v[i - 1], *b = &set->v[i];

		if (strcmp(a->name, b->name) == 0) {
			pl->src = b->src;
			return pl_error_at(pl, b->line,
					   "%s: duplicate parameter, first defined at %s:%zu",
					   b->name, pl->srcs[a->src], a->line);
		}
	}
	return 0;
}

static struct params *params_new(void)
{
	return calloc(1, sizeof(struct params));
}

int params_load_string(const char *yaml, const char *name, struct params **out, char *err,
		       size_t errlen)
{
	const char *srcs[] = {name};
	struct pl pl = {.srcs = srcs, .err = err, .errlen = errlen};
	yaml_parser_t parser;
	int rc;

	pl.set = params_new();
	if (pl.set == NULL)
		return pl_nomem(&pl);
	if (!yaml_parser_initialize(&parser)) {
		rc = pl_nomem(&pl);
		goto cleanup;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, strlen(yaml));
	rc = pl_parse(&pl, &parser);
	yaml_parser_delete(&parser);
	if (rc == 0)
		rc = pl_finish(&pl);
cleanup:
	if (rc != 0) {
		params_free(pl.set);
		return rc;
	}
	*out = pl.set;
	return 0;
}

static int pl_is_yaml(const struct dirent *e)
{
	size_t len = strlen(e->d_name);

	/* Dot files are editors' and tools' droppings, not configuration. */
	if (e->d_name[0] == '.' || e->d_type == DT_DIR || len <= 5)
		return 0;
	return strcmp(e->d_name + len - 5, ".yaml") == 0;
}

/* Byte order, not the locale's: the load order must not depend on LANG. */
static int pl_name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int pl_file(struct pl *pl, const char *path)
{
	yaml_parser_t parser;
	FILE *f;
	int rc;

	f = fopen(path, "r");
	if (f == NULL) {
		rc = -errno;
		if (pl->err != NULL && pl->errlen > 0)
			snprintf(pl->err, pl->errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		return pl_nomem(pl);
	}
	yaml_parser_set_input_file(&parser, f);
	rc = pl_parse(pl, &parser);
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}

int params_load_dir(const char *dir, struct params **out, char *err, size_t errlen)
{
	struct dirent **ents = NULL;
	char **paths = NULL;
	size_t dirlen = strlen(dir);
	const char *sep = dirlen > 0 && dir[dirlen - 1] == '/' ? "" : "/";
	struct pl pl = {.srcs = (const char *const *)&dir, .err = err, .errlen = errlen};
	int n, rc = 0;

	n = scandir(dir, &ents, pl_is_yaml, pl_name_cmp);
	if (n < 0) {
		rc = -errno;
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: %s", dir, strerror(-rc));
		return rc;
	}
	if (n == 0) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: no *.yaml files", dir);
		rc = -EINVAL;
		goto cleanup;
	}
	pl.set = params_new();
	paths = calloc(n, sizeof(*paths));
	if (pl.set == NULL || paths == NULL) {
		rc = pl_nomem(&pl);
		goto cleanup;
	}
	for (int i = 0; i < n; i++) {
		if (asprintf(&paths[i], "%s%s%s", dir, sep, ents[i]->d_name) < 0) {
			paths[i] = NULL;
			rc = pl_nomem(&pl);
			goto cleanup;
		}
	}
	pl.srcs = (const char *const *)paths;
	for (pl.src = 0; pl.src < (size_t)n && rc == 0; pl.src++)
		rc = pl_file(&pl, paths[pl.src]);
	if (rc == 0)
		rc = pl_finish(&pl);
cleanup:
	for (int i = 0; i < n; i++) {
		if (paths != NULL)
			free(paths[i]);
		free(ents[i]);
	}
	free(paths);
	free(ents);
	if (rc != 0) {
		params_free(pl.set);
		return rc;
	}
	*out = pl.set;
	return 0;
}

void params_free(struct params *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++)
		param_clear(&p->v[i]);
	free(p->v);
	free(p);
}

static int param_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct param *)elem)->name);
}

int params_values(const struct params *p, const char *name, const ymd_t **dates,
		  const int64_t **values, size_t *n)
{
	const struct param *par = p != NULL && p->n > 0 ? bsearch(name, p->v, p->n, sizeof(*p->v),
								   param_key_cmp)
						      : NULL;

	if (par == NULL)
		return -ENOENT;
	*dates = par->dates;
	*values = par->values;
	*n = par->nvalues;
	return 0;
}

int params_get(const struct params *p, const char *name, ymd_t d, struct param_value *out)
{
	const struct param *par;
	size_t lo = 0, hi;

	if (p == NULL || p->n == 0)
		return -ENOENT;
	par = bsearch(name, p->v, p->n, sizeof(*p->v), param_key_cmp);
	if (par == NULL)
		return -ENOENT;
	/* The first date after d; the value before it is the one in force. */
	hi = par->nvalues;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (par->dates[mid] <= d)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return -ERANGE;
	out->name = par->name;
	out->value = par->values[lo - 1];
	out->effective = par->dates[lo - 1];
	out->unit = par->unit;
	out->clause = par->clause;
	out->local_default = par->local_default;
	return 0;
}

size_t params_count(const struct params *p)
{
	return p != NULL ? p->n : 0;
}

const char *params_name(const struct params *p, size_t i)
{
	return p != NULL && i < p->n ? p->v[i].name : NULL;
}
