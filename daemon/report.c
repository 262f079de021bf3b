/* Reports for managers. recipients: the distinct persons with a benefit
 * active on a day, counted over the scan of daemon/roster.c; spending: the
 * ledger entries of a year summed by the store (schema.c's report_spending).
 * Places roll up through lib/rollup.c. alerts: the alert rows of a year
 * counted by code. */
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pbjson.h"
#include "policy/policy.h"
#include "rollup.h"
#include "roster.h"
#include "scheme.h"
#include "query.h"
#include "schema.h"
#include "server.h"
#include "vec.h"

#define LEVEL(x) ASSIST__REPORT_LEVEL__REPORT_LEVEL_##x

struct report_query {
	struct query_asker who;
	Assist__ReportKind kind;
	Assist__ReportBy by;
	int year;
	ymd_t as_of;          /* recipients: the day counted */
	int64_t *per_scheme;  /* recipients: persons per scheme value */
	int64_t total;        /* recipients: persons */
	struct place *places; /* recipients by place: each person's */
	size_t n_places, cap_places;
	bool failed;
};

/* The rows of a reply, built in arrays freed together. */
struct report_out {
	Assist__ReportRow *rows;
	Assist__ReportRow **ptrs;
	Assist__Place *places;
	size_t n;
};

static int out_init(struct report_out *o, size_t max)
{
	o->rows = calloc(max ? max : 1, sizeof(*o->rows));
	o->ptrs = calloc(max ? max : 1, sizeof(*o->ptrs));
	o->places = calloc(max ? max : 1, sizeof(*o->places));
	o->n = 0;
	return o->rows && o->ptrs && o->places ? 0 : -ENOMEM;
}

static void out_free(struct report_out *o)
{
	free(o->rows);
	free(o->ptrs);
	free(o->places);
}

static Assist__ReportRow *out_row(struct report_out *o, Assist__ReportLevel level, int64_t value)
{
	Assist__ReportRow *r = &o->rows[o->n];

	assist__report_row__init(r);
	r->level = level;
	r->value = value;
	o->ptrs[o->n++] = r;
	return r;
}

static char *text_or_empty(const char *s)
{
	return s != NULL ? (char *)s : (char *)"";
}

/* The rolled-up rows of the leaves into o (room for ROLLUP_ROWS_MAX(n)). */
static int out_places(struct report_out *o, struct rollup_leaf *leaves, size_t n)
{
	struct rollup_row *rr = calloc(ROLLUP_ROWS_MAX(n), sizeof(*rr));
	size_t k;

	if (rr == NULL)
		return -ENOMEM;
	k = rollup_places(leaves, n, rr);
	for (size_t i = 0; i < k; i++) {
		Assist__ReportRow *r = out_row(o, rr[i].level, rr[i].value);
		Assist__Place *pl = &o->places[i];
		assist__place__init(pl);
		pl->district = text_or_empty(rr[i].district);
		pl->town = text_or_empty(rr[i].town);
		pl->community = text_or_empty(rr[i].community);
		r->place = pl;
	}
	free(rr);
	return 0;
}

static void report_send(struct report_query *q, const struct report_out *o)
{
	Assist__Reply r = ASSIST__REPLY__INIT;
	Assist__ReportReply rr = ASSIST__REPORT_REPLY__INIT;
	char day[YMD_BUFLEN];

	rr.kind = q->kind;
	rr.year = q->year;
	rr.by = q->by;
	if (q->kind == ASSIST__REPORT_KIND__REPORT_KIND_RECIPIENTS)
		rr.as_of = ymd_format(q->as_of, day);
	rr.rows = o->ptrs;
	rr.n_rows = o->n;
	r.body_case = ASSIST__REPLY__BODY_REPORT;
	r.report = &rr;
	query_answer(&q->who, &r);
}

static void report_free(struct report_query *q)
{
	free(q->per_scheme);
	free(q->places);
	free(q);
}

/* ---- recipients ---------------------------------------------------------------- */

