/* pgoutput decoder on messages captured from PostgreSQL 15 with
 * pg_logical_slot_peek_binary_changes(..., 'proto_version', '1',
 * 'publication_names', 'pub', 'messages', 'true'), plus hand-made bad ones. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pgoutput.h"

struct step {
	const char *hex;
	int rc;
	enum pgo_type type;
	uint64_t lsn;          /* begin, commit */
	uint64_t end_lsn;      /* commit */
	uint32_t xid;          /* begin */
	const char *relname;   /* relation, insert, update, delete */
	char old_kind;
	const char *old_tuple; /* "t:value,n,u" per column */
	const char *new_tuple;
};

/* One session, in order: relations must be announced before their rows.
 *   CREATE TABLE person (id_number text PRIMARY KEY, name text, income bigint, note text)
 *     with REPLICA IDENTITY FULL; big (id int PRIMARY KEY, payload text, n int);
 *   k (id int PRIMARY KEY, m mood) with mood an enum. */
static const struct step session[] = {
	{.hex = "420000000001929b78000304674a2e278d000002d9", .rc = 0, .type = PGO_BEGIN,
	 .lsn = 0x1929B78, .end_lsn = 0, .xid = 729},
	{.hex = "52000040017075626c696300706572736f6e006600040169645f6e756d6265720000000019ffffff"
	        "ff016e616d650000000019ffffffff01696e636f6d650000000014ffffffff016e6f746500000000"
	        "19ffffffff",
	 .rc = 0, .type = PGO_RELATION, .relname = "person"},
	{.hex = "49000040014e000474000000123131303130313139393030333037373737377400000006e5bca0e4"
	        "b88974000000063135303030306e",
	 .rc = 0, .type = PGO_INSERT, .relname = "person",
	 .new_tuple = "t:110101199003077777,t:张三,t:150000,n"},
	{.hex = "43000000000001929b780000000001929ba8000304674a2e278d", .rc = 0, .type = PGO_COMMIT,
	 .lsn = 0x1929B78,
	 .end_lsn = 0x1929BA8},
	{.hex = "420000000001929ca8000304674a2e2db1000002da", .rc = 0, .type = PGO_BEGIN,
	 .lsn = 0x1929CA8, .end_lsn = 0, .xid = 730},
	{.hex = "49000040014e0004740000000132740000000162740000000131740000000178", .rc = 0,
	 .type = PGO_INSERT,
	 .relname = "person", .new_tuple = "t:2,t:b,t:1,t:x"},
	{.hex = "55000040014f00047400000001327400000001627400000001317400000001784e00047400000001"
	        "32740000000162740000000132740000000178",
	 .rc = 0, .type = PGO_UPDATE, .relname = "person", .old_kind = 'O',
	 .old_tuple = "t:2,t:b,t:1,t:x",
	 .new_tuple = "t:2,t:b,t:2,t:x"},
	{.hex = "43000000000001929ca80000000001929cd8000304674a2e2db1", .rc = 0, .type = PGO_COMMIT,
	 .lsn = 0x1929CA8,
	 .end_lsn = 0x1929CD8},
	{.hex = "44000040014f0004740000000132740000000162740000000132740000000178", .rc = 0,
	 .type = PGO_DELETE,
	 .relname = "person", .old_kind = 'O', .old_tuple = "t:2,t:b,t:2,t:x"},
	{.hex = "52000040087075626c696300626967006400030169640000000017ffffffff007061796c6f616400"
	        "00000019ffffffff006e0000000017ffffffff",
	 .rc = 0, .type = PGO_RELATION, .relname = "big"},
	/* UPDATE big SET n = 5: the TOASTed payload is sent as unchanged. */
	{.hex = "55000040084e000374000000013175740000000135", .rc = 0, .type = PGO_UPDATE,
	 .relname = "big",
	 .new_tuple = "t:1,u,t:5"},
	{.hex = "59000040147075626c6963006d6f6f6400", .rc = 0, .type = PGO_OTHER},
	{.hex = "52000040197075626c6963006b006400020169640000000017ffffffff006d0000004014ffffffff"
,
	 .rc = 0,
	 .type = PGO_RELATION, .relname = "k"},
	/* UPDATE k SET id = 2: the old key comes as 'K' with non-key columns null. */
	{.hex = "55000040194b00027400000001316e4e000274000000013274000000026f6b", .rc = 0,
	 .type = PGO_UPDATE,
	 .relname = "k", .old_kind = 'K', .old_tuple = "t:1,n", .new_tuple = "t:2,t:ok"},
	{.hex = "54000000010000004019", .rc = 0, .type = PGO_TRUNCATE, .relname = "k"},
	{.hex = "4d010000000001931910706678000000000568656c6c6f", .rc = 0, .type = PGO_OTHER},
	/* Origin, hand-made: LSN, "origin". */
	{.hex = "4f00000000019319106f726967696e00", .rc = 0, .type = PGO_OTHER},

	/* Rejected, never a crash; the session goes on after each. */
	{.hex = "", .rc = -EBADMSG},
	{.hex = "5a", .rc = -EBADMSG},
	{.hex = "49000099994e0001740000000131", .rc = -ENOENT},     /* relation never announced */
	{.hex = "49000040014e0001740000000131", .rc = -EBADMSG},       /* 1 column, person has 4 */
	{.hex = "49000040194e000274ffffffff",
	 .rc = -EBADMSG},         /* value longer than the message */
	{.hex = "49000040194e00026200000001316e", .rc = -EBADMSG},     /* binary value */
	{.hex = "49000040194b00027400000001316e",
	 .rc = -EBADMSG},     /* insert with an old tuple */
	{.hex = "44000040194e00027400000001316e", .rc = -EBADMSG},     /* delete without one */
	{.hex = "55000040194e00027400000001316e00", .rc = -EBADMSG},   /* trailing byte */
	{.hex = "420000000001929ca8000304674a2e2db1000002da00", .rc = -EBADMSG},
	{.hex = "52000000017300740064ffff",
	 .rc = -EBADMSG},           /* 65535 columns in 12 bytes */
	{.hex = "520000401970750062", .rc = -EBADMSG},                 /* unterminated name */
	{.hex = "54ffffffff00",
	 .rc = -EBADMSG},                       /* truncate of 2^32-1 relations */
	{.hex = "54000000010000009999", .rc = -ENOENT}, /* truncate of a relation never announced */
	{.hex = "4d0100000000019319107066780000000005",
	 .rc = -EBADMSG}, /* message content missing */
	/* The failed relations above left k as it was. */
	{.hex = "49000040194e000274000000013374000000037361646e",
	 .rc = -EBADMSG}, /* a column too many */
	{.hex = "49000040194e0002740000000133740000000373616400", .rc = -EBADMSG},
	{.hex = "49000040194e00027400000001337400000003736164", .rc = 0, .type = PGO_INSERT,
	 .relname = "k",
	 .new_tuple = "t:3,t:sad"},
	/* A new Relation message for the same id replaces the old description. */
	{.hex = "52000040197075626c6963006b32006400010169640000000017ffffffff", .rc = 0,
	 .type = PGO_RELATION,
	 .relname = "k2"},
	{.hex = "49000040194e0001740000000134", .rc = 0, .type = PGO_INSERT, .relname = "k2",
	 .new_tuple = "t:4"},
};

