#include "pbcheck.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define PATH_MAX_LEN 256

static const void *member(const ProtobufCMessage *msg, unsigned offset)
{
	return (const char *)msg + offset;
}

/* Where a field is: its name, its index in a repeated field (or -1), and
 * the field holding its message (NULL at the top). Made into text only when
 * a check finds something, not for every field it visits. */
struct where {
	const struct where *up;
	const char *name;
	long i;
};

/* w's path ("person.place.district", "events[2].raw") into out. */
static void render(const struct where *w, char *out, size_t len)
{
	size_t n;

	if (w == NULL) {
		out[0] = '\0';
		return;
	}
	render(w->up, out, len);
	n = strlen(out);
	if (n + 1 < len)
		snprintf(out + n, len - n, "%s%s", n ? "." : "", w->name);
	n = strlen(out);
	if (w->i >= 0 && n + 1 < len)
		snprintf(out + n, len - n, "[%ld]", w->i);
}

/* Whether field f of msg is carried: the set member of its oneof, or any
 * other field. */
static bool carried(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f)
{
	if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
		return *(const uint32_t *)member(msg, f->quantifier_offset) == f->id;
	return true;
}

static bool check_value(const ProtobufCFieldDescriptor *f, const void *slot,
			const struct where *w, char *out, size_t len);

static bool check_message(const ProtobufCMessage *msg, const struct where *up, char *out,
			  size_t len)
{
	const ProtobufCMessageDescriptor *d = msg->descriptor;

	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const void *slot = member(msg, f->offset);
		struct where w = {up, f->name, -1};

		if ((f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE) ||
		    !carried(msg, f))
			continue;
		if (f->label != PROTOBUF_C_LABEL_REPEATED) {
			if (check_value(f, slot, &w, out, len))
				return true;
			continue;
		}
		size_t n = *(const size_t *)member(msg, f->quantifier_offset);
		const char *elems = *(const char *const *)slot;
		for (size_t j = 0; j < n; j++) {
			w.i = (long)j;
			if (check_value(f, elems + j * sizeof(void *), &w, out, len))
				return true;
		}
	}
	return false;
}

static bool check_value(const ProtobufCFieldDescriptor *f, const void *slot,
			const struct where *w, char *out, size_t len)
{
	const char *s;
	const ProtobufCMessage *sub;

	if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
		sub = *(const ProtobufCMessage *const *)slot;
		return sub != NULL && check_message(sub, w, out, len);
	}
	s = *(const char *const *)slot;
	if (s == NULL || utf8_valid(s, strlen(s)))
		return false;
	render(w, out, len);
	return true;
}

bool pbcheck_utf8(const ProtobufCMessage *msg, char *path, size_t len)
{
	return check_message(msg, NULL, path, len);
}

/* ---- the wire ------------------------------------------------------------------ */

static int varint(const uint8_t *p, size_t len, size_t *at, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64 && *at < len; shift += 7) {
		uint8_t b = p[(*at)++];
		*v |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0)
			return 0;
	}
	return -EINVAL;
}

static int walk(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t len,
		const struct where *up, void (*hit)(void *, const char *), void *arg)
{
	size_t *seen = calloc(d->n_fields ? d->n_fields : 1, sizeof(*seen));
	size_t at = 0;
	uint64_t tag, n;
	int rc = seen ? 0 : -ENOMEM;

	while (rc == 0 && at < len) {
		const ProtobufCFieldDescriptor *f;
		if ((rc = varint(p, len, &at, &tag)) < 0)
			break;
		switch (tag & 7) {
		case 0: rc = varint(p, len, &at, &n); continue;
		case 1: n = 8; break;
		case 5: n = 4; break;
		case 2:
			if ((rc = varint(p, len, &at, &n)) < 0)
				continue;
			break;
		default: rc = -EINVAL; continue;
		}
		if (n > len - at) {
			rc = -EINVAL;
			break;
		}
		f = (tag & 7) == 2 ? protobuf_c_message_descriptor_get_field(d, (unsigned)(tag >> 3))
				   : NULL;
		if (f != NULL && (f->type == PROTOBUF_C_TYPE_STRING ||
				  f->type == PROTOBUF_C_TYPE_MESSAGE)) {
			size_t idx = (size_t)(f - d->fields);
			struct where w = {up, f->name,
					  f->label == PROTOBUF_C_LABEL_REPEATED ? (long)seen[idx]++ : -1};
			char path[PATH_MAX_LEN];

			if (f->type == PROTOBUF_C_TYPE_STRING && memchr(p + at, '\0', n) != NULL) {
				render(&w, path, sizeof(path));
				hit(arg, path);
			} else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
				rc = walk(f->descriptor, p + at, n, &w, hit, arg);
			}
		}
		at += n;
	}
	free(seen);
	return rc;
}

int pbcheck_nul(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len,
		void (*hit)(void *arg, const char *path), void *arg)
{
	return walk(desc, data, len, NULL, hit, arg);
}
