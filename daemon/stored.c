#include "stored.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "application.h"
#include "arena.h"
#include "record.h"
#include "state.pb-c.h"
#include "statemap.h"

static uint8_t *pack(const ProtobufCMessage *m, size_t *len)
{
	uint8_t *buf;

	*len = protobuf_c_message_get_packed_size(m);
	buf = malloc(*len ? *len : 1);
	if (buf != NULL)
		protobuf_c_message_pack(m, buf);
	return buf;
}

/* Each of p's years as a YtdYear. */
static int pack_years(struct arena *a, const struct person *p, Assist__PersonState *st)
{
	if ((st->years = arena_alloc(a, (p->n_years ? p->n_years : 1) * sizeof(*st->years))) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_years; i++) {
		Assist__YtdYear *yy = arena_alloc(a, sizeof(*yy));
		Assist__Ytd *y = arena_alloc(a, sizeof(*y));

		if (yy == NULL || y == NULL)
			return -ENOMEM;
		assist__ytd_year__init(yy);
		assist__ytd__init(y);
		statemap_fill_ytd(y, &p->years[i]);
		yy->year = p->years[i].year;
		yy->ytd = y;
		st->years[st->n_years++] = yy;
	}
	return 0;
}

/* Each category p has anything recorded for, as a CategoryState. */
static int pack_statuses(struct arena *a, const struct person *p, Assist__PersonState *st)
{
	if ((st->statuses = arena_alloc(a, STATE_CATEGORY_MAX * sizeof(*st->statuses))) == NULL)
		return -ENOMEM;
	for (int c = 1; c < STATE_CATEGORY_MAX; c++) {
		const struct category_state *cs = person_category_of(p, c);
		Assist__CategoryState *o;
		int rc;

		if (!cs->active && cs->since == YMD_NONE && cs->class_[0] == '\0')
			continue;
		if ((o = arena_alloc(a, sizeof(*o))) == NULL)
			return -ENOMEM;
		assist__category_state__init(o);
		o->category = c;
		if ((rc = pbmap_to_message(&statemap_category, cs, &o->base, a)) < 0)
			return rc;
		st->statuses[st->n_statuses++] = o;
	}
	return 0;
}

uint8_t *stored_pack_entitlements(struct entitlement_list *l, size_t *len)
{
	struct arena a = {0};
	Assist__RecipientRecord r = ASSIST__RECIPIENT_RECORD__INIT;
	uint8_t digest[STATE_LIST_DIGEST_BYTES], *out = NULL;

	if (pbmap_to_list(&statemap_entitlements, l->items, l->n, &r.base, &a) < 0 ||
	    (out = pack(&r.base, len)) == NULL)
		goto cleanup;
	if (l->hex[0] == '\0') {
		crypto_generichash(digest, sizeof(digest), out, *len, NULL, 0);
		if (state_entitlements_digested(l, digest) < 0) {
			free(out);
			out = NULL;
		}
	}
cleanup:
	arena_free(&a);
	return out;
}

int stored_unpack_entitlements(const uint8_t *digest, size_t dlen, const uint8_t *data,
			       size_t len)
{
	Assist__RecipientRecord *r = assist__recipient_record__unpack(NULL, len, data);
	uint8_t want[STATE_LIST_DIGEST_BYTES];
	struct entitlement *items = NULL;
	const struct entitlement *shared;
	struct entitlement_list *l;
	size_t n = 0, cap = 0;
	int rc = -EINVAL;

	crypto_generichash(want, sizeof(want), data, len, NULL, 0);
	if (r == NULL || dlen != sizeof(want) || sodium_memcmp(want, digest, dlen) != 0 ||
	    r->n_entitlements == 0)
		goto cleanup;
	if ((rc = pbmap_from_list(&statemap_entitlements, &r->base, (void **)&items, &n, &cap)) < 0)
		goto cleanup;
	rc = -ENOMEM;
	if ((shared = state_entitlements_intern(items, n)) == NULL)
		goto cleanup;
	l = state_entitlements_list(shared);
	if (l->hex[0] == '\0' && state_entitlements_digested(l, digest) < 0)
		goto cleanup;
	l->stored = true;
	rc = 0;
cleanup:
	free(items);
	if (r != NULL)
		assist__recipient_record__free_unpacked(r, NULL);
	return rc;
}

