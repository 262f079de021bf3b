/* A batch's transaction: the batch is applied to the world, event by event,
 * and its rows gathered table by table (journal, dead letters, ledger,
 * alerts, explanations, households, persons, feed, positions); each table
 * is then written with one statement over column arrays (daemon/pgarray.c)
 * whose parameter counts come from the statement catalog (daemon/schema.c).
 * After COMMIT the senders are acknowledged and the feed published. */
#ifndef ASSIST_COMMIT_H
#define ASSIST_COMMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "journal.h"
#include "pgarray.h"
#include "policy/policy.h"
#include "state.h"
#include "store.h"
#include "validate.h"

/* Where a row came from. */
struct commit_origin {
	const char *source;
	uint64_t major, minor;
};

/* A ledger entry waiting for its row until the batch's persons are written:
 * the row carries the version of the record that first shows it. */
/* A ledger or alert row to come: written at the flush, stamped with the
 * record its person's write made. */
struct commit_entry {
	const struct person *p;
	struct commit_origin o;
	bool alert;           /* an alert row; else a ledger row */
	bool flag;            /* a ledger entry: counted; an alert: on the record */
	bool has_alert;       /* a ledger entry: the alert of its refusal rides in its row */
	int alert_no;         /* the alert's place in p->alerts; -1 for none */
	uint8_t *explanation; /* a ledger entry's, packed; NULL for none */
	size_t explanation_len;
	uint8_t *delta;       /* p's delta, when the batch does not write p's row */
	size_t delta_len;
	struct ledger_entry le;
	struct alert a;
};

/* The engine's part: the transaction being built, and what runs on from
 * one to the next. */
struct commit {
	struct pgarray journal, dead_letters, ledger, alerts, explanations;
	struct pgarray households, persons, feed, feed_pages, entitlement_lists, positions;
	struct pgarray retried; /* dead letters a retry decided */
	struct pgarray applications;
	struct pgarray fund_years;
	struct commit_entry *entries;         /* the ledger and alert rows to come */
	size_t n_entries, cap_entries;
	size_t event_entries;                 /* the first of the event being written */
	struct decisions decisions;           /* scratch, per event */
	uint64_t batch_no;                    /* the last write job's */
	uint8_t digest[JOURNAL_DIGEST_BYTES]; /* the journal's last */
};

struct engine;
struct batch;

/* Empty tables (no allocation yet), one column per parameter of its
 * statement; no decisions, digest or batch number yet. */
void commit_init(struct commit *c);
/* One event taken into the journal: its kind, packed form and chain digest
 * (the batch's page names the digest before its first event). */
void commit_journal(struct commit *c, const struct commit_origin *o, const char *kind,
		    const uint8_t *event, size_t len, const uint8_t *digest, size_t digest_len);
/* A rejected event: field and reason, the event as JSON, the sender's raw input
 * (NULL when none). */
void commit_dead_letter(struct commit *c, const struct commit_origin *o, const char *kind,
			const char *field, const char *reason, const char *event_json,
			const char *raw);
/* What a retry of dead letter id came to: applied as source retry's
 * position major, or rejected again with field and reason. */
void commit_retried(struct commit *c, uint64_t id, bool applied, uint64_t major,
		    const char *field, const char *reason);
/* A ledger entry of p; counted: it adds to its fund's spending (not a
 * household's entry already counted on a member); explanation: its packed
 * Explanation (malloc'ed, taken; NULL for none). Its row is made by
 * commit_flush, after p's write has given the record's version. 0 or
 * -ENOMEM (explanation freed). */
__attribute__((warn_unused_result)) int commit_ledger(struct commit *c,
						      const struct commit_origin *o,
						      const struct person *p,
						      const struct ledger_entry *l, bool counted,
						      uint8_t *explanation, size_t len);
/* An alert about person p, on p's record or not (then only a row for whom
 * to ask; alert_no -1), at place alert_no of p->alerts; its row is stamped
 * with p's record when the batch is flushed. When on the record and a
 * ledger entry of p with its scheme and ref came since entry first (the
 * entry it is about: a refusal, a clipped claim), it rides in that entry's
 * row instead. 0 or
 * -ENOMEM. */
__attribute__((warn_unused_result)) int commit_alert(struct commit *c,
						     const struct commit_origin *o,
						     const struct person *p, const struct alert *a,
						     int alert_no, size_t first);
/* p's delta (stored_pack_delta) into its first ledger row of the batch, in
 * place of its row: 0; 1 when p has no ledger row in it (its row must be
 * written); -ENOMEM. */
__attribute__((warn_unused_result)) int commit_delta(struct commit *c, const struct person *p);
/* An explanation (a packed Assist.Explanation) of a decision about person id. */
void commit_explanation(struct commit *c, const char *id, const char *subject,
			const uint8_t *packed, size_t len);
/* The stored state of a household or a person. */
void commit_household(struct commit *c, const char *id, const uint8_t *state, size_t len);
void commit_person(struct commit *c, const struct person *p, const uint8_t *state, size_t len);
/* Where application app is kept (p) and how long its latest step waits. */
void commit_application(struct commit *c, const struct person *p, const struct application *app);
/* What a batch adds to a fund-year (daemon/fund.c): spending, counted
 * entries, whether it crossed its budget, persons with their first entry. */
void commit_fund_year(struct commit *c, const char *scheme, int year, int64_t spent,
		      int64_t entries, bool alerted, int64_t recipients);
/* A feed message (packed FeedMessage). */
void commit_feed(struct commit *c, uint64_t seq, const char *topic, const uint8_t *msg,
		 size_t len);
/* A shared entitlement list's row: its digest (STATE_LIST_DIGEST_BYTES) and
 * packed form. */
void commit_entitlement_list(struct commit *c, const uint8_t *digest, const uint8_t *list,
			     size_t len);
/* The feed messages first to last of a batch as one row (packed FeedPage). */
void commit_feed_page(struct commit *c, uint64_t first, uint64_t last, const uint8_t *page,
		      size_t len);
/* A source's position and what the batch adds to its counters; when is RFC 3339. */
void commit_position(struct commit *c, const char *source, uint64_t major, uint64_t minor,
		     uint64_t applied, uint64_t rejected, int64_t lag_ms, const char *when);
/* The subject the explanation of d is kept under ("benefit urban_dibao",
 * "ledger C-1 medical_assistance", "reversal C-1 huimin") into out; false
 * when d has none (an alert, a decision without a trace). */
bool commit_subject(const struct decision *d, char *out, size_t len);
/* A rejection's field and reason as they are answered and kept: the
 * reason may quote the sender's value, so ID numbers are masked and both are
 * made valid UTF-8. */
void commit_clean_verdict(struct verdict *v);
/* Add a statement per non-empty table to job, and start over. 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int commit_flush(struct commit *c, struct store_job *job);
/* Apply b (taken off the queue) to memory and hand its transaction to the
 * store; after COMMIT its senders are acknowledged and its feed published. */
void commit_batch(struct engine *e, struct batch *b);
/* Free the tables and the scratch decisions. */
void commit_free(struct commit *c);

#endif
