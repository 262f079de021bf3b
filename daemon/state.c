#include "state.h"

#include <errno.h>
#include <sodium.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "strmap.h"

struct person *person_new(const char *id)
{
	struct person *p = calloc(1, sizeof(*p));

	if (p != NULL) {
		snprintf(p->id, sizeof(p->id), "%s", id);
		p->place = (struct place){"", "", ""};
	}
	return p;
}

static void free_keys(char **keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
}

void person_free(struct person *p)
{
	if (p == NULL)
		return;
	household_unlink(p);
	free(p->cats);
	free(p->enrollments);
	free(p->benefits);
	free(p->ledger);
	free(p->alerts);
	free(p->years);
	free(p->applications);
	free_keys(p->once_keys, p->n_once_keys);
	free_keys(p->claim_keys, p->n_claim_keys);
	free(p);
}

const struct ytd *person_ytd_find(const struct person *p, int year)
{
	for (size_t i = 0; i < p->n_years; i++) {
		if (p->years[i].year == year)
			return &p->years[i];
	}
	return NULL;
}

struct ytd *person_ytd(struct person *p, int year)
{
	struct ytd *y = (struct ytd *)person_ytd_find(p, year);

	if (y == NULL) {
		y = vec_grow((void **)&p->years, &p->n_years, &p->cap_years, sizeof(*y));
		if (y != NULL)
			y->year = year;
	}
	return y;
}

/* The shared entitlement lists under their keys (atoms are unique, so a
 * reason's address names it), and those digested under their digests. */
static struct strmap entitlement_lists, lists_by_digest;

/* An item's part of a list's key: scheme, eligible and the reason's address
 * in hex, by hand (snprintf of them was 2 % of assistd's time). */
#define ENTITLEMENT_KEY_LEN (8 + 1 + 2 * sizeof(uintptr_t) + 1)

/* The digits hex digits of v, most significant first, at out. */
static size_t key_hex(char *out, uint64_t v, int digits)
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < digits; i++)
		out[i] = hex[(v >> (4 * (digits - 1 - i))) & 15];
	return (size_t)digits;
}

static size_t key_item(char *out, const struct entitlement *e)
{
	size_t len = key_hex(out, (uint32_t)e->scheme, 8);

	out[len++] = e->eligible ? 'y' : 'n';
	len += key_hex(out + len, (uintptr_t)e->reason, 2 * (int)sizeof(uintptr_t));
	out[len++] = ';';
	return len;
}

const struct entitlement *state_entitlements_intern(const struct entitlement *items, size_t n)
{
	char key[64 * ENTITLEMENT_KEY_LEN + 1];
	struct entitlement_list *l;
	size_t len = 0;

	if (n == 0 || n > 64)
		return NULL;
	for (size_t i = 0; i < n; i++)
		len += key_item(key + len, &items[i]);
	key[len] = '\0';
	if ((l = strmap_get(&entitlement_lists, key)) != NULL)
		return l->items;
	if ((l = calloc(1, sizeof(*l) + n * sizeof(*items))) == NULL)
		return NULL;
	if ((l->key = strdup(key)) == NULL || strmap_put(&entitlement_lists, l->key, l) < 0) {
		free(l->key);
		free(l);
		return NULL;
	}
	l->n = n;
	memcpy(l->items, items, n * sizeof(*items));
	return l->items;
}

struct entitlement_list *state_entitlements_list(const struct entitlement *items)
{
	return (struct entitlement_list *)((char *)items - offsetof(struct entitlement_list, items));
}

int state_entitlements_digested(struct entitlement_list *l, const uint8_t *digest)
{
	memcpy(l->digest, digest, sizeof(l->digest));
	sodium_bin2hex(l->hex, sizeof(l->hex), digest, sizeof(l->digest));
	return strmap_put(&lists_by_digest, l->hex, l) < 0 ? -ENOMEM : 0;
}

struct entitlement_list *state_entitlements_by_digest(const char *hex)
{
	return strmap_get(&lists_by_digest, hex);
}

