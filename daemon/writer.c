#include "writer.h"

#include "schema.h"
#include "ymd.h"

void writer_init(struct writer *w)
{
	rows_init(&w->journal, 7);
	rows_init(&w->dead_letters, 8);
	rows_init(&w->ledger, 11);
	rows_init(&w->alerts, 8);
	rows_init(&w->explanations, 3);
	rows_init(&w->households, 2);
	rows_init(&w->persons, 5);
	rows_init(&w->feed, 3);
	rows_init(&w->positions, 7);
}

static void origin(struct rows *r, int col, const struct writer_origin *o)
{
	rows_text(r, col, o->source);
	rows_uint(r, col + 1, o->major);
	rows_uint(r, col + 2, o->minor);
}

void writer_journal(struct writer *w, const struct writer_origin *o, const char *kind,
		    const uint8_t *event, size_t len, const uint8_t *prev, const uint8_t *digest,
		    size_t digest_len)
{
	origin(&w->journal, 0, o);
	rows_text(&w->journal, 3, kind);
	rows_bytea(&w->journal, 4, event, len);
	rows_bytea(&w->journal, 5, prev, digest_len);
	rows_bytea(&w->journal, 6, digest, digest_len);
}

void writer_dead_letter(struct writer *w, const struct writer_origin *o, const char *kind,
			const char *field, const char *reason, const char *event_json,
			const char *raw)
{
	origin(&w->dead_letters, 0, o);
	rows_text(&w->dead_letters, 3, kind);
	rows_text(&w->dead_letters, 4, field);
	rows_text(&w->dead_letters, 5, reason);
	rows_text(&w->dead_letters, 6, event_json);
	rows_text(&w->dead_letters, 7, raw);
}

void writer_ledger(struct writer *w, const struct writer_origin *o, const char *id,
		   const struct ledger_entry *l, const char *scheme)
{
	char date[YMD_BUFLEN];

	rows_text(&w->ledger, 0, id);
	rows_text(&w->ledger, 1, l->ref);
	rows_text(&w->ledger, 2, scheme);
	rows_text(&w->ledger, 3, l->date != YMD_NONE ? ymd_format(l->date, date) : NULL);
	rows_int(&w->ledger, 4, l->requested);
	rows_int(&w->ledger, 5, l->amount);
	rows_bool(&w->ledger, 6, l->clipped);
	rows_text(&w->ledger, 7, l->reason);
	origin(&w->ledger, 8, o);
}

void writer_alert(struct writer *w, const struct writer_origin *o, const char *id,
		  const struct alert *a, const char *scheme)
{
	rows_text(&w->alerts, 0, id);
	rows_text(&w->alerts, 1, a->code);
	rows_text(&w->alerts, 2, scheme);
	rows_text(&w->alerts, 3, a->ref);
	rows_text(&w->alerts, 4, a->message);
	origin(&w->alerts, 5, o);
}

void writer_explanation(struct writer *w, const char *id, const char *subject,
			const char *trace_json)
{
	rows_text(&w->explanations, 0, id);
	rows_text(&w->explanations, 1, subject);
	rows_text(&w->explanations, 2, trace_json);
}

void writer_household(struct writer *w, const char *id, const uint8_t *state, size_t len)
{
	rows_text(&w->households, 0, id);
	rows_bytea(&w->households, 1, state, len);
}

void writer_person(struct writer *w, const struct person *p, const uint8_t *state, size_t len)
{
	rows_text(&w->persons, 0, p->id);
	rows_text(&w->persons, 1, p->household_id);
	rows_text(&w->persons, 2, p->place.district);
	rows_bytea(&w->persons, 3, state, len);
	rows_uint(&w->persons, 4, p->version);
}

void writer_feed(struct writer *w, uint64_t seq, const char *topic, const uint8_t *msg,
		 size_t len)
{
	rows_uint(&w->feed, 0, seq);
	rows_text(&w->feed, 1, topic);
	rows_bytea(&w->feed, 2, msg, len);
}

void writer_position(struct writer *w, const char *source, uint64_t major, uint64_t minor,
		     uint64_t applied, uint64_t rejected, int64_t lag_ms, const char *when)
{
	rows_text(&w->positions, 0, source);
	rows_uint(&w->positions, 1, major);
	rows_uint(&w->positions, 2, minor);
	rows_uint(&w->positions, 3, applied);
	rows_uint(&w->positions, 4, rejected);
	rows_int(&w->positions, 5, lag_ms);
	rows_text(&w->positions, 6, when);
}

int writer_flush(struct writer *w, struct store_job *job)
{
	const struct {
		struct rows *rows;
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
			rc = rows_flush(tables[i].rows, job, tables[i].statement);
		rows_clear(tables[i].rows);
	}
	return rc;
}

void writer_free(struct writer *w)
{
	struct rows *all[] = {&w->journal,    &w->dead_letters, &w->ledger,
			      &w->alerts,     &w->explanations, &w->households,
			      &w->persons,    &w->feed,         &w->positions};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		rows_free(all[i]);
}
