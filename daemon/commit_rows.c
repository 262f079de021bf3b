/* The rows of the transaction being built (commit.h): each table's column
 * arrays, and the statements that write them, in the transaction's order. */
#include "commit.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "application.h"
#include "pbjson.h"
#include "policy/appstep.h"
#include "schema.h"
#include "scheme.h"
#include "state.h"
#include "stored.h"
#include "vec.h"
#include "world.h"
#include "ymd.h"

/* ---- the rows ---------------------------------------------------------------------- */

/* Each table and the statement that writes it, in the transaction's order
 * (the journal first: its ids and hash chain follow the rows). */
static const struct {
	size_t offset; /* of its struct pgarray in struct commit */
	enum schema_stmt statement;
} tables[] = {
	{offsetof(struct commit, journal), SQL_JOURNAL_ROWS},
	{offsetof(struct commit, dead_letters), SQL_DEAD_LETTER_ROWS},
	{offsetof(struct commit, ledger), SQL_LEDGER_ROWS},
	{offsetof(struct commit, fund_years), SQL_FUND_YEAR_ROWS},
	{offsetof(struct commit, alerts), SQL_ALERT_ROWS},
	{offsetof(struct commit, explanations), SQL_EXPLANATION_ROWS},
	{offsetof(struct commit, households), SQL_HOUSEHOLD_ROWS},
	{offsetof(struct commit, persons), SQL_PERSON_ROWS},
	{offsetof(struct commit, applications), SQL_APPLICATION_ROWS},
	{offsetof(struct commit, feed), SQL_FEED_ROWS},
	{offsetof(struct commit, feed_pages), SQL_FEED_PAGE_ROWS},
	{offsetof(struct commit, entitlement_lists), SQL_ENTITLEMENT_LIST_ROWS},
	{offsetof(struct commit, positions), SQL_POSITION_ROWS},
	{offsetof(struct commit, retried), SQL_DEAD_LETTER_RETRY_ROWS},
};

#define N_TABLES (sizeof(tables) / sizeof(tables[0]))

static struct pgarray *table(struct commit *c, size_t i)
{
	return (struct pgarray *)((char *)c + tables[i].offset);
}

void commit_init(struct commit *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < N_TABLES; i++)
		pgarray_init(table(c, i), schema_catalog.statements[tables[i].statement].nparams);
}

static void origin(struct pgarray *r, int col, const struct commit_origin *o)
{
	pgarray_text(r, col, o->source);
	pgarray_numeric(r, col + 1, o->major);
	pgarray_numeric(r, col + 2, o->minor);
}

void commit_journal(struct commit *c, const struct commit_origin *o, const char *kind,
		    const uint8_t *event, size_t len, const uint8_t *digest, size_t digest_len)
{
	origin(&c->journal, 0, o);
	pgarray_text(&c->journal, 3, kind);
	pgarray_bytea(&c->journal, 4, event, len);
	pgarray_bytea(&c->journal, 5, digest, digest_len);
}

void commit_dead_letter(struct commit *c, const struct commit_origin *o, const char *kind,
			const char *field, const char *reason, const char *event_json,
			const char *raw)
{
	origin(&c->dead_letters, 0, o);
	pgarray_text(&c->dead_letters, 3, kind);
	pgarray_text(&c->dead_letters, 4, field);
	pgarray_text(&c->dead_letters, 5, reason);
	pgarray_text(&c->dead_letters, 6, event_json);
	pgarray_text(&c->dead_letters, 7, raw);
}

void commit_retried(struct commit *c, uint64_t id, bool applied, uint64_t major,
		    const char *field, const char *reason)
{
	pgarray_uint(&c->retried, 0, id);
	pgarray_bool(&c->retried, 1, applied);
	pgarray_numeric(&c->retried, 2, major);
	pgarray_text(&c->retried, 3, field);
	pgarray_text(&c->retried, 4, reason);
}

/* Room for a row to come about p, from o; NULL without memory. */
static struct commit_entry *defer(struct commit *c, const struct commit_origin *o,
				  const struct person *p, bool alert, bool flag)
{
	struct commit_entry *w = vec_grow((void **)&c->entries, &c->n_entries, &c->cap_entries,
					  sizeof(*w));

	if (w != NULL) {
		memset(w, 0, sizeof(*w));
		w->p = p;
		w->o = *o;
		w->alert = alert;
		w->flag = flag;
		w->alert_no = -1;
	}
	return w;
}

int commit_ledger(struct commit *c, const struct commit_origin *o, const struct person *p,
		  const struct ledger_entry *l, bool counted, uint8_t *explanation, size_t len)
{
	struct commit_entry *w = defer(c, o, p, false, counted);

	if (w == NULL) {
		free(explanation);
		return -ENOMEM;
	}
	w->le = *l;
	w->explanation = explanation;
	w->explanation_len = len;
	return 0;
}

