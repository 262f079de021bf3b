#include "replication.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "pgpoll.h"

#define REPL_BACKOFF_MIN_MS 1000
#define REPL_BACKOFF_MAX_MS 30000
#define REPL_STATUS_TICK_MS 1000
#define REPL_STATUS_IDLE_MS 10000
#define REPL_READ_BUDGET 512
#define REPL_FETCH "FETCH 500 FROM assist_snapshot"
#define REPL_MARK "assist: snapshot acknowledged"
#define REPL_BEAT "SELECT pg_logical_emit_message(false, 'assist_heartbeat', now()::text); "

static void repl_fail(struct repl *r, const char *what, const char *detail);
static void repl_give_up(struct repl *r, int code, const char *why);
static void repl_side_next(struct repl *r);
static void repl_handle_closed(struct repl *r);
static void repl_on_kick(uv_timer_t *t);

/* ---- connections ------------------------------------------------------- */

static void conn_on_poll_closed(struct pgpoll *pp)
{
	repl_handle_closed(((struct repl_conn *)pp->data)->r);
}

static void conn_close(struct repl_conn *c)
{
	pgpoll_unwatch(&c->poll);
	PQclear(c->result);
	c->result = NULL;
	c->failed = false;
	c->busy = false;
	if (c->pg != NULL)
		PQfinish(c->pg);
	c->pg = NULL;
}

static int conn_start(struct repl *r, struct repl_conn *c, bool replication)
{
	const char *keys[] = {"dbname", "fallback_application_name",
			      replication ? "replication" : NULL, NULL};
	const char *vals[] = {r->conninfo, "assist-adapter", "database", NULL};

	c->pg = PQconnectStartParams(keys, vals, 1);
	if (c->pg == NULL)
		return -ENOMEM;
	if (PQstatus(c->pg) == CONNECTION_BAD)
		return -ECONNREFUSED;
	return pgpoll_watch(&c->poll, c->pg, UV_WRITABLE);
}

static int conn_query(struct repl_conn *c, const char *sql)
{
	int rc;

	log_debug("replication: %s", sql);
	if (!PQsendQuery(c->pg, sql))
		return -EIO;
	c->busy = true;
	rc = pgpoll_flush(&c->poll, c->pg, UV_READABLE);
	return rc < 0 ? rc : 0;
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static int parse_lsn(const char *s, uint64_t *out)
{
	unsigned hi, lo;

	if (s == NULL || sscanf(s, "%X/%X", &hi, &lo) != 2)
		return -EINVAL;
	*out = (uint64_t)hi << 32 | lo;
	return 0;
}

/* Now in µs since the Unix epoch. */
static int64_t unix_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- setup ------------------------------------------------------------- */

static void repl_set_state(struct repl *r, enum repl_state st)
{
	r->state = st;
}

static void repl_sql(struct repl *r, struct repl_conn *c, enum repl_state next, const char *sql)
{
	int rc;

	repl_set_state(r, next);
	if ((rc = conn_query(c, sql)) < 0)
		repl_fail(r, "send query", PQerrorMessage(c->pg));
}

static void repl_free_setup(struct repl *r)
{
	for (int i = 0; i < r->nsetup; i++)
		free(r->setup[i]);
	r->nsetup = r->isetup = 0;
}

static char *create_publication_sql(struct repl *r)
{
	size_t len = 64 + strlen(r->name);
	char *sql;

	for (const struct department_table *t = r->dept->tables; t->name != NULL; t++)
		len += 2 * strlen(t->name) + 4;
	if ((sql = malloc(len)) == NULL)
		return NULL;
	snprintf(sql, len, "CREATE PUBLICATION %s FOR TABLE ", r->name);
	for (const struct department_table *t = r->dept->tables; t->name != NULL; t++) {
		char *id = PQescapeIdentifier(r->sql.pg, t->name, strlen(t->name));
		if (id == NULL) {
			free(sql);
			return NULL;
		}
		if (t != r->dept->tables)
			strcat(sql, ", ");
		strcat(sql, id);
		PQfreemem(id);
	}
	return sql;
}

/* Whether list is empty or table names of a-z, 0-9 and _ separated by
 * commas (what the tables' check returns: names of dept->tables). */
static bool names_ok(const char *list)
{
	for (const char *p = list; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == ','))
			return false;
	}
	return true;
}

/* The check's three columns, all comma-separated table lists: mapped tables
 * that exist but are not in the publication; those whose replica identity
 * is not FULL; and of these, those the role may not alter. */
