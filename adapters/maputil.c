#include "maputil.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ymd.h"

void map_row_init(struct map_row *r, const struct row_change *rc, const char *const *values,
		  struct mapping_out *out, char *err, size_t errlen)
{
	r->rc = rc;
	r->values = values;
	r->out = out;
	r->err = err;
	r->errlen = errlen;
	r->status = 0;
	r->ended = false;
}

int map_fail(struct map_row *r, const char *col, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->status != 0)
		return r->status;
	r->status = -EINVAL;
	if (r->errlen == 0)
		return r->status;
	n = snprintf(r->err, r->errlen, "%s.%s: ", r->rc->table, col);
	if (n >= 0 && (size_t)n < r->errlen) {
		va_start(ap, fmt);
		vsnprintf(r->err + n, r->errlen - n, fmt, ap);
		va_end(ap);
	}
	return r->status;
}

int map_nomem(struct map_row *r)
{
	if (r->status == 0) {
		r->status = -ENOMEM;
		if (r->errlen > 0)
			snprintf(r->err, r->errlen, "%s: out of memory", r->rc->table);
	}
	return r->status;
}

/* Whether the row has the column at all (NULL or not). */
static bool map_has_column(const struct row_change *rc, const char *col)
{
	for (int i = 0; i < rc->ncols; i++) {
		if (strcmp(rc->names[i], col) == 0)
			return true;
	}
	return false;
}

const char *map_text(struct map_row *r, const char *col, bool required)
{
	const char *v = row_get(r->rc, r->values, col);
	const char *p = v;

	/* A renamed or dropped column must not pass for a NULL one. */
	if (r->values != NULL && !map_has_column(r->rc, col)) {
		map_fail(r, col, MAPPING_NO_COLUMN " (renamed or dropped?)");
		return NULL;
	}

	while (p != NULL && *p == ' ')
		p++;
	if (p == NULL || *p == '\0') {
		if (required)
			map_fail(r, col, "missing");
		return NULL;
	}
	return v;
}

char *map_strdup(struct map_row *r, const char *s)
{
	char *copy;

	if (s == NULL || *s == '\0')
		return (char *)protobuf_c_empty_string;
	copy = strdup(s);
	if (copy == NULL) {
		map_nomem(r);
		return (char *)protobuf_c_empty_string;
	}
	return copy;
}

char *map_str(struct map_row *r, const char *col, bool required)
{
	const char *v = map_text(r, col, required);
	char *copy;
	size_t n;

	if (v == NULL)
		return (char *)protobuf_c_empty_string;
	copy = map_strdup(r, v);
	/* char(n) columns come padded with blanks. */
	n = strlen(copy);
	while (n > 0 && copy[n - 1] == ' ')
		copy[--n] = '\0';
	return copy;
}

ymd_t map_ymd(struct map_row *r, const char *col, bool required)
{
	const char *v = map_text(r, col, required);
	char buf[YMD_BUFLEN];
	ymd_t d;

	if (v == NULL)
		return YMD_NONE;
	/* A date, or the date part of a timestamp ("2024-03-01 08:00:00+08"). */
	if (strlen(v) < 10 || (v[10] != '\0' && v[10] != ' ' && v[10] != 'T')) {
		map_fail(r, col, "bad date '%s'", v);
		return YMD_NONE;
	}
	memcpy(buf, v, 10);
	buf[10] = '\0';
	if (ymd_parse(buf, &d) < 0) {
		map_fail(r, col, "bad date '%s'", v);
		return YMD_NONE;
	}
	return d;
}

char *map_ymd_str(struct map_row *r, ymd_t d)
{
	char buf[YMD_BUFLEN];

	return map_strdup(r, ymd_format(d, buf));
}

char *map_date(struct map_row *r, const char *col, bool required)
{
	return map_ymd_str(r, map_ymd(r, col, required));
}

/* "123", "123.4", "123.45", "123.450" (extra zeros only) into hundredths. */
static int map_parse_hundredths(const char *s, int64_t *out)
{
	int64_t whole = 0, frac = 0;
	int ndigits = 0, nfrac = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (++ndigits > 15)
			return -ERANGE;
		whole = whole * 10 + (*p - '0');
	}
	if (ndigits == 0)
		return -EINVAL;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, nfrac++) {
			if (nfrac < 2)
				frac = frac * 10 + (*p - '0');
			else if (*p != '0')
				return -EDOM;
		}
		if (nfrac == 0)
			return -EINVAL;
	}
	if (*p != '\0')
		return -EINVAL;
	if (nfrac == 1)
		frac *= 10;
	*out = whole * 100 + frac;
	return 0;
}

