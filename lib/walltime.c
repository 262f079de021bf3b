#include "walltime.h"

#include <stdio.h>
#include <time.h>

#include "ymd.h"

#define DAY_MS INT64_C(86400000)
#define RFC3339_LEN 24 /* "YYYY-MM-DDTHH:MM:SS.mmmZ" */

int64_t walltime_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Two digits of v (0-99) at p. */
static void two(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

/* Any time, through gmtime_r and snprintf. */
static char *format_slow(int64_t ms, char *buf, size_t len)
{
	time_t s = (time_t)(ms / 1000);
	int frac = (int)(ms % 1000);
	struct tm tm;

	/* Floored, so that a time before 1970 keeps its milliseconds positive. */
	if (frac < 0) {
		s--;
		frac += 1000;
	}
	gmtime_r(&s, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
	return buf;
}

char *walltime_format(int64_t ms, char *buf, size_t len)
{
	int64_t days = ms >= 0 ? ms / DAY_MS : -((-(ms + 1)) / DAY_MS) - 1, in_day;

	/* By hand for years of four digits: every record published carries
	 * one, and snprintf was 3 % of assistd's time. */
	if (len <= RFC3339_LEN || days < ymd_to_days(ymd_make(1000, 1, 1)) ||
	    days > ymd_to_days(ymd_make(9999, 12, 31)))
		return format_slow(ms, buf, len);
	in_day = ms - days * DAY_MS; /* 0 .. DAY_MS - 1 */
	ymd_format(ymd_from_days(days), buf); /* its NUL becomes the T */
	buf[10] = 'T';
	two(buf + 11, (int)(in_day / 3600000));
	buf[13] = ':';
	two(buf + 14, (int)(in_day / 60000 % 60));
	buf[16] = ':';
	two(buf + 17, (int)(in_day / 1000 % 60));
	buf[19] = '.';
	buf[20] = (char)('0' + in_day % 1000 / 100);
	two(buf + 21, (int)(in_day % 100));
	buf[23] = 'Z';
	buf[24] = '\0';
	return buf;
}
