/* Field maps between plain C structs and protobuf-c messages: a table per
 * struct of {proto field name, offset, size, type}, and one pair of generic
 * copies driven by it and the message's descriptor. The field is found by
 * name, so a map is checked against its descriptor once, at start
 * (pbmap_check), and the copies trust it afterwards. */
#ifndef ASSIST_PBMAP_H
#define ASSIST_PBMAP_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

#include "arena.h"

enum pbmap_type {
	PBMAP_TEXT,           /* char[size] <-> string (copied back truncated to the array) */
	PBMAP_CSTR,           /* const char * (NULL: empty) -> string; struct to message only */
	PBMAP_ATOM,           /* const char *, an atom (lib/atom.h) <-> string */
	PBMAP_DATE,           /* ymd_t <-> "YYYY-MM-DD"; empty for YMD_NONE, and text that is
			       * no date reads as YMD_NONE */
	PBMAP_ENUM,           /* a C enum <-> an enum field */
	PBMAP_INT32,          /* int32_t <-> int32 */
	PBMAP_INT64,          /* int64_t (fen_t) <-> int64 */
	PBMAP_UINT64,         /* uint64_t <-> uint64 */
	PBMAP_BOOL,           /* bool <-> bool */
	PBMAP_DOUBLE,         /* double <-> double */
	PBMAP_BENEFIT_STATUS, /* bool (active) <-> BenefitStatus ACTIVE / ENDED */
	PBMAP_MESSAGE,        /* a nested message through .sub; absent on the wire: left as is */
};

struct pbmap;

struct pbmap_field {
	const char *name;         /* the proto field, as the .proto spells it */
	size_t offset;            /* of the member in the struct */
	size_t size;              /* of the member */
	enum pbmap_type type;
	const struct pbmap *sub;  /* PBMAP_MESSAGE: its map, offsets counted from .offset */
};

struct pbmap {
	const ProtobufCMessageDescriptor *desc;
	size_t size; /* of the struct */
	const struct pbmap_field *fields;
	size_t n_fields;
};

/* A repeated message field: structs side by side <-> the field of parent. */
struct pbmap_list {
	const ProtobufCMessageDescriptor *parent;
	const char *field;
	const struct pbmap *item;
};

/* A row of a map: member of struct type as the proto field name. */
#define PBMAP_FIELD(type, member, name, kind)                                                     \
	{ (name), offsetof(type, member), sizeof(((type *)0)->member), (kind), NULL }

/* Whether every row of map names a field of map->desc of its type and lies
 * inside the struct (nested maps too); 0, or -EINVAL with the first fault in
 * err. */
__attribute__((warn_unused_result)) int pbmap_check(const struct pbmap *map, char *err,
						    size_t errlen);
/* pbmap_check of list's item, and whether its field is a repeated field of
 * the item's message in list->parent; 0, or -EINVAL as above. */
__attribute__((warn_unused_result)) int pbmap_check_list(const struct pbmap_list *list,
							 char *err, size_t errlen);
/* Set the fields of m (an initialized map->desc message) from the struct at
 * s. Text points into s; dates and nested messages are made in a, so m lives
 * as long as both. 0, -ENOMEM, or -EINVAL for a row m has no field for. */
__attribute__((warn_unused_result)) int pbmap_to_message(const struct pbmap *map, const void *s,
							 ProtobufCMessage *m, struct arena *a);
/* Set the members of the struct at s from m: text copied, dates parsed. 0,
 * or -EINVAL for a row m has no field for. */
__attribute__((warn_unused_result)) int pbmap_from_message(const struct pbmap *map,
							   const ProtobufCMessage *m, void *s);
/* Set list's field of m (a list->parent message) to n messages made in a
 * from the n structs at items. 0, -ENOMEM or -EINVAL. */
__attribute__((warn_unused_result)) int pbmap_to_list(const struct pbmap_list *list,
						      const void *items, size_t n,
						      ProtobufCMessage *m, struct arena *a);
/* Append to the vector (*items, *n, *cap; lib/vec.h) a struct for each
 * message of list's field of m. 0, -ENOMEM or -EINVAL. */
__attribute__((warn_unused_result)) int pbmap_from_list(const struct pbmap_list *list,
							const ProtobufCMessage *m, void **items,
							size_t *n, size_t *cap);

#endif
