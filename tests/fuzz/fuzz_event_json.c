/* A line of JSON as assistctl push reads it: decoded into an Event, validated
 * and encoded back; the same text decoded as a Request too. What decodes must
 * encode to JSON that decodes to the same message again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "assist.pb-c.h"
#include "pbjson.h"
#include "validate.h"

static uint8_t *pack(const ProtobufCMessage *m, size_t *len)
{
	uint8_t *buf;

	*len = protobuf_c_message_get_packed_size(m);
	if ((buf = malloc(*len ? *len : 1)) != NULL)
		protobuf_c_message_pack(m, buf);
	return buf;
}

/* decode(encode(m)) packs to the same bytes as m. */
static void round_trip(const ProtobufCMessage *m)
{
	json_t *j = pbjson_encode(m, 0);
	ProtobufCMessage *again = NULL;
	uint8_t *a = NULL, *b = NULL;
	size_t alen, blen;
	char err[256];
	char *text;

	if (j == NULL)
		return;
	if (pbjson_decode(m->descriptor, j, &again, err, sizeof(err)) != 0)
		abort();
	a = pack(m, &alen);
	b = pack(again, &blen);
	if (a != NULL && b != NULL && (alen != blen || memcmp(a, b, alen) != 0))
		abort();
	text = json_dumps(j, JSON_COMPACT);
	free(text);
	free(a);
	free(b);
	protobuf_c_message_free_unpacked(again, NULL);
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *json = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	ProtobufCMessage *m;
	struct verdict v;
	char err[256];

	if (json == NULL)
		return 0;
	if (pbjson_decode(&assist__event__descriptor, json, &m, err, sizeof(err)) == 0) {
		round_trip(m);
		if (validate_event((Assist__Event *)m, &v) == 0)
			(void)validate_subject((Assist__Event *)m);
		round_trip(m);
		protobuf_c_message_free_unpacked(m, NULL);
	}
	if (pbjson_decode(&assist__request__descriptor, json, &m, err, sizeof(err)) == 0) {
		round_trip(m);
		protobuf_c_message_free_unpacked(m, NULL);
	}
	json_decref(json);
	return 0;
}
