/* Interned strings (atom.h): an open-addressing hash set of copies. */
#include "atom.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static struct {
	char **slots;
	size_t cap; /* a power of two, or 0 */
	size_t n;
} atoms;

/* FNV-1a: short texts, no adversary (rule texts, not input). */
static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* The slot of s in slots (cap a power of two): its atom's, or the empty one
 * where it goes. */
static char **find(char **slots, size_t cap, const char *s)
{
	size_t i = (size_t)hash(s) & (cap - 1);

	while (slots[i] != NULL && strcmp(slots[i], s) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int grow(void)
{
	size_t cap = atoms.cap ? atoms.cap * 2 : 256;
	char **slots = calloc(cap, sizeof(*slots));

	if (slots == NULL)
		return -1;
	for (size_t i = 0; i < atoms.cap; i++) {
		if (atoms.slots[i] != NULL)
			*find(slots, cap, atoms.slots[i]) = atoms.slots[i];
	}
	free(atoms.slots);
	atoms.slots = slots;
	atoms.cap = cap;
	return 0;
}

const char *atom_intern(const char *s)
{
	char **slot;

	if ((atoms.n + 1) * 4 > atoms.cap * 3 && grow() < 0)
		return NULL;
	slot = find(atoms.slots, atoms.cap, s);
	if (*slot == NULL) {
		if ((*slot = strdup(s)) == NULL)
			return NULL;
		atoms.n++;
	}
	return *slot;
}

size_t atom_count(void)
{
	return atoms.n;
}
