#include "bloom.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define PROBES 7
#define BITS_PER_KEY 10

/* Fixed, not secret: the filter only decides whether to read the store. */
static const unsigned char hash_key[crypto_shorthash_KEYBYTES] = "assist bloom key";

int bloom_init(struct bloom *b, size_t capacity)
{
	uint64_t bits = 64;

	memset(b, 0, sizeof(*b));
	if (capacity == 0)
		capacity = 1;
	while (bits < (uint64_t)capacity * BITS_PER_KEY)
		bits <<= 1;
	b->words = calloc(bits / 64, sizeof(*b->words));
	if (b->words == NULL)
		return -ENOMEM;
	b->mask = bits - 1;
	b->capacity = capacity;
	return 0;
}

/* The two halves of key's SipHash: probe i is h1 + i * h2 (double hashing). */
static void hash_of(const char *key, uint64_t *h1, uint64_t *h2)
{
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t h;

	crypto_shorthash(out, (const unsigned char *)key, strlen(key), hash_key);
	memcpy(&h, out, sizeof(h));
	*h1 = h & 0xffffffffu;
	*h2 = (h >> 32) | 1; /* odd, so the probes cover the table */
}

void bloom_add(struct bloom *b, const char *key)
{
	uint64_t h1, h2, fresh = 0;

	hash_of(key, &h1, &h2);
	for (uint64_t i = 0; i < PROBES; i++) {
		uint64_t bit = (h1 + i * h2) & b->mask, m = (uint64_t)1 << (bit % 64);
		fresh |= ~b->words[bit / 64] & m;
		b->words[bit / 64] |= m;
	}
	b->added += fresh != 0;
}

bool bloom_maybe(const struct bloom *b, const char *key)
{
	uint64_t h1, h2;

	hash_of(key, &h1, &h2);
	for (uint64_t i = 0; i < PROBES; i++) {
		uint64_t bit = (h1 + i * h2) & b->mask;
		if (!(b->words[bit / 64] & ((uint64_t)1 << (bit % 64))))
			return false;
	}
	return true;
}

size_t bloom_bytes(const struct bloom *b)
{
	return b->words != NULL ? (size_t)(b->mask + 1) / 8 : 0;
}

void bloom_free(struct bloom *b)
{
	free(b->words);
	memset(b, 0, sizeof(*b));
}
