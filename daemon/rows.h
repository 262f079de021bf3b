/* Rows of one table gathered column by column as PostgreSQL array literals,
 * so a batch writes each table with one statement
 * (INSERT ... SELECT * FROM unnest($1::text[], $2::bytea[], ...)) instead of
 * one statement a row: far fewer protocol messages, parses and executor
 * starts, for the same rows. */
#ifndef ASSIST_ROWS_H
#define ASSIST_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define ROWS_MAX_COLS 12

struct rows_col {
	char *buf; /* "{" elements "," ... (closed when handed to the store) */
	size_t len, cap;
	size_t n;  /* elements */
};

struct rows {
	struct rows_col cols[ROWS_MAX_COLS];
	int ncols;
	bool oom;  /* an append failed: the rows are incomplete */
};

/* Start an empty set of ncols columns (no allocation yet). */
void rows_init(struct rows *r, int ncols);
/* Append one element to column col: text (NULL for SQL NULL), a number, a
 * boolean, or bytes (bytea). */
void rows_text(struct rows *r, int col, const char *s);
void rows_int(struct rows *r, int col, int64_t v);
void rows_uint(struct rows *r, int col, uint64_t v);
void rows_bool(struct rows *r, int col, bool v);
void rows_bytea(struct rows *r, int col, const void *data, size_t len);
/* Rows gathered so far (elements of the first column). */
size_t rows_count(const struct rows *r);
/* Add statement with the columns as its parameters to job, unless there are
 * no rows. 0, or -ENOMEM (also when an append had failed). */
__attribute__((warn_unused_result)) int rows_flush(struct rows *r, struct store_job *job,
						   int statement);
/* Forget the rows, keeping the memory. */
void rows_clear(struct rows *r);
void rows_free(struct rows *r);

#endif
