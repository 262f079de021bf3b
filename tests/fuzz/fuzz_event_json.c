/* A line of JSON as assistctl push reads it: decoded into an Event, validated
 * and encoded back; the same text decoded as a Request too. */
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "assist.pb-c.h"
#include "pbjson.h"
#include "validate.h"

static void encode(const ProtobufCMessage *m)
{
	json_t *j = pbjson_encode(m, 0);
	char *text = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;

	free(text);
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
		if (validate_event((Assist__Event *)m, &v) == 0)
			(void)validate_subject((Assist__Event *)m);
		encode(m);
		protobuf_c_message_free_unpacked(m, NULL);
	}
	if (pbjson_decode(&assist__request__descriptor, json, &m, err, sizeof(err)) == 0) {
		encode(m);
		protobuf_c_message_free_unpacked(m, NULL);
	}
	json_decref(json);
	return 0;
}
