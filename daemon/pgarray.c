#include "pgarray.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pgarray_init(struct pgarray *r, int ncols)
{
	memset(r, 0, sizeof(*r));
	r->ncols = ncols;
}

/* Room for need more bytes in c (and the closing "}" and NUL). */
static bool reserve(struct pgarray *r, struct pgarray_col *c, size_t need)
{
	if (c->len + need + 2 > c->cap) {
		size_t ncap = (c->len + need + 2) * 2;
		char *p = realloc(c->buf, ncap < 1024 ? 1024 : ncap);
		if (p == NULL) {
			r->oom = true;
			return false;
		}
		c->buf = p;
		c->cap = ncap < 1024 ? 1024 : ncap;
	}
	return true;
}

/* Start an element: the opening brace or a comma. */
static struct pgarray_col *element(struct pgarray *r, int col, size_t need)
{
	struct pgarray_col *c = &r->cols[col];

	if (r->oom || !reserve(r, c, need + 1))
		return NULL;
	c->buf[c->len++] = c->n++ == 0 ? '{' : ',';
	return c;
}

/* A quoted element: inside it, '"' and '\' are escaped with a backslash. */
static void quoted(struct pgarray *r, int col, const char *s, size_t len)
{
	struct pgarray_col *c = element(r, col, 2 * len + 2);

	if (c == NULL)
		return;
	c->buf[c->len++] = '"';
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			c->buf[c->len++] = '\\';
		c->buf[c->len++] = s[i];
	}
	c->buf[c->len++] = '"';
}

void pgarray_text(struct pgarray *r, int col, const char *s)
{
	struct pgarray_col *c;

	if (s != NULL) {
		quoted(r, col, s, strlen(s));
	} else if ((c = element(r, col, 4)) != NULL) {
		memcpy(c->buf + c->len, "NULL", 4);
		c->len += 4;
	}
}

static void bare(struct pgarray *r, int col, const char *s)
{
	size_t len = strlen(s);
	struct pgarray_col *c = element(r, col, len);

	if (c != NULL) {
		memcpy(c->buf + c->len, s, len);
		c->len += len;
	}
}

void pgarray_int(struct pgarray *r, int col, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	bare(r, col, buf);
}

void pgarray_uint(struct pgarray *r, int col, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	bare(r, col, buf);
}

void pgarray_bool(struct pgarray *r, int col, bool v)
{
	bare(r, col, v ? "t" : "f");
}

void pgarray_bytea(struct pgarray *r, int col, const void *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *p = data;
	/* "\\x" then two digits a byte: the backslash is escaped inside the quotes. */
	struct pgarray_col *c = element(r, col, 2 * len + 5);

	if (c == NULL)
		return;
	memcpy(c->buf + c->len, "\"\\\\x", 4);
	c->len += 4;
	for (size_t i = 0; i < len; i++) {
		c->buf[c->len++] = hex[p[i] >> 4];
		c->buf[c->len++] = hex[p[i] & 15];
	}
	c->buf[c->len++] = '"';
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
	if (pgarray_count(r) == 0)
		return 0;
	for (int i = 0; i < r->ncols; i++) {
		struct pgarray_col *c = &r->cols[i];
		/* reserve() always left room for these two. */
		c->buf[c->len] = '}';
		c->buf[c->len + 1] = '\0';
		vals[i] = (struct store_val){c->buf, c->len + 1, false};
	}
	return store_job_add(job, statement, vals, r->ncols);
}

void pgarray_clear(struct pgarray *r)
{
	for (int i = 0; i < r->ncols; i++)
		r->cols[i].len = r->cols[i].n = 0;
	r->oom = false;
}

void pgarray_free(struct pgarray *r)
{
	for (int i = 0; i < PGARRAY_MAX_COLS; i++)
		free(r->cols[i].buf);
	memset(r, 0, sizeof(*r));
}