static char *repl_tables_sql(const struct repl *r)
{
	size_t len = 1024 + strlen(r->name), n = 0;
	char *list, *sql;

	for (const struct department_table *t = r->dept->tables; t->name != NULL; t++)
		len += strlen(t->name) + 1;
	if ((list = malloc(len)) == NULL)
		return NULL;
	for (const struct department_table *t = r->dept->tables; t->name != NULL; t++)
		n += (size_t)snprintf(list + n, len - n, "%s%s", n ? "," : "", t->name);
	if ((sql = malloc(4 * len)) == NULL) {
		free(list);
		return NULL;
	}
	snprintf(sql, 4 * len,
		 "(SELECT string_agg(t, ',') FROM unnest('{%1$s}'::text[]) t "
		 "WHERE to_regclass(quote_ident(t)) IS NOT NULL AND to_regclass(quote_ident(t)) "
		 "NOT IN (SELECT pr.prrelid FROM pg_publication_rel pr JOIN pg_publication p "
		 "ON p.oid = pr.prpubid WHERE p.pubname = '%2$s')), "
		 "(SELECT string_agg(c.relname, ',') FROM pg_class c WHERE c.oid IN "
		 "(SELECT to_regclass(quote_ident(t)) FROM unnest('{%1$s}'::text[]) t) "
		 "AND c.relreplident <> 'f'), "
		 "(SELECT string_agg(c.relname, ',') FROM pg_class c WHERE c.oid IN "
		 "(SELECT to_regclass(quote_ident(t)) FROM unnest('{%1$s}'::text[]) t) "
		 "AND c.relreplident <> 'f' AND NOT pg_has_role(c.relowner, 'USAGE'))",
		 list, r->name);
	free(list);
	return sql;
}

static const char *value_or_empty(const PGresult *res, int col)
{
	return PQgetisnull(res, 0, col) ? "" : PQgetvalue(res, 0, col);
}

/* From the check's columns at col: the statements that put the missing
 * tables back into the publication and set REPLICA IDENTITY FULL, in *out
 * (NULL: nothing to do). -EPERM (given up: a table the role cannot alter),
 * -EBADMSG or -ENOMEM. */
static int repl_fix_sql(struct repl *r, const PGresult *res, int col, bool add, char **out)
{
	const char *missing = add ? value_or_empty(res, col) : "";
	const char *nonfull = value_or_empty(res, col + 1);
	const char *unowned = value_or_empty(res, col + 2);
	size_t len, n = 0;
	char why[512], *sql, *copy, *name, *save;

	*out = NULL;
	if (!names_ok(missing) || !names_ok(nonfull) || !names_ok(unowned))
		return -EBADMSG;
	if (unowned[0] != '\0') {
		/* The statements first: status keeps only the start of it. */
		const char *t = unowned;
		n = (size_t)snprintf(why, sizeof(why), "as the tables' owner run:");
		while (*t != '\0' && n < sizeof(why)) {
			size_t k = strcspn(t, ",");
			n += (size_t)snprintf(why + n, sizeof(why) - n,
					      " ALTER TABLE %.*s REPLICA IDENTITY FULL;", (int)k, t);
			t += k + (t[k] == ',');
		}
		if (n < sizeof(why))
			snprintf(why + n, sizeof(why) - n,
				 " (REPLICA IDENTITY is not FULL on %s of %s, so updates and deletes "
				 "would come without the old row, and this role may not set it)",
				 unowned, r->name);
		repl_give_up(r, REPL_REFUSED, why);
		return -EPERM;
	}
	if (missing[0] == '\0' && nonfull[0] == '\0')
		return 0;
	len = 64 + strlen(r->name) + strlen(missing) + 2 * strlen(nonfull) * 20;
	if ((sql = malloc(len)) == NULL || (copy = strdup(nonfull)) == NULL) {
		free(sql);
		return -ENOMEM;
	}
	sql[0] = '\0';
	if (missing[0] != '\0') {
		log_warn("replication: %s: table(s) %s were not in the publication (dropped and "
			 "made anew?): adding them; their changes before now were not captured",
			 r->name, missing);
		n += (size_t)snprintf(sql, len, "ALTER PUBLICATION %s ADD TABLE %s; ", r->name,
				      missing);
	}
	if (nonfull[0] != '\0')
		log_warn("replication: %s: table(s) %s had a REPLICA IDENTITY other than FULL: "
			 "setting FULL", r->name, nonfull);
	for (name = strtok_r(copy, ",", &save); name != NULL; name = strtok_r(NULL, ",", &save))
		n += (size_t)snprintf(sql + n, len - n, "ALTER TABLE %s REPLICA IDENTITY FULL; ",
				      name);
	free(copy);
	*out = sql;
	return 0;
}

static void repl_connect_rep(struct repl *r);

static void repl_next_setup(struct repl *r)
{
	if (r->isetup < r->nsetup) {
		const char *sql = r->setup[r->isetup++];
		repl_sql(r, &r->sql, REPL_SETUP, sql);
		return;
	}
	repl_free_setup(r);
	repl_connect_rep(r);
}

