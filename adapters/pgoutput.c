#include "pgoutput.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A bounded cursor over one message: every read checks what is left. */
struct rd {
	const uint8_t *p;
	size_t left;
};

static int rd_u8(struct rd *r, uint8_t *out)
{
	if (r->left < 1)
		return -EBADMSG;
	*out = r->p[0];
	r->p++;
	r->left--;
	return 0;
}

static int rd_be(struct rd *r, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (r->left < n)
		return -EBADMSG;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | r->p[i];
	r->p += n;
	r->left -= n;
	*out = v;
	return 0;
}

static int rd_u16(struct rd *r, uint16_t *out)
{
	uint64_t v = 0;
	int rc = rd_be(r, 2, &v);

	*out = (uint16_t)v;
	return rc;
}

static int rd_u32(struct rd *r, uint32_t *out)
{
	uint64_t v = 0;
	int rc = rd_be(r, 4, &v);

	*out = (uint32_t)v;
	return rc;
}

static int rd_u64(struct rd *r, uint64_t *out)
{
	return rd_be(r, 8, out);
}

static int rd_skip(struct rd *r, size_t n)
{
	if (r->left < n)
		return -EBADMSG;
	r->p += n;
	r->left -= n;
	return 0;
}

/* A NUL-terminated string inside the message, copied (copy NULL: skipped). */
static int rd_str(struct rd *r, char **copy)
{
	const uint8_t *end = memchr(r->p, '\0', r->left);
	size_t n;

	if (end == NULL)
		return -EBADMSG;
	n = (size_t)(end - r->p);
	if (copy != NULL && (*copy = strndup((const char *)r->p, n)) == NULL)
		return -ENOMEM;
	return rd_skip(r, n + 1);
}

void pgo_cache_init(struct pgo_cache *c)
{
	c->rels = NULL;
}

static void pgo_relation_free(struct pgo_relation *rel)
{
	if (rel == NULL)
		return;
	for (int i = 0; i < rel->ncols; i++)
		free(rel->cols[i].name);
	free(rel->cols);
	free(rel->nspname);
	free(rel->relname);
	free(rel);
}

void pgo_cache_free(struct pgo_cache *c)
{
	while (c->rels != NULL) {
		struct pgo_relation *next = c->rels->next;
		pgo_relation_free(c->rels);
		c->rels = next;
	}
}

const struct pgo_relation *pgo_cache_find(const struct pgo_cache *c, uint32_t id)
{
	for (const struct pgo_relation *rel = c->rels; rel != NULL; rel = rel->next) {
		if (rel->id == id)
			return rel;
	}
	return NULL;
}

static void pgo_cache_put(struct pgo_cache *c, struct pgo_relation *rel)
{
	struct pgo_relation **pp;

	for (pp = &c->rels; *pp != NULL; pp = &(*pp)->next) {
		if ((*pp)->id == rel->id) {
			struct pgo_relation *old = *pp;
			rel->next = old->next;
			*pp = rel;
			pgo_relation_free(old);
			return;
		}
	}
	rel->next = c->rels;
	c->rels = rel;
}

static void pgo_tuple_clear(struct pgo_tuple *t)
{
	if (t->values != NULL) {
		for (int i = 0; i < t->ncols; i++)
			free(t->values[i]);
	}
	free(t->values);
	free(t->status);
	*t = (struct pgo_tuple){0};
}

void pgo_msg_clear(struct pgo_msg *m)
{
	free(m->truncated);
	pgo_tuple_clear(&m->old_tuple);
	pgo_tuple_clear(&m->new_tuple);
	*m = (struct pgo_msg){0};
}

