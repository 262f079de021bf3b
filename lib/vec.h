/* A growable array of fixed-size items, kept by its owner as three fields
 * (items, n, cap): most arrays in a person hold one or two items, so growth
 * starts at one and doubles. */
#ifndef ASSIST_VEC_H
#define ASSIST_VEC_H

#include <stddef.h>

/* Grow an array of elem-sized items so that one more fits; the new item is
 * zeroed and returned, or NULL when out of memory. */
void *vec_grow(void **items, size_t *n, size_t *cap, size_t elem);

#endif
