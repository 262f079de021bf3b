#include "schema.h"

/* Migrations are append-only: never edit one that has shipped, add the next. */

/* A key column compared byte by byte (migration 15). */
#define BYTEWISE " TYPE text COLLATE \"C\""

static const struct store_migration migrations[] = {
	{1, "CREATE TABLE source_position ("
	    "  source text PRIMARY KEY,"
	    "  major numeric(20) NOT NULL, minor numeric(20) NOT NULL,"
	    "  applied bigint NOT NULL DEFAULT 0, rejected bigint NOT NULL DEFAULT 0,"
	    "  lag_ms bigint NOT NULL DEFAULT 0, last_seen timestamptz);"
	    /* Append-only and hash-chained: digest = BLAKE2b(prev_digest || event). */
	    "CREATE TABLE event_journal ("
	    "  id bigserial PRIMARY KEY,"
	    "  source text NOT NULL, major numeric(20) NOT NULL, minor numeric(20) NOT NULL,"
	    "  kind text NOT NULL, event bytea NOT NULL,"
	    "  received_at timestamptz NOT NULL DEFAULT now(),"
	    "  prev_digest bytea NOT NULL, digest bytea NOT NULL,"
	    "  UNIQUE (source, major, minor));" /* until migration 19 */
	    "CREATE TABLE person ("
	    "  id_number text PRIMARY KEY, household_id text, district text,"
	    "  state bytea NOT NULL, version bigint NOT NULL, updated_at timestamptz NOT NULL);"
	    "CREATE INDEX person_household ON person (household_id);"
	    "CREATE TABLE household ("
	    "  household_id text PRIMARY KEY, state bytea NOT NULL,"
	    "  updated_at timestamptz NOT NULL);"
	    "CREATE TABLE ledger ("
	    "  id bigserial PRIMARY KEY, id_number text NOT NULL, ref text NOT NULL,"
	    "  scheme text NOT NULL, date date, requested_fen bigint NOT NULL,"
	    "  amount_fen bigint NOT NULL, clipped boolean NOT NULL, reason text NOT NULL,"
	    "  source text NOT NULL, major numeric(20) NOT NULL, minor numeric(20) NOT NULL,"
	    "  created_at timestamptz NOT NULL DEFAULT now());"
	    "CREATE INDEX ledger_person ON ledger (id_number);"
	    "CREATE TABLE alert ("
	    "  id bigserial PRIMARY KEY, id_number text NOT NULL, code text NOT NULL,"
	    "  scheme text NOT NULL, ref text NOT NULL, message text NOT NULL,"
	    "  source text NOT NULL, major numeric(20) NOT NULL, minor numeric(20) NOT NULL,"
	    "  created_at timestamptz NOT NULL DEFAULT now());"
	    "CREATE INDEX alert_person ON alert (id_number);"
	    "CREATE TABLE explanation ("
	    "  id bigserial PRIMARY KEY, id_number text NOT NULL, subject text NOT NULL,"
	    "  trace jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now());"
	    "CREATE INDEX explanation_person ON explanation (id_number, subject, id);"
	    "CREATE TABLE feed ("
	    "  seq bigint PRIMARY KEY, topic text NOT NULL, payload bytea NOT NULL,"
	    "  created_at timestamptz NOT NULL DEFAULT now());"
	    "CREATE TABLE dead_letter ("
	    "  id bigserial PRIMARY KEY,"
	    "  source text NOT NULL, major numeric(20) NOT NULL, minor numeric(20) NOT NULL,"
	    "  kind text NOT NULL, field text NOT NULL, reason text NOT NULL,"
	    "  event jsonb, raw text, received_at timestamptz NOT NULL DEFAULT now());"},
	/* What an entry books (decision, reversal, payment, arrears, recovery)
	 * and the month a payment is for; the rows before it were decisions. */
	{2, "ALTER TABLE ledger ADD COLUMN kind text NOT NULL DEFAULT 'decision',"
	    "  ADD COLUMN period text;"},
	/* Whether the person holds a periodic benefit: a payment run loads
	 * those. A row written before is taken as one until written again. */
	{3, "ALTER TABLE person ADD COLUMN periodic boolean NOT NULL DEFAULT false;"
	    "UPDATE person SET periodic = true;"
	    "CREATE INDEX person_periodic ON person (id_number) WHERE periodic;"
	    "CREATE INDEX ledger_period ON ledger (period) WHERE kind = 'payment';"},
	/* assistctl retry: how often a dead letter was taken in again, when one
	 * of those applied it, and at which position of source retry. */
	{4, "ALTER TABLE dead_letter ADD COLUMN retries integer NOT NULL DEFAULT 0,"
	    "  ADD COLUMN retried_at timestamptz, ADD COLUMN retry_major numeric(20);"
	    "CREATE INDEX dead_letter_source ON dead_letter (source, id);"},
	/* Where each application is kept (its applicant, or a member of the
	 * household), its latest step and since when it waits: assistctl
	 * application finds the person, and the overdue check reads only the
	 * open steps past the limit that raised nothing yet. */
	{5, "CREATE TABLE application ("
	    "  application_id text PRIMARY KEY, id_number text NOT NULL,"
	    "  scheme text NOT NULL, state text NOT NULL, since date, open boolean NOT NULL,"
	    "  raised boolean NOT NULL);"
	    "CREATE INDEX application_waiting ON application (since) WHERE open AND NOT raised;"},
	/* The person's town and community beside its district, so that the
	 * reports add the ledger up by place without reading the state. A row
	 * written before has them empty until it is written again (or rebuilt). */
	{6, "ALTER TABLE person ADD COLUMN town text NOT NULL DEFAULT '',"
	    "  ADD COLUMN community text NOT NULL DEFAULT '';"
	    "CREATE INDEX ledger_date ON ledger (date);"},
	/* Payees in parts (a payment run sent in parts, a recompute job's
	 * chunks): every person's bucket, world_bucket_of's in C, so a part
	 * reads its range of buckets by index. Recompute jobs
	 * (daemon/standards.c): the periodic parameters' values last seen, to
	 * tell what a reload or a start adds, and each job. */
	{7, "CREATE FUNCTION payee_bucket(id text) RETURNS int LANGUAGE sql IMMUTABLE "
	    "AS $$ SELECT CASE WHEN id ~ '^[0-9]{17}' THEN "
	    "(substr(id, 1, 17)::bigint % 65521)::int ELSE 0 END $$;"
	    "ALTER TABLE person ADD COLUMN bucket int "
	    "GENERATED ALWAYS AS (payee_bucket(id_number)) STORED;"
	    "CREATE INDEX person_bucket ON person (bucket) WHERE periodic;"
	    "CREATE TABLE policy_state (one int PRIMARY KEY CHECK (one = 1), vals text NOT NULL);"
	    "CREATE TABLE recompute_job (id bigint PRIMARY KEY, from_date date NOT NULL,"
	    "  params text NOT NULL, buckets int NOT NULL,"
	    "  claims boolean NOT NULL DEFAULT false, journal_max bigint NOT NULL DEFAULT 0,"
	    "  chunk int NOT NULL DEFAULT 0,"
	    "  created timestamptz NOT NULL DEFAULT now(), finished timestamptz);"},
	/* Earmarked funds (daemon/fund.c): whether an entry adds to its fund's
	 * spending (a household's entry, listed on every member under one ref
	 * by one event, counts on the first), each fund-year's spending and
	 * recipients, taken from the ledger there is (none was alerted yet: a
	 * fund already past its budget raises budget_exceeded on its next
	 * entry). */
	{8, "ALTER TABLE ledger ADD COLUMN counted boolean NOT NULL DEFAULT true;"
	    "UPDATE ledger l SET counted = false FROM (SELECT e.id, row_number() OVER ("
	    "PARTITION BY e.source, e.major, e.minor, e.scheme, e.ref, e.kind, e.period "
	    "ORDER BY e.id) AS n FROM ledger e JOIN event_journal j ON j.source = e.source "
	    "AND j.major = e.major AND j.minor = e.minor WHERE j.kind = 'housing_aid') d "
	    "WHERE d.id = l.id AND d.n > 1;"
	    "CREATE TABLE fund_year ("
	    "  scheme text NOT NULL, year integer NOT NULL, spent_fen bigint NOT NULL,"
	    "  entries bigint NOT NULL, alerted boolean NOT NULL DEFAULT false,"
	    "  PRIMARY KEY (scheme, year));"
	    "CREATE TABLE fund_recipient ("
	    "  scheme text NOT NULL, year integer NOT NULL, id_number text NOT NULL,"
	    "  PRIMARY KEY (scheme, year, id_number));"
	    "INSERT INTO fund_year (scheme, year, spent_fen, entries) "
	    "SELECT scheme, extract(year FROM date)::integer, "
	    "coalesce(sum(amount_fen) FILTER (WHERE counted), 0), count(*) FILTER (WHERE counted) "
	    "FROM ledger WHERE date IS NOT NULL GROUP BY 1, 2;"
	    "INSERT INTO fund_recipient SELECT DISTINCT scheme, extract(year FROM date)::integer, "
	    "id_number FROM ledger WHERE date IS NOT NULL;"
	    "CREATE INDEX ledger_scheme_date ON ledger (scheme, date, id);"},
	/* The rows rewritten on every change (a person's state, a household's,
	 * the feed's copy of the record, the explanations) pass 2 kB and are
	 * compressed: lz4 costs a fraction of pglz's CPU (pglz_compress was a
	 * fifth of PostgreSQL's time in a payment run). Old rows stay as they
	 * are until rewritten; both decompress. */
	{9, "ALTER TABLE person ALTER COLUMN state SET COMPRESSION lz4;"
	    "ALTER TABLE household ALTER COLUMN state SET COMPRESSION lz4;"
	    "ALTER TABLE feed ALTER COLUMN payload SET COMPRESSION lz4;"
	    "ALTER TABLE explanation ALTER COLUMN trace SET COMPRESSION lz4;"},
	/* An explanation is written far more often than read, and only read
	 * whole: parsing it into jsonb cost PostgreSQL 5.6 us a row against
	 * 0.9 as text. assistd makes the JSON (jansson), so it is valid. */
	{10, "ALTER TABLE explanation ALTER COLUMN trace TYPE text;"
	     "ALTER TABLE explanation ALTER COLUMN trace SET COMPRESSION lz4;"},
	/* Fewer and narrower indexes on the rows written with every decision
	 * and payment. An explanation is found by person only (its few rows are
	 * sorted on reading): keyed by subject too it cost 6 us a row. The
	 * ledger is read by date a year or a month at a time, and its rows
	 * arrive nearly in date order: a BRIN index serves that at a fraction
	 * of a B-tree's upkeep, and the payments of a month are found through
	 * it (SQL_PAYMENTS) instead of an index of their own. */
	{11, "DROP INDEX explanation_person;"
	     "CREATE INDEX explanation_person ON explanation (id_number);"
	     "DROP INDEX ledger_date;"
	     "CREATE INDEX ledger_date ON ledger USING brin (date);"
	     "DROP INDEX ledger_period;"},
	/* A person's row is rewritten with every batch that changes the person
	 * (a payment: its version and feed sequence). Room on its page lets the
	 * rewrite stay there without new index entries (a HOT update), and one
	 * index less on the rows most rewritten, the payees', costs the roster
	 * a walk of the primary key instead. */
	{12, "ALTER TABLE person SET (fillfactor = 90);"
	     "DROP INDEX person_periodic;"},
	/* A person's bucket from assistd (world_bucket, the same figure): as a
	 * generated column, payee_bucket() ran on every rewrite of the row, 1.2
	 * µs of PostgreSQL's time each. */
	{13, "ALTER TABLE person ALTER COLUMN bucket DROP EXPRESSION;"},
	/* A change of a person's ledger alone (a payment, arrears, recovery)
	 * leaves its row as it was (the stored form holds no ledger): the new
	 * entries carry the version, feed sequence and time of the record
	 * that first shows them, which a load takes (daemon/load.c). NULL in
	 * the rows written before. */
	{14, "ALTER TABLE ledger ADD COLUMN version bigint, ADD COLUMN feed_seq bigint, "
	     "ADD COLUMN updated_ms bigint;"},
	/* Keys are compared byte by byte: IDs, household and application ids,
	 * schemes and sources are codes, not words, and the database's locale
	 * (C.UTF-8 in scripts/pg, often another in a city's) made every index
	 * comparison a strcoll(). The order is the same for these codes; the
	 * tables are not rewritten, their indexes are rebuilt. */
	{15, "ALTER TABLE person ALTER COLUMN id_number" BYTEWISE ", "
	     "ALTER COLUMN household_id" BYTEWISE ";"
	     "ALTER TABLE household ALTER COLUMN household_id" BYTEWISE ";"
	     "ALTER TABLE ledger ALTER COLUMN id_number" BYTEWISE ", "
	     "ALTER COLUMN scheme" BYTEWISE ", ALTER COLUMN source" BYTEWISE ";"
	     "ALTER TABLE explanation ALTER COLUMN id_number" BYTEWISE ";"
	     "ALTER TABLE alert ALTER COLUMN id_number" BYTEWISE ", "
	     "ALTER COLUMN scheme" BYTEWISE ", ALTER COLUMN source" BYTEWISE ";"
	     "ALTER TABLE fund_recipient ALTER COLUMN id_number" BYTEWISE ", "
	     "ALTER COLUMN scheme" BYTEWISE ";"
	     "ALTER TABLE fund_year ALTER COLUMN scheme" BYTEWISE ";"
	     "ALTER TABLE application ALTER COLUMN application_id" BYTEWISE ", "
	     "ALTER COLUMN id_number" BYTEWISE ", ALTER COLUMN scheme" BYTEWISE ";"
	     "ALTER TABLE event_journal ALTER COLUMN source" BYTEWISE ";"
	     "ALTER TABLE dead_letter ALTER COLUMN source" BYTEWISE ";"
	     "ALTER TABLE source_position ALTER COLUMN source" BYTEWISE ";"},
	/* An explanation is stored as the Assist.Explanation message that explain
	 * answers with, packed: making its JSON text was a quarter of assistd's
	 * time in a payment run, and explain parsed it back into the message.
	 * Rows written before keep their JSON in trace, and explain reads both. */
	{16, "ALTER TABLE explanation ADD COLUMN packed bytea, ALTER COLUMN trace DROP NOT NULL, "
	     "ADD CONSTRAINT explanation_trace_or_packed CHECK (trace IS NOT NULL OR packed IS NOT NULL);"},
	/* A fund-year counts its recipients: a row of (scheme, year, person)
	 * for each was 0.6 of a row an event in the benchmark's mix, a ninth
	 * of PostgreSQL's time, for a number that assistd knows from the
	 * person's ledger in memory (daemon/fund.c). A fund-year whose
	 * entries all went uncounted gets its row here too. */
	{17, "ALTER TABLE fund_year ADD COLUMN recipients bigint NOT NULL DEFAULT 0;"
	     "INSERT INTO fund_year AS f (scheme, year, spent_fen, entries, recipients) "
	     "SELECT scheme, year, 0, 0, count(*) FROM fund_recipient GROUP BY 1, 2 "
	     "ON CONFLICT (scheme, year) DO UPDATE SET recipients = excluded.recipients;"
	     "DROP TABLE fund_recipient;"},
	/* A batch's records on the feed are one row (a FeedPage), not a row
	 * each: 1.2 rows an event, a sixth of PostgreSQL's time, most of it a
	 * row's own cost rather than its bytes. Alerts keep a row each in feed
	 * (a few, and their topic is what tests and operators look for); the
	 * rows of feed written before are read as they are. */
	{18, "CREATE TABLE feed_page (first_seq bigint PRIMARY KEY, last_seq bigint NOT NULL,"
	     "  payload bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now());"
	     "ALTER TABLE feed_page ALTER COLUMN payload SET COMPRESSION lz4;"},
	/* A journal row's (source, major, minor) is unique by construction: an
	 * event at or below its source's committed position is a duplicate,
	 * acknowledged and not applied, and the position commits with the
	 * rows. The unique index that checked it again was two fifths of a
	 * journal row's cost (two numerics and a text compared at each level
	 * of a b-tree); assist-audit looks for repeats instead. */
	{19, "ALTER TABLE event_journal DROP CONSTRAINT IF EXISTS "
	     "event_journal_source_major_minor_key;"},
	/* A person's alerts are the alert table's rows (on_record: those its
	 * record shows; a fund's budget_exceeded is on the person's row for
	 * whom to ask, not on the record), read with the person like its
	 * ledger: a refusal rewrote the person's whole row for one alert. Like
	 * the ledger's, each row carries the version, feed sequence and time of
	 * the record that first shows it (NULL before). */
	{20, "ALTER TABLE alert ADD COLUMN on_record boolean NOT NULL DEFAULT true, "
	     "ADD COLUMN version bigint, ADD COLUMN feed_seq bigint, ADD COLUMN updated_ms bigint;"
	     "UPDATE alert SET on_record = false WHERE code = 'budget_exceeded';"},
	/* The city's persons share a few hundred entitlement lists, which were
	 * most of a person's stored form (seven entitlements with their
	 * reasons, about 500 bytes of 700): a list is one row, under the
	 * digest of its packed form, and a person's stored form names it. */
	{21, "CREATE TABLE entitlement_list (digest bytea PRIMARY KEY, list bytea NOT NULL,"
	     "  created_at timestamptz NOT NULL DEFAULT now());"},
	/* A ledger entry's explanation is a column of its row: a row of its own
	 * was 0.6 of a row an event, for a decision the ledger row already
	 * names (its subject is "ledger|reversal <ref> <scheme>"). A benefit's
	 * stays in explanation, and so do the rows written before. */
	{22, "ALTER TABLE ledger ADD COLUMN explanation bytea;"
	     "ALTER TABLE ledger ALTER COLUMN explanation SET COMPRESSION lz4;"},
	/* The alert of a refusal rides in the refused entry's ledger row (its
	 * person, scheme and ref are the row's): 0.44 alert rows an event,
	 * nearly all not_eligible, were 7 us each. alert_no is the alert's
	 * place on its person's record, which orders a person's alerts across
	 * the two tables (NULL before: those come first, by id). */
	{23, "ALTER TABLE ledger ADD COLUMN alert_code text, ADD COLUMN alert_message text, "
	     "ADD COLUMN alert_no integer;"
	     "ALTER TABLE alert ADD COLUMN alert_no integer;"},
	/* A batch's journal is one row, its events' columns as arrays: a row
	 * an event was a sixth of PostgreSQL's time (a heap tuple, an index
	 * entry and a sequence value each). The digests chain event by event
	 * as before; a page's prev_digest is the digest before its first
	 * event. The rows written before become pages of at most 500, one
	 * transaction's (one received_at) each. event_journal is the view of
	 * the events, one row each as the table had them; journal_after() reads
	 * them in order from an id by the pages' index. */
	{24, "CREATE TABLE journal_page (last_id bigint PRIMARY KEY, first_id bigint NOT NULL,"
	     "  received_at timestamptz NOT NULL DEFAULT now(), prev_digest bytea NOT NULL,"
	     "  sources text[] COLLATE \"C\" NOT NULL, majors numeric(20)[] NOT NULL,"
	     "  minors numeric(20)[] NOT NULL, kinds text[] NOT NULL, events bytea[] NOT NULL,"
	     "  digests bytea[] NOT NULL);"
	     "ALTER TABLE journal_page ALTER COLUMN events SET COMPRESSION lz4, "
	     "ALTER COLUMN sources SET COMPRESSION lz4, ALTER COLUMN kinds SET COMPRESSION lz4, "
	     "ALTER COLUMN majors SET COMPRESSION lz4, ALTER COLUMN minors SET COMPRESSION lz4, "
	     "ALTER COLUMN digests SET STORAGE EXTERNAL;"
	     "INSERT INTO journal_page SELECT max(id), min(id), received_at, "
	     "(array_agg(prev_digest ORDER BY id))[1], array_agg(source ORDER BY id), "
	     "array_agg(major ORDER BY id), array_agg(minor ORDER BY id), "
	     "array_agg(kind ORDER BY id), array_agg(event ORDER BY id), "
	     "array_agg(digest ORDER BY id) FROM event_journal "
	     "GROUP BY (id - 1) / 500, received_at ORDER BY 1;"
	     "DROP TABLE event_journal;"
	     "CREATE VIEW event_journal AS SELECT p.first_id + u.o - 1 AS id, u.source, "
	     "u.major, u.minor, u.kind, u.event, p.received_at, CASE WHEN u.o = 1 "
	     "THEN p.prev_digest ELSE p.digests[u.o - 1] END AS prev_digest, u.digest "
	     "FROM journal_page p CROSS JOIN LATERAL unnest(p.sources, p.majors, p.minors, "
	     "p.kinds, p.events, p.digests) WITH ORDINALITY AS u(source, major, minor, kind, "
	     "event, digest, o);"
	     "CREATE FUNCTION journal_after(after bigint, n integer) RETURNS SETOF event_journal "
	     "LANGUAGE sql STABLE AS 'SELECT p.first_id + u.o - 1, u.source, u.major, u.minor, "
	     "u.kind, u.event, p.received_at, CASE WHEN u.o = 1 THEN p.prev_digest "
	     "ELSE p.digests[u.o - 1] END, u.digest FROM (SELECT * FROM journal_page "
	     "WHERE last_id > after ORDER BY last_id LIMIT n) p CROSS JOIN LATERAL "
	     "unnest(p.sources, p.majors, p.minors, p.kinds, p.events, p.digests) "
	     "WITH ORDINALITY AS u(source, major, minor, kind, event, digest, o) "
	     "WHERE p.first_id + u.o - 1 > after ORDER BY p.last_id, u.o LIMIT n';"},
};

