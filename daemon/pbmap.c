#include "pbmap.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "assist.pb-c.h"
#include "atom.h"
#include "vec.h"
#include "ymd.h"

/* What each type needs of the proto field and of the C member (size 0: any). */
static const struct {
	ProtobufCType pb;
	size_t size;
} kinds[] = {
	[PBMAP_TEXT] = {PROTOBUF_C_TYPE_STRING, 0},
	[PBMAP_CSTR] = {PROTOBUF_C_TYPE_STRING, sizeof(const char *)},
	[PBMAP_ATOM] = {PROTOBUF_C_TYPE_STRING, sizeof(const char *)},
	[PBMAP_DATE] = {PROTOBUF_C_TYPE_STRING, sizeof(ymd_t)},
	[PBMAP_ENUM] = {PROTOBUF_C_TYPE_ENUM, sizeof(int)},
	[PBMAP_INT32] = {PROTOBUF_C_TYPE_INT32, sizeof(int32_t)},
	[PBMAP_INT64] = {PROTOBUF_C_TYPE_INT64, sizeof(int64_t)},
	[PBMAP_UINT64] = {PROTOBUF_C_TYPE_UINT64, sizeof(uint64_t)},
	[PBMAP_BOOL] = {PROTOBUF_C_TYPE_BOOL, sizeof(bool)},
	[PBMAP_DOUBLE] = {PROTOBUF_C_TYPE_DOUBLE, sizeof(double)},
	[PBMAP_BENEFIT_STATUS] = {PROTOBUF_C_TYPE_ENUM, sizeof(bool)},
	[PBMAP_MESSAGE] = {PROTOBUF_C_TYPE_MESSAGE, 0},
};

/* A lookup by name is a binary search of strcmps, made at every use of
 * every row (9 % of assistd's CPU in a benchmark). The maps are static
 * tables whose names are string literals, so the answer is kept by the
 * addresses of descriptor and name, in an open-addressed table that the
 * few hundred rows never fill (a cache that evicted on collision thrashed
 * between two rows of one record). Only assistd's loop thread maps. */
#define FIELD_CACHE 1024

static struct {
	const ProtobufCMessageDescriptor *desc;
	const char *name;
	const ProtobufCFieldDescriptor *field;
} field_cache[FIELD_CACHE];

static const ProtobufCFieldDescriptor *field_of(const ProtobufCMessageDescriptor *desc,
						const char *name)
{
	uint64_t k = ((uint64_t)(uintptr_t)name ^ ((uint64_t)(uintptr_t)desc << 17)) *
		     UINT64_C(0x9E3779B97F4A7C15);
	size_t h = (size_t)(k >> 54); /* 10 bits: FIELD_CACHE */

	for (size_t probe = 0; probe < FIELD_CACHE; probe++, h = (h + 1) % FIELD_CACHE) {
		if (field_cache[h].name == name && field_cache[h].desc == desc)
			return field_cache[h].field;
		if (field_cache[h].name == NULL) {
			field_cache[h].desc = desc;
			field_cache[h].name = name;
			field_cache[h].field =
				protobuf_c_message_descriptor_get_field_by_name(desc, name);
			return field_cache[h].field;
		}
	}
	return protobuf_c_message_descriptor_get_field_by_name(desc, name);
}

/* The fault of row r of map, or NULL when it agrees with the descriptor. */
static const char *row_fault(const struct pbmap *map, const struct pbmap_field *r)
{
	const ProtobufCFieldDescriptor *f = field_of(map->desc, r->name);

	if ((size_t)r->type >= sizeof(kinds) / sizeof(kinds[0]))
		return "an unknown type";
	if (f == NULL)
		return "no such field";
	if (f->label != PROTOBUF_C_LABEL_NONE)
		return "a repeated or optional field";
	if (f->type != kinds[r->type].pb)
		return "a field of another type";
	if (kinds[r->type].size != 0 && r->size != kinds[r->type].size)
		return "a member of another size";
	if (r->size == 0 || r->offset > map->size || r->size > map->size - r->offset)
		return "a member outside the struct";
	if (r->type == PBMAP_BENEFIT_STATUS && f->descriptor != &assist__benefit_status__descriptor)
		return "an enum that is not BenefitStatus";
	if (r->type == PBMAP_MESSAGE &&
	    (r->sub == NULL || f->descriptor != r->sub->desc || r->sub->size != r->size))
		return "a message its map does not describe";
	return NULL;
}

