#include "pos.h"

int pos_cmp(struct pos a, struct pos b)
{
	if (a.major != b.major)
		return a.major < b.major ? -1 : 1;
	if (a.minor != b.minor)
		return a.minor < b.minor ? -1 : 1;
	return 0;
}

size_t pos_decimal(uint64_t v, char out[POS_DECIMAL_LEN])
{
	char rev[POS_DECIMAL_LEN];
	size_t n = 0, len;

	/* By hand: two positions an event went through snprintf. */
	do {
		rev[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (len = 0; len < n; len++)
		out[len] = rev[n - 1 - len];
	out[len] = '\0';
	return len;
}
