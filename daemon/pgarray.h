/* Rows of one table gathered column by column as PostgreSQL array literals,
 * so a batch writes each table with one statement
 * (INSERT ... SELECT * FROM unnest($1::text[], $2::bytea[], ...)) instead of
 * one statement a row: far fewer protocol messages, parses and executor
 * starts, for the same rows. */
#ifndef ASSIST_PGARRAY_H
#define ASSIST_PGARRAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define PGARRAY_MAX_COLS 16 /* the widest table: ledger, 14 */

struct pgarray_col {
	char *buf; /* "{" elements "," ... (closed when handed to the store) */
	size_t len, cap;
	size_t n;  /* elements */
};

struct pgarray {
	struct pgarray_col cols[PGARRAY_MAX_COLS];
	int ncols;
	bool oom;  /* an append failed: the rows are incomplete */
};

/* Start an empty set of ncols columns (no allocation yet). */
void pgarray_init(struct pgarray *r, int ncols);
/* Append one element to column col: text (NULL for SQL NULL), a number, a
 * boolean, or bytes (bytea). */
void pgarray_text(struct pgarray *r, int col, const char *s);
void pgarray_int(struct pgarray *r, int col, int64_t v);
void pgarray_uint(struct pgarray *r, int col, uint64_t v);
void pgarray_bool(struct pgarray *r, int col, bool v);
void pgarray_bytea(struct pgarray *r, int col, const void *data, size_t len);
/* Rows gathered so far (elements of the first column). */
size_t pgarray_count(const struct pgarray *r);
/* Add statement with the columns as its parameters to job, unless there are
 * no rows. 0, or -ENOMEM (also when an append had failed). */
__attribute__((warn_unused_result)) int pgarray_flush(struct pgarray *r, struct store_job *job,
						   int statement);
/* Forget the rows, keeping the memory. */
void pgarray_clear(struct pgarray *r);
void pgarray_free(struct pgarray *r);

#endif
