/* The wall clock, in milliseconds since the epoch: records, status and logs
 * carry it, so it is real time, not the monotonic loop time. */
#ifndef ASSIST_WALLTIME_H
#define ASSIST_WALLTIME_H

#include <stddef.h>
#include <stdint.h>

/* Milliseconds since the epoch, now. */
int64_t walltime_now_ms(void);
/* RFC 3339 UTC time of ms since the epoch ("2026-05-28T20:26:40.123Z") into
 * buf (at least 32 bytes); returns buf. */
char *walltime_format(int64_t ms, char *buf, size_t len);

#endif
