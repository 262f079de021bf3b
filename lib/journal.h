/* The event journal's hash chain: each row's digest covers the previous
 * row's digest and the row's own content, so altering, removing or
 * reordering any row breaks every digest after it. */
#ifndef ASSIST_JOURNAL_H
#define ASSIST_JOURNAL_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#define JOURNAL_DIGEST_BYTES crypto_generichash_BYTES

/* BLAKE2b of prev, the source, the position (as decimal text, each with its
 * NUL) and the packed event, into out. */
void journal_digest(const uint8_t prev[JOURNAL_DIGEST_BYTES], const char *source,
		    const char *major, const char *minor, const uint8_t *event, size_t len,
		    uint8_t out[JOURNAL_DIGEST_BYTES]);

#endif
