#include "pbjson.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "utf8.h"

#define PBJSON_PATH_MAX 256
#define PBJSON_NAME_MAX 128
#define PBJSON_REASON_MAX 256

/* Where a decode is ("person.categories[2]"), so errors can name the field. */
struct pbjson_dec {
	char path[PBJSON_PATH_MAX];
	size_t len;
	char *err;
	size_t errlen;
};

static const char *const pbjson_wrappers[] = {"Int64Value", "DoubleValue", "BoolValue"};

static void *pbjson_member(const ProtobufCMessage *msg, unsigned offset)
{
	return (char *)msg + offset;
}

/* Wrappers stand for their bare value in JSON, as google.protobuf's do. */
static bool pbjson_is_wrapper(const ProtobufCMessageDescriptor *desc)
{
	if (desc->n_fields != 1 || strcmp(desc->fields[0].name, "value") != 0)
		return false;
	for (size_t i = 0; i < sizeof(pbjson_wrappers) / sizeof(pbjson_wrappers[0]); i++) {
		if (strcmp(desc->short_name, pbjson_wrappers[i]) == 0)
			return true;
	}
	return false;
}

static size_t pbjson_elem_size(ProtobufCType type)
{
	switch (type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_ENUM:
		return sizeof(int32_t);
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		return sizeof(int64_t);
	case PROTOBUF_C_TYPE_FLOAT:
		return sizeof(float);
	case PROTOBUF_C_TYPE_DOUBLE:
		return sizeof(double);
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_STRING:
		return sizeof(char *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(ProtobufCMessage *);
	}
	return 0;
}

/* protobuf-c gives optional scalars and bytes a has_ flag; strings and
 * messages use the pointer instead. */
static bool pbjson_has_flag(const ProtobufCFieldDescriptor *f)
{
	return f->label == PROTOBUF_C_LABEL_OPTIONAL && !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
	       f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE;
}

/* ---- enum names ----------------------------------------------------------- */

/* "BenefitStatus" -> "BENEFIT_STATUS_", the prefix its values carry. */
static void pbjson_enum_prefix(const ProtobufCEnumDescriptor *desc, char *buf, size_t len)
{
	const char *s = desc->short_name;
	size_t n = 0;

	for (size_t i = 0; s[i] != '\0' && n + 4 <= len; i++) {
		unsigned char c = s[i];
		unsigned char prev = i > 0 ? s[i - 1] : 0;
		unsigned char next = s[i + 1];

		if (i > 0 && isupper(c) &&
		    (islower(prev) || isdigit(prev) || (isupper(prev) && islower(next))))
			buf[n++] = '_';
		buf[n++] = toupper(c);
	}
	buf[n++] = '_';
	buf[n] = '\0';
}

static const char *pbjson_strip(const char *name, const char *prefix)
{
	size_t plen = strlen(prefix);

	if (strncmp(name, prefix, plen) == 0 && name[plen] != '\0')
		return name + plen;
	return name;
}

const char *pbjson_enum_name(const ProtobufCEnumDescriptor *desc, int value, char *buf,
			     size_t len)
{
	const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(desc, value);
	char prefix[PBJSON_NAME_MAX];
	const char *name;
	size_t n;

	if (v == NULL)
		return NULL;
	pbjson_enum_prefix(desc, prefix, sizeof(prefix));
	name = pbjson_strip(v->name, prefix);
	n = strlen(name);
	if (n >= len)
		return NULL;
	for (size_t i = 0; i <= n; i++)
		buf[i] = tolower((unsigned char)name[i]);
	return buf;
}

int pbjson_enum_value(const ProtobufCEnumDescriptor *desc, const char *name, int *value)
{
	char prefix[PBJSON_NAME_MAX];

	pbjson_enum_prefix(desc, prefix, sizeof(prefix));
	for (unsigned i = 0; i < desc->n_values; i++) {
		if (strcasecmp(pbjson_strip(desc->values[i].name, prefix), name) == 0) {
			*value = desc->values[i].value;
			return 0;
		}
	}
	/* The full proto name, as the standard proto3 JSON mapping writes it. */
	for (unsigned i = 0; i < desc->n_values; i++) {
		if (strcasecmp(desc->values[i].name, name) == 0) {
			*value = desc->values[i].value;
			return 0;
		}
	}
	return -EINVAL;
}

/* ---- encoding ------------------------------------------------------------- */

/* Beyond INT64_MAX a jansson integer cannot hold it: a decimal string then,
 * which decoding accepts. */
static json_t *pbjson_encode_uint64(uint64_t v)
{
	char buf[24];

	if (v <= INT64_MAX)
		return json_integer((json_int_t)v);
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return json_string(buf);
}

/* JSON has no NaN or infinities; proto3 JSON spells them as strings. */
static json_t *pbjson_encode_double(double v)
{
	if (isnan(v))
		return json_string("NaN");
	if (isinf(v))
		return json_string(v > 0 ? "Infinity" : "-Infinity");
	return json_real(v);
}

static json_t *pbjson_encode_enum(const ProtobufCEnumDescriptor *desc, int v)
{
	char buf[PBJSON_NAME_MAX];
	const char *name = pbjson_enum_name(desc, v, buf, sizeof(buf));

	return name != NULL ? json_string(name) : json_integer(v);
}

/* protobuf-c does not check UTF-8 when unpacking, jansson refuses invalid
 * UTF-8: such a string is written with each bad byte as the text "\\xNN"
 * (utf8_clean) rather than failing the whole record. */
static json_t *pbjson_encode_string(const char *s)
{
	json_t *j;
	char *copy;

	if (s == NULL)
		return json_string("");
	if ((j = json_string(s)) != NULL)
		return j;
	if ((copy = utf8_clean(s, strlen(s), SIZE_MAX)) == NULL)
		return NULL;
	j = json_string(copy);
	free(copy);
	return j;
}

static json_t *pbjson_encode_bytes(const ProtobufCBinaryData *b)
{
	size_t len = sodium_base64_encoded_len(b->len, sodium_base64_VARIANT_ORIGINAL);
	char *buf;
	json_t *j;

	if (b->len == 0)
		return json_string("");
	if ((buf = malloc(len)) == NULL)
		return NULL;
	sodium_bin2base64(buf, len, b->data, b->len, sodium_base64_VARIANT_ORIGINAL);
	j = json_string(buf);
	free(buf);
	return j;
}

static json_t *pbjson_encode_value(const ProtobufCFieldDescriptor *f, const void *slot,
				   int flags)
{
	const ProtobufCMessage *sub;
	const ProtobufCFieldDescriptor *inner;

	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		return json_integer(*(const int32_t *)slot);
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		return json_integer(*(const uint32_t *)slot);
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		return json_integer(*(const int64_t *)slot);
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		return pbjson_encode_uint64(*(const uint64_t *)slot);
	case PROTOBUF_C_TYPE_FLOAT:
		return pbjson_encode_double(*(const float *)slot);
	case PROTOBUF_C_TYPE_DOUBLE:
		return pbjson_encode_double(*(const double *)slot);
	case PROTOBUF_C_TYPE_BOOL:
		return json_boolean(*(const protobuf_c_boolean *)slot);
	case PROTOBUF_C_TYPE_ENUM:
		return pbjson_encode_enum(f->descriptor, *(const int *)slot);
	case PROTOBUF_C_TYPE_STRING:
		return pbjson_encode_string(*(const char *const *)slot);
	case PROTOBUF_C_TYPE_BYTES:
		return pbjson_encode_bytes(slot);
	case PROTOBUF_C_TYPE_MESSAGE:
		sub = *(const ProtobufCMessage *const *)slot;
		if (!pbjson_is_wrapper(sub->descriptor))
			return pbjson_encode(sub, flags);
		inner = &sub->descriptor->fields[0];
		return pbjson_encode_value(inner, pbjson_member(sub, inner->offset), flags);
	}
	return NULL;
}