int64_t map_hundredths(struct map_row *r, const char *col, bool required)
{
	const char *v = map_text(r, col, required);
	int64_t h;
	int rc;

	if (v == NULL)
		return -1;
	rc = map_parse_hundredths(v, &h);
	if (rc == 0)
		return h;
	if (v[0] == '-')
		map_fail(r, col, "negative amount '%s'", v);
	else if (rc == -EDOM)
		map_fail(r, col, "more than two decimals in '%s'", v);
	else if (rc == -ERANGE)
		map_fail(r, col, "amount '%s' too large", v);
	else
		map_fail(r, col, "not a number '%s'", v);
	return -1;
}

fen_t map_yuan(struct map_row *r, const char *col, bool required, bool *present)
{
	int64_t h = map_hundredths(r, col, required);

	if (present != NULL)
		*present = h >= 0;
	return h < 0 ? 0 : h;
}

double map_decimal(struct map_row *r, const char *col, bool required)
{
	int64_t h = map_hundredths(r, col, required);

	return h < 0 ? -1 : (double)h / 100;
}

int64_t map_int(struct map_row *r, const char *col, int64_t lo, int64_t hi, bool required,
		int64_t def)
{
	const char *v = map_text(r, col, required);
	long long n;
	char *end;

	if (v == NULL)
		return def;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || !isdigit((unsigned char)v[v[0] == '-'])) {
		map_fail(r, col, "not an integer '%s'", v);
		return def;
	}
	if (n < lo || n > hi) {
		map_fail(r, col, "%lld outside %lld..%lld", n, (long long)lo, (long long)hi);
		return def;
	}
	return n;
}

bool map_bool(struct map_row *r, const char *col, bool def)
{
	const char *v = map_text(r, col, false);

	if (v == NULL)
		return def;
	if (strcmp(v, "t") == 0 || strcmp(v, "true") == 0)
		return true;
	if (strcmp(v, "f") == 0 || strcmp(v, "false") == 0)
		return false;
	map_fail(r, col, "not a boolean '%s'", v);
	return def;
}

int map_code(struct map_row *r, const char *col, const struct map_code *codes, bool required)
{
	const char *v = map_text(r, col, required);
	size_t n;

	if (v == NULL)
		return 0;
	n = strlen(v);
	while (n > 0 && v[n - 1] == ' ')
		n--;
	for (const struct map_code *c = codes; c->code != NULL; c++) {
		if (strlen(c->code) == n && strncmp(c->code, v, n) == 0)
			return c->value;
	}
	map_fail(r, col, "unknown code '%.*s'", (int)n, v);
	return 0;
}

Assist__Event *map_event(struct map_row *r, Assist__Event__PayloadCase pcase, Assist__Kind kind)
{
	Assist__Event *ev;

	if (r->out->n >= MAPPING_MAX_EVENTS) {
		map_nomem(r);
		return NULL;
	}
	ev = malloc(sizeof(*ev));
	if (ev == NULL) {
		map_nomem(r);
		return NULL;
	}
	assist__event__init(ev);
	ev->kind = kind;
	ev->payload_case = pcase;
	r->out->events[r->out->n++] = ev;
	return ev;
}

/* A new event in r->out for payload (freed on failure); NULL on failure. */
/* A new event of kind for r holding a zeroed payload of type desc in the oneof
 * member pcase (the case value is the member's field number); the payload, or
 * NULL when out of memory. */
/* The Event payload member of kind: the kind's name without "KIND_",
 * lower-cased ("KIND_MEDICAL_CLAIM" -> "medical_claim"), as the proto names
 * them. NULL when there is none. */
static const ProtobufCFieldDescriptor *payload_field(Assist__Kind kind)
{
	const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(&assist__kind__descriptor,
									   kind);
	char name[64];
	size_t i;

	if (v == NULL || strncmp(v->name, "KIND_", 5) != 0)
		return NULL;
	for (i = 0; v->name[5 + i] != '\0' && i + 1 < sizeof(name); i++)
		name[i] = (char)tolower((unsigned char)v->name[5 + i]);
	name[i] = '\0';
	return protobuf_c_message_descriptor_get_field_by_name(&assist__event__descriptor, name);
}

