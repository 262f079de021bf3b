/* Checks over any protobuf-c message, driven by its descriptors: the text a
 * sender put in string fields, which protobuf-c takes as it comes. */
#ifndef ASSIST_PBCHECK_H
#define ASSIST_PBCHECK_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The first string field of msg (nested messages, the set member of a oneof
 * and repeated fields included) that is not valid UTF-8: its path
 * ("person.place.district", "events[2].raw") written into path and true;
 * false when all are valid. */
bool pbcheck_utf8(const ProtobufCMessage *msg, char *path, size_t len);
/* Walk the packed message data (of type desc) and call hit with the path of
 * each string field that holds a NUL byte (protobuf-c cuts the string there
 * when unpacking). 0, or -EINVAL when data is not a well-formed message. */
int pbcheck_nul(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len,
		void (*hit)(void *arg, const char *path), void *arg);

#endif