static bool pbjson_is_default(const ProtobufCFieldDescriptor *f, const void *slot)
{
	const char *s;

	switch (f->type) {
	case PROTOBUF_C_TYPE_FLOAT:
		return *(const float *)slot == 0;
	case PROTOBUF_C_TYPE_DOUBLE:
		return *(const double *)slot == 0;
	case PROTOBUF_C_TYPE_BOOL:
		return !*(const protobuf_c_boolean *)slot;
	case PROTOBUF_C_TYPE_STRING:
		s = *(const char *const *)slot;
		return s == NULL || s[0] == '\0';
	case PROTOBUF_C_TYPE_BYTES:
		return ((const ProtobufCBinaryData *)slot)->len == 0;
	case PROTOBUF_C_TYPE_MESSAGE:
		return *(const ProtobufCMessage *const *)slot == NULL;
	default:
		/* the integers and enums */
		if (pbjson_elem_size(f->type) == sizeof(uint32_t))
			return *(const uint32_t *)slot == 0;
		return *(const uint64_t *)slot == 0;
	}
}

static bool pbjson_written(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f,
			   int flags)
{
	const void *slot = pbjson_member(msg, f->offset);
	const void *quantifier = pbjson_member(msg, f->quantifier_offset);
	const char *s;

	if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) && *(const uint32_t *)quantifier != f->id)
		return false;
	if (f->label == PROTOBUF_C_LABEL_REPEATED)
		return *(const size_t *)quantifier > 0 || (flags & PBJSON_EMIT_DEFAULTS);
	if (f->type == PROTOBUF_C_TYPE_MESSAGE)
		return *(const ProtobufCMessage *const *)slot != NULL;
	if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) || f->label == PROTOBUF_C_LABEL_REQUIRED)
		return true;
	if (pbjson_has_flag(f))
		return *(const protobuf_c_boolean *)quantifier;
	if (f->label == PROTOBUF_C_LABEL_OPTIONAL) {
		s = *(const char *const *)slot;
		return s != NULL && s != f->default_value;
	}
	return (flags & PBJSON_EMIT_DEFAULTS) || !pbjson_is_default(f, slot);
}