static size_t unhex(const char *hex, uint8_t **out)
{
	size_t n = strlen(hex) / 2;
	uint8_t *buf = malloc(n + 1);

	assert_non_null(buf);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		buf[i] = (uint8_t)v;
	}
	*out = buf;
	return n;
}

static void tuple_text(const struct pgo_tuple *t, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (int i = 0; i < t->ncols; i++) {
		const char *sep = i > 0 ? "," : "";
		if (t->status[i] == 't')
			used += snprintf(out + used, len - used, "%st:%s", sep, t->values[i]);
		else
			used += snprintf(out + used, len - used, "%s%c", sep, t->status[i]);
		assert_true(used < len);
	}
}

static void check_step(const struct step *s, const struct pgo_msg *m)
{
	char text[512];

	assert_int_equal(m->type, s->type);
	switch (s->type) {
	case PGO_BEGIN:
		assert_int_equal(m->lsn, s->lsn);
		assert_int_equal(m->xid, s->xid);
		assert_true(m->time > 0);
		break;
	case PGO_COMMIT:
		assert_int_equal(m->lsn, s->lsn);
		assert_int_equal(m->end_lsn, s->end_lsn);
		assert_true(m->time > 0);
		break;
	case PGO_RELATION:
	case PGO_INSERT:
	case PGO_UPDATE:
	case PGO_DELETE:
		assert_non_null(m->rel);
		assert_string_equal(m->rel->relname, s->relname);
		assert_string_equal(m->rel->nspname, "public");
		break;
	case PGO_TRUNCATE:
		assert_int_equal(m->ntruncated, 1);
		assert_string_equal(m->truncated[0]->relname, s->relname);
		break;
	case PGO_OTHER:
		break;
	}
	assert_int_equal(m->old_kind, s->old_kind);
	if (s->old_tuple != NULL) {
		tuple_text(&m->old_tuple, text, sizeof(text));
		assert_string_equal(text, s->old_tuple);
	}
	assert_int_equal(m->has_new, s->new_tuple != NULL);
	if (s->new_tuple != NULL) {
		tuple_text(&m->new_tuple, text, sizeof(text));
		assert_string_equal(text, s->new_tuple);
	}
}

