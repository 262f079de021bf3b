#include "rollup.h"

#include <stdlib.h>
#include <string.h>

static int by_place(const void *a, const void *b)
{
	const struct rollup_leaf *x = a, *y = b;
	int c = strcmp(x->district, y->district);

	if (c == 0)
		c = strcmp(x->town, y->town);
	return c != 0 ? c : strcmp(x->community, y->community);
}

/* How many leaves from i share its first depth levels (1 district, 2 town,
 * 3 community), and their sum in *sum. */
static size_t run(const struct rollup_leaf *l, size_t n, size_t i, int depth, int64_t *sum)
{
	size_t j = i;

	*sum = 0;
	while (j < n && strcmp(l[j].district, l[i].district) == 0 &&
	       (depth < 2 || strcmp(l[j].town, l[i].town) == 0) &&
	       (depth < 3 || strcmp(l[j].community, l[i].community) == 0))
		*sum += l[j++].value;
	return j - i;
}

static struct rollup_row *row(struct rollup_row *r, Assist__ReportLevel level,
			      const struct rollup_leaf *l, int64_t value)
{
	r->level = level;
	r->district = level >= ASSIST__REPORT_LEVEL__REPORT_LEVEL_DISTRICT ? l->district : NULL;
	r->town = level >= ASSIST__REPORT_LEVEL__REPORT_LEVEL_TOWN ? l->town : NULL;
	r->community = level >= ASSIST__REPORT_LEVEL__REPORT_LEVEL_COMMUNITY ? l->community : NULL;
	r->value = value;
	return r + 1;
}

size_t rollup_places(struct rollup_leaf *leaves, size_t n, struct rollup_row *out)
{
	struct rollup_row *r = out;
	int64_t total = 0, sum;

	if (n > 0)
		qsort(leaves, n, sizeof(*leaves), by_place);
	for (size_t i = 0; i < n; i++)
		total += leaves[i].value;
	r = row(r, ASSIST__REPORT_LEVEL__REPORT_LEVEL_CITY, NULL, total);
	for (size_t d = 0; d < n;) {
		size_t dn = run(leaves, n, d, 1, &sum);
		r = row(r, ASSIST__REPORT_LEVEL__REPORT_LEVEL_DISTRICT, &leaves[d], sum);
		for (size_t t = d; t < d + dn;) {
			size_t tn = run(leaves, n, t, 2, &sum);
			r = row(r, ASSIST__REPORT_LEVEL__REPORT_LEVEL_TOWN, &leaves[t], sum);
			for (size_t c = t; c < t + tn;) {
				size_t cn = run(leaves, n, c, 3, &sum);
				r = row(r, ASSIST__REPORT_LEVEL__REPORT_LEVEL_COMMUNITY, &leaves[c], sum);
				c += cn;
			}
			t += tn;
		}
		d += dn;
	}
	return (size_t)(r - out);
}
