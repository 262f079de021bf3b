/* Figures of communities rolled up to towns, districts and the city. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rollup.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define L(x) ASSIST__REPORT_LEVEL__REPORT_LEVEL_##x

static void assert_rowis(const struct rollup_row *r, Assist__ReportLevel level, const char *d,
			 const char *t, const char *c, int64_t value)
{
	assert_int_equal(r->level, level);
	if (d == NULL)
		assert_null(r->district);
	else
		assert_string_equal(r->district, d);
	if (t == NULL)
		assert_null(r->town);
	else
		assert_string_equal(r->town, t);
	if (c == NULL)
		assert_null(r->community);
	else
		assert_string_equal(r->community, c);
	assert_int_equal(r->value, value);
}

/* Unsorted leaves, a community twice (two persons, or two entries), a
 * recovery below zero: the outline with every subtotal. */
static void test_outline(void **state)
{
	struct rollup_leaf leaves[] = {
		{"Huarong", "Liangzi Town", "Gaotang Village", 730000},
		{"Echeng", "Gulou Street", "Wenxing Community", 8500},
		{"Echeng", "Fenghuang Street", "Nanhu Community", 18500},
		{"Echeng", "Gulou Street", "Minxin Community", 18500},
		{"Echeng", "Gulou Street", "Wenxing Community", 8500},
		{"Huarong", "Liangzi Town", "Gaotang Village", -5000},
		{"Huarong", "Taihe Town", "Qiaotou Village", 1},
	};
	struct rollup_row rows[ROLLUP_ROWS_MAX(N(leaves))];
	size_t n = rollup_places(leaves, N(leaves), rows);

	assert_int_equal(n, 12);
	assert_rowis(&rows[0], L(CITY), NULL, NULL, NULL, 779001);
	assert_rowis(&rows[1], L(DISTRICT), "Echeng", NULL, NULL, 54000);
	assert_rowis(&rows[2], L(TOWN), "Echeng", "Fenghuang Street", NULL, 18500);
	assert_rowis(&rows[3], L(COMMUNITY), "Echeng", "Fenghuang Street", "Nanhu Community",
		     18500);
	assert_rowis(&rows[4], L(TOWN), "Echeng", "Gulou Street", NULL, 35500);
	assert_rowis(&rows[5], L(COMMUNITY), "Echeng", "Gulou Street", "Minxin Community", 18500);
	assert_rowis(&rows[6], L(COMMUNITY), "Echeng", "Gulou Street", "Wenxing Community", 17000);
	assert_rowis(&rows[7], L(DISTRICT), "Huarong", NULL, NULL, 725001);
	assert_rowis(&rows[8], L(TOWN), "Huarong", "Liangzi Town", NULL, 725000);
	assert_rowis(&rows[9], L(COMMUNITY), "Huarong", "Liangzi Town", "Gaotang Village", 725000);
	assert_rowis(&rows[10], L(TOWN), "Huarong", "Taihe Town", NULL, 1);
	assert_rowis(&rows[11], L(COMMUNITY), "Huarong", "Taihe Town", "Qiaotou Village", 1);
}

/* A town of the same name in two districts stays two towns; places not
 * known (empty names) are a place too. */
static void test_same_names(void **state)
{
	struct rollup_leaf leaves[] = {
		{"B", "Xinhe", "C1", 2},
		{"A", "Xinhe", "C1", 3},
		{"", "", "", 7},
	};
	struct rollup_row rows[ROLLUP_ROWS_MAX(N(leaves))];
	size_t n = rollup_places(leaves, N(leaves), rows);

	assert_int_equal(n, 10);
	assert_rowis(&rows[0], L(CITY), NULL, NULL, NULL, 12);
	assert_rowis(&rows[1], L(DISTRICT), "", NULL, NULL, 7);
	assert_rowis(&rows[4], L(DISTRICT), "A", NULL, NULL, 3);
	assert_rowis(&rows[5], L(TOWN), "A", "Xinhe", NULL, 3);
	assert_rowis(&rows[7], L(DISTRICT), "B", NULL, NULL, 2);
	assert_rowis(&rows[8], L(TOWN), "B", "Xinhe", NULL, 2);
	assert_rowis(&rows[9], L(COMMUNITY), "B", "Xinhe", "C1", 2);
}

/* Every level adds up: each row is the sum of the rows one level below it
 * up to the next row of its level or above. */
static void test_sums(void **state)
{
	static const char *const d[] = {"D1", "D2", "D3"};
	static const char *const t[] = {"T1", "T2"};
	static const char *const c[] = {"C1", "C2", "C3", "C4"};
	struct rollup_leaf leaves[60];
	struct rollup_row rows[ROLLUP_ROWS_MAX(N(leaves))];
	size_t n;

	for (size_t i = 0; i < N(leaves); i++)
		leaves[i] = (struct rollup_leaf){d[i * 7 % 3], t[i * 5 % 2], c[i * 3 % 4],
						 (int64_t)(i * 1000003 % 977) - 300};
	n = rollup_places(leaves, N(leaves), rows);
	for (size_t i = 0; i < n; i++) {
		int64_t sum = 0;
		if (rows[i].level == L(COMMUNITY))
			continue;
		for (size_t j = i + 1; j < n && rows[j].level > rows[i].level; j++) {
			if (rows[j].level == rows[i].level + 1)
				sum += rows[j].value;
		}
		if (sum != rows[i].value)
			fail_msg("row %zu (level %d): %lld, its parts %lld", i, rows[i].level,
				 (long long)rows[i].value, (long long)sum);
	}
	assert_int_equal(n, 1 + 3 + 3 * 2 + 3 * 2 * 2);
}

static void test_empty(void **state)
{
	struct rollup_row rows[ROLLUP_ROWS_MAX(0)];

	assert_int_equal(rollup_places(NULL, 0, rows), 1);
	assert_rowis(&rows[0], L(CITY), NULL, NULL, NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outline),
		cmocka_unit_test(test_same_names),
		cmocka_unit_test(test_sums),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