static void repl_inspected(struct repl *r, PGresult *res)
{
	bool pub, marked, mark_set, lost;
	char buf[400], *fix;
	int rc;

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 || PQnfields(res) != 8) {
		repl_fail(r, "inspect", "unexpected result");
		return;
	}
	pub = strcmp(PQgetvalue(res, 0, 0), "0") != 0;
	mark_set = !PQgetisnull(res, 0, 1);
	marked = mark_set && strcmp(PQgetvalue(res, 0, 1), REPL_MARK) == 0;
	r->slot_exists = strcmp(PQgetvalue(res, 0, 3), "0") != 0;
	lost = r->slot_exists && strcmp(value_or_empty(res, 4), "lost") == 0;
	r->slot_floor = 0;
	if (r->slot_exists && !PQgetisnull(res, 0, 2))
		(void)parse_lsn(PQgetvalue(res, 0, 2), &r->slot_floor);
	if (lost && !r->resnapshot) {
		snprintf(buf, sizeof(buf),
			 "replication slot %s is lost (wal_status 'lost': the server removed WAL "
			 "it still needed, so changes are gone); assist-adapter --resnapshot "
			 "reads the tables anew",
			 r->name);
		repl_give_up(r, REPL_LOST, buf);
		return;
	}
	repl_free_setup(r);
	if ((rc = repl_fix_sql(r, res, 5, pub, &fix)) == -EPERM)
		return;
	if (rc < 0) {
		repl_fail(r, "inspect", rc == -ENOMEM ? "out of memory" : "unexpected table names");
		return;
	}
	if (fix != NULL)
		r->setup[r->nsetup++] = fix;
	if (!pub && (r->setup[r->nsetup++] = create_publication_sql(r)) == NULL)
		goto nomem;
	if (r->slot_exists && r->resnapshot) {
		log_warn("replication: re-snapshot asked for: dropping slot %s and reading the "
			 "tables anew", r->name);
		snprintf(buf, sizeof(buf), "SELECT pg_drop_replication_slot('%s')", r->name);
		if ((r->setup[r->nsetup++] = strdup(buf)) == NULL)
			goto nomem;
		r->slot_exists = false;
	} else if (r->slot_exists && !marked) {
		log_warn("replication: slot %s has no acknowledged snapshot: making it anew",
			 r->name);
		snprintf(buf, sizeof(buf), "SELECT pg_drop_replication_slot('%s')", r->name);
		if ((r->setup[r->nsetup++] = strdup(buf)) == NULL)
			goto nomem;
		r->slot_exists = false;
	}
	if (!r->slot_exists && mark_set) {
		snprintf(buf, sizeof(buf), "COMMENT ON PUBLICATION %s IS NULL", r->name);
		if ((r->setup[r->nsetup++] = strdup(buf)) == NULL)
			goto nomem;
	}
	r->mark_pending = !r->slot_exists;
	r->snapshot_acked = false;
	repl_next_setup(r);
	return;
nomem:
	repl_fail(r, "setup", "out of memory");
}

static void repl_connect_rep(struct repl *r)
{
	int rc;

	repl_set_state(r, REPL_CONNECT_REPL);
	if ((rc = conn_start(r, &r->rep, true)) < 0)
		repl_fail(r, "replication connection",
			  r->rep.pg ? PQerrorMessage(r->rep.pg) : strerror(-rc));
}

static void repl_start_streaming(struct repl *r, uint64_t from)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
		 "START_REPLICATION SLOT %s LOGICAL %X/%X (proto_version '1', "
		 "publication_names '%s')",
		 r->name, (unsigned)(from >> 32), (unsigned)from, r->name);
	repl_sql(r, &r->rep, REPL_START, sql);
}

static void repl_rep_connected(struct repl *r)
{
	char sql[160];

	if (r->slot_exists) {
		repl_start_streaming(r, 0);
		return;
	}
	snprintf(sql, sizeof(sql), "CREATE_REPLICATION_SLOT %s LOGICAL pgoutput EXPORT_SNAPSHOT",
		 r->name);
	repl_sql(r, &r->rep, REPL_CREATE_SLOT, sql);
}

/* ---- initial snapshot --------------------------------------------------- */

static void repl_slot_created(struct repl *r, PGresult *res)
{
	char sql[200];
	const char *snap;

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 || PQnfields(res) < 3 ||
	    parse_lsn(PQgetvalue(res, 0, 1), &r->consistent_point) < 0 ||
	    r->consistent_point == 0) {
		repl_fail(r, "create slot", "unexpected result");
		return;
	}
	snap = PQgetvalue(res, 0, 2);
	if (strlen(snap) >= sizeof(r->snapshot_name) || strchr(snap, '\'') != NULL) {
		repl_fail(r, "create slot", "unexpected snapshot name");
		return;
	}
	strcpy(r->snapshot_name, snap);
	r->resnapshot = false; /* done: a reconnect from here on keeps this slot */
	log_info("replication: created slot %s at %X/%X, reading the initial snapshot", r->name,
		 (unsigned)(r->consistent_point >> 32), (unsigned)r->consistent_point);
	r->slot_floor = r->consistent_point;
	snprintf(sql, sizeof(sql),
		 "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET TRANSACTION SNAPSHOT '%s'",
		 r->snapshot_name);
	repl_sql(r, &r->sql, REPL_SNAP_BEGIN, sql);
}