/* The digest of p's entitlement list into st (made when first asked for). */
static int name_entitlements(const struct person *p, Assist__PersonState *st)
{
	struct entitlement_list *l;
	size_t len;

	if (p->n_entitlements == 0)
		return 0;
	l = state_entitlements_list(p->entitlements);
	if (l->hex[0] == '\0') {
		uint8_t *packed = stored_pack_entitlements(l, &len);

		if (packed == NULL)
			return -ENOMEM;
		free(packed);
	}
	st->entitlement_list.data = l->digest;
	st->entitlement_list.len = sizeof(l->digest);
	return 0;
}

/* p's stored form into st, in a, but for the years and the one-time and
 * claim keys. */
static int fill_core(struct arena *a, const struct person *p, Assist__PersonState *st)
{
	st->record = record_base(a, p, true);
	if (st->record == NULL || name_entitlements(p, st) < 0 || pack_statuses(a, p, st) < 0 ||
	    pbmap_to_list(&statemap_enrollments, p->enrollments, p->n_enrollments, &st->base,
			  a) < 0 ||
	    pbmap_to_message(&statemap_person_state, p, &st->base, a) < 0)
		return -ENOMEM;
	return 0;
}

/* What a claim changes of p into st, in a (all of a delta's fields), but
 * for p's first after claim keys, which its row holds. */
static int fill_delta(struct arena *a, const struct person *p, size_t after,
		      Assist__PersonState *st)
{
	st->once_keys = p->once_keys;
	st->n_once_keys = p->n_once_keys;
	st->claim_keys = p->claim_keys + after;
	st->n_claim_keys = p->n_claim_keys - after;
	st->claim_keys_after = (uint32_t)after;
	st->latest_date = p->latest_date;
	st->updated_at_ms = p->updated_at_ms;
	return pack_years(a, p, st);
}

uint8_t *stored_pack_person(const struct person *p, size_t *len)
{
	struct arena a = {0};
	Assist__PersonState st = ASSIST__PERSON_STATE__INIT;
	uint8_t *out = NULL;

	if (fill_core(&a, p, &st) == 0 && fill_delta(&a, p, 0, &st) == 0)
		out = pack(&st.base, len);
	arena_free(&a);
	return out;
}

/* Fixed, not secret: the digest only tells whether a row must be written. */
static const unsigned char core_key[crypto_shorthash_KEYBYTES] = "assist core key";

/* The digest of st as fill_core left it, less the stamps a claim moves (the
 * record's version, feed sequence and time, the latest date), which are
 * put back after. */
static int digest_core(struct arena *a, Assist__PersonState *st, uint64_t *core)
{
	Assist__RecipientRecord *r = st->record;
	uint64_t version = r->version, seq = r->feed_seq;
	char *at = r->updated_at;
	int32_t latest = st->latest_date;
	int64_t ms = st->updated_at_ms;
	unsigned char h[crypto_shorthash_BYTES];
	uint8_t *packed;
	size_t len;

	r->version = r->feed_seq = 0;
	r->updated_at = (char *)protobuf_c_empty_string;
	st->latest_date = 0;
	st->updated_at_ms = 0;
	len = protobuf_c_message_get_packed_size(&st->base);
	if ((packed = arena_alloc(a, len ? len : 1)) != NULL) {
		protobuf_c_message_pack(&st->base, packed);
		crypto_shorthash(h, packed, len, core_key);
		memcpy(core, h, sizeof(*core));
		*core |= 1; /* never 0, which means not known */
	}
	r->version = version;
	r->feed_seq = seq;
	r->updated_at = at;
	st->latest_date = latest;
	st->updated_at_ms = ms;
	return packed != NULL ? 0 : -ENOMEM;
}

