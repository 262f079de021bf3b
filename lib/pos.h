/* A position in a source's change feed: (major, minor), e.g. a WAL LSN and
 * an index within its transaction. Senders and assistd order positions the
 * same way, so both compare them here. */
#ifndef ASSIST_POS_H
#define ASSIST_POS_H

#include <stddef.h>
#include <stdint.h>

#define POS_DECIMAL_LEN 21 /* 2^64 - 1 in decimal, and NUL */

struct pos {
	uint64_t major;
	uint64_t minor;
};

/* -1, 0 or 1 as position a is before, at or after b. */
int pos_cmp(struct pos a, struct pos b);
/* v (a major or a minor) as decimal text into out, as the journal's digest
 * and the store's numeric columns take it; its length. */
size_t pos_decimal(uint64_t v, char out[POS_DECIMAL_LEN]);

#endif