/* Declare the cursor over the next table, or end the snapshot. */
static void repl_snap_next_table(struct repl *r, bool close_cursor)
{
	const char *table = r->dept->tables[r->table].name;
	const char *close = close_cursor ? "CLOSE assist_snapshot; " : "";
	char *id, *sql;
	size_t len;

	if (table == NULL) {
		len = strlen(close) + 16;
		if ((sql = malloc(len)) == NULL)
			goto nomem;
		snprintf(sql, len, "%sCOMMIT", close);
		repl_sql(r, &r->sql, REPL_SNAP_END, sql);
		free(sql);
		return;
	}
	if ((id = PQescapeIdentifier(r->sql.pg, table, strlen(table))) == NULL)
		goto nomem;
	len = strlen(close) + strlen(id) + 80;
	if ((sql = malloc(len)) == NULL) {
		PQfreemem(id);
		goto nomem;
	}
	snprintf(sql, len, "%sDECLARE assist_snapshot NO SCROLL CURSOR FOR SELECT * FROM ONLY %s",
		 close, id);
	PQfreemem(id);
	repl_sql(r, &r->sql, REPL_SNAP_DECLARE, sql);
	free(sql);
	return;
nomem:
	repl_fail(r, "snapshot", "out of memory");
}

/* Hand the fetched rows over until the page ends or the owner pauses. */
static void repl_snap_deliver(struct repl *r)
{
	PGresult *res = r->page;
	int ncols = PQnfields(res);
	const char **names = calloc(ncols + 1, sizeof(*names));
	const char **values = calloc(ncols + 1, sizeof(*values));

	if (names == NULL || values == NULL) {
		free(names);
		free(values);
		repl_fail(r, "snapshot", "out of memory");
		return;
	}
	for (int i = 0; i < ncols; i++)
		names[i] = PQfname(res, i);
	while (r->page_row < PQntuples(res) && !r->paused && r->state == REPL_SNAP_ROWS) {
		struct row_change rc = {.table = r->dept->tables[r->table].name, .op = 'S',
					.ncols = ncols, .names = names, .values = values};
		for (int i = 0; i < ncols; i++) {
			bool null = PQgetisnull(res, r->page_row, i);
			values[i] = null ? NULL : PQgetvalue(res, r->page_row, i);
		}
		r->page_row++;
		r->ops->change(r, &rc);
	}
	free(names);
	free(values);
	if (r->state != REPL_SNAP_ROWS || r->page_row < PQntuples(res))
		return;
	PQclear(r->page);
	r->page = NULL;
	repl_sql(r, &r->sql, REPL_SNAP_FETCH, REPL_FETCH);
}

static void repl_snap_fetched(struct repl *r, PGresult **resp)
{
	PGresult *res = *resp;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		repl_fail(r, "snapshot fetch", "unexpected result");
		return;
	}
	if (PQntuples(res) == 0) {
		r->table++;
		repl_snap_next_table(r, true);
		return;
	}
	r->page = res;
	*resp = NULL;
	r->page_row = 0;
	repl_set_state(r, REPL_SNAP_ROWS);
	(void)pgpoll_watch(&r->sql.poll, r->sql.pg, 0); /* idle between pages */
	repl_snap_deliver(r);
}

static void repl_side_query(struct repl *r, enum repl_side side, const char *sql)
{
	r->side = side;
	if (conn_query(&r->sql, sql) < 0)
		repl_fail(r, "query", PQerrorMessage(r->sql.pg));
}

/* Give the normal connection its next job while streaming, if it is free:
 * the snapshot mark first, then a due heartbeat message or tables' check. */
static void repl_side_next(struct repl *r)
{
	uint64_t now = uv_now(r->loop);
	bool beat = r->db_heartbeat_ms > 0 && now - r->beat_ms >= r->db_heartbeat_ms;
	char *sql;
	size_t len;

	if (r->state != REPL_STREAMING || r->sql.pg == NULL || r->sql.busy ||
	    r->side != SIDE_NONE)
		return;
	if (r->mark_pending && r->snapshot_acked) {
		char mark[160];
		snprintf(mark, sizeof(mark), "COMMENT ON PUBLICATION %s IS '%s'", r->name,
			 REPL_MARK);
		repl_side_query(r, SIDE_MARK, mark);
		return;
	}
	if (!beat && !r->check_due)
		return;
	len = strlen(REPL_BEAT) + strlen(r->tables_sql) + 16;
	if ((sql = malloc(len)) == NULL) {
		repl_fail(r, "check", "out of memory");
		return;
	}
	snprintf(sql, len, "%sSELECT %s", beat ? REPL_BEAT : "", r->tables_sql);
	if (beat)
		r->beat_ms = now;
	r->check_due = false;
	repl_side_query(r, SIDE_CHECK, sql);
	free(sql);
}

static void repl_side_done(struct repl *r, const PGresult *res)
{
	enum repl_side side = r->side;
	char *fix = NULL;
	int rc;

	r->side = SIDE_NONE;
	switch (side) {
	case SIDE_MARK:
		log_info("replication: initial snapshot of %s acknowledged", r->name);
		r->mark_pending = false;
		break;
	case SIDE_CHECK:
		if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 ||
		    PQnfields(res) != 3) {
			repl_fail(r, "check", "unexpected result");
			return;
		}
		if ((rc = repl_fix_sql(r, res, 0, true, &fix)) == -EPERM)
			return;
		if (rc < 0) {
			repl_fail(r, "check", "unexpected result");
			return;
		}
		if (fix != NULL) {
			repl_side_query(r, SIDE_FIX, fix);
			free(fix);
			return;
		}
		break;
	case SIDE_FIX:
	case SIDE_NONE:
		break;
	}
	repl_side_next(r);
}

/* ---- streaming --------------------------------------------------------- */

