/* assist-audit: check assistd's database the way an auditor would.
 *
 * 1. The event journal's hash chain, row by row: nothing altered, removed or
 *    reordered since it was written.
 * 2. The money: every person's year-to-date totals equal the sums of the
 *    ledger rows they are made of, payer by payer and year by year.
 * 3. The entries: no month paid twice, or recovered below nothing; every
 *    reversal takes back what was in force; arrears add to a month's
 *    payment and recoveries take from it.
 * 4. The funds: every fund-year's spending, counted entries and recipients
 *    equal what the ledger rows dated in that year make (daemon/fund.c).
 * 5. The months: every month's entries of a periodic benefit add up to what
 *    the facts now known of its first day give, computed by the daemon's own
 *    rules (policy_month_due) with the policy parameters of the
 *    configuration.
 *
 * Prints what it checked and every discrepancy; exits 0 when all holds, 1
 * when something does not, 2 when the database cannot be read. */
#include <getopt.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assist.pb-c.h"
#include "cli.h"
#include "state.pb-c.h"
#include "conf.h"
#include "idnum.h"
#include "journal.h"
#include "params.h"
#include "policy/policy.h"
#include "scheme.h"
#include "stored.h"

#define PAGE 5000

static const char usage[] =
	"usage: assist-audit [-c CONFIG | --database CONNINFO] [--policy DIR]\n"
	"  checks the journal's hash chain, that year-to-date totals match the ledger, that no\n"
	"  month is paid twice, that every reversal takes back the amount then in force and\n"
	"  that no month recovers more than was paid, that each fund-year's spending and\n"
	"  recipients match the ledger, and that every month paid adds up to what the facts\n"
	"  now known of it give\n"
	"  -c CONFIG             assistd's configuration, for its database and policy_dir\n"
	"                        (default /etc/assist/assistd.conf)\n"
	"  --database CONNINFO   the database to check instead (libpq conninfo)\n"
	"  --policy DIR          the policy parameters the months are computed with\n"
	"                        (default: the configuration's policy_dir, else\n"
	"                        /usr/share/assist/policy)\n"
	"  --version             print the version and exit\n"
	"example:\n"
	"  assist-audit --database 'dbname=assist'\n"
	"exit: 0 everything holds, 1 a discrepancy, 2 the database cannot be read,\n"
	"64 bad usage\n";

static PGresult *query(PGconn *db, const char *sql, int n, const char *const *params)
{
	PGresult *r = PQexecParams(db, sql, n, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "assist-audit: %s", PQerrorMessage(db));
		PQclear(r);
		return NULL;
	}
	return r;
}

static uint8_t *bytea(const PGresult *r, int row, int col, size_t *len)
{
	return PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, col), len);
}

