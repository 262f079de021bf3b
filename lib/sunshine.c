#include "sunshine.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The code point at s (valid UTF-8 assumed, as the validator keeps names)
 * and its length in *len. */
static uint32_t decode(const unsigned char *s, size_t *len)
{
	if (s[0] < 0x80) {
		*len = 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0 && s[1] != 0) {
		*len = 2;
		return (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	}
	if ((s[0] & 0xf0) == 0xe0 && s[1] != 0 && s[2] != 0) {
		*len = 3;
		return (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	}
	if ((s[0] & 0xf8) == 0xf0 && s[1] != 0 && s[2] != 0 && s[3] != 0) {
		*len = 4;
		return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
		       (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
	}
	*len = 1;
	return 0xfffd;
}

/* Whether c is a CJK ideograph (the unified blocks, their extensions and the
 * compatibility block): a Chinese family name is then its first character. */
static bool is_han(uint32_t c)
{
	return (c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) ||
	       (c >= 0x20000 && c <= 0x3134f);
}

char *sunshine_mask_name(const char *name, char out[SUNSHINE_NAME_BUFLEN])
{
	const unsigned char *s = (const unsigned char *)name;
	size_t len, n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != 0 && is_han(decode(s, &len))) {
		n = len;
	} else {
		while (s[n] != 0 && s[n] != ' ' && s[n] != '\t' && n < SUNSHINE_NAME_BUFLEN - 2)
			n++;
	}
	snprintf(out, SUNSHINE_NAME_BUFLEN, "%.*s*", (int)n, (const char *)s);
	return out;
}

int sunshine_place_parse(const char *code, struct sunshine_place *out, char *err, size_t errlen)
{
	const char *p = code;

	memset(out, 0, sizeof(*out));
	if (*p == '\0')
		return 0;
	for (;;) {
		size_t n = strcspn(p, "/");
		if (out->n_levels == SUNSHINE_PLACE_LEVELS) {
			snprintf(err, errlen, "place: at most three levels (DISTRICT/TOWN/COMMUNITY)");
			return -EINVAL;
		}
		if (n == 0 || n >= sizeof(out->level[0])) {
			snprintf(err, errlen, "place: level %zu is %s", out->n_levels + 1,
				 n == 0 ? "empty" : "longer than 63 bytes");
			return -EINVAL;
		}
		memcpy(out->level[out->n_levels++], p, n);
		if (p[n] == '\0')
			return 0;
		p += n + 1;
	}
}

bool sunshine_place_match(const struct sunshine_place *sel, const char *district, const char *town,
			const char *community)
{
	const char *have[SUNSHINE_PLACE_LEVELS] = {district, town, community};

	for (size_t i = 0; i < sel->n_levels; i++) {
		if (strcmp(sel->level[i], have[i]) != 0)
			return false;
	}
	return true;
}
