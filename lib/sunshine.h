/* The public sunshine roster's masking and its place selector
 * (docs/interface.md "assistctl roster"). Pure functions. */
#ifndef ASSIST_SUNSHINE_H
#define ASSIST_SUNSHINE_H

#include <stdbool.h>
#include <stddef.h>

/* The most bytes a masked name takes: a family name of a 63-byte name and "*". */
#define SUNSHINE_NAME_BUFLEN 66
/* The levels below the city a place selector may name. */
#define SUNSHINE_PLACE_LEVELS 3

/* A place selector: DISTRICT[/TOWN[/COMMUNITY]], each level a name. */
struct sunshine_place {
	size_t n_levels; /* 0: the whole city */
	char level[SUNSHINE_PLACE_LEVELS][64];
};

/* The family name of name followed by "*" into out: the first character of
 * a name written in Chinese characters, else its first word ("*" alone for
 * an empty name). Returns out. */
char *sunshine_mask_name(const char *name, char out[SUNSHINE_NAME_BUFLEN]);
/* Parse a selector into *out; 0, or -EINVAL (an empty level, more than three
 * levels, a level too long) with the reason in err. "" selects the city. */
int sunshine_place_parse(const char *code, struct sunshine_place *out, char *err, size_t errlen);
/* Whether the place (district, town, community) lies in the selector's part
 * of the city. */
bool sunshine_place_match(const struct sunshine_place *sel, const char *district, const char *town,
			const char *community);

#endif