static const struct category_state no_category;

/* p's entry of category c, or NULL. */
static struct category_entry *category_entry(const struct person *p, int c)
{
	for (uint8_t i = 0; i < p->n_cats; i++) {
		if (p->cats[i].category == c)
			return &p->cats[i];
	}
	return NULL;
}

const struct category_state *person_category_of(const struct person *p, int c)
{
	const struct category_entry *e = category_entry(p, c);

	return e != NULL ? &e->s : &no_category;
}

struct category_state *person_category(struct person *p, int c)
{
	struct category_entry *cats = category_entry(p, c);

	if (cats != NULL)
		return &cats->s;
	/* One more each time, exactly: a person gains a category rarely. */
	if (p->n_cats >= STATE_CATEGORY_MAX ||
	    (cats = realloc(p->cats, (p->n_cats + 1u) * sizeof(*cats))) == NULL)
		return NULL;
	p->cats = cats;
	cats[p->n_cats] = (struct category_entry){.category = c};
	return &cats[p->n_cats++].s;
}

bool person_has(const struct person *p, int c)
{
	return c > 0 && c < STATE_CATEGORY_MAX && person_category_of(p, c)->active;
}

struct benefit *person_benefit(struct person *p, Assist__Scheme scheme)
{
	for (size_t i = 0; i < p->n_benefits; i++) {
		if (p->benefits[i].scheme == scheme)
			return &p->benefits[i];
	}
	return NULL;
}

static bool has_key(char *const *keys, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(keys[i], key) == 0)
			return true;
	}
	return false;
}

static int add_key(char ***keys, size_t *n, size_t *cap, const char *key)
{
	char *copy = strdup(key);
	char **slot;

	if (copy == NULL)
		return -ENOMEM;
	slot = vec_grow((void **)keys, n, cap, sizeof(char *));
	if (slot == NULL) {
		free(copy);
		return -ENOMEM;
	}
	*slot = copy;
	return 0;
}

bool person_has_once_key(const struct person *p, const char *key)
{
	return has_key(p->once_keys, p->n_once_keys, key);
}

bool person_has_claim_key(const struct person *p, const char *key)
{
	return has_key(p->claim_keys, p->n_claim_keys, key);
}

int person_add_once_key(struct person *p, const char *key)
{
	return add_key(&p->once_keys, &p->n_once_keys, &p->cap_once_keys, key);
}

int person_add_claim_key(struct person *p, const char *key)
{
	return add_key(&p->claim_keys, &p->n_claim_keys, &p->cap_claim_keys, key);
}

/* Remove the keys that match (exactly, or by prefix), keeping the order of
 * the others; the place of the first removed, or the count before. */
static size_t drop_keys(char **keys, size_t *n, const char *key, bool prefix)
{
	size_t len = strlen(key), kept = 0, first = *n;

	for (size_t i = 0; i < *n; i++) {
		bool match = prefix ? strncmp(keys[i], key, len) == 0 : strcmp(keys[i], key) == 0;

		if (match && first == *n)
			first = i;
		if (match)
			free(keys[i]);
		else
			keys[kept++] = keys[i];
	}
	*n = kept;
	return first;
}

void person_drop_once_key(struct person *p, const char *key)
{
	drop_keys(p->once_keys, &p->n_once_keys, key, false);
}

void person_drop_claim_keys(struct person *p, const char *prefix)
{
	/* The keys already written would no longer be the first: written whole. */
	if (drop_keys(p->claim_keys, &p->n_claim_keys, prefix, true) < p->keys_stored)
		p->core = 0;
}

void person_forget_claims(struct person *p, size_t keep)
{
	drop_keys(p->once_keys, &p->n_once_keys, "", true);
	for (size_t i = keep; i < p->n_claim_keys; i++)
		free(p->claim_keys[i]);
	if (keep < p->n_claim_keys)
		p->n_claim_keys = keep;
	p->n_years = 0;
}

