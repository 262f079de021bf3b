/* Rows of one table gathered column by column as PostgreSQL arrays in their
 * binary form, so a batch writes each table with one statement
 * (INSERT ... SELECT * FROM unnest($1::text[], $2::bytea[], ...)) instead of
 * one statement a row: far fewer protocol messages, parses and executor
 * starts, for the same rows. Binary, because PostgreSQL's text form of an
 * array (array_in, bytea as hex) cost a fifth of its CPU per event: binary
 * elements are copied, not parsed.
 *
 * A column's element type is set by its first append: text, bytea, bigint
 * (pgarray_int and pgarray_uint) or boolean, and each statement declares its
 * parameters as those array types. A position (numeric) goes as text
 * (pgarray_numeric) and the statement casts it; so do dates and times. */
#ifndef ASSIST_PGARRAY_H
#define ASSIST_PGARRAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define PGARRAY_MAX_COLS 22 /* the widest table: ledger */

struct pgarray_col {
	uint8_t *buf; /* the array's header, then length and bytes per element */
	size_t len, cap;
	size_t n;     /* elements */
	uint32_t oid; /* element type, from the first append */
};

struct pgarray {
	struct pgarray_col cols[PGARRAY_MAX_COLS];
	int ncols;
	bool oom;  /* an append failed: the rows are incomplete */
	bool bad;  /* a column given two types, or a bigint out of range */
};

/* Start an empty set of ncols columns (no allocation yet). */
void pgarray_init(struct pgarray *r, int ncols);
/* Append one element to column col: text (NULL for SQL NULL), a bigint, a
 * boolean, bytes (bytea), or a uint64 as decimal text (for numeric). */
void pgarray_text(struct pgarray *r, int col, const char *s);
void pgarray_int(struct pgarray *r, int col, int64_t v);
void pgarray_uint(struct pgarray *r, int col, uint64_t v);
void pgarray_bool(struct pgarray *r, int col, bool v);
void pgarray_bytea(struct pgarray *r, int col, const void *data, size_t len);
/* A bigint v when present, else SQL NULL. */
void pgarray_int_or_null(struct pgarray *r, int col, bool present, int64_t v);
/* As pgarray_bytea, but data NULL is SQL NULL. */
void pgarray_bytea_or_null(struct pgarray *r, int col, const void *data, size_t len);
void pgarray_numeric(struct pgarray *r, int col, uint64_t v);
/* Rows gathered so far (elements of the first column). */
size_t pgarray_count(const struct pgarray *r);
/* Add statement with the columns as its (binary) parameters to job, unless
 * there are no rows. 0, -ENOMEM (also when an append had failed), or -EINVAL
 * (a column given two types or a value out of range). */
__attribute__((warn_unused_result)) int pgarray_flush(struct pgarray *r, struct store_job *job,
						   int statement);
/* Forget the rows, keeping the memory. */
void pgarray_clear(struct pgarray *r);
void pgarray_free(struct pgarray *r);

#endif
