/* One JSON line as an Event, the way assistctl simulate and assist-web's
 * POST /api/simulate read what-if events: the proto3 JSON of Event, its
 * position dropped (nothing is stored; the caller numbers the events). */
#ifndef ASSIST_EVENTLINE_H
#define ASSIST_EVENTLINE_H

#include <stddef.h>

#include "assist.pb-c.h"

/* Parse text: 0 and *out (free with protobuf_c_message_free_unpacked(&(*out)->base,
 * NULL)), -EINVAL with the reason in err, or -ENOMEM. */
__attribute__((warn_unused_result)) int eventline_parse(const char *text, Assist__Event **out,
							char *err, size_t errlen);

#endif