/* A discrepancy on standard output, after the progress line is erased. */
static void __attribute__((format(printf, 2, 3))) report(struct cli_progress *progress,
							 const char *fmt, ...)
{
	va_list ap;

	cli_progress_clear(progress);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

/* Called for each row of a paged query: the number of faults it found, or
 * -1 to stop. */
typedef long (*row_fn)(PGconn *db, const PGresult *r, int row, void *data);

/* A pass over one table: its rows, counted first for the progress line
 * (only when it shows), a page at a time. */
struct pass {
	const char *what;      /* "journal: " */
	const char *count_sql; /* its rows */
	const char *sql;       /* rows after the key $1, ordered by it (the first column), at most $2 */
	const char *first;     /* the key to start after */
};

/* The rows of a pass, for the progress line: 0 when it does not show. */
static uint64_t pass_total(PGconn *db, const struct pass *ps, const struct cli_progress *progress)
{
	PGresult *r = progress->on ? query(db, ps->count_sql, 0, NULL) : NULL;
	uint64_t n = r != NULL ? strtoull(PQgetvalue(r, 0, 0), NULL, 10) : 0;

	PQclear(r);
	return n;
}

/* Every row of the pass through fn. The faults fn found, or -1; *rows
 * counts the rows. */
static long each_row(PGconn *db, const struct pass *ps, row_fn fn, void *data, uint64_t *rows,
		     struct cli_progress *progress)
{
	uint64_t total = pass_total(db, ps, progress);
	char after[64], limit[16];
	long bad = 0;

	snprintf(after, sizeof(after), "%s", ps->first);
	snprintf(limit, sizeof(limit), "%d", PAGE);
	*rows = 0;
	for (;;) {
		const char *params[2] = {after, limit};
		PGresult *r;
		int n;

		cli_progress_show(progress, ps->what, *rows, total, "rows");
		if ((r = query(db, ps->sql, 2, params)) == NULL)
			return -1;
		n = PQntuples(r);
		for (int i = 0; i < n; i++) {
			long b = fn(db, r, i, data);
			if (b < 0) {
				PQclear(r);
				return -1;
			}
			bad += b;
			snprintf(after, sizeof(after), "%s", PQgetvalue(r, i, 0));
			(*rows)++;
		}
		PQclear(r);
		if (n < PAGE) {
			cli_progress_clear(progress);
			return bad;
		}
	}
}

struct chain {
	uint8_t prev[JOURNAL_DIGEST_BYTES]; /* the digest of the row before */
	struct cli_progress *progress;
};

/* One journal row against the digest of the row before (updated). */
static long check_journal_row(PGconn *db, const PGresult *r, int i, void *data)
{
	struct chain *c = data;
	uint8_t *prev = c->prev;
	size_t elen, plen, dlen;
	uint8_t *event = bytea(r, i, 4, &elen);
	uint8_t *stored_prev = bytea(r, i, 5, &plen);
	uint8_t *digest = bytea(r, i, 6, &dlen);
	uint8_t want[JOURNAL_DIGEST_BYTES];
	long bad = 0;

	journal_digest(prev, PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), PQgetvalue(r, i, 3), event,
		       elen, want);
	if (plen != JOURNAL_DIGEST_BYTES || memcmp(stored_prev, prev, JOURNAL_DIGEST_BYTES) != 0 ||
	    dlen != sizeof(want) || memcmp(digest, want, sizeof(want)) != 0) {
		report(c->progress, "journal row %s (%s@%s/%s): digest does not match its content "
		       "and the row before\n",
		       PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
		       PQgetvalue(r, i, 3));
		bad = 1;
	}
	/* Go on from the stored digest, so one bad row is reported once. */
	if (dlen == JOURNAL_DIGEST_BYTES)
		memcpy(prev, digest, JOURNAL_DIGEST_BYTES);
	PQfreemem(event);
	PQfreemem(stored_prev);
	PQfreemem(digest);
	return bad;
}

/* Journal rows of a position an earlier row has: each is an event applied
 * twice. Their number, or -1. */
static long check_journal_repeats(PGconn *db, struct cli_progress *progress)
{
	PGresult *r = query(db, "SELECT source, major::text, minor::text, count(*) - 1 "
				"FROM event_journal GROUP BY 1, 2, 3 HAVING count(*) > 1 "
				"ORDER BY 1, 2, 3", 0, NULL);
	long bad = 0;

	if (r == NULL)
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		report(progress, "journal: %s@%s/%s journaled %ld times\n", PQgetvalue(r, i, 0),
		       PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), atol(PQgetvalue(r, i, 3)) + 1);
		bad += atol(PQgetvalue(r, i, 3));
	}
	PQclear(r);
	return bad;
}

/* The chain, in pages by id, and positions journaled twice. Returns the
 * number of broken rows, or -1. */
static long check_journal(PGconn *db, uint64_t *rows, struct cli_progress *progress)
{
	static const struct pass ps = {
		"journal: ", "SELECT coalesce(sum(last_id - first_id + 1), 0) FROM journal_page",
		"SELECT id, source, major::text, minor::text, event, prev_digest, digest "
		"FROM journal_after($1::bigint, $2::int)",
		"0"};
	struct chain c = {{0}, progress};
	long bad = each_row(db, &ps, check_journal_row, &c, rows, progress), repeats;

	if (bad < 0 || (repeats = check_journal_repeats(db, progress)) < 0)
		return -1;
	return bad + repeats;
}

/* Ledger sums of one person and year, by the counter of lib/scheme.c they
 * add to. */
struct sums {
	int64_t fen[SCHEME_YTD_MAX];
};

static void add_sum(struct sums *s, const char *scheme, int64_t amount)
{
	const struct scheme *row = scheme_by_name(scheme);

	if (row != NULL)
		scheme_ytd_add(s->fen, row->scheme, amount);
}

/* Every counter the ledger makes (all but the bill totals) against its sum. */
static long compare(const char *id, int year, const Assist__Ytd *y, const struct sums *s,
		    struct cli_progress *progress)
{
	char masked[IDNUM_BUFLEN];
	long bad = 0;