struct household *household_new(const char *id)
{
	struct household *hh = calloc(1, sizeof(*hh));

	if (hh != NULL)
		snprintf(hh->id, sizeof(hh->id), "%s", id);
	return hh;
}

void household_free(struct household *hh)
{
	if (hh == NULL)
		return;
	for (size_t i = 0; i < hh->n_m; i++)
		hh->m[i]->hh = NULL;
	free(hh->m);
	free(hh->past);
	free(hh);
}

void household_unlink(struct person *p)
{
	struct household *hh = p->hh;

	if (hh == NULL)
		return;
	for (size_t i = 0; i < hh->n_m; i++) {
		if (hh->m[i] == p) {
			hh->m[i] = hh->m[--hh->n_m];
			break;
		}
	}
	p->hh = NULL;
}

int household_link(struct household *hh, struct person *p)
{
	struct person **slot;

	if (p->hh == hh)
		return 0;
	household_unlink(p);
	slot = vec_grow((void **)&hh->m, &hh->n_m, &hh->cap_m, sizeof(*slot));
	if (slot == NULL)
		return -ENOMEM;
	*slot = p;
	p->hh = hh;
	return 0;
}

int32_t household_size(const struct household *hh)
{
	if (hh->has_members && hh->members > 0)
		return hh->members;
	return (int32_t)hh->n_m;
}

ymd_t person_household_from(const struct person *p)
{
	ymd_t from = p->household_from;

	for (size_t i = 0; p->hh != NULL && !p->hh->has_members && i < p->hh->n_m; i++) {
		if (p->hh->m[i]->household_from > from)
			from = p->hh->m[i]->household_from;
	}
	return from;
}

struct household_past household_now(const struct household *hh)
{
	return (struct household_past){
		.from = hh->changed_from,
		.has_members = hh->has_members,
		.members = hh->members,
		.has_income = hh->has_income,
		.monthly_income = hh->monthly_income,
		.has_area = hh->has_area,
		.housing_area_m2 = hh->housing_area_m2,
		.area = hh->area,
	};
}

void household_fill_unknown(struct household_past *e, const struct household *hh)
{
	if (!e->has_members && hh->has_members) {
		e->has_members = true;
		e->members = hh->members;
	}
	if (!e->has_income && hh->has_income) {
		e->has_income = true;
		e->monthly_income = hh->monthly_income;
	}
	if (!e->has_area && hh->has_area) {
		e->has_area = true;
		e->housing_area_m2 = hh->housing_area_m2;
	}
	if (e->area == ASSIST__AREA__AREA_UNSPECIFIED)
		e->area = hh->area;
}

const struct household *household_on(const struct household *hh, ymd_t d,
				     struct household *buf)
{
	const struct household_past *e;
	size_t i;

	if (hh == NULL || d == YMD_NONE || d >= hh->changed_from || hh->n_past == 0)
		return hh;
	for (i = hh->n_past; i > 1 && hh->past[i - 1].from > d; i--)
		;
	e = &hh->past[i - 1];
	*buf = *hh;
	buf->changed_from = e->from;
	buf->has_members = e->has_members;
	buf->members = e->members;
	buf->has_income = e->has_income;
	buf->monthly_income = e->monthly_income;
	buf->has_area = e->has_area;
	buf->housing_area_m2 = e->housing_area_m2;
	buf->area = e->area;
	buf->n_past = i - 1;
	return buf;
}

int household_supersede(struct household *hh, const struct household_past *was, ymd_t from)
{
	struct household_past *slot;

	if (hh->changed_from < from) {
		if ((slot = vec_grow((void **)&hh->past, &hh->n_past, &hh->cap_past,
				     sizeof(*slot))) == NULL)
			return -ENOMEM;
		*slot = *was;
		slot->from = hh->changed_from;
	} else {
		while (hh->n_past > 0 && hh->past[hh->n_past - 1].from >= from)
			hh->n_past--;
	}
	hh->changed_from = from;
	return 0;
}