/* The persons a load by ids ($1) and households ($2) reads: the named ones
 * and every member of their households. UNIONs, not ORs, so each part uses
 * its index. */
#define PERSONS_NAMED                                                                    \
	"SELECT id_number FROM person WHERE id_number = ANY($1::text[]) "                   \
	"UNION SELECT id_number FROM person WHERE household_id = ANY($2::text[]) "         \
	"UNION SELECT p.id_number FROM person p JOIN person q "                             \
	"ON p.household_id = q.household_id "                                               \
	"WHERE q.id_number = ANY($1::text[]) AND q.household_id <> ''"

/* Whoever may be paid, of the buckets from $1 to before $2
 * (world_bucket_range), and the other members of their households: w. Rows
 * are read through LATERAL ... OFFSET 0, which the planner cannot flatten
 * into a hash join over a scan of the whole table: a benchmark's run right
 * after 10^5 recipients were added got that plan (most likely from
 * statistics of before), a scan of every person for each part. */
#define PAYEES                                                                           \
	"WITH q AS MATERIALIZED (SELECT id_number, household_id FROM person "               \
	"WHERE periodic AND bucket >= $1::int AND bucket < $2::int), "                      \
	"w AS (SELECT id_number FROM q UNION ALL SELECT p.id_number FROM "                  \
	"(SELECT DISTINCT household_id FROM q WHERE household_id <> '') h "                 \
	"CROSS JOIN LATERAL (SELECT id_number FROM person "                                 \
	"WHERE household_id = h.household_id OFFSET 0) p "                                  \
	"WHERE p.id_number NOT IN (SELECT id_number FROM q)) "