	for (int c = 0; c < scheme_ytd_count(); c++) {
		const char *name = scheme_ytd_field(c);
		int64_t stored = scheme_ytd_get(y, name);

		if (c == SCHEME_YTD_MEDICAL_TOTAL || stored == s->fen[c])
			continue;
		report(progress, "%s %d: %s is %" PRId64 " but its ledger rows add up to %" PRId64 "\n",
		       idnum_mask(id, masked), year, name, stored, s->fen[c]);
		bad++;
	}
	return bad;
}

/* One person's stored totals against the ledger. */
static long check_person(PGconn *db, const char *id, const uint8_t *state, size_t len,
			 struct cli_progress *progress)
{
	const char *params[1] = {id};
	Assist__PersonState *st = assist__person_state__unpack(NULL, len, state);
	PGresult *r;
	long bad = 0;

	if (st == NULL) {
		char masked[IDNUM_BUFLEN];
		report(progress, "%s: stored state does not decode\n", idnum_mask(id, masked));
		return 1;
	}
	r = query(db,
		  "SELECT extract(year FROM date)::int, scheme, sum(amount_fen)::bigint FROM ledger "
		  "WHERE id_number = $1 AND date IS NOT NULL GROUP BY 1, 2",
		  1, params);
	if (r == NULL) {
		assist__person_state__free_unpacked(st, NULL);
		return -1;
	}
	for (size_t y = 0; y < st->n_years; y++) {
		struct sums s = {0};
		for (int i = 0; i < PQntuples(r); i++) {
			if (atoi(PQgetvalue(r, i, 0)) == st->years[y]->year)
				add_sum(&s, PQgetvalue(r, i, 1), strtoll(PQgetvalue(r, i, 2), NULL, 10));
		}
		if (st->years[y]->ytd != NULL)
			bad += compare(id, st->years[y]->year, st->years[y]->ytd, &s, progress);
	}
	PQclear(r);
	assist__person_state__free_unpacked(st, NULL);
	return bad;
}

/* One person's stored year-to-date totals against its ledger rows. */
static long check_person_row(PGconn *db, const PGresult *r, int i, void *data)
{
	size_t len;
	uint8_t *state = bytea(r, i, 1, &len);
	long bad = check_person(db, PQgetvalue(r, i, 0), state, len, data);

	PQfreemem(state);
	return bad;
}

static long check_money(PGconn *db, uint64_t *persons, struct cli_progress *progress)
{
	/* A person's years are its row's, or those of the newest delta a
	 * ledger row carries in its place (migration 25): a PersonState too. */
	static const struct pass ps = {"money: ", "SELECT count(*) FROM person",
				       "SELECT p.id_number, coalesce((SELECT l.person_delta FROM "
				       "ledger l WHERE l.id_number = p.id_number AND l.person_delta "
				       "IS NOT NULL AND l.version > p.version ORDER BY l.id DESC "
				       "LIMIT 1), p.state) FROM person p WHERE p.id_number > $1 "
				       "ORDER BY p.id_number LIMIT $2::int",
				       ""};

	return each_row(db, &ps, check_person_row, progress, persons, progress);
}

/* Ledger entries that cannot stand, each found by one query of the ID
 * number, the ref and what is wrong. */
