#include "idnum.h"

#include <stdbool.h>
#include <string.h>

#define IDNUM_BIRTH_OFF 6
#define IDNUM_BIRTH_LEN 8
#define IDNUM_MASK_HEAD 6
#define IDNUM_MASK_TAIL 2
#define IDNUM_EARLIEST 19000101

static bool idnum_digit(char c)
{
	return c >= '0' && c <= '9';
}

static ymd_t idnum_birth_digits(const char *s)
{
	ymd_t d = 0;

	for (int i = 0; i < IDNUM_BIRTH_LEN; i++)
		d = d * 10 + (s[IDNUM_BIRTH_OFF + i] - '0');
	return d;
}

char idnum_check_char(const char *s17)
{
	static const int weights[IDNUM_LEN - 1] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	static const char checks[] = "10X98765432";
	int sum = 0;

	for (int i = 0; i < IDNUM_LEN - 1; i++)
		sum += (s17[i] - '0') * weights[i];
	return checks[sum % 11];
}

int idnum_validate(const char *s, char out[IDNUM_BUFLEN], ymd_t *birth)
{
	char last;
	ymd_t b;

	if (s == NULL || strnlen(s, IDNUM_LEN + 1) != IDNUM_LEN)
		return IDNUM_ELENGTH;
	for (int i = 0; i < IDNUM_LEN - 1; i++) {
		if (!idnum_digit(s[i]))
			return IDNUM_ECHARS;
	}
	last = s[IDNUM_LEN - 1] == 'x' ? 'X' : s[IDNUM_LEN - 1];
	if (!idnum_digit(last) && last != 'X')
		return IDNUM_ECHARS;
	b = idnum_birth_digits(s);
	if (!ymd_valid(b) || b < IDNUM_EARLIEST || b > ymd_today())
		return IDNUM_EDATE;
	if (idnum_check_char(s) != last)
		return IDNUM_ECHECKSUM;
	if (out != NULL) {
		memcpy(out, s, IDNUM_LEN - 1);
		out[IDNUM_LEN - 1] = last;
		out[IDNUM_LEN] = '\0';
	}
	if (birth != NULL)
		*birth = b;
	return IDNUM_OK;
}

const char *idnum_strerror(int err)
{
	switch (err) {
	case IDNUM_OK:
		return "valid";
	case IDNUM_ELENGTH:
		return "must be 18 characters";
	case IDNUM_ECHARS:
		return "must be 17 digits and a check digit or X";
	case IDNUM_EDATE:
		return "birth date is not a valid date";
	case IDNUM_ECHECKSUM:
		return "check character does not match";
	default:
		return "unknown error";
	}
}

char *idnum_mask(const char *id, char out[IDNUM_BUFLEN])
{
	memset(out, '*', IDNUM_LEN);
	out[IDNUM_LEN] = '\0';
	if (id != NULL && strnlen(id, IDNUM_LEN + 1) == IDNUM_LEN) {
		memcpy(out, id, IDNUM_MASK_HEAD);
		memcpy(out + IDNUM_LEN - IDNUM_MASK_TAIL, id + IDNUM_LEN - IDNUM_MASK_TAIL,
		       IDNUM_MASK_TAIL);
	}
	return out;
}

char *idnum_mask_text(char *s)
{
	size_t i = 0, run;

	while (s[i] != '\0') {
		for (run = 0; idnum_digit(s[i + run]); run++)
			;
		if (run >= IDNUM_OLD_LEN && (s[i + run] == 'X' || s[i + run] == 'x'))
			run++;
		if (run >= IDNUM_OLD_LEN)
			memset(s + i + IDNUM_MASK_HEAD, '*', run - IDNUM_MASK_HEAD - IDNUM_MASK_TAIL);
		i += run ? run : 1;
	}
	return s;
}

ymd_t idnum_birth(const char *id)
{
	if (id == NULL || strnlen(id, IDNUM_LEN + 1) != IDNUM_LEN)
		return YMD_NONE;
	for (int i = 0; i < IDNUM_BIRTH_LEN; i++) {
		if (!idnum_digit(id[IDNUM_BIRTH_OFF + i]))
			return YMD_NONE;
	}
	if (!ymd_valid(idnum_birth_digits(id)))
		return YMD_NONE;
	return idnum_birth_digits(id);
}

int idnum_age_on(const char *id, ymd_t d)
{
	ymd_t birth = idnum_birth(id);

	if (birth == YMD_NONE)
		return -1;
	return ymd_age(birth, d);
}
