/* JSON lines as events (eventline.h). */
#include "eventline.h"

#include <errno.h>
#include <stdio.h>

#include <jansson.h>

#include "pbjson.h"

int eventline_parse(const char *text, Assist__Event **out, char *err, size_t errlen)
{
	ProtobufCMessage *msg = NULL;
	json_error_t jerr;
	json_t *json = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	int rc = -EINVAL;

	err[0] = '\0';
	if (json == NULL)
		snprintf(err, errlen, "invalid JSON: %s", jerr.text);
	else if (!json_is_object(json))
		snprintf(err, errlen, "not a JSON object");
	else if ((rc = pbjson_decode(&assist__event__descriptor, json, &msg, err, errlen)) < 0 &&
		 err[0] == '\0')
		snprintf(err, errlen, rc == -ENOMEM ? "out of memory" : "cannot decode event");
	json_decref(json);
	if (msg == NULL)
		return rc == -ENOMEM ? -ENOMEM : -EINVAL;
	*out = (Assist__Event *)msg;
	if ((*out)->position != NULL)
		protobuf_c_message_free_unpacked(&(*out)->position->base, NULL);
	(*out)->position = NULL;
	return 0;
}
