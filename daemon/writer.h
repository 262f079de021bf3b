/* A batch's transaction, table by table: rows are gathered while the batch
 * is applied, then each table is written with one statement (daemon/rows.c). */
#ifndef ASSIST_WRITER_H
#define ASSIST_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "pgarray.h"
#include "state.h"
#include "store.h"

struct writer {
	struct pgarray journal, dead_letters, ledger, alerts, explanations;
	struct pgarray households, persons, feed, positions;
};

/* Where a row came from. */
struct writer_origin {
	const char *source;
	uint64_t major, minor;
};

/* Empty tables (no allocation yet). */
void writer_init(struct writer *w);
/* One event taken into the journal: its kind, packed form and chain digests. */
void writer_journal(struct writer *w, const struct writer_origin *o, const char *kind,
		    const uint8_t *event, size_t len, const uint8_t *prev, const uint8_t *digest,
		    size_t digest_len);
/* A rejected event: field and reason, the event as JSON, the sender's raw input
 * (NULL when none). */
void writer_dead_letter(struct writer *w, const struct writer_origin *o, const char *kind,
			const char *field, const char *reason, const char *event_json,
			const char *raw);
/* A ledger entry or an alert of person id. */
void writer_ledger(struct writer *w, const struct writer_origin *o, const char *id,
		   const struct ledger_entry *l, const char *scheme);
void writer_alert(struct writer *w, const struct writer_origin *o, const char *id,
		  const struct alert *a, const char *scheme);
/* An explanation (JSON text) of a decision about person id. */
void writer_explanation(struct writer *w, const char *id, const char *subject,
			const char *trace_json);
/* The stored state of a household or a person. */
void writer_household(struct writer *w, const char *id, const uint8_t *state, size_t len);
void writer_person(struct writer *w, const struct person *p, const uint8_t *state, size_t len);
/* A feed message (packed FeedMessage). */
void writer_feed(struct writer *w, uint64_t seq, const char *topic, const uint8_t *msg,
		 size_t len);
/* A source's position and what the batch adds to its counters; when is RFC 3339. */
void writer_position(struct writer *w, const char *source, uint64_t major, uint64_t minor,
		     uint64_t applied, uint64_t rejected, int64_t lag_ms, const char *when);
/* Add a statement per non-empty table to job, and start over. 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int writer_flush(struct writer *w, struct store_job *job);
void writer_free(struct writer *w);

#endif
