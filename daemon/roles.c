#include "roles.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "event.h"
#include "pbjson.h"

#define ROLES_FILE_MAX (1 << 20)

#define C(x) (UINT32_C(1) << ASSIST__CATEGORY__CATEGORY_##x)
#define S(x) (UINT64_C(1) << ASSIST__SCHEME__SCHEME_##x)

struct department {
	const char *name;
	uint32_t categories; /* bit per Assist__Category */
	uint64_t schemes;    /* bit per Assist__Scheme */
};

/* The departments and the categories they set and the schemes they run
 * (POLICY's owners); the kinds each sends by default are the event
 * registry's senders (event.c). Adding a department is a line here. */
static const struct department departments[] = {
	{"civil_affairs",
	 C(URBAN_DIBAO) | C(RURAL_DIBAO) | C(THREE_NOES) | C(FIVE_GUARANTEE) | C(ORPHAN) |
		 C(ENTITLED_GROUP) | C(MARGINAL) | C(VAGRANT) | C(DISABLED),
	 S(URBAN_DIBAO) | S(RURAL_DIBAO) | S(MEDICAL_ASSISTANCE) | S(CHRONIC_QUOTA) |
		 S(TEMPORARY_MEDICAL) | S(VAGRANT_MEDICAL) | S(RURAL_NEW_BUILD) | S(RURAL_REPAIR) |
		 S(DISASTER_RELIEF)},
	{"health", 0, S(HUIMIN) | S(NCMS) | S(DISASTER_RELIEF)},
	{"education", C(POOR_STUDENT),
	 S(MISC_FEE_EXEMPTION) | S(TEXTBOOK_EXEMPTION) | S(TUITION_EXEMPTION) |
		 S(BOARDING_ALLOWANCE) | S(KEY_HIGH_SCHOOL) | S(UNIVERSITY_ENTRY) |
		 S(UNIVERSITY_MONTHLY) | S(VOCATIONAL)},
	{"labor",
	 C(WORKER_INSURANCE) | C(REEMPLOYMENT_CARD) | C(4050) | C(ZERO_EMPLOYMENT_FAMILY) |
		 C(REGISTERED_UNEMPLOYED),
	 S(HUIMIN) | S(VOCATIONAL_TRAINING) | S(ENTREPRENEURSHIP_TRAINING) | S(POVERTY_TRAINING) |
		 S(SUNSHINE_TRAINING) | S(PUBLIC_WELFARE_POST)},
	{"housing", C(LOWEST_INCOME_HOUSING),
	 S(URBAN_RENTAL) | S(RENT_REDUCTION) | S(RURAL_NEW_BUILD) | S(RURAL_REPAIR) |
		 S(AFFORDABLE)},
	/* Orders the monthly payment runs; sets no category, runs no scheme. */
	{"finance", 0, 0},
	/* assistd's own recompute jobs (standards.c): a standard changed back in
	 * months already paid. */
	{"standards", 0, 0},
};

#define N_DEPARTMENTS (sizeof(departments) / sizeof(departments[0]))

static const struct department *department_find(const char *name)
{
	for (size_t i = 0; i < N_DEPARTMENTS; i++) {
		if (strcmp(departments[i].name, name) == 0)
			return &departments[i];
	}
	return NULL;
}

bool roles_department_known(const char *name)
{
	return department_find(name) != NULL;
}

/* The kinds whose registry row names department d among its senders. */
static uint32_t department_kinds(const struct department *d)
{
	uint32_t kinds = 0;

	for (size_t i = 0; i < event_n_kinds; i++) {
		for (const char *const *s = event_kinds[i].senders; s != NULL && *s != NULL; s++) {
			if (strcmp(*s, d->name) == 0)
				kinds |= UINT32_C(1) << event_kinds[i].kind;
		}
	}
	return kinds;
}

/* The default role of department d. */
static struct role department_role(const struct department *d)
{
	return (struct role){department_kinds(d), d->categories, d->schemes};
}

/* The enum value of "prefix:name" (or of a bare name without prefix). */
static bool grant_value(const char *tok, const char *prefix, const ProtobufCEnumDescriptor *d,
			int *value)
{
	size_t n = strlen(prefix);

	if (prefix[0] != '\0' && (strncmp(tok, prefix, n) != 0 || tok[n] != ':'))
		return false;
	return pbjson_enum_value(d, prefix[0] != '\0' ? tok + n + 1 : tok, value) == 0 &&
	       *value > 0;
}

