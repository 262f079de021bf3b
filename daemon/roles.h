/* Which sources may send events, and what each may send: its role, a set of
 * event kinds, status categories and schemes. A source that is not
 * configured is refused as a whole (batches and heartbeats); an event outside
 * its source's role is rejected as not_authorized.
 *
 * One table holds the built-in departments with the categories and schemes
 * of their default roles; the kinds come from the event registry's senders
 * (event.c). With no roles_file they are the configured sources. roles_file
 * changes them, one source a line, "#" starts a comment:
 *   <source> = <grant>, <grant>, ...      the source's role (new or replaced)
 *   <source> = none                       the source is not configured
 * A grant is a built-in department's name (its whole default role), an event
 * kind (the registry's names: person, household, status, enrollment,
 * medical_claim, ...), category:<name> or scheme:<name>. An event needs its
 * kind, and each value of its row's role_field (a status's category, each
 * category a person event sets, an enrollment's scheme, ...). */
#ifndef ASSIST_ROLES_H
#define ASSIST_ROLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assist.pb-c.h"
#include "conf.h"
#include "validate.h"

#define ROLES_NAME_MAX CONF_NAME_MAX

struct role {
	uint32_t kinds;      /* bit per Assist__Kind */
	uint32_t categories; /* bit per Assist__Category */
	uint64_t schemes;    /* bit per Assist__Scheme */
};

struct roles_source {
	char name[ROLES_NAME_MAX];
	struct role role;
};

struct roles {
	struct roles_source *sources;
	size_t n;
};

/* The configured sources: the built-in departments changed by the text of a
 * roles file (NULL: none); file names it in errors. 0 and *out, -EINVAL with
 * "file:line: reason" in err, or -ENOMEM. */
__attribute__((warn_unused_result)) int roles_parse(const char *text, const char *file,
						    struct roles **out, char *err,
						    size_t errlen);
/* The same from the file path ("" for the built-in departments alone). */
__attribute__((warn_unused_result)) int roles_load(const char *path, struct roles **out,
						   char *err, size_t errlen);
void roles_free(struct roles *r);
/* Whether name is a built-in department (event_registry_check's senders). */
bool roles_department_known(const char *name);
/* The role of source, or NULL when it is not configured. */
const struct role *roles_find(const struct roles *r, const char *source);
/* Whether ev is inside role (NULL: a source not configured): 0, or -EACCES with the field and the reason
 * ("not_authorized: ...") in v (v is untouched on 0). */
__attribute__((warn_unused_result)) int roles_check(const struct role *role, const char *source,
						    const Assist__Event *ev, struct verdict *v);

#endif