/* What the slot may confirm: the owner's confirmed LSN; the server's
 * position when nothing is held (no transaction open, every event
 * acknowledged); never less than was reported before (a later transaction
 * commits above it). 0 while below where the slot started. */
static uint64_t repl_flush_pos(struct repl *r)
{
	uint64_t flush = r->confirmed_lsn;

	if (!r->in_txn && r->received_lsn > flush && r->ops->idle(r))
		flush = r->received_lsn;
	if (r->sent_lsn > flush)
		flush = r->sent_lsn;
	return flush >= r->slot_floor ? flush : 0;
}

static void repl_send_status(struct repl *r, bool reply)
{
	uint8_t msg[34];
	uint64_t flush = repl_flush_pos(r);

	if (r->state != REPL_STREAMING || r->rep.pg == NULL)
		return;
	msg[0] = 'r';
	put_be64(msg + 1, r->received_lsn);
	put_be64(msg + 9, flush);
	put_be64(msg + 17, flush);
	put_be64(msg + 25, (uint64_t)(unix_now_us() - PGO_EPOCH_OFFSET * 1000000));
	msg[33] = reply ? 1 : 0;
	if (PQputCopyData(r->rep.pg, (const char *)msg, sizeof(msg)) != 1 ||
	    pgpoll_flush(&r->rep.poll, r->rep.pg, r->paused ? 0 : UV_READABLE) == -EIO) {
		repl_fail(r, "standby status", PQerrorMessage(r->rep.pg));
		return;
	}
	if (flush != 0)
		r->sent_lsn = flush;
	r->sent_write = r->received_lsn;
	r->sent_ms = uv_now(r->loop);
	r->reply_due = false;
	log_debug("replication: status write %" PRIX64 " flush %" PRIX64, r->received_lsn, flush);
}

/* Point values at the new tuple, taking unchanged TOAST values from the old
 * one when it has them (REPLICA IDENTITY FULL); otherwise they stay NULL. */
static void fill_values(const struct pgo_msg *m, const char **values, const char **old)
{
	const struct pgo_tuple *nt = &m->new_tuple, *ot = &m->old_tuple;

	for (int i = 0; i < nt->ncols; i++) {
		values[i] = nt->values[i];
		if (nt->status[i] == 'u' && m->old_kind == 'O' && ot->status[i] == 't')
			values[i] = ot->values[i];
	}
	for (int i = 0; i < ot->ncols; i++)
		old[i] = ot->values[i];
}

static int repl_row(struct repl *r, const struct pgo_msg *m)
{
	const struct pgo_relation *rel = m->rel;
	const char **names = calloc(rel->ncols + 1, sizeof(*names));
	const char **values = calloc(rel->ncols + 1, sizeof(*values));
	const char **old = calloc(rel->ncols + 1, sizeof(*old));
	struct row_change rc = {.table = rel->relname, .op = m->tag, .ncols = rel->ncols,
				.names = names};

	if (names == NULL || values == NULL || old == NULL) {
		free(names);
		free(values);
		free(old);
		return -ENOMEM;
	}
	for (int i = 0; i < rel->ncols; i++)
		names[i] = rel->cols[i].name;
	fill_values(m, values, old);
	rc.values = m->has_new ? values : NULL;
	rc.old_values = m->old_kind != 0 ? old : NULL;
	if (!r->in_txn)
		log_warn("replication: row change outside a transaction ignored");
	else
		r->ops->change(r, &rc);
	free(names);
	free(values);
	free(old);
	return 0;
}

static bool repl_table_mapped(const struct repl *r, const char *table)
{
	for (const struct department_table *t = r->dept->tables; t->name != NULL; t++) {
		if (strcmp(t->name, table) == 0)
			return true;
	}
	return false;
}

/* A table's description came: its columns or identity may have changed, and
 * the publication may have lost another table; check them. */
static void repl_relation(struct repl *r, const struct pgo_relation *rel)
{
	if (!repl_table_mapped(r, rel->relname))
		return;
	if (rel->replident != 'f')
		log_warn("replication: %s: table %s streams with REPLICA IDENTITY '%c', not FULL",
			 r->name, rel->relname, rel->replident);
	r->ops->relation(r, rel->relname);
	r->check_due = true;
	repl_side_next(r);
}

static int repl_xlogdata(struct repl *r, const uint8_t *buf, size_t len)
{
	struct pgo_msg m;
	uint64_t start;
	int rc;

	if (len < 25)
		return -EBADMSG;
	start = be64(buf + 1);
	if (start > r->received_lsn)
		r->received_lsn = start;
	rc = pgo_decode(&r->rels, buf + 25, len - 25, &m);
	if (rc < 0)
		goto cleanup;
	switch (m.type) {
	case PGO_BEGIN:
		r->in_txn = true;
		r->txn_lsn = m.lsn;
		/* Unsigned: a bogus timestamp from the server must not overflow. */
		r->ops->begin(r, m.lsn,
			      (int64_t)((uint64_t)m.time + (uint64_t)PGO_EPOCH_OFFSET * 1000000));
		break;
	case PGO_COMMIT:
		if (r->in_txn)
			r->ops->commit(r, m.lsn, false);
		r->in_txn = false;
		break;
	case PGO_INSERT:
	case PGO_UPDATE:
	case PGO_DELETE:
		rc = repl_row(r, &m);
		break;
	case PGO_RELATION:
		repl_relation(r, m.rel);
		break;
	case PGO_TRUNCATE:
		for (int i = 0; i < m.ntruncated; i++) {
			if (repl_table_mapped(r, m.truncated[i]->relname))
				r->ops->truncate(r, m.truncated[i]->relname);
		}
		break;
	case PGO_OTHER:
		break;
	}
cleanup:
	pgo_msg_clear(&m);
	return rc;
}