static void recipients_visit(void *arg, const struct person *p)
{
	struct report_query *q = arg;
	struct benefit *b;
	size_t n;
	bool counted = false;

	if (q->failed || p->n_benefits == 0)
		return;
	if ((b = malloc(p->n_benefits * sizeof(*b))) == NULL) {
		q->failed = true;
		return;
	}
	n = policy_benefits_as_of(NULL, p, q->as_of, b); /* counted, not amounts */
	for (size_t i = 0; i < n; i++) {
		if (!b[i].active || (size_t)b[i].scheme >= assist__scheme__descriptor.n_values)
			continue;
		/* A person holds one benefit row per scheme. */
		q->per_scheme[b[i].scheme]++;
		counted = true;
	}
	free(b);
	if (!counted)
		return;
	q->total++;
	if (q->by == ASSIST__REPORT_BY__REPORT_BY_PLACE) {
		struct place *pl = vec_grow((void **)&q->places, &q->n_places, &q->cap_places,
					    sizeof(*pl));
		if (pl == NULL)
			q->failed = true;
		else
			*pl = p->place;
	}
}

/* The rows of the recipients counted into o. */
static int recipients_rows(struct report_query *q, struct report_out *o)
{
	size_t n_schemes = assist__scheme__descriptor.n_values;
	struct rollup_leaf *leaves;
	int rc;

	if (q->by == ASSIST__REPORT_BY__REPORT_BY_SCHEME) {
		if (out_init(o, n_schemes + 1) < 0)
			return -ENOMEM;
		for (size_t s = 1; s < n_schemes; s++) {
			if (q->per_scheme[s] > 0)
				out_row(o, LEVEL(CITY), q->per_scheme[s])->scheme = (Assist__Scheme)s;
		}
		out_row(o, LEVEL(CITY), q->total);
		return 0;
	}
	leaves = calloc(q->n_places ? q->n_places : 1, sizeof(*leaves));
	if (leaves == NULL || out_init(o, ROLLUP_ROWS_MAX(q->n_places)) < 0) {
		free(leaves);
		return -ENOMEM;
	}
	for (size_t i = 0; i < q->n_places; i++)
		leaves[i] = (struct rollup_leaf){q->places[i].district, q->places[i].town,
						 q->places[i].community, 1};
	rc = out_places(o, leaves, q->n_places);
	free(leaves);
	return rc;
}

static void recipients_done(void *arg, int status)
{
	struct report_query *q = arg;
	struct report_out o = {0};

	if (status == -EIO)
		query_fail(&q->who, ASSIST__ERROR_CODE__ERROR_CODE_STORE_FAILED,
			   "the store failed to answer");
	else if (status < 0 || q->failed || recipients_rows(q, &o) < 0)
		query_fail(&q->who, ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY,
			   "out of memory");
	else
		report_send(q, &o);
	out_free(&o);
	report_free(q);
}

static int recipients_start(struct report_query *q)
{
	q->per_scheme = calloc(assist__scheme__descriptor.n_values, sizeof(*q->per_scheme));
	if (q->per_scheme == NULL)
		return -ENOMEM;
	return roster_scan(q->who.srv, "", recipients_visit, recipients_done, q);
}

/* ---- spending ------------------------------------------------------------------ */

/* The grouping of a spending result row: by scheme, by month, else by place. */
static Assist__ReportBy spending_group(const PGresult *res, int i)
{
	if (strcmp(PQgetvalue(res, i, 0), "0") == 0)
		return ASSIST__REPORT_BY__REPORT_BY_SCHEME;
	if (strcmp(PQgetvalue(res, i, 1), "0") == 0)
		return ASSIST__REPORT_BY__REPORT_BY_MONTH;
	return ASSIST__REPORT_BY__REPORT_BY_PLACE;
}

