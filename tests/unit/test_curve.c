/* CURVE keys, and the security rules assistd.conf must meet: no plaintext
 * TCP unless asked for, a well-formed key with an allow-list beside it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "curve.h"

/* The server secret key of zmq_curve(7). */
#define SECRET "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"

static const struct {
	const char *z85;
	bool ok;
} key_cases[] = {
	{SECRET, true},
	{"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", true},
	{"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf", false},    /* 39 characters */
	{"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf77", false},  /* 41 */
	{"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf\"", false},  /* not Z85 */
	{"", false},
};

static void test_key_decode(void **state)
{
	uint8_t key[CURVE_KEY_BYTES];

	for (size_t i = 0; i < sizeof(key_cases) / sizeof(key_cases[0]); i++)
		assert_int_equal(curve_key_decode(key_cases[i].z85, key), key_cases[i].ok);
	assert_false(curve_key_decode(NULL, key));
}

static void test_networked(void **state)
{
	assert_false(curve_endpoint_networked("ipc:///run/assist/ingest.sock"));
	assert_true(curve_endpoint_networked("tcp://127.0.0.1:7301"));
	assert_true(curve_endpoint_networked("tcp://*:7301"));
}

#define ENDPOINTS(ingest) \
	"database = host=/tmp\ningest_endpoint = " ingest "\n" \
	"query_endpoint = ipc:///tmp/q\nfeed_endpoint = ipc:///tmp/f\n"

static const struct {
	const char *text;
	const char *err;   /* NULL: loads */
} conf_cases[] = {
	{ENDPOINTS("ipc:///tmp/i"), NULL},
	{ENDPOINTS("ipc:///tmp/i, tcp://127.0.0.1:7301"),
	 "ingest_endpoint: tcp://127.0.0.1:7301 would be plaintext"},
	{ENDPOINTS("ipc:///tmp/i") "feed_endpoint = ipc:///tmp/f,tcp://*:7303\n",
	 "feed_endpoint: tcp://*:7303 would be plaintext"},
	{ENDPOINTS("tcp://127.0.0.1:7301") "allow_plain_tcp = true\n", NULL},
	{ENDPOINTS("tcp://127.0.0.1:7301") "curve_secret_key = " SECRET "\n"
	 "clients_file = /etc/assist/clients\n", NULL},
	{ENDPOINTS("tcp://127.0.0.1:7301") "curve_secret_key = " SECRET "\n",
	 "curve_secret_key needs clients_file"},
	{ENDPOINTS("ipc:///tmp/i") "curve_secret_key = abc\nclients_file = /x\n",
	 "curve_secret_key: not a 40-character Z85 key"},
};

static void test_config_rules(void **state)
{
	char path[] = "/tmp/test_curve_XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	for (size_t i = 0; i < sizeof(conf_cases) / sizeof(conf_cases[0]); i++) {
		FILE *f = fopen(path, "w");
		struct config c;
		char err[512] = "";
		int rc;

		assert_non_null(f);
		fputs(conf_cases[i].text, f);
		fclose(f);
		rc = config_load(path, &c, err, sizeof(err));
		if (conf_cases[i].err == NULL) {
			if (rc != 0)
				fail_msg("case %zu: %s", i, err);
			config_free(&c);
		} else if (rc != -EINVAL || strstr(err, conf_cases[i].err) == NULL) {
			fail_msg("case %zu: got %d \"%s\", want \"%s\"", i, rc, err,
				 conf_cases[i].err);
		}
	}
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_decode),
		cmocka_unit_test(test_networked),
		cmocka_unit_test(test_config_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