/* A person's ledger rows as load.c reads them, in the order they were
 * booked. */
#define LEDGER_COLUMNS                                                                   \
	"l.id_number, l.ref, l.scheme, to_char(l.date, 'YYYY-MM-DD'), l.requested_fen, "    \
	"l.amount_fen, l.clipped, l.reason, l.kind, coalesce(l.period, ''), l.version, "    \
	"l.feed_seq, l.updated_ms"

/* The alerts a record shows (migrations 20 and 23): the alert rows on a
 * record, and the refusals' alerts in their ledger rows; each as load.c
 * reads it (the person, the alert, the stamp), then what orders them. */
#define RECORD_ALERTS                                                                    \
	"(SELECT id_number, code, scheme, ref, message, version, feed_seq, updated_ms, "    \
	"alert_no, id FROM alert WHERE on_record UNION ALL SELECT id_number, alert_code, "  \
	"scheme, ref, alert_message, version, feed_seq, updated_ms, alert_no, id "         \
	"FROM ledger WHERE alert_code IS NOT NULL)"
#define ALERT_COLUMNS                                                                    \
	"a.id_number, a.code, a.scheme, a.ref, a.message, a.version, a.feed_seq, "         \
	"a.updated_ms"
#define ALERT_ORDER "a.alert_no NULLS FIRST, a.id"