int stored_form(const struct person *p, uint64_t known, uint64_t *core, uint8_t **form,
		size_t *len)
{
	struct arena a = {0};
	Assist__PersonState st = ASSIST__PERSON_STATE__INIT;
	int rc;

	*form = NULL;
	if ((rc = fill_core(&a, p, &st)) < 0 || (rc = digest_core(&a, &st, core)) < 0 ||
	    *core == known)
		goto cleanup;
	if ((rc = fill_delta(&a, p, 0, &st)) == 0 && (*form = pack(&st.base, len)) == NULL)
		rc = -ENOMEM;
cleanup:
	arena_free(&a);
	return rc;
}

uint8_t *stored_pack_delta(const struct person *p, size_t *len)
{
	struct arena a = {0};
	Assist__PersonState st = ASSIST__PERSON_STATE__INIT;
	uint8_t *out = NULL;
	/* Claim keys only grow: a delta carries those its batch added. */
	size_t after = p->keys_stored <= p->n_claim_keys ? p->keys_stored : 0;

	if (fill_delta(&a, p, after, &st) == 0)
		out = pack(&st.base, len);
	arena_free(&a);
	return out;
}

/* The record's fields and lists into p; not its ledger and alerts, which a
 * stored form written before they left it still holds: the ledger and alert
 * tables have the same entries. */
static int unpack_record(struct person *p, const Assist__RecipientRecord *r)
{
	struct entitlement *list = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if ((rc = pbmap_from_message(&statemap_person, &r->base, p)) < 0 ||
	    (rc = pbmap_from_list(&statemap_benefits, &r->base, (void **)&p->benefits,
				  &p->n_benefits, &p->cap_benefits)) < 0 ||
	    (rc = pbmap_from_list(&statemap_entitlements, &r->base, (void **)&list, &n, &cap)) < 0 ||
	    n == 0)
		goto cleanup; /* none inside: a row that names its list, or has none */
	p->entitlements = state_entitlements_intern(list, n);
	p->n_entitlements = p->entitlements != NULL ? n : 0;
	rc = p->entitlements == NULL ? -ENOMEM : 0;
cleanup:
	free(list);
	return rc < 0 ? rc : application_from_record(p, r);
}

