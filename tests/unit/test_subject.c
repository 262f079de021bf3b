/* subject_key: fixed vectors (computed independently with Python's
 * hashlib.blake2b(id, key=key, digest_size=16)), key parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "subject.h"

#define KEY_A "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define KEY_B "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

static const struct {
	const char *key, *id, *want;
} vectors[] = {
	{KEY_A, "420704198001010015", "e36f12c3385dfcd5f6524c4c95abca7f"},
	{KEY_A, "420704198202020025", "2f732a069f0f24777d4fad916659135a"},
	{KEY_A, "42070419900615021X", "fa0fc4dab7c7e3d78cf45be68132d29d"},
	{KEY_B, "420704198001010015", "21b03addefd8f6e5b44c2488ccdf6c3a"},
	{KEY_B, "420704198202020025", "b6c099a5ea394fb49b8ea93fdde87086"},
	{KEY_B, "42070419900615021X", "42a95dfdbabfa8a2c00c40f2597aead1"},
};

static void test_vectors(void **state)
{
	uint8_t key[SUBJECT_KEY_BYTES];
	char out[SUBJECT_HEX_LEN + 1];

	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		assert_int_equal(subject_key_parse(vectors[i].key, key), 0);
		assert_string_equal(subject_of(key, vectors[i].id, out), vectors[i].want);
	}
}

/* Same ID, same key: the same pseudonym; every ID of the vectors apart. */
static void test_stable_and_distinct(void **state)
{
	uint8_t key[SUBJECT_KEY_BYTES];
	char a[SUBJECT_HEX_LEN + 1], b[SUBJECT_HEX_LEN + 1];

	assert_int_equal(subject_key_parse(KEY_A, key), 0);
	assert_string_equal(subject_of(key, "420704198001010015", a),
			    subject_of(key, "420704198001010015", b));
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		for (size_t j = i + 1; j < sizeof(vectors) / sizeof(vectors[0]); j++)
			assert_string_not_equal(vectors[i].want, vectors[j].want);
	assert_int_equal(strlen(a), SUBJECT_HEX_LEN);
}

static void test_parse(void **state)
{
	static const struct {
		const char *text;
		int rc;
	} cases[] = {
		{KEY_A, 0},
		{"  " KEY_A "\n", 0},
		{"000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", 0},
		{"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e", -EINVAL},
		{KEY_A "00", -EINVAL},
		{"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g", -EINVAL},
		{"00 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", -EINVAL},
		{"", -EINVAL},
	};
	uint8_t key[SUBJECT_KEY_BYTES];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(subject_key_parse(cases[i].text, key), cases[i].rc);
}

static void test_load(void **state)
{
	char path[] = "/tmp/assist-subject-XXXXXX", err[256];
	uint8_t key[SUBJECT_KEY_BYTES];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not a key\n", 10), 10);
	close(fd);
	assert_int_equal(subject_key_load(path, key, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "64 hex characters"));
	unlink(path);
	assert_int_equal(subject_key_load(path, key, err, sizeof(err)), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_stable_and_distinct),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
