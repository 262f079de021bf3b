#include "writer.h"

#include "schema.h"
#include "ymd.h"

void writer_init(struct writer *w)
{
	pgarray_init(&w->journal, 7);
	pgarray_init(&w->dead_letters, 8);
	pgarray_init(&w->ledger, 11);
	pgarray_init(&w->alerts, 8);
	pgarray_init(&w->explanations, 3);
	pgarray_init(&w->households, 2);
	pgarray_init(&w->persons, 5);
	pgarray_init(&w->feed, 3);
	pgarray_init(&w->positions, 7);
}

static void origin(struct pgarray *r, int col, const struct writer_origin *o)
{
	pgarray_text(r, col, o->source);
	pgarray_uint(r, col + 1, o->major);
	pgarray_uint(r, col + 2, o->minor);
}

void writer_journal(struct writer *w, const struct writer_origin *o, const char *kind,
		    const uint8_t *event, size_t len, const uint8_t *prev, const uint8_t *digest,
		    size_t digest_len)
{
	origin(&w->journal, 0, o);
	pgarray_text(&w->journal, 3, kind);
	pgarray_bytea(&w->journal, 4, event, len);
	pgarray_bytea(&w->journal, 5, prev, digest_len);
	pgarray_bytea(&w->journal, 6, digest, digest_len);
}

void writer_dead_letter(struct writer *w, const struct writer_origin *o, const char *kind,
			const char *field, const char *reason, const char *event_json,
			const char *raw)
{
	origin(&w->dead_letters, 0, o);
	pgarray_text(&w->dead_letters, 3, kind);
	pgarray_text(&w->dead_letters, 4, field);
	pgarray_text(&w->dead_letters, 5, reason);
	pgarray_text(&w->dead_letters, 6, event_json);
	pgarray_text(&w->dead_letters, 7, raw);
}

void writer_ledger(struct writer *w, const struct writer_origin *o, const char *id,
		   const struct ledger_entry *l, const char *scheme)
{
	char date[YMD_BUFLEN];

	pgarray_text(&w->ledger, 0, id);
	pgarray_text(&w->ledger, 1, l->ref);
	pgarray_text(&w->ledger, 2, scheme);
	pgarray_text(&w->ledger, 3, l->date != YMD_NONE ? ymd_format(l->date, date) : NULL);
	pgarray_int(&w->ledger, 4, l->requested);
	pgarray_int(&w->ledger, 5, l->amount);
	pgarray_bool(&w->ledger, 6, l->clipped);
	pgarray_text(&w->ledger, 7, l->reason);
	origin(&w->ledger, 8, o);
}

void writer_alert(struct writer *w, const struct writer_origin *o, const char *id,
		  const struct alert *a, const char *scheme)
{
	pgarray_text(&w->alerts, 0, id);
	pgarray_text(&w->alerts, 1, a->code);
	pgarray_text(&w->alerts, 2, scheme);
	pgarray_text(&w->alerts, 3, a->ref);
	pgarray_text(&w->alerts, 4, a->message);
	origin(&w->alerts, 5, o);
}

void writer_explanation(struct writer *w, const char *id, const char *subject,
			const char *trace_json)
{
	pgarray_text(&w->explanations, 0, id);
	pgarray_text(&w->explanations, 1, subject);
	pgarray_text(&w->explanations, 2, trace_json);
}

void writer_household(struct writer *w, const char *id, const uint8_t *state, size_t len)
{
	pgarray_text(&w->households, 0, id);
	pgarray_bytea(&w->households, 1, state, len);
}

void writer_person(struct writer *w, const struct person *p, const uint8_t *state, size_t len)
{
	pgarray_text(&w->persons, 0, p->id);
	pgarray_text(&w->persons, 1, p->household_id);
	pgarray_text(&w->persons, 2, p->place.district);
	pgarray_bytea(&w->persons, 3, state, len);
	pgarray_uint(&w->persons, 4, p->version);
}

void writer_feed(struct writer *w, uint64_t seq, const char *topic, const uint8_t *msg,
		 size_t len)
{
	pgarray_uint(&w->feed, 0, seq);
	pgarray_text(&w->feed, 1, topic);
	pgarray_bytea(&w->feed, 2, msg, len);
}

void writer_position(struct writer *w, const char *source, uint64_t major, uint64_t minor,
		     uint64_t applied, uint64_t rejected, int64_t lag_ms, const char *when)
{
	pgarray_text(&w->positions, 0, source);
	pgarray_uint(&w->positions, 1, major);
	pgarray_uint(&w->positions, 2, minor);
	pgarray_uint(&w->positions, 3, applied);
	pgarray_uint(&w->positions, 4, rejected);
	pgarray_int(&w->positions, 5, lag_ms);
	pgarray_text(&w->positions, 6, when);
}

int writer_flush(struct writer *w, struct store_job *job)
{
	const struct {
		struct pgarray *rows;
		int statement;
	} tables[] = {
		{&w->journal, SQL_JOURNAL_ROWS},       {&w->dead_letters, SQL_DEAD_LETTER_ROWS},
		{&w->ledger, SQL_LEDGER_ROWS},         {&w->alerts, SQL_ALERT_ROWS},
		{&w->explanations, SQL_EXPLANATION_ROWS}, {&w->households, SQL_HOUSEHOLD_ROWS},
		{&w->persons, SQL_PERSON_ROWS},        {&w->feed, SQL_FEED_ROWS},
		{&w->positions, SQL_POSITION_ROWS},
	};
	int rc = 0;

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		if (rc == 0)
			rc = pgarray_flush(tables[i].rows, job, tables[i].statement);
		pgarray_clear(tables[i].rows);
	}
	return rc;
}

void writer_free(struct writer *w)
{
	struct pgarray *all[] = {&w->journal,    &w->dead_letters, &w->ledger,
			      &w->alerts,     &w->explanations, &w->households,
			      &w->persons,    &w->feed,         &w->positions};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		pgarray_free(all[i]);
}
