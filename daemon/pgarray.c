#include "pgarray.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pos.h"

/* Element types (pg_type.oid), as array_recv checks them. */
enum { OID_BOOL = 16, OID_BYTEA = 17, OID_INT8 = 20, OID_TEXT = 25 };

/* The binary array header: dimensions, has-nulls flag, element type, then
 * the one dimension's length and lower bound; filled in at flush. */
#define HEADER_BYTES 20

void pgarray_init(struct pgarray *r, int ncols)
{
	assert(ncols <= PGARRAY_MAX_COLS); /* a statement wider than the table */
	memset(r, 0, sizeof(*r));
	r->ncols = ncols;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* Room for need more bytes in c. */
static bool reserve(struct pgarray *r, struct pgarray_col *c, size_t need)
{
	if (c->len + need > c->cap) {
		size_t ncap = (c->len + need) * 2;
		uint8_t *p = realloc(c->buf, ncap < 1024 ? 1024 : ncap);
		if (p == NULL) {
			r->oom = true;
			return false;
		}
		c->buf = p;
		c->cap = ncap < 1024 ? 1024 : ncap;
	}
	return true;
}

/* Start an element of type oid and len bytes (-1: NULL) in column col; where
 * its bytes go, or NULL when nothing is to be written. */
static uint8_t *element(struct pgarray *r, int col, uint32_t oid, int64_t len)
{
	struct pgarray_col *c;
	size_t need;

	/* A column past the statement's is a mistake of the caller's, not memory to write. */
	if (col < 0 || col >= r->ncols) {
		r->bad = true;
		return NULL;
	}
	c = &r->cols[col];
	need = 4 + (len > 0 ? (size_t)len : 0) + (c->n == 0 ? HEADER_BYTES : 0);
	if (len > INT32_MAX || (c->n > 0 && c->oid != oid)) {
		r->bad = true;
		return NULL;
	}
	if (r->oom || !reserve(r, c, need))
		return NULL;
	if (c->n++ == 0) {
		c->oid = oid;
		c->len = HEADER_BYTES;
	}
	put32(c->buf + c->len, (uint32_t)(int32_t)len);
	c->len += 4 + (len > 0 ? (size_t)len : 0);
	return c->buf + c->len - (len > 0 ? (size_t)len : 0);
}

static void bytes(struct pgarray *r, int col, uint32_t oid, const void *data, size_t len)
{
	uint8_t *p = element(r, col, oid, data != NULL ? (int64_t)len : -1);

	if (p != NULL && len > 0)
		memcpy(p, data, len);
}

void pgarray_text(struct pgarray *r, int col, const char *s)
{
	bytes(r, col, OID_TEXT, s, s != NULL ? strlen(s) : 0);
}

void pgarray_bytea(struct pgarray *r, int col, const void *data, size_t len)
{
	/* Empty bytes are not NULL. */
	bytes(r, col, OID_BYTEA, data != NULL ? data : "", len);
}

void pgarray_int_or_null(struct pgarray *r, int col, bool present, int64_t v)
{
	if (present)
		pgarray_int(r, col, v);
	else
		element(r, col, OID_INT8, -1);
}

void pgarray_bytea_or_null(struct pgarray *r, int col, const void *data, size_t len)
{
	bytes(r, col, OID_BYTEA, data, len);
}

void pgarray_int(struct pgarray *r, int col, int64_t v)
{
	uint8_t *p = element(r, col, OID_INT8, 8);

	if (p != NULL) {
		put32(p, (uint32_t)((uint64_t)v >> 32));
		put32(p + 4, (uint32_t)v);
	}
}

void pgarray_uint(struct pgarray *r, int col, uint64_t v)
{
	if (v > INT64_MAX)
		r->bad = true;
	else
		pgarray_int(r, col, (int64_t)v);
}

void pgarray_bool(struct pgarray *r, int col, bool v)
{
	uint8_t *p = element(r, col, OID_BOOL, 1);

	if (p != NULL)
		*p = v;
}

void pgarray_numeric(struct pgarray *r, int col, uint64_t v)
{
	char buf[POS_DECIMAL_LEN];
	size_t n = pos_decimal(v, buf);

	bytes(r, col, OID_TEXT, buf, n);
}

size_t pgarray_count(const struct pgarray *r)
{
	return r->cols[0].n;
}

int pgarray_flush(struct pgarray *r, struct store_job *job, int statement)
{
	struct store_val vals[PGARRAY_MAX_COLS];

	if (r->oom)
		return -ENOMEM;
	if (r->bad)
		return -EINVAL;
	if (pgarray_count(r) == 0)
		return 0;
	for (int i = 0; i < r->ncols; i++) {
		struct pgarray_col *c = &r->cols[i];
		if (c->n != r->cols[0].n)
			return -EINVAL;
		put32(c->buf, 1);
		put32(c->buf + 4, 1); /* may hold NULLs: array_recv looks at each */
		put32(c->buf + 8, c->oid);
		put32(c->buf + 12, (uint32_t)c->n);
		put32(c->buf + 16, 1);
		vals[i] = (struct store_val){c->buf, c->len, true};
	}
	return store_job_add(job, statement, vals, r->ncols);
}

void pgarray_clear(struct pgarray *r)
{
	for (int i = 0; i < r->ncols; i++)
		r->cols[i].len = r->cols[i].n = 0;
	r->oom = r->bad = false;
}

void pgarray_free(struct pgarray *r)
{
	for (int i = 0; i < PGARRAY_MAX_COLS; i++)
		free(r->cols[i].buf);
	memset(r, 0, sizeof(*r));
}
