/* The descriptor-driven checks of string fields: UTF-8 in a decoded
 * message, NUL bytes in packed data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>

#include "assist.pb-c.h"
#include "pbcheck.h"
#include "pbjson.h"

#define ID "420704198001010015"
#define PERSON(extra) "{\"seq\":1,\"kind\":\"person\",\"person\":{\"id_number\":\"" ID "\"" extra "}}"

static Assist__Request *decode(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);
	ProtobufCMessage *m = NULL;
	char err[256];

	assert_non_null(j);
	if (pbjson_decode(&assist__request__descriptor, j, &m, err, sizeof(err)) < 0)
		fail_msg("%s: %s", text, err);
	json_decref(j);
	return (Assist__Request *)m;
}

/* req packed, each "@" of the packed bytes made a NUL. */
static uint8_t *pack_with_nul(const char *text, size_t *len)
{
	Assist__Request *req = decode(text);
	uint8_t *buf;

	*len = assist__request__get_packed_size(req);
	buf = malloc(*len);
	assert_non_null(buf);
	assist__request__pack(req, buf);
	assist__request__free_unpacked(req, NULL);
	for (size_t i = 0; i < *len; i++) {
		if (buf[i] == '@')
			buf[i] = '\0';
	}
	return buf;
}

static void collect(void *arg, const char *path)
{
	char *out = arg;

	strcat(out, path);
	strcat(out, ";");
}

static void test_nul(void **state)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
		{"{\"batch\":{\"source\":\"labor\",\"events\":[" PERSON(",\"name\":\"Li\"") "]}}", ""},
		{"{\"batch\":{\"source\":\"labor@x\"}}", "batch.source;"},
		{"{\"batch\":{\"source\":\"labor\",\"events\":[" PERSON("") "," PERSON(",\"name\":\"Li@Na\"") "]}}",
		 "batch.events[1].person.name;"},
		{"{\"batch\":{\"source\":\"labor\",\"events\":[{\"seq\":1,\"raw\":\"a@\"}," PERSON("")
		 "," PERSON(",\"place\":{\"town\":\"@\"}") "]}}",
		 "batch.events[0].raw;batch.events[2].person.place.town;"},
		{"{\"heartbeat\":{\"source\":\"health@\"}}", "heartbeat.source;"},
		{"{\"get\":{\"id_number\":\"" ID "@1\"}}", "get.id_number;"},
		{"{\"replay\":{\"from_seq\":5,\"topic_prefix\":\"record/@\"}}", "replay.topic_prefix;"},
		{"{\"status\":{}}", ""},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char got[512] = "";
		size_t len;
		uint8_t *buf = pack_with_nul(cases[i].json, &len);

		assert_int_equal(pbcheck_nul(&assist__request__descriptor, buf, len, collect, got), 0);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\"", i, got);
		free(buf);
	}
}

static void test_nul_malformed(void **state)
{
	static const struct {
		const uint8_t data[8];
		size_t len;
	} cases[] = {
		{{0x52, 0x10}, 2},             /* batch, 16 bytes long, none there */
		{{0x0b}, 1},                   /* a group: not in proto3 */
		{{0x08, 0xff}, 2},             /* a varint cut short */
	};
	char got[64] = "";

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(pbcheck_nul(&assist__request__descriptor, cases[i].data,
					     cases[i].len, collect, got), -22);
}

static void test_utf8_paths(void **state)
{
	Assist__Request *req = decode("{\"batch\":{\"source\":\"labor\",\"events\":[" PERSON("")
				      "," PERSON(",\"name\":\"Lixx\"") "]}}");
	char path[128];

	assert_false(pbcheck_utf8(&req->base, path, sizeof(path)));
	req->batch->events[1]->person->name[2] = (char)0xff;
	assert_true(pbcheck_utf8(&req->base, path, sizeof(path)));
	assert_string_equal(path, "batch.events[1].person.name");
	assist__request__free_unpacked(req, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_nul_malformed),
		cmocka_unit_test(test_utf8_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