/* The rows by scheme or month, then the total. */
static int spending_list(struct report_query *q, const PGresult *res, struct report_out *o)
{
	int n = PQntuples(res);
	int64_t total = 0;

	if (out_init(o, (size_t)n + 1) < 0)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		int64_t v = strtoll(PQgetvalue(res, i, 7), NULL, 10);
		Assist__ReportRow *r;
		int scheme = 0;
		if (spending_group(res, i) != q->by)
			continue;
		r = out_row(o, LEVEL(CITY), v);
		total += v;
		if (q->by == ASSIST__REPORT_BY__REPORT_BY_MONTH)
			r->month = PQgetvalue(res, i, 3);
		else if (pbjson_enum_value(&assist__scheme__descriptor, PQgetvalue(res, i, 2),
					   &scheme) == 0)
			r->scheme = scheme;
	}
	out_row(o, LEVEL(CITY), total);
	return 0;
}

static int spending_places(const PGresult *res, struct report_out *o)
{
	int n = PQntuples(res);
	struct rollup_leaf *leaves = calloc(n ? (size_t)n : 1, sizeof(*leaves));
	size_t k = 0;
	int rc;

	if (leaves == NULL)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		if (spending_group(res, i) == ASSIST__REPORT_BY__REPORT_BY_PLACE)
			leaves[k++] = (struct rollup_leaf){PQgetvalue(res, i, 4), PQgetvalue(res, i, 5),
							   PQgetvalue(res, i, 6),
							   strtoll(PQgetvalue(res, i, 7), NULL, 10)};
	}
	rc = out_init(o, ROLLUP_ROWS_MAX(k)) < 0 ? -ENOMEM : out_places(o, leaves, k);
	free(leaves);
	return rc;
}

static void on_spending(struct store_job *job, int status)
{
	struct report_query *q = job->data;
	struct report_out o = {0};
	int rc = 0;

	if (status < 0) {
		log_error("report: %s", job->error);
		query_fail(&q->who, ASSIST__ERROR_CODE__ERROR_CODE_STORE_FAILED,
			   "the store failed to answer");
		goto cleanup;
	}
	rc = q->by == ASSIST__REPORT_BY__REPORT_BY_PLACE ? spending_places(job->results[0], &o)
							 : spending_list(q, job->results[0], &o);
	if (rc < 0)
		query_fail(&q->who, ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY,
			   "out of memory");
	else
		report_send(q, &o);
cleanup:
	out_free(&o);
	store_job_free(job);
	report_free(q);
}

/* The household-level schemes as a text[] literal: their entries are on every
 * member of the household (housing aid; disaster relief is the household's
 * too). The names are plain identifiers, so nothing needs quoting. */
static void household_schemes(char *out, size_t len)
{
	size_t used = 0;

	out[used++] = '{';
	for (int s = 1; (size_t)s < assist__scheme__descriptor.n_values; s++) {
		enum scheme_family f = scheme_family((Assist__Scheme)s);
		const struct scheme *row = scheme_get((Assist__Scheme)s);
		if (row == NULL || (f != SCHEME_FAMILY_HOUSING && f != SCHEME_FAMILY_RELIEF))
			continue;
		used += (size_t)snprintf(out + used, len - used, "%s%s", used > 1 ? "," : "",
					 row->name);
	}
	snprintf(out + used, len - used, "}");
}

/* Ask statement for q's year (its first day and the next year's), then
 * extra when not NULL; done gets the answer. 0 or -ENOMEM. */
static int year_start(struct report_query *q, enum schema_stmt statement, const char *extra,
		      store_done_cb done)
{
	char from[16], to[16];
	struct store_job *job = store_job_new(STORE_READ, done, q);
	struct store_val v[3] = {{from, 0, false}, {to, 0, false}, {extra, 0, false}};

	v[0].len = (size_t)snprintf(from, sizeof(from), "%04d-01-01", q->year);
	v[1].len = (size_t)snprintf(to, sizeof(to), "%04d-01-01", q->year + 1);
	v[2].len = extra != NULL ? strlen(extra) : 0;
	if (job == NULL || store_job_add(job, statement, v, extra != NULL ? 3 : 2) < 0) {
		store_job_free(job);
		return -ENOMEM;
	}
	store_submit(q->who.srv->store, job);
	return 0;
}

static int spending_start(struct report_query *q)
{
	char hh[512];

	household_schemes(hh, sizeof(hh));
	return year_start(q, SQL_REPORT_SPENDING, hh, on_spending);
}

/* ---- alerts -------------------------------------------------------------------- */

