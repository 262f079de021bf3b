/* Decoder for the messages of PostgreSQL's built-in pgoutput logical decoding
 * plugin, protocol version 1, tuple data in text form. Pure code: bytes in,
 * structs out. Every length is checked against the buffer, so a truncated or
 * malformed message is rejected (-EBADMSG) and never read past its end. */
#ifndef ASSIST_PGOUTPUT_H
#define ASSIST_PGOUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Seconds from the Unix epoch to PostgreSQL's (2000-01-01). */
#define PGO_EPOCH_OFFSET 946684800LL

enum pgo_type {
	PGO_BEGIN,
	PGO_COMMIT,
	PGO_RELATION,
	PGO_INSERT,
	PGO_UPDATE,
	PGO_DELETE,
	PGO_TRUNCATE,
	PGO_OTHER, /* origin, type, logical message: nothing to apply */
};

struct pgo_column {
	char *name;
	uint32_t type_oid;
	bool key;
};

struct pgo_relation {
	uint32_t id;
	char *nspname;
	char *relname;
	char replident;    /* 'd' default, 'n' nothing, 'f' full, 'i' index */
	int ncols;
	struct pgo_column *cols;
	struct pgo_relation *next;
};

/* Relation id -> description, as announced by Relation messages. */
struct pgo_cache {
	struct pgo_relation *rels;
};

struct pgo_tuple {
	int ncols;
	char *status;      /* per column: 'n' null, 'u' unchanged TOAST value, 't' text */
	char **values;     /* NUL-terminated text, or NULL for 'n' and 'u' */
};

struct pgo_msg {
	enum pgo_type type;
	char tag;                       /* the message's first byte */
	uint64_t lsn;                   /* begin: final LSN; commit: commit LSN */
	uint64_t end_lsn;               /* commit: end of the transaction */
	int64_t time;                   /* begin, commit: µs since 2000-01-01 */
	uint32_t xid;                   /* begin */
	const struct pgo_relation *rel; /* relation, insert, update, delete */
	char old_kind;                  /* update, delete: 'K' key, 'O' whole old row, 0 none */
	struct pgo_tuple old_tuple;
	bool has_new;                   /* insert, update */
	struct pgo_tuple new_tuple;
	int ntruncated;                 /* truncate: the relations emptied */
	const struct pgo_relation **truncated;
};

void pgo_cache_init(struct pgo_cache *c);
/* Free every relation. */
void pgo_cache_free(struct pgo_cache *c);
/* The relation announced with id, or NULL. */
const struct pgo_relation *pgo_cache_find(const struct pgo_cache *c, uint32_t id);

/* Decode one message into out (which pgo_msg_clear must release, whatever the
 * result). A Relation message replaces the cache's entry for its id, so a
 * relation pointer from an earlier message is valid only until the next
 * pgo_decode. 0; -EBADMSG (malformed, truncated, unknown tag, tuple not
 * matching its relation); -ENOENT (row change or truncate of a relation
 * never announced); -ENOMEM. */
__attribute__((warn_unused_result)) int pgo_decode(struct pgo_cache *c, const uint8_t *buf,
						   size_t len, struct pgo_msg *out);
/* Free what pgo_decode allocated in m and zero it. */
void pgo_msg_clear(struct pgo_msg *m);

#endif
