/* Interned strings: one shared, immutable copy of each text, for the texts
 * that every person repeats (an entitlement's reason: seven per person, a
 * few dozen different in the whole city). Comparing two atoms is comparing
 * pointers. The table only grows, so only texts from a bounded set may be
 * interned (rule texts and their parameters, dates), never per-person
 * figures. Not thread-safe: assistd's loop thread interns. */
#ifndef ASSIST_ATOM_H
#define ASSIST_ATOM_H

#include <stddef.h>

/* The atom of s (its shared copy), or NULL when out of memory. */
const char *atom_intern(const char *s);
/* How many atoms there are (for the benchmark and the tests). */
size_t atom_count(void);

#endif
