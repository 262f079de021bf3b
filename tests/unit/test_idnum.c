#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "idnum.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A valid number for region, birth date and sequence, made with the check
 * character under test (the literal samples below pin that down). */
static char *make_id(const char *region, ymd_t birth, int seq, char out[IDNUM_BUFLEN])
{
	snprintf(out, IDNUM_BUFLEN, "%.6s%08d%03d", region, (int)birth, seq);
	out[IDNUM_LEN - 1] = idnum_check_char(out);
	out[IDNUM_LEN] = '\0';
	return out;
}

/* Worked by hand: sum of digit x weight (7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2),
 * mod 11, indexes "10X98765432". */
static void test_known_samples(void **state)
{
	static const struct {
		const char *id;
		ymd_t birth;
	} cases[] = {
		/* 167 = 15 x 11 + 2 -> 'X' */
		{"11010519491231002X", 19491231},
		/* 253 = 23 x 11 + 0 -> '1' */
		{"420704199006150011", 19900615},
		/* 214 = 19 x 11 + 5 -> '7' */
		{"110101199003074477", 19900307},
		/* 277 = 25 x 11 + 2 -> 'X' */
		{"42070419900615061X", 19900615},
	};
	for (size_t i = 0; i < N(cases); i++) {
		char out[IDNUM_BUFLEN] = "";
		ymd_t birth = 0;

		assert_int_equal(idnum_check_char(cases[i].id), cases[i].id[IDNUM_LEN - 1]);
		assert_int_equal(idnum_validate(cases[i].id, out, &birth), IDNUM_OK);
		assert_string_equal(out, cases[i].id);
		assert_int_equal(birth, cases[i].birth);
		assert_int_equal(idnum_birth(cases[i].id), cases[i].birth);
	}
}

static void test_generated_good(void **state)
{
	static const struct {
		const char *region;
		ymd_t birth;
		int seq;
	} cases[] = {
		{"420704", 19000101, 1}, {"420702", 19620101, 123}, {"420703", 19800229, 999},
		{"420704", 20000229, 0}, {"110105", 19491231, 2},   {"420704", 20080101, 555},
	};
	for (size_t i = 0; i < N(cases); i++) {
		char id[IDNUM_BUFLEN], out[IDNUM_BUFLEN];
		ymd_t birth = 0;

		make_id(cases[i].region, cases[i].birth, cases[i].seq, id);
		assert_int_equal(idnum_validate(id, out, &birth), IDNUM_OK);
		assert_string_equal(out, id);
		assert_int_equal(birth, cases[i].birth);
		/* out and birth are optional */
		assert_int_equal(idnum_validate(id, NULL, NULL), IDNUM_OK);
	}
}

static void test_every_check_char(void **state)
{
	/* All eleven check characters occur as the sequence runs. */
	char seen[12] = "";
	char id[IDNUM_BUFLEN];

	for (int seq = 0; seq < 200; seq++) {
		make_id("420704", 19900615, seq, id);
		if (strchr(seen, id[IDNUM_LEN - 1]) == NULL)
			seen[strlen(seen)] = id[IDNUM_LEN - 1];
		assert_int_equal(idnum_validate(id, NULL, NULL), IDNUM_OK);
	}
	assert_int_equal(strlen(seen), 11);
}

static void test_lower_x(void **state)
{
	char out[IDNUM_BUFLEN];
	ymd_t birth = 0;

	assert_int_equal(idnum_validate("11010519491231002x", out, &birth), IDNUM_OK);
	assert_string_equal(out, "11010519491231002X");
	assert_int_equal(birth, 19491231);
}

static void test_bad(void **state)
{
	char future[IDNUM_BUFLEN], tomorrow[IDNUM_BUFLEN], today[IDNUM_BUFLEN];
	char feb30[IDNUM_BUFLEN], month13[IDNUM_BUFLEN], day0[IDNUM_BUFLEN];
	char y1899[IDNUM_BUFLEN], feb29[IDNUM_BUFLEN];
	ymd_t now = ymd_today();

	make_id("420704", ymd_add_months(now, 12), 1, future);
	make_id("420704", ymd_from_days(ymd_to_days(now) + 1), 1, tomorrow);
	make_id("420704", now, 1, today);
	make_id("420704", 19900230, 1, feb30);
	make_id("420704", 19901301, 1, month13);
	make_id("420704", 19900100, 1, day0);
	make_id("420704", 18991231, 1, y1899);
	make_id("420704", 19000229, 1, feb29);

	const struct {
		const char *id;
		int want;
	} cases[] = {
		{"", IDNUM_ELENGTH},
		{"11010519491231002", IDNUM_ELENGTH},
		{"11010519491231002XX", IDNUM_ELENGTH},
		{"110105194912310020000", IDNUM_ELENGTH},
		{"110105491231002", IDNUM_ELENGTH}, /* the old 15-digit form */
		{"A1010519491231002X", IDNUM_ECHARS},
		{"1101051949123100XX", IDNUM_ECHARS},
		{"11010519491231002Y", IDNUM_ECHARS},
		{"110105 9491231002X", IDNUM_ECHARS},
		{"110105-9491231002X", IDNUM_ECHARS},
		{"11010519491231002 ", IDNUM_ECHARS},
		{"11010519491231002-", IDNUM_ECHARS},
		{"110105194912310021", IDNUM_ECHECKSUM},
		{"110105194912310029", IDNUM_ECHECKSUM},
		{"420704199006150012", IDNUM_ECHECKSUM},
		{"42070419900615001X", IDNUM_ECHECKSUM},
		{"120704199006150011", IDNUM_ECHECKSUM}, /* one digit changed */
		{"420704199006510011", IDNUM_EDATE},	 /* day 51 */
		{"440524188001010014", IDNUM_EDATE},	 /* valid sum, born 1880 */
		{feb30, IDNUM_EDATE},
		{month13, IDNUM_EDATE},
		{day0, IDNUM_EDATE},
		{y1899, IDNUM_EDATE},
		{feb29, IDNUM_EDATE}, /* 1900 was not a leap year */
		{future, IDNUM_EDATE},
		{tomorrow, IDNUM_EDATE},
		{today, IDNUM_OK},
		{NULL, IDNUM_ELENGTH},
	};
	for (size_t i = 0; i < N(cases); i++) {
		char out[IDNUM_BUFLEN] = "untouched";
		ymd_t birth = 4242;
		int got = idnum_validate(cases[i].id, out, &birth);

		if (got != cases[i].want)
			fail_msg("%s: got %d (%s), want %d", cases[i].id ? cases[i].id : "NULL", got,
				 idnum_strerror(got), cases[i].want);
		if (got != IDNUM_OK) {
			assert_string_equal(out, "untouched");
			assert_int_equal(birth, 4242);
		}
	}
}

