/* A replication stream as assist-adapter sees it: the input is a sequence of
 * messages, each a 2-byte big-endian length and that many bytes (the last one
 * takes what is left), decoded in order into one relation cache so Relation
 * messages can precede the rows that use them. Each row change then goes
 * through every department's mapping, as adapters/replication.c hands it on. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mapping.h"
#include "pgoutput.h"

static const char *const departments[] = {"civil_affairs", "health", "education", "labor",
					  "housing"};

/* The department whose publication holds the table, as each adapter has one;
 * any other table goes to the first, which refuses it. */
static const struct department *owner(const char *table)
{
	for (size_t d = 0; d < sizeof(departments) / sizeof(departments[0]); d++) {
		const struct department *dept = department_find(departments[d]);
		for (const struct department_table *t = dept->tables; t->name != NULL; t++) {
			if (strcmp(t->name, table) == 0)
				return dept;
		}
	}
	return department_find(departments[0]);
}

static void map_row(const struct row_change *rc)
{
	struct mapping_out out = {0};
	char err[256];

	(void)department_map(owner(rc->table), rc, &out, err, sizeof(err));
	for (int i = 0; i < out.n; i++)
		protobuf_c_message_free_unpacked(&out.events[i]->base, NULL);
}

/* The row change replication.c builds: unchanged TOAST values taken from a
 * whole old row when there is one. */
static void row(const struct pgo_msg *m)
{
	const struct pgo_relation *rel = m->rel;
	const struct pgo_tuple *nt = &m->new_tuple, *ot = &m->old_tuple;
	const char **names = calloc(rel->ncols + 1, sizeof(*names));
	const char **values = calloc(rel->ncols + 1, sizeof(*values));
	const char **old = calloc(rel->ncols + 1, sizeof(*old));
	struct row_change rc = {.table = rel->relname, .op = m->tag, .ncols = rel->ncols,
				.names = names};

	if (names == NULL || values == NULL || old == NULL)
		goto cleanup;
	for (int i = 0; i < rel->ncols; i++)
		names[i] = rel->cols[i].name;
	for (int i = 0; i < nt->ncols; i++) {
		values[i] = nt->values[i];
		if (nt->status[i] == 'u' && m->old_kind == 'O' && ot->status[i] == 't')
			values[i] = ot->values[i];
	}
	for (int i = 0; i < ot->ncols; i++)
		old[i] = ot->values[i];
	rc.values = m->has_new ? values : NULL;
	rc.old_values = m->old_kind != 0 ? old : NULL;
	map_row(&rc);
	/* A snapshot row is a new row without an operation behind it. */
	if (m->type == PGO_INSERT) {
		rc.op = 'S';
		map_row(&rc);
	}
cleanup:
	free(names);
	free(values);
	free(old);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pgo_cache cache;
	struct pgo_msg m;

	pgo_cache_init(&cache);
	while (size >= 2) {
		size_t n = (size_t)data[0] << 8 | data[1];
		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		if (pgo_decode(&cache, data, n, &m) == 0 &&
		    (m.type == PGO_INSERT || m.type == PGO_UPDATE || m.type == PGO_DELETE))
			row(&m);
		pgo_msg_clear(&m);
		data += n;
		size -= n;
	}
	pgo_cache_free(&cache);
	return 0;
}