void *map_payload(struct map_row *r, Assist__Kind kind)
{
	const ProtobufCFieldDescriptor *f = payload_field(kind);
	ProtobufCMessage *p;
	Assist__Event *ev;

	if (f == NULL || f->type != PROTOBUF_C_TYPE_MESSAGE) {
		map_fail(r, "kind", "no payload for kind %d", (int)kind);
		return NULL;
	}
	p = malloc(((const ProtobufCMessageDescriptor *)f->descriptor)->sizeof_message);
	ev = p == NULL ? NULL : map_event(r, (Assist__Event__PayloadCase)f->id, kind);
	if (ev == NULL) {
		free(p);
		map_nomem(r);
		return NULL;
	}
	protobuf_c_message_init(f->descriptor, p);
	*(ProtobufCMessage **)((char *)ev + f->offset) = p;
	return p;
}

Assist__StatusChange *map_status(struct map_row *r, Assist__Category category, bool active)
{
	Assist__StatusChange *p = map_payload(r, ASSIST__KIND__KIND_STATUS);

	if (p == NULL)
		return NULL;
	p->category = category;
	/* Carried even when true: an explicit value reads better in dead letters. */
	p->active = malloc(sizeof(*p->active));
	if (p->active == NULL) {
		map_nomem(r);
		return NULL;
	}
	assist__bool_value__init(p->active);
	p->active->value = active;
	return p;
}

Assist__Enrollment *map_enrollment(struct map_row *r, Assist__Scheme scheme)
{
	Assist__Enrollment *p = map_payload(r, ASSIST__KIND__KIND_ENROLLMENT);

	if (p != NULL)
		p->scheme = scheme;
	return p;
}

Assist__Int64Value *map_int64_value(struct map_row *r, int64_t v)
{
	Assist__Int64Value *w = malloc(sizeof(*w));

	if (w == NULL) {
		map_nomem(r);
		return NULL;
	}
	assist__int64_value__init(w);
	w->value = v;
	return w;
}

int map_nothing(struct map_row *r)
{
	return 0;
}

void map_drop(struct mapping_out *out, int from)
{
	while (out->n > from) {
		out->n--;
		protobuf_c_message_free_unpacked(&out->events[out->n]->base, NULL);
		out->events[out->n] = NULL;
	}
}

/* Build values with build into out (ended: what ending the row sends); the
 * events built are dropped on error. */
static int map_build(const struct row_change *rc, const char *const *values,
		     struct mapping_out *out, char *err, size_t errlen, map_build_fn build,
		     bool ended)
{
	struct map_row r;
	int mark = out->n;
	int ret;

	map_row_init(&r, rc, values, out, err, errlen);
	r.ended = ended;
	ret = build(&r);
	if (ret >= 0 && r.status < 0)
		ret = r.status;
	if (ret <= 0)
		map_drop(out, mark);
	return ret;
}

/* The events of out from index from, packed back to back; NULL on failure. */
static uint8_t *map_pack(const struct mapping_out *out, int from, size_t *len)
{
	uint8_t *buf;
	size_t n = 0;

	for (int i = from; i < out->n; i++)
		n += protobuf_c_message_get_packed_size(&out->events[i]->base);
	buf = malloc(n + 1);
	if (buf == NULL)
		return NULL;
	*len = 0;
	for (int i = from; i < out->n; i++)
		*len += protobuf_c_message_pack(&out->events[i]->base, buf + *len);
	return buf;
}

