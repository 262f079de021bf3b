/* Department mappings: one file per department (civil_affairs.c, health.c,
 * education.c, labor.c, housing.c) turns a row change decoded from the
 * department's logical replication stream into the events of docs/interface.md. */
#ifndef ASSIST_MAPPING_H
#define ASSIST_MAPPING_H

#include <stddef.h>

#include "assist.pb-c.h"

/* One row change, columns in text form (NULL: SQL NULL). Tables have
 * REPLICA IDENTITY FULL, so an update's and a delete's old row is whole. */
struct row_change {
	const char *table;     /* relation name, without schema */
	char op;               /* 'I' insert, 'U' update, 'D' delete, 'S' snapshot row */
	int ncols;
	const char *const *names;
	const char *const *values;     /* new row (insert, update, snapshot) */
	const char *const *old_values; /* old row (update, delete); NULL for insert */
};

#define MAPPING_MAX_EVENTS 4

struct mapping_out {
	Assist__Event *events[MAPPING_MAX_EVENTS]; /* built with protobuf-c's default
						    * allocator: free with
						    * protobuf_c_message_free_unpacked */
	int n;
};

/* What err says of a column the mapping reads that the row does not have:
 * the table was changed under the adapter (the source's status says so). */
#define MAPPING_NO_COLUMN "no such column"

/* Map rc into out (0 events is fine: a change of no interest). On a row it
 * cannot map returns -EINVAL with "table.column: reason" in err; the adapter
 * then forwards it as an invalid event so assistd keeps it as a dead letter.
 * Source, position and occurred_at are set by the caller. */
typedef int (*mapping_fn)(const struct row_change *rc, struct mapping_out *out, char *err,
			  size_t errlen);

/* One table of a department: its name and its mapping. */
struct department_table {
	const char *name;
	mapping_fn map;
};

struct department {
	const char *name; /* "civil_affairs", also the event source */
	/* the tables its publication covers, ended by a NULL name */
	const struct department_table *tables;
};

/* The department called name, or NULL. */
const struct department *department_find(const char *name);
/* Map rc with the mapping of its table in d (mapping_fn's contract); a table
 * d does not map or an unknown operation is -EINVAL. On error out is empty. */
int department_map(const struct department *d, const struct row_change *rc,
		   struct mapping_out *out, char *err, size_t errlen);
/* The value of column name in values (or NULL if absent or SQL NULL). */
const char *row_get(const struct row_change *rc, const char *const *values, const char *name);

#endif
