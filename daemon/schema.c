#include "schema.h"

/* The persons a load by ids ($1) and households ($2) reads: the named ones
 * and every member of their households and of those named: w. Each
 * household's members through LATERAL ... OFFSET 0, as PAYEES below: a
 * generic plan made from statistics of a smaller table joined the named
 * persons' households to a parallel scan of every person, 60-75 ms a load
 * at 10^6 recipients (the benchmark's, 2026-12-07). */
#define PERSONS_NAMED                                                                    \
	"WITH q AS MATERIALIZED (SELECT id_number, household_id FROM person "               \
	"WHERE id_number = ANY($1::text[])), "                                              \
	"w AS (SELECT id_number FROM q UNION SELECT p.id_number FROM "                      \
	"(SELECT household_id FROM q WHERE household_id <> '' "                             \
	"UNION SELECT unnest($2::text[])) h CROSS JOIN LATERAL (SELECT id_number "         \
	"FROM person WHERE household_id = h.household_id OFFSET 0) p) "

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
	"l.feed_seq, l.updated_ms, l.person_delta"

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

/* What a load reads of the persons w names (PERSONS_NAMED or PAYEES), a
 * person at a time by its index: their rows, each person's ledger rows in
 * the order booked, which is all attach() in load.c needs, and their
 * alerts. */
#define STATES_OF_W                                                                      \
	"SELECT p.state FROM w CROSS JOIN LATERAL (SELECT state FROM person "              \
	"WHERE id_number = w.id_number OFFSET 0) p"
#define LEDGERS_OF_W                                                                     \
	"SELECT " LEDGER_COLUMNS " FROM w CROSS JOIN LATERAL (SELECT * FROM ledger "       \
	"WHERE id_number = w.id_number ORDER BY id OFFSET 0) l"
#define ALERTS_OF_W                                                                      \
	"SELECT " ALERT_COLUMNS " FROM w CROSS JOIN LATERAL (SELECT * FROM " RECORD_ALERTS \
	" a WHERE a.id_number = w.id_number ORDER BY " ALERT_ORDER " OFFSET 0) a"

static const struct store_statement statements[SQL_N] = {
	/* A household is loaded whole: rules for one member read the others. */
	[SQL_LOAD_PERSONS] = {"load_persons", PERSONS_NAMED STATES_OF_W, 2},
	[SQL_LOAD_PERSON_LEDGERS] = {"load_person_ledgers", PERSONS_NAMED LEDGERS_OF_W, 2},
	[SQL_LOAD_PERSON_ALERTS] = {"load_person_alerts", PERSONS_NAMED ALERTS_OF_W, 2},
	[SQL_LOAD_HOUSEHOLDS] = {"load_households",
				 "SELECT x.state FROM (SELECT unnest($1::text[]) UNION SELECT "
				 "household_id FROM person WHERE id_number = ANY($2::text[])) "
				 "h(household_id) CROSS JOIN LATERAL (SELECT state FROM household "
				 "WHERE household_id = h.household_id OFFSET 0) x",
				 2},
	/* A payment run's or a recompute chunk's: its payees with their whole
	 * households. */
	[SQL_LOAD_PAYEES] = {"load_payees", PAYEES STATES_OF_W, 2},
	[SQL_LOAD_PAYEE_LEDGERS] = {"load_payee_ledgers", PAYEES LEDGERS_OF_W, 2},
	[SQL_LOAD_PAYEE_ALERTS] = {"load_payee_alerts", PAYEES ALERTS_OF_W, 2},
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
			     "alert_message, alert_no, person_delta) SELECT i, r, s, d::date, q, a, c, "
			     "w, src, ma::numeric, mi::numeric, k, pe, n, v, f, m, x, ac, am, an, pd "
			     "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], "
			     "$5::bigint[], $6::bigint[], $7::boolean[], $8::text[], $9::text[], "
			     "$10::text[], $11::text[], $12::text[], $13::text[], $14::boolean[], "
			     "$15::bigint[], $16::bigint[], $17::bigint[], $18::bytea[], $19::text[], "
			     "$20::text[], $21::bigint[], $22::bytea[]) WITH ORDINALITY "
			     "AS t(i, r, s, d, q, a, c, w, src, ma, mi, k, pe, n, v, f, m, x, ac, am, an, "
			     "pd, o) ORDER BY o",
			     22},
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
	.migrations = schema_migrations,
	.n_migrations = SCHEMA_MIGRATIONS,
	.statements = statements,
	.n_statements = SQL_N,
};