static void repl_kick(struct repl *r)
{
	uv_timer_start(&r->kick, repl_on_kick, 0, 0);
}

/* Read what libpq holds, up to a budget; more is read on the next wakeup. */
static void repl_stream_read(struct repl *r)
{
	for (int n = 0; n < REPL_READ_BUDGET; n++) {
		char *buf = NULL;
		int len, rc = 0;

		if (r->paused || r->state != REPL_STREAMING)
			return;
		len = PQgetCopyData(r->rep.pg, &buf, 1);
		if (len == 0)
			return;
		if (len < 0) {
			repl_fail(r, "stream ended", PQerrorMessage(r->rep.pg));
			return;
		}
		if (buf[0] == 'w') {
			rc = repl_xlogdata(r, (const uint8_t *)buf, (size_t)len);
		} else if (buf[0] == 'k' && len >= 18) {
			uint64_t end = be64((const uint8_t *)buf + 1);
			/* Nothing of ours is pending before a keepalive's position
			 * only if no transaction is open; the slot still moves only
			 * with acknowledged commits. */
			if (!r->in_txn && end > r->received_lsn)
				r->received_lsn = end;
			/* Answer at once only with news: a server shutting down
			 * asks again as soon as it is answered. */
			if (buf[17] && (repl_flush_pos(r) != r->sent_lsn ||
					r->received_lsn != r->sent_write))
				repl_send_status(r, false);
			else if (buf[17])
				r->reply_due = true;
		}
		PQfreemem(buf);
		if (rc < 0) {
			repl_fail(r, "decode", rc == -ENOENT ? "row of an unknown relation"
							  : "malformed pgoutput message");
			return;
		}
	}
	repl_kick(r);
}

static void repl_streaming(struct repl *r)
{
	log_info("replication: streaming %s", r->name);
	repl_set_state(r, REPL_STREAMING);
	r->backoff_ms = REPL_BACKOFF_MIN_MS;
	r->in_txn = false;
	r->side = SIDE_NONE;
	r->check_due = true;
	(void)pgpoll_watch(&r->rep.poll, r->rep.pg, r->paused ? 0 : UV_READABLE);
	r->ops->streaming(r);
	repl_side_next(r);
	repl_stream_read(r);
}

/* ---- event dispatch ---------------------------------------------------- */

/* A query finished with res as its last result (take it: set *resp NULL). */
static void repl_query_done(struct repl *r, struct repl_conn *c, PGresult **resp)
{
	PGresult *res = *resp;

	if (c == &r->sql && r->state == REPL_STREAMING) {
		repl_side_done(r, res);
		return;
	}
	switch (r->state) {
	case REPL_INSPECT:
		repl_inspected(r, res);
		break;
	case REPL_SETUP:
		repl_next_setup(r);
		break;
	case REPL_CREATE_SLOT:
		repl_slot_created(r, res);
		break;
	case REPL_SNAP_BEGIN:
		r->table = 0;
		r->ops->begin(r, r->consistent_point - 1, unix_now_us());
		repl_snap_next_table(r, false);
		break;
	case REPL_SNAP_DECLARE:
		repl_sql(r, &r->sql, REPL_SNAP_FETCH, REPL_FETCH);
		break;
	case REPL_SNAP_FETCH:
		repl_snap_fetched(r, resp);
		break;
	case REPL_SNAP_END:
		r->ops->commit(r, r->consistent_point - 1, true);
		repl_start_streaming(r, r->consistent_point);
		break;
	default:
		repl_fail(r, "query", "result in an unexpected state");
		break;
	}
}

/* Collect the results of the running query; hand over the last one. */
static void repl_query_io(struct repl *r, struct repl_conn *c, int events)
{
	if ((events & UV_WRITABLE) && pgpoll_flush(&c->poll, c->pg, UV_READABLE) == -EIO) {
		repl_fail(r, "send", PQerrorMessage(c->pg));
		return;
	}
	if ((events & UV_READABLE) && !PQconsumeInput(c->pg)) {
		repl_fail(r, "receive", PQerrorMessage(c->pg));
		return;
	}
	while (!PQisBusy(c->pg)) {
		PGresult *res = PQgetResult(c->pg);
		ExecStatusType st;
		if (res == NULL) {
			PGresult *last = c->result;
			bool failed = c->failed;
			c->result = NULL;
			c->failed = false;
			c->busy = false;
			if (failed && r->slot_lost)
				repl_give_up(r, REPL_LOST,
					     "the server can no longer stream from the replication "
					     "slot (it is lost: changes are gone); assist-adapter "
					     "--resnapshot reads the tables anew");
			else if (failed)
				repl_fail(r, "query", NULL);
			else
				repl_query_done(r, c, &last);
			PQclear(last);
			return;
		}
		st = PQresultStatus(res);
		if (st == PGRES_COPY_BOTH) {
			PQclear(res);
			PQclear(c->result);
			c->result = NULL;
			c->busy = false;
			repl_streaming(r);
			return;
		}
		if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE) {
			const char *code = PQresultErrorField(res, PG_DIAG_SQLSTATE);
			/* "can no longer get changes from replication slot": lost. */
			if (r->state == REPL_START && code != NULL && strcmp(code, "55000") == 0 &&
			    strstr(PQresultErrorMessage(res), "no longer") != NULL)
				r->slot_lost = true;
			if (!c->failed)
				log_warn("replication: %s: %s", r->name, PQresultErrorMessage(res));
			c->failed = true;
			PQclear(res);
			continue;
		}
		PQclear(c->result);
		c->result = res;
	}
}

