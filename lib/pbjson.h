/* JSON <-> protobuf for any message, driven by the protobuf-c descriptors
 * (proto3 JSON mapping with the proto's field names). Enum values are written
 * without their enum's UPPER_SNAKE prefix, lower-cased (HOSPITAL_HUIMIN ->
 * "huimin"); messages named Int64Value, DoubleValue, BoolValue map to the bare
 * value; 64-bit integers are JSON numbers. */
#ifndef ASSIST_PBJSON_H
#define ASSIST_PBJSON_H

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

enum {
	PBJSON_EMIT_DEFAULTS = 1, /* write fields holding their default value too */
};

/* A new JSON object for msg (never NULL unless out of memory). */
json_t *pbjson_encode(const ProtobufCMessage *msg, int flags);
/* Build a message of type desc from json (allocated with protobuf-c's default
 * allocator: free it with protobuf_c_message_free_unpacked(msg, NULL)).
 * Unknown keys, wrong types and unknown enum names are errors; null is an
 * absent key. On error returns -EINVAL (-ENOMEM when out of memory) and
 * writes "field.path: reason" into err. */
__attribute__((warn_unused_result)) int pbjson_decode(const ProtobufCMessageDescriptor *desc,
						      const json_t *json, ProtobufCMessage **out,
						      char *err, size_t errlen);
/* The JSON name of an enum value ("huimin") written into buf; returns buf, or
 * NULL if value is not in the enum or the name does not fit in len. */
const char *pbjson_enum_name(const ProtobufCEnumDescriptor *desc, int value, char *buf,
			     size_t len);
/* The value of an enum's JSON name, or of its full proto name, in any case;
 * 0 and *value set, or -EINVAL. */
int pbjson_enum_value(const ProtobufCEnumDescriptor *desc, const char *name, int *value);

#endif
