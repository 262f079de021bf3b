/* Resident identity numbers (GB 11643-1999): 6-digit region, 8-digit birth
 * date, 3-digit sequence, ISO 7064 MOD 11-2 check character. */
#ifndef ASSIST_IDNUM_H
#define ASSIST_IDNUM_H

#include "ymd.h"

#define IDNUM_LEN 18
#define IDNUM_BUFLEN 19
#define IDNUM_OLD_LEN 15 /* the first-generation numbers, all digits */

enum idnum_error {
	IDNUM_OK = 0,
	IDNUM_ELENGTH = -1,   /* not 18 characters */
	IDNUM_ECHARS = -2,    /* not 17 digits and a digit or X */
	IDNUM_EDATE = -3,     /* the birth date is not a real date, or in the future */
	IDNUM_ECHECKSUM = -4, /* the check character does not match */
};

/* Check s; on success copy it to out with a lower-case x made upper-case and
 * store the birth date in *birth (either may be NULL). 0 or an idnum_error. */
__attribute__((warn_unused_result)) int idnum_validate(const char *s, char out[IDNUM_BUFLEN],
						       ymd_t *birth);
/* A short reason for an idnum_error ("bad check character", ...). */
const char *idnum_strerror(int err);
/* The check character ('0'-'9' or 'X') for the first 17 digits of s. */
char idnum_check_char(const char *s17);
/* The published form: region code and last two characters, the rest '*'
 * ("420704**********1X"). A string that is not 18 long becomes all '*'. */
char *idnum_mask(const char *id, char out[IDNUM_BUFLEN]);
/* Mask in place, in any text, each run that may be an ID number, new (18
 * characters) or old (15 digits): 15 or more digits, with an X (either case)
 * after them counted in, kept to its region code and last two characters as
 * idnum_mask does. A longer run of digits is masked too: better a masked
 * figure than a leaked number. Returns s. */
char *idnum_mask_text(char *s);
/* Birth date encoded in a valid number. */
ymd_t idnum_birth(const char *id);
/* Age in whole years on date d. */
int idnum_age_on(const char *id, ymd_t d);

#endif