int pbmap_check(const struct pbmap *map, char *err, size_t errlen)
{
	for (size_t i = 0; i < map->n_fields; i++) {
		const struct pbmap_field *r = &map->fields[i];
		const char *fault = row_fault(map, r);

		if (fault != NULL) {
			snprintf(err, errlen, "map of %s: field %s: %s", map->desc->name, r->name,
				 fault);
			return -EINVAL;
		}
		if (r->type == PBMAP_MESSAGE && pbmap_check(r->sub, err, errlen) < 0)
			return -EINVAL;
	}
	return 0;
}

int pbmap_check_list(const struct pbmap_list *list, char *err, size_t errlen)
{
	const ProtobufCFieldDescriptor *f = field_of(list->parent, list->field);

	if (f == NULL || f->label != PROTOBUF_C_LABEL_REPEATED || f->type != PROTOBUF_C_TYPE_MESSAGE ||
	    f->descriptor != list->item->desc) {
		snprintf(err, errlen, "list %s.%s: no repeated %s field", list->parent->name,
			 list->field, list->item->desc->name);
		return -EINVAL;
	}
	return pbmap_check(list->item, err, errlen);
}

/* The string a text, const char * or date member shows as; NULL when out of
 * memory. */
static char *text_of(struct arena *a, const void *member, enum pbmap_type type)
{
	char buf[YMD_BUFLEN];
	const char *s;

	switch (type) {
	case PBMAP_TEXT:
		return (char *)member;
	case PBMAP_CSTR:
	case PBMAP_ATOM:
		s = *(const char *const *)member;
		return (char *)(s != NULL ? s : "");
	default:
		return arena_strdup(a, ymd_format(*(const ymd_t *)member, buf));
	}
}

/* A new map->desc message in a, set from the struct at s; NULL when out of
 * memory (or for a map that did not pass pbmap_check). */
static ProtobufCMessage *new_message(const struct pbmap *map, const void *s, struct arena *a)
{
	ProtobufCMessage *m = arena_alloc(a, map->desc->sizeof_message);

	if (m == NULL)
		return NULL;
	protobuf_c_message_init(map->desc, m);
	return pbmap_to_message(map, s, m, a) == 0 ? m : NULL;
}

/* Whether r's member and field hold the same C type, copied as bytes. */
static bool plain(enum pbmap_type type)
{
	return type == PBMAP_ENUM || type == PBMAP_INT32 || type == PBMAP_INT64 ||
	       type == PBMAP_UINT64 || type == PBMAP_DOUBLE;
}

/* One row from the member at src into the field at dst; 0 or -ENOMEM. */
static int put(const struct pbmap_field *r, const void *src, void *dst, struct arena *a)
{
	if (plain(r->type)) {
		memcpy(dst, src, r->size);
		return 0;
	}
	switch (r->type) {
	case PBMAP_BOOL:
		*(protobuf_c_boolean *)dst = *(const bool *)src;
		return 0;
	case PBMAP_BENEFIT_STATUS:
		*(int *)dst = *(const bool *)src ? ASSIST__BENEFIT_STATUS__BENEFIT_STATUS_ACTIVE
						  : ASSIST__BENEFIT_STATUS__BENEFIT_STATUS_ENDED;
		return 0;
	case PBMAP_MESSAGE:
		*(ProtobufCMessage **)dst = new_message(r->sub, src, a);
		return *(ProtobufCMessage **)dst != NULL ? 0 : -ENOMEM;
	default:
		*(char **)dst = text_of(a, src, r->type);
		return *(char **)dst != NULL ? 0 : -ENOMEM;
	}
}

/* The date in s; YMD_NONE for empty text or text that is no date. */
static ymd_t parse_date(const char *s)
{
	ymd_t d = YMD_NONE;

	if (s != NULL && *s != '\0' && ymd_parse(s, &d) < 0)
		d = YMD_NONE;
	return d;
}

