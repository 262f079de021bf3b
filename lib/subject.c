#include "subject.h"

#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

int subject_key_parse(const char *hex, uint8_t key[SUBJECT_KEY_BYTES])
{
	const char *end;
	size_t n = 0, len;

	while (isspace((unsigned char)*hex))
		hex++;
	len = strlen(hex);
	while (len > 0 && isspace((unsigned char)hex[len - 1]))
		len--;
	if (len != 2 * SUBJECT_KEY_BYTES ||
	    sodium_hex2bin(key, SUBJECT_KEY_BYTES, hex, len, NULL, &n, &end) != 0 ||
	    n != SUBJECT_KEY_BYTES || end != hex + len)
		return -EINVAL;
	return 0;
}

int subject_key_load(const char *path, uint8_t key[SUBJECT_KEY_BYTES], char *err,
		     size_t errlen)
{
	char text[256];
	size_t n;
	FILE *f = fopen(path, "r");
	int rc = 0;

	if (f == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	if (ferror(f)) {
		rc = -EIO;
		snprintf(err, errlen, "%s: cannot read it", path);
	} else if (subject_key_parse(text, key) < 0) {
		rc = -EINVAL;
		snprintf(err, errlen, "%s: not a key of 64 hex characters (openssl rand -hex 32 "
			 "makes one)", path);
	}
	sodium_memzero(text, sizeof(text));
	fclose(f);
	return rc;
}

char *subject_of(const uint8_t key[SUBJECT_KEY_BYTES], const char *id,
		 char out[SUBJECT_HEX_LEN + 1])
{
	uint8_t hash[SUBJECT_HASH_BYTES];

	crypto_generichash(hash, sizeof(hash), (const unsigned char *)id, strlen(id), key,
			   SUBJECT_KEY_BYTES);
	sodium_bin2hex(out, SUBJECT_HEX_LEN + 1, hash, sizeof(hash));
	return out;
}