static int pgo_read_relation(struct pgo_cache *c, struct rd *r, struct pgo_msg *out)
{
	struct pgo_relation *rel = calloc(1, sizeof(*rel));
	uint16_t ncols;
	uint8_t ident;
	int rc;

	if (rel == NULL)
		return -ENOMEM;
	if ((rc = rd_u32(r, &rel->id)) < 0 || (rc = rd_str(r, &rel->nspname)) < 0 ||
	    (rc = rd_str(r, &rel->relname)) < 0 || (rc = rd_u8(r, &ident)) < 0 ||
	    (rc = rd_u16(r, &ncols)) < 0)
		goto cleanup;
	rel->replident = (char)ident;
	/* Each column takes at least 10 bytes: refuse a count the message cannot hold. */
	if ((size_t)ncols * 10 > r->left) {
		rc = -EBADMSG;
		goto cleanup;
	}
	if (ncols > 0 && (rel->cols = calloc(ncols, sizeof(*rel->cols))) == NULL) {
		rc = -ENOMEM;
		goto cleanup;
	}
	for (; rel->ncols < ncols; rel->ncols++) {
		struct pgo_column *col = &rel->cols[rel->ncols];
		uint8_t flags;
		if ((rc = rd_u8(r, &flags)) < 0 || (rc = rd_str(r, &col->name)) < 0)
			goto cleanup;
		col->key = (flags & 1) != 0;
		if ((rc = rd_u32(r, &col->type_oid)) < 0 || (rc = rd_skip(r, 4)) < 0) {
			rel->ncols++; /* the name is allocated: free it too */
			goto cleanup;
		}
	}
	if (r->left != 0) {
		rc = -EBADMSG;
		goto cleanup;
	}
	pgo_cache_put(c, rel);
	out->rel = rel;
	return 0;
cleanup:
	pgo_relation_free(rel);
	return rc;
}

static int pgo_read_tuple(struct rd *r, const struct pgo_relation *rel, struct pgo_tuple *t)
{
	uint16_t ncols;
	int rc;

	if ((rc = rd_u16(r, &ncols)) < 0)
		return rc;
	if (ncols != rel->ncols)
		return -EBADMSG;
	t->ncols = ncols;
	if (ncols == 0)
		return 0;
	t->status = calloc(ncols, 1);
	t->values = calloc(ncols, sizeof(*t->values));
	if (t->status == NULL || t->values == NULL)
		return -ENOMEM;
	for (int i = 0; i < ncols; i++) {
		uint8_t kind;
		uint32_t n;
		if ((rc = rd_u8(r, &kind)) < 0)
			return rc;
		t->status[i] = (char)kind;
		if (kind == 'n' || kind == 'u')
			continue;
		if (kind != 't')
			return -EBADMSG; /* binary values are never requested */
		if ((rc = rd_u32(r, &n)) < 0)
			return rc;
		if (n > r->left)
			return -EBADMSG;
		if ((t->values[i] = strndup((const char *)r->p, n)) == NULL)
			return -ENOMEM;
		r->p += n;
		r->left -= n;
	}
	return 0;
}

static int pgo_read_change(struct pgo_cache *c, struct rd *r, struct pgo_msg *out)
{
	uint32_t relid;
	uint8_t sub;
	int rc;

	if ((rc = rd_u32(r, &relid)) < 0 || (rc = rd_u8(r, &sub)) < 0)
		return rc;
	if ((out->rel = pgo_cache_find(c, relid)) == NULL)
		return -ENOENT;
	if (out->type != PGO_INSERT && (sub == 'K' || sub == 'O')) {
		out->old_kind = (char)sub;
		if ((rc = pgo_read_tuple(r, out->rel, &out->old_tuple)) < 0)
			return rc;
		if (out->type == PGO_UPDATE && (rc = rd_u8(r, &sub)) < 0)
			return rc;
	} else if (out->type == PGO_DELETE) {
		return -EBADMSG;
	}
	if (out->type != PGO_DELETE) {
		if (sub != 'N')
			return -EBADMSG;
		out->has_new = true;
		if ((rc = pgo_read_tuple(r, out->rel, &out->new_tuple)) < 0)
			return rc;
	}
	return r->left == 0 ? 0 : -EBADMSG;
}

