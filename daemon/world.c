#include "world.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int world_queue_person(struct world *w, struct person *p)
{
	struct person **slot;

	if (!(p->dirty || p->booked) || p->queued)
		return 0;
	slot = vec_grow((void **)&w->changed_p, &w->n_changed_p, &w->cap_changed_p,
			  sizeof(*slot));
	if (slot == NULL)
		return -ENOMEM;
	*slot = p;
	p->queued = true;
	return 0;
}

int world_queue_household(struct world *w, struct household *hh)
{
	struct household **slot;

	if (!hh->dirty || hh->queued)
		return 0;
	slot = vec_grow((void **)&w->changed_h, &w->n_changed_h, &w->cap_changed_h,
			  sizeof(*slot));
	if (slot == NULL)
		return -ENOMEM;
	*slot = hh;
	hh->queued = true;
	return 0;
}

void world_take_changes(struct world *w)
{
	for (size_t i = 0; i < w->n_changed_p; i++) {
		struct person *p = w->changed_p[i];
		p->dirty = p->booked = p->queued = false;
	}
	for (size_t i = 0; i < w->n_changed_h; i++)
		w->changed_h[i]->dirty = w->changed_h[i]->queued = false;
	w->n_changed_p = w->n_changed_h = 0;
}

uint32_t world_bucket(const char *id)
{
	uint64_t v = 0;

	for (int i = 0; i < 17; i++) {
		if (id[i] < '0' || id[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(id[i] - '0');
	}
	return (uint32_t)(v % WORLD_BUCKETS);
}

/* Add p to w->persons and its bucket's chain; 0 or -ENOMEM. */
static int add_person(struct world *w, struct person *p)
{
	uint32_t b = world_bucket(p->id);

	if (w->bucket_head == NULL &&
	    (w->bucket_head = calloc(WORLD_BUCKETS, sizeof(*w->bucket_head))) == NULL)
		return -ENOMEM;
	if (strmap_put(&w->persons, p->id, p) < 0)
		return -ENOMEM;
	p->bucket_next = w->bucket_head[b];
	w->bucket_head[b] = p;
	return 0;
}

struct person *world_person(struct world *w, const char *id)
{
	struct person *p = strmap_get(&w->persons, id);

	if (p != NULL)
		return p;
	p = person_new(id);
	if (p == NULL)
		return NULL;
	if (add_person(w, p) < 0) {
		person_free(p);
		return NULL;
	}
	p->dirty = true;
	w->created++;
	return p;
}

struct household *world_household(struct world *w, const char *id)
{
	struct household *hh = strmap_get(&w->households, id);

	if (hh != NULL)
		return hh;
	hh = household_new(id);
	if (hh == NULL)
		return NULL;
	if (strmap_put(&w->households, hh->id, hh) < 0) {
		household_free(hh);
		return NULL;
	}
	hh->dirty = true;
	return hh;
}

int world_adopt_person(struct world *w, struct person *p)
{
	struct household *hh;

	if (strmap_get(&w->persons, p->id) != NULL) {
		person_free(p);
		return 0;
	}
	if (add_person(w, p) < 0) {
		person_free(p);
		return -ENOMEM;
	}
	if (p->household_id[0] == '\0')
		return 0;
	/* A load brings a person's household with it; none stored means none yet. */
	hh = world_household(w, p->household_id);
	return hh != NULL ? household_link(hh, p) : -ENOMEM;
}

int world_adopt_household(struct world *w, struct household *hh)
{
	if (strmap_get(&w->households, hh->id) != NULL) {
		household_free(hh);
		return 0;
	}
	if (strmap_put(&w->households, hh->id, hh) < 0) {
		household_free(hh);
		return -ENOMEM;
	}
	return 0;
}

void world_free(struct world *w)
{
	for (size_t i = 0; i < w->households.cap; i++)
		household_free(w->households.slots[i].value);
	for (size_t i = 0; i < w->persons.cap; i++)
		person_free(w->persons.slots[i].value);
	strmap_free(&w->persons);
	strmap_free(&w->households);
	free(w->bucket_head);
	free(w->changed_p);
	free(w->changed_h);
}

bool world_may_be_paid(const struct person *p)
{
	for (size_t i = 0; i < p->n_benefits; i++) {
		const struct scheme *s = scheme_get(p->benefits[i].scheme);

		if (s != NULL && s->periodic)
			return true;
	}
	return false;
}

static int by_id(const void *a, const void *b)
{
	return strcmp((*(struct person *const *)a)->id, (*(struct person *const *)b)->id);
}

uint32_t world_bucket_of(const char *id, uint32_t parts)
{
	return (uint32_t)((uint64_t)world_bucket(id) * parts / WORLD_BUCKETS);
}

void world_bucket_range(uint32_t k, uint32_t parts, uint32_t *lo, uint32_t *hi)
{
	/* The least b with b * parts >= k * WORLD_BUCKETS, and the same for k + 1. */
	*lo = (uint32_t)(((uint64_t)k * WORLD_BUCKETS + parts - 1) / parts);
	*hi = (uint32_t)(((uint64_t)(k + 1) * WORLD_BUCKETS + parts - 1) / parts);
}

int world_payees(const struct world *w, uint32_t k, uint32_t parts, struct person ***out,
		 size_t *n)
{
	struct person **list = NULL;
	size_t cap = 0;
	uint32_t lo, hi;

	*out = NULL;
	*n = 0;
	world_bucket_range(parts > 1 ? k : 0, parts > 1 ? parts : 1, &lo, &hi);
	for (uint32_t b = lo; w->bucket_head != NULL && b < hi; b++) {
		for (struct person *p = w->bucket_head[b]; p != NULL; p = p->bucket_next) {
			struct person **slot;

			if (!world_may_be_paid(p))
				continue;
			if ((slot = vec_grow((void **)&list, n, &cap, sizeof(*slot))) == NULL) {
				free(list);
				*n = 0;
				return -ENOMEM;
			}
			*slot = p;
		}
	}
	if (*n > 1)
		qsort(list, *n, sizeof(*list), by_id);
	*out = list;
	return 0;
}

bool world_payees_in_memory(const struct world *w, uint32_t k, uint32_t parts)
{
	uint32_t lo, hi;

	world_bucket_range(k, parts, &lo, &hi);
	for (uint32_t b = lo; b < hi; b++) {
		if (!(w->payees_loaded[b / 64] & (UINT64_C(1) << (b % 64))))
			return false;
	}
	return true;
}

void world_payees_loaded(struct world *w, uint32_t k, uint32_t parts)
{
	uint32_t lo, hi;

	world_bucket_range(k, parts, &lo, &hi);
	for (uint32_t b = lo; b < hi; b++)
		w->payees_loaded[b / 64] |= UINT64_C(1) << (b % 64);
}

void world_clear(struct world *w)
{
	uint64_t created = w->created;

	world_free(w);
	memset(w, 0, sizeof(*w));
	w->created = created;
}