static const char *const entry_checks[] = {
	"SELECT id_number, ref, 'month paid ' || count(*) || ' times' FROM ledger "
	"WHERE kind = 'payment' GROUP BY id_number, ref HAVING count(*) > 1 "
	"ORDER BY id_number, ref",
	/* A reversal takes back the amount in force: the sum of the entries
	 * before it under the same ref and scheme. */
	"SELECT id_number, ref, 'reversal ' || amount_fen || ' of ' || scheme || ' with ' || "
	"in_force || ' in force' FROM (SELECT r.id, r.id_number, r.ref, r.scheme, r.amount_fen, "
	"coalesce((SELECT sum(e.amount_fen) FROM ledger e WHERE e.id_number = r.id_number AND "
	"e.ref = r.ref AND e.scheme = r.scheme AND e.id < r.id), 0) AS in_force "
	"FROM ledger r WHERE r.kind = 'reversal') AS rv "
	"WHERE amount_fen + in_force <> 0 ORDER BY id",
	/* A month's arrears and recoveries bring it to what is due, never
	 * below nothing: a month never recovers more than was paid. */
	"SELECT id_number, ref, 'month sums to ' || sum(amount_fen) FROM ledger "
	"WHERE ref LIKE 'pay/%' GROUP BY id_number, ref, scheme HAVING sum(amount_fen) < 0 "
	"ORDER BY id_number, ref",
	/* A claim's entries under its ref and scheme add up to what its latest
	 * version gives: its last decision, or nothing once it is voided (the
	 * last entry a reversal). Two decisions without a reversal between
	 * them would count the claim twice. */
	"SELECT id_number, ref, scheme || ' entries sum to ' || total || ', the claim now gives ' || "
	"CASE WHEN last_kind = 'reversal' THEN 0 ELSE last_amount END FROM (SELECT id_number, "
	"ref, scheme, sum(amount_fen) AS total, (array_agg(amount_fen ORDER BY id DESC))[1] AS "
	"last_amount, (array_agg(kind ORDER BY id DESC))[1] AS last_kind FROM ledger "
	"WHERE ref NOT LIKE 'pay/%' GROUP BY id_number, ref, scheme) AS c "
	"WHERE total <> CASE WHEN last_kind = 'reversal' THEN 0 ELSE last_amount END "
	"ORDER BY id_number, ref, scheme",
	/* Arrears add, recoveries take back, both to a month's payment. */
	"SELECT id_number, ref, kind || ' of ' || amount_fen FROM ledger "
	"WHERE (kind = 'arrears' AND (amount_fen <= 0 OR ref NOT LIKE 'pay/%')) OR "
	"(kind = 'recovery' AND (amount_fen >= 0 OR ref NOT LIKE 'pay/%')) ORDER BY id",
};

/* Every entry check; the number of faults, or -1. */
static long check_entries(PGconn *db)
{
	char masked[IDNUM_BUFLEN];
	long bad = 0;

	for (size_t c = 0; c < sizeof(entry_checks) / sizeof(entry_checks[0]); c++) {
		PGresult *r = query(db, entry_checks[c], 0, NULL);

		if (r == NULL)
			return -1;
		for (int i = 0; i < PQntuples(r); i++) {
			printf("ledger %s %s: %s\n", idnum_mask(PQgetvalue(r, i, 0), masked),
			       PQgetvalue(r, i, 1), PQgetvalue(r, i, 2));
			bad++;
		}
		PQclear(r);
	}
	return bad;
}

/* Each fund-year as stored and as its ledger rows make it (spent: the
 * counted entries; recipients: every person with an entry), where the two
 * differ. */
static const char fund_check[] =
	"WITH f AS (SELECT scheme, year, spent_fen, entries, recipients FROM fund_year), "
	"l AS (SELECT scheme, extract(year FROM date)::int AS year, "
	"coalesce(sum(amount_fen) FILTER (WHERE counted), 0) AS spent_fen, "
	"count(*) FILTER (WHERE counted) AS entries, count(DISTINCT id_number) AS recipients "
	"FROM ledger WHERE date IS NOT NULL GROUP BY 1, 2), "
	"j AS (SELECT coalesce(f.scheme, l.scheme) AS scheme, coalesce(f.year, l.year) AS year, "
	"f.spent_fen AS fs, l.spent_fen AS ls, f.entries AS fe, l.entries AS le, "
	"f.recipients AS fr, l.recipients AS lr FROM f FULL JOIN l "
	"ON f.scheme = l.scheme AND f.year = l.year) "
	"SELECT scheme, year, coalesce(fs, 0), coalesce(ls, 0), coalesce(fe, 0), coalesce(le, 0), "
	"coalesce(fr, 0), coalesce(lr, 0) FROM j "
	"WHERE fs IS DISTINCT FROM ls OR fe IS DISTINCT FROM le OR fr IS DISTINCT FROM lr "
	"ORDER BY scheme, year";

/* The fund totals against the ledger; the number of faults, or -1. */
static long check_funds(PGconn *db, uint64_t *fund_years)
{
	PGresult *r = query(db, "SELECT count(*) FROM fund_year", 0, NULL);
	long bad;

	if (r == NULL)
		return -1;
	*fund_years = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	if ((r = query(db, fund_check, 0, NULL)) == NULL)
		return -1;
	for (int i = 0; i < PQntuples(r); i++)
		printf("fund %s %s: spent %s fen in %s entries to %s recipients, but its ledger "
		       "rows make %s fen in %s entries to %s\n",
		       PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
		       PQgetvalue(r, i, 4), PQgetvalue(r, i, 6), PQgetvalue(r, i, 3),
		       PQgetvalue(r, i, 5), PQgetvalue(r, i, 7));
	bad = PQntuples(r);
	PQclear(r);
	return bad;
}

