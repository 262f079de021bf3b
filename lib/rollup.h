/* Figures of communities rolled up to towns, districts and the city (the
 * four levels of section V), for the managers' reports. Pure functions. */
#ifndef ASSIST_ROLLUP_H
#define ASSIST_ROLLUP_H

#include <stddef.h>
#include <stdint.h>

#include "assist.pb-c.h"

/* A figure of one community (persons or fen). */
struct rollup_leaf {
	const char *district, *town, *community;
	int64_t value;
};

/* A line of the roll-up: the names down to its level, the rest NULL. */
struct rollup_row {
	Assist__ReportLevel level;
	const char *district, *town, *community;
	int64_t value;
};

/* The most rows rollup_places gives for n leaves. */
#define ROLLUP_ROWS_MAX(n) (1 + 3 * (n))

/* The leaves (sorted in place; equal places added together) as rows into out
 * (room for ROLLUP_ROWS_MAX(n)), in outline order: the city's total, then
 * each district followed by its towns, each town by its communities; every
 * row's value the sum of the rows under it. Returns the number of rows. */
size_t rollup_places(struct rollup_leaf *leaves, size_t n, struct rollup_row *out);

#endif
