/* Money is integer fen; rates are basis points (10000 = 100 %).
 * Every product is rounded half up (away from zero) to the fen. */
#ifndef ASSIST_MONEY_H
#define ASSIST_MONEY_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t fen_t;

#define MONEY_BP_ONE 10000

/* amount x bp / 10000, rounded half up. */
fen_t money_mul_bp(fen_t amount, int64_t bp);
/* amount / divisor (divisor > 0), rounded half up. */
fen_t money_div(fen_t amount, int64_t divisor);
/* v limited to [lo, hi]. */
fen_t money_clamp(fen_t v, fen_t lo, fen_t hi);
fen_t money_min(fen_t a, fen_t b);
fen_t money_max(fen_t a, fen_t b);
/* "1234.50" (yuan with two decimals) into buf; returns buf. */
char *money_format(fen_t amount, char *buf, size_t len);

#endif