/* ---- the months ---------------------------------------------------------------- */

struct months {
	const struct params *ps;
	struct cli_progress *progress;
	uint64_t months;  /* months checked */
	uint64_t skipped; /* months before a move, not checked */
};

/* The stored person at row i of r (its state in column col); NULL when it
 * does not decode (or there is none). */
static struct person *person_at(const PGresult *r, int i, int col)
{
	size_t len;
	uint8_t *data = bytea(r, i, col, &len);
	struct person *p = data != NULL ? stored_unpack_person(data, len) : NULL;

	PQfreemem(data);
	return p;
}

/* p's household and its other members, read and linked; false when a
 * stored form does not decode. */
static bool read_household(PGconn *db, struct person *p, struct household **hh)
{
	const char *params[2] = {p->household_id, p->id};
	PGresult *r;
	size_t len;
	uint8_t *data;
	bool ok = true, found;

	*hh = NULL;
	if (p->household_id[0] == '\0')
		return true;
	if ((r = query(db, "SELECT state FROM household WHERE household_id = $1", 1, params)) == NULL)
		return false;
	found = PQntuples(r) > 0;
	data = found ? bytea(r, 0, 0, &len) : NULL;
	*hh = data != NULL ? stored_unpack_household(data, len) : NULL;
	PQfreemem(data);
	PQclear(r);
	if (!found)
		return true; /* a household never described */
	if (*hh == NULL || household_link(*hh, p) < 0)
		return false;
	r = query(db, "SELECT id_number, state FROM person WHERE household_id = $1 AND "
		  "id_number <> $2", 2, params);
	for (int i = 0; r != NULL && i < PQntuples(r) && ok; i++) {
		struct person *m = person_at(r, i, 1);

		ok = m != NULL && household_link(*hh, m) == 0;
		if (!ok)
			person_free(m);
	}
	PQclear(r);
	return r != NULL && ok;
}

/* Free p, hh and hh's other members: each person unlinks itself. */
static void free_household(struct person *p, struct household *hh)
{
	person_free(p);
	while (hh != NULL && hh->n_m > 0)
		person_free(hh->m[0]);
	household_free(hh);
}

/* One month of p: the sum of its entries of scheme under ref against what
 * the facts now give. 1 when they differ. */
static long check_month(struct months *ms, struct person *p, const char *ref, const char *scheme,
			const char *period, fen_t sum, ymd_t from)
{
	const struct scheme *s = scheme_by_name(scheme);
	const struct benefit *b = s != NULL ? person_benefit(p, s->scheme) : NULL;
	char how[192] = "no benefit row of the scheme", masked[IDNUM_BUFLEN];
	ymd_t first;
	fen_t due;

	if (ymd_parse_month(period, &first) < 0 || first < from) {
		ms->skipped++;
		return 0;
	}
	ms->months++;
	due = b != NULL ? policy_month_due(ms->ps, p, b, first, how, sizeof(how)) : 0;
	if (due == sum)
		return 0;
	report(ms->progress, "ledger %s %s: entries sum to %" PRId64 ", the facts now give %" PRId64
	       " (%s)\n", idnum_mask(p->id, masked), ref, sum, due, how);
	return 1;
}

/* Every month the person at row i (its ID and stored state) was paid for. */
static long check_months_of(PGconn *db, const PGresult *ids, int i, void *data)
{
	struct months *ms = data;
	const char *params[1] = {PQgetvalue(ids, i, 0)};
	char masked[IDNUM_BUFLEN];
	struct household *hh = NULL;
	struct person *p;
	PGresult *r;
	long bad = 0;
	ymd_t from;

	p = person_at(ids, i, 1);
	if (p == NULL || !read_household(db, p, &hh)) {
		report(ms->progress, "%s: a stored state does not decode\n",
		       idnum_mask(params[0], masked));
		free_household(p, hh);
		return 1;
	}
	from = person_household_from(p);
	r = query(db, "SELECT ref, scheme, period, sum(amount_fen)::bigint FROM ledger "
		  "WHERE id_number = $1 AND ref LIKE 'pay/%' GROUP BY 1, 2, 3 ORDER BY 1, 2", 1,
		  params);
	for (int j = 0; r != NULL && j < PQntuples(r); j++)
		bad += check_month(ms, p, PQgetvalue(r, j, 0), PQgetvalue(r, j, 1),
				   PQgetvalue(r, j, 2), strtoll(PQgetvalue(r, j, 3), NULL, 10), from);
	free_household(p, hh);
	if (r == NULL)
		return -1;
	PQclear(r);
	return bad;
}

