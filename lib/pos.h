/* A position in a source's change feed: (major, minor), e.g. a WAL LSN and
 * an index within its transaction. Senders and assistd order positions the
 * same way, so both compare them here. */
#ifndef ASSIST_POS_H
#define ASSIST_POS_H

#include <stdint.h>

struct pos {
	uint64_t major;
	uint64_t minor;
};

/* -1, 0 or 1 as position a is before, at or after b. */
int pos_cmp(struct pos a, struct pos b);

#endif
