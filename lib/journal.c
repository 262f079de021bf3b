#include "journal.h"

#include <string.h>

void journal_digest(const uint8_t prev[JOURNAL_DIGEST_BYTES], const char *source,
		    const char *major, const char *minor, const uint8_t *event, size_t len,
		    uint8_t out[JOURNAL_DIGEST_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, JOURNAL_DIGEST_BYTES);
	crypto_generichash_update(&st, prev, JOURNAL_DIGEST_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)source, strlen(source) + 1);
	crypto_generichash_update(&st, (const uint8_t *)major, strlen(major) + 1);
	crypto_generichash_update(&st, (const uint8_t *)minor, strlen(minor) + 1);
	crypto_generichash_update(&st, event, len);
	crypto_generichash_final(&st, out, JOURNAL_DIGEST_BYTES);
}
