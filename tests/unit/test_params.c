#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "params.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char good_yaml[] =
	"# comment\n"
	"dibao.urban.standard.city:\n"
	"  unit: fen\n"
	"  clause: \"POLICY (1); text IV(A)2: 185 yuan per person per month in the urban area\"\n"
	"  values:\n"
	"    2008-01-01: 18500\n"
	"    2027-01-01: 19500\n"
	"medical.assistance.rate:\n"
	"  unit: bp\n"
	"  clause: \"POLICY (3.3): personal burden assisted in proportion\"\n"
	"  local_default: true\n"
	"  values:\n"
	"    2008-01-01: 5000\n"
	"medical.huimin.deductible:\n"
	"  description: 'waived for three_noes'\n"
	"  unit: fen\n"
	"  clause: 'POLICY (3.1): deductible 100 yuan'\n"
	"  local_default: false\n"
	"  values:\n"
	"    2008-01-01: 10000\n"
	"    2010-07-01: 0\n"
	"    2012-01-01: 1\n"
	"    2015-03-15: 12000\n"
	"housing.rural.area.small:\n"
	"  unit: m2\n"
	"  clause: \"POLICY (5.2): 40 m2 for 1-2 persons\"\n"
	"  values: {2008-01-01: 40}\n";

static struct params *load_good(void)
{
	struct params *p = NULL;
	char err[256] = "";