/* Entry w's row, stamped with the record its person's write made. */
static void ledger_row(struct commit *c, const struct commit_entry *w)
{
	const struct ledger_entry *l = &w->le;
	char date[YMD_BUFLEN], kind[16];
	const char *k = pbjson_enum_name(&assist__ledger_kind__descriptor, l->kind, kind,
					 sizeof(kind));

	pgarray_text(&c->ledger, 0, w->p->id);
	pgarray_text(&c->ledger, 1, l->ref);
	pgarray_text(&c->ledger, 2, scheme_text(l->scheme));
	pgarray_text(&c->ledger, 3, l->date != YMD_NONE ? ymd_format(l->date, date) : NULL);
	pgarray_int(&c->ledger, 4, l->requested);
	pgarray_int(&c->ledger, 5, l->amount);
	pgarray_bool(&c->ledger, 6, l->clipped);
	pgarray_text(&c->ledger, 7, l->reason);
	origin(&c->ledger, 8, &w->o);
	pgarray_text(&c->ledger, 11, k != NULL ? k : "decision");
	pgarray_text(&c->ledger, 12, l->period[0] != '\0' ? l->period : NULL);
	pgarray_bool(&c->ledger, 13, w->flag);
	pgarray_uint(&c->ledger, 14, w->p->version);
	pgarray_uint(&c->ledger, 15, w->p->feed_seq);
	pgarray_int(&c->ledger, 16, w->p->updated_at_ms);
	pgarray_bytea_or_null(&c->ledger, 17, w->explanation, w->explanation_len);
	pgarray_text(&c->ledger, 18, w->has_alert ? w->a.code : NULL);
	pgarray_text(&c->ledger, 19, w->has_alert ? w->a.message : NULL);
	pgarray_int_or_null(&c->ledger, 20, w->has_alert, w->alert_no);
	pgarray_bytea_or_null(&c->ledger, 21, w->delta, w->delta_len);
}

int commit_delta(struct commit *c, const struct person *p)
{
	for (size_t i = 0; i < c->n_entries; i++) {
		struct commit_entry *w = &c->entries[i];

		if (w->p != p || w->alert)
			continue;
		w->delta = stored_pack_delta(p, &w->delta_len);
		return w->delta != NULL ? 0 : -ENOMEM;
	}
	return 1;
}

void commit_fund_year(struct commit *c, const char *scheme, int year, int64_t spent,
		      int64_t entries, bool alerted, int64_t recipients)
{
	pgarray_text(&c->fund_years, 0, scheme);
	pgarray_int(&c->fund_years, 1, year);
	pgarray_int(&c->fund_years, 2, spent);
	pgarray_int(&c->fund_years, 3, entries);
	pgarray_bool(&c->fund_years, 4, alerted);
	pgarray_int(&c->fund_years, 5, recipients);
}

/* The ledger entry since entry first that the record alert a about p is
 * about (the same scheme and ref: a refusal's, a clipped claim's), or NULL. */
static struct commit_entry *refused_entry(struct commit *c, const struct person *p,
					  const struct alert *a, size_t first)
{
	for (size_t i = first; i < c->n_entries; i++) {
		struct commit_entry *w = &c->entries[i];

		if (!w->alert && !w->has_alert && w->p == p && w->le.scheme == a->scheme &&
		    strcmp(w->le.ref, a->ref) == 0)
			return w;
	}
	return NULL;
}

int commit_alert(struct commit *c, const struct commit_origin *o, const struct person *p,
		 const struct alert *a, int alert_no, size_t first)
{
	struct commit_entry *w = alert_no >= 0 ? refused_entry(c, p, a, first) : NULL;

	if (w == NULL && (w = defer(c, o, p, true, alert_no >= 0)) == NULL)
		return -ENOMEM;
	w->has_alert = true;
	w->a = *a;
	w->alert_no = alert_no;
	return 0;
}

/* Alert w's row, stamped like a ledger row. */
static void alert_row(struct commit *c, const struct commit_entry *w)
{
	const struct alert *a = &w->a;

	pgarray_text(&c->alerts, 0, w->p->id);
	pgarray_text(&c->alerts, 1, a->code);
	pgarray_text(&c->alerts, 2, scheme_text(a->scheme));
	pgarray_text(&c->alerts, 3, a->ref);
	pgarray_text(&c->alerts, 4, a->message);
	origin(&c->alerts, 5, &w->o);
	pgarray_bool(&c->alerts, 8, w->flag);
	pgarray_uint(&c->alerts, 9, w->p->version);
	pgarray_uint(&c->alerts, 10, w->p->feed_seq);
	pgarray_int(&c->alerts, 11, w->p->updated_at_ms);
	pgarray_int_or_null(&c->alerts, 12, w->alert_no >= 0, w->alert_no);
}

