/* A replication stream as assist-adapter sees it: the input is a sequence of
 * messages, each a 2-byte big-endian length and that many bytes (the last one
 * takes what is left), decoded in order into one relation cache so Relation
 * messages can precede the rows that use them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pgoutput.h"

static void check_tuple(const struct pgo_tuple *t)
{
	for (int i = 0; i < t->ncols; i++) {
		if (t->values[i] != NULL)
			(void)strlen(t->values[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pgo_cache cache;
	struct pgo_msg m;

	pgo_cache_init(&cache);
	while (size >= 2) {
		size_t n = (size_t)data[0] << 8 | data[1];
		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		if (pgo_decode(&cache, data, n, &m) == 0 && m.rel != NULL) {
			/* What the adapter reads of a decoded change. */
			for (int i = 0; i < m.rel->ncols; i++)
				(void)strlen(m.rel->cols[i].name);
			check_tuple(&m.old_tuple);
			check_tuple(&m.new_tuple);
		}
		pgo_msg_clear(&m);
		data += n;
		size -= n;
	}
	pgo_cache_free(&cache);
	return 0;
}
