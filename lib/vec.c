#include "vec.h"

#include <stdlib.h>
#include <string.h>

void *vec_grow(void **items, size_t *n, size_t *cap, size_t elem)
{
	char *item;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 1;
		void *p = realloc(*items, ncap * elem);
		if (p == NULL)
			return NULL;
		*items = p;
		*cap = ncap;
	}
	item = (char *)*items + (*n)++ * elem;
	memset(item, 0, elem);
	return item;
}