static void on_alerts(struct store_job *job, int status)
{
	struct report_query *q = job->data;
	const PGresult *res = job->results[0];
	struct report_out o = {0};
	int64_t total = 0;

	if (status < 0) {
		log_error("report: %s", job->error);
		query_fail(&q->who, ASSIST__ERROR_CODE__ERROR_CODE_STORE_FAILED,
			   "the store failed to answer");
		goto cleanup;
	}
	if (out_init(&o, (size_t)PQntuples(res) + 1) < 0) {
		query_fail(&q->who, ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY, "out of memory");
		goto cleanup;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		int64_t v = strtoll(PQgetvalue(res, i, 1), NULL, 10);
		out_row(&o, LEVEL(CITY), v)->code = PQgetvalue(res, i, 0);
		total += v;
	}
	out_row(&o, LEVEL(CITY), total);
	report_send(q, &o);
cleanup:
	out_free(&o);
	store_job_free(job);
	report_free(q);
}

static int alerts_start(struct report_query *q)
{
	return year_start(q, SQL_REPORT_ALERTS, NULL, on_alerts);
}

/* ---- the request --------------------------------------------------------------- */

/* The request's fields into q; NULL, or why it is refused. */
static const char *report_parse(const Assist__ReportRequest *rq, struct report_query *q)
{
	if (rq->kind < ASSIST__REPORT_KIND__REPORT_KIND_RECIPIENTS ||
	    rq->kind > ASSIST__REPORT_KIND__REPORT_KIND_ALERTS)
		return "report.kind: recipients, spending or alerts";
	if (rq->year != 0 && (rq->year < 1900 || rq->year > 9999))
		return "report.year: not a year (1900 to 9999)";
	if (rq->by < ASSIST__REPORT_BY__REPORT_BY_UNSPECIFIED ||
	    rq->by > ASSIST__REPORT_BY__REPORT_BY_CODE)
		return "report.by: scheme, place, month or code";
	q->kind = rq->kind;
	q->by = rq->by ? rq->by : ASSIST__REPORT_BY__REPORT_BY_PLACE;
	if (q->kind == ASSIST__REPORT_KIND__REPORT_KIND_ALERTS) {
		if (rq->by != 0 && rq->by != ASSIST__REPORT_BY__REPORT_BY_CODE)
			return "report.by: alerts go by code";
		q->by = ASSIST__REPORT_BY__REPORT_BY_CODE;
	} else if (q->by == ASSIST__REPORT_BY__REPORT_BY_CODE) {
		return "report.by: code is for alerts";
	}
	if (q->kind == ASSIST__REPORT_KIND__REPORT_KIND_RECIPIENTS &&
	    q->by == ASSIST__REPORT_BY__REPORT_BY_MONTH)
		return "report.by: month is for spending; recipients go by scheme or place";
	q->as_of = rq->year ? ymd_make(rq->year, 12, 31) : ymd_today();
	q->year = rq->year ? rq->year : ymd_year(ymd_today());
	return NULL;
}

static int report_start(struct report_query *q)
{
	switch (q->kind) {
	case ASSIST__REPORT_KIND__REPORT_KIND_RECIPIENTS:
		return recipients_start(q);
	case ASSIST__REPORT_KIND__REPORT_KIND_SPENDING:
		return spending_start(q);
	default:
		return alerts_start(q);
	}
}

void report_handle(struct server *srv, const uint8_t *peer, size_t peer_len,
		   const Assist__Request *req)
{
	struct report_query *q = calloc(1, sizeof(*q));
	const char *bad;

	if (q == NULL) {
		server_reply_error(&srv->query, peer, peer_len, req->request_id,
				   ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY, "out of memory");
		return;
	}
	query_asker_set(&q->who, srv, peer, peer_len, req->request_id);
	if ((bad = report_parse(req->report, q)) == NULL &&
	    report_start(q) == 0)
		return;
	query_fail(&q->who, bad ? ASSIST__ERROR_CODE__ERROR_CODE_BAD_REQUEST
				       : ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY,
			  bad ? bad : "out of memory");
	report_free(q);
}