/* Truncate: count, options, relation ids (each announced before). */
static int pgo_read_truncate(struct pgo_cache *c, struct rd *r, struct pgo_msg *out)
{
	uint32_t n, id;
	int rc;

	if ((rc = rd_u32(r, &n)) < 0 || (rc = rd_skip(r, 1)) < 0)
		return rc;
	if (n == 0 || n > r->left / 4)
		return -EBADMSG;
	if ((out->truncated = calloc(n, sizeof(*out->truncated))) == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		if ((rc = rd_u32(r, &id)) < 0)
			return rc;
		if ((out->truncated[i] = pgo_cache_find(c, id)) == NULL)
			return -ENOENT;
		out->ntruncated++;
	}
	return r->left == 0 ? 0 : -EBADMSG;
}

/* Messages that change nothing here, checked for shape all the same. */
static int pgo_read_other(struct rd *r, char tag)
{
	uint64_t v;
	uint32_t n;
	int rc;

	switch (tag) {
	case 'O': /* origin: commit LSN, name */
		if ((rc = rd_u64(r, &v)) < 0 || (rc = rd_str(r, NULL)) < 0)
			return rc;
		break;
	case 'Y': /* type: oid, namespace, name */
		if ((rc = rd_u32(r, &n)) < 0 || (rc = rd_str(r, NULL)) < 0 ||
		    (rc = rd_str(r, NULL)) < 0)
			return rc;
		break;
	case 'M': /* logical message: flags, LSN, prefix, length, content */
		if ((rc = rd_skip(r, 1)) < 0 || (rc = rd_u64(r, &v)) < 0 ||
		    (rc = rd_str(r, NULL)) < 0 || (rc = rd_u32(r, &n)) < 0 ||
		    (rc = rd_skip(r, n)) < 0)
			return rc;
		break;
	default:
		return -EBADMSG;
	}
	return r->left == 0 ? 0 : -EBADMSG;
}

int pgo_decode(struct pgo_cache *c, const uint8_t *buf, size_t len, struct pgo_msg *out)
{
	struct rd r = {.p = buf, .left = len};
	uint64_t v;
	uint8_t tag;
	int rc;

	*out = (struct pgo_msg){0};
	if ((rc = rd_u8(&r, &tag)) < 0)
		return rc;
	out->tag = (char)tag;
	switch (tag) {
	case 'B':
		out->type = PGO_BEGIN;
		if ((rc = rd_u64(&r, &out->lsn)) < 0 || (rc = rd_u64(&r, &v)) < 0 ||
		    (rc = rd_u32(&r, &out->xid)) < 0)
			return rc;
		out->time = (int64_t)v;
		return r.left == 0 ? 0 : -EBADMSG;
	case 'C':
		out->type = PGO_COMMIT;
		if ((rc = rd_skip(&r, 1)) < 0 || (rc = rd_u64(&r, &out->lsn)) < 0 ||
		    (rc = rd_u64(&r, &out->end_lsn)) < 0 || (rc = rd_u64(&r, &v)) < 0)
			return rc;
		out->time = (int64_t)v;
		return r.left == 0 ? 0 : -EBADMSG;
	case 'R':
		out->type = PGO_RELATION;
		return pgo_read_relation(c, &r, out);
	case 'I':
		out->type = PGO_INSERT;
		return pgo_read_change(c, &r, out);
	case 'U':
		out->type = PGO_UPDATE;
		return pgo_read_change(c, &r, out);
	case 'D':
		out->type = PGO_DELETE;
		return pgo_read_change(c, &r, out);
	case 'T':
		out->type = PGO_TRUNCATE;
		return pgo_read_truncate(c, &r, out);
	default:
		out->type = PGO_OTHER;
		return pgo_read_other(&r, (char)tag);
	}
}