/* Add one grant to role; false when tok is none. */
static bool grant_add(struct role *role, const char *tok)
{
	const struct department *dept = department_find(tok);
	int v;

	if (dept != NULL) {
		struct role r = department_role(dept);
		role->kinds |= r.kinds;
		role->categories |= r.categories;
		role->schemes |= r.schemes;
	} else if (grant_value(tok, "category", &assist__category__descriptor, &v) && v < 32) {
		role->categories |= UINT32_C(1) << v;
	} else if (grant_value(tok, "scheme", &assist__scheme__descriptor, &v) && v < 64) {
		role->schemes |= UINT64_C(1) << v;
	} else if (strchr(tok, ':') == NULL &&
		   grant_value(tok, "", &assist__kind__descriptor, &v) && v < 32) {
		role->kinds |= UINT32_C(1) << v;
	} else {
		return false;
	}
	return true;
}

static struct roles_source *source_slot(struct roles *r, const char *name, size_t *cap)
{
	struct roles_source *s;

	for (size_t i = 0; i < r->n; i++) {
		if (strcmp(r->sources[i].name, name) == 0)
			return &r->sources[i];
	}
	if (r->n == *cap) {
		size_t ncap = *cap * 2;
		if ((s = realloc(r->sources, ncap * sizeof(*s))) == NULL)
			return NULL;
		r->sources = s;
		*cap = ncap;
	}
	s = &r->sources[r->n++];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	return s;
}

static void source_remove(struct roles *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++) {
		if (strcmp(r->sources[i].name, name) == 0) {
			r->sources[i] = r->sources[--r->n];
			return;
		}
	}
}

/* One "source = grants" line: NULL, or why it is wrong (why may be used). */
static const char *parse_line(struct roles *r, char *line, size_t *cap, char *why,
			      size_t whylen)
{
	char *eq = strchr(line, '='), *save = NULL, *name, *tok;
	struct role role = {0};
	struct roles_source *s;

	if (eq == NULL)
		return "expected \"<source> = <grant>, ...\" or \"<source> = none\"";
	*eq = '\0';
	name = strtok_r(line, " \t", &save);
	if (name == NULL || strtok_r(NULL, " \t", &save) != NULL || !conf_name_ok(name)) {
		snprintf(why, whylen, "the source must be 1-%d characters of a-z, 0-9, _ or -",
			 ROLES_NAME_MAX - 1);
		return why;
	}
	save = NULL;
	tok = strtok_r(eq + 1, ", \t", &save);
	if (tok != NULL && strcmp(tok, "none") == 0 && strtok_r(NULL, ", \t", &save) == NULL) {
		source_remove(r, name);
		return NULL;
	}
	if (tok == NULL)
		return "no grant: list kinds, category:NAME, scheme:NAME or a department, or none";
	for (; tok != NULL; tok = strtok_r(NULL, ", \t", &save)) {
		if (!grant_add(&role, tok)) {
			snprintf(why, whylen, "\"%.40s\" is not a department, event kind, "
				 "category:NAME or scheme:NAME", tok);
			return why;
		}
	}
	if ((s = source_slot(r, name, cap)) == NULL)
		return "out of memory";
	s->role = role;
	return NULL;
}

int roles_parse(const char *text, const char *file, struct roles **out, char *err,
		size_t errlen)
{
	struct roles *r = calloc(1, sizeof(*r));
	size_t cap = N_DEPARTMENTS * 2;
	char *copy = NULL, *rest, why[160];
	unsigned lineno = 0;
	int rc = -ENOMEM;

	if (r == NULL || (r->sources = calloc(cap, sizeof(*r->sources))) == NULL ||
	    (text != NULL && (copy = strdup(text)) == NULL)) {
		snprintf(err, errlen, "%s: out of memory", file);
		goto fail;
	}
	for (r->n = 0; r->n < N_DEPARTMENTS; r->n++) {
		snprintf(r->sources[r->n].name, sizeof(r->sources[r->n].name), "%s",
			 departments[r->n].name);
		r->sources[r->n].role = department_role(&departments[r->n]);
	}
	for (rest = copy; rest != NULL;) {
		char *line = strsep(&rest, "\n");
		const char *bad;

		lineno++;
		line += strspn(line, " \t\r");
		line[strcspn(line, "\r#")] = '\0'; /* a comment may end a line */
		if (*line == '\0' || *line == '#')
			continue;
		if ((bad = parse_line(r, line, &cap, why, sizeof(why))) != NULL) {
			snprintf(err, errlen, "%s:%u: %s", file, lineno, bad);
			rc = strcmp(bad, "out of memory") == 0 ? -ENOMEM : -EINVAL;
			goto fail;
		}
	}
	free(copy);
	*out = r;
	return 0;
fail:
	free(copy);
	roles_free(r);
	return rc;
}