	if (params_load_string(good_yaml, "good.yaml", &p, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return p;
}

static void test_lookup(void **state)
{
	static const struct {
		const char *name;
		ymd_t d;
		int rc;
		int64_t value;
		ymd_t effective;
	} cases[] = {
		{"dibao.urban.standard.city", 20071231, -ERANGE, 0, 0},
		{"dibao.urban.standard.city", 19000101, -ERANGE, 0, 0},
		{"dibao.urban.standard.city", 20080101, 0, 18500, 20080101},
		{"dibao.urban.standard.city", 20080102, 0, 18500, 20080101},
		{"dibao.urban.standard.city", 20261231, 0, 18500, 20080101},
		{"dibao.urban.standard.city", 20270101, 0, 19500, 20270101},
		{"dibao.urban.standard.city", 21991231, 0, 19500, 20270101},
		{"medical.assistance.rate", 20080101, 0, 5000, 20080101},
		{"medical.assistance.rate", 20250101, 0, 5000, 20080101},
		{"medical.huimin.deductible", 20071231, -ERANGE, 0, 0},
		{"medical.huimin.deductible", 20100630, 0, 10000, 20080101},
		{"medical.huimin.deductible", 20100701, 0, 0, 20100701},
		{"medical.huimin.deductible", 20111231, 0, 0, 20100701},
		{"medical.huimin.deductible", 20120101, 0, 1, 20120101},
		{"medical.huimin.deductible", 20150314, 0, 1, 20120101},
		{"medical.huimin.deductible", 20150315, 0, 12000, 20150315},
		{"medical.huimin.deductible", 20300101, 0, 12000, 20150315},
		{"housing.rural.area.small", 20080101, 0, 40, 20080101},
		{"dibao.urban.standard", 20080101, -ENOENT, 0, 0},
		{"dibao.urban.standard.city.x", 20080101, -ENOENT, 0, 0},
		{"", 20080101, -ENOENT, 0, 0},
		{"zzz", 20080101, -ENOENT, 0, 0},
	};
	struct params *p = load_good();

	assert_int_equal(params_count(p), 4);
	for (size_t i = 0; i < N(cases); i++) {
		struct param_value v = {.value = 4242};
		int rc = params_get(p, cases[i].name, cases[i].d, &v);

		if (rc != cases[i].rc)
			fail_msg("%s on %d: rc %d, want %d", cases[i].name, cases[i].d, rc,
				 cases[i].rc);
		if (rc != 0) {
			assert_int_equal(v.value, 4242);
			continue;
		}
		assert_string_equal(v.name, cases[i].name);
		assert_int_equal(v.value, cases[i].value);
		assert_int_equal(v.effective, cases[i].effective);
	}
	params_free(p);
}

static void test_metadata(void **state)
{
	static const struct {
		const char *name, *unit, *clause;
		bool local_default;
	} cases[] = {
		{"dibao.urban.standard.city", "fen",
		 "POLICY (1); text IV(A)2: 185 yuan per person per month in the urban area", false},
		{"medical.assistance.rate", "bp",
		 "POLICY (3.3): personal burden assisted in proportion", true},
		{"medical.huimin.deductible", "fen", "POLICY (3.1): deductible 100 yuan", false},
		{"housing.rural.area.small", "m2", "POLICY (5.2): 40 m2 for 1-2 persons", false},
	};
	struct params *p = load_good();

	for (size_t i = 0; i < N(cases); i++) {
		struct param_value v;

		assert_int_equal(params_get(p, cases[i].name, 20200101, &v), 0);
		assert_string_equal(v.unit, cases[i].unit);
		assert_string_equal(v.clause, cases[i].clause);
		assert_int_equal(v.local_default, cases[i].local_default);
	}
	params_free(p);
	params_free(NULL);
	assert_int_equal(params_count(NULL), 0);
}

/* Many parameters in reverse order: every one is found, with its own value. */
static void test_many(void **state)
{
	enum { COUNT = 300 };
	size_t cap = COUNT * 160, len = 0;
	char *yaml = malloc(cap);
	char err[256] = "";
	struct params *p = NULL;

	assert_non_null(yaml);
	for (int i = COUNT - 1; i >= 0; i--)
		len += snprintf(yaml + len, cap - len,
				"p%03d.x:\n  unit: count\n  clause: c%d\n  values:\n"
				"    2008-01-01: %d\n    2009-01-01: %d\n",
				i, i, i, i + 1000);
	assert_true(len < cap);
	if (params_load_string(yaml, "many.yaml", &p, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(params_count(p), COUNT);
	for (int i = 0; i < COUNT; i++) {
		char name[16];
		struct param_value v;

		snprintf(name, sizeof(name), "p%03d.x", i);
		assert_int_equal(params_get(p, name, 20081231, &v), 0);
		assert_int_equal(v.value, i);
		assert_int_equal(params_get(p, name, 20090101, &v), 0);
		assert_int_equal(v.value, i + 1000);
	}
	assert_int_equal(params_get(p, "p300.x", 20090101, &(struct param_value){0}), -ENOENT);
	params_free(p);
	free(yaml);
}

#define HEAD "a.b:\n  unit: fen\n  clause: x\n"

static void test_errors(void **state)
{
	static const struct {
		const char *yaml, *err;
	} cases[] = {
		{HEAD "  values:\n    2008-01-01: 2O000\n",
		 "t.yaml:5: a.b: value \"2O000\" is not an integer"},
		{"# one\n# two\n" HEAD "  values:\n    2008-01-01: 100\n    2009-01-01: '500'\n",
		 "t.yaml:8: a.b: value \"500\" is not an integer"},
		{HEAD "  values:\n    2008-01-01: 185.5\n",
		 "t.yaml:5: a.b: value \"185.5\" is not an integer"},
		{HEAD "  values:\n    2008-01-01: 0500\n",
		 "t.yaml:5: a.b: value \"0500\" is not an integer"},
		{HEAD "  values:\n    2008-01-01: 1_000\n",
		 "t.yaml:5: a.b: value \"1_000\" is not an integer"},
		{HEAD "  values:\n    2008-01-01:\n",
		 "t.yaml:5: a.b: value \"\" is not an integer"},
		{HEAD "  values:\n    2008-01-01: [1]\n",
		 "t.yaml:5: a.b: value for 2008-01-01 is not an integer"},
		{HEAD "  values:\n    2008-01-01: -6000\n",
		 "t.yaml:5: a.b: value -6000 must not be negative"},
		{HEAD "  values:\n    2008-01-01: 1\n    2009-01-01: 0\n    2010-01-01: -1\n",
		 "t.yaml:7: a.b: value -1 must not be negative"},
		{"a.b:\n  clause: x\n  values:\n    2008-01-01: 10000\n    2009-01-01: 10001\n"
		 "  unit: bp\n",
		 "t.yaml:5: a.b: value 10001 bp above 10000"},
		{HEAD "  values:\n    2008-01-01: 99999999999999999999\n",
		 "t.yaml:5: a.b: value \"99999999999999999999\" is out of range"},
		{HEAD "  values:\n    2008-02-30: 1\n",
		 "t.yaml:5: a.b: date \"2008-02-30\" is not a valid YYYY-MM-DD date"},
		{HEAD "  values:\n    2008-13-01: 1\n",
		 "t.yaml:5: a.b: date \"2008-13-01\" is not a valid YYYY-MM-DD date"},
		{HEAD "  values:\n    2008-1-1: 1\n",
		 "t.yaml:5: a.b: date \"2008-1-1\" is not a valid YYYY-MM-DD date"},
		{HEAD "  values:\n    2008-01-01: 1\n    2007-01-01: 2\n",
		 "t.yaml:6: a.b: date 2007-01-01 does not follow 2008-01-01 (dates must increase)"},
		{HEAD "  values:\n    2008-01-01: 1\n    2008-01-01: 2\n",
		 "t.yaml:6: a.b: date 2008-01-01 does not follow 2008-01-01 (dates must increase)"},
		{HEAD "  values: {}\n", "t.yaml:4: a.b: values must have at least one date"},
		{HEAD "  values: 18500\n", "t.yaml:4: a.b: values must be a mapping of dates to integers"},
		{HEAD "  values:\n    - 18500\n",
		 "t.yaml:5: a.b: values must be a mapping of dates to integers"},
		{"x: 1\na.b:\n  clause: x\n  values:\n    2008-01-01: 1\n",
		 "t.yaml:1: x: must be a mapping with unit, clause and values"},
		{"\n\na.b:\n  clause: x\n  values:\n    2008-01-01: 1\n", "t.yaml:3: a.b: missing unit"},
		{"a.b:\n  unit: fen\n  values:\n    2008-01-01: 1\n", "t.yaml:1: a.b: missing clause"},
		{HEAD "c.d:\n  unit: fen\n  clause: y\n", "t.yaml:1: a.b: missing values"},
		{HEAD "  values:\n    2008-01-01: 1\n  valuez:\n    2008-01-01: 1\n",
		 "t.yaml:6: a.b: unknown key \"valuez\""},
		{HEAD "  unit: bp\n  values:\n    2008-01-01: 1\n", "t.yaml:4: a.b: duplicate key \"unit\""},
		{"a.b:\n  unit: yuan\n", "t.yaml:2: a.b: unit \"yuan\" is not one of "
					  "fen, bp, m2, days, months, years, count, kwh, m3"},
		{"a.b:\n  unit: [fen]\n", "t.yaml:2: a.b: unit must be one of "
					  "fen, bp, m2, days, months, years, count, kwh, m3"},
		{"a.b:\n  unit: fen\n  clause: \"\"\n", "t.yaml:3: a.b: clause must be a non-empty string"},
		{"a.b:\n  unit: fen\n  clause:\n  values:\n",
		 "t.yaml:3: a.b: clause must be a non-empty string"},
		{HEAD "  local_default: yes\n", "t.yaml:4: a.b: local_default must be true or false"},
		{HEAD "  local_default: \"true\"\n",
		 "t.yaml:4: a.b: local_default must be true or false"},
		{HEAD "  description: {a: 1}\n", "t.yaml:4: a.b: description must be a string"},
		{HEAD "  values:\n    2008-01-01: 1\nc.d:\n  unit: fen\n  clause: y\n  values:\n"
		      "    2008-01-01: 1\na.b:\n  unit: fen\n  clause: z\n  values:\n    2009-01-01: 2\n",
		 "t.yaml:11: a.b: duplicate parameter, first defined at t.yaml:1"},
		{"- a.b\n- c.d\n", "t.yaml:1: top level must be a mapping of parameter names"},
		{"just text\n", "t.yaml:1: top level must be a mapping of parameter names"},
		{"", "t.yaml:1: no parameters"},
		{"# only a comment\n\n", "t.yaml:1: no parameters"},
		{"# empty\n{}\n", "t.yaml:2: no parameters"},
		{"? [a, b]\n: {unit: fen}\n", "t.yaml:1: parameter names must be non-empty strings"},
		{HEAD "  values:\n    2008-01-01: 1\n---\nc.d: {}\n",
		 "t.yaml:7: only one document is allowed"},
	};
	for (size_t i = 0; i < N(cases); i++) {
		struct params *p = (struct params *)&p; /* must stay untouched */
		char err[256] = "";
		int rc = params_load_string(cases[i].yaml, "t.yaml", &p, err, sizeof(err));

		if (rc != -EINVAL || strcmp(err, cases[i].err) != 0)
			fail_msg("case %zu: rc %d, error\n  \"%s\", want\n  \"%s\"", i, rc, err,
				 cases[i].err);
		assert_ptr_equal(p, (struct params *)&p);
	}
}

/* No unit takes a negative value; a rate in bp is at most 10000. */
static void test_ranges(void **state)
{
	static const struct {
		const char *unit;
		const char *value;
		const char *err; /* NULL: accepted */
	} cases[] = {
		{"fen", "-1", "t.yaml:5: a.b: value -1 must not be negative"},
		{"bp", "-1", "t.yaml:5: a.b: value -1 must not be negative"},
		{"m2", "-1", "t.yaml:5: a.b: value -1 must not be negative"},
		{"days", "-1", "t.yaml:5: a.b: value -1 must not be negative"},
		{"months", "-1", "t.yaml:5: a.b: value -1 must not be negative"},
		{"years", "-1", "t.yaml:5: a.b: value -1 must not be negative"},
		{"count", "-1", "t.yaml:5: a.b: value -1 must not be negative"},
		{"kwh", "-1", "t.yaml:5: a.b: value -1 must not be negative"},
		{"m3", "-1", "t.yaml:5: a.b: value -1 must not be negative"},
		{"fen", "-9223372036854775808",
		 "t.yaml:5: a.b: value -9223372036854775808 must not be negative"},
		{"bp", "10001", "t.yaml:5: a.b: value 10001 bp above 10000"},
		{"bp", "20000", "t.yaml:5: a.b: value 20000 bp above 10000"},
		{"fen", "0", NULL},
		{"bp", "0", NULL},
		{"bp", "10000", NULL},
		{"count", "0", NULL},
		{"fen", "9223372036854775807", NULL},
		{"m2", "10001", NULL},
	};
	for (size_t i = 0; i < N(cases); i++) {
		struct params *p = NULL;
		struct param_value v;
		char yaml[256], err[256] = "";
		int rc;

		snprintf(yaml, sizeof(yaml), "a.b:\n  unit: %s\n  clause: x\n  values:\n"
			 "    2008-01-01: %s\n", cases[i].unit, cases[i].value);
		rc = params_load_string(yaml, "t.yaml", &p, err, sizeof(err));
		if (cases[i].err == NULL) {
			if (rc != 0)
				fail_msg("case %zu (%s %s): %s", i, cases[i].unit, cases[i].value,
					 err);
			assert_int_equal(params_get(p, "a.b", 20080101, &v), 0);
			assert_int_equal(v.value, strtoll(cases[i].value, NULL, 10));
			params_free(p);
			continue;
		}
		if (rc != -EINVAL || strcmp(err, cases[i].err) != 0)
			fail_msg("case %zu: rc %d, error\n  \"%s\", want\n  \"%s\"", i, rc, err,
				 cases[i].err);
		assert_null(p);
	}
}

/* libyaml words syntax errors itself; the place is ours to get right. */
static void test_syntax_errors(void **state)
{
	static const struct {
		const char *yaml, *prefix;
	} cases[] = {
		{HEAD "  values:\n    2008-01-01: 1\n   bad: indent\n", "t.yaml:6: "},
		{HEAD "  clause: \"unterminated\n", "t.yaml:5: found unexpected end of stream "
					       "(while scanning a quoted scalar at line 4)"},
		{"a.b:\n  unit: fen\n\tclause: tab\n", "t.yaml:3: "},
		{HEAD "  values: *nowhere\n", "t.yaml:4: "},
	};
	for (size_t i = 0; i < N(cases); i++) {
		struct params *p = NULL;
		char err[256] = "";
		int rc = params_load_string(cases[i].yaml, "t.yaml", &p, err, sizeof(err));

		assert_int_equal(rc, -EINVAL);
		if (strncmp(err, cases[i].prefix, strlen(cases[i].prefix)) != 0 ||
		    strlen(err) <= strlen("t.yaml:N: "))
			fail_msg("case %zu: \"%s\" does not start with \"%s\"", i, err,
				 cases[i].prefix);
		assert_null(p);
	}
}

static void test_short_error_buffer(void **state)
{
	struct params *p = NULL;
	char err[12];

	memset(err, 'z', sizeof(err));
	assert_int_equal(params_load_string("x: 1\n", "t.yaml", &p, err, 8), -EINVAL);
	assert_string_equal(err, "t.yaml:");
	assert_int_equal(err[8], 'z');
	assert_int_equal(params_load_string("x: 1\n", "t.yaml", &p, NULL, 0), -EINVAL);
	assert_null(p);
}

struct tmpdir {
	char path[64];
	char files[8][32];
	int nfiles;
};

static void tmp_write(struct tmpdir *t, const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", t->path, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	snprintf(t->files[t->nfiles++], sizeof(t->files[0]), "%s", name);
}

static int tmp_setup(void **state)
{
	struct tmpdir *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return -1;
	snprintf(t->path, sizeof(t->path), "/tmp/test_params.XXXXXX");
	if (mkdtemp(t->path) == NULL)
		return -1;
	*state = t;
	return 0;
}

static int tmp_teardown(void **state)
{
	struct tmpdir *t = *state;
	char path[128];

	for (int i = 0; i < t->nfiles; i++) {
		snprintf(path, sizeof(path), "%s/%s", t->path, t->files[i]);
		unlink(path);
	}
	rmdir(t->path);
	free(t);
	return 0;
}

static const char dibao_yaml[] = "dibao.urban.standard.city:\n"
				 "  unit: fen\n"
				 "  clause: \"POLICY (1)\"\n"
				 "  values:\n"
				 "    2008-01-01: 18500\n"
				 "    2027-01-01: 19500\n"
				 "dibao.rural.standard:\n"
				 "  unit: fen\n"
				 "  clause: \"POLICY (2)\"\n"
				 "  values:\n"
				 "    2008-01-01: 7000\n";

static const char medical_yaml[] = "# medical\n"
				   "medical.assistance.rate:\n"
				   "  unit: bp\n"
				   "  clause: \"POLICY (3.3)\"\n"
				   "  local_default: true\n"
				   "  values:\n"
				   "    2008-01-01: 5000\n";

static void test_dir(void **state)
{
	struct tmpdir *t = *state;
	struct params *p = NULL;
	struct param_value v;
	char err[256] = "";

	tmp_write(t, "dibao.yaml", dibao_yaml);
	tmp_write(t, "medical.yaml", medical_yaml);
	tmp_write(t, "notes.txt", "not: [yaml\n");
	tmp_write(t, ".scratch.yaml", "not: [yaml\n");
	tmp_write(t, "medical.yaml.orig", "not: [yaml\n");
	if (params_load_dir(t->path, &p, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(params_count(p), 3);
	assert_int_equal(params_get(p, "dibao.urban.standard.city", 20270101, &v), 0);
	assert_int_equal(v.value, 19500);
	assert_int_equal(params_get(p, "dibao.rural.standard", 20270101, &v), 0);
	assert_int_equal(v.value, 7000);
	assert_int_equal(params_get(p, "medical.assistance.rate", 20080101, &v), 0);
	assert_int_equal(v.value, 5000);
	assert_true(v.local_default);
	assert_string_equal(v.clause, "POLICY (3.3)");
	params_free(p);
}

static void test_dir_duplicate(void **state)
{
	struct tmpdir *t = *state;
	struct params *p = NULL;
	char err[512] = "", want[512];

	tmp_write(t, "a.yaml", dibao_yaml);
	tmp_write(t, "b.yaml", "# again\n\ndibao.rural.standard:\n  unit: fen\n  clause: x\n"
			       "  values:\n    2009-01-01: 7500\n");
	assert_int_equal(params_load_dir(t->path, &p, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "%s/b.yaml:3: dibao.rural.standard: duplicate parameter, first defined at "
		 "%s/a.yaml:7",
		 t->path, t->path);
	assert_string_equal(err, want);
	assert_null(p);
}

/* A bad file anywhere fails the whole load. */
static void test_dir_all_or_nothing(void **state)
{
	struct tmpdir *t = *state;
	struct params *p = NULL;
	char err[512] = "", want[512];

	tmp_write(t, "a.yaml", dibao_yaml);
	tmp_write(t, "b.yaml", medical_yaml);
	tmp_write(t, "c.yaml", "medical.huimin.cap:\n  unit: fen\n  clause: \"POLICY (3.1)\"\n"
			       "  values:\n    2008-01-01: 2000000\n    2012-01-01: 2O000\n");
	assert_int_equal(params_load_dir(t->path, &p, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s/c.yaml:6: medical.huimin.cap: value \"2O000\" is not an integer",
		 t->path);
	assert_string_equal(err, want);
	assert_null(p);
}

static void test_dir_empty(void **state)
{
	struct tmpdir *t = *state;
	struct params *p = NULL;
	char err[256] = "", want[256];
	char path[128];

	tmp_write(t, "README", "policy files go here\n");
	assert_int_equal(params_load_dir(t->path, &p, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: no *.yaml files", t->path);
	assert_string_equal(err, want);
	assert_null(p);

	snprintf(path, sizeof(path), "%s/missing", t->path);
	assert_int_equal(params_load_dir(path, &p, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "%s: %s", path, strerror(ENOENT));
	assert_string_equal(err, want);
	assert_null(p);
}

/* The trailing slash of "dir/" is not doubled in messages. */
static void test_dir_trailing_slash(void **state)
{
	struct tmpdir *t = *state;
	struct params *p = NULL;
	char err[256] = "", dir[128], want[256];

	tmp_write(t, "x.yaml", "a.b:\n  unit: fen\n");
	snprintf(dir, sizeof(dir), "%s/", t->path);
	assert_int_equal(params_load_dir(dir, &p, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s/x.yaml:1: a.b: missing clause", t->path);
	assert_string_equal(err, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_metadata),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_short_error_buffer),
		cmocka_unit_test_setup_teardown(test_dir, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_dir_duplicate, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_dir_all_or_nothing, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_dir_empty, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_dir_trailing_slash, tmp_setup, tmp_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