/* Set the op of every claim payload in out from index from. */
static void map_set_op(struct mapping_out *out, int from, Assist__ClaimOp op)
{
	for (int i = from; i < out->n; i++) {
		const ProtobufCFieldDescriptor *pf = payload_field(out->events[i]->kind);
		const ProtobufCFieldDescriptor *f;
		ProtobufCMessage *m;

		if (pf == NULL || pf->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		m = *(ProtobufCMessage **)((char *)out->events[i] + pf->offset);
		f = m ? protobuf_c_message_descriptor_get_field_by_name(m->descriptor, "op") : NULL;
		if (f != NULL && f->type == PROTOBUF_C_TYPE_ENUM)
			*(int *)((char *)m + f->offset) = op;
	}
}

/* The old row's events again, as a void of what it sent. */
static int map_void_old(const struct row_change *rc, struct mapping_out *out, char *err,
			size_t errlen, map_build_fn build)
{
	int mark = out->n;
	int ret = map_build(rc, rc->old_values, out, err, errlen, build, false);

	if (ret == 1)
		map_set_op(out, mark, ASSIST__CLAIM_OP__CLAIM_OP_VOID);
	return ret < 0 ? ret : 0;
}

/* Whether the key column is the same in the old and the new row. */
static bool map_same_key(const struct row_change *rc, const char *key)
{
	const char *a = row_get(rc, rc->old_values, key);
	const char *b = row_get(rc, rc->values, key);

	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* An update of a row that was sent (its old row packed in sent): the new row
 * as a correction, a void when it is no longer payable, nothing when what it
 * sends did not change; under another key, a void of the old and the new one
 * decided. */
static int map_claim_update(const struct row_change *rc, struct mapping_out *out, char *err,
			    size_t errlen, map_build_fn build, const char *key, const uint8_t *sent,
			    size_t sent_len)
{
	uint8_t *now;
	size_t now_len = 0;
	int ret;

	if (!map_same_key(rc, key)) {
		if ((ret = map_void_old(rc, out, err, errlen, build)) < 0)
			return ret;
		ret = map_build(rc, rc->values, out, err, errlen, build, false);
		return ret < 0 ? ret : 0;
	}
	ret = map_build(rc, rc->values, out, err, errlen, build, false);
	if (ret < 0)
		return ret;
	if (ret == 0)
		return map_void_old(rc, out, err, errlen, build);
	now = map_pack(out, 0, &now_len);
	if (now == NULL)
		return -ENOMEM;
	if (now_len == sent_len && memcmp(now, sent, now_len) == 0)
		map_drop(out, 0); /* nothing it sent changed */
	else
		map_set_op(out, 0, ASSIST__CLAIM_OP__CLAIM_OP_CORRECT);
	free(now);
	return 0;
}

int map_claim_row(const struct row_change *rc, struct mapping_out *out, char *err,
		  size_t errlen, map_build_fn build, const char *key)
{
	uint8_t *sent = NULL;
	size_t sent_len = 0;
	int old = 0, ret;

	if ((rc->op == 'U' || rc->op == 'D') && rc->old_values != NULL)
		old = map_build(rc, rc->old_values, out, err, errlen, build, false);
	if (old == 1) {
		sent = map_pack(out, 0, &sent_len);
		map_drop(out, 0);
		if (sent == NULL)
			return -ENOMEM;
	}
	if (rc->op == 'D')
		ret = old == 1 ? map_void_old(rc, out, err, errlen, build) : 0;
	else if (old == 1)
		ret = map_claim_update(rc, out, err, errlen, build, key, sent, sent_len);
	else
		ret = map_build(rc, rc->values, out, err, errlen, build, false);
	free(sent);
	if (ret < 0)
		map_drop(out, 0);
	return ret < 0 ? ret : 0;
}

/* True if any subject column differs between the old and the new row. */
static bool map_subject_moved(const struct row_change *rc, const char *const *subject)
{
	for (const char *const *col = subject; *col != NULL; col++) {
		const char *a = row_get(rc, rc->old_values, *col);
		const char *b = row_get(rc, rc->values, *col);

		if ((a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0))
			return true;
	}
	return false;
}

/* End what the old row meant; an old row that could not be mapped was never
 * sent, so there is nothing to end. */
static int map_end_old(const struct row_change *rc, struct mapping_out *out, char *err,
		       size_t errlen, map_build_fn end)
{
	int ret = map_build(rc, rc->old_values, out, err, errlen, end, true);

	return ret == -EINVAL ? 0 : ret;
}

int map_state_row(const struct row_change *rc, struct mapping_out *out, char *err,
		  size_t errlen, map_build_fn build, map_build_fn end, const char *const *subject)
{
	bool update = rc->op == 'U' && rc->old_values != NULL;
	bool moved = update && map_subject_moved(rc, subject);
	int ret = 0;

	if (rc->op == 'D' && rc->old_values == NULL)
		return 0;
	if (rc->op == 'D')
		return map_build(rc, rc->old_values, out, err, errlen, end, true);
	if (moved)
		ret = map_end_old(rc, out, err, errlen, end);
	if (ret >= 0)
		ret = map_build(rc, rc->values, out, err, errlen, build, false);
	if (ret == 0 && update && !moved)
		ret = map_end_old(rc, out, err, errlen, end);
	if (ret < 0)
		map_drop(out, 0);
	return ret < 0 ? ret : 0;
}