static void repl_connected(struct repl *r, struct repl_conn *c)
{
	size_t len = 1024 + strlen(r->tables_sql);
	char *sql;

	if (PQsetnonblocking(c->pg, 1) != 0) {
		repl_fail(r, "connect", PQerrorMessage(c->pg));
		return;
	}
	if (c == &r->rep) {
		repl_rep_connected(r);
		return;
	}
	if ((sql = malloc(len)) == NULL) {
		repl_fail(r, "inspect", "out of memory");
		return;
	}
	snprintf(sql, len,
		 "SELECT (SELECT count(*) FROM pg_publication WHERE pubname = '%1$s'), "
		 "(SELECT obj_description(oid, 'pg_publication') FROM pg_publication "
		 "WHERE pubname = '%1$s'), "
		 "(SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '%1$s'), "
		 "(SELECT count(*) FROM pg_replication_slots WHERE slot_name = '%1$s'), "
		 "(SELECT wal_status FROM pg_replication_slots WHERE slot_name = '%1$s'), %2$s",
		 r->name, r->tables_sql);
	repl_sql(r, c, REPL_INSPECT, sql);
	free(sql);
}

static void repl_connect_poll(struct repl *r, struct repl_conn *c)
{
	int rc = pgpoll_connect_step(&c->poll, c->pg);

	if (rc == 1)
		repl_connected(r, c);
	else if (rc < 0)
		repl_fail(r, "connect", rc == -EIO ? PQerrorMessage(c->pg) : uv_strerror(rc));
}

static void repl_stream_io(struct repl *r, int events)
{
	if ((events & UV_WRITABLE) &&
	    pgpoll_flush(&r->rep.poll, r->rep.pg, r->paused ? 0 : UV_READABLE) == -EIO) {
		repl_fail(r, "send", PQerrorMessage(r->rep.pg));
		return;
	}
	if (events & UV_READABLE) {
		if (!PQconsumeInput(r->rep.pg)) {
			repl_fail(r, "receive", PQerrorMessage(r->rep.pg));
			return;
		}
		repl_stream_read(r);
	}
}

static void repl_on_poll(struct pgpoll *pp, int status, int events)
{
	struct repl_conn *c = pp->data;
	struct repl *r = c->r;

	if (status < 0) {
		repl_fail(r, "poll", uv_strerror(status));
		return;
	}
	if (PQstatus(c->pg) != CONNECTION_OK && PQstatus(c->pg) != CONNECTION_BAD) {
		repl_connect_poll(r, c);
		return;
	}
	if (c == &r->rep && r->state == REPL_STREAMING)
		repl_stream_io(r, events);
	else if (c->busy)
		repl_query_io(r, c, events);
	else if (!PQconsumeInput(c->pg)) /* an idle connection: only notices or its loss */
		repl_fail(r, "idle connection", PQerrorMessage(c->pg));
}

/* ---- lifecycle --------------------------------------------------------- */

static void repl_connect(struct repl *r)
{
	int rc;

	repl_set_state(r, REPL_CONNECT);
	if ((rc = conn_start(r, &r->sql, false)) < 0)
		repl_fail(r, "connect", r->sql.pg ? PQerrorMessage(r->sql.pg) : strerror(-rc));
}

static void repl_on_retry(uv_timer_t *t)
{
	struct repl *r = t->data;

	if (r->state == REPL_IDLE)
		repl_connect(r);
}

/* Let go of both connections and of what this attempt read and planned. */
static void repl_drop(struct repl *r)
{
	conn_close(&r->rep);
	conn_close(&r->sql);
	PQclear(r->page);
	r->page = NULL;
	repl_free_setup(r);
	pgo_cache_free(&r->rels);
}

static void repl_fail(struct repl *r, const char *what, const char *detail)
{
	if (r->state == REPL_IDLE || r->state == REPL_STOPPED)
		return;
	if (detail != NULL)
		log_warn("replication: %s: %s: %s", r->name, what, detail);
	repl_drop(r);
	r->in_txn = false;
	r->side = SIDE_NONE;
	repl_set_state(r, REPL_IDLE);
	if (r->closing)
		return;
	log_info("replication: %s: reconnecting in %llu ms", r->name,
		 (unsigned long long)r->backoff_ms);
	uv_timer_start(&r->retry, repl_on_retry, r->backoff_ms, 0);
	r->backoff_ms *= 2;
	if (r->backoff_ms > REPL_BACKOFF_MAX_MS)
		r->backoff_ms = REPL_BACKOFF_MAX_MS;
}

