#include "store_job.h"

#include <errno.h>
#include <libpq-fe.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A parameter in the job's arena: this header, then len bytes and a NUL
 * (libpq reads text parameters as C strings). len < 0 is SQL NULL. */
struct store_val_hdr {
	int32_t len;
	uint8_t binary;
} __attribute__((packed));

struct store_job_block {
	struct store_job job;
	struct store_job_priv priv;
};

/* Arenas of jobs freed, for the next jobs to fill. A batch's arena is
 * megabytes, grown by doubling: made afresh for each batch, glibc takes it
 * from the kernel and gives it back, and the kernel zeroes every page
 * again (14 % of assistd at 10^6 recipients, in page faults of the growth
 * and the copies into it). One set for the process: the loop thread is the
 * only one that makes jobs. */
#define SPARE_ARENAS 8
#define SPARE_ARENA_MAX (64u << 20)
static struct {
	char *arena;
	size_t size;
} spare[SPARE_ARENAS];
static size_t n_spare;

/* The biggest spare arena into p, if any. */
static void take_spare(struct store_job_priv *p)
{
	size_t best = 0;

	if (n_spare == 0)
		return;
	for (size_t i = 1; i < n_spare; i++) {
		if (spare[i].size > spare[best].size)
			best = i;
	}
	p->arena = spare[best].arena;
	p->size = spare[best].size;
	spare[best] = spare[--n_spare];
}

/* p's arena kept for a later job, or freed. */
static void give_spare(struct store_job_priv *p)
{
	if (p->arena != NULL && n_spare < SPARE_ARENAS && p->size <= SPARE_ARENA_MAX) {
		spare[n_spare].arena = p->arena;
		spare[n_spare++].size = p->size;
	} else {
		free(p->arena);
	}
	p->arena = NULL;
	p->size = 0;
}

void store_job_clear_results(struct store_job *job)
{
	for (size_t i = 0; i < job->n_results; i++)
		PQclear(job->results[i]);
	free(job->results);
	job->results = NULL;
	job->n_results = 0;
}

void store_job_params(const struct store_job *job, const struct store_stmt *s,
		      const char **values, int *lengths, int *formats)
{
	const char *at = job->priv->arena + s->off;

	for (int i = 0; i < s->nvals; i++) {
		struct store_val_hdr h;
		memcpy(&h, at, sizeof(h));
		at += sizeof(h);
		values[i] = h.len < 0 ? NULL : at;
		lengths[i] = h.len < 0 ? 0 : h.len;
		formats[i] = h.binary;
		if (h.len >= 0)
			at += h.len + 1;
	}
}

struct store_job *store_job_new(enum store_job_type type, store_done_cb done, void *data)
{
	struct store_job_block *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->job.type = type;
	b->job.done = done;
	b->job.data = data;
	b->job.priv = &b->priv;
	return &b->job;
}

static int store_job_grow(void **buf, size_t *cap, size_t need, size_t elem, size_t first)
{
	size_t n = *cap > 0 ? *cap : first;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	if ((p = realloc(*buf, n * elem)) == NULL)
		return -ENOMEM;
	*buf = p;
	*cap = n;
	return 0;
}

int store_job_add(struct store_job *job, int statement, const struct store_val *vals, int nvals)
{
	struct store_job_priv *p = job->priv;
	struct store_stmt *s;
	size_t need = 0;

	if (statement < 0 || nvals < 0 || (nvals > 0 && vals == NULL))
		return -EINVAL;
	for (int i = 0; i < nvals; i++) {
		if (vals[i].data != NULL && vals[i].len >= INT32_MAX)
			return -EINVAL;
		need += sizeof(struct store_val_hdr) + (vals[i].data != NULL ? vals[i].len + 1 : 0);
	}
	if (p->arena == NULL)
		take_spare(p);
	if (store_job_grow((void **)&p->stmts, &p->cap, p->n + 1, sizeof(*p->stmts), 16) < 0 ||
	    store_job_grow((void **)&p->arena, &p->size, p->used + need, 1, 1024) < 0)
		return -ENOMEM;
	s = &p->stmts[p->n++];
	s->id = statement;
	s->nvals = nvals;
	s->off = p->used;
	for (int i = 0; i < nvals; i++) {
		struct store_val_hdr h = {
			.len = vals[i].data != NULL ? (int32_t)vals[i].len : -1,
			.binary = vals[i].binary,
		};
		memcpy(p->arena + p->used, &h, sizeof(h));
		p->used += sizeof(h);
		if (vals[i].data == NULL)
			continue;
		memcpy(p->arena + p->used, vals[i].data, vals[i].len);
		p->arena[p->used + vals[i].len] = '\0';
		p->used += vals[i].len + 1;
	}
	return 0;
}

size_t store_job_size(const struct store_job *job)
{
	return job->priv->n;
}

void store_job_free(struct store_job *job)
{
	if (job == NULL)
		return;
	store_job_clear_results(job);
	free(job->priv->stmts);
	give_spare(job->priv);
	free(job);
}
