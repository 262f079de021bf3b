#include "ymd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define YMD_MIN_YEAR 1900
#define YMD_MAX_YEAR 2199

static bool ymd_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int ymd_days_in_month(int year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (month == 2 && ymd_leap(year))
		return 29;
	return days[month - 1];
}

/* Digits only: sscanf would take signs and spaces. */
static int ymd_digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int ymd_parse(const char *s, ymd_t *out)
{
	int y, m, d;

	if (s == NULL)
		return -EINVAL;
	for (int i = 0; i < 10; i++) {
		if (s[i] == '\0')
			return -EINVAL;
	}
	if (s[10] != '\0' || s[4] != '-' || s[7] != '-')
		return -EINVAL;
	y = ymd_digits(s, 4);
	m = ymd_digits(s + 5, 2);
	d = ymd_digits(s + 8, 2);
	if (y < YMD_MIN_YEAR || y > YMD_MAX_YEAR || m < 0 || d < 0)
		return -EINVAL;
	if (!ymd_valid(ymd_make(y, m, d)))
		return -EINVAL;
	*out = ymd_make(y, m, d);
	return 0;
}

int ymd_parse_month(const char *s, ymd_t *first)
{
	char day[YMD_BUFLEN];

	if (s == NULL || strlen(s) != 7)
		return -EINVAL;
	snprintf(day, sizeof(day), "%s-01", s);
	return ymd_parse(day, first);
}

bool ymd_valid(ymd_t d)
{
	int y = ymd_year(d), m = ymd_month(d), day = ymd_day(d);

	if (d <= 0 || y < 1 || y > 9999 || m < 1 || m > 12)
		return false;
	return day >= 1 && day <= ymd_days_in_month(y, m);
}

char *ymd_format(ymd_t d, char buf[YMD_BUFLEN])
{
	/* Unsigned and reduced so the text always fits, even for a nonsense d. */
	uint32_t u = (uint32_t)d;

	/* By hand: every date of every record goes through here, and snprintf
	 * was a seventh of assistd's time in a payment run. */
	static const char digit[] = "0123456789";
	uint32_t y = u / 10000 % 10000, m = u / 100 % 100, day = u % 100;

	if (d == YMD_NONE) {
		buf[0] = '\0';
		return buf;
	}
	buf[0] = digit[y / 1000];
	buf[1] = digit[y / 100 % 10];
	buf[2] = digit[y / 10 % 10];
	buf[3] = digit[y % 10];
	buf[4] = '-';
	buf[5] = digit[m / 10];
	buf[6] = digit[m % 10];
	buf[7] = '-';
	buf[8] = digit[day / 10];
	buf[9] = digit[day % 10];
	buf[10] = '\0';
	return buf;
}

int ymd_year(ymd_t d)
{
	return d / 10000;
}

int ymd_month(ymd_t d)
{
	return d / 100 % 100;
}

int ymd_day(ymd_t d)
{
	return d % 100;
}

ymd_t ymd_make(int year, int month, int day)
{
	return year * 10000 + month * 100 + day;
}

ymd_t ymd_add_months(ymd_t d, int n)
{
	int idx = ymd_year(d) * 12 + ymd_month(d) - 1 + n;
	int y = idx / 12, m = idx % 12;
	int day = ymd_day(d);

	if (m < 0) { /* C division truncates toward zero */
		m += 12;
		y--;
	}
	m++;
	if (day > ymd_days_in_month(y, m))
		day = ymd_days_in_month(y, m);
	return ymd_make(y, m, day);
}

ymd_t ymd_next_month(ymd_t d)
{
	return ymd_add_months(ymd_make(ymd_year(d), ymd_month(d), 1), 1);
}

/* Howard Hinnant's days_from_civil: eras of 400 years starting in March, so
 * the leap day falls at the end of the era's year. */
int64_t ymd_to_days(ymd_t d)
{
	int64_t y = ymd_year(d), m = ymd_month(d), day = ymd_day(d);
	int64_t era, yoe, doy, doe;

	if (m <= 2)
		y--;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + day - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse, civil_from_days. */
ymd_t ymd_from_days(int64_t n)
{
	int64_t z = n + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t day = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = yoe + era * 400 + (m <= 2);

	return ymd_make((int)y, (int)m, (int)day);
}

static ymd_t fixed_today;

void ymd_set_today(ymd_t d)
{
	fixed_today = d;
}

ymd_t ymd_today(void)
{
	if (fixed_today != 0)
		return fixed_today;
	int64_t secs = (int64_t)time(NULL);
	int64_t days = secs / 86400;

	if (secs % 86400 < 0)
		days--;
	return ymd_from_days(days);
}

int ymd_age(ymd_t birth, ymd_t d)
{
	int age = ymd_year(d) - ymd_year(birth);

	/* MMDD compares as an integer; a 29 February birthday comes of age on 1 March. */
	if (d % 10000 < birth % 10000)
		age--;
	return age;
}
