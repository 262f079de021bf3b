/* assistd's database schema, as numbered migrations (schema.h). */
#include "schema.h"

/* Migrations are append-only: never edit one that has shipped, add the next. */

/* A key column compared byte by byte (migration 15). */
#define BYTEWISE " TYPE text COLLATE \"C\""

const struct store_migration schema_migrations[SCHEMA_MIGRATIONS] = {
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
	/* A claim that changes only a person's years and keys leaves its row
	 * as it was: its first ledger row of the batch carries them, a
	 * PersonState of those fields only (daemon/stored.h), which a load lays
	 * over the row when the ledger row is the newer. */
	{25, "ALTER TABLE ledger ADD COLUMN person_delta bytea;"},
};
