/* The schemes: one row per Assist__Scheme value, the one list the rules, the
 * record, the validator and the audit read to know a scheme's name, family,
 * year-to-date counter, annual cap and fund (docs/policy.md). */
#ifndef ASSIST_SCHEME_H
#define ASSIST_SCHEME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assist.pb-c.h"

/* The groups of docs/policy.md: (1)-(2), (3), (4), (5), (6)-(8), (9), and
 * the derived entitlements. */
enum scheme_family {
	SCHEME_FAMILY_NONE,
	SCHEME_FAMILY_DIBAO,
	SCHEME_FAMILY_MEDICAL,
	SCHEME_FAMILY_EDUCATION,
	SCHEME_FAMILY_HOUSING,
	SCHEME_FAMILY_TRAINING,
	SCHEME_FAMILY_RELIEF,
	SCHEME_FAMILY_ENTITLEMENT,
};

/* The year-to-date totals a person keeps per calendar year. Two are not one
 * scheme's; the others are the rows with a ytd_field, numbered from
 * SCHEME_YTD_ROWS in table order (scheme_ytd), so a capped scheme added to
 * the table gets its counter without an edit here. Each is an int64 field of
 * the proto Ytd message (scheme_ytd_field). */
enum scheme_ytd {
	SCHEME_YTD_NONE = -1,
	SCHEME_YTD_INSURER,       /* every insurer's share: the rows with .insurer */
	SCHEME_YTD_MEDICAL_TOTAL, /* the sum of bill totals, not of payments */
	SCHEME_YTD_ROWS,          /* the first scheme's own counter */
};

/* Room for the counters in a person's year (struct ytd); scheme_check
 * refuses a table with more. */
#define SCHEME_YTD_MAX 10

struct scheme {
	Assist__Scheme scheme;
	const char *name;          /* as the record and the ledger spell it */
	enum scheme_family family;
	const char *ytd_field;     /* the Ytd field of its payments' counter, or NULL */
	bool insurer;              /* an insurer's share: also adds to SCHEME_YTD_INSURER */
	const char *cap;           /* params key of its annual cap, or NULL */
	const char *cap_special;   /* the cap of three noes and five guarantees, or NULL */
	const char *cap_field;     /* the Ytd field showing the cap on the record, or NULL */
	bool periodic;             /* a monthly benefit row, not a payment per claim */
	const char *fund;          /* the earmarked fund it is paid from, or NULL */
};

/* The row of s, or NULL for a value the table does not know. */
const struct scheme *scheme_get(Assist__Scheme s);
/* The name of s's row, "unspecified" for a value the table does not know:
 * what a stored row's scheme column holds. */
const char *scheme_text(Assist__Scheme s);
/* The row named name (as scheme->name), or NULL. */
const struct scheme *scheme_by_name(const char *name);
/* The family of s; SCHEME_FAMILY_NONE for an unknown value. */
enum scheme_family scheme_family(Assist__Scheme s);
/* The counter s's payments add to, or SCHEME_YTD_NONE. */
int scheme_ytd(Assist__Scheme s);
/* Whether payments of s add to any counter (its own or the insurers'). */
bool scheme_counts(Assist__Scheme s);
/* Add amount to the counters of totals (indexed by counter) that s's
 * payments add to. */
void scheme_ytd_add(int64_t *totals, Assist__Scheme s, int64_t amount);
/* How many counters there are (at most SCHEME_YTD_MAX in a checked table). */
int scheme_ytd_count(void);
/* The Ytd field name of counter c ("huimin_paid_fen"), or NULL. */
const char *scheme_ytd_field(int c);
/* Counter c's field of the Ytd message y, or NULL for no such counter. */
int64_t *scheme_ytd_counter(Assist__Ytd *y, int c);
/* The int64 field called field of the Ytd message y, or NULL if it has none. */
int64_t *scheme_ytd_slot(Assist__Ytd *y, const char *field);
/* The value of that field of y; 0 if it has none. */
int64_t scheme_ytd_get(const Assist__Ytd *y, const char *field);
/* Whether the n rows of table describe every value of the Scheme enum, in
 * order, with its name, and every Ytd field they name exists; 0, or -EINVAL
 * with the first fault in err. */
__attribute__((warn_unused_result)) int scheme_check_table(const struct scheme *table, size_t n,
							    char *err, size_t errlen);
/* scheme_check_table on the built-in table: called once at start. */
__attribute__((warn_unused_result)) int scheme_check(char *err, size_t errlen);

#endif