/* One row from the field at src into the member at dst; 0, -EINVAL or
 * -ENOMEM. */
static int get(const struct pbmap_field *r, const void *src, void *dst)
{
	const ProtobufCMessage *sub;
	const char *text;

	if (plain(r->type)) {
		memcpy(dst, src, r->size);
		return 0;
	}
	switch (r->type) {
	case PBMAP_TEXT:
		text = *(char *const *)src;
		snprintf(dst, r->size, "%s", text != NULL ? text : "");
		return 0;
	case PBMAP_DATE:
		*(ymd_t *)dst = parse_date(*(char *const *)src);
		return 0;
	case PBMAP_ATOM:
		text = *(char *const *)src;
		*(const char **)dst = atom_intern(text != NULL ? text : "");
		return *(const char **)dst != NULL ? 0 : -ENOMEM;
	case PBMAP_BOOL:
		*(bool *)dst = *(const protobuf_c_boolean *)src != 0;
		return 0;
	case PBMAP_BENEFIT_STATUS:
		*(bool *)dst = *(const int *)src == ASSIST__BENEFIT_STATUS__BENEFIT_STATUS_ACTIVE;
		return 0;
	case PBMAP_MESSAGE:
		sub = *(ProtobufCMessage *const *)src;
		return sub != NULL ? pbmap_from_message(r->sub, sub, dst) : 0;
	default: /* PBMAP_CSTR: nothing to copy into */
		return 0;
	}
}

/* Each row of map between the struct at s and the message m: into m (made
 * in a) or into s. */
static int each_row(const struct pbmap *map, const void *s, const ProtobufCMessage *m,
		    struct arena *a, bool into_message)
{
	for (size_t i = 0; i < map->n_fields; i++) {
		const struct pbmap_field *r = &map->fields[i];
		const ProtobufCFieldDescriptor *f = field_of(map->desc, r->name);
		char *member = (char *)s + r->offset, *field;
		int rc;

		if (f == NULL)
			return -EINVAL;
		field = (char *)m + f->offset;
		rc = into_message ? put(r, member, field, a) : get(r, field, member);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int pbmap_to_message(const struct pbmap *map, const void *s, ProtobufCMessage *m, struct arena *a)
{
	return each_row(map, s, m, a, true);
}

int pbmap_from_message(const struct pbmap *map, const ProtobufCMessage *m, void *s)
{
	return each_row(map, s, m, NULL, false);
}

int pbmap_to_list(const struct pbmap_list *list, const void *items, size_t n, ProtobufCMessage *m,
		  struct arena *a)
{
	const ProtobufCFieldDescriptor *f = field_of(list->parent, list->field);
	ProtobufCMessage **arr;

	if (f == NULL || m->descriptor != list->parent)
		return -EINVAL;
	if ((arr = arena_alloc(a, (n ? n : 1) * sizeof(*arr))) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		arr[i] = new_message(list->item, (const char *)items + i * list->item->size, a);
		if (arr[i] == NULL)
			return -ENOMEM;
	}
	*(size_t *)((char *)m + f->quantifier_offset) = n;
	*(ProtobufCMessage ***)((char *)m + f->offset) = arr;
	return 0;
}

int pbmap_from_list(const struct pbmap_list *list, const ProtobufCMessage *m, void **items,
		    size_t *n, size_t *cap)
{
	const ProtobufCFieldDescriptor *f = field_of(list->parent, list->field);
	ProtobufCMessage *const *arr;
	size_t count;

	if (f == NULL || m->descriptor != list->parent)
		return -EINVAL;
	count = *(const size_t *)((const char *)m + f->quantifier_offset);
	arr = *(ProtobufCMessage *const *const *)((const char *)m + f->offset);
	for (size_t i = 0; i < count; i++) {
		void *s = vec_grow(items, n, cap, list->item->size);
		int rc;

		if (s == NULL)
			return -ENOMEM;
		if ((rc = pbmap_from_message(list->item, arr[i], s)) < 0)
			return rc;
	}
	return 0;
}
