/* Calendar dates as YYYYMMDD integers: comparable, readable in a debugger,
 * and the year and month fall out by division. 0 means "no date". */
#ifndef ASSIST_YMD_H
#define ASSIST_YMD_H

#include <stdbool.h>
#include <stdint.h>

typedef int32_t ymd_t;

#define YMD_NONE 0
#define YMD_BUFLEN 11 /* "YYYY-MM-DD" and NUL */

/* Parse "YYYY-MM-DD" (years 1900-2199) into *out; 0, or -EINVAL. */
__attribute__((warn_unused_result)) int ymd_parse(const char *s, ymd_t *out);
/* A month "YYYY-MM" into its first day. 0 or -EINVAL. */
__attribute__((warn_unused_result)) int ymd_parse_month(const char *s, ymd_t *first);
/* True if d is a real calendar date. */
bool ymd_valid(ymd_t d);
/* Format d as "YYYY-MM-DD" into buf (empty string for YMD_NONE); returns buf. */
char *ymd_format(ymd_t d, char buf[YMD_BUFLEN]);
/* Year, month (1-12) and day of d. */
int ymd_year(ymd_t d);
int ymd_month(ymd_t d);
int ymd_day(ymd_t d);
/* Build a date; no validation. */
ymd_t ymd_make(int year, int month, int day);
/* d plus n months, the day clamped to the end of the target month. */
ymd_t ymd_add_months(ymd_t d, int n);
/* The first day of the month after d's month. */
ymd_t ymd_next_month(ymd_t d);
/* Days since 1970-01-01 (negative before). */
int64_t ymd_to_days(ymd_t d);
/* The date that is n days since 1970-01-01. */
ymd_t ymd_from_days(int64_t n);
/* Today's UTC date, or the one set with ymd_set_today. */
ymd_t ymd_today(void);
/* Make ymd_today answer d (0: the clock again). A replay of the journal sets
 * the day each event was received, so rules that read "today" decide alike. */
void ymd_set_today(ymd_t d);
/* Whole years from birth to d (age on d). */
int ymd_age(ymd_t birth, ymd_t d);

#endif
