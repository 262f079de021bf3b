/* Bytes off the ingest socket: a Request as assistd's server unpacks it, then
 * each event of a batch through validation and back out as JSON. */
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
	Assist__Request *req = assist__request__unpack(NULL, size, data);
	struct verdict v;

	if (req == NULL)
		return 0;
	if (req->body_case == ASSIST__REQUEST__BODY_BATCH) {
		for (size_t i = 0; i < req->batch->n_events; i++) {
			Assist__Event *ev = req->batch->events[i];
			if (validate_event(ev, &v) == 0)
				(void)validate_subject(ev);
			(void)validate_kind_name(ev);
			encode(&ev->base);
		}
	}
	encode(&req->base);
	assist__request__free_unpacked(req, NULL);
	return 0;
}
