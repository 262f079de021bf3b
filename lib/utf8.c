#include "utf8.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The length of the valid character at s (1-4), or 0 if s[0..len) does not
 * start with one. */
static size_t char_len(const unsigned char *s, size_t len)
{
	uint32_t cp;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

bool utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0, n; i < len; i += n) {
		if ((n = char_len(p + i, len - i)) == 0)
			return false;
	}
	return true;
}

size_t utf8_cut(const char *s, size_t len, size_t max)
{
	if (max >= len)
		return len;
	/* Back over continuation bytes to the start of the character at max. */
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

void utf8_trim(char *s)
{
	size_t len = strlen(s), start = len;

	while (start > 0 && ((unsigned char)s[start - 1] & 0xc0) == 0x80 && len - start < 3)
		start--;
	if (start > 0 && (unsigned char)s[start - 1] >= 0xc0)
		start--;
	else
		return;
	if (char_len((const unsigned char *)s + start, len - start) != len - start)
		s[start] = '\0';
}

/* The bytes s[i] takes once cleaned (*n: how many input bytes it is). */
static size_t clean_len(const unsigned char *s, size_t len, size_t i, size_t *n)
{
	*n = s[i] == '\0' ? 0 : char_len(s + i, len - i);
	if (*n != 0)
		return *n;
	*n = 1;
	return 4;
}

char *utf8_clean(const char *s, size_t len, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t total = 0, out = 0, room, m, n, w;
	char marker[64];
	char *buf;

	for (size_t i = 0; i < len; i += n)
		total += clean_len(p, len, i, &n);
	m = (size_t)snprintf(marker, sizeof(marker), "\xe2\x80\xa6[truncated: %zu bytes]", len);
	room = total <= max ? total : max > m ? max - m : 0;
	if ((buf = malloc(room + m + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < len; i += n) {
		w = clean_len(p, len, i, &n);
		if (out + w > room)
			break;
		if (w != n)
			snprintf(buf + out, 5, "\\x%02x", p[i]);
		else
			memcpy(buf + out, p + i, n);
		out += w;
	}
	if (total > max) {
		memcpy(buf + out, marker, m);
		out += m;
	}
	buf[out] = '\0';
	return buf;
}
