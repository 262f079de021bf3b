/* The CURVE allow-list (clients_file): its format, errors with file and
 * line, lookups, and the user ids the ZAP handler gives out. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zap.h"

/* Public keys from the libzmq documentation (zmq_curve(7)). */
#define KEY_A "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
#define KEY_B "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"

struct parse_case {
	const char *text;
	size_t n;            /* clients when it parses */
	const char *err;     /* else: the error, after "clients:" */
};

static const struct parse_case parse_cases[] = {
	{"", 0, NULL},
	{"# nobody yet\n\n   \n", 0, NULL},
	{KEY_A " department civil_affairs\n", 1, NULL},
	{KEY_A " department civil_affairs", 1, NULL},             /* no final newline */
	{"\t" KEY_A "\tconsumer\tdashboard \r\n# x\n" KEY_B " department health\n", 2, NULL},
	{KEY_A " department\n", 0, "1: expected \"<public key> department <source>\" or "
				   "\"<public key> consumer <name>\""},
	{KEY_A " department health extra\n", 0, "1: expected"},
	{"\n# two\n" KEY_A "x department health\n", 0,
	 "3: the key is not a 40-character Z85 public key"},
	{"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hI\" department health\n", 0,
	 "1: the key is not"},                                     /* '"' is not Z85 */
	{KEY_A " auditor x\n", 0, "1: role \"auditor\" is neither department nor consumer"},
	{KEY_A " department Health\n", 0,
	 "1: name \"Health\" must be 1-31 characters of a-z, 0-9, _ or -"},
	{KEY_A " consumer abcdefghijabcdefghijabcdefghijab\n", 0, "1: name \"abcdefghij"},
	{KEY_A " department health\n" KEY_B " consumer a\n" KEY_A " consumer b\n", 0,
	 "3: the key is already listed at line 1"},
};

static void test_parse(void **state)
{
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct zap_list *l = NULL;
		char err[256] = "", want[256];
		int rc = zap_list_parse(c->text, "clients", &l, err, sizeof(err));

		if (c->err == NULL) {
			if (rc != 0)
				fail_msg("case %zu: %s", i, err);
			assert_int_equal(l->n, c->n);
			zap_list_free(l);
			continue;
		}
		assert_int_equal(rc, -EINVAL);
		assert_null(l);
		snprintf(want, sizeof(want), "clients:%s", c->err);
		if (strncmp(err, want, strlen(want)) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, err, want);
	}
}

static void test_find_and_user_ids(void **state)
{
	struct zap_list *l = NULL;
	uint8_t a[CURVE_KEY_BYTES], b[CURVE_KEY_BYTES], other[CURVE_KEY_BYTES] = {0};
	const struct zap_client *c;
	char err[256];

	assert_int_equal(zap_list_parse(KEY_A " department civil_affairs\n# x\n"
					 KEY_B " consumer dashboard\n",
					 "clients", &l, err, sizeof(err)), 0);
	assert_true(curve_key_decode(KEY_A, a));
	assert_true(curve_key_decode(KEY_B, b));
	c = zap_list_find(l, a);
	assert_non_null(c);
	assert_int_equal(c->role, ZAP_DEPARTMENT);
	assert_string_equal(c->name, "civil_affairs");
	assert_string_equal(c->user_id, "department:civil_affairs");
	assert_int_equal(c->line, 1);
	c = zap_list_find(l, b);
	assert_non_null(c);
	assert_string_equal(c->user_id, "consumer:dashboard");
	assert_int_equal(c->line, 3);
	assert_null(zap_list_find(l, other));
	assert_null(zap_list_find(NULL, a));
	zap_list_free(l);
}

static const struct {
	const char *user_id;
	bool ok;
	enum zap_role role;
	const char *name;
} user_id_cases[] = {
	{"department:civil_affairs", true, ZAP_DEPARTMENT, "civil_affairs"},
	{"consumer:dashboard", true, ZAP_CONSUMER, "dashboard"},
	{"consumer:", false, 0, NULL},
	{"auditor:x", false, 0, NULL},
	{"department", false, 0, NULL},
	{"department:Health", false, 0, NULL},
	{"", false, 0, NULL},
};

static void test_user_id_parse(void **state)
{
	for (size_t i = 0; i < sizeof(user_id_cases) / sizeof(user_id_cases[0]); i++) {
		enum zap_role role;
		const char *name = NULL;
		bool ok = zap_user_id_parse(user_id_cases[i].user_id, &role, &name);

		assert_int_equal(ok, user_id_cases[i].ok);
		if (!ok)
			continue;
		assert_int_equal(role, user_id_cases[i].role);
		assert_string_equal(name, user_id_cases[i].name);
	}
	assert_false(zap_user_id_parse(NULL, NULL, NULL));
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/test_zap_XXXXXX", err[256], want[300];
	struct zap_list *l = NULL;
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("# clients\n" KEY_A " department labor\n" KEY_B " consumer\n", f);
	fclose(f);
	assert_int_equal(zap_list_load(path, &l, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:3: expected", path);
	assert_true(strncmp(err, want, strlen(want)) == 0);
	f = fopen(path, "w");
	fputs("# clients\n" KEY_A " department labor\n", f);
	fclose(f);
	assert_int_equal(zap_list_load(path, &l, err, sizeof(err)), 0);
	assert_int_equal(l->n, 1);
	zap_list_free(l);
	unlink(path);
	assert_int_equal(zap_list_load(path, &l, err, sizeof(err)), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_find_and_user_ids),
		cmocka_unit_test(test_user_id_parse),
		cmocka_unit_test(test_load_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
