/* subject_key tells apart two persons whose masked ID numbers are the same:
 * `assistctl get` shows it, the feed's records carry it, it is the same in
 * both, and it is the keyed BLAKE2b of the ID under the configured key
 * (values computed independently with Python's hashlib.blake2b). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/* Both mask to 420704**********15. */
#define ID_A "420704198001010015"
#define ID_B "420704196401010015"
/* blake2b(ID, key=bytes(range(32)), digest_size=16): FIXTURE_SUBJECT_KEY. */
#define KEY_A "e36f12c3385dfcd5f6524c4c95abca7f"
#define KEY_B "74de15cecc0ad2e18f2fa21494d6d5ed"

static struct fixture fx;

static int setup(void **state)
{
	if (fixture_setup(&fx, "subject", NULL) < 0 || fixture_assistd_start(&fx) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	fixture_teardown(&fx);
	return 0;
}

static void test_get_and_feed_carry_it(void **state)
{
	const char *argv[] = {"assistctl", "-c", fx.conf, "watch", "--from", "1", "--count", "2",
			      NULL};
	char *out = NULL, *line, *save = NULL;
	const char *want[2][2] = {{KEY_A, ID_A}, {KEY_B, ID_B}};
	int seen = 0;

	assert_int_equal(fixture_push(&fx, "two.jsonl",
		"{\"source\":\"civil_affairs\",\"seq\":1,\"kind\":\"person\",\"person\":"
		"{\"id_number\":\"" ID_A "\",\"name\":\"A\",\"household_id\":\"H-1\"}}\n"
		"{\"source\":\"civil_affairs\",\"seq\":2,\"kind\":\"person\",\"person\":"
		"{\"id_number\":\"" ID_B "\",\"name\":\"B\",\"household_id\":\"H-2\"}}\n", NULL), 0);
	for (int i = 0; i < 2; i++) {
		json_t *rec = fixture_get(&fx, want[i][1], 0, NULL);

		assert_non_null(rec);
		assert_string_equal(fixture_str(rec, "subject_key"), want[i][0]);
		json_decref(rec);
	}
	assert_int_equal(fixture_run(&fx, &out, NULL, argv), 0);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_t *m = json_loads(line, 0, NULL);
		const char *name;

		assert_non_null(m);
		assert_string_equal(fixture_str(m, "record.id_number"), "420704**********15");
		name = fixture_str(m, "record.name");
		assert_string_equal(fixture_str(m, "record.subject_key"),
				    strcmp(name, "A") == 0 ? KEY_A : KEY_B);
		seen++;
		json_decref(m);
	}
	free(out);
	assert_int_equal(seen, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_and_feed_carry_it),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
