#include "money.h"

#include <inttypes.h>
#include <stdio.h>

/* num / den (den > 0) rounded half away from zero, saturated to the fen_t
 * range; 128-bit so that amount x rate never overflows. */
static fen_t money_round_div(__int128 num, int64_t den)
{
	__int128 q = num / den;
	__int128 r = num % den;

	if (r < 0)
		r = -r;
	if (2 * r >= den)
		q += num < 0 ? -1 : 1;
	if (q > INT64_MAX)
		return INT64_MAX;
	if (q < INT64_MIN)
		return INT64_MIN;
	return (fen_t)q;
}

fen_t money_mul_bp(fen_t amount, int64_t bp)
{
	return money_round_div((__int128)amount * bp, MONEY_BP_ONE);
}

fen_t money_div(fen_t amount, int64_t divisor)
{
	if (divisor <= 0) /* outside the contract: no answer beats a crash */
		return 0;
	return money_round_div(amount, divisor);
}

fen_t money_clamp(fen_t v, fen_t lo, fen_t hi)
{
	if (v < lo)
		return lo;
	if (v > hi)
		return hi;
	return v;
}

fen_t money_min(fen_t a, fen_t b)
{
	return a < b ? a : b;
}

fen_t money_max(fen_t a, fen_t b)
{
	return a > b ? a : b;
}

char *money_format(fen_t amount, char *buf, size_t len)
{
	/* Through the unsigned magnitude, so INT64_MIN has one too. */
	uint64_t mag = amount < 0 ? -(uint64_t)amount : (uint64_t)amount;

	snprintf(buf, len, "%s%" PRIu64 ".%02" PRIu64, amount < 0 ? "-" : "", mag / 100,
		 mag % 100);
	return buf;
}
