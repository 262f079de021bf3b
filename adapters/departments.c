#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mapping.h"
#include "maputil.h"

/* Every department: the adapter's --department, tests and the fuzzer read it. */
static const struct department departments[] = {
	{"civil_affairs", civil_affairs_tables},
	{"health", health_tables},
	{"education", education_tables},
	{"labor", labor_tables},
	{"housing", housing_tables},
};

const struct department *department_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(departments) / sizeof(departments[0]); i++) {
		if (strcmp(departments[i].name, name) == 0)
			return &departments[i];
	}
	return NULL;
}

int department_map(const struct department *d, const struct row_change *rc,
		   struct mapping_out *out, char *err, size_t errlen)
{
	int ret;

	out->n = 0;
	for (const struct department_table *t = d->tables; t->name != NULL; t++) {
		if (strcmp(t->name, rc->table) != 0)
			continue;
		if (rc->op != 'I' && rc->op != 'U' && rc->op != 'D' && rc->op != 'S') {
			snprintf(err, errlen, "%s: unknown operation '%c'", rc->table, rc->op);
			return -EINVAL;
		}
		ret = t->map(rc, out, err, errlen);
		if (ret < 0)
			map_drop(out, 0);
		return ret < 0 ? ret : 0;
	}
	snprintf(err, errlen, "%s: table not mapped by this department", rc->table);
	return -EINVAL;
}

const char *row_get(const struct row_change *rc, const char *const *values, const char *name)
{
	if (values == NULL)
		return NULL;
	for (int i = 0; i < rc->ncols; i++) {
		if (strcmp(rc->names[i], name) == 0)
			return values[i];
	}
	return NULL;
}
