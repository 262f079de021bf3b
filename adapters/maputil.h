/* Helpers the department mappings share: reading typed columns of one row
 * with a sticky "table.column: reason" error, building events, and the two
 * shapes of table a department has (state rows and claim rows). */
#ifndef ASSIST_MAPUTIL_H
#define ASSIST_MAPUTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "mapping.h"
#include "money.h"
#include "ymd.h"

/* One row (new or old) being read; the first error sticks. */
struct map_row {
	const struct row_change *rc;
	const char *const *values;
	struct mapping_out *out;
	char *err;
	size_t errlen;
	int status; /* 0, or the first error (-EINVAL, -ENOMEM) */
	bool ended; /* building what ending the row sends (a delete, or the old
		     * row of an update that moved it to another subject) */
};

/* A code as the department writes it and the enum value it means. */
struct map_code {
	const char *code;
	int value;
};

/* Builds the events of one row of a table into r->out; returns 1 when it
 * built them, 0 when the row means nothing (yet), or r->status. */
typedef int (*map_build_fn)(struct map_row *r);

/* Start reading values of rc; events go to out. */
void map_row_init(struct map_row *r, const struct row_change *rc, const char *const *values,
		  struct mapping_out *out, char *err, size_t errlen);
/* Record "table.column: reason" (only the first error sticks); returns -EINVAL. */
int map_fail(struct map_row *r, const char *col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Record -ENOMEM; returns it. */
int map_nomem(struct map_row *r);
/* The column's text; NULL if SQL NULL or blank (an error if required). */
const char *map_text(struct map_row *r, const char *col, bool required);
/* A malloc'ed copy of the column's text (trailing blanks of char(n) removed),
 * or protobuf-c's empty string when absent. */
char *map_str(struct map_row *r, const char *col, bool required);
/* A date column as a malloc'ed "YYYY-MM-DD" (a timestamp gives its date), or
 * protobuf-c's empty string when absent. */
char *map_date(struct map_row *r, const char *col, bool required);
/* A date column (or a timestamp's date) as YYYYMMDD; YMD_NONE when absent. */
ymd_t map_ymd(struct map_row *r, const char *col, bool required);
/* d as a malloc'ed "YYYY-MM-DD", or protobuf-c's empty string for YMD_NONE. */
char *map_ymd_str(struct map_row *r, ymd_t d);
/* A yuan column (numeric text, at most two decimals) in fen; *present tells
 * whether it had a value. Exact: no floating point. */
fen_t map_yuan(struct map_row *r, const char *col, bool required, bool *present);
/* An integer column inside [lo, hi]; def when absent and not required. */
int64_t map_int(struct map_row *r, const char *col, int64_t lo, int64_t hi, bool required,
		int64_t def);
/* A boolean column ("t"/"f"); def when absent. */
bool map_bool(struct map_row *r, const char *col, bool def);
/* A non-negative decimal column (an area) as a double; -1 when absent. */
double map_decimal(struct map_row *r, const char *col, bool required);
/* A non-negative decimal column in hundredths, exactly; -1 when absent. */
int64_t map_hundredths(struct map_row *r, const char *col, bool required);
/* The value of the column's code in codes (NULL-terminated); 0 when absent
 * and not required; an error for an unknown code. */
int map_code(struct map_row *r, const char *col, const struct map_code *codes, bool required);
/* A new event of kind with its payload case set, appended to r->out. */
Assist__Event *map_event(struct map_row *r, Assist__Event__PayloadCase pcase, Assist__Kind kind);
/* A new payload of kind (Assist__MedicalClaim for KIND_MEDICAL_CLAIM, found
 * through the descriptors), attached to a new event in r->out; NULL (and
 * r->status set) when memory or MAPPING_MAX_EVENTS runs out. */
void *map_payload(struct map_row *r, Assist__Kind kind);
/* A status or an enrollment payload with its category or scheme set. */
Assist__StatusChange *map_status(struct map_row *r, Assist__Category category, bool active);
Assist__Enrollment *map_enrollment(struct map_row *r, Assist__Scheme scheme);
/* A new presence wrapper holding v; NULL (and r->status set) without memory. */
Assist__Int64Value *map_int64_value(struct map_row *r, int64_t v);
/* A builder for rows that mean nothing: returns 0. */
int map_nothing(struct map_row *r);
/* Free the events of out from index from on (0: all of them). */
void map_drop(struct mapping_out *out, int from);
/* A malloc'ed copy of s, or protobuf-c's empty string for NULL/"". */
char *map_strdup(struct map_row *r, const char *s);

/* A claim table: a row is sent (op decide) when build first finds it payable
 * (an insert, or an update that makes it so). An update of a row sent that
 * changes what it sends is sent as op correct with the new fields; one that
 * makes it no longer payable, and a delete of it, as op void of the old row
 * (its claim id and person). An update that changes the key column voids
 * the old claim and decides the new one. */
int map_claim_row(const struct row_change *rc, struct mapping_out *out, char *err,
		  size_t errlen, map_build_fn build, const char *key);
/* A state table: every insert, update and snapshot row is sent as it now is
 * (build); an update that moved the row to another subject first ends the
 * old one (end); a delete ends it (end). build and end may be one function
 * that reads r->ended. subject names the columns that
 * identify what the row is about (NULL-terminated). */
int map_state_row(const struct row_change *rc, struct mapping_out *out, char *err,
		  size_t errlen, map_build_fn build, map_build_fn end, const char *const *subject);

/* Each department's tables (adapters/<dept>.c), ended by a NULL name. */
extern const struct department_table civil_affairs_tables[];
extern const struct department_table health_tables[];
extern const struct department_table education_tables[];
extern const struct department_table labor_tables[];
extern const struct department_table housing_tables[];

#endif
