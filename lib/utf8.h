/* UTF-8 checks and a copy of untrusted text fit for a PostgreSQL text
 * column (which refuses invalid UTF-8 and NUL bytes). */
#ifndef ASSIST_UTF8_H
#define ASSIST_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Whether s[0..len) is valid UTF-8 (no overlong forms, surrogates or code
 * points above U+10FFFF). */
bool utf8_valid(const char *s, size_t len);
/* The largest n <= max at which the valid UTF-8 string s (of len bytes) can
 * be cut without splitting a character. */
size_t utf8_cut(const char *s, size_t len, size_t max);
/* Cut the NUL-terminated s in place after a snprintf that may have split a
 * character at its end. */
void utf8_trim(char *s);
/* A malloc'ed copy of s[0..len): every byte that is not part of valid UTF-8,
 * and NUL, written as the four characters "\xNN"; when the result would be
 * longer than max bytes, cut at a character boundary and ended with
 * "…[truncated: LEN bytes]" (LEN the original length). NULL if out of
 * memory. */
char *utf8_clean(const char *s, size_t len, size_t max);

#endif
