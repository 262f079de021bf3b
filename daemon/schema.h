/* assistd's database: numbered migrations and the statements it prepares. */
#ifndef ASSIST_SCHEMA_H
#define ASSIST_SCHEMA_H

#include "store.h"

/* Statement ids: indexes into the catalog. */
enum schema_stmt {
	SQL_LOAD_PERSONS,
	SQL_LOAD_HOUSEHOLDS,
	SQL_POSITIONS,
	SQL_COUNTERS,
	SQL_EXPLAIN,
	SQL_REPLAY,
	SQL_JOURNAL_ROWS,
	SQL_DEAD_LETTER_ROWS,
	SQL_LEDGER_ROWS,
	SQL_ALERT_ROWS,
	SQL_EXPLANATION_ROWS,
	SQL_HOUSEHOLD_ROWS,
	SQL_PERSON_ROWS,
	SQL_FEED_ROWS,
	SQL_POSITION_ROWS,
	SQL_DUMP_IDS,
	SQL_JOURNAL_PAGE,
	SQL_REBUILD_CLEAR,
	SQL_REBUILD_DONE,
	SQL_LOAD_PAYEES,
	SQL_LOAD_PAYEE_HOUSEHOLDS,
	SQL_PAYMENTS,
	SQL_FUND_YEAR_ROWS,
	SQL_FUND_RECIPIENT_ROWS,
	SQL_FUND_TOTALS,
	SQL_FUNDS,
	SQL_EXPORT_PAGE,
	SQL_N
};

/* The catalog handed to store_open(). */
extern const struct store_catalog schema_catalog;

#endif