int roles_load(const char *path, struct roles **out, char *err, size_t errlen)
{
	char *text;
	int rc;

	if (path[0] == '\0')
		return roles_parse(NULL, "roles", out, err, errlen);
	if ((rc = conf_read_text(path, ROLES_FILE_MAX, &text, err, errlen)) < 0)
		return rc;
	rc = roles_parse(text, path, out, err, errlen);
	free(text);
	return rc;
}

void roles_free(struct roles *r)
{
	if (r == NULL)
		return;
	free(r->sources);
	free(r);
}

const struct role *roles_find(const struct roles *r, const char *source)
{
	for (size_t i = 0; r != NULL && i < r->n; i++) {
		if (strcmp(r->sources[i].name, source) == 0)
			return &r->sources[i].role;
	}
	return NULL;
}

static int deny(struct verdict *v, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int deny(struct verdict *v, const char *field, const char *fmt, ...)
{
	va_list ap;
	int n;

	snprintf(v->field, sizeof(v->field), "%s", field);
	n = snprintf(v->reason, sizeof(v->reason), "not_authorized: ");
	va_start(ap, fmt);
	vsnprintf(v->reason + n, sizeof(v->reason) - (size_t)n, fmt, ap);
	va_end(ap);
	return -EACCES;
}

static int need_category(const struct role *role, const char *source, const char *field,
			 int c, struct verdict *v)
{
	char name[40];

	if (c > 0 && c < 32 && (role->categories & (UINT32_C(1) << c)))
		return 0;
	if (pbjson_enum_name(&assist__category__descriptor, c, name, sizeof(name)) == NULL)
		snprintf(name, sizeof(name), "%d", c);
	return deny(v, field, "%s may not send category %s", source, name);
}

static int need_scheme(const struct role *role, const char *source, const char *field, int s,
		       struct verdict *v)
{
	char name[40];

	if (s > 0 && s < 64 && (role->schemes & (UINT64_C(1) << s)))
		return 0;
	if (pbjson_enum_name(&assist__scheme__descriptor, s, name, sizeof(name)) == NULL)
		snprintf(name, sizeof(name), "%d", s);
	return deny(v, field, "%s may not send scheme %s", source, name);
}

/* Whether enum value c of the field a role restricts is in role: a Category
 * or a Scheme (event_registry_check allows no other). */
static int need_value(const struct role *role, const char *source, const char *field,
		      const ProtobufCEnumDescriptor *d, int c, struct verdict *v)
{
	if (d == &assist__category__descriptor)
		return need_category(role, source, field, c, v);
	return need_scheme(role, source, field, c, v);
}

/* Each value of kind k's role field in payload m ("person.categories[1]",
 * "enrollment.scheme"). */
static int need_role_field(const struct role *role, const char *source,
			   const struct event_kind *k, const ProtobufCMessage *m, struct verdict *v)
{
	const ProtobufCFieldDescriptor *f =
		protobuf_c_message_descriptor_get_field_by_name(m->descriptor, k->role_field);
	const char *at = (const char *)m + f->offset;
	char field[64];
	int rc;

	if (f->label != PROTOBUF_C_LABEL_REPEATED) {
		snprintf(field, sizeof(field), "%s.%s", k->name, f->name);
		return need_value(role, source, field, f->descriptor, *(const int *)at, v);
	}
	for (size_t i = 0; i < *(const size_t *)((const char *)m + f->quantifier_offset); i++) {
		snprintf(field, sizeof(field), "%s.%s[%zu]", k->name, f->name, i);
		if ((rc = need_value(role, source, field, f->descriptor,
				     (*(const int *const *)at)[i], v)) < 0)
			return rc;
	}
	return 0;
}

int roles_check(const struct role *role, const char *source, const Assist__Event *ev,
		struct verdict *v)
{
	const struct event_kind *k = event_of(ev);

	if (role == NULL)
		return deny(v, "event.source", "%s is not a configured source", source);
	if (ev->kind <= 0 || ev->kind >= 32 || !(role->kinds & (UINT32_C(1) << ev->kind)))
		return deny(v, "event.kind", "%s may not send %s events", source,
			    validate_kind_name(ev));
	if (k == NULL || k->role_field == NULL)
		return 0;
	return need_role_field(role, source, k, event_payload(ev), v);
}
