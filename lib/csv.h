/* CSV as RFC 4180 writes it: fields separated by commas, a field holding a
 * comma, a double quote, CR or LF enclosed in double quotes with its own
 * double quotes doubled, records ended by CRLF. */
#ifndef ASSIST_CSV_H
#define ASSIST_CSV_H

#include <stdbool.h>
#include <stdio.h>

/* Write s (NULL: empty) to f as one field, preceded by a comma unless
 * first. 0, or -EIO when f fails. */
__attribute__((warn_unused_result)) int csv_field(FILE *f, const char *s, bool first);
/* End the record. 0 or -EIO. */
__attribute__((warn_unused_result)) int csv_end(FILE *f);

#endif