static long check_months(PGconn *db, struct months *ms, uint64_t *persons)
{
	static const struct pass ps = {"months: ",
				       "SELECT count(DISTINCT id_number) FROM ledger WHERE ref LIKE 'pay/%'",
				       "SELECT l.id_number, p.state FROM (SELECT DISTINCT id_number "
				       "FROM ledger WHERE ref LIKE 'pay/%' AND id_number > $1 "
				       "ORDER BY 1 LIMIT $2::int) l LEFT JOIN person p USING (id_number) "
				       "ORDER BY 1",
				       ""};

	return each_row(db, &ps, check_months_of, ms, persons, ms->progress);
}

/* The policy parameters: dir, else config's policy_dir, else the
 * package's. NULL after saying why. */
static struct params *load_policy(const char *dir, const char *config)
{
	static const char packaged[] = "/usr/share/assist/policy";
	char path[1024], err[512];
	struct params *ps = NULL;

	if (dir != NULL)
		snprintf(path, sizeof(path), "%s", dir);
	else if (conf_lookup(config, "policy_dir", path, sizeof(path)) < 0)
		snprintf(path, sizeof(path), "%s", packaged);
	if (params_load_dir(path, &ps, err, sizeof(err)) < 0) {
		fprintf(stderr, "assist-audit: policy %s: %s (--policy DIR)\n", path, err);
		return NULL;
	}
	return ps;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"database", required_argument, NULL, 'd'},
					     {"policy", required_argument, NULL, 'p'},
					     {"help", no_argument, NULL, 'h'},
					     CLI_VERSION_OPTION,
					     {NULL, 0, NULL, 0}};
	const char *config = "/etc/assist/assistd.conf", *policy = NULL;
	char conninfo[1024] = "";
	struct cli_progress progress;
	struct months ms = {.progress = &progress};
	uint64_t rows, persons, fund_years, paid;
	long jbad, mbad, ebad, fbad, pbad;
	struct params *ps;
	PGconn *db;
	int c;

	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'd':
			snprintf(conninfo, sizeof(conninfo), "%s", optarg);
			break;
		case 'p':
			policy = optarg;
			break;
		default:
			return cli_usage(c, usage, 64);
		}
	}
	if (conninfo[0] == '\0' && conf_lookup(config, "database", conninfo, sizeof(conninfo)) < 0) {
		fprintf(stderr, "assist-audit: no \"database\" in %s\n", config);
		return 2;
	}
	if ((ps = load_policy(policy, config)) == NULL)
		return 2;
	ms.ps = ps;
	db = PQconnectdb(conninfo);
	if (PQstatus(db) != CONNECTION_OK) {
		fprintf(stderr, "assist-audit: %s", PQerrorMessage(db));
		PQfinish(db);
		params_free(ps);
		return 2;
	}
	/* One snapshot for every check, so they agree with each other. */
	PQclear(PQexec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
	cli_progress_start(&progress);
	jbad = check_journal(db, &rows, &progress);
	mbad = jbad < 0 ? -1 : check_money(db, &persons, &progress);
	ebad = mbad < 0 ? -1 : check_entries(db);
	fbad = ebad < 0 ? -1 : check_funds(db, &fund_years);
	pbad = fbad < 0 ? -1 : check_months(db, &ms, &paid);
	PQclear(PQexec(db, "COMMIT"));
	PQfinish(db);
	params_free(ps);
	if (jbad < 0 || mbad < 0 || ebad < 0 || fbad < 0 || pbad < 0)
		return 2;
	printf("journal: %" PRIu64 " rows, %ld broken\n", rows, jbad);
	printf("money: %" PRIu64 " persons, %ld totals that do not match the ledger\n", persons, mbad);
	printf("entries: %ld months paid twice or below nothing, reversals that match no earlier "
	       "entry, claims whose entries do not add up to their last decision, or arrears "
	       "and recoveries out of place\n",
	       ebad);
	printf("funds: %" PRIu64 " fund-years, %ld that do not match the ledger\n", fund_years,
	       fbad);
	printf("months: %" PRIu64 " persons paid, %" PRIu64 " months, %ld whose entries do not add "
	       "up to what the facts now give (%" PRIu64 " before a move not checked)\n",
	       paid, ms.months, pbad, ms.skipped);
	return jbad == 0 && mbad == 0 && ebad == 0 && fbad == 0 && pbad == 0 ? 0 : 1;
}