static json_t *pbjson_encode_array(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f,
				   int flags)
{
	size_t n = *(const size_t *)pbjson_member(msg, f->quantifier_offset);
	const char *arr = *(const char *const *)pbjson_member(msg, f->offset);
	size_t size = pbjson_elem_size(f->type);
	json_t *a = json_array();

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (json_array_append_new(a, pbjson_encode_value(f, arr + i * size, flags)) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *pbjson_encode(const ProtobufCMessage *msg, int flags)
{
	const ProtobufCMessageDescriptor *desc = msg->descriptor;
	json_t *obj = json_object();

	if (obj == NULL)
		return NULL;
	for (unsigned i = 0; i < desc->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &desc->fields[i];
		json_t *v;

		if (!pbjson_written(msg, f, flags))
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED)
			v = pbjson_encode_array(msg, f, flags);
		else
			v = pbjson_encode_value(f, pbjson_member(msg, f->offset), flags);
		if (json_object_set_new(obj, f->name, v) != 0) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

/* ---- decoding ------------------------------------------------------------- */

__attribute__((format(printf, 2, 3))) static int pbjson_fail(struct pbjson_dec *d,
							     const char *fmt, ...)
{
	char reason[PBJSON_REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (d->len > 0)
		snprintf(d->err, d->errlen, "%s: %s", d->path, reason);
	else
		snprintf(d->err, d->errlen, "%s", reason);
	return -EINVAL;
}

static int pbjson_oom(struct pbjson_dec *d)
{
	snprintf(d->err, d->errlen, "out of memory");
	return -ENOMEM;
}

static size_t pbjson_push(struct pbjson_dec *d, const char *name)
{
	size_t saved = d->len;
	int n = snprintf(d->path + d->len, sizeof(d->path) - d->len, "%s%s", d->len > 0 ? "." : "",
			 name);

	d->len += n > 0 ? (size_t)n : 0;
	if (d->len >= sizeof(d->path))
		d->len = sizeof(d->path) - 1;
	return saved;
}

static size_t pbjson_push_index(struct pbjson_dec *d, size_t i)
{
	size_t saved = d->len;
	int n = snprintf(d->path + d->len, sizeof(d->path) - d->len, "[%zu]", i);

	d->len += n > 0 ? (size_t)n : 0;
	if (d->len >= sizeof(d->path))
		d->len = sizeof(d->path) - 1;
	return saved;
}

static void pbjson_pop(struct pbjson_dec *d, size_t saved)
{
	d->len = saved;
	d->path[saved] = '\0';
}

/* Optional '-' and decimal digits, nothing else. */
static int pbjson_parse_decimal(const char *s, bool *neg, uint64_t *mag)
{
	uint64_t v = 0;
	bool overflow = false;

	*neg = *s == '-';
	if (*neg)
		s++;
	if (*s == '\0')
		return -EINVAL;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		if (v > (UINT64_MAX - (*s - '0')) / 10)
			overflow = true;
		v = v * 10 + (*s - '0');
	}
	*mag = v;
	return overflow ? -ERANGE : 0;
}

/* Any JSON integer as sign and magnitude, so that one range check serves
 * every integer type. Decimal strings and integral reals are accepted too. */
static int pbjson_integer(struct pbjson_dec *d, const json_t *json, bool *neg, uint64_t *mag)
{
	json_int_t i;
	double r;
	int rc;

	if (json_is_integer(json)) {
		i = json_integer_value(json);
		*neg = i < 0;
		*mag = i < 0 ? -(uint64_t)i : (uint64_t)i;
	} else if (json_is_real(json)) {
		r = json_real_value(json);
		if (r != trunc(r) || fabs(r) > 0x1p53)
			return pbjson_fail(d, "expected an integer");
		*neg = r < 0;
		*mag = (uint64_t)fabs(r);
	} else if (json_is_string(json)) {
		rc = pbjson_parse_decimal(json_string_value(json), neg, mag);
		if (rc == -ERANGE)
			return pbjson_fail(d, "%s out of range", json_string_value(json));
		if (rc < 0)
			return pbjson_fail(d, "expected an integer");
	} else {
		return pbjson_fail(d, "expected an integer");
	}
	*neg = *neg && *mag != 0;
	return 0;
}

static int pbjson_signed(struct pbjson_dec *d, const json_t *json, int64_t min, int64_t max,
			 const char *type, int64_t *out)
{
	bool neg;
	uint64_t mag;
	int rc;

	if ((rc = pbjson_integer(d, json, &neg, &mag)) < 0)
		return rc;
	if (neg ? mag - 1 > (uint64_t)-(min + 1) : mag > (uint64_t)max)
		return pbjson_fail(d, "%s%" PRIu64 " out of range for %s", neg ? "-" : "", mag,
				   type);
	*out = neg ? -(int64_t)(mag - 1) - 1 : (int64_t)mag;
	return 0;
}

static int pbjson_unsigned(struct pbjson_dec *d, const json_t *json, uint64_t max,
			   const char *type, uint64_t *out)
{
	bool neg;
	uint64_t mag;
	int rc;

	if ((rc = pbjson_integer(d, json, &neg, &mag)) < 0)
		return rc;
	if (neg || mag > max)
		return pbjson_fail(d, "%s%" PRIu64 " out of range for %s", neg ? "-" : "", mag,
				   type);
	*out = mag;
	return 0;
}

static int pbjson_double(struct pbjson_dec *d, const json_t *json, double *out)
{
	const char *s = json_string_value(json);

	if (json_is_number(json))
		*out = json_number_value(json);
	else if (s != NULL && strcmp(s, "NaN") == 0)
		*out = NAN;
	else if (s != NULL && strcmp(s, "Infinity") == 0)
		*out = INFINITY;
	else if (s != NULL && strcmp(s, "-Infinity") == 0)
		*out = -INFINITY;
	else
		return pbjson_fail(d, "expected a number");
	return 0;
}

static int pbjson_float(struct pbjson_dec *d, const json_t *json, float *out)
{
	double v;
	int rc;

	if ((rc = pbjson_double(d, json, &v)) < 0)
		return rc;
	if (isfinite(v) && fabs(v) > FLT_MAX)
		return pbjson_fail(d, "%g out of range for float", v);
	*out = (float)v;
	return 0;
}

static int pbjson_enum(struct pbjson_dec *d, const ProtobufCEnumDescriptor *desc,
		       const json_t *json, int *out)
{
	json_int_t i;

	if (json_is_string(json)) {
		if (pbjson_enum_value(desc, json_string_value(json), out) < 0)
			return pbjson_fail(d, "unknown value \"%s\"", json_string_value(json));
		return 0;
	}
	if (!json_is_integer(json))
		return pbjson_fail(d, "expected a name or an integer");
	i = json_integer_value(json);
	if (i < INT32_MIN || i > INT32_MAX || protobuf_c_enum_descriptor_get_value(desc, i) == NULL)
		return pbjson_fail(d, "unknown value %" JSON_INTEGER_FORMAT, i);
	*out = i;
	return 0;
}

/* Always a fresh copy, even of "": free_unpacked frees every string but the
 * field's default. */
static int pbjson_string(struct pbjson_dec *d, const json_t *json, char **out)
{
	if (!json_is_string(json))
		return pbjson_fail(d, "expected a string");
	if (strlen(json_string_value(json)) != json_string_length(json))
		return pbjson_fail(d, "contains a NUL character");
	if ((*out = strdup(json_string_value(json))) == NULL)
		return pbjson_oom(d);
	return 0;
}

static int pbjson_bytes(struct pbjson_dec *d, const json_t *json, ProtobufCBinaryData *out)
{
	size_t len, cap, n;
	uint8_t *buf;

	if (!json_is_string(json))
		return pbjson_fail(d, "expected a base64 string");
	len = json_string_length(json);
	cap = len / 4 * 3 + 3;
	if ((buf = malloc(cap)) == NULL)
		return pbjson_oom(d);
	if (sodium_base642bin(buf, cap, json_string_value(json), len, NULL, &n, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0) {
		free(buf);
		return pbjson_fail(d, "invalid base64");
	}
	if (n == 0) {
		free(buf);
		buf = NULL;
	}
	*out = (ProtobufCBinaryData){.len = n, .data = buf};
	return 0;
}

static int pbjson_decode_message(struct pbjson_dec *d, const ProtobufCMessageDescriptor *desc,
				 const json_t *json, ProtobufCMessage **out);

static int pbjson_decode_sub(struct pbjson_dec *d, const ProtobufCMessageDescriptor *desc,
			     const json_t *json, ProtobufCMessage **out);

static int pbjson_decode_value(struct pbjson_dec *d, const ProtobufCFieldDescriptor *f,
			       const json_t *json, void *slot)
{
	int64_t s;
	uint64_t u;
	int rc;

	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		if ((rc = pbjson_signed(d, json, INT32_MIN, INT32_MAX, "int32", &s)) == 0)
			*(int32_t *)slot = s;
		return rc;
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		if ((rc = pbjson_unsigned(d, json, UINT32_MAX, "uint32", &u)) == 0)
			*(uint32_t *)slot = u;
		return rc;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		return pbjson_signed(d, json, INT64_MIN, INT64_MAX, "int64", slot);
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		return pbjson_unsigned(d, json, UINT64_MAX, "uint64", slot);
	case PROTOBUF_C_TYPE_FLOAT:
		return pbjson_float(d, json, slot);
	case PROTOBUF_C_TYPE_DOUBLE:
		return pbjson_double(d, json, slot);
	case PROTOBUF_C_TYPE_BOOL:
		if (!json_is_boolean(json))
			return pbjson_fail(d, "expected a boolean");
		*(protobuf_c_boolean *)slot = json_is_true(json);
		return 0;
	case PROTOBUF_C_TYPE_ENUM:
		return pbjson_enum(d, f->descriptor, json, slot);
	case PROTOBUF_C_TYPE_STRING:
		return pbjson_string(d, json, slot);
	case PROTOBUF_C_TYPE_BYTES:
		return pbjson_bytes(d, json, slot);
	case PROTOBUF_C_TYPE_MESSAGE:
		return pbjson_decode_sub(d, f->descriptor, json, slot);
	}
	return pbjson_fail(d, "unsupported field type");
}

/* A wrapper is written as its bare value. */
static int pbjson_decode_sub(struct pbjson_dec *d, const ProtobufCMessageDescriptor *desc,
			     const json_t *json, ProtobufCMessage **out)
{
	ProtobufCMessage *msg;
	int rc;

	if (!pbjson_is_wrapper(desc))
		return pbjson_decode_message(d, desc, json, out);
	if ((msg = malloc(desc->sizeof_message)) == NULL)
		return pbjson_oom(d);
	protobuf_c_message_init(desc, msg);
	rc = pbjson_decode_value(d, &desc->fields[0], json,
				 pbjson_member(msg, desc->fields[0].offset));
	if (rc < 0) {
		protobuf_c_message_free_unpacked(msg, NULL);
		return rc;
	}
	*out = msg;
	return 0;
}

/* The count grows with each element decoded, so that on error free_unpacked
 * sees exactly the elements that own memory. */
static int pbjson_decode_array(struct pbjson_dec *d, ProtobufCMessage *msg,
			       const ProtobufCFieldDescriptor *f, const json_t *json)
{
	size_t *count = pbjson_member(msg, f->quantifier_offset);
	void **arr = pbjson_member(msg, f->offset);
	size_t size = pbjson_elem_size(f->type);
	size_t n, saved;
	int rc;

	if (!json_is_array(json))
		return pbjson_fail(d, "expected an array");
	if ((n = json_array_size(json)) == 0)
		return 0;
	if ((*arr = calloc(n, size)) == NULL)
		return pbjson_oom(d);
	for (size_t i = 0; i < n; i++) {
		saved = pbjson_push_index(d, i);
		rc = pbjson_decode_value(d, f, json_array_get(json, i), (char *)*arr + i * size);
		pbjson_pop(d, saved);
		if (rc < 0)
			return rc;
		(*count)++;
	}
	return 0;
}

static int pbjson_decode_field(struct pbjson_dec *d, ProtobufCMessage *msg, const char *key,
			       const json_t *json)
{
	const ProtobufCMessageDescriptor *desc = msg->descriptor;
	const ProtobufCFieldDescriptor *f;
	uint32_t *oneof_case;
	size_t saved;
	int rc;

	if ((f = protobuf_c_message_descriptor_get_field_by_name(desc, key)) == NULL) {
		if (d->len > 0)
			snprintf(d->err, d->errlen, "unknown field \"%s\" in %s", key, d->path);
		else
			snprintf(d->err, d->errlen, "unknown field \"%s\"", key);
		return -EINVAL;
	}
	if (json_is_null(json))
		return 0;
	oneof_case = pbjson_member(msg, f->quantifier_offset);
	if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) && *oneof_case != 0)
		return pbjson_fail(d, "only one of \"%s\" and \"%s\" may be set",
				   protobuf_c_message_descriptor_get_field(desc, *oneof_case)->name,
				   key);
	saved = pbjson_push(d, key);
	if (f->label == PROTOBUF_C_LABEL_REPEATED)
		rc = pbjson_decode_array(d, msg, f, json);
	else
		rc = pbjson_decode_value(d, f, json, pbjson_member(msg, f->offset));
	pbjson_pop(d, saved);
	if (rc < 0)
		return rc;
	if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
		*oneof_case = f->id;
	else if (pbjson_has_flag(f))
		*(protobuf_c_boolean *)pbjson_member(msg, f->quantifier_offset) = 1;
	return 0;
}

static int pbjson_decode_message(struct pbjson_dec *d, const ProtobufCMessageDescriptor *desc,
				 const json_t *json, ProtobufCMessage **out)
{
	/* jansson's iteration takes a non-const object; it does not change it. */
	json_t *obj = (json_t *)json;
	ProtobufCMessage *msg;
	const char *key;
	json_t *value;
	int rc;

	if (!json_is_object(json))
		return pbjson_fail(d, "expected an object");
	if ((msg = malloc(desc->sizeof_message)) == NULL)
		return pbjson_oom(d);
	protobuf_c_message_init(desc, msg);
	json_object_foreach (obj, key, value) {
		if ((rc = pbjson_decode_field(d, msg, key, value)) < 0) {
			protobuf_c_message_free_unpacked(msg, NULL);
			return rc;
		}
	}
	*out = msg;
	return 0;
}

int pbjson_decode(const ProtobufCMessageDescriptor *desc, const json_t *json,
		  ProtobufCMessage **out, char *err, size_t errlen)
{
	struct pbjson_dec d = {.err = err, .errlen = errlen};

	*out = NULL;
	if (errlen > 0)
		err[0] = '\0';
	return pbjson_decode_message(&d, desc, json, out);
}