/* The years and the one-time and claim keys of st into p. */
static int unpack_claims(struct person *p, const Assist__PersonState *st)
{
	for (size_t i = 0; i < st->n_years; i++) {
		struct ytd *y = person_ytd(p, st->years[i]->year);

		if (y == NULL)
			return -ENOMEM;
		if (st->years[i]->ytd != NULL)
			statemap_read_ytd(y, st->years[i]->ytd);
	}
	for (size_t i = 0; i < st->n_once_keys; i++) {
		if (person_add_once_key(p, st->once_keys[i]) < 0)
			return -ENOMEM;
	}
	for (size_t i = 0; i < st->n_claim_keys; i++) {
		if (person_add_claim_key(p, st->claim_keys[i]) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The categories, years, keys and own fields of st into p. */
static int unpack_extras(struct person *p, const Assist__PersonState *st)
{
	int rc;

	for (size_t i = 0; i < st->n_statuses; i++) {
		const Assist__CategoryState *o = st->statuses[i];

		struct category_state *cs;

		if (o->category <= 0 || o->category >= STATE_CATEGORY_MAX)
			continue;
		if ((cs = person_category(p, o->category)) == NULL)
			return -ENOMEM;
		if (pbmap_from_message(&statemap_category, &o->base, cs) < 0)
			return -EINVAL;
	}
	if ((rc = unpack_claims(p, st)) < 0)
		return rc;
	return pbmap_from_message(&statemap_person_state, &st->base, p);
}

int stored_apply_delta(struct person *p, const uint8_t *data, size_t len)
{
	Assist__PersonState *st = assist__person_state__unpack(NULL, len, data);
	int rc = -EINVAL;

	if (st == NULL || st->record != NULL || st->claim_keys_after > p->n_claim_keys)
		goto cleanup;
	person_forget_claims(p, st->claim_keys_after);
	if ((rc = unpack_claims(p, st)) < 0)
		goto cleanup;
	p->latest_date = st->latest_date;
	p->updated_at_ms = st->updated_at_ms;
cleanup:
	if (st != NULL)
		assist__person_state__free_unpacked(st, NULL);
	return rc;
}

/* The shared list st names, when known (a row the store read, or one this
 * process made): else p has no entitlements until they are computed again. */
static void named_entitlements(struct person *p, const Assist__PersonState *st)
{
	char hex[2 * STATE_LIST_DIGEST_BYTES + 1];
	struct entitlement_list *l;

	if (st->entitlement_list.len != STATE_LIST_DIGEST_BYTES)
		return;
	sodium_bin2hex(hex, sizeof(hex), st->entitlement_list.data, st->entitlement_list.len);
	if ((l = state_entitlements_by_digest(hex)) != NULL) {
		p->entitlements = l->items;
		p->n_entitlements = l->n;
	}
}

struct person *stored_unpack_person(const uint8_t *data, size_t len)
{
	Assist__PersonState *st = assist__person_state__unpack(NULL, len, data);
	struct person *p = NULL;

	if (st == NULL || st->record == NULL || st->record->id_number == NULL)
		goto cleanup;
	p = person_new(st->record->id_number);
	if (p != NULL)
		named_entitlements(p, st);
	if (p != NULL &&
	    (unpack_record(p, st->record) < 0 || unpack_extras(p, st) < 0 ||
	     pbmap_from_list(&statemap_enrollments, &st->base, (void **)&p->enrollments,
			     &p->n_enrollments, &p->cap_enrollments) < 0)) {
		person_free(p);
		p = NULL;
	}
	if (p != NULL)
		p->stored = true;
cleanup:
	if (st != NULL)
		assist__person_state__free_unpacked(st, NULL);
	return p;
}

uint8_t *stored_pack_household(const struct household *hh, size_t *len)
{
	struct arena a = {0};
	Assist__HouseholdState st = ASSIST__HOUSEHOLD_STATE__INIT;
	uint8_t *out = NULL;

	if (pbmap_to_message(&statemap_household, hh, &st.base, &a) == 0 &&
	    pbmap_to_list(&statemap_household_past, hh->past, hh->n_past, &st.base, &a) == 0)
		out = pack(&st.base, len);
	arena_free(&a);
	return out;
}

struct household *stored_unpack_household(const uint8_t *data, size_t len)
{
	Assist__HouseholdState *st = assist__household_state__unpack(NULL, len, data);
	struct household *hh = NULL;

	if (st == NULL)
		return NULL;
	hh = household_new(st->household_id);
	if (hh != NULL && (pbmap_from_message(&statemap_household, &st->base, hh) < 0 ||
			   pbmap_from_list(&statemap_household_past, &st->base, (void **)&hh->past,
					   &hh->n_past, &hh->cap_past) < 0)) {
		household_free(hh);
		hh = NULL;
	}
	if (hh != NULL)
		hh->stored = true;
	assist__household_state__free_unpacked(st, NULL);
	return hh;
}

/* A copy of the n items of size bytes at from, or NULL (none, or no memory). */
static void *copy_items(const void *from, size_t n, size_t size, bool *failed)
{
	void *to = n > 0 ? malloc(n * size) : NULL;

	if (to != NULL)
		memcpy(to, from, n * size);
	*failed = *failed || (n > 0 && to == NULL);
	return to;
}

struct person *stored_copy_person(const struct person *p)
{
	size_t len;
	uint8_t *data = stored_pack_person(p, &len);
	struct person *c = data != NULL ? stored_unpack_person(data, len) : NULL;
	bool failed = false;

	free(data);
	if (c == NULL)
		return NULL;
	c->ledger = copy_items(p->ledger, p->n_ledger, sizeof(*p->ledger), &failed);
	c->n_ledger = c->cap_ledger = c->ledger != NULL ? p->n_ledger : 0;
	c->alerts = copy_items(p->alerts, p->n_alerts, sizeof(*p->alerts), &failed);
	c->n_alerts = c->cap_alerts = c->alerts != NULL ? p->n_alerts : 0;
	if (failed) {
		person_free(c);
		return NULL;
	}
	return c;
}