static const struct store_statement statements[SQL_N] = {
	/* A household is loaded whole: rules for one member read the others. */
	[SQL_LOAD_PERSONS] = {"load_persons",
			      "SELECT state FROM person WHERE id_number IN (" PERSONS_NAMED ")",
			      2},
	[SQL_LOAD_PERSON_LEDGERS] = {"load_person_ledgers",
				     "SELECT " LEDGER_COLUMNS " FROM ledger l WHERE l.id_number IN ("
				     PERSONS_NAMED ") ORDER BY l.id",
				     2},
	[SQL_LOAD_PERSON_ALERTS] = {"load_person_alerts",
				    "SELECT " ALERT_COLUMNS " FROM " RECORD_ALERTS " a WHERE "
				    "a.id_number IN (" PERSONS_NAMED ") ORDER BY " ALERT_ORDER,
				    2},
	[SQL_LOAD_HOUSEHOLDS] = {"load_households",
				 "SELECT state FROM household WHERE household_id IN ("
				 "SELECT unnest($1::text[]) UNION SELECT household_id FROM person "
				 "WHERE id_number = ANY($2::text[]))",
				 2},
	/* A payment run's or a recompute chunk's: its payees with their whole
	 * households. */
	[SQL_LOAD_PAYEES] = {"load_payees",
			     PAYEES "SELECT p.state FROM w CROSS JOIN LATERAL (SELECT state FROM person "
			     "WHERE id_number = w.id_number OFFSET 0) p",
			     2},
	/* Each person's rows in the order booked, which is all attach_ledgers
	 * needs: one sort of a part's 18,000 rows spilled to disk. */
	[SQL_LOAD_PAYEE_LEDGERS] = {"load_payee_ledgers",
				    PAYEES "SELECT " LEDGER_COLUMNS " FROM w CROSS JOIN LATERAL "
				    "(SELECT * FROM ledger WHERE id_number = w.id_number ORDER BY id "
				    "OFFSET 0) l",
				    2},
	[SQL_LOAD_PAYEE_ALERTS] = {"load_payee_alerts",
				   PAYEES "SELECT " ALERT_COLUMNS " FROM w CROSS JOIN LATERAL "
				   "(SELECT * FROM " RECORD_ALERTS " a WHERE a.id_number = w.id_number "
				   "ORDER BY " ALERT_ORDER " OFFSET 0) a",
				   2},
	[SQL_LOAD_PAYEE_HOUSEHOLDS] = {"load_payee_households",
				       PAYEES "SELECT x.state FROM (SELECT DISTINCT household_id FROM q "
				       "WHERE household_id <> '') h CROSS JOIN LATERAL (SELECT state "
				       "FROM household WHERE household_id = h.household_id OFFSET 0) x",
				       2},
	/* assistctl pay: what the runs booked for a month, per scheme. */
	[SQL_PAYMENTS] = {"payments",
			  "SELECT scheme, count(DISTINCT id_number), sum(amount_fen) FROM ledger "
			  "WHERE date = to_date($1, 'YYYY-MM') AND kind = 'payment' AND period = $1 "
			  "GROUP BY scheme ORDER BY scheme",
			  1},
	/* The engine's start: every fund-year's spending. */
	[SQL_FUND_TOTALS] = {"fund_totals",
			     "SELECT scheme, year, spent_fen, alerted FROM fund_year", 0},
	/* assistctl funds: a year's funds. */
	[SQL_FUNDS] = {"funds",
		       "SELECT f.scheme, f.spent_fen, f.entries, f.recipients, f.alerted "
		       "FROM fund_year f WHERE f.year = $1::integer ORDER BY f.scheme",
		       1},
	/* assistctl export ledger: a page of a fund's entries dated in a year. */
	[SQL_EXPORT_PAGE] = {"export_page",
			     "SELECT id, id_number, ref, kind, coalesce(period, ''), date, "
			     "amount_fen, reason, counted FROM ledger WHERE scheme = $1 AND "
			     "date >= make_date($2::integer, 1, 1) AND date < make_date($2::integer + 1, 1, 1) "
			     "AND id > $3::bigint ORDER BY id LIMIT $4::integer",
			     4},
	/* The ids the store holds, a page at a time (daemon/instore.c). */
	[SQL_PERSON_IDS_AFTER] = {"person_ids_after",
				  "SELECT id_number FROM person WHERE id_number > $1 "
				  "ORDER BY id_number LIMIT 50000",
				  1},
	[SQL_HOUSEHOLD_IDS_AFTER] = {"household_ids_after",
				     "SELECT household_id FROM household WHERE household_id > $1 "
				     "ORDER BY household_id LIMIT 50000",
				     1},
	[SQL_POSITIONS] = {"positions",
			   "SELECT source, major, minor, applied, rejected, lag_ms, "
			   "coalesce(extract(epoch FROM last_seen) * 1000, 0)::bigint "
			   "FROM source_position",
			   0},
	[SQL_COUNTERS] = {"counters",
			  "SELECT greatest((SELECT coalesce(max(seq), 0) FROM feed), "
			  "(SELECT last_seq FROM feed_page ORDER BY first_seq DESC LIMIT 1)), "
			  "(SELECT count(*) FROM dead_letter), (SELECT count(*) FROM person), "
			  "(SELECT digests[cardinality(digests)] FROM journal_page "
			  "ORDER BY last_id DESC LIMIT 1), "
			  "(SELECT count(*) FROM store_meta WHERE key = 'rebuilding')",
			  0},
	/* The latest explanation of each subject of person $1, oldest first:
	 * the benefits' (and rows before migration 22) in explanation, the
	 * ledger entries' in their rows. */
	[SQL_EXPLAIN] = {"explain",
			 "SELECT trace, packed FROM (SELECT DISTINCT ON (subject) * FROM ("
			 "SELECT subject, created_at AS at, 0 AS src, id, trace, packed "
			 "FROM explanation WHERE id_number = $1 UNION ALL "
			 "SELECT CASE WHEN kind = 'reversal' THEN 'reversal ' ELSE 'ledger ' END "
			 "|| ref || ' ' || scheme, created_at, 1, id, NULL, explanation FROM ledger "
			 "WHERE id_number = $1 AND explanation IS NOT NULL) e "
			 "ORDER BY subject, at DESC, src DESC, id DESC) t ORDER BY at, src, id",
			 1},
	/* A replay's rows from sequence $1 on, below $4 (daemon/feed.c): the
	 * message rows of feed whose topic starts with $2, at most $3; when $5
	 * (the prefix may name records) the pages of feed_page holding any of
	 * them, the page holding $1 first; and the latest sequence stored. */
	[SQL_REPLAY] = {"replay",
			"SELECT * FROM (SELECT seq, seq, payload, 0 FROM feed WHERE seq >= $1 "
			"AND seq < $4 AND starts_with(topic, $2) ORDER BY seq LIMIT $3) f "
			"UNION ALL SELECT first_seq, last_seq, payload, 1 FROM feed_page "
			"WHERE $5 AND first_seq >= coalesce((SELECT max(first_seq) FROM feed_page "
			"WHERE first_seq <= $1), 0) AND first_seq < $4 AND last_seq >= $1 "
			"UNION ALL SELECT greatest((SELECT max(seq) FROM feed), (SELECT last_seq "
			"FROM feed_page ORDER BY first_seq DESC LIMIT 1)), NULL, NULL, 2 "
			"ORDER BY 1",
			5},
	/* A batch writes each table with one statement over column arrays
	 * (daemon/commit.c), one array a parameter: the count given last is
	 * the number of columns commit_init sets up. WITH ORDINALITY keeps the
	 * rows' order, which the journal's ids and hash chain follow. */
	/* The batch's events are one page (migration 24), after the last page
	 * and chained to its last digest (zeros before the first). */
	[SQL_JOURNAL_ROWS] = {"journal_rows",
			      "INSERT INTO journal_page (last_id, first_id, prev_digest, sources, "
			      "majors, minors, kinds, events, digests) SELECT f + cardinality($1::text[]) "
			      "- 1, f, d, $1::text[], $2::text[]::numeric[], $3::text[]::numeric[], $4::text[], "
			      "$5::bytea[], $6::bytea[] FROM (SELECT coalesce(l.last_id, 0) + 1 AS f, "
			      "coalesce(l.d, decode(repeat('00', 32), 'hex')) AS d FROM (SELECT 1) o "
			      "LEFT JOIN LATERAL (SELECT last_id, digests[cardinality(digests)] AS d "
			      "FROM journal_page ORDER BY last_id DESC LIMIT 1) l ON true) x",
			      6},
	[SQL_DEAD_LETTER_ROWS] = {"dead_letter_rows",
				  "INSERT INTO dead_letter (source, major, minor, kind, field, "
				  "reason, event, raw) SELECT s, ma::numeric, mi::numeric, k, f, r, e::jsonb, w "
				  "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], "
				  "$5::text[], $6::text[], $7::text[], $8::text[]) WITH ORDINALITY "
				  "AS t(s, ma, mi, k, f, r, e, w, o) ORDER BY o",
				  8},
	[SQL_LEDGER_ROWS] = {"ledger_rows",
			     "INSERT INTO ledger (id_number, ref, scheme, date, requested_fen, "
			     "amount_fen, clipped, reason, source, major, minor, kind, period, "
			     "counted, version, feed_seq, updated_ms, explanation, alert_code, "
			     "alert_message, alert_no) SELECT i, r, s, d::date, q, a, c, w, src, "
			     "ma::numeric, mi::numeric, k, pe, n, v, f, m, x, ac, am, an "
			     "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], "
			     "$5::bigint[], $6::bigint[], $7::boolean[], $8::text[], $9::text[], "
			     "$10::text[], $11::text[], $12::text[], $13::text[], $14::boolean[], "
			     "$15::bigint[], $16::bigint[], $17::bigint[], $18::bytea[], $19::text[], "
			     "$20::text[], $21::bigint[]) WITH ORDINALITY "
			     "AS t(i, r, s, d, q, a, c, w, src, ma, mi, k, pe, n, v, f, m, x, ac, am, an, "
			     "o) ORDER BY o",
			     21},
	/* One row per fund-year a batch touched (daemon/fund.c), with what it
	 * adds: spending, entries, and persons with their first entry in it. */
	[SQL_FUND_YEAR_ROWS] = {"fund_year_rows",
				"INSERT INTO fund_year AS f (scheme, year, spent_fen, entries, alerted, "
				"recipients) SELECT * FROM unnest($1::text[], $2::bigint[], "
				"$3::bigint[], $4::bigint[], $5::boolean[], $6::bigint[]) "
				"ON CONFLICT (scheme, year) DO UPDATE SET "
				"spent_fen = f.spent_fen + excluded.spent_fen, "
				"entries = f.entries + excluded.entries, "
				"alerted = f.alerted OR excluded.alerted, "
				"recipients = f.recipients + excluded.recipients",
				6},
	[SQL_ALERT_ROWS] = {"alert_rows",
			    "INSERT INTO alert (id_number, code, scheme, ref, message, source, "
			    "major, minor, on_record, version, feed_seq, updated_ms, alert_no) "
			    "SELECT i, c, s, r, m, src, ma::numeric, mi::numeric, n, v, f, u, k FROM "
			    "unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], "
			    "$6::text[], $7::text[], $8::text[], $9::boolean[], $10::bigint[], "
			    "$11::bigint[], $12::bigint[], $13::bigint[]) WITH ORDINALITY "
			    "AS t(i, c, s, r, m, src, ma, mi, n, v, f, u, k, o) ORDER BY o",
			    13},
	[SQL_EXPLANATION_ROWS] = {"explanation_rows",
				  "INSERT INTO explanation (id_number, subject, packed) "
				  "SELECT i, s, x FROM unnest($1::text[], $2::text[], "
				  "$3::bytea[]) WITH ORDINALITY AS t(i, s, x, o) ORDER BY o",
				  3},
	[SQL_HOUSEHOLD_ROWS] = {"household_rows",
				"INSERT INTO household (household_id, state, updated_at) "
				"SELECT * , now() FROM unnest($1::text[], $2::bytea[]) "
				"ON CONFLICT (household_id) DO UPDATE SET state = excluded.state, "
				"updated_at = now()",
				2},
	[SQL_PERSON_ROWS] = {"person_rows",
			     "INSERT INTO person (id_number, household_id, district, state, "
			     "version, periodic, town, community, bucket, updated_at) "
			     "SELECT i, h, d, s, v, pe, t, c, b::int, now() FROM "
			     "unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::bigint[], "
			     "$6::boolean[], $7::text[], $8::text[], $9::bigint[]) "
			     "AS u(i, h, d, s, v, pe, t, c, b) "
			     "ON CONFLICT (id_number) DO UPDATE SET household_id = "
			     "excluded.household_id, district = excluded.district, state = "
			     "excluded.state, version = excluded.version, periodic = "
			     "excluded.periodic, town = excluded.town, community = "
			     "excluded.community, updated_at = now()",
			     9},
	[SQL_FEED_PAGE_ROWS] = {"feed_page_rows",
				"INSERT INTO feed_page (first_seq, last_seq, payload) SELECT * FROM "
				"unnest($1::bigint[], $2::bigint[], $3::bytea[])",
				3},
	/* A shared list is written by the first batch that names it, and again
	 * by those built before that one committed. */
	[SQL_ENTITLEMENT_LIST_ROWS] = {"entitlement_list_rows",
				       "INSERT INTO entitlement_list (digest, list) SELECT * FROM "
				       "unnest($1::bytea[], $2::bytea[]) ON CONFLICT DO NOTHING",
				       2},
	/* The engine's start: every shared list, before a person is read. */
	[SQL_ENTITLEMENT_LISTS] = {"entitlement_lists",
				   "SELECT digest, list FROM entitlement_list", 0},
	[SQL_FEED_ROWS] = {"feed_rows",
			   "INSERT INTO feed (seq, topic, payload) SELECT * FROM "
			   "unnest($1::bigint[], $2::text[], $3::bytea[])",
			   3},
	[SQL_POSITION_ROWS] = {"position_rows",
			       "INSERT INTO source_position AS p (source, major, minor, applied, "
			       "rejected, lag_ms, last_seen) SELECT s, ma::numeric, mi::numeric, a, r, l, "
			       "w::timestamptz FROM unnest($1::text[], $2::text[], $3::text[], "
			       "$4::bigint[], $5::bigint[], $6::bigint[], $7::text[]) "
			       "AS t(s, ma, mi, a, r, l, w) ON CONFLICT (source) DO UPDATE SET "
			       "major = excluded.major, minor = excluded.minor, "
			       "applied = p.applied + excluded.applied, "
			       "rejected = p.rejected + excluded.rejected, "
			       "lag_ms = excluded.lag_ms, last_seen = excluded.last_seen",
			       7},
	/* A household's application is kept by every member: one row each. */
	[SQL_APPLICATION_ROWS] = {"application_rows",
				  "INSERT INTO application (application_id, id_number, scheme, state, "
				  "since, open, raised) SELECT DISTINCT ON (a) a, i, c, s, d::date, o, r FROM "
				  "unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], "
				  "$6::boolean[], $7::boolean[]) AS t(a, i, c, s, d, o, r) ORDER BY a "
				  "ON CONFLICT (application_id) DO UPDATE SET id_number = "
				  "excluded.id_number, scheme = excluded.scheme, state = excluded.state, "
				  "since = excluded.since, open = excluded.open, raised = excluded.raised",
				  7},
	[SQL_APPLICATION_PERSON] = {"application_person",
				    "SELECT id_number FROM application WHERE application_id = $1",
				    1},
	/* The overdue check: open steps taken before $1 that raised nothing. */
	[SQL_APPLICATIONS_DUE] = {"applications_due",
				  "SELECT application_id, id_number, scheme, state FROM application "
				  "WHERE open AND NOT raised AND since < $1::date ORDER BY since "
				  "LIMIT $2",
				  2},
	/* assistctl dump: a page of IDs, in the primary key's order. */
	[SQL_DUMP_IDS] = {"dump_ids",
			  "SELECT id_number FROM person WHERE id_number > $1 "
			  "ORDER BY id_number LIMIT $2",
			  2},
	/* assistd --rebuild (daemon/rebuild.c): the journal in order, with the
	 * UTC day each event was received, which stands in for "today". */
	[SQL_JOURNAL_PAGE] = {"journal_page",
			      "SELECT id, source, major, minor, event, "
			      "to_char(received_at AT TIME ZONE 'UTC', 'YYYYMMDD') "
			      "FROM journal_after($1::bigint, $2::int)",
			      2},
	/* Everything derived from the journal goes; the marker makes a plain
	 * start refuse a half-rebuilt store until a rebuild finishes. */
	[SQL_REBUILD_CLEAR] = {"rebuild_clear",
			       "WITH p AS (DELETE FROM person), h AS (DELETE FROM household), "
			       "l AS (DELETE FROM ledger), a AS (DELETE FROM alert), "
			       "x AS (DELETE FROM explanation), q AS (DELETE FROM application), "
			       "f AS (DELETE FROM fund_year) "
			       "INSERT INTO store_meta (key, value) VALUES ('rebuilding', 1) "
			       "ON CONFLICT (key) DO NOTHING",
			       0},
	/* Each source's position is at least its last journal event, and its
	 * applied count is its journal rows (a journal copied into a fresh
	 * database brings its positions with it). */
	[SQL_REBUILD_DONE] = {"rebuild_done",
			      "WITH j AS (SELECT DISTINCT ON (source) source, major, minor, "
			      "count(*) OVER (PARTITION BY source) AS n FROM event_journal "
			      "ORDER BY source, id DESC), "
			      "d AS (DELETE FROM store_meta WHERE key = 'rebuilding') "
			      "INSERT INTO source_position AS p (source, major, minor, applied) "
			      "SELECT source, major, minor, n FROM j ON CONFLICT (source) DO UPDATE "
			      "SET applied = excluded.applied, "
			      "major = CASE WHEN (excluded.major, excluded.minor) > (p.major, p.minor) "
			      "THEN excluded.major ELSE p.major END, "
			      "minor = CASE WHEN (excluded.major, excluded.minor) > (p.major, p.minor) "
			      "THEN excluded.minor ELSE p.minor END",
			      0},
	/* daemon/standards.c: the periodic parameters' values last recorded. */
	[SQL_POLICY_STATE] = {"policy_state", "SELECT vals FROM policy_state", 0},
	/* A job for a change from $1 of parameters $2, its chunks of about $3
	 * payees; none when the same one is already waiting (a start after a
	 * kill finds the change again). */
	[SQL_JOB_ADD] = {"job_add",
			 "INSERT INTO recompute_job (id, from_date, params, buckets) "
			 "SELECT coalesce((SELECT max(id) FROM recompute_job), 0) + 1, $1::date, $2, "
			 "(SELECT least(65536, greatest(1, ceil(count(*) / $3::numeric)))::int "
			 "FROM person WHERE periodic) WHERE NOT EXISTS (SELECT 1 FROM recompute_job "
			 "WHERE finished IS NULL AND from_date = $1::date AND params = $2)",
			 3},
	[SQL_POLICY_RECORD] = {"policy_record",
			       "INSERT INTO policy_state VALUES (1, $1) "
			       "ON CONFLICT (one) DO UPDATE SET vals = excluded.vals",
			       1},
	/* A claims job from $1 over the journal as it stands; its chunks are
	 * counted once it has read the claims (buckets 0 until then). */
	[SQL_JOB_ADD_CLAIMS] = {"job_add_claims",
				"INSERT INTO recompute_job (id, from_date, params, buckets, claims, "
				"journal_max, chunk) SELECT coalesce((SELECT max(id) FROM "
				"recompute_job), 0) + 1, $1::date, '', 0, true, "
				"coalesce((SELECT max(last_id) FROM journal_page), 0), $2::int RETURNING id",
				2},
	/* A page of a claims job's journal, up to $2: every event's id, the
	 * event of those of kinds $4 (NULL for the others). */
	[SQL_CLAIM_PAGE] = {"claim_page",
			    "SELECT id, CASE WHEN kind = ANY($4::text[]) THEN event END "
			    "FROM journal_after($1::bigint, $3::int) WHERE id <= $2::bigint",
			    4},
	/* The jobs not finished, and the last one finished, oldest first. */
	[SQL_JOBS] = {"jobs",
		      "SELECT id, from_date::text, params, buckets, finished IS NOT NULL, claims, "
		      "journal_max, chunk FROM recompute_job WHERE finished IS NULL OR id = (SELECT max(id) FROM "
		      "recompute_job WHERE finished IS NOT NULL) ORDER BY id LIMIT 8",
		      0},
	[SQL_JOB_DONE] = {"job_done",
			  "UPDATE recompute_job SET finished = now() "
			  "WHERE id = $1::bigint AND finished IS NULL",
			  1},
	/* assistctl dead-letters: by ids when $2 has some, else by source ($1,
	 * '' for every source); one row past the limit tells there are more. */
	[SQL_DEAD_LETTERS] = {"dead_letters",
			      "SELECT id, source, major, minor, kind, field, reason, "
			      "to_char(received_at AT TIME ZONE 'UTC', "
			      "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), coalesce(event::text, ''), "
			      "retries, coalesce(to_char(retried_at AT TIME ZONE 'UTC', "
			      "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), coalesce(retry_major, 0) "
			      "FROM dead_letter WHERE CASE WHEN cardinality($2::bigint[]) > 0 "
			      "THEN id = ANY($2::bigint[]) ELSE $1 = '' OR source = $1 END "
			      "ORDER BY id LIMIT $3",
			      3},
	/* A retried dead letter's outcome, in the batch that decided it: applied
	 * (when and as which position of source retry) or its new reason. */
	[SQL_DEAD_LETTER_RETRY_ROWS] = {"dead_letter_retry_rows",
					"UPDATE dead_letter d SET retries = d.retries + 1, "
					"retried_at = CASE WHEN t.ok THEN now() ELSE d.retried_at END, "
					"retry_major = CASE WHEN t.ok THEN t.ma::numeric ELSE d.retry_major END, "
					"field = CASE WHEN t.ok THEN d.field ELSE t.f END, "
					"reason = CASE WHEN t.ok THEN d.reason ELSE t.r END "
					"FROM unnest($1::bigint[], $2::boolean[], $3::text[], "
					"$4::text[], $5::text[]) AS t(i, ok, ma, f, r) WHERE d.id = t.i",
					5},
	/* assistctl roster and report recipients (daemon/roster.c): a page of
	 * the persons holding a benefit row, of one district or all (""), in
	 * the order of the primary key. */
	[SQL_ROSTER_IDS] = {"roster_ids",
			    "SELECT id_number FROM person WHERE periodic AND id_number > $1 "
			    "AND ($2 = '' OR district = $2) ORDER BY id_number LIMIT $3",
			    3},
	/* assistctl report spending (daemon/report.c): the ledger entries dated
	 * in [$1, $2) summed by scheme, by month and by the person's place. An
	 * entry of a household-level scheme ($3) is on every member under one
	 * ref from one event: it counts once, at its first member's place. */
	[SQL_REPORT_SPENDING] = {"report_spending",
				 "WITH e AS (SELECT id_number, scheme, date, amount_fen FROM ledger "
				 "WHERE date >= $1::date AND date < $2::date "
				 "AND scheme <> ALL($3::text[]) UNION ALL "
				 "(SELECT DISTINCT ON (source, major, minor, ref, scheme, kind) "
				 "id_number, scheme, date, amount_fen FROM ledger "
				 "WHERE date >= $1::date AND date < $2::date "
				 "AND scheme = ANY($3::text[]) "
				 "ORDER BY source, major, minor, ref, scheme, kind, id_number)), "
				 "x AS (SELECT e.scheme, to_char(e.date, 'YYYY-MM') AS m, "
				 "coalesce(p.district, '') AS d, coalesce(p.town, '') AS t, "
				 "coalesce(p.community, '') AS c, e.amount_fen FROM e "
				 "LEFT JOIN person p USING (id_number)) "
				 "SELECT GROUPING(scheme), GROUPING(m), scheme, m, d, t, c, "
				 "sum(amount_fen) FROM x "
				 "GROUP BY GROUPING SETS ((scheme), (m), (d, t, c)) "
				 "ORDER BY 1, 2, 3, 4, 5, 6, 7",
				 3},
	/* The alert rows carry no date of their own: the year they were raised. */
	[SQL_REPORT_ALERTS] = {"report_alerts",
			       "SELECT code, count(*) FROM (SELECT code, created_at FROM alert "
			       "UNION ALL SELECT alert_code, created_at FROM ledger WHERE alert_code "
			       "IS NOT NULL) a WHERE created_at >= $1::date AND created_at < $2::date "
			       "GROUP BY code ORDER BY code",
			       2},
};

const struct store_catalog schema_catalog = {
	.migrations = migrations,
	.n_migrations = sizeof(migrations) / sizeof(migrations[0]),
	.statements = statements,
	.n_statements = SQL_N,
};