/* Replication cannot go on without the operator: stop for good. */
static void repl_give_up(struct repl *r, int code, const char *why)
{
	log_error("replication: %s: %s", r->name, why);
	r->closing = true; /* no reconnect */
	repl_fail(r, "gave up", NULL);
	r->closing = false;
	r->ops->failed(r, code, why);
}

static void repl_on_status(uv_timer_t *t)
{
	struct repl *r = t->data;
	uint64_t now = uv_now(r->loop);

	if (repl_flush_pos(r) != r->sent_lsn || r->received_lsn != r->sent_write ||
	    r->reply_due || now - r->sent_ms >= REPL_STATUS_IDLE_MS)
		repl_send_status(r, false);
	repl_side_next(r);
}

static void repl_on_kick(uv_timer_t *t)
{
	struct repl *r = t->data;

	if (r->state == REPL_STREAMING)
		repl_stream_read(r);
	else if (r->state == REPL_SNAP_ROWS)
		repl_snap_deliver(r);
}

int repl_init(struct repl *r, uv_loop_t *loop, const struct department *dept,
	      const char *conninfo, const struct repl_ops *ops, uint64_t db_heartbeat_ms,
	      bool resnapshot)
{
	*r = (struct repl){.loop = loop, .dept = dept, .ops = ops, .state = REPL_STOPPED,
			   .backoff_ms = REPL_BACKOFF_MIN_MS, .db_heartbeat_ms = db_heartbeat_ms,
			   .resnapshot = resnapshot};
	for (const char *p = dept->name; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return -EINVAL;
	}
	if (snprintf(r->name, sizeof(r->name), "assist_%s", dept->name) >= (int)sizeof(r->name))
		return -ENAMETOOLONG;
	for (const struct department_table *t = dept->tables; t->name != NULL; t++) {
		if (!names_ok(t->name) || strchr(t->name, ',') != NULL)
			return -EINVAL;
	}
	if ((r->conninfo = strdup(conninfo)) == NULL)
		return -ENOMEM;
	if ((r->tables_sql = repl_tables_sql(r)) == NULL) {
		free(r->conninfo);
		return -ENOMEM;
	}
	r->sql = (struct repl_conn){.r = r};
	r->rep = (struct repl_conn){.r = r};
	pgpoll_init(&r->sql.poll, loop, repl_on_poll, conn_on_poll_closed, &r->sql);
	pgpoll_init(&r->rep.poll, loop, repl_on_poll, conn_on_poll_closed, &r->rep);
	pgo_cache_init(&r->rels);
	uv_timer_init(loop, &r->retry);
	uv_timer_init(loop, &r->status);
	uv_timer_init(loop, &r->kick);
	r->retry.data = r->status.data = r->kick.data = r;
	r->open_handles = 3;
	return 0;
}

void repl_start(struct repl *r)
{
	uv_timer_start(&r->status, repl_on_status, REPL_STATUS_TICK_MS, REPL_STATUS_TICK_MS);
	repl_set_state(r, REPL_IDLE);
	repl_connect(r);
}

void repl_pause(struct repl *r, bool paused)
{
	if (r->paused == paused)
		return;
	r->paused = paused;
	if (r->state == REPL_STREAMING) {
		int writable = r->rep.poll.events & UV_WRITABLE;
		(void)pgpoll_watch(&r->rep.poll, r->rep.pg, (paused ? 0 : UV_READABLE) | writable);
	}
	if (!paused)
		repl_kick(r);
}

void repl_confirm(struct repl *r, uint64_t lsn)
{
	if (lsn > r->confirmed_lsn)
		r->confirmed_lsn = lsn;
}

void repl_snapshot_acked(struct repl *r)
{
	r->snapshot_acked = true;
	repl_side_next(r);
}

static void repl_handle_closed(struct repl *r)
{
	if (r->open_handles + r->sql.poll.open + r->rep.poll.open > 0 || !r->closing)
		return;
	free(r->conninfo);
	free(r->tables_sql);
	r->conninfo = NULL;
	r->tables_sql = NULL;
	if (r->on_close != NULL)
		r->on_close(r);
}

static void repl_on_timer_closed(uv_handle_t *h)
{
	struct repl *r = h->data;

	r->open_handles--;
	repl_handle_closed(r);
}

void repl_close(struct repl *r, void (*on_close)(struct repl *r))
{
	r->closing = true;
	r->on_close = on_close;
	repl_send_status(r, false);
	if (r->rep.pg != NULL && r->state == REPL_STREAMING)
		(void)PQflush(r->rep.pg);
	repl_drop(r);
	repl_set_state(r, REPL_STOPPED);
	uv_close((uv_handle_t *)&r->retry, repl_on_timer_closed);
	uv_close((uv_handle_t *)&r->status, repl_on_timer_closed);
	uv_close((uv_handle_t *)&r->kick, repl_on_timer_closed);
}