static void test_strerror(void **state)
{
	static const struct {
		int err;
		const char *want;
	} cases[] = {
		{IDNUM_ELENGTH, "must be 18 characters"},
		{IDNUM_ECHARS, "must be 17 digits and a check digit or X"},
		{IDNUM_EDATE, "birth date is not a valid date"},
		{IDNUM_ECHECKSUM, "check character does not match"},
		{IDNUM_OK, "valid"},
		{-99, "unknown error"},
	};
	for (size_t i = 0; i < N(cases); i++)
		assert_string_equal(idnum_strerror(cases[i].err), cases[i].want);
}

static void test_mask(void **state)
{
	static const struct {
		const char *id, *want;
	} cases[] = {
		{"42070419900615061X", "420704**********1X"},
		{"11010519491231002X", "110105**********2X"},
		{"420704199006150011", "420704**********11"},
		{"42070419900615061", "******************"},
		{"42070419900615061XX", "******************"},
		{"", "******************"},
		{NULL, "******************"},
	};
	for (size_t i = 0; i < N(cases); i++) {
		char out[IDNUM_BUFLEN];

		assert_ptr_equal(idnum_mask(cases[i].id, out), out);
		assert_string_equal(out, cases[i].want);
	}
}

/* Anything that looks like an ID number in free text (a reason quoting the
 * sender's value) is masked; other numbers are left alone. */
static void test_mask_text(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"status.since: \"420704199001011234\" is not a date",
		 "status.since: \"420704**********34\" is not a date"},
		{"11010519491231002x", "110105**********2x"},
		{"id 11010519491231002X and 420704198001010015.",
		 "id 110105**********2X and 420704**********15."},
		{"a4207041980010100150b", "a420704***********50b"}, /* 19 digits, inside a word */
		{"old 420704800101001 id", "old 420704*******01 id"}, /* 15 digits: an old ID */
		{"12345678901234567", "123456*********67"},   /* 17 digits: masked all the same */
		{"1234567890123456X", "123456*********6X"},   /* 16 digits and X */
		{"12345678901234", "12345678901234"},         /* 14 digits: not an ID */
		{"phone 13912345678", "phone 13912345678"},
		{"total 1000000 fen", "total 1000000 fen"},
		{"420704**********15", "420704**********15"}, /* already masked */
		{"", ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[128];
		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		if (strcmp(idnum_mask_text(buf), cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\"", i, buf);
	}
}

static void test_age(void **state)
{
	static const struct {
		ymd_t birth, on;
		int want;
	} cases[] = {
		/* training: age 16-45 */
		{19900615, 20060614, 15},
		{19900615, 20060615, 16},
		{19900615, 20060616, 16},
		{19620101, 20071231, 45},
		{19620101, 20080101, 46},
		{19620102, 20080101, 45},
		{19800229, 20250228, 44},
		{19800229, 20250301, 45},
		{19491231, 20080101, 58},
	};
	for (size_t i = 0; i < N(cases); i++) {
		char id[IDNUM_BUFLEN];

		make_id("420704", cases[i].birth, 17, id);
		assert_int_equal(idnum_age_on(id, cases[i].on), cases[i].want);
	}
	assert_int_equal(idnum_age_on("11010519491231002X", 19991231), 50);
	assert_int_equal(idnum_age_on("11010519491231002X", 19991230), 49);
	assert_int_equal(idnum_age_on("short", 20080101), -1);
	assert_int_equal(idnum_birth("4207041990AB15061X"), YMD_NONE);
	assert_int_equal(idnum_birth("420704199002300611"), YMD_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_samples), cmocka_unit_test(test_generated_good),
		cmocka_unit_test(test_every_check_char), cmocka_unit_test(test_lower_x),
		cmocka_unit_test(test_bad),		 cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_mask),		 cmocka_unit_test(test_age),
		cmocka_unit_test(test_mask_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