static void test_session(void **state)
{
	struct pgo_cache cache;

	pgo_cache_init(&cache);
	for (size_t i = 0; i < sizeof(session) / sizeof(session[0]); i++) {
		const struct step *s = &session[i];
		struct pgo_msg m;
		uint8_t *buf;
		size_t n = unhex(s->hex, &buf);
		int rc = pgo_decode(&cache, buf, n, &m);
		if (rc != s->rc)
			fail_msg("step %zu (%s): rc %d, want %d", i, s->hex, rc, s->rc);
		if (rc == 0)
			check_step(s, &m);
		pgo_msg_clear(&m);
		free(buf);
	}
	pgo_cache_free(&cache);
}

static void test_relation_columns(void **state)
{
	struct pgo_cache cache;
	struct pgo_msg m;
	uint8_t *buf;
	size_t n = unhex(session[12].hex, &buf);
	const struct pgo_relation *rel;

	pgo_cache_init(&cache);
	assert_int_equal(pgo_decode(&cache, buf, n, &m), 0);
	pgo_msg_clear(&m);
	rel = pgo_cache_find(&cache, 0x4019);
	assert_non_null(rel);
	assert_int_equal(rel->replident, 'd');
	assert_int_equal(rel->ncols, 2);
	assert_string_equal(rel->cols[0].name, "id");
	assert_int_equal(rel->cols[0].type_oid, 23);
	assert_true(rel->cols[0].key);
	assert_string_equal(rel->cols[1].name, "m");
	assert_int_equal(rel->cols[1].type_oid, 0x4014);
	assert_false(rel->cols[1].key);
	assert_null(pgo_cache_find(&cache, 0x4001));
	pgo_cache_free(&cache);
	free(buf);
}

/* Every strict prefix of every good message is rejected. The relations are
 * announced first so that row changes get as far as their tuples. */
static void test_truncated(void **state)
{
	struct pgo_cache cache;

	pgo_cache_init(&cache);
	for (size_t i = 0; i < sizeof(session) / sizeof(session[0]); i++) {
		uint8_t *buf;
		size_t n = unhex(session[i].hex, &buf);
		struct pgo_msg m;
		if (session[i].type == PGO_RELATION && session[i].rc == 0) {
			assert_int_equal(pgo_decode(&cache, buf, n, &m), 0);
			pgo_msg_clear(&m);
		}
		free(buf);
	}
	for (size_t i = 0; i < sizeof(session) / sizeof(session[0]); i++) {
		uint8_t *buf;
		size_t n = unhex(session[i].hex, &buf);
		if (session[i].rc != 0) {
			free(buf);
			continue;
		}
		for (size_t len = 0; len < n; len++) {
			struct pgo_msg m;
			/* A copy of exactly len bytes, so a read past it is caught by ASan. */
			uint8_t *cut = malloc(len + 1);
			assert_non_null(cut);
			memcpy(cut, buf, len);
			int rc = pgo_decode(&cache, cut, len, &m);
			if (rc != -EBADMSG)
				fail_msg("step %zu cut at %zu: rc %d", i, len, rc);
			pgo_msg_clear(&m);
			free(cut);
		}
		free(buf);
	}
	pgo_cache_free(&cache);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session),
		cmocka_unit_test(test_relation_columns),
		cmocka_unit_test(test_truncated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
