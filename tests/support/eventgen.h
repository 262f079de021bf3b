/* Synthetic event streams for the rebuild and fault tests: JSON lines as
 * `assistctl push` reads them, one file per department source. Households
 * of three (two adults, a child) with persons, dibao enrollments, categories,
 * medical bills, education aid, training and housing aid; every 25th
 * household also brings a bill with a negative amount (rejected), so the
 * counts of applied and rejected events are both exercised. */
#ifndef ASSIST_EVENTGEN_H
#define ASSIST_EVENTGEN_H

#include <stdint.h>

enum eventgen_source { EG_CIVIL, EG_HEALTH, EG_EDUCATION, EG_LABOR, EG_HOUSING, EG_N };

/* The source names, civil_affairs ... housing. */
extern const char *const eventgen_sources[EG_N];

struct eventgen {
	const char *dir;      /* files go to dir/<prefix>-<source>.jsonl */
	const char *prefix;
	const char *region;   /* six digits of the ID numbers */
	int first_household;  /* households first .. first+n-1 */
	int n_households;
	uint64_t first_seq;   /* each source's positions start here */
	unsigned sources;     /* bit (1 << source) for each source written */
};

/* Write the files; counts[s] gets the events written for source s (0 for
 * sources not written). 0 or -1 (errno set). */
int eventgen_write(const struct eventgen *g, long counts[EG_N]);
/* Events a household brings for source s (the figure eventgen_write adds up). */
int eventgen_per_household(enum eventgen_source s, int household);

#endif