void commit_explanation(struct commit *c, const char *id, const char *subject,
			const uint8_t *packed, size_t len)
{
	pgarray_text(&c->explanations, 0, id);
	pgarray_text(&c->explanations, 1, subject);
	pgarray_bytea(&c->explanations, 2, packed, len);
}

void commit_household(struct commit *c, const char *id, const uint8_t *state, size_t len)
{
	pgarray_text(&c->households, 0, id);
	pgarray_bytea(&c->households, 1, state, len);
}

void commit_person(struct commit *c, const struct person *p, const uint8_t *state, size_t len)
{
	pgarray_text(&c->persons, 0, p->id);
	pgarray_text(&c->persons, 1, p->household_id);
	pgarray_text(&c->persons, 2, p->place.district);
	pgarray_bytea(&c->persons, 3, state, len);
	pgarray_uint(&c->persons, 4, p->version);
	pgarray_bool(&c->persons, 5, world_may_be_paid(p));
	pgarray_text(&c->persons, 6, p->place.town);
	pgarray_text(&c->persons, 7, p->place.community);
	pgarray_int(&c->persons, 8, world_bucket(p->id));
}

void commit_application(struct commit *c, const struct person *p, const struct application *app)
{
	const struct scheme *s = scheme_get(app->scheme);
	char since[YMD_BUFLEN];
	ymd_t on = app->n_steps > 0 ? app->steps[app->n_steps - 1].on : YMD_NONE;

	pgarray_text(&c->applications, 0, app->id);
	pgarray_text(&c->applications, 1, p->id);
	pgarray_text(&c->applications, 2, s != NULL ? s->name : "");
	pgarray_text(&c->applications, 3, appstep_name(app->state));
	pgarray_text(&c->applications, 4, on != YMD_NONE ? ymd_format(on, since) : NULL);
	pgarray_bool(&c->applications, 5, !appstep_closed(app->state));
	pgarray_bool(&c->applications, 6, application_raised(p, app));
}

void commit_feed(struct commit *c, uint64_t seq, const char *topic, const uint8_t *msg,
		 size_t len)
{
	pgarray_uint(&c->feed, 0, seq);
	pgarray_text(&c->feed, 1, topic);
	pgarray_bytea(&c->feed, 2, msg, len);
}

void commit_entitlement_list(struct commit *c, const uint8_t *digest, const uint8_t *list,
			     size_t len)
{
	pgarray_bytea(&c->entitlement_lists, 0, digest, STATE_LIST_DIGEST_BYTES);
	pgarray_bytea(&c->entitlement_lists, 1, list, len);
}

void commit_feed_page(struct commit *c, uint64_t first, uint64_t last, const uint8_t *page,
		      size_t len)
{
	pgarray_uint(&c->feed_pages, 0, first);
	pgarray_uint(&c->feed_pages, 1, last);
	pgarray_bytea(&c->feed_pages, 2, page, len);
}

void commit_position(struct commit *c, const char *source, uint64_t major, uint64_t minor,
		     uint64_t applied, uint64_t rejected, int64_t lag_ms, const char *when)
{
	pgarray_text(&c->positions, 0, source);
	pgarray_numeric(&c->positions, 1, major);
	pgarray_numeric(&c->positions, 2, minor);
	pgarray_uint(&c->positions, 3, applied);
	pgarray_uint(&c->positions, 4, rejected);
	pgarray_int(&c->positions, 5, lag_ms);
	pgarray_text(&c->positions, 6, when);
}

int commit_flush(struct commit *c, struct store_job *job)
{
	int rc = 0;

	for (size_t i = 0; i < c->n_entries; i++) {
		if (c->entries[i].alert)
			alert_row(c, &c->entries[i]);
		else
			ledger_row(c, &c->entries[i]);
		free(c->entries[i].explanation);
		free(c->entries[i].delta);
	}
	c->n_entries = 0;
	for (size_t i = 0; i < N_TABLES; i++) {
		if (rc == 0)
			rc = pgarray_flush(table(c, i), job, tables[i].statement);
		pgarray_clear(table(c, i));
	}
	return rc;
}

void commit_free(struct commit *c)
{
	for (size_t i = 0; i < N_TABLES; i++)
		pgarray_free(table(c, i));
	for (size_t i = 0; i < c->n_entries; i++) {
		free(c->entries[i].explanation);
		free(c->entries[i].delta);
	}
	free(c->entries);
	decisions_free(&c->decisions);
}
