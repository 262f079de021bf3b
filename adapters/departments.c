#include <string.h>

#include "mapping.h"
#include "maputil.h"

static const struct department *const departments[] = {
	&dept_civil_affairs, &dept_health, &dept_education, &dept_labor, &dept_housing,
};

const struct department *department_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(departments) / sizeof(departments[0]); i++) {
		if (strcmp(departments[i]->name, name) == 0)
			return departments[i];
	}
	return NULL;
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
